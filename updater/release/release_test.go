package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionsOnlyGoUpExceptASignedRollback(t *testing.T) {
	cases := []struct {
		installed string
		offer     Info
		ok        bool
		why       string
	}{
		{"", Info{Version: "1.0.0"}, true, ""},
		{"1.0.0", Info{Version: "1.1.0"}, true, ""},
		{"1.1.0", Info{Version: "1.1.0"}, false, "already installed"},
		{"1.1.0", Info{Version: "1.0.9"}, false, "older and not signed as a rollback"},
		{"1.1.0", Info{Version: "1.0.9", Rollback: true}, true, ""},
		{"1.1.0", Info{Version: "1.2.0", Rollback: true}, false, "must be older"},
		{"1.1.0", Info{Version: "1.10.0", MinFrom: "1.2.0"}, false, "only from 1.2.0"},
		{"1.2.0", Info{Version: "1.10.0", MinFrom: "1.2.0"}, true, ""},
		{"1.1.0", Info{Version: "1.2.0-rc.1"}, true, ""},
		{"1.2.0-rc.1", Info{Version: "1.2.0"}, true, ""},
		{"1.1.0", Info{Version: "v1.2.0"}, false, "not MAJOR.MINOR.PATCH"},
		{"1.1.0", Info{Version: "1.2"}, false, "not MAJOR.MINOR.PATCH"},
	}
	for _, c := range cases {
		err := Allowed(c.installed, c.offer)
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), c.why)) {
			t.Errorf("Allowed(%q, %+v) = %v; want ok=%v (%s)", c.installed, c.offer, err, c.ok, c.why)
		}
	}
}

func TestNewestPrefersARollbackOverUpgrades(t *testing.T) {
	offers := []Info{{Version: "1.0.0"}, {Version: "1.2.0"}, {Version: "1.3.0"}}
	if got, ok := Newest("1.1.0", offers); !ok || got.Version != "1.3.0" {
		t.Fatalf("newest %v %v", got, ok)
	}
	if _, ok := Newest("1.3.0", offers); ok {
		t.Fatal("nothing newer than 1.3.0, yet an offer")
	}
	offers = append(offers, Info{Version: "1.2.1", Rollback: true})
	if got, _ := Newest("1.3.0", offers); got.Version != "1.2.1" {
		t.Fatalf("with a signed rollback: %v", got)
	}
}

func TestUnpackRefusesNamesThatLeaveTheFolder(t *testing.T) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: "../evil", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
	tw.Write([]byte("x"))
	tw.Close()
	gz.Close()
	err := Unpack(buf.Bytes(), filepath.Join(t.TempDir(), "r"))
	if err == nil || !strings.Contains(err.Error(), "bad name") {
		t.Fatalf("unpack of ../evil: %v", err)
	}
	var r *Refusal
	if errors.As(Allowed("2.0.0", Info{Version: "1.0.0"}), &r) && r.Installed != "2.0.0" {
		t.Fatal(r)
	}
}
