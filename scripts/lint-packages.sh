#!/usr/bin/env bash
# Lints the packages as npm would publish them: packs every publishable workspace (no "private":
# true) and runs publint (package.json fields, files that exist in the tarball) and
# @arethetypeswrong/cli (types resolve for every entry point under node16 and bundler resolution)
# on each tarball. Needs a build first (dist/ is what gets packed): `npm run build`.
#
# attw runs with --profile esm-only: the packages are ESM only ("type": "module", no "require"
# condition), which Node >= 20.19 can also require(); attw's CommonJS checks do not apply to them.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp -d "${TMPDIR:-/tmp}/tusk-lint-packages-XXXXXX")
trap 'rm -rf "$out"' EXIT

# The publishable workspaces, from npm itself.
mapfile -t workspaces < <(npm query .workspace | node -e '
  const list = JSON.parse(require("node:fs").readFileSync(0, "utf8"))
  for (const w of list) if (!w.private) console.log(w.name)')
[ "${#workspaces[@]}" -gt 0 ] || { echo "lint:packages: no publishable workspace found" >&2; exit 1; }

args=()
for w in "${workspaces[@]}"; do args+=(--workspace "$w"); done
# --ignore-scripts: packing must not rebuild; the tarball holds the dist/ that is there.
npm pack --ignore-scripts --silent --pack-destination "$out" "${args[@]}" >/dev/null

status=0
for tarball in "$out"/*.tgz; do
  echo "== $(basename "$tarball")"
  npx --no-install publint run --strict "$tarball" || status=1
  npx --no-install attw --profile esm-only --no-emoji --format table-flipped "$tarball" || status=1
done
exit "$status"
