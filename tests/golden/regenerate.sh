#!/usr/bin/env bash
# Rebuilds the DevTools golden files in tests/golden/ from the committed sample snapshots.
# Usage: tests/golden/regenerate.sh   (from anywhere; needs Node 20+ and ../shared/tools/devtools-reference,
# override its location with DEVTOOLS_REFERENCE=/path/to/devtools-reference)
# The ids for `summary --ids` come from sample-snapshots/expected.json (golden_ids).
set -euo pipefail
golden=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$golden/../.." && pwd)
samples="$repo/sample-snapshots"
ref=${DEVTOOLS_REFERENCE:-$repo/../shared/tools/devtools-reference/devtools-reference}
[ -x "$ref" ] || { echo "devtools-reference not found at $ref (set DEVTOOLS_REFERENCE)" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs the reference from inside sample-snapshots/ (or $dir) so the "file" fields hold bare file names.
run() {
  local out=$1; shift
  if ! (cd "${dir:-$samples}" && "$ref" "$@") >"$golden/$out.tmp" 2>"$log"; then
    cat "$log" >&2; rm -f "$golden/$out.tmp"; echo "failed: $*" >&2; exit 1
  fi
  mv "$golden/$out.tmp" "$golden/$out"
  echo "$out" >&2
}

ids_for() {
  node -e 'const e=require(process.argv[1]); const ids=e.golden_ids[process.argv[2]];
    if(!ids){console.error("no golden_ids for "+process.argv[2]);process.exit(1)} console.log(ids.join(","))' \
    "$samples/expected.json" "$1"
}

for f in "$samples"/*.heapsnapshot; do
  name=$(basename "$f")
  run "${name%.heapsnapshot}.summary.json" summary "$name" --ids "$(ids_for "$name")"
done

diff_pair() { run "$1__$2.diff.json" diff "$1.heapsnapshot" "$2.heapsnapshot"; }
diff_pair leak-s1 leak-s2
diff_pair leak-s2 leak-s3
diff_pair leak-s1 leak-s3
for k in 1 2 3 4; do diff_pair "growth-$k" "growth-$((k + 1))"; done

run leak.between.json between leak-s1.heapsnapshot leak-s2.heapsnapshot leak-s3.heapsnapshot

# DevTools' named Summary filters and duplicated strings, for every sample.
filters="objectsRetainedByDetachedDomNodes objectsRetainedByConsole objectsRetainedByEventHandlers objectsRetainedByContexts duplicatedStrings"
mkdir -p "$golden/filters"
for f in "$samples"/*.heapsnapshot; do
  name=$(basename "$f"); stem=${name%.heapsnapshot}
  for flt in $filters; do run "filters/$stem.filter.$flt.json" summary "$name" --filter "$flt"; done
  run "filters/$stem.duplicates.json" duplicates "$name"
done

# Fuzz findings kept as files (tests/regressions/fuzz-seeds.txt says why each is there).
for f in "$repo"/tests/regressions/*.heapsnapshot; do
  name=$(basename "$f")
  dir="$repo/tests/regressions" run "${name%.heapsnapshot}.summary.json" summary "$name"
done

# The Node samples are committed gzip-compressed; the reference reads them decompressed.
tmp=$(mktemp -d)
node_run() {
  local out=$1; shift
  (cd "$tmp" && "$ref" "$@") >"$golden/$out" 2>"$log" || { cat "$log" >&2; exit 1; }
  echo "$out" >&2
}
for stem in node-cache node-leak-s1 node-leak-s2 node-leak-s3 node-captured; do
  gunzip -c "$samples/$stem.heapsnapshot.gz" >"$tmp/$stem.heapsnapshot"
  node_run "$stem.summary.json" summary "$stem.heapsnapshot"
  for flt in $filters; do node_run "filters/$stem.filter.$flt.json" summary "$stem.heapsnapshot" --filter "$flt"; done
  node_run "filters/$stem.duplicates.json" duplicates "$stem.heapsnapshot"
done
rm -rf "$tmp"
