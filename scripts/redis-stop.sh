#!/usr/bin/env bash
# Stops a redis-server started by scripts/redis-start.sh, by its pid file only (never by name).
#
#   scripts/redis-stop.sh [PORT] [DIR]      (same arguments as redis-start.sh)
set -euo pipefail

port="${1:-6379}"
dir="${2:-${TMPDIR:-/tmp}/tusk-redis-${port}}"
pidfile="$dir/redis.pid"

if [[ ! -s "$pidfile" ]]; then
  echo "redis-stop: no pid file at $pidfile; nothing to stop" >&2
  exit 0
fi
pid="$(cat "$pidfile")"
if kill -TERM "$pid" 2>/dev/null; then
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "redis-stop: pid $pid did not stop after SIGTERM; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
fi
rm -f "$pidfile" "$dir/redis.env"
echo "redis-stop: stopped redis on port ${port}" >&2
