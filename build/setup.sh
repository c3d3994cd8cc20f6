#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and running the kiosk need.
# Idempotent: it installs only what is missing and says what it installs.
# Usage: build/setup.sh [build|test|demo]   (default: test)
set -euo pipefail
need=(gcc pkg-config libgl1-mesa-dev xorg-dev libwayland-dev libxkbcommon-dev)
case "${1:-test}" in
  build) ;;
  test|demo) need+=(xvfb xauth x11-utils python3 espeak-ng alsa-utils) ;;
  *) echo "usage: $0 [build|test|demo]" >&2; exit 2 ;;
esac
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: system packages present (${need[*]})"
  exit 0
fi
echo "setup: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: installed ${missing[*]}"
