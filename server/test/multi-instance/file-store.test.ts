import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { multiInstanceSuite } from './suite.js'

// The multi-instance scenario (see suite.ts) with the file store in one directory shared by all
// three instances (on several machines: a shared filesystem).
multiInstanceSuite({
  name: 'file store in a shared directory',
  chunkSize: 96 * 1024,
  async setup(sharedDir) {
    return {
      flags: ['--store=file', `--data-dir=${sharedDir}`],
      stored: (id) => readFile(path.join(sharedDir, id)),
      async cleanup() {},
    }
  },
})
