#!/bin/sh
# The tusk CLI surviving kill -9. Starts a Tusk server (port $TUSK_DEMO_PORT, default 18080),
# uploads a 256 MiB file, kills the CLI with -9 once the server holds part of it, shows what is
# recorded, runs the same command again (it resumes from the server's offset), checks from the
# server's log that only the missing bytes were sent again, then downloads the upload and compares.
# Run from the repository root after `npm install`:  npm run demo -w examples/cli
set -eu
cd "$(dirname "$0")/../.."
PORT="${TUSK_DEMO_PORT:-18080}"
SIZE=268435456
WORK="$(mktemp -d)"
export XDG_STATE_HOME="$WORK/state"
ENDPOINT="http://127.0.0.1:$PORT/files"
# `npx tusk` runs this same file; calling it directly lets kill -9 hit the CLI itself, not npx.
TUSK="node client-sdk/bin/tusk.js"
CHECK="node examples/cli/demo-checks.mjs"

# Piped to a file, the server logs JSON lines: one per request, with the bytes it received.
node server/dist/main.js --port "$PORT" --data-dir "$WORK/data" --log-level info > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
until grep -q "serving tus uploads" "$WORK/server.log"; do
  kill -0 $SERVER 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.1
done

head -c $SIZE /dev/urandom > "$WORK/big.bin"
echo "== upload, killed with -9 part-way"
$TUSK upload "$WORK/big.bin" --endpoint "$ENDPOINT" &
CLI=$!
# Not a fixed delay: wait until the server holds some bytes of the upload but not all of them.
KILLED_URL=$($CHECK wait-partial "$WORK/server.log" "$ENDPOINT")
kill -9 $CLI 2>/dev/null || true
wait $CLI 2>/dev/null || true
STORED=$($CHECK settled-offset "$KILLED_URL")
echo "killed; the server holds $STORED of $SIZE bytes of $KILLED_URL"

echo "== tusk list"
$TUSK list

echo "== the same command again"
SINCE=$(node -e 'console.log(Date.now())')
$TUSK upload "$WORK/big.bin" --endpoint "$ENDPOINT" --json > "$WORK/result.json"
cat "$WORK/result.json"
URL=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1])).results[0].url)" "$WORK/result.json")
[ "$URL" = "$KILLED_URL" ] || { echo "a new upload was created instead of resuming $KILLED_URL"; exit 1; }

# The server counts what it received (headers included): a resume sends the missing part only.
RECEIVED=$($CHECK received-since "$WORK/server.log" "$URL" "$SINCE")
MISSING=$((SIZE - STORED))
echo "the resume sent $RECEIVED bytes (request headers included) for the $MISSING missing bytes"
if [ "$RECEIVED" -lt "$MISSING" ] || [ "$RECEIVED" -gt $((MISSING + 1048576)) ]; then
  echo "the resume did not send just the missing bytes"
  exit 1
fi

echo "== tusk status"
$TUSK status "$URL"

echo "== tusk download"
$TUSK download "$URL" -o "$WORK/copy.bin"
if cmp -s "$WORK/big.bin" "$WORK/copy.bin"; then echo "identical"; else echo "DIFFERENT"; exit 1; fi
