// Package usbstick finds where a USB stick is mounted on a hall PC, so the station head's exports
// land on the stick they just plugged in rather than somewhere on the PC they cannot reach.
// Desktop automounters (udisks2) mount sticks under /media/USER/LABEL or /run/media/USER/LABEL.
package usbstick

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Roots are where automounters put removable media.
var Roots = []string{"/media/", "/run/media/"}

// Mounted lists the mount points under roots in a mounts table (/proc/self/mounts' format), in
// the order they were mounted, newest last. Octal escapes (\040 for a space in a label) are undone.
func Mounted(mounts io.Reader, roots []string) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(mounts)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		dir := unescape(f[1])
		opts := strings.Split(f[3], ",")
		if slices.Contains(opts, "ro") {
			continue // a read-only stick takes no export
		}
		for _, r := range roots {
			if strings.HasPrefix(dir, r) && len(dir) > len(r) {
				out = append(out, dir)
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read mounts: %w", err)
	}
	return out, nil
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var n int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &n); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Dir is where an export goes now: the configured folder when there is one; else the stick
// mounted last; else fallback (created). It reads /proc/self/mounts each time, so a stick plugged
// in after start is found.
func Dir(configured, fallback string) (string, error) {
	if configured != "" {
		if err := os.MkdirAll(configured, 0o755); err != nil {
			return "", fmt.Errorf("export folder %s: %w", configured, err)
		}
		return configured, nil
	}
	if f, err := os.Open("/proc/self/mounts"); err == nil {
		sticks, err := Mounted(f, Roots)
		f.Close()
		if err == nil && len(sticks) > 0 {
			return sticks[len(sticks)-1], nil
		}
	}
	if err := os.MkdirAll(fallback, 0o755); err != nil {
		return "", fmt.Errorf("export folder %s: %w", fallback, err)
	}
	return filepath.Clean(fallback), nil
}
