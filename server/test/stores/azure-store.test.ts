import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { RestError } from '@azure/storage-blob'
import { Upload } from '@tus/utils'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes } from '../../../test-support/bytes.js'
import { parseConfig } from '../../src/config/load.js'
import type { ConfigInput } from '../../src/config/schema.js'
import { offsetReadFailure, toTuskError } from '../../src/failures.js'
import { storageLocator } from '../../src/hooks/payload.js'
import { createAzureStore } from '../../src/stores/azure-store.js'
import { azureService } from './azure-service.js'
import { describeStoreContract, MiB, type StoreTarget } from './contract.js'

const azure = azureService()

/** Tusk's Azure store over `container`, configured the way `--store azure --azure-...` would. */
function openAzureStore(container: string, options: ConfigInput = {}) {
  return createAzureStore(
    parseConfig({ store: 'azure', azureContainer: container, ...azure.settings, ...options }),
  )
}

const azureTarget: StoreTarget = {
  name: 'azure (Azurite)',
  async open({ uploadExpiry }) {
    // A container that does not exist yet: the store creates it.
    const container = azure.containerName('contract')
    const store = openAzureStore(container, { uploadExpiry })
    return {
      store,
      reopen: async () => openAzureStore(container, { uploadExpiry }),
      // The upload's blobs are `<id>` and `<id>.info`: list everything under the id.
      residue: (id) => azure.list(container, id),
      async dispose() {
        await store.close()
        await azure.deleteContainer(container)
      },
    }
  },
}

describeStoreContract(azureTarget)

describe('azure store specifics', () => {
  const container = azure.containerName('specifics')
  afterAll(async () => {
    await azure.deleteContainer(container)
  })
  let store: ReturnType<typeof openAzureStore>
  beforeAll(() => {
    store = openAzureStore(container)
  })

  it('creates the container when it is missing', async () => {
    expect(await azure.containerOf(container).exists()).toBe(false)
    await store.datastore.create(new Upload({ id: randomBytes(8).toString('hex'), size: 1, offset: 0 }))
    expect(await azure.containerOf(container).exists()).toBe(true)
  })

  it('keeps client metadata with any bytes and Tusk reserved keys intact', async () => {
    const metadata = {
      filename: 'résumé 📄.pdf',
      ' tusk.upload-metadata': 'filename cuOpc3VtZQ==',
      empty: null,
    }
    const id = randomBytes(8).toString('hex')
    await store.datastore.create(new Upload({ id, size: 3, offset: 0, metadata }))
    expect((await openAzureStore(container).datastore.getUpload(id)).metadata).toEqual(metadata)
  })

  it('refuses a write at a stale offset with 409 and keeps the bytes stored', async () => {
    const id = randomBytes(8).toString('hex')
    const data = bytes(MiB, 3)
    await store.datastore.create(new Upload({ id, size: 2 * MiB, offset: 0 }))
    await store.datastore.write(Readable.from([data]), id, 0)
    await expect(store.datastore.write(Readable.from([data]), id, 0)).rejects.toMatchObject({
      status_code: 409,
    })
    expect((await store.datastore.getUpload(id)).offset).toBe(MiB)
  })

  it('never lets an upload grow past its length (Azure refuses the append)', async () => {
    const id = randomBytes(8).toString('hex')
    await store.datastore.create(new Upload({ id, size: 10, offset: 0 }))
    await expect(store.datastore.write(Readable.from([bytes(11, 4)]), id, 0)).rejects.toMatchObject({
      status_code: 413,
    })
    expect((await store.datastore.getUpload(id)).offset).toBe(0)
  })

  it('tells hooks where an upload is stored: its container and blob', () => {
    const storageOf = storageLocator({ store: 'azure', azureContainer: container, dataDir: './data' })
    expect(storageOf('abc')).toEqual({ type: 'azurestore', container, key: 'abc' })
  })

  it('leaves no blob behind when /ready checks that the container is writable', async () => {
    await store.checkWritable()
    expect(await azure.list(container, 'tusk-ready-probe')).toEqual([])
  })

  it('reports an unreachable service as not writable, with the network error as its code', async () => {
    const down = openAzureStore(container, { azureEndpoint: 'http://127.0.0.1:9/devstoreaccount1' })
    await expect(down.checkWritable()).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })
})

describe('Azure failures in the error table', () => {
  const logger = pino({ level: 'silent' })

  it('answers an Azure 5xx (throttled or failing service) with 503 and Retry-After, HEAD with 423', () => {
    const busy = new RestError('Operation could not be completed within the specified time.', {
      code: 'ServerBusy',
      statusCode: 503,
    })
    expect(toTuskError(busy, logger)).toMatchObject({ status: 503, code: 'ERR_STORE_UNAVAILABLE' })
    expect(toTuskError(busy, logger).headers).toMatchObject({ 'Retry-After': expect.any(String) })
    expect(offsetReadFailure(busy, logger).status).toBe(423)
  })

  it('keeps an Azure 4xx it does not know an internal error, not an outage', () => {
    const refused = new RestError('Server failed to authenticate the request.', {
      code: 'AuthenticationFailed',
      statusCode: 403,
    })
    expect(toTuskError(refused, logger).status).toBe(500)
  })
})
