import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createFileStore } from '../../src/stores/file-store.js'
import { describeStoreContract } from './contract.js'

describeStoreContract({
  name: 'file',
  async open({ uploadExpiry }) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-store-contract-'))
    const store = createFileStore({ dataDir, uploadExpiry })
    return {
      store,
      reopen: async () => createFileStore({ dataDir, uploadExpiry }),
      async residue(id) {
        return (await readdir(dataDir)).filter((name) => name === id || name.startsWith(`${id}.`))
      },
      async dispose() {
        await store.close()
        await rm(dataDir, { recursive: true, force: true })
      },
    }
  },
})
