#!/usr/bin/env bash
# Screen changes in the real binary, full screen under Xvfb at 1920x1080: hallkiosk walks every
# resident screen ROUNDS times in both sizes by calling the tapped widgets' handlers on the UI
# goroutine, and times each change from the tap to the next painted frame (a one-pixel raster
# refreshed with the change reports when the frame that shows it is painted). After every step it
# changes one label the same way: that is the baseline, in the same process.
# Usage: build/bench-screens.sh [ROUNDS] (default 20). Goal: every step's p95 within 3x the
# baseline's p95 and under 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
. build/xvfb.sh
rounds=${1:-20}
mkdir -p bin
go build -tags migrated_fynedo -o bin/hallkiosk ./kiosk/cmd/hallkiosk
start_xvfb
tmp=$(mktemp -d); trap 'kill ${XVFB_PID:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT
# No devices (the card is laid by the walk itself, printing answers at once), a fresh store.
printf 'fullscreen = true\n[store]\npath = "%s/k.db"\ndevice_key = "%s/k.key"\n[sync]\ncredential = "%s/cred.json"\n[devices]\ncard_reader = ""\nprinter = ""\n' \
  "$tmp" "$tmp" "$tmp" >"$tmp/c.toml"
bin/hallkiosk --config "$tmp/c.toml" --bench-screens "$rounds" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
