#!/usr/bin/env bash
# The fuzzer (tests/fuzz.rs) as CI runs it, or a longer exploration by hand.
#
#   tools/fuzz.sh                  CI's fuzz step: the committed findings, then 90000 cases per
#                                  target from a seed derived from the commit (HEAD). The same
#                                  commit gives the same cases and verdict on any machine.
#   tools/fuzz.sh --explore SECS   as many cases as fit in SECS per target, from a fresh seed
#                                  (printed); HEAPSIFT_FUZZ_SEED=N picks the seed instead.
#
# A failing case prints its seed, where its input was saved and the command that replays it. Fix
# it, then add it to tests/regressions/fuzz-seeds.txt so every later run replays it.
set -euo pipefail
cd "$(dirname "$0")/.."

cases=90000
case "${1:-}" in
  "")
    if commit=$(git rev-parse --verify HEAD 2>/dev/null); then
      seed=$((16#${commit:0:8}))
    else
      commit="(not a git checkout)"
      seed=1
    fi
    echo "fuzz: the committed findings, then $cases cases per target from HEAPSIFT_FUZZ_SEED=$seed (commit $commit)"
    export HEAPSIFT_FUZZ_CASES=$cases HEAPSIFT_FUZZ_SEED=$seed
    ;;
  --explore)
    secs=${2:?usage: tools/fuzz.sh --explore SECS}
    seed=${HEAPSIFT_FUZZ_SEED:-$(( ($(date +%s%N) / 1000) % 4000000000 ))}
    echo "fuzz: the committed findings, then ${secs}s per target from HEAPSIFT_FUZZ_SEED=$seed"
    export HEAPSIFT_FUZZ_SECS=$secs HEAPSIFT_FUZZ_SEED=$seed
    ;;
  *)
    echo "usage: tools/fuzz.sh [--explore SECS]" >&2
    exit 2
    ;;
esac
exec cargo test --release --locked --test main -- fuzz:: --nocapture
