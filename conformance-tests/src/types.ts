import type { Context } from './context.js'

/** The check groups, in the order they run and are reported. */
export const GROUPS = [
  'core',
  'creation',
  'creation-with-upload',
  'creation-defer-length',
  'expiration',
  'checksum',
  'checksum-trailer',
  'termination',
  'concatenation',
  'concatenation-unfinished',
  'robustness',
  'e2e',
  'auth',
  'ietf',
] as const
export type Group = (typeof GROUPS)[number]

/**
 * Bearer tokens of two different owners, for servers with authentication: every group runs as
 * owner A; the auth group also checks that owner B cannot reach A's uploads.
 */
export interface AuthTokens {
  a: string
  b: string
}

/** Interop versions of the IETF draft "Resumable Uploads for HTTP" the ietf group can check, newest first. */
export const IETF_VERSIONS = [9, 8, 6] as const
export type IetfVersion = (typeof IETF_VERSIONS)[number]

/** The draft version a run checks, the versions the server answered OPTIONS in, and why none, if none. */
export interface IetfSelection {
  /** The version the ietf group runs with; undefined when none could be chosen (the group is then not applicable). */
  version: IetfVersion | undefined
  /** Versions whose OPTIONS answer carried Upload-Limit or Accept-Patch: application/partial-upload. */
  answered: IetfVersion[]
  reason?: string
}

/** RFC 2119 level of the rule a check enforces. A failed SHOULD is still a failure. */
export type Level = 'MUST' | 'SHOULD'

/** One black-box conformance check, described as data so it can be listed, filtered and reported. */
export interface Check {
  /** Stable id, e.g. `core.head.offset-always`; expectation files refer to it. */
  id: string
  group: Group
  /**
   * Section of the tus 1.0.0 text the rule comes from, e.g. "Core Protocol > Requests > HEAD" (for the
   * ietf group, of draft-ietf-httpbis-resumable-upload).
   */
  section: string
  level: Level
  /** The rule in a few words. */
  rule: string
  /** Extensions (as named in Tus-Extension) the server must announce for the check to run. */
  requires: readonly string[]
  run(ctx: Context): Promise<void>
}

/** One HTTP request and what came back, in a form a person can read in a failure report. */
export interface Exchange {
  request: string
  response: string
}

export type Status = 'pass' | 'fail' | 'skip'

export interface CheckResult {
  id: string
  group: Group
  section: string
  level: Level
  rule: string
  status: Status
  /** Why it failed or was skipped. */
  reason?: string
  /** Something worth knowing about a pass, e.g. that bytes were verified by offsets only. */
  note?: string
  /** The requests the check made (the last ones), for failure reports. */
  exchanges: Exchange[]
  durationMs: number
}

export interface Discovery {
  /** Raw OPTIONS answer, for the report. */
  status: number
  tusVersion: string | undefined
  /** Tus-Resumable of the OPTIONS answer (optional there, but most servers send it). */
  tusResumable?: string | undefined
  extensions: string[]
  maxSize: number | undefined
  checksumAlgorithms: string[]
}

export interface ConformanceReport {
  url: string
  startedAt: string
  durationMs: number
  discovery: Discovery
  /** Present when the ietf group was asked for. */
  ietf?: IetfSelection
  results: CheckResult[]
  passed: number
  failed: number
  skipped: number
}
