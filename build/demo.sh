#!/usr/bin/env bash
# make demo: a township service on 127.0.0.1:8640 (data in .demo/township), the device simulators on
# ptys (.demo/idcard, .demo/printer, printed jobs as .demo/jobs/job-N.png) and the kiosk in a window,
# enrolled with the township on first run. Commands typed here go to devsim (help, place 0, lift,
# paper out, ...). Beside it, the comprehensive window (综合窗口) in its own window: it hosts the
# demo hall's queue on 127.0.0.1:8470, which the kiosk's 取号 takes from; its first start prints the
# one-time code for the first 站长 (also in .demo/window.log). And the hall's wall (村务公开) in a
# third window: sample content of every kind (assets/demo/wall, published to the township on first
# run with dates around today) and the demo queue's now-serving line. Closing the kiosk window
# stops everything. Meanwhile, in another terminal:
#   bin/township cases --data .demo/township        (what the kiosk sent)
#   bin/township set-status CASE done --note 已办结 --data .demo/township
#   bin/township publish --kind disclosure --key cw1 --data .demo/township assets/...json
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .demo/jobs
fifo=.demo/devsim.in; rm -f "$fifo"; mkfifo "$fifo"
bin/devsim --link-dir .demo --jobs-dir .demo/jobs <"$fifo" &
sim=$!
exec 3>"$fifo" # keep devsim's stdin open
port=${HALLKIOSK_DEMO_PORT:-8640}
bin/township serve --data .demo/township --listen "127.0.0.1:$port" >.demo/township.out 2>.demo/township.log &
twp=$!
trap 'echo quit >&3 2>/dev/null || true; kill $sim $twp 2>/dev/null || true; rm -f "$fifo"' EXIT
for _ in $(seq 1 50); do grep -q '^listening' .demo/township.out 2>/dev/null && break; sleep 0.1; done
grep -q '^listening' .demo/township.out || { echo "demo: township did not start:"; cat .demo/township.log; exit 1; }
echo "demo: township service at http://127.0.0.1:$port (log .demo/township.log)"
qport=${HALLKIOSK_DEMO_QUEUE_PORT:-8470}
printf '[queue]\nurl = "http://127.0.0.1:%s"\n' "$qport" >.demo/kiosk.toml
printf 'mode = "window"\nfullscreen = false\n[store]\npath = ".demo/window.db"\ndevice_key = ".demo/window.key"\n[sync]\ncredential = ".demo/window.json"\n[queue]\nhost = true\nlisten = "127.0.0.1:%s"\n[voice]\nclips = ".demo/voice"\n' "$qport" >.demo/window.toml
if [ ! -f .demo/township.json ]; then
  code=$(bin/township code --village 王上村 --name 王上村便民服务站 --data .demo/township --addr "http://127.0.0.1:$port" | head -1)
  bin/hallkiosk enrol --demo --township "http://127.0.0.1:$port" --code "$code"
fi
if [ ! -f .demo/window.json ]; then
  code=$(bin/township code --village 王上村 --name 王上村便民服务站 --data .demo/township --addr "http://127.0.0.1:$port" | head -1)
  bin/hallkiosk enrol --config .demo/window.toml --name 一号窗口 --township "http://127.0.0.1:$port" --code "$code"
fi
bin/hallkiosk --config .demo/window.toml 2>.demo/window.log &
win=$!
# The wall: the village's sample content, published once, then a disclosure-mode hallkiosk.
printf 'mode = "disclosure"\nfullscreen = false\n[store]\npath = ".demo/wall.db"\ndevice_key = ".demo/wall.key"\n[sync]\ncredential = ".demo/wall.json"\ninterval = "5s"\n[queue]\nurl = "http://127.0.0.1:%s"\n[wall]\non_hours = ""\ndwell = "10s"\n' "$qport" >.demo/wall.toml
if [ ! -f .demo/wall.json ]; then
  code=$(bin/township code --village 王上村 --name 王上村便民服务站 --data .demo/township --addr "http://127.0.0.1:$port" | head -1)
  bin/hallkiosk enrol --config .demo/wall.toml --name 村务公开屏 --township "http://127.0.0.1:$port" --code "$code"
  from=$(date -d yesterday +%Y-%m-%dT00:00:00%:z); until=$(date -d '+60 days' +%Y-%m-%dT00:00:00%:z)
  for f in assets/demo/wall/*.json; do
    sed -e "s/__FROM__/$from/g" -e "s/__UNTIL__/$until/g" "$f" >.demo/wall-item.json
    bin/township publish --kind disclosure --key "$(basename "$f" .json)" --village 王上村 --data .demo/township \
      --addr "http://127.0.0.1:$port" .demo/wall-item.json
  done
fi
bin/hallkiosk --config .demo/wall.toml 2>.demo/wall.log &
wall=$!
trap 'echo quit >&3 2>/dev/null || true; kill $sim $twp $win $wall 2>/dev/null || true; rm -f "$fifo"' EXIT
for _ in $(seq 1 50); do grep -q 'setup code\|hall queue service listening' .demo/window.log 2>/dev/null && break; sleep 0.1; done
if grep -q 'setup code' .demo/window.log; then
  echo "demo: the window's first 站长: $(grep -o 'setup code for the first: .*' .demo/window.log | head -1)"
fi
sleep 0.3
echo "demo: card reader at .demo/idcard, printer at .demo/printer (try: bin/hallkiosk-diag card --port .demo/idcard)"
echo "demo: type devsim commands here (help, cards, place 0, lift, paper out); close the kiosk window to stop"
bin/hallkiosk --demo --config .demo/kiosk.toml &
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
