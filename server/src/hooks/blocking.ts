import { setTimeout as sleep } from 'node:timers/promises'
import type { Upload } from '@tus/utils'
import type { Dispatcher } from 'undici'
import { ERR, TuskError } from '../errors.js'
import type { Logger } from '../log.js'
import type { ClientMetadata } from '../model/record.js'
import type { CreationChanges, FinishResponse, UploadHooks } from '../upload/hooks.js'
import type { AccessCheck, Authorizer, RequestInfo } from '../upload/types.js'
import { type HookFormat, hookBody, parseHookResponse } from './formats.js'
import { postSigned } from './http-endpoint.js'
import type {
  BlockingHookType,
  HookEvent,
  HookMetrics,
  HookResponse,
  HookUpload,
  TuskHooks,
} from './types.js'

/** tusd's retries of a blocking HTTP hook: 3 more attempts, 1 s apart, after a network error or 5xx. */
const BLOCKING_RETRIES = 3
const BLOCKING_RETRY_DELAY_MS = 1_000

export interface BlockingDeps {
  readonly inProcess: TuskHooks
  /** HTTP endpoints, for the blocking types they are subscribed to. */
  readonly endpoints: readonly string[]
  readonly subscribed: ReadonlySet<string>
  readonly format: HookFormat
  readonly sign: (id: string, at: Date, body: string) => string
  readonly timeoutMs: number
  readonly logger: Logger
  readonly metrics?: HookMetrics
  readonly describe: (type: BlockingHookType, upload: Upload, request: RequestInfo) => HookEvent
  readonly newEventId: () => string
  /** Keep-alive connections to an endpoint. */
  readonly dispatcherFor?: (url: string) => Dispatcher
}

/** A hook's refusal, with the status it chose (400–499; 403 when it chose none or another). */
class HookRejection extends TuskError {
  constructor(status: number | undefined, message: string | undefined) {
    super('ERR_HOOK_REJECTED', message?.slice(0, 1000) || undefined)
    const chosen = status !== undefined && Number.isInteger(status) && status >= 400 && status <= 499
    ;(this as { status: number }).status = chosen ? (status as number) : 403
  }
}

/**
 * Runs one blocking hook: the in-process function, then every subscribed HTTP endpoint in order; the
 * first refusal wins, answers are merged. A hook that throws, times out, or answers garbage fails the
 * request with ERR_HOOK_FAILED (503) and a reason; the outcome is logged either way.
 */
async function runBlocking(
  deps: BlockingDeps,
  type: BlockingHookType,
  event: HookEvent,
): Promise<HookResponse> {
  const answers: HookResponse[] = []
  const fn = deps.inProcess[type]
  if (fn) {
    deps.metrics?.invoked(type)
    try {
      const answer = await fn(event)
      if (answer) answers.push(answer)
    } catch (error) {
      if (error instanceof TuskError) throw error
      deps.metrics?.failed(type)
      deps.logger.error({ err: error, hook: type }, 'in-process hook failed')
      throw ERR.HOOK_FAILED(`the ${type} hook failed`)
    }
    if (isRejection(answers.at(-1))) return answers.at(-1) as HookResponse
  }
  if (deps.subscribed.has(type)) {
    for (const url of deps.endpoints) {
      const answer = await callEndpoint(deps, type, url, event)
      answers.push(answer)
      if (isRejection(answer)) return answer
    }
  }
  return Object.assign({}, ...answers) as HookResponse
}

const isRejection = (answer: HookResponse | undefined) =>
  answer?.reject !== undefined && answer.reject !== false

async function callEndpoint(deps: BlockingDeps, type: BlockingHookType, url: string, event: HookEvent) {
  const body = hookBody(deps.format, event, new Date())
  const id = deps.newEventId()
  let reason = ''
  for (let attempt = 0; attempt <= BLOCKING_RETRIES; attempt++) {
    if (attempt > 0) await sleep(BLOCKING_RETRY_DELAY_MS)
    deps.metrics?.invoked(type)
    const outcome = await postSigned(url, {
      id,
      body,
      sign: deps.sign,
      timeoutMs: deps.timeoutMs,
      readBody: true,
      ...(deps.dispatcherFor ? { dispatcher: deps.dispatcherFor(url) } : {}),
    })
    if (outcome.ok) {
      try {
        const answer = parseHookResponse(deps.format, outcome.text)
        deps.logger.debug({ hook: type, status: outcome.status }, 'hook answered')
        return answer
      } catch (error) {
        reason = (error as Error).message
        break
      }
    }
    reason = outcome.reason
    // Timeouts are not retried: the client has waited a whole timeout already. 4xx will not change.
    const serverFault = /answered 5\d\d|unreachable/.test(outcome.reason)
    if (!serverFault) break
  }
  deps.metrics?.failed(type)
  deps.logger.warn({ hook: type, reason }, 'blocking hook failed; answering 503')
  throw ERR.HOOK_FAILED(`the ${type} hook ${reason}`, { headers: { 'Retry-After': '5' } })
}

