import { describe, expect, it } from 'vitest'
import { ASSUMED_CAPABILITIES } from '../src/core/discovery.js'
import { TuskUploadError } from '../src/core/errors.js'
import { DEFAULT_BOUNDED_CHUNK, planTransfer, type TransferPlanInput } from '../src/core/transfer-plan.js'
import type { ServerCapabilities } from '../src/core/types.js'

const FULL: ServerCapabilities = {
  discovered: true,
  versions: ['1.0.0'],
  extensions: [
    'creation',
    'creation-with-upload',
    'creation-defer-length',
    'termination',
    'checksum',
    'concatenation',
  ],
  maxSize: null,
  checksumAlgorithms: ['sha1', 'sha256', 'md5'],
}

function input(overrides: Partial<TransferPlanInput> = {}): TransferPlanInput {
  return {
    options: {},
    source: { size: 1000, isStream: false },
    capabilities: FULL,
    resumedParts: null,
    canDigest: () => true,
    ...overrides,
  }
}

function failure(plan: () => unknown): TuskUploadError {
  try {
    plan()
  } catch (error) {
    if (error instanceof TuskUploadError) return error
    throw error
  }
  throw new Error('expected the plan to fail')
}

describe('planTransfer', () => {
  it('sends a known-size file in one request with creation-with-upload when nothing else is asked', () => {
    expect(planTransfer(input())).toEqual({
      protocol: 'tus-v1',
      checksum: null,
      parallelUploads: 1,
      creationWithUpload: true,
      deferredLength: false,
      chunkSize: Number.POSITIVE_INFINITY,
    })
  })

  it('uses a checksum only when announced, listed and computable, and bounds the chunk for it', () => {
    expect(planTransfer(input({ options: { checksum: 'sha256' } }))).toMatchObject({
      checksum: 'sha256',
      chunkSize: DEFAULT_BOUNDED_CHUNK,
    })
    expect(planTransfer(input({ options: { checksum: 'crc32' } })).checksum).toBeNull() // not listed
    expect(
      planTransfer(input({ options: { checksum: 'md5' }, canDigest: (a) => a !== 'md5' })).checksum,
    ).toBeNull()
    const noExtension = { ...FULL, extensions: ['creation'] }
    expect(
      planTransfer(input({ options: { checksum: 'sha256' }, capabilities: noExtension })).checksum,
    ).toBeNull()
  })

  it('speaks the IETF draft without the tus-only checksum and concatenation, and refuses an unknown protocol', () => {
    const plan = planTransfer(
      input({ options: { protocol: 'ietf-draft-05', checksum: 'sha256', parallelUploads: 4 } }),
    )
    expect(plan).toMatchObject({ protocol: 'ietf-draft-05', checksum: null, parallelUploads: 1 })
    const error = failure(() =>
      planTransfer(input({ options: { protocol: 'ietf-draft-99' as unknown as 'tus-v1' } })),
    )
    expect(error.code).toBe('unsupported')
    expect(error.message).toMatch(/tus-v1, ietf-draft-05/)
  })

  it('keeps an explicit chunk size', () => {
    expect(planTransfer(input({ options: { checksum: 'sha1', chunkSize: 4096 } })).chunkSize).toBe(4096)
  })

  it('splits into parallel uploads only with concatenation and a known-size, re-readable source', () => {
    expect(planTransfer(input({ options: { parallelUploads: 4 } })).parallelUploads).toBe(4)
    expect(planTransfer(input({ options: { parallelUploads: 2.7 } })).parallelUploads).toBe(2)
    const noConcat = { ...FULL, extensions: ['creation'] }
    expect(
      planTransfer(input({ options: { parallelUploads: 4 }, capabilities: noConcat })).parallelUploads,
    ).toBe(1)
    expect(
      planTransfer(input({ options: { parallelUploads: 4 }, source: { size: 1000, isStream: true } }))
        .parallelUploads,
    ).toBe(1)
    expect(
      planTransfer(input({ options: { parallelUploads: 4 }, source: { size: 3, isStream: false } }))
        .parallelUploads,
    ).toBe(1)
  })

  it('keeps the shape of a resumed upload instead of re-splitting', () => {
    expect(planTransfer(input({ options: { parallelUploads: 4 }, resumedParts: 1 })).parallelUploads).toBe(1)
    expect(planTransfer(input({ options: { parallelUploads: 1 }, resumedParts: 3 })).parallelUploads).toBe(3)
  })

  it('defers the length of a stream of unknown size, with a bounded chunk and no creation-with-upload', () => {
    expect(planTransfer(input({ source: { size: null, isStream: true } }))).toEqual({
      protocol: 'tus-v1',
      checksum: null,
      parallelUploads: 1,
      creationWithUpload: false,
      deferredLength: true,
      chunkSize: DEFAULT_BOUNDED_CHUNK,
    })
  })

  it('fails as unsupported when a discovered server cannot defer the length; tries when undiscovered', () => {
    const noDefer = { ...FULL, extensions: ['creation'] }
    const error = failure(() =>
      planTransfer(input({ source: { size: null, isStream: true }, capabilities: noDefer })),
    )
    expect(error.code).toBe('unsupported')
    expect(
      planTransfer(input({ source: { size: null, isStream: true }, capabilities: ASSUMED_CAPABILITIES }))
        .deferredLength,
    ).toBe(true)
  })

  it("fails as too_large when the size exceeds the server's Tus-Max-Size", () => {
    const error = failure(() =>
      planTransfer(
        input({ source: { size: 1001, isStream: false }, capabilities: { ...FULL, maxSize: 1000 } }),
      ),
    )
    expect(error.code).toBe('too_large')
    expect(error.message).toContain('1001 bytes')
    expect(
      planTransfer(
        input({ source: { size: 1000, isStream: false }, capabilities: { ...FULL, maxSize: 1000 } }),
      ),
    ).toBeTruthy()
  })

  it('skips creation-with-upload when the caller turns it off or the server lacks it', () => {
    expect(planTransfer(input({ options: { creationWithUpload: false } })).creationWithUpload).toBe(false)
    expect(planTransfer(input({ capabilities: ASSUMED_CAPABILITIES })).creationWithUpload).toBe(false)
  })
})
