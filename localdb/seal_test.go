package localdb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDeviceKeyCreatedPrivateAndReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "device.key")
	s1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 || fi.Size() != DeviceKeySize {
		t.Errorf("key file mode %v size %d", fi.Mode().Perm(), fi.Size())
	}
	sealed := s1.Seal([]byte("610403195103072011"), "case/C1/id")
	s2, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Open(sealed, "case/C1/id"); err != nil || string(got) != "610403195103072011" {
		t.Fatalf("reload: %q %v", got, err)
	}
	if bytes.Contains(sealed, []byte("610403195103072011")) || bytes.Contains(sealed, []byte("19510307")) {
		t.Error("plaintext visible in sealed bytes")
	}
	if _, err := s2.Open(sealed, "case/C2/id"); !errors.Is(err, ErrUnseal) {
		t.Error("sealed value opened under another record's context")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := s2.Open(sealed, "case/C1/id"); !errors.Is(err, ErrUnseal) {
		t.Error("tampered value opened")
	}
	_ = os.Chmod(path, 0o644)
	if _, err := LoadOrCreateKey(path); !errors.Is(err, ErrKeyPermissions) {
		t.Errorf("world-readable key: %v", err)
	}
}

func TestIDIndex(t *testing.T) {
	a, _ := NewSealer(bytes.Repeat([]byte{1}, DeviceKeySize))
	b, _ := NewSealer(bytes.Repeat([]byte{2}, DeviceKeySize))
	id := "11010519491231002X"
	if !bytes.Equal(a.IDIndex(id), a.IDIndex("11010519491231002x ")) {
		t.Error("same ID must index the same whatever the case of X")
	}
	if bytes.Equal(a.IDIndex(id), b.IDIndex(id)) {
		t.Error("another device's key gives the same index")
	}
	if bytes.Contains(a.IDIndex(id), []byte(id)) {
		t.Error("index holds the number")
	}
}
