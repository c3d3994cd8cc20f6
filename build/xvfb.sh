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
  trap 'kill $XVFB_PID 2>/dev/null || true' EXIT
}
