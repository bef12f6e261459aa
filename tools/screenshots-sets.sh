#!/usr/bin/env bash
# Screenshots of snapshots of two processes open at once (issue 19), with the real app under
# Xvfb at two window sizes: tabs grouped by process with same-named files told apart, the
# one-click wizard offer for three snapshots of one process, and the wizard's result.
# Usage: tools/screenshots-sets.sh [OUT_DIR]   (default docs/screens)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screens}
bin=${HEAPSIFT:-target/release/heapsift}
mkdir -p "$out"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"
# Two services' three-snapshot sets, each named as a user names them.
sets=$(mktemp -d)
trap 'rm -rf "$sets"' EXIT
mkdir -p "$sets/checkout-svc" "$sets/web-shop"
i=0
for stage in baseline target final; do
  i=$((i + 1))
  gunzip -c "sample-snapshots/node-leak-s$i.heapsnapshot.gz" >"$sets/checkout-svc/$stage.heapsnapshot"
  cp "sample-snapshots/leak-s$i.heapsnapshot" "$sets/web-shop/$stage.heapsnapshot"
done
shot() { # name size args...
  local name=$1 size=$2
  shift 2
  timeout 300 xvfb-run -a -s "-screen 0 ${size}x24 -nolisten tcp" \
    "$bin" --size "$size" --theme dark --screenshot "$out/$name-$size.png" "$@" >/dev/null
  echo "$out/$name-$size.png"
}
for size in 1024x700 1600x1000; do
  shot sets-tabs "$size" "$sets"/checkout-svc/*.heapsnapshot "$sets"/web-shop/*.heapsnapshot
  shot sets-wizard-offer "$size" "$sets/checkout-svc"
  shot sets-wizard-result "$size" --wizard "$sets/checkout-svc"
done
