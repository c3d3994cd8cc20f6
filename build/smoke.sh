#!/usr/bin/env bash
# Starts the real hallkiosk binary under Xvfb in each mode and checks that a window with the
# kiosk's title appears on the X server and that a first frame is drawn. Part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
. build/xvfb.sh
bin=${1:-bin/hallkiosk}
township=bin/township
start_xvfb
tmp=$(mktemp -d); trap 'kill ${XVFB_PID:-} ${TWP:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail=0
# A township service on 127.0.0.1; the self-service kiosk enrols with it and must contact it.
port=$(( 20000 + RANDOM % 20000 ))
"$township" serve --data "$tmp/township" --listen "127.0.0.1:$port" >"$tmp/township.out" 2>"$tmp/township.err" &
TWP=$!
for _ in $(seq 1 50); do grep -q '^listening' "$tmp/township.out" 2>/dev/null && break; sleep 0.1; done
for mode in self-service window disclosure; do
  cfg="$tmp/$mode.toml"
  printf 'mode = "%s"\nfullscreen = true\n[store]\npath = "%s/%s.db"\ndevice_key = "%s/%s.key"\n[sync]\ncredential = "%s/%s.cred"\ninterval = "1s"\n' \
    "$mode" "$tmp" "$mode" "$tmp" "$mode" "$tmp" "$mode" >"$cfg"
  if [ "$mode" = self-service ]; then
    code=$("$township" code --village 王上村 --data "$tmp/township" --addr "http://127.0.0.1:$port" | head -1)
    "$bin" enrol --config "$cfg" --township "http://127.0.0.1:$port" --code "$code" >"$tmp/enrol.out" 2>&1 ||
      { echo "smoke: enrol: FAILED"; cat "$tmp/enrol.out"; fail=1; }
  fi
  run="$bin"
  if [ "$mode" = self-service ]; then
    # This kiosk runs as a release the updater just switched to: on trial, it holds its screens
    # until its checks pass and then writes the report the updater waits for.
    printf 'heartbeat = "10s"\n[update]\nstate = "%s/update"\n' "$tmp" >>"$cfg"
    mkdir -p "$tmp/update" "$tmp/opt/releases/9.9.9"
    cp "$bin" "$tmp/opt/releases/9.9.9/hallkiosk"
    printf '{"current":"9.9.9","previous":"9.9.8","pending":{"version":"9.9.9","from":"9.9.8","attempts":1,"started":"2026-01-01T00:00:00Z","backup":"","by":"technician"}}' >"$tmp/update/state.json"
    run="$tmp/opt/releases/9.9.9/hallkiosk"
  fi
  "$run" --config "$cfg" --report-startup >"$tmp/$mode.out" 2>"$tmp/$mode.err" &
  pid=$!
  seen=""
  for _ in $(seq 1 100); do
    if xwininfo -root -tree 2>/dev/null | grep -q '便民服务自助终端'; then seen=yes; fi
    if [ -n "$seen" ] && grep -q '^first-frame-ms' "$tmp/$mode.out"; then break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ "$mode" = self-service ]; then
    for _ in $(seq 1 30); do grep -q 'uploading to township' "$tmp/$mode.err" && break; sleep 0.2; done
    for _ in $(seq 1 50); do [ -f "$tmp/update/trial/9.9.9.healthy" ] && break; sleep 0.2; done
    if [ -f "$tmp/update/trial/9.9.9.healthy" ] && grep -q 'update trial: reported healthy' "$tmp/$mode.err"; then
      echo "smoke: self-service on trial: reported healthy ($(tr -d '\n' <"$tmp/update/trial/9.9.9.healthy" | head -c 160))"
    else
      echo "smoke: self-service on trial: FAILED: no healthy report"; grep 'trial' "$tmp/$mode.err" | sed 's/^/  /'; fail=1
    fi
    if ! grep -q '"in_flow":false' "$tmp/update/activity.json" 2>/dev/null; then
      echo "smoke: self-service: FAILED: the kiosk did not note its activity for the updater"; fail=1
    fi
    sleep 1.5
  fi
  stop_pid "$pid"
  # Nothing a technician cannot act on: no Fyne or windowing-library errors in the log.
  if grep -E 'Fyne error|XDG_RUNTIME_DIR is invalid|dbus-launch' "$tmp/$mode.err"; then
    echo "smoke: $mode: the log has desktop errors a technician cannot act on"; fail=1
  fi
  if grep -q 'store unavailable' "$tmp/$mode.err"; then
    echo "smoke: $mode: FAILED: store unavailable"; grep 'store unavailable' "$tmp/$mode.err"; fail=1
  fi
  frame=$(grep '^first-frame-ms' "$tmp/$mode.out" | awk '{print $2}' || true)
  if [ -n "$seen" ] && [ -n "$frame" ]; then
    echo "smoke: $mode: window up, first frame after ${frame} ms"
  else
    echo "smoke: $mode: FAILED (window seen: ${seen:-no}, first frame: ${frame:-none})"; sed 's/^/  /' "$tmp/$mode.err" | tail -20
    fail=1
  fi
