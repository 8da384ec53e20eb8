#!/usr/bin/env bash
# Stops a cluster started by scripts/redis-cluster-start.sh (every node with a pid file under DIR):
# SIGTERM to all nodes at once, then SIGKILL for any still running 2.5 s later.
#
#   scripts/redis-cluster-stop.sh DIR [--purge]
set -euo pipefail
dir="${1:?usage: redis-cluster-stop.sh DIR [--purge]}"
pids=()
for pidfile in "$dir"/*/redis.pid; do
  [[ -s "$pidfile" ]] || continue
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  pids+=("$pid")
  rm -f "$pidfile"
done
for _ in $(seq 1 50); do
  running=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
  [[ $running == 0 ]] && break
  sleep 0.05
done
for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
if [[ "${2:-}" == --purge ]]; then rm -rf "$dir"; fi
