import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two test files at a time, whatever the core count: most files wait on servers, services and
    // sockets rather than compute, so a 2-core machine runs the suite in ~330 s instead of ~550 s with
    // vitest's default (cores − 1 = one file at a time). Timing and memory bounds are validated at 2.
    maxWorkers: 2,
    minWorkers: 2,
    globalSetup: ['./scripts/test-services.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
})
