import { Upload } from '@tus/utils'
import { describe, expect, it } from 'vitest'
import { FinishedRecords } from '../src/upload/finished-records.js'

const upload = (id: string) =>
  new Upload({ id, size: 10, offset: 10, creation_date: new Date().toISOString() })
const object = (etag: string) => ({ size: 10, lastModified: new Date(0), etag })

describe('kept records of finished uploads', () => {
  it('gives a kept record back only while the object has the ETag it was kept with', () => {
    const records = new FinishedRecords(10)
    records.remember('a', upload('a'), object('"1"'))
    expect(records.get('a', object('"1"'))?.id).toBe('a')
    expect(records.get('a', object('"2"'))).toBeUndefined()
    // A mismatch drops the entry: the next download reads the record again.
    expect(records.has('a')).toBe(false)
    expect(records.get('a', object('"1"'))).toBeUndefined()
  })

  it('keeps at most its capacity, the oldest entry leaving first', () => {
    const records = new FinishedRecords(2)
    for (const id of ['a', 'b', 'c']) records.remember(id, upload(id), object(`"${id}"`))
    expect(records.size).toBe(2)
    expect(records.has('a')).toBe(false)
    expect(records.get('c', object('"c"'))?.id).toBe('c')
    records.remember('b', upload('b'), object('"b2"'))
    expect(records.size).toBe(2)
    expect(records.get('b', object('"b2"'))?.id).toBe('b')
  })
})
