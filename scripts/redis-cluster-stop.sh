#!/usr/bin/env bash
# Stops a cluster started by scripts/redis-cluster-start.sh (every node with a pid file under DIR).
#
#   scripts/redis-cluster-stop.sh DIR [--purge]
set -euo pipefail
dir="${1:?usage: redis-cluster-stop.sh DIR [--purge]}"
for pidfile in "$dir"/*/redis.pid; do
  [[ -s "$pidfile" ]] || continue
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
done
if [[ "${2:-}" == --purge ]]; then rm -rf "$dir"; fi