function rejectionOf(answer: HookResponse): never {
  const reject = answer.reject
  throw typeof reject === 'object'
    ? new HookRejection(reject.status, reject.message)
    : new HookRejection(undefined, undefined)
}

/** Metadata a hook set, encoded as a client would have sent it; keys must be valid tus keys. */
function hookMetadata(values: Readonly<Record<string, string>>): ClientMetadata {
  const pairs: string[] = []
  for (const [key, value] of Object.entries(values)) {
    if (!/^[\x21-\x7e]+$/.test(key) || key.includes(',')) {
      throw ERR.HOOK_FAILED(`the pre-create hook returned an invalid metadata key`)
    }
    if (typeof value !== 'string')
      throw ERR.HOOK_FAILED('the pre-create hook returned a non-text metadata value')
    pairs.push(value === '' ? key : `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
  }
  return {
    values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === '' ? null : v])),
    raw: pairs.join(','),
  }
}

/** The upload core's blocking seam, backed by hooks; only the hooks that exist are installed. */
export function blockingUploadHooks(deps: BlockingDeps): UploadHooks {
  const has = (type: BlockingHookType) =>
    deps.inProcess[type] !== undefined || (deps.subscribed.has(type) && deps.endpoints.length > 0)
  const hooks: {
    beforeCreate?: UploadHooks['beforeCreate']
    beforeFinish?: UploadHooks['beforeFinish']
    beforeTerminate?: UploadHooks['beforeTerminate']
  } = {}
  if (has('pre-create')) {
    hooks.beforeCreate = async (upload, request): Promise<CreationChanges | undefined> => {
      const answer = await runBlocking(deps, 'pre-create', deps.describe('pre-create', upload, request))
      if (isRejection(answer)) rejectionOf(answer)
      const change = answer.changeUpload
      if (!change) return undefined
      return {
        ...(change.id !== undefined ? { id: change.id } : {}),
        ...(change.metadata ? { metadata: hookMetadata(change.metadata) } : {}),
        ...(change.maxSize !== undefined ? { maxSize: change.maxSize } : {}),
      }
    }
  }
  if (has('pre-finish')) {
    hooks.beforeFinish = async (upload, request): Promise<FinishResponse | undefined> => {
      const answer = await runBlocking(deps, 'pre-finish', deps.describe('pre-finish', upload, request))
      return answer.response
    }
  }
  if (has('pre-terminate')) {
    hooks.beforeTerminate = async (upload, request) => {
      const answer = await runBlocking(deps, 'pre-terminate', deps.describe('pre-terminate', upload, request))
      if (isRejection(answer)) rejectionOf(answer)
    }
  }
  return hooks
}

/**
 * The pre-access hook as an Authorizer (composed with the others by the server): asked before
 * HEAD, GET, PATCH and DELETE of an upload (mode read or write) and before a concatenation (mode
 * read, with the partial uploads). Creation is pre-create's business.
 */
export function preAccessAuthorizer(
  deps: BlockingDeps,
  describeAll: (uploads: readonly Upload[]) => readonly HookUpload[],
): Authorizer | undefined {
  if (
    deps.inProcess['pre-access'] === undefined &&
    !(deps.subscribed.has('pre-access') && deps.endpoints.length > 0)
  ) {
    return undefined
  }
  return {
    async authorize(check: AccessCheck) {
      if (check.intent === 'create') return undefined
      const uploads = check.intent === 'concatenate' ? check.partials : [check.upload]
      const first = uploads[0]
      if (!first) return undefined
      const mode = check.intent === 'append' || check.intent === 'terminate' ? 'write' : 'read'
      const event = {
        ...deps.describe('pre-access', first, check.request),
        access: { mode, uploads: describeAll(uploads) },
      } as const
      const answer = await runBlocking(deps, 'pre-access', event)
      if (isRejection(answer)) rejectionOf(answer)
      return undefined
    },
  }
}
