#!/usr/bin/env bash
# Starts a real S3 service for Tusk's tests, benchmarks and examples: Ceph's RADOS Gateway (radosgw)
# from Debian's packages, one monitor + one OSD + radosgw, listening on 127.0.0.1 only, with every
# file it writes kept under one data directory. No Docker, no systemd; the network is only used to
# install missing Debian packages.
#
#   scripts/s3-start.sh [DATA_DIR]     start (or re-check) the service; prints the S3_* settings
#   source DATA_DIR/s3.env             S3_ENDPOINT S3_REGION S3_ACCESS_KEY S3_SECRET_KEY S3_BUCKET ...
#   scripts/s3-stop.sh  [DATA_DIR] [--purge]
#
# Settings (environment, all optional):
#   S3_SERVICE_DIR         data directory (no spaces, <= 70 characters)       /tmp/tusk-s3
#   S3_SERVICE_PORT        S3 port on 127.0.0.1                                7480
#   S3_SERVICE_MON_PORT    Ceph monitor port on 127.0.0.1                      46789
#   S3_SERVICE_OSD_PORTS   port range for the OSD's listeners                  46800-46899
#   S3_SERVICE_ACCESS_KEY  access key of the S3 user                           TUSKTESTACCESSKEY
#   S3_SERVICE_SECRET_KEY  secret key of the S3 user                           tusktestsecretkey0123456789
#   S3_SERVICE_BUCKET      bucket created at start                             tusk
#   S3_SERVICE_BACKEND     memstore (objects in RAM, lost on stop, fastest)    memstore
#                          | bluestore (a sparse file under DATA_DIR, survives stop/start)
#   S3_SERVICE_CAPACITY    bytes the OSD may hold                              8589934592
#   S3_SERVICE_TIMEOUT     seconds to wait for each daemon                     120
#
# Clients must use path-style addressing, and @aws-sdk/client-s3 >= 3.729 must be told to send
# checksums only when required (Tusk's s3ChecksumMode default): Ceph 16's RGW answers the SDK's
# default streamed checksums (aws-chunked with a CRC trailer) with 411 MissingContentLength.
set -euo pipefail

DIR="${1:-${S3_SERVICE_DIR:-/tmp/tusk-s3}}"
PORT="${S3_SERVICE_PORT:-7480}"
MON_PORT="${S3_SERVICE_MON_PORT:-46789}"
OSD_PORTS="${S3_SERVICE_OSD_PORTS:-46800-46899}"
ACCESS_KEY="${S3_SERVICE_ACCESS_KEY:-TUSKTESTACCESSKEY}"
SECRET_KEY="${S3_SERVICE_SECRET_KEY:-tusktestsecretkey0123456789}"
BUCKET="${S3_SERVICE_BUCKET:-tusk}"
BACKEND="${S3_SERVICE_BACKEND:-memstore}"
CAPACITY="${S3_SERVICE_CAPACITY:-8589934592}"
TIMEOUT="${S3_SERVICE_TIMEOUT:-120}"
S3_USER=tusk
STARTED_AT=$(date +%s%N)

say() { printf '[s3 %5.1fs] %s\n' "$(( ($(date +%s%N) - STARTED_AT) / 1000000 ))e-3" "$*" >&2; }
fail() { say "ERROR: $*"; exit 1; }

case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
case "$DIR" in *[[:space:]]*) fail "the data directory must not contain spaces: '$DIR'" ;; esac
# Ceph's admin sockets live in DIR/run and a unix socket path is limited to ~107 bytes.
[ "${#DIR}" -le 70 ] || fail "the data directory path is too long (max 70 characters): $DIR"
case "$BACKEND" in memstore | bluestore) ;; *) fail "S3_SERVICE_BACKEND must be memstore or bluestore" ;; esac

CONF="$DIR/ceph.conf"
OWNER_MARK="$DIR/.tusk-s3-service"   # this directory was made by this script (s3-stop.sh --purge checks it)
BUILT_MARK="$DIR/.built"             # the cluster in this directory was fully created once

# ---------------------------------------------------------------- Debian packages
# program -> package that provides it
REQUIRED="ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw radosgw-admin:radosgw monmaptool:ceph-base
ceph-authtool:ceph-base ceph:ceph-common curl:curl flock:util-linux"

