#!/usr/bin/env bash
# Installs the package into a fresh Debian 12 root (debootstrap) and checks files, owners and modes,
# the units (systemd-analyze verify), and that install, reinstall, upgrade, remove and purge all work
# and can be repeated; the residents' data survives everything but purge. Run by `make deb-test`
# (and by .ci/run after make test). Needs root; takes a few minutes, most of it downloading.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "deb-test: needs root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq debootstrap >/dev/null; }
version=$(cat VERSION)
arch=$(dpkg --print-architecture)
work=${DEB_TEST_DIR:-out/deb-test}
base=$work/base
root=$work/root
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$work"
if [ ! -x "$base/usr/bin/apt-get" ]; then
  echo "deb-test: debootstrap bookworm (minbase, with systemd for systemd-analyze)"
  rm -rf "$base"
  debootstrap --variant=minbase --include=systemd,udev bookworm "$base" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; exit 1; }
fi
umount_all() { for m in "$root/dev/pts" "$root/dev" "$root/proc" "$root/sys"; do mountpoint -q "$m" && umount -l "$m"; done; return 0; }
trap umount_all EXIT
umount_all
rm -rf "$root"
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"

# Two packages: this version and a newer one (the upgrade).
bash build/deb.sh "$version" >/dev/null
next="${version%.*}.$(( ${version##*.} + 1 ))"
bash build/deb.sh "$next" >/dev/null
cp "out/hallkiosk_${version}_$arch.deb" "out/hallkiosk_${next}_$arch.deb" "$root/tmp/"

inroot() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
apt() { inroot apt-get -y -q -o Dpkg::Options::=--force-confold "$@" >>"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; echo "deb-test: apt-get $*: FAILED"; exit 1; }; }
fail=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "deb-test: ok: $what"; else echo "deb-test: FAILED: $what"; fail=1; fi
}
mode() { # owners as the installed system names them
  local got; got=$(inroot stat -c '%a %U:%G' "$1")
  [ "$got" = "$2" ] || { echo "  $1 is $got, want $2"; return 1; }
}
installed() {
  local v=$1
  check "$v: binaries" mode /usr/bin/hallkiosk-update "755 root:root"
  check "$v: the release it carries" mode "/opt/hallkiosk/releases/$v/hallkiosk" "755 root:root"
  check "$v: current is $v" [ "$(readlink "$root/opt/hallkiosk/current")" = "releases/$v" ]
  check "$v: hallkiosk on PATH runs the current release" inroot sh -c 'hallkiosk --print-config | grep -q "^\[store\]"' 
  check "$v: config is a conffile" grep -qx /etc/hallkiosk/config.toml "$root/var/lib/dpkg/info/hallkiosk.conffiles"
  check "$v: config readable" mode /etc/hallkiosk/config.toml "644 root:root"
  check "$v: service user" inroot sh -c 'id -u hallkiosk | awk "{exit !(\$1 < 1000)}" && id -nG hallkiosk | grep -qw dialout'
  check "$v: data folder owned by the service user" mode /var/lib/hallkiosk "750 hallkiosk:hallkiosk"
  check "$v: update state owned by the service user" mode /var/lib/hallkiosk/update "750 hallkiosk:hallkiosk"
  check "$v: kiosk, X server and update timer enabled" test -L "$root/etc/systemd/system/graphical.target.wants/hallkiosk.service" \
    -a -L "$root/etc/systemd/system/graphical.target.wants/hallkiosk-x.service" -a -L "$root/etc/systemd/system/timers.target.wants/hallkiosk-update.timer"
  check "$v: township service not enabled on a kiosk" test ! -e "$root/etc/systemd/system/multi-user.target.wants/hallkiosk-township.service"
  check "$v: udev rules" mode /lib/udev/rules.d/70-hallkiosk.rules "644 root:root"
  check "$v: systemd-analyze verify" inroot systemd-analyze verify /lib/systemd/system/hallkiosk.service /lib/systemd/system/hallkiosk-x.service \
    /lib/systemd/system/hallkiosk-update.service /lib/systemd/system/hallkiosk-update.timer /lib/systemd/system/hallkiosk-usb@sdb1.service \
    /lib/systemd/system/hallkiosk-township.service
  check "$v: hallkiosk-update status names the running version" inroot sh -c "hallkiosk-update status | grep -q $v"
}

