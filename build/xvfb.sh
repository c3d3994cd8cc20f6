# Sourced by the scripts that need a screen: starts a private Xvfb at 1920x1080 unless
# HALLKIOSK_USE_DISPLAY=1 asks to use the current $DISPLAY, and stops it on exit.
start_xvfb() {
  if [ "${HALLKIOSK_USE_DISPLAY:-0}" = 1 ] && [ -n "${DISPLAY:-}" ]; then return 0; fi
  command -v Xvfb >/dev/null || { echo "Xvfb missing: run build/setup.sh test" >&2; return 1; }
  local fifo; fifo=$(mktemp -u); mkfifo "$fifo"
  Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 &
  XVFB_PID=$!
  local num; read -r -t 20 num <"$fifo" || { echo "Xvfb did not start" >&2; rm -f "$fifo"; return 1; }
  rm -f "$fifo"
  export DISPLAY=":$num"
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
  trap 'kill ${XVFB_PID:-} 2>/dev/null || true' EXIT
}

# stop_pid PID: asks a kiosk process to quit, and kills it if it has not within 5 s (Fyne quits
# through its own event loop on SIGTERM, which can miss a signal that arrives at a bad moment).
stop_pid() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
