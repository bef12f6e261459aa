#!/usr/bin/env bash
# Makes the README and docs screenshots with the real app under Xvfb (--screenshot), at two
# window sizes. Usage: tools/screenshots.sh [OUT_DIR] [THEME]   (defaults: docs/screens, dark)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screens}
theme=${2:-dark}
bin=${HEAPSIFT:-target/release/heapsift}
mkdir -p "$out"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"
s=sample-snapshots
shot() { # name size args...
  local name=$1 size=$2
  shift 2
  timeout 300 xvfb-run -a -s "-screen 0 ${size}x24 -nolisten tcp" \
    "$bin" --size "$size" --theme "$theme" --screenshot "$out/$name-$size.png" "$@" >/dev/null
  echo "$out/$name-$size.png"
}
for size in 1024x700 1600x1000; do
  shot summary "$size" --view summary --select @40115 $s/leak-s1.heapsnapshot $s/leak-s3.heapsnapshot
  shot comparison "$size" --view comparison --select @40115 $s/leak-s1.heapsnapshot $s/leak-s3.heapsnapshot
  shot retainers "$size" --view retainers --select @57171 $s/leak-s3.heapsnapshot
  shot growth "$size" --growth $s/growth-{1,2,3,4,5}.heapsnapshot
  shot wizard "$size" --wizard $s/leak-s1.heapsnapshot $s/leak-s2.heapsnapshot $s/leak-s3.heapsnapshot
done
