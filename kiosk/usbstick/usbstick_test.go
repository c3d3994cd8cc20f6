package usbstick

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The stick mounted last is the one just plugged in; read-only ones and the system's own mounts
// are not offered; a label with a space comes back whole.
func TestMounted(t *testing.T) {
	table := `/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid 0 0
/dev/sdb1 /media/hallkiosk/OLD vfat rw,nosuid,nodev 0 0
/dev/sdc1 /media/hallkiosk/CDROM iso9660 ro,nosuid 0 0
/dev/sdd1 /media/hallkiosk/王上村\040统计 vfat rw,nosuid,nodev 0 0
/dev/sde1 /media vfat rw 0 0
`
	got, err := Mounted(strings.NewReader(table), Roots)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "/media/hallkiosk/OLD|/media/hallkiosk/王上村 统计" {
		t.Fatalf("mounted: %q", got)
	}
}

func TestDirConfiguredAndFallback(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	if got, err := Dir(dir, "/nonexistent/never"); err != nil || got != dir {
		t.Fatalf("configured: %q %v", got, err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("configured folder not made: %v", err)
	}
	fb := filepath.Join(t.TempDir(), "统计导出")
	got, err := Dir("", fb)
	if err != nil {
		t.Fatal(err)
	}
	// On a machine with a stick mounted under /media the stick wins; otherwise the fallback.
	if got != fb && !strings.HasPrefix(got, "/media/") && !strings.HasPrefix(got, "/run/media/") {
		t.Fatalf("fallback: %q", got)
	}
}