# usb_sticks plugs two sticks in (loop devices of ext4 images) and runs what udev starts for each:
# one with a repository in hallkiosk-updates/ reaches hallkiosk-update (which refuses it here: this
# package carries no trusted root), one with photos is left alone; both are unmounted after.
usb_sticks() {
  local img dev out rc
  for kind in updates photos; do
    rm -rf "$work/stick"; mkdir -p "$work/stick"
    if [ "$kind" = updates ]; then mkdir "$work/stick/hallkiosk-updates"; echo '{}' >"$work/stick/hallkiosk-updates/timestamp.json"
    else echo jpeg >"$work/stick/IMG_0001.JPG"; fi
    img=$work/$kind.img; rm -f "$img"; truncate -s 8M "$img"; mke2fs -q -t ext4 -d "$work/stick" "$img"
    dev=$(losetup -f --show "$img")
    rc=0; out=$(inroot /usr/lib/hallkiosk/usb-update "${dev#/dev/}" 2>&1) || rc=$?
    losetup -d "$dev"
    if [ "$kind" = updates ]; then
      check "a stick with updates reaches hallkiosk-update" grep -q 'trusted root' <<<"$rc $out"
      check "  (and fails, since nothing was installed)" test "$rc" != 0
    else
      check "a stick without updates is left alone" grep -q 'left alone' <<<"$out"
      check "  (exit 0)" test "$rc" = 0
    fi
    check "the $kind stick is unmounted after" sh -c "! grep -q /run/hallkiosk/usb /proc/mounts && [ ! -e '$root/run/hallkiosk/usb/${dev#/dev/}' ]"
  done
}

# hall_screen starts the hall's screen as the package sets it up, on a real Xorg (its dummy video
# driver stands in for the hall PC's GPU): the package's X server script (a fresh cookie, no
# blanking, no pointer), wait-x, then the installed kiosk as the hallkiosk user. Its window must
# cover the screen, draw its first frame, and be the only client the server lets in. Xorg and the
# kiosk run in a network namespace of their own, so a display :0 of the machine running the test is
# not disturbed. The screenshot is left in $work/xorg-home.png.
hall_screen() {
  apt install --no-install-recommends xserver-xorg-video-dummy x11-utils x11-xserver-utils
  install -d "$root/etc/X11/xorg.conf.d"
  cat >"$root/etc/X11/xorg.conf.d/10-hallkiosk-test-dummy.conf" <<'XCONF'
Section "Device"
  Identifier "dummy"
  Driver "dummy"
  VideoRam 256000
EndSection
Section "Monitor"
  Identifier "monitor"
  HorizSync 5.0 - 1000.0
  VertRefresh 5.0 - 200.0
  Modeline "1920x1080" 148.50 1920 2008 2052 2200 1080 1084 1089 1125 +hsync +vsync
EndSection
Section "Screen"
  Identifier "screen"
  Device "dummy"
  Monitor "monitor"
  DefaultDepth 24
  SubSection "Display"
    Depth 24
    Modes "1920x1080"
  EndSubSection
EndSection
XCONF
  CGO_ENABLED=0 go build -o "$root/tmp/xshot" ./build/xshot
  cat >"$root/tmp/hall-screen.sh" <<'SCRIPT'
set -u
. /etc/default/hallkiosk
export HALLKIOSK_X_ARGS
/usr/lib/hallkiosk/x-server >/tmp/x-server.log 2>&1 &
xpid=$!
/usr/lib/hallkiosk/wait-x || { echo "x: wait-x gave up"; cat /tmp/x-server.log; kill $xpid; exit 1; }
echo "x: up"
grep -q -- '-nocursor' /proc/$xpid/cmdline && echo "x: no pointer"
export DISPLAY=:0
XAUTHORITY=/nonexistent xset q >/dev/null 2>&1 || echo "x: refuses a client without the cookie"
export XAUTHORITY=/run/hallkiosk/Xauthority
xset q | grep -q 'timeout:  0' && echo "x: screen saver off"
# A real GPU's server says "DPMS is Disabled"; the dummy driver has no DPMS at all.
grep -q -- '-dpms' /proc/$xpid/cmdline && xset q | grep -qE 'DPMS is Disabled|does not have the DPMS' && echo "x: DPMS off"
setpriv --reuid=hallkiosk --regid=hallkiosk --init-groups env HOME=/var/lib/hallkiosk DISPLAY=:0 XAUTHORITY=/run/hallkiosk/Xauthority \
  /opt/hallkiosk/current/hallkiosk --report-startup >/tmp/kiosk.out 2>/tmp/kiosk.err &
kpid=$!
for _ in $(seq 1 150); do grep -q '^first-frame-ms' /tmp/kiosk.out && break; kill -0 $kpid 2>/dev/null || break; sleep 0.2; done
grep '^first-frame-ms' /tmp/kiosk.out | sed 's/^/kiosk: /'
xwininfo -root -tree | grep '便民服务自助终端' | grep -q '1920x1080+0+0' && echo "kiosk: window covers the screen"
/tmp/xshot -o /tmp/xorg-home.png && echo "kiosk: screenshot"
kill $kpid; wait $kpid
kill $xpid
for _ in $(seq 1 50); do kill -0 $xpid 2>/dev/null || break; sleep 0.1; done
kill -9 $xpid 2>/dev/null
if grep -qE 'Fyne error|panic|level=ERROR' /tmp/kiosk.err; then grep -E 'Fyne error|panic|level=ERROR' /tmp/kiosk.err | head -5 | sed 's/^/  kiosk log: /'
else echo "kiosk: no errors in its log"; fi
exit 0
SCRIPT
  local out
  mount --bind /sys "$root/sys"
  out=$(unshare --net chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 sh /tmp/hall-screen.sh 2>&1) || true
  umount -l "$root/sys"
  echo "$out" | sed 's/^/  /'
  for want in "x: up" "x: no pointer" "x: refuses a client without the cookie" "x: screen saver off" "x: DPMS off" \
    "kiosk: first-frame-ms" "kiosk: window covers the screen" "kiosk: screenshot" "kiosk: no errors in its log"; do
    check "hall screen on Xorg: ${want#*: }" grep -q "^$want" <<<"$out"
  done
  cp "$root/tmp/xorg-home.png" "$work/xorg-home.png" 2>/dev/null || true
  rm -f "$root/etc/X11/xorg.conf.d/10-hallkiosk-test-dummy.conf" "$root/var/lib/hallkiosk/hallkiosk.db"*
}