missing_packages() {
  local entry list=""
  for entry in $REQUIRED; do
    command -v "${entry%%:*}" >/dev/null 2>&1 && continue
    case " $list " in *" ${entry#*:} "*) ;; *) list="$list ${entry#*:}" ;; esac
  done
  echo "${list# }"
}

install_packages() {
  local packages log
  packages=$(missing_packages)
  [ -n "$packages" ] || return 0
  [ "$(id -u)" = 0 ] || fail "Debian packages missing ($packages); run as root or install them first"
  say "installing Debian packages: $packages"
  log=$(mktemp /tmp/tusk-s3-apt.XXXXXX)
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have no package lists yet: update once, only if the first try fails.
  if ! apt-get install -y --no-install-recommends $packages >"$log" 2>&1; then
    apt-get update >>"$log" 2>&1 || true
    apt-get install -y --no-install-recommends $packages >>"$log" 2>&1 \
      || { tail -n 20 "$log" >&2; fail "apt-get install failed (full log: $log)"; }
  fi
  rm -f "$log"
  packages=$(missing_packages)
  [ -z "$packages" ] || fail "still missing after apt-get install: $packages"
}

# ---------------------------------------------------------------- our daemons
# A daemon counts as ours only if its pid file names a live process whose command line mentions our
# ceph.conf: a pid recycled by an unrelated process is never reported, nor ever signalled.
pid_of() {
  local file="$DIR/run/$1.pid" pid
  [ -s "$file" ] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$CONF" || return 1
  echo "$pid"
}
is_running() { pid_of "$1" >/dev/null; }

