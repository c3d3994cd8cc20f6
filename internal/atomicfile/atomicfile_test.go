package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// The new content replaces the old whole, with the mode asked for and no temporary file left; a
// folder that cannot be written leaves the old file as it was.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "统计-2026-11.csv")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(got) != "new" || st.Mode().Perm() != 0o644 {
		t.Fatalf("%q %v", got, st.Mode())
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Fatalf("left behind: %v", left)
	}
	if os.Getuid() != 0 { // root writes anywhere
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o700)
		if err := WriteFile(p, []byte("newer"), 0o644); err == nil {
			t.Fatal("a read-only folder took the file")
		}
		if got, _ := os.ReadFile(p); string(got) != "new" {
			t.Fatalf("the old file changed: %q", got)
		}
	}
}
