import type { Check } from '../types.js'
import { authChecks } from './auth.js'
import { checksumChecks } from './checksum.js'
import { checksumTrailerChecks } from './checksum-trailer.js'
import { concatenationChecks } from './concatenation.js'
import { concatenationUnfinishedChecks } from './concatenation-unfinished.js'
import { coreChecks } from './core.js'
import { creationChecks } from './creation.js'
import { creationDeferLengthChecks } from './creation-defer-length.js'
import { creationWithUploadChecks } from './creation-with-upload.js'
import { e2eChecks } from './e2e.js'
import { expirationChecks } from './expiration.js'
import { ietfDigestChecks } from './ietf-digests.js'
import { ietfRobustnessChecks } from './ietf-robustness.js'
import { ietfRuleChecks } from './ietf-rules.js'
import { ietfUploadChecks } from './ietf-upload.js'
import { robustnessChecks } from './robustness.js'
import { terminationChecks } from './termination.js'

/** Every check, in report order. */
export const checks: readonly Check[] = [
  ...coreChecks,
  ...creationChecks,
  ...creationWithUploadChecks,
  ...creationDeferLengthChecks,
  ...expirationChecks,
  ...checksumChecks,
  ...checksumTrailerChecks,
  ...terminationChecks,
  ...concatenationChecks,
  ...concatenationUnfinishedChecks,
  ...robustnessChecks,
  ...e2eChecks,
  ...authChecks,
  ...ietfUploadChecks,
  ...ietfRuleChecks,
  ...ietfDigestChecks,
  ...ietfRobustnessChecks,
]
