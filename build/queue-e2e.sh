#!/usr/bin/env bash
# The hall's queue end to end with the real binaries on 127.0.0.1: a township; a queue host
# (`hallkiosk queue serve`, the service a window PC runs), a kiosk and a second window, each
# enrolled in one village. The kiosk takes tickets from the host; the host is killed (SIGKILL)
# mid-morning; the kiosk goes on from its own block of numbers; the host comes back on the same
# store and port, takes those tickets in, and the window calls every ticket once, none given twice.
# Part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-bin/hallkiosk}
township=bin/township
tmp=$(mktemp -d)
cleanup() { { kill -9 ${TWP:-} ${HOST:-}; wait; } 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
tport=$(( 20000 + RANDOM % 20000 )); qport=$(( tport + 1 ))
"$township" serve --data "$tmp/township" --listen "127.0.0.1:$tport" >"$tmp/township.out" 2>"$tmp/township.err" &
TWP=$!
for _ in $(seq 1 50); do grep -q '^listening' "$tmp/township.out" 2>/dev/null && break; sleep 0.1; done
for dev in host kiosk window; do
  {
    printf 'mode = "window"\n[store]\npath = "%s/%s.db"\ndevice_key = "%s/%s.key"\n' "$tmp" "$dev" "$tmp" "$dev"
    printf '[sync]\ncredential = "%s/%s.cred"\n[queue]\n' "$tmp" "$dev"
    if [ "$dev" = host ]; then printf 'host = true\nlisten = "127.0.0.1:%s"\n' "$qport"; else printf 'url = "http://127.0.0.1:%s"\n' "$qport"; fi
  } >"$tmp/$dev.toml"
  code=$("$township" code --village 王上村 --data "$tmp/township" --addr "http://127.0.0.1:$tport" | head -1)
  "$bin" enrol --config "$tmp/$dev.toml" --township "http://127.0.0.1:$tport" --code "$code" >/dev/null
done
start_host() {
  "$bin" queue serve --config "$tmp/host.toml" >"$tmp/host.out" 2>>"$tmp/host.err" &
  HOST=$!
  for _ in $(seq 1 100); do grep -q '^hall queue service on' "$tmp/host.out" 2>/dev/null && break; sleep 0.05; done
  grep -q '^hall queue service on' "$tmp/host.out" || { echo "queue-e2e: the host did not start"; cat "$tmp/host.err"; exit 1; }
}
take() { "$bin" queue take --config "$tmp/kiosk.toml" 社会救助 2>>"$tmp/take.err"; }
fail() { echo "queue-e2e: FAILED: $*"; exit 1; }

start_host
t1=$(take); t2=$(take)
case "$t1 $t2" in "A001 社会救助 waiting-before=0 A002 社会救助 waiting-before=1") ;; *) fail "online tickets: $t1 / $t2";; esac
{ kill -9 "$HOST"; wait "$HOST"; } 2>/dev/null || true
o1=$(take); o2=$(take)
[[ "$o1" == *own-block && "$o2" == *own-block ]] || fail "with the host killed: $o1 / $o2"
start_host
t3=$(take)
grep -q 'handed over 2 numbers' "$tmp/take.err" || fail "the host did not take the kiosk's own numbers in: $(cat "$tmp/take.err")"
called=()
for _ in 1 2 3 4 5; do called+=("$("$bin" queue call --config "$tmp/window.toml" --window 1 | cut -d' ' -f1)"); done
want="$(echo "$t1 $t2 $o1 $o2 $t3" | tr ' ' '\n' | grep -E '^[A-Z][0-9]{3}$' | sort | tr '\n' ' ')"
got="$(printf '%s\n' "${called[@]}" | sort | tr '\n' ' ')"
[ "$want" = "$got" ] || fail "called ${called[*]}; the tickets given were $want"
[ "$(printf '%s\n' "${called[@]}" | sort -u | wc -l)" = 5 ] || fail "a number was called twice: ${called[*]}"
if "$bin" queue call --config "$tmp/window.toml" --window 1 >/dev/null 2>&1; then fail "a sixth call found a ticket nobody took"; fi
echo "queue-e2e: online ${t1%% *} ${t2%% *}; host killed; own block ${o1%% *} ${o2%% *}; host back, taken in; then ${t3%% *}; called ${called[*]}: each once"
