#!/usr/bin/env bash
# Rewrites package-lock.json the way `npm install` on a fresh clone would: complete for every
# platform npm supports, in sync with every package.json, without bumping any locked version.
# Run it after adding, removing or changing a dependency, and commit the result:
#   scripts/lock-refresh.sh
#
# Why: npm builds the lock from node_modules when node_modules exists (npm/cli#4828), and the
# optional native packages of other platforms (@esbuild/darwin-arm64, @rollup/rollup-win32-x64-msvc,
# @biomejs/cli-linux-x64-musl, ...) were never installed here, so they can drop out of the lock. A
# lock without them makes `npm ci` fail everywhere ("Missing: ... from lock file") and `npm install`
# on a fresh clone rewrite it. `npm install --package-lock-only` in a copy of the manifests with no
# node_modules resolves the lock from the registry metadata instead: it adds the missing platform
# packages at the versions their parents ask for and leaves every other entry as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tusk-lock-refresh-XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# The root manifest and lock, npm settings if any, and every package.json of the work tree (tracked
# or new; npm reads the workspaces' among them). Not `npm query .workspace`: without node_modules it
# lists no workspace at all.
cp package.json package-lock.json "$scratch/"
[ -f .npmrc ] && cp .npmrc "$scratch/"
git ls-files --cached --others --exclude-standard -- 'package.json' '*/package.json' |
  while read -r manifest; do
    [ -f "$manifest" ] || continue
    mkdir -p "$scratch/$(dirname "$manifest")"
    cp "$manifest" "$scratch/$manifest"
  done

(cd "$scratch" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error)

# Every optional dependency a locked package declares must have a lock entry (npm skips the ones
# for other platforms at install time, but only if the lock names them).
node -e '
  const { packages } = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))
  const missing = []
  for (const [key, entry] of Object.entries(packages)) {
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
      let base = key, found = false
      for (;;) {
        if (packages[(base ? `${base}/` : "") + `node_modules/${dep}`]) { found = true; break }
        if (!base) break
        const i = base.lastIndexOf("/node_modules/")
        base = i < 0 ? "" : base.slice(0, i)
      }
      if (!found) missing.push(`${key || "(root)"} -> ${dep}`)
    }
  }
  if (missing.length) {
    console.error(`lock-refresh: optional packages still missing from the lock:\n  ${missing.join("\n  ")}`)
    process.exit(1)
  }' "$scratch/package-lock.json"

if cmp -s "$scratch/package-lock.json" package-lock.json; then
  echo "package-lock.json is up to date"
else
  cp "$scratch/package-lock.json" package-lock.json
  echo "package-lock.json rewritten; review with: git diff --stat package-lock.json"
fi
