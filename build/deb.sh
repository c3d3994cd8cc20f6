#!/usr/bin/env bash
# Builds out/hallkiosk_<version>_<arch>.deb from the binaries in bin/ (make deb builds them first).
# The trusted root for signed updates is UPDATE_ROOT (a root.json from `hallkiosk-update init`);
# without it the package carries none and hallkiosk-update says so until one is put at
# /usr/share/hallkiosk/update-root.json.
# Usage: build/deb.sh [VERSION]   (default: the VERSION file)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-$(cat VERSION)}
arch=$(dpkg --print-architecture)
out=out
stage=$out/deb/hallkiosk_${version}_$arch
src=build/deb
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
d() { install -d -m 0755 "$stage/$1"; }
f() { install -D -m "$1" "$2" "$stage/$3"; }

# The release the package carries; postinst puts it in /opt/hallkiosk/releases/<version>/.
f 0755 bin/hallkiosk usr/lib/hallkiosk/release/hallkiosk
for b in hallkiosk-update hallkiosk-diag hallkiosk-store township; do f 0755 "bin/$b" "usr/bin/$b"; done
d usr/bin && ln -s /opt/hallkiosk/current/hallkiosk "$stage/usr/bin/hallkiosk"
for s in x-server wait-x usb-update; do f 0755 "$src/lib/$s" "usr/lib/hallkiosk/$s"; done
for u in "$src"/systemd/*; do f 0644 "$u" "lib/systemd/system/$(basename "$u")"; done
f 0644 "$src/udev/70-hallkiosk.rules" lib/udev/rules.d/70-hallkiosk.rules
f 0644 assets/config.default.toml etc/hallkiosk/config.toml
f 0644 "$src/etc/update.toml" etc/hallkiosk/update.toml
f 0644 "$src/etc/default-hallkiosk" etc/default/hallkiosk
if [ -n "${UPDATE_ROOT:-}" ]; then f 0644 "$UPDATE_ROOT" usr/share/hallkiosk/update-root.json; fi
f 0644 README.md usr/share/doc/hallkiosk/README.md
install -d -m 0755 "$stage/usr/share/doc/hallkiosk"
printf 'hallkiosk %s\nThe bundled font and dictionaries keep their own licences; see README.md (Dependencies).\n' "$version" \
  >"$stage/usr/share/doc/hallkiosk/copyright"

# Everything under /etc is the technician's to edit: kept across upgrades (dpkg asks on a change).
(cd "$stage" && find etc -type f | sed 's|^|/|' | sort) >"$stage/DEBIAN/conffiles"
deps="libc6, libgl1, libgl1-mesa-dri, libwayland-client0, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1"
deps="$deps, xserver-xorg-core, xserver-xorg-input-libinput, xauth, adduser, espeak-ng"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$deps/" -e "s/@SIZE@/$size/" "$src/control.in" >"$stage/DEBIAN/control"
for s in postinst prerm postrm; do
  sed "s/@VERSION@/$version/" "$src/$s" >"$stage/DEBIAN/$s"
  chmod 0755 "$stage/DEBIAN/$s"
done
deb=$out/hallkiosk_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "deb: $deb ($(du -h "$deb" | cut -f1))"
