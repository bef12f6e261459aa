#!/usr/bin/env bash
# Remakes sample-snapshots/kinds/: a three-snapshot set per kind of leak, made by `heapsift hunt
# --repeat 60` on tests/live/kinds.js (KIND=…) and on the express-session service
# (tests/live/npm-session, after `npm ci` there). Needs Node and a release build.
# The page set (dom) comes from `node sample-snapshots/make-dom-leak.mjs` (Chromium).
# Usage: tools/kind-sets.sh   (then: cargo test the_committed_kind_sets_name_their_causes)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${HEAPSIFT:-target/release/heapsift}
out=sample-snapshots/kinds
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
port=$((40000 + RANDOM % 20000))
hunt() { # name command [hunt flags]
  local name=$1 cmd=$2
  port=$((port + 1))
  "$bin" hunt --exec "PORT=$port $cmd" --action "curl -sf localhost:$port/action" \
    --repeat 60 --wait 0 --timeout 30 -q --keep "$work/$name" "${@:3}" >/dev/null
  for s in baseline target final; do
    gzip -9 -c "$work/$name/$s.heapsnapshot" >"$out/$name-$s.heapsnapshot.gz"
  done
  echo "$out/$name-{baseline,target,final}.heapsnapshot.gz"
}
for kind in cache listeners closure timers promises connections streams globals lru control; do
  hunt "$kind" "KIND=$kind node tests/live/kinds.js"
done
hunt npm-session "node tests/live/npm-session/server.js"
# Allocation stacks recorded from before the baseline (tests/golden/tracked-*.allocations.json
# are devtools-reference's `allocations` of these three).
hunt tracked-listeners "KIND=listeners node tests/live/kinds.js" --track-allocations
# A TypeScript service bundled and minified by esbuild, with its source map (tests/live/ts-service,
# `npm ci && npm run build` there): names and positions read back through the map.
hunt ts "node tests/live/ts-service/dist/server.js" --track-allocations
