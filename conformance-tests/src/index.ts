export { checks } from './checks/index.js'
export { CheckFailure, CheckSkip, Context } from './context.js'
export {
  compareWithExpectations,
  type Expectations,
  expectationsFrom,
  type Mismatch,
  parseExpectations,
} from './expectations.js'
export { NotATusServer } from './identify.js'
export { formatMismatches, formatResult, formatSummary, toJUnit } from './report.js'
export { type RunOptions, runConformance } from './run.js'
export type {
  AuthTokens,
  Check,
  CheckResult,
  ConformanceReport,
  Discovery,
  Exchange,
  Group,
  IetfSelection,
  IetfVersion,
  Level,
  Status,
} from './types.js'
export { GROUPS, IETF_VERSIONS } from './types.js'
