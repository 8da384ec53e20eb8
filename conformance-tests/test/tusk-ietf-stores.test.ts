import { TUSK_CONFIGURATIONS } from './servers/tusk.js'
import { describeTuskIetf } from './tusk-ietf-group.js'

// The ietf group against Tusk on every store configuration besides the file store
// (tusk-ietf.test.ts): the same expectations, on the machine's Node only.
for (const configuration of TUSK_CONFIGURATIONS.filter((c) => c !== 'file')) describeTuskIetf(configuration)
