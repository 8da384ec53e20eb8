import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { validate } from 'dockerfile-utils'
import { describe, expect, it } from 'vitest'
import { readStage } from './dockerfile.js'

// The Dockerfile is linted by dockerfile-utils (the checks behind the VS Code Docker tooling:
// unknown instructions, bad flags, durations and ports) and checked for what the image promises.

const file = fileURLToPath(new URL('../../Dockerfile', import.meta.url))
const text = readFileSync(file, 'utf8')

describe('Dockerfile', () => {
  it('has no linter diagnostics', () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([])
  })

  it('the linter reports a broken Dockerfile (so the check above can fail)', () => {
    const messages = validate(
      'FROM node:24-trixie-slim\nEXPOSE http\nHEALTHCHECK --interval=soon CMD true\n',
    ).map((d) => d.message)
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/http/), expect.stringMatching(/soon/)]),
    )
  })

  it('builds in one stage and runs from a second, slim one with the production install only', () => {
    const build = readStage(file, 'build')
    expect(build.runs).toContain('npm ci --no-audit --no-fund')
    const runtime = readStage(file, 'runtime')
    expect(runtime.runs.filter((r) => r.startsWith('npm '))).toEqual([
      'npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace @tusk/server && npm cache clean --force',
    ])
    expect(text).toMatch(/^ARG NODE_IMAGE=node:\d+-[a-z]+-slim$/m)
    expect(runtime.healthcheck?.join(' ')).toContain('/health')
  })
})
