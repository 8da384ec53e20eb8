#!/usr/bin/env bash
# Tusk across three instances on loopback: Redis (shared locks), three Tusk processes sharing one
# store, and nginx in front of them, round-robin. Every request of an upload may reach another
# instance; kill one (kill -9) while uploading and the uploads carry on through the others.
#
#   examples/multi-instance/start.sh [file|s3]      (run `npm run build` first)
#   examples/multi-instance/stop.sh
#
# file: the instances share one directory (on several machines: a shared filesystem such as NFS).
# s3:   the instances share a bucket on a local Ceph RADOS Gateway (scripts/s3-start.sh; slow first start).
#
# Settings (environment): TUSK_EXAMPLE_DIR (state: pids, logs, data; /tmp/tusk-multi-instance),
# PROXY_PORT (8080), FIRST_PORT (1081: instances on 1081..1083), REDIS_PORT (6390); for s3, an
# existing service's S3_ENDPOINT S3_REGION S3_BUCKET S3_ACCESS_KEY S3_SECRET_KEY (as in s3.env).
set -euo pipefail

store="${1:-file}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/examples/multi-instance"
state="${TUSK_EXAMPLE_DIR:-/tmp/tusk-multi-instance}"
proxy_port="${PROXY_PORT:-8080}"
first_port="${FIRST_PORT:-1081}"
redis_port="${REDIS_PORT:-6390}"

case "$store" in file | s3) ;; *) echo "usage: $0 [file|s3]" >&2; exit 2 ;; esac
[[ -f "$root/server/dist/main.js" ]] || { echo "start.sh: run 'npm run build' first" >&2; exit 1; }
command -v nginx >/dev/null || { echo "start.sh: nginx is needed (apt-get install nginx-light)" >&2; exit 1; }
mkdir -p "$state/data" "$state/nginx" "$state/pids" "$state/logs"

# 1. Redis: the locks every instance shares.
"$root/scripts/redis-start.sh" "$redis_port" "$state/redis" >/dev/null
redis_url="redis://127.0.0.1:${redis_port}"

# 2. The store every instance shares.
store_flags=(--store file --data-dir "$state/data")
if [[ "$store" == s3 ]]; then
  # An S3 service already described by the environment (S3_ENDPOINT, ... as in s3.env) is used
  # as it is; otherwise a local Ceph RADOS Gateway is started (the first start takes a while).
  if [[ -z "${S3_ENDPOINT:-}" ]]; then
    "$root/scripts/s3-start.sh" "$state/s3" >/dev/null
    # shellcheck disable=SC1091
    source "$state/s3/s3.env"
  fi
  store_flags=(--store s3 --s3-endpoint "$S3_ENDPOINT" --s3-region "$S3_REGION" --s3-bucket "$S3_BUCKET"
    --s3-access-key-id "$S3_ACCESS_KEY" --s3-secret-access-key "$S3_SECRET_KEY" --s3-force-path-style true
    --data-dir "$state/data")
fi

# 3. Three Tusk instances. --trust-proxy: Location URLs name the proxy (X-Forwarded-Host/-Proto).
upstreams=""
for i in 1 2 3; do
  port=$((first_port + i - 1))
  pidfile="$state/pids/tusk-$i.pid"
  if [[ -s "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "instance $i already running (pid $(cat "$pidfile"))"
  else
    nohup node --initial-heap-size=64 "$root/server/dist/main.js" --host 127.0.0.1 --port "$port" \
      --redis-url "$redis_url" --trust-proxy true "${store_flags[@]}" \
      >"$state/logs/tusk-$i.log" 2>&1 &
    echo $! >"$pidfile"
  fi
  upstreams+="    server 127.0.0.1:${port} max_fails=1 fail_timeout=5s;"$'\n'
done
for i in 1 2 3; do
  port=$((first_port + i - 1))
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null -X OPTIONS "http://127.0.0.1:${port}/files" 2>/dev/null && break
    sleep 0.1
  done
  curl -fsS -o /dev/null -X OPTIONS "http://127.0.0.1:${port}/files" ||
    { echo "instance $i did not start; see $state/logs/tusk-$i.log" >&2; exit 1; }
done

# 4. nginx, round-robin, from the tested template.
conf="$state/nginx/nginx.conf"
UPSTREAMS="$upstreams" PREFIX="$state/nginx" LISTEN="127.0.0.1:${proxy_port}" node -e '
  const fs = require("node:fs")
  const text = fs.readFileSync(process.argv[1], "utf8")
    .replaceAll("{{PREFIX}}", process.env.PREFIX).replaceAll("{{LISTEN}}", process.env.LISTEN)
    .replaceAll("{{UPSTREAMS}}", process.env.UPSTREAMS.trimEnd())
  fs.writeFileSync(process.argv[2], text)' "$here/nginx.conf.template" "$conf"
if [[ -s "$state/nginx/nginx.pid" ]] && kill -0 "$(cat "$state/nginx/nginx.pid")" 2>/dev/null; then
  nginx -p "$state/nginx" -e "$state/nginx/error.log" -c "$conf" -s reload
else
  nginx -p "$state/nginx" -e "$state/nginx/error.log" -c "$conf"
fi

cat <<INFO
Tusk behind nginx: http://127.0.0.1:${proxy_port}/files   (store: $store, Redis: $redis_url)
  instances: $(for i in 1 2 3; do printf '127.0.0.1:%s (pid %s)  ' $((first_port + i - 1)) "$(cat "$state/pids/tusk-$i.pid")"; done)
  try:       curl -si -X POST -H 'Tus-Resumable: 1.0.0' -H 'Upload-Length: 5' \\
               -H 'Content-Type: application/offset+octet-stream' --data-binary hello http://127.0.0.1:${proxy_port}/files
  chaos:     kill -9 \$(cat $state/pids/tusk-2.pid)    (uploads continue on the other two)
  stop:      examples/multi-instance/stop.sh
INFO
