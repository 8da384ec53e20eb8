#!/usr/bin/env bash
# Stops what examples/multi-instance/start.sh started, by pid file only. --purge also deletes the
# state directory (uploads included).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="${TUSK_EXAMPLE_DIR:-/tmp/tusk-multi-instance}"
redis_port="${REDIS_PORT:-6390}"

if [[ -s "$state/nginx/nginx.pid" ]]; then
  nginx -p "$state/nginx" -e "$state/nginx/error.log" -c "$state/nginx/nginx.conf" -s quit 2>/dev/null || true
fi
for pidfile in "$state"/pids/tusk-*.pid; do
  [[ -s "$pidfile" ]] || continue
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true # graceful: in-flight uploads get shutdownTimeout to finish
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$pidfile"
done
"$root/scripts/redis-stop.sh" "$redis_port" "$state/redis" 2>/dev/null || true
if [[ -f "$state/s3/s3.env" ]]; then "$root/scripts/s3-stop.sh" "$state/s3" || true; fi
if [[ "${1:-}" == --purge ]]; then
  rm -rf "$state"
  echo "stopped; removed $state"
else
  echo "stopped; state (uploads, logs) kept in $state (--purge removes it)"
fi
