#!/usr/bin/env bash
# Starts a private, loopback-only Redis Cluster for Tusk: three masters and three replicas from
# Debian's redis-server, joined with `redis-cli --cluster create`.
#
#   scripts/redis-cluster-start.sh [BASE_PORT] [DIR]
#
# Nodes listen on BASE_PORT..BASE_PORT+5 (default 17000; their cluster bus on port+10000: keep both
# below the kernel's ephemeral range, 32768 and up on Linux, where an outgoing connection can hold a
# port at any moment). DIR (default
# ${TMPDIR:-/tmp}/tusk-redis-cluster-BASE_PORT) holds one sub-directory per node. Prints
# REDIS_CLUSTER_URL=redis+cluster://... and writes it to DIR/redis-cluster.env. Stop with
# scripts/redis-cluster-stop.sh DIR. A short cluster-node-timeout (1 s) makes a replica take over a
# dead master within a few seconds.
#
# Ready means more than cluster_state:ok: every replica has finished its first sync with its master.
# A replica that never synced never takes over (Redis counts its data as infinitely old), so a master
# killed before that leaves its slots unserved and the whole cluster answers CLUSTERDOWN for good.
# Redis 7 delays that first (diskless) sync by 5 s by default; --repl-diskless-sync-delay 0 starts it
# at once. Nothing is saved (no RDB, no AOF), and a node stops without waiting for its replicas
# (--shutdown-timeout 0).
set -euo pipefail

base="${1:-17000}"
dir="${2:-${TMPDIR:-/tmp}/tusk-redis-cluster-${base}}"
case "$base" in '' | *[!0-9]*) echo "redis-cluster-start: BASE_PORT must be a number, got '$base'" >&2; exit 2 ;; esac

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-cluster-start: redis-server not found; installing Debian's redis-server" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq redis-server >&2
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
fi

# On failure, stop the nodes this run started, so nothing is left holding the ports.
fail() {
  echo "redis-cluster-start: $*" >&2
  "$(dirname "$0")/redis-cluster-stop.sh" "$dir" >/dev/null 2>&1 || true
  exit 1
}

nodes=()
for i in 0 1 2 3 4 5; do
  port=$((base + i))
  node="$dir/$port"
  mkdir -p "$node"
  if [[ -s "$node/redis.pid" ]] && kill -0 "$(cat "$node/redis.pid")" 2>/dev/null; then
    echo "redis-cluster-start: node $port already running" >&2
  else
    rm -f "$node/redis.pid" "$node/nodes.conf"
    redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes \
      --cluster-enabled yes --cluster-config-file "$node/nodes.conf" --cluster-node-timeout 1000 \
      --repl-diskless-sync-delay 0 --shutdown-timeout 0 \
      --dir "$node" --pidfile "$node/redis.pid" --logfile "$node/redis.log" \
      --daemonize yes --save '' --appendonly no >/dev/null
  fi
  nodes+=("127.0.0.1:$port")
done

for port in $(seq "$base" $((base + 5))); do
  up=0
  for _ in $(seq 1 100); do
    # Our node answers (its pid file exists only once it listens): not another server on that port.
    if [[ -s "$dir/$port/redis.pid" ]] && kill -0 "$(cat "$dir/$port/redis.pid")" 2>/dev/null &&
      [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]; then
      up=1
      break
    fi
    sleep 0.05
  done
  [[ $up == 1 ]] || fail "node $port did not start: $(tail -n 2 "$dir/$port/redis.log" 2>/dev/null | tr '\n' ' ')"
done

if [[ "$(redis-cli -h 127.0.0.1 -p "$base" cluster info | tr -d '\r' | grep cluster_state)" != "cluster_state:ok" ]]; then
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 ||
    fail "redis-cli --cluster create failed: $(cat "$dir/create.log")"
fi

# Every node sees the cluster ok, and three replicas have their link to their master up (first sync done).
synced() {
  redis-cli -h 127.0.0.1 -p "$1" info replication 2>/dev/null | tr -d '\r' | grep -q '^master_link_status:up'
}
for _ in $(seq 1 200); do
  ok=1
  replicas=0
  for port in $(seq "$base" $((base + 5))); do
    [[ "$(redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | tr -d '\r' | grep cluster_state)" == "cluster_state:ok" ]] || ok=0
    if synced "$port"; then replicas=$((replicas + 1)); fi
  done
  if [[ $ok == 1 && $replicas == 3 ]]; then
    list=$(IFS=,; echo "${nodes[*]}")
    echo "REDIS_CLUSTER_URL=redis+cluster://${list}" | tee "$dir/redis-cluster.env"
    exit 0
  fi
  sleep 0.1
done
fail "the cluster did not reach cluster_state:ok with every replica synced"
