#!/usr/bin/env bash
# Starts a private, loopback-only Azurite (the Azure Storage emulator, the root dev dependency
# `azurite` from the npm registry) serving Azure Blob Storage for Tusk's tests and CI.
#
#   scripts/azurite-start.sh [PORT] [DIR]
#
# PORT defaults to 10000; DIR (blob data, pid file, log, env file) to ${TMPDIR:-/tmp}/tusk-azurite-PORT.
# Prints the AZURE_* settings on stdout and writes the same lines to DIR/azurite.env (source it):
#   AZURE_BLOB_ENDPOINT  http://127.0.0.1:PORT/devstoreaccount1  (Tusk: --azure-endpoint)
#   AZURE_ACCOUNT_NAME   devstoreaccount1                        (Tusk: --azure-account)
#   AZURE_ACCOUNT_KEY    Azurite's well-known development key    (Tusk: --azure-account-key)
# Telemetry is off (Azurite otherwise reports to the internet); every API version is accepted, so an
# @azure/storage-blob newer than this Azurite still works. Stop with scripts/azurite-stop.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

port="${1:-10000}"
dir="${2:-${TMPDIR:-/tmp}/tusk-azurite-${port}}"
case "$port" in '' | *[!0-9]*) echo "azurite-start: PORT must be a number, got '$port'" >&2; exit 2 ;; esac
fail() { echo "azurite-start: $*" >&2; exit 1; }

bin="$root/node_modules/.bin/azurite-blob"
[[ -x "$bin" ]] || fail "$bin not found: run npm install (azurite is a dev dependency of the root package)"

# Azurite's documented development account (public, the same on every Azurite).
account=devstoreaccount1
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
endpoint="http://127.0.0.1:${port}/${account}"

mkdir -p "$dir/data"
pidfile="$dir/azurite.pid"
log="$dir/azurite.log"
if [[ -s "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "azurite-start: already running (pid $(cat "$pidfile")) for $dir" >&2
else
  rm -f "$pidfile"
  # Its own session, output to the log: the caller (CI, vitest's global setup) gets its terminal back.
  setsid "$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$dir/data" \
    --disableTelemetry --skipApiVersionCheck --silent </dev/null >"$log" 2>&1 &
  echo "$!" >"$pidfile"
fi
pid="$(cat "$pidfile")"

# Ready when the blob service answers HTTP (an unsigned request gets an error answer, which is fine).
for _ in $(seq 1 300); do
  kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2 || true; fail "azurite (pid $pid) exited; log above ($log)"; }
  if node -e "fetch('${endpoint}?comp=list').then(() => process.exit(0), () => process.exit(1))" 2>/dev/null; then
    {
      echo "AZURE_BLOB_ENDPOINT=${endpoint}"
      echo "AZURE_ACCOUNT_NAME=${account}"
      echo "AZURE_ACCOUNT_KEY=${key}"
    } | tee "$dir/azurite.env"
    exit 0
  fi
  sleep 0.1
done
tail -n 20 "$log" >&2 || true
fail "azurite did not answer on 127.0.0.1:${port} within 30 s; log above ($log)"
