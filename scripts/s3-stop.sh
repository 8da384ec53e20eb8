#!/usr/bin/env bash
# Stops the S3 service that scripts/s3-start.sh started from DATA_DIR: radosgw, then the OSD, then
# the monitor, found through their pid files only (never by process name, so other Ceph processes
# on the machine are left alone). SIGTERM, up to 10 s to exit, then SIGKILL.
#
#   scripts/s3-stop.sh [DATA_DIR] [--purge]     DATA_DIR defaults to $S3_SERVICE_DIR or /tmp/tusk-s3
#   --purge   also delete DATA_DIR, but only if s3-start.sh made it
set -euo pipefail

DIR="" PURGE=false
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=true ;;
    -*) echo "usage: $0 [DATA_DIR] [--purge]" >&2; exit 2 ;;
    *) DIR="$arg" ;;
  esac
done
DIR="${DIR:-${S3_SERVICE_DIR:-/tmp/tusk-s3}}"
case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
CONF="$DIR/ceph.conf"

stopped=0
for daemon in client.rgw.tusk osd.0 mon.a; do
  pidfile="$DIR/run/$daemon.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile" 2>/dev/null || true)
  # Signal it only if that pid still runs a daemon of ours (its command line names our ceph.conf).
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$CONF"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "[s3] $daemon (pid $pid) still running after 10 s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    echo "[s3] stopped $daemon (pid $pid)" >&2
    stopped=$((stopped + 1))
  fi
  rm -f "$pidfile"
done
[ "$stopped" -gt 0 ] || echo "[s3] nothing was running from $DIR" >&2

if $PURGE && [ -d "$DIR" ]; then
  [ -f "$DIR/.tusk-s3-service" ] || { echo "[s3] not deleting $DIR: s3-start.sh did not make it" >&2; exit 1; }
  rm -rf -- "$DIR"
  echo "[s3] deleted $DIR" >&2
fi
