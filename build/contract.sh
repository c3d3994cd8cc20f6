#!/usr/bin/env bash
# Runs the Python example client (examples/python, standard library only, written from the
# OpenAPI document) against a township on 127.0.0.1, then checks with the admin CLI that what it
# sent was counted. Part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
township=bin/township
tmp=$(mktemp -d); trap 'kill ${TWP:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=$(( 20000 + RANDOM % 20000 ))
"$township" serve --data "$tmp" --listen "127.0.0.1:$port" >"$tmp/out" 2>"$tmp/err" &
TWP=$!
for _ in $(seq 1 100); do grep -q '^listening' "$tmp/out" 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port"
adm=(--data "$tmp" --addr "$url")
opens=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ); closes=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
printf '{"id":"py-poll","title":"村道硬化","options":["同意","不同意"],"opens_at":"%s","closes_at":"%s"}' "$opens" "$closes" >"$tmp/poll.json"
"$township" publish --kind poll --key py-poll --village 王上村 "${adm[@]}" "$tmp/poll.json" >/dev/null
code=$("$township" code --village 王上村 "${adm[@]}" | head -1)
python3 examples/python/township_client.py --url "$url" --code "$code" --poll py-poll
fail=0
"$township" tally py-poll "${adm[@]}" | grep -Eq '^同意 +1$' || { echo "contract: the vote was not counted"; "$township" tally py-poll "${adm[@]}"; fail=1; }
"$township" ratings "${adm[@]}" | grep -q ' 2 ' || { echo "contract: the rating was not counted"; "$township" ratings "${adm[@]}"; fail=1; }
[ $fail = 0 ] && echo "contract: the Python client's vote and rating were counted once"
exit $fail