done
# The enrolled kiosk reached the township: its heartbeat makes it online, with the version on trial.
if "$township" devices --data "$tmp/township" --addr "http://127.0.0.1:$port" | sed -n 2p | grep -w online | grep -q 'trial 9.9.9'; then
  echo "smoke: kiosk enrolled and in contact: $("$township" devices --data "$tmp/township" --addr "http://127.0.0.1:$port" | sed -n 2p)"
else
  echo "smoke: kiosk never reached the township: FAILED"; "$township" devices --data "$tmp/township" --addr "http://127.0.0.1:$port"; fail=1
fi
# A release on trial whose checks never pass (its printer's port does not exist) quits by itself
# when the trial set by the updater runs out, exit code 3, still held: systemd starts it again and
# the updater's step before that start rolls it back.
cfg="$tmp/ranout.toml"
printf 'mode = "self-service"\nfullscreen = true\n[store]\npath = "%s/ranout.db"\ndevice_key = "%s/ranout.key"\n[update]\nstate = "%s/ranout-update"\n[devices]\nprinter = "%s/no-such-printer"\n' \
  "$tmp" "$tmp" "$tmp" "$tmp" >"$cfg"
mkdir -p "$tmp/ranout-update"
until=$(date -u -d '+4 seconds' +%Y-%m-%dT%H:%M:%SZ)
printf '{"current":"9.9.9","previous":"9.9.8","pending":{"version":"9.9.9","from":"9.9.8","attempts":1,"started":"%s","until":"%s","backup":"","by":"technician"}}' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$until" >"$tmp/ranout-update/state.json"
if timeout 60 "$tmp/opt/releases/9.9.9/hallkiosk" --config "$cfg" >"$tmp/ranout.out" 2>"$tmp/ranout.err"; then rc=0; else rc=$?; fi
if [ "$rc" = 3 ] && grep -q 'update trial: out of time' "$tmp/ranout.err" && [ ! -e "$tmp/ranout-update/trial/9.9.9.healthy" ]; then
  echo "smoke: on trial, never healthy: quit with exit 3 when the trial ran out"
else
  echo "smoke: on trial, never healthy: FAILED (exit $rc)"; grep -i 'trial' "$tmp/ranout.err" | sed 's/^/  /'; fail=1
fi
# Without a display: one clear line saying how to run under Xvfb, exit code 2.
if out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$bin" --demo 2>&1); then rc=0; else rc=$?; fi
if [ "$rc" = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q 'xvfb-run'; then
  echo "smoke: no display: says so in one line"
else
  echo "smoke: no display: FAILED (exit $rc): $out"; fail=1
fi
# An X server that refuses this user (no cookie it can read): one clear line, exit code 2, not a
# panic in the windowing library.
xa="$tmp/Xauthority"; xauth -q -f "$xa" add :0 . "$(mcookie)" 2>/dev/null # a cookie for another display: none for this one
mkfifo "$tmp/xa.fifo"
Xvfb -displayfd 3 -auth "$xa" -nolisten tcp 3>"$tmp/xa.fifo" >/dev/null 2>&1 & XA_PID=$!
read -r -t 20 xnum <"$tmp/xa.fifo" || xnum=none
if out=$(DISPLAY=":$xnum" XAUTHORITY="$xa" "$bin" --config "$tmp/self-service.toml" 2>&1); then rc=0; else rc=$?; fi
kill "$XA_PID" 2>/dev/null || true
if [ "$rc" = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "cannot use the X display :$xnum"; then
  echo "smoke: X server refuses the kiosk: says so in one line"
else
  echo "smoke: X server refuses the kiosk: FAILED (exit $rc): $out"; fail=1
fi
# A bad config file stops the start naming file, line and field.
printf 'mode = "self-service"\n[ui]\nidle_timeout = "soon"\n' >"$tmp/bad.toml"
if out=$("$bin" --config "$tmp/bad.toml" 2>&1); then rc=0; else rc=$?; fi
if [ "$rc" = 2 ] && echo "$out" | grep -q "$tmp/bad.toml:3: field ui.idle_timeout"; then
  echo "smoke: bad config: $out"
else
  echo "smoke: bad config: FAILED (exit $rc): $out"; fail=1
fi
exit $fail
