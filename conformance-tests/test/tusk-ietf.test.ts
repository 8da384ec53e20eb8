import { describeTuskIetf } from './tusk-ietf-group.js'

// The ietf group against Tusk on the file store: the part the Node 24 and 26 lines run too
// (scripts/test-node-lines.sh), where the 104 checks must pass. The other store configurations are
// in tusk-ietf-stores.test.ts.
describeTuskIetf('file')
