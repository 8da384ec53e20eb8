import { basename } from 'node:path'
import { refusalReason, type TuskUploadError } from '../core/errors.js'
import { DEFAULT_RETRY_POLICY } from '../core/retry.js'
import type { UploadHandle, UploadOptions, UploadResult } from '../core/types.js'
import { upload } from '../index.node.js'
import { createProgressView } from './progress-view.js'
import { sendsAuthorization, tokenRefused } from './token.js'
import { EXIT } from './usage-error.js'

export interface UploadJob {
  path: string
  options: UploadOptions
}

export interface JobReport {
  file: string
  ok: boolean
  url?: string
  size?: number
  resumedFrom?: number
  checksum?: string | null
  parallelUploads?: number
  error?: { code: string; status?: number; message: string; serverMessage?: string }
  paused?: boolean
}

/**
 * Runs uploads with live progress and reports the outcome. Ctrl-C (SIGINT) or SIGTERM pauses every
 * running upload — the server keeps what it received — and the same command resumes later.
 */
export async function runUploads(
  jobs: UploadJob[],
  options: { json: boolean; concurrency: number },
): Promise<number> {
  const view = createProgressView({ json: options.json })
  const reports: JobReport[] = new Array(jobs.length)
  const running = new Set<UploadHandle>()
  let interrupted = false
  let onInterrupt: () => void = () => {}
  const interruption = new Promise<'interrupted'>((resolve) => {
    onInterrupt = () => resolve('interrupted')
  })
  const stop = (signal: NodeJS.Signals) => {
    if (interrupted) {
      view.stop() // the cursor comes back and the bars stay readable
      process.exit(EXIT.interrupted) // a second Ctrl-C: leave at once
    }
    interrupted = true
    view.log(
      `${signal === 'SIGINT' ? 'Interrupted' : 'Stopping'}: pausing uploads; run the same command again to resume.`,
    )
    void Promise.allSettled([...running].map((handle) => handle.pause())).then(onInterrupt)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)

  let next = 0
  const worker = async () => {
    while (!interrupted && next < jobs.length) {
      const index = next++
      const job = jobs[index] as UploadJob
      const name = basename(job.path)
      const id = String(index)
      const handle = upload(job.path, job.options)
      running.add(handle)
      view.add(id, name, null)
      handle.on('progress', (progress) => view.update(id, progress))
      handle.on('plan', (plan) => {
        if (job.options.checksum && !plan.checksum) {
          view.log(
            `${name}: the server does not announce checksum ${job.options.checksum}; sending without checksums.`,
          )
        }
        if ((job.options.parallelUploads ?? 1) > 1 && plan.parallelUploads === 1) {
          view.log(
            `${name}: parallel uploads need the server's concatenation extension (or an upload was resumed); sending as one upload.`,
          )
        }
      })
      // One line per distinct failure, not one per retry: the same refused connection nine times
      // says nothing new. The final line tells how many retries there were.
      let retries = 0
      let lastRetryMessage = ''
      const startedAt = Date.now()
      handle.on('retry', ({ attempt, delayMs, error, reached }) => {
        retries = attempt
        if (error.message === lastRetryMessage) return
        lastRetryMessage = error.message
        const budget = reached
          ? ''
          : ` for up to ${Math.round(DEFAULT_RETRY_POLICY.unreachedBudgetMs / 1000)}s`
        view.log(
          `${name}: ${withStop(error.message)} Retrying${budget} (retry ${attempt} in ${seconds(delayMs)}).`,
        )
      })
      const outcome = await Promise.race([handle.start().done, interruption])
      running.delete(handle)
      reports[index] = report(job.path, outcome)
      if (outcome !== 'interrupted') {
        view.log(
          outcome.ok
            ? `${name}: uploaded ${outcome.url}${outcome.resumedFrom > 0 ? ` (resumed at byte ${outcome.resumedFrom})` : ''}`
            : `${name}: ${retries > 0 ? `gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'} in ${seconds(Date.now() - startedAt)}: ` : ''}${failureLine(outcome.error, job.options.headers ?? {})}`,
        )
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency, jobs.length) }, worker))
  view.stop()
  process.off('SIGINT', stop)
  process.off('SIGTERM', stop)

  const results = jobs.map((job, index) => reports[index] ?? { file: job.path, ok: false, paused: true })
  if (options.json) process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`)
  if (interrupted) return EXIT.interrupted
  const failed = results.filter((result) => !result.ok).length
  if (failed > 0 && !options.json)
    process.stderr.write(`tusk: ${failed} of ${results.length} uploads failed.\n`)
  return failed === 0 ? EXIT.ok : EXIT.failure
}

/** The SDK's message, except for a refused token: the CLI's one line for that (with a hint when none was sent). */
function failureLine(error: TuskUploadError, headers: Record<string, string>): string {
  if (error.status !== 401 || !error.method || !error.url) return error.message
  const reason = error.serverMessage && refusalReason(error.serverMessage)
  return tokenRefused(error.method, error.url, reason, sendsAuthorization(headers))
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`
const withStop = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`)

function report(file: string, outcome: UploadResult | 'interrupted'): JobReport {
  if (outcome === 'interrupted') return { file, ok: false, paused: true }
  if (outcome.ok) {
    return {
      file,
      ok: true,
      url: outcome.url,
      size: outcome.size,
      resumedFrom: outcome.resumedFrom,
      checksum: outcome.plan.checksum,
      parallelUploads: outcome.plan.parallelUploads,
    }
  }
  const { error } = outcome
  return {
    file,
    ok: false,
    error: {
      code: error.code,
      message: error.message,
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.serverMessage !== undefined ? { serverMessage: error.serverMessage } : {}),
    },
  }
}
