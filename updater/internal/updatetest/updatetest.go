// Package updatetest holds what the updater's tests share: building the real binaries once, and
// release folders of the stand-in kiosk (updater/internal/testkiosk).
package updatetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Build compiles each package (no cgo) into dir under the given name.
func Build(dir string, binaries map[string]string) error {
	for name, pkg := range binaries {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", pkg, err, out)
		}
	}
	return nil
}

// TestKiosk is the stand-in kiosk's package.
const TestKiosk = "hallkiosk/updater/internal/testkiosk"

// Release makes a release folder of the stand-in kiosk binary with its version and behaviour
// (good, crash, hang, migrate-fail; see testkiosk).
func Release(t testing.TB, kiosk, version, behaviour string) string {
	t.Helper()
	d := t.TempDir()
	raw, err := os.ReadFile(kiosk)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"hallkiosk": raw, "VERSION": []byte(version), "BEHAVIOUR": []byte(behaviour)} {
		mode := os.FileMode(0o644)
		if name == "hallkiosk" {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(d, name), data, mode); err != nil {
			t.Fatal(err)
		}
	}
	return d
}
