import { checks as allChecks } from './checks/index.js'
import { CheckFailure, CheckSkip, Context, type RunState } from './context.js'
import { discover } from './discover.js'
import { request } from './http.js'
import { ensureTusServer } from './identify.js'
import { INTEROP_HEADER } from './ietf/draft.js'
import { selectIetfVersion } from './ietf/select.js'
import type {
  AuthTokens,
  Check,
  CheckResult,
  ConformanceReport,
  Group,
  IetfSelection,
  IetfVersion,
} from './types.js'

export interface RunOptions {
  /** The tus creation endpoint, e.g. http://127.0.0.1:1080/files */
  url: string
  /** Sent with every request (authentication, tenant headers, …). */
  headers?: Record<string, string>
  /**
   * Tokens of two different owners for a server with authentication: every check runs with
   * `Authorization: Bearer <a>`, and the auth group runs (without them it is not applicable).
   */
  tokens?: AuthTokens
  /** Only these groups, or ids, or id prefixes (e.g. "core", "robustness.id"). */
  only?: string[]
  /** Per-check time limit; a check still running after it fails. */
  checkTimeoutMs?: number
  /** Terminate the uploads the run created when the server offers termination (default true). */
  cleanup?: boolean
  /** Called after each check, e.g. to print progress. */
  onResult?: (result: CheckResult) => void
  /** The checks to run (default: all of them). */
  checks?: readonly Check[]
  /**
   * Run the ietf group (IETF "Resumable Uploads for HTTP") in this interop version, or in the newest
   * one the server answers OPTIONS in. Without it the ietf group is left out of the run, unless
   * `only` names it (then 'newest').
   */
  ietf?: IetfVersion | 'newest'
}

const KEEP_EXCHANGES = 4

/** The headers with `Authorization: Bearer <token>` in place of any Authorization given. */
function withToken(headers: Record<string, string>, token: string | undefined): Record<string, string> {
  if (token === undefined) return headers
  const rest = Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization')
  return { ...Object.fromEntries(rest), Authorization: `Bearer ${token}` }
}

/** Whether a check is selected by a list of groups, ids or id prefixes. */
export function selected(check: Check, only: string[] | undefined): boolean {
  if (!only || only.length === 0) return true
  return only.some((o) => check.group === (o as Group) || check.id === o || check.id.startsWith(`${o}.`))
}

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => {
    setTimeout(() => reject(new CheckFailure(`no result within ${ms} ms`)), ms).unref()
  })
}

/**
 * Runs the checks one after another against `url` and returns every result. Rejects with
 * NotATusServer when no tus server answers there, and with an Error when nothing answers at all.
 */
export async function runConformance(options: RunOptions): Promise<ConformanceReport> {
  const started = Date.now()
  const headers = withToken(options.headers ?? {}, options.tokens?.a)
  const discovery = await discover(options.url, headers)
  const namesIetf = (options.only ?? []).some((o) => o === 'ietf' || o.startsWith('ietf.'))
  const asked = options.ietf ?? (namesIetf ? 'newest' : undefined)
  const ietf: IetfSelection | undefined =
    asked === undefined ? undefined : await selectIetfVersion(options.url, headers, asked)
  // The ietf group is another protocol: it runs only when asked for.
  const planned = (options.checks ?? allChecks).filter(
    (check) => selected(check, options.only) && (check.group !== 'ietf' || ietf !== undefined),
  )
  // A server that speaks only the draft has no tus answer to show; the ietf group tells for itself.
  if (planned.some((check) => check.group !== 'ietf')) {
    await ensureTusServer(options.url, headers, discovery)
  }
  const state: RunState = { created: [] }
  const results: CheckResult[] = []

  for (const check of planned) {
    const base = {
      id: check.id,
      group: check.group,
      section: check.section,
      level: check.level,
      rule: check.rule,
    }
    const missing = check.requires.filter((name) => !discovery.extensions.includes(name))
    const t0 = Date.now()
    let result: CheckResult
    if (missing.length > 0) {
      result = {
        ...base,
        status: 'skip',
        reason: `not announced: ${missing.join(', ')}`,
        exchanges: [],
        durationMs: 0,
      }
    } else {
      const ctx = new Context(options.url, discovery, headers, state, options.tokens, ietf)
      try {
        await Promise.race([check.run(ctx), timeout(options.checkTimeoutMs ?? 20_000)])
        result = { ...base, status: 'pass', exchanges: [], durationMs: Date.now() - t0 }
        if (ctx.notes.length > 0) result.note = [...new Set(ctx.notes)].join('; ')
      } catch (error) {
        const exchanges = ctx.exchanges.slice(-KEEP_EXCHANGES)
        if (error instanceof CheckSkip) {
          result = {
            ...base,
            status: 'skip',
            reason: error.message,
            exchanges: [],
            durationMs: Date.now() - t0,
          }
        } else {
          const reason = error instanceof Error ? error.message : String(error)
          // Put the exchange that showed the failure last, where the report looks first.
          const shown =
            error instanceof CheckFailure && error.exchange
              ? [...exchanges.filter((e) => e !== error.exchange), error.exchange]
              : exchanges
          result = {
            ...base,
            status: 'fail',
            reason,
            exchanges: shown.slice(-KEEP_EXCHANGES),
            durationMs: Date.now() - t0,
          }
        }
      }
    }
    results.push(result)
    options.onResult?.(result)
  }

  if (options.cleanup !== false && discovery.extensions.includes('termination')) {
    await Promise.allSettled(
      state.created.map((url) =>
        request({
          method: 'DELETE',
          url,
          headers: { ...headers, 'Tus-Resumable': '1.0.0' },
          timeoutMs: 2000,
        }),
      ),
    )
  }

  if (options.cleanup !== false && ietf?.version !== undefined) {
    const cancel = { ...headers, [INTEROP_HEADER]: String(ietf.version) }
    await Promise.allSettled(
      (state.createdIetf ?? []).map((url) =>
        request({ method: 'DELETE', url, headers: cancel, timeoutMs: 2000 }),
      ),
    )
  }

  return {
    url: options.url,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    discovery,
    ...(ietf ? { ietf } : {}),
    results,
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    skipped: results.filter((r) => r.status === 'skip').length,
  }
}
