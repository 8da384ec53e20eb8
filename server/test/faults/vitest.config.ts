import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The fault suite (`npm run test:faults`): black-box scenarios against the built server run as a
// separate process. Files are *.fault.ts, so `npm test` does not pick them up; they run one file at
// a time, because they measure memory and timing of server processes and kill services.
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    // known-defects/ holds scenarios that show a defect not fixed yet (issue 13): they fail today and
    // run on their own, `npm run test:faults:known-defects`, until the fix moves them back here.
    include: [
      process.env.TUSK_FAULTS_KNOWN_DEFECTS
        ? 'server/test/faults/known-defects/*.fault.ts'
        : 'server/test/faults/*.fault.ts',
    ],
    // known-defects/ may be empty (every defect fixed); the CI suite must never be.
    passWithNoTests: Boolean(process.env.TUSK_FAULTS_KNOWN_DEFECTS),
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // The shared services some scenarios use (S3 for the concatenation crash): those the environment
    // names (CI), or started here as `npm test` does, so `npm run test:faults` works on a fresh machine.
    globalSetup: ['./scripts/test-services.ts'],
    pool: 'forks',
    fileParallelism: false,
    // The closing "tests: N passed, N failed" line that .ci/run adds up with the other runs'.
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
})
