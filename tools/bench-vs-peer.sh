#!/usr/bin/env bash
# Side by side: heapsift against the fastest peer, heap-snapshot (Rust, github.com/dinfuehr/heap-snapshot),
# on the same files in one run, alternating, RUNS runs each (default 3). Prints per file the median
# wall time and peak RSS of both, and the ratios. Machines differ by 2x or more: only the ratio means
# anything. The page cache is warmed first (one untimed read of the file).
#
# Usage: tools/bench-vs-peer.sh PEER_BINARY FILE...        (RUNS=5 tools/bench-vs-peer.sh ...)
#   PEER_BINARY: heap-snapshot built from source (clone it outside this project, `cargo build --release`;
#   its npm binary needs glibc 2.39). Never vendored here.
#   heapsift: target/release/heapsift (override with HEAPSIFT=...), run as `heapsift summary FILE --quiet`,
#   the full index through class aggregates with retained sizes; the peer as `heap-snapshot summary FILE`.
#   HEAPSIFT_ARGS adds arguments (e.g. --no-cache once an index cache exists).
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,13p "$0" >&2; exit 2; }
peer=$1
shift
here=$(cd "$(dirname "$0")/.." && pwd)
heapsift=${HEAPSIFT:-$here/target/release/heapsift}
runs=${RUNS:-3}
[ -x "$peer" ] || { echo "bench-vs-peer: $peer: not an executable" >&2; exit 2; }
[ -x "$heapsift" ] || { echo "bench-vs-peer: $heapsift: build it first (cargo build --release)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "bench-vs-peer: needs /usr/bin/time (apt-get install -y time)" >&2; exit 2; }

# One timed run: prints "seconds max_rss_kb".
measure() {
  local out
  out=$(mktemp)
  if ! /usr/bin/time -f "%e %M" -o "$out" "$@" >/dev/null 2>&1; then
    echo "bench-vs-peer: failed: $*" >&2
    cat "$out" >&2
    rm -f "$out"
    exit 1
  fi
  tail -1 "$out"
  rm -f "$out"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

printf '%-28s %10s %12s %10s %12s %8s %8s %10s\n' file heapsift_s heapsift_MiB peer_s peer_MiB time_x rss_x file_MiB
for f in "$@"; do
  [ -f "$f" ] || { echo "bench-vs-peer: $f: no such file" >&2; exit 2; }
  cat "$f" >/dev/null
  hs_t=() hs_m=() p_t=() p_m=()
  for ((i = 0; i < runs; i++)); do
    # Alternate which goes first, so neither always runs on a hotter machine.
    if ((i % 2 == 0)); then
      read -r t m < <(measure "$heapsift" summary "$f" --quiet ${HEAPSIFT_ARGS:-})
      hs_t+=("$t") hs_m+=("$m")
      read -r t m < <(measure "$peer" summary "$f")
      p_t+=("$t") p_m+=("$m")
    else
      read -r t m < <(measure "$peer" summary "$f")
      p_t+=("$t") p_m+=("$m")
      read -r t m < <(measure "$heapsift" summary "$f" --quiet ${HEAPSIFT_ARGS:-})
      hs_t+=("$t") hs_m+=("$m")
    fi
  done
  ht=$(printf '%s\n' "${hs_t[@]}" | median)
  hm=$(printf '%s\n' "${hs_m[@]}" | median)
  pt=$(printf '%s\n' "${p_t[@]}" | median)
  pm=$(printf '%s\n' "${p_m[@]}" | median)
  size=$(stat -c %s "$f")
  awk -v f="$(basename "$f")" -v ht="$ht" -v hm="$hm" -v pt="$pt" -v pm="$pm" -v size="$size" 'BEGIN {
    printf "%-28s %10.2f %12.0f %10.2f %12.0f %8.2f %8.2f %10.0f\n",
      f, ht, hm / 1024, pt, pm / 1024, ht / pt, hm / pm, size / 1048576
  }'
  echo "  runs: heapsift ${hs_t[*]} s; peer ${p_t[*]} s" >&2
done
echo "time_x, rss_x: heapsift / peer (below 1: heapsift is faster / smaller); medians of $runs alternating runs" >&2
