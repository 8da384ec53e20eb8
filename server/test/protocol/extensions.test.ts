import { describe, expect, it } from 'vitest'
import { capabilitiesOf, type TuskStore } from '../../src/stores/types.js'
import { tusExtensions } from '../../src/tus/extensions.js'

// Unit test: Tus-Extension is derived from the store's capabilities. The stores are stand-ins.
const unused = async () => {
  throw new Error('not used')
}
const base = {
  kind: 'stand-in',
  datastore: {} as TuskStore['datastore'],
  stat: unused,
  createReadStream: unused,
  checkWritable: unused,
  close: unused,
} satisfies TuskStore

describe('Tus-Extension by store capability', () => {
  it('announces only creation, creation-with-upload and the checksums for a store without capabilities', () => {
    expect(tusExtensions(capabilitiesOf(base))).toEqual([
      'creation',
      'creation-with-upload',
      'checksum',
      'checksum-trailer',
    ])
  })

  it('announces each capability the store has, in tus order', () => {
    const full: TuskStore = {
      ...base,
      terminate: unused,
      declareLength: unused,
      concatenate: unused,
      expirer: { expiryPeriod: 1_000, deleteExpired: async () => 0 },
    }
    expect(tusExtensions(capabilitiesOf(full))).toEqual([
      'creation',
      'creation-with-upload',
      'creation-defer-length',
      'termination',
      'expiration',
      'checksum',
      'checksum-trailer',
      'concatenation',
    ])
  })

  it('announces concatenation-unfinished only for a store that concatenates and keeps pending concatenations', () => {
    const pendingConcatenations = { add: unused, waitingFor: unused, remove: unused, list: unused }
    const both: TuskStore = { ...base, concatenate: unused, pendingConcatenations }
    expect(tusExtensions(capabilitiesOf(both)).slice(-2)).toEqual([
      'concatenation',
      'concatenation-unfinished',
    ])
    expect(tusExtensions(capabilitiesOf({ ...base, concatenate: unused }))).not.toContain(
      'concatenation-unfinished',
    )
    expect(tusExtensions(capabilitiesOf({ ...base, pendingConcatenations }))).not.toContain(
      'concatenation-unfinished',
    )
  })

  it('does not announce expiration when uploads never expire (period 0)', () => {
    const never: TuskStore = { ...base, expirer: { expiryPeriod: 0, deleteExpired: async () => 0 } }
    expect(tusExtensions(capabilitiesOf(never))).not.toContain('expiration')
  })
})
