import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The fault suite (`npm run test:faults`): black-box scenarios against the built server run as a
// separate process. Files are *.fault.ts, so `npm test` does not pick them up; they run one file at
// a time, because they measure memory and timing of server processes and kill services.
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    include: ['server/test/faults/**/*.fault.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
})
