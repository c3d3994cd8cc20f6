#!/usr/bin/env bash
# Writes PNGs of what the real binary shows at 1920x1080 under Xvfb: every mode, the home screen and
# one service guide in normal and elder mode; then every screen of the resident's flows (apply, card
# errors, printer out of paper, lookup, ticket, message, poll, and the printed receipt) in both modes,
# driven through real Fyne widgets by the UI tests and drawn by Fyne's software painter, into
# OUTDIR/flow, and the staff window's screens into OUTDIR/window. Usage: build/screenshots.sh [OUTDIR] (default out/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
. build/xvfb.sh
out=${1:-out/screenshots}
mkdir -p "$out"
make -s build >/dev/null
go build -o bin/xshot ./build/xshot
start_xvfb
tmp=$(mktemp -d); trap 'kill ${XVFB_PID:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT
shoot() { # name, then hallkiosk flags
  local name=$1; shift
  bin/hallkiosk --config "$tmp/c.toml" --report-startup "$@" >"$tmp/o" 2>"$tmp/e" &
  local pid=$!
  for _ in $(seq 1 100); do grep -q '^first-frame-ms' "$tmp/o" && break; sleep 0.1; done
  sleep 1 # let the first layout settle
  bin/xshot -o "$out/$name.png" 2>/dev/null
  stop_pid "$pid"
  echo "screenshots: $out/$name.png"
}
printf 'fullscreen = true\n[store]\npath = "%s/k.db"\ndevice_key = "%s/k.key"\n[sync]\ncredential = "%s/cred.json"\n' "$tmp" "$tmp" "$tmp" >"$tmp/c.toml"
shoot self-service-home
shoot self-service-home-elder --elder
shoot guide-dibao --open 61040300MZ-JF-0001
shoot guide-dibao-elder --open 61040300MZ-JF-0001 --elder
shoot window-mode --mode window
shoot disclosure-mode --mode disclosure
mkdir -p "$out/flow"
# Every resident screen the self-service tests walk through, in both sizes (the same pictures the
# golden images are made from, at full size).
HALLKIOSK_SHOTS="$(cd "$out/flow" && pwd)" go test -count=1 -tags migrated_fynedo ./kiosk/ui/selfservice >/dev/null
echo "screenshots: $(ls "$out/flow" | wc -l) flow screens in $out/flow"
# Every staff window screen the window tests walk through, at 1366x768 and 1920x1080.
mkdir -p "$out/window"
HALLKIOSK_SHOTS="$(cd "$out/window" && pwd)" go test -count=1 -tags migrated_fynedo ./kiosk/ui/window >/dev/null
echo "screenshots: $(ls "$out/window" | wc -l) window screens in $out/window"