for round in 1 2; do
  echo "deb-test: round $round: install $version"
  apt update
  apt install "/tmp/hallkiosk_${version}_$arch.deb"
  installed "$version"
  if [ "$round" = 1 ]; then usb_sticks; hall_screen; fi
  # What a hall keeps: the residents' store, and the technician's edit of the configuration.
  echo "resident data" >"$root/var/lib/hallkiosk/hallkiosk.db"
  sed -i 's/^name = .*/name = "王上村便民服务站"/' "$root/etc/hallkiosk/config.toml"
  echo "deb-test: reinstall"
  apt install --reinstall "/tmp/hallkiosk_${version}_$arch.deb"
  installed "$version"
  echo "deb-test: upgrade to $next"
  apt install "/tmp/hallkiosk_${next}_$arch.deb"
  installed "$next"
  check "upgrade keeps the release before" test -x "$root/opt/hallkiosk/releases/$version/hallkiosk"
  check "upgrade keeps the data" grep -q "resident data" "$root/var/lib/hallkiosk/hallkiosk.db"
  check "upgrade keeps the technician's configuration" grep -q '王上村便民服务站' "$root/etc/hallkiosk/config.toml"
  echo "deb-test: remove"
  apt remove hallkiosk
  check "remove takes the programs" test ! -e "$root/usr/bin/hallkiosk-update" -a ! -e "$root/lib/systemd/system/hallkiosk.service"
  check "remove keeps the data and the configuration" grep -q "resident data" "$root/var/lib/hallkiosk/hallkiosk.db"
  check "remove keeps the configuration" test -f "$root/etc/hallkiosk/config.toml"
  echo "deb-test: install again after remove"
  apt install "/tmp/hallkiosk_${next}_$arch.deb"
  installed "$next"
  check "the data is back in use" grep -q "resident data" "$root/var/lib/hallkiosk/hallkiosk.db"
  echo "deb-test: purge"
  apt purge hallkiosk
  check "purge takes the data, releases and configuration" test ! -e "$root/var/lib/hallkiosk" -a ! -e "$root/opt/hallkiosk" -a ! -e "$root/etc/hallkiosk"
  check "purge takes the service user" inroot sh -c '! getent passwd hallkiosk >/dev/null && ! getent group hallkiosk >/dev/null'
  check "purge leaves no unit links" sh -c "! find '$root/etc/systemd' -name 'hallkiosk*' | grep -q ."
done
exit $fail
