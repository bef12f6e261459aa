#!/usr/bin/env bash
# The live-capture screenshots in docs/: the real app under Xvfb, connected to the test service
# (tests/live/server.js) while a load loop hits it, driven with xdotool through the leak wizard:
# "Take baseline now", the action run 300 times, "Take target now", "Take final now".
# Usage: tools/screenshots-live.sh [OUT_DIR]   (default docs). Needs xvfb, xdotool, imagemagick,
# curl and node. The clicks are window coordinates of a 1440x900 window in the dark theme.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs}
bin=${HEAPSIFT:-target/release/heapsift}
work=$(mktemp -d)
http=3996
inspector=9335
display=:77
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

PORT=$http node --inspect=127.0.0.1:$inspector tests/live/server.js >"$work/server.log" 2>&1 &
pids+=($!)
sleep 1
# Steady traffic: the heap chart climbs as /checkout leaks.
(while true; do curl -s localhost:$http/checkout >/dev/null; curl -s localhost:$http/browse >/dev/null; sleep 0.05; done) &
pids+=($!)
Xvfb $display -screen 0 1440x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
sleep 1
export DISPLAY=$display XDG_RUNTIME_DIR=$work/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
mkdir "$work/home"
HOME=$work/home "$bin" --wizard --connect 127.0.0.1:$inspector --size 1440x900 --theme dark >"$work/app.log" 2>&1 &
pids+=($!)
sleep 40
xdotool windowfocus "$(xdotool search --name heapsift | head -1)"
click() { xdotool mousemove "$1" "$2" click 1; }
click 487 291                                   # Take baseline now
sleep 4
click 290 316; sleep 0.3; xdotool type --delay 20 "curl -s localhost:$http/checkout"
click 456 316; sleep 0.3; xdotool type --delay 20 "300"
click 555 316                                   # Run
sleep 2
import -window root "$out/screenshot-live.png"
sleep 5
click 483 366                                   # Take target now
sleep 5
click 475 392                                   # Take final now
sleep 8
import -window root "$out/screenshot-live-wizard.png"
echo "$out/screenshot-live.png $out/screenshot-live-wizard.png"
