#!/usr/bin/env bash
# make demo: the device simulators on ptys (.demo/idcard, .demo/printer, printed jobs as
# .demo/jobs/job-N.png) and the kiosk in a window. Commands typed here go to devsim (help, place 0,
# lift, paper out, ...). Closing the kiosk window stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .demo/jobs
fifo=.demo/devsim.in; rm -f "$fifo"; mkfifo "$fifo"
bin/devsim --link-dir .demo --jobs-dir .demo/jobs <"$fifo" &
sim=$!
exec 3>"$fifo" # keep devsim's stdin open
trap 'echo quit >&3 2>/dev/null || true; kill $sim 2>/dev/null || true; rm -f "$fifo"' EXIT
sleep 0.3
echo "demo: card reader at .demo/idcard, printer at .demo/printer (try: bin/hallkiosk-diag card --port .demo/idcard)"
echo "demo: type devsim commands here (help, cards, place 0, lift, paper out); close the kiosk window to stop"
bin/hallkiosk --demo &
kiosk=$!
if [ -t 0 ]; then
  while kill -0 "$kiosk" 2>/dev/null; do
    if IFS= read -r -t 1 line; then
      echo "$line" >&3
    elif [ $? -le 128 ]; then
      break # end of input: just wait for the window to close
    fi
  done
fi
wait "$kiosk"
