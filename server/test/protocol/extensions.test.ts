import { DataStore } from '@tus/utils'
import { describe, expect, it } from 'vitest'
import { supportedExtensions } from '../../src/protocol/extensions.js'
import type { TuskStore } from '../../src/stores/types.js'

// Unit test: Tus-Extension is composed from what a store can do. The store is a stand-in.
function storeWith(extensions: string[], concatenate?: TuskStore['concatenate']): TuskStore {
  const datastore = new DataStore()
  datastore.extensions = extensions
  const unused = async () => {
    throw new Error('not used')
  }
  return {
    kind: 'stand-in',
    datastore,
    stat: unused,
    createReadStream: unused,
    checkWritable: unused,
    deleteExpired: unused,
    close: unused,
    concatenate,
  }
}

describe('Tus-Extension by store capability', () => {
  it('announces concatenation only for a store that can concatenate', () => {
    expect(supportedExtensions(storeWith(['creation']))).toEqual(['creation', 'checksum', 'checksum-trailer'])
    expect(supportedExtensions(storeWith(['creation'], async () => {}))).toContain('concatenation')
  })

  it('announces what the DataStore implements, and only tus 1.0.0 extension names', () => {
    const extensions = supportedExtensions(
      storeWith(['creation', 'termination', 'concatentation', 'expiration']),
    )
    expect(extensions).toEqual(['creation', 'termination', 'expiration', 'checksum', 'checksum-trailer'])
  })
})
