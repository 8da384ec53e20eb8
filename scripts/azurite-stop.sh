#!/usr/bin/env bash
# Stops an Azurite started by scripts/azurite-start.sh, by its pid file only (never by name).
#
#   scripts/azurite-stop.sh [PORT] [DIR] [--purge]   (same arguments as azurite-start.sh;
#                                                    --purge also deletes DIR and its blobs)
set -euo pipefail

port="${1:-10000}"
dir="${2:-${TMPDIR:-/tmp}/tusk-azurite-${port}}"
pidfile="$dir/azurite.pid"

if [[ -s "$pidfile" ]]; then
  pid="$(cat "$pidfile")"
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "azurite-stop: pid $pid did not stop after SIGTERM; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile" "$dir/azurite.env"
  echo "azurite-stop: stopped azurite on port ${port}" >&2
else
  echo "azurite-stop: no pid file at $pidfile; nothing to stop" >&2
fi
if [[ "${3:-}" == --purge ]]; then rm -rf "$dir"; fi
