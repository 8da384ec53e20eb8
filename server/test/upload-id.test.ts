import { describe, expect, it } from 'vitest'
import { isUploadId, newUploadId } from '../src/model/upload-id.js'

describe('new upload ids', () => {
  it('are 32 hex characters (the @tus/file-store form), all different across refills of the random pool', () => {
    // 1,000 ids draw on the 256-id pool four times over.
    const ids = Array.from({ length: 1000 }, newUploadId)
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/)
      expect(isUploadId(id)).toBe(true)
    }
    expect(new Set(ids).size).toBe(ids.length)
  })
})
