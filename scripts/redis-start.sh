#!/usr/bin/env bash
# Starts a private, loopback-only redis-server for Tusk (tests, CI, examples).
#
#   scripts/redis-start.sh [PORT] [DIR]
#
# PORT defaults to 6379; DIR (data dir, pid file, log, env file) to ${TMPDIR:-/tmp}/tusk-redis-PORT.
# Installs Debian's redis-server with apt-get when it is missing. Prints REDIS_URL=... on stdout and
# writes the same line to DIR/redis.env (source it, or pass it to `env`). Stop with scripts/redis-stop.sh.
set -euo pipefail

port="${1:-6379}"
dir="${2:-${TMPDIR:-/tmp}/tusk-redis-${port}}"
case "$port" in '' | *[!0-9]*) echo "redis-start: PORT must be a number, got '$port'" >&2; exit 2 ;; esac

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-start: redis-server not found; installing Debian's redis-server" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq redis-server >&2
  # The package starts a system-wide instance on 6379; Tusk's instances are private, so stop it.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
fi

mkdir -p "$dir"
pidfile="$dir/redis.pid"
if [[ -s "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "redis-start: already running (pid $(cat "$pidfile")) for $dir" >&2
else
  rm -f "$pidfile"
  # No persistence: locks are leases that must not outlive the service anyway.
  redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes \
    --dir "$dir" --pidfile "$pidfile" --logfile "$dir/redis.log" \
    --daemonize yes --save '' --appendonly no >/dev/null
fi

for _ in $(seq 1 100); do
  if [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]; then
    echo "REDIS_URL=redis://127.0.0.1:${port}" | tee "$dir/redis.env"
    exit 0
  fi
  sleep 0.05
done
echo "redis-start: redis-server did not answer on 127.0.0.1:${port}; log follows" >&2
tail -n 20 "$dir/redis.log" >&2 || true
exit 1
