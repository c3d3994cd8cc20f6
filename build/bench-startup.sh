#!/usr/bin/env bash
# Start-up and memory of hallkiosk against a bare one-label Fyne window, same build flags, same
# Xvfb, same run, alternating: time from exec to the first frame, and resident memory (VmRSS)
# after it settles. Usage: build/bench-startup.sh [RUNS] (default 5). Prints medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
. build/xvfb.sh
runs=${1:-5}
settle=${SETTLE:-3}
tags=migrated_fynedo
mkdir -p bin
go build -tags $tags -o bin/hallkiosk ./kiosk/cmd/hallkiosk
go build -tags $tags -o bin/bare ./build/benchstart/bare
start_xvfb
tmp=$(mktemp -d); trap 'kill ${XVFB_PID:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT
printf 'fullscreen = true\n[store]\npath = "%s/k.db"\ndevice_key = "%s/k.key"\n[sync]\ncredential = "%s/cred.json"\n' "$tmp" "$tmp" "$tmp" >"$tmp/c.toml"
bin/hallkiosk --config "$tmp/c.toml" --quit-after-first-frame >/dev/null 2>&1 || true # first start seeds the store
measure() { # name cmd...  -> appends "ms rss_kb" to $tmp/name
  local name=$1; shift
  HALLKIOSK_T0=$(date +%s%N) "$@" >"$tmp/out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 200); do grep -q '^first-frame-ms' "$tmp/out" && break; sleep 0.05; done
  sleep "$settle"
  local rss; rss=$(awk '/^VmRSS/{print $2}' /proc/$pid/status)
  stop_pid "$pid"
  echo "$(awk '/^first-frame-ms/{print $2}' "$tmp/out") $rss" >>"$tmp/$name"
}
for i in $(seq 1 "$runs"); do
  measure bare bin/bare
  measure kiosk bin/hallkiosk --config "$tmp/c.toml" --report-startup
done
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
bf=$(awk '{print $1}' "$tmp/bare" | median);  kf=$(awk '{print $1}' "$tmp/kiosk" | median)
bm=$(awk '{print $2}' "$tmp/bare" | median);  km=$(awk '{print $2}' "$tmp/kiosk" | median)
echo "runs: $runs each, alternating; RSS read ${settle}s after the first frame"
printf '%-10s %14s %12s\n' "" "first frame" "RSS"
printf '%-10s %11.1f ms %9.1f MB\n' bare "$bf" "$(echo "$bm/1024" | bc -l)"
printf '%-10s %11.1f ms %9.1f MB\n' hallkiosk "$kf" "$(echo "$km/1024" | bc -l)"
ratio=$(echo "$kf/$bf" | bc -l); extra=$(echo "($km-$bm)/1024" | bc -l)
printf 'first frame: %.2fx the bare window (goal <= 1.3x and < 1000 ms)\n' "$ratio"
printf 'memory: %+.1f MB over the bare window (goal <= 40 MB)\n' "$extra"
