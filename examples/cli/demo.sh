#!/bin/sh
# The tusk CLI surviving kill -9. Starts a Tusk server (port $TUSK_DEMO_PORT, default 18080),
# uploads a 256 MiB file, kills the CLI with -9 part-way, shows what is recorded, runs the same
# command again (it resumes from the server's offset), then downloads the upload and compares.
# Run from the repository root after `npm install`:  npm run demo -w examples/cli
set -eu
cd "$(dirname "$0")/../.."
PORT="${TUSK_DEMO_PORT:-18080}"
WORK="$(mktemp -d)"
export XDG_STATE_HOME="$WORK/state"
ENDPOINT="http://127.0.0.1:$PORT/files"
# `npx tusk` runs this same file; calling it directly lets kill -9 hit the CLI itself, not npx.
TUSK="node client-sdk/bin/tusk.js"

node server/dist/main.js --port "$PORT" --data-dir "$WORK/data" --log-level warn &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
sleep 1

head -c 268435456 /dev/urandom > "$WORK/big.bin"
echo "== upload, killed with -9 part-way"
$TUSK upload "$WORK/big.bin" --endpoint "$ENDPOINT" &
CLI=$!
# Wait until the upload URL is recorded, give it a moment to send bytes, then kill.
until $TUSK list --offline | grep -q http; do sleep 0.1; done
sleep 0.5
kill -9 $CLI 2>/dev/null || true
wait $CLI 2>/dev/null || true

echo "== tusk list"
$TUSK list

echo "== the same command again"
$TUSK upload "$WORK/big.bin" --endpoint "$ENDPOINT" --json > "$WORK/result.json"
cat "$WORK/result.json"
URL=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1])).results[0].url)" "$WORK/result.json")

echo "== tusk status"
$TUSK status "$URL"

echo "== tusk download"
$TUSK download "$URL" -o "$WORK/copy.bin"
if cmp -s "$WORK/big.bin" "$WORK/copy.bin"; then echo "identical"; else echo "DIFFERENT"; exit 1; fi