terminate() {
  local pid
  pid=$(pid_of "$1") || { rm -f "$DIR/run/$1.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$DIR/run/$1.pid"
}

show_log() { tail -n 20 "$DIR/log/$1.log" >&2 2>/dev/null || true; cat "$DIR/log/$1.out" >&2 2>/dev/null || true; }

# The launcher forks and returns before the daemon has written its pid file: wait for the file.
await_pid() {
  for _ in $(seq 120); do is_running "$1" && return 0; sleep 0.25; done
  show_log "$1"
  fail "$1 did not stay up (logs in $DIR/log)"
}

# await <description> <daemon> <command...>: poll until the command succeeds, the daemon dies or time is up
await() {
  local what="$1" daemon="$2" deadline=$(( $(date +%s) + TIMEOUT ))
  shift 2
  until "$@" >/dev/null 2>&1; do
    is_running "$daemon" || { show_log "$daemon"; fail "$daemon exited while waiting for $what"; }
    [ "$(date +%s)" -lt "$deadline" ] || fail "no $what after ${TIMEOUT}s (logs in $DIR/log)"
    sleep 0.25
  done
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ceph_cmd() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }
osd_is_up() { ceph_cmd osd stat 2>/dev/null | grep -q ' 1 up'; }
gateway_answers() { [ "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 200 ]; }

# curl signs with SigV4 itself, but RGW also wants the payload hash header; these requests have no body.
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
signed_curl() {
  curl -sS -m 10 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    -H "x-amz-content-sha256: $EMPTY_SHA256" "$@"
}

# ---------------------------------------------------------------- configuration file
write_conf() {
  local backend_conf
  if [ "$BACKEND" = memstore ]; then
    backend_conf="memstore device bytes = $CAPACITY"
  else
    backend_conf="bluestore block path = $DIR/osd/block
bluestore block create = true
bluestore block size = $CAPACITY
bluestore block db create = false
bluestore block wal create = false
bluestore fsck on mount = false
osd memory target = 1073741824"
  fi
  cat >"$CONF" <<EOF
# Made by Tusk's scripts/s3-start.sh: a one-node Ceph on loopback that serves S3 for tests.
[global]
fsid = $(cat /proc/sys/kernel/random/uuid)
mon host = [v2:127.0.0.1:$MON_PORT]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
ms bind port min = ${OSD_PORTS%-*}
ms bind port max = ${OSD_PORTS#*-}
# Loopback only, so no cephx. radosgw insists on a "secure" monitor connection unless told crc,
# which "auth none" cannot provide (it would hang for 300 s fetching the mon config).
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
run dir = $DIR/run
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
keyring = $DIR/keyring
crash dir = $DIR/log/crash
# A single OSD: pools of one replica with few placement groups.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon data avail warn = 1
mon data avail crit = 0

[mon]
admin socket = $DIR/run/\$name.asok
mon data = $DIR/mon/\$cluster-\$id
mon cluster log file = default=$DIR/log/\$cluster.\$channel.log cluster=$DIR/log/\$cluster.log
# Commit map changes every 0.1 s (default 1 s): radosgw creates ~7 pools on its first start.
paxos propose interval = 0.1
paxos min wait = 0.01

[osd]
admin socket = $DIR/run/\$name.asok
osd data = $DIR/osd/\$cluster-\$id
osd objectstore = $BACKEND
$backend_conf

[client.rgw.tusk]
admin socket = $DIR/run/\$name.asok
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $DIR/rgw
# Free the space of deleted objects after a minute, not 2 h (with memstore that space is RAM).
rgw gc obj min wait = 60
rgw gc processor period = 60
EOF
}

# ---------------------------------------------------------------- steps
prepare_dir() {
  mkdir -p "$DIR"
  if [ ! -f "$OWNER_MARK" ] && [ -n "$(ls -A "$DIR" | grep -vxF .lock || true)" ]; then
    fail "$DIR is not empty and was not made by this script; choose another data directory"
  fi
  touch "$OWNER_MARK"
  exec 9>"$DIR/.lock"
  flock -w 300 9 || fail "another s3-start.sh is running for $DIR"

  if [ -f "$BUILT_MARK" ] && [ -f "$CONF" ]; then
    # An existing cluster keeps the backend and ports it was built with.
    BACKEND=$(sed -n 's/^osd objectstore = //p' "$CONF")
    PORT=$(sed -n 's/^rgw frontends = beast endpoint=127\.0\.0\.1://p' "$CONF")
    MON_PORT=$(sed -n 's/^mon host = \[v2:127\.0\.0\.1:\([0-9]*\)\]$/\1/p' "$CONF")
    if [ "$BACKEND" = memstore ] && ! is_running osd.0; then
      say "the memstore OSD is not running, so its objects are gone: building a fresh cluster"
      rm -f "$BUILT_MARK"
    fi
  fi
  if [ ! -f "$BUILT_MARK" ]; then
    for daemon in client.rgw.tusk osd.0 mon.a; do terminate "$daemon"; done
    rm -rf "$DIR/mon" "$DIR/osd" "$DIR/run" "$DIR/log" "$DIR/rgw" "$CONF" "$DIR/keyring" "$DIR/s3.env"
  fi
  mkdir -p "$DIR/mon" "$DIR/osd" "$DIR/run" "$DIR/log" "$DIR/rgw"
  is_running mon.a || ! port_taken "$MON_PORT" || fail "port $MON_PORT (Ceph monitor) is in use; set S3_SERVICE_MON_PORT"
  is_running client.rgw.tusk || ! port_taken "$PORT" || fail "port $PORT (S3) is in use; set S3_SERVICE_PORT"
  [ -f "$BUILT_MARK" ] || write_conf
}

start_monitor() {
  if ! is_running mon.a; then
    if [ ! -f "$BUILT_MARK" ]; then
      say "creating the monitor"
      ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
      ceph-authtool "$DIR/keyring" --gen-key -n client.admin \
        --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
      monmaptool --create --fsid "$(sed -n 's/^fsid = //p' "$CONF")" \
        --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/run/monmap" >/dev/null
      ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/run/monmap" --keyring "$DIR/keyring" \
        >"$DIR/log/mon.a.out" 2>&1 || { show_log mon.a; fail "ceph-mon --mkfs failed"; }
    fi
    say "starting ceph-mon on 127.0.0.1:$MON_PORT"
    ceph-mon -c "$CONF" -i a >>"$DIR/log/mon.a.out" 2>&1 9>&- || { show_log mon.a; fail "ceph-mon did not start"; }
    await_pid mon.a
  fi
  await "answer from the monitor" mon.a ceph_cmd mon stat
}

start_osd() {
  if ! is_running osd.0; then
    if [ ! -f "$BUILT_MARK" ]; then
      say "creating the OSD ($BACKEND)"
      local uuid id
      uuid=$(cat /proc/sys/kernel/random/uuid)
      id=$(ceph_cmd osd new "$uuid")
      [ "$id" = 0 ] || fail "expected OSD id 0, got '$id'"
      mkdir -p "$DIR/osd/ceph-0"
      ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$uuid" >"$DIR/log/osd.0.out" 2>&1 \
        || { show_log osd.0; fail "ceph-osd --mkfs failed"; }
    fi
    say "starting ceph-osd"
    ceph-osd -c "$CONF" -i 0 >>"$DIR/log/osd.0.out" 2>&1 9>&- || { show_log osd.0; fail "ceph-osd did not start"; }
    await_pid osd.0
  fi
  await "OSD up" osd.0 osd_is_up
}

start_gateway() {
  if ! is_running client.rgw.tusk; then
    say "starting radosgw on http://127.0.0.1:$PORT"
    radosgw -c "$CONF" -n client.rgw.tusk >>"$DIR/log/client.rgw.tusk.out" 2>&1 9>&- \
      || { show_log client.rgw.tusk; fail "radosgw did not start"; }
    await_pid client.rgw.tusk
  fi
  await "S3 answer on port $PORT" client.rgw.tusk gateway_answers
  touch "$BUILT_MARK"
}

ensure_user() {
  local info="$DIR/run/user.json"
  if ! timeout 60 radosgw-admin -c "$CONF" user info --uid="$S3_USER" >"$info" 2>/dev/null; then
    say "creating S3 user '$S3_USER'"
    timeout 60 radosgw-admin -c "$CONF" user create --uid="$S3_USER" --display-name="Tusk tests" \
      --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null 2>"$DIR/log/radosgw-admin.err" \
      || { cat "$DIR/log/radosgw-admin.err" >&2; fail "radosgw-admin user create failed"; }
  elif ! grep -qF "\"access_key\": \"$ACCESS_KEY\"" "$info" || ! grep -qF "\"secret_key\": \"$SECRET_KEY\"" "$info"; then
    say "adding key $ACCESS_KEY to S3 user '$S3_USER'"
    timeout 60 radosgw-admin -c "$CONF" key create --uid="$S3_USER" --key-type=s3 \
      --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null 2>"$DIR/log/radosgw-admin.err" \
      || { cat "$DIR/log/radosgw-admin.err" >&2; fail "radosgw-admin key create failed"; }
  fi
  rm -f "$info"
}

ensure_bucket() {
  local url="http://127.0.0.1:$PORT/$BUCKET" answer="$DIR/run/bucket.xml" status
  status=$(signed_curl -o "$answer" -w '%{http_code}' -X PUT "$url") || status=000
  case "$status" in
    200) ;; # made now, or it was already ours (RGW answers 200 for both)
    409) grep -q BucketAlreadyOwnedByYou "$answer" || { cat "$answer" >&2; fail "bucket '$BUCKET' belongs to someone else"; } ;;
    *) cat "$answer" >&2 2>/dev/null || true; fail "creating bucket '$BUCKET' answered HTTP $status" ;;
  esac
  status=$(signed_curl -o /dev/null -w '%{http_code}' -I "$url") || status=000
  [ "$status" = 200 ] || fail "a signed HEAD of bucket '$BUCKET' answered HTTP $status"
  rm -f "$answer"
}

write_env() {
  cat >"$DIR/s3.env" <<EOF
# S3 service started by Tusk's scripts/s3-start.sh ($BACKEND backend); source this file.
export S3_ENDPOINT=http://127.0.0.1:$PORT
export S3_REGION=us-east-1
export S3_ACCESS_KEY=$ACCESS_KEY
export S3_SECRET_KEY=$SECRET_KEY
export S3_BUCKET=$BUCKET
export S3_FORCE_PATH_STYLE=true
# For any other @aws-sdk/client-s3 program against this service (Tusk sets it in its S3 client).
export AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED
export AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED
EOF
  grep '^export S3_' "$DIR/s3.env" | sed 's/^export //'
  cat <<EOF
# Tusk: --store s3 --s3-endpoint http://127.0.0.1:$PORT --s3-bucket $BUCKET --s3-force-path-style true \\
#       --s3-access-key-id $ACCESS_KEY --s3-secret-access-key <S3_SECRET_KEY>      (source $DIR/s3.env)
EOF
}

# ---------------------------------------------------------------- main
install_packages
prepare_dir
start_monitor
start_osd
start_gateway
ensure_user
ensure_bucket
write_env
say "ready: mon pid $(pid_of mon.a), osd pid $(pid_of osd.0), radosgw pid $(pid_of client.rgw.tusk), backend $BACKEND"
