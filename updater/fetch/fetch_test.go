package fetch_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"hallkiosk/township/server"
	"hallkiosk/township/store"
	"hallkiosk/updater/fetch"
	"hallkiosk/updater/release"
	"hallkiosk/updater/repo"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// world is a publisher with keys and a repository on a "stick", and a device that trusts its
// first root.
type world struct {
	keys, stick string
	repo        *repo.Repo
	dev         *fetch.Client
	now         time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{keys: t.TempDir(), stick: t.TempDir(), now: t0}
	if err := repo.GenerateKeys(w.keys, 3); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(w.stick, fetch.StickFolder)
	r, err := repo.Init(dir, w.keys, 2, repo.DefaultExpiry, func() time.Time { return w.now })
	if err != nil {
		t.Fatal(err)
	}
	w.repo = r
	root, err := r.Root()
	if err != nil {
		t.Fatal(err)
	}
	w.dev = &fetch.Client{Root: root, Cache: t.TempDir(), Now: func() time.Time { return w.now }}
	return w
}

func releaseDir(t *testing.T, version string) string {
	t.Helper()
	d := t.TempDir()
	if err := os.WriteFile(filepath.Join(d, "hallkiosk"), []byte("#!/bin/sh\necho kiosk "+version+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "._hallkiosk"), []byte("mac fork"), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

func (w *world) publish(t *testing.T, version string) release.Info {
	t.Helper()
	info, err := w.repo.Publish(releaseDir(t, version), release.Info{Version: version})
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func (w *world) look(t *testing.T) (*fetch.Check, error) {
	t.Helper()
	return w.dev.Look(fetch.Source{Dir: w.stick})
}

func TestPublishAndFetchFromAStick(t *testing.T) {
	w := newWorld(t)
	w.publish(t, "1.1.0")
	info := w.publish(t, "1.2.0")
	if len(info.Files) != 1 || info.Files[0] != "hallkiosk" {
		t.Fatalf("the bundle carries %v; want only hallkiosk (no ._ files)", info.Files)
	}
	// What a Mac leaves on a stick is not the repository's and is ignored.
	os.WriteFile(filepath.Join(w.stick, fetch.StickFolder, "._timestamp.json"), []byte("junk"), 0o644)
	ch, err := w.look(t)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Releases) != 2 || ch.Releases[1].Version != "1.2.0" {
		t.Fatalf("releases %+v", ch.Releases)
	}
	b, err := ch.Bundle(ch.Releases[1])
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "r")
	if err := release.Unpack(b, dst); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(dst, "hallkiosk")).Output()
	if err != nil || string(out) != "kiosk 1.2.0\n" {
		t.Fatalf("unpacked binary says %q (%v)", out, err)
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name string
		harm func(t *testing.T, w *world)
		want error
	}{
		{"bad signature", func(t *testing.T, w *world) {
			p := filepath.Join(w.stick, fetch.StickFolder, "timestamp.json")
			raw, _ := os.ReadFile(p)
			raw = bytes.Replace(raw, []byte(`"version":`), []byte(`"version": `), 1) // same meaning, other bytes
			raw = bytes.Replace(raw, []byte(`"expires":"2027`), []byte(`"expires":"2029`), 1)
			os.WriteFile(p, raw, 0o644)
		}, fetch.ErrSignature},
		{"key not trusted", func(t *testing.T, w *world) {
			other := t.TempDir()
			if err := repo.GenerateKeys(other, 1); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(w.stick, fetch.StickFolder)
			os.RemoveAll(dir)
			r, err := repo.Init(dir, other, 1, repo.DefaultExpiry, func() time.Time { return w.now })
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Publish(releaseDir(t, "9.0.0"), release.Info{Version: "9.0.0"}); err != nil {
				t.Fatal(err)
			}
		}, fetch.ErrSignature},
		{"expired", func(t *testing.T, w *world) { w.now = w.now.Add(46 * 24 * time.Hour) }, fetch.ErrExpired},
		{"truncated target", func(t *testing.T, w *world) {
			p := bundleFile(t, w)
			raw, _ := os.ReadFile(p)
			os.WriteFile(p, raw[:len(raw)/2], 0o644)
		}, fetch.ErrDamaged},
		{"hash mismatch", func(t *testing.T, w *world) {
			p := bundleFile(t, w)
			raw, _ := os.ReadFile(p)
			raw[len(raw)/2] ^= 0xff
			os.WriteFile(p, raw, 0o644)
		}, fetch.ErrDamaged},
		{"mixed metadata of two releases", func(t *testing.T, w *world) {
			// The snapshot of the first release under the second's name.
			d := filepath.Join(w.stick, fetch.StickFolder)
			raw, _ := os.ReadFile(filepath.Join(d, "2.snapshot.json"))
			os.WriteFile(filepath.Join(d, "3.snapshot.json"), raw, 0o644)
		}, fetch.ErrReplay},
		{"stick pulled out", func(t *testing.T, w *world) {
			os.RemoveAll(w.stick)
		}, os.ErrNotExist},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			w.publish(t, "1.1.0")
			w.publish(t, "1.2.0")
			c.harm(t, w)
			ch, err := w.look(t)
			if err == nil {
				_, err = ch.Bundle(ch.Releases[len(ch.Releases)-1])
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v; want %v", err, c.want)
			}
		})
	}
}

func bundleFile(t *testing.T, w *world) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(w.stick, fetch.StickFolder, repo.TargetsDir, "*.hallkiosk-1.2.0.tar.gz"))
	if len(m) != 1 {
		t.Fatalf("bundle files %v", m)
	}
	return m[0]
}

func TestReplayedOldMetadataIsRefused(t *testing.T) {
	w := newWorld(t)
	w.publish(t, "1.1.0")
	old := t.TempDir()
	if err := exec.Command("cp", "-a", w.stick+"/.", old).Run(); err != nil {
		t.Fatal(err)
	}
	w.publish(t, "1.2.0")
	if _, err := w.look(t); err != nil {
		t.Fatal(err)
	}
	// An old stick, made before 1.2.0, offers metadata older than what the device has seen.
	_, err := w.dev.Look(fetch.Source{Dir: old})
	if !errors.Is(err, fetch.ErrReplay) {
		t.Fatalf("old metadata: %v; want %v", err, fetch.ErrReplay)
	}
}

func TestKeyRotationIsFollowed(t *testing.T) {
	w := newWorld(t)
	w.publish(t, "1.1.0")
	if _, err := w.look(t); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"targets", "timestamp", "root"} {
		if err := w.repo.Rotate(w.keys, role); err != nil {
			t.Fatalf("rotate %s: %v", role, err)
		}
	}
	w.publish(t, "1.2.0")
	// A device that trusts only the first root follows the signed chain of roots.
	ch, err := w.look(t)
	if err != nil {
		t.Fatal(err)
	}
	if got := ch.Releases[len(ch.Releases)-1].Version; got != "1.2.0" {
		t.Fatalf("newest %s", got)
	}
	if _, err := ch.Bundle(ch.Releases[len(ch.Releases)-1]); err != nil {
		t.Fatal(err)
	}
	revoked, _ := filepath.Glob(filepath.Join(w.keys, "*.revoked"))
	if len(revoked) != 5 { // targets, timestamp and the three root keys
		t.Fatalf("revoked key files %v", revoked)
	}
}

func TestFromTheTownshipOverHTTP(t *testing.T) {
	w := newWorld(t)
	w.publish(t, "1.1.0")
	st, err := store.Open(filepath.Join(t.TempDir(), "township.db"), filepath.Join(t.TempDir(), "township.key"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(server.New(server.Config{Store: st, Updates: filepath.Join(w.stick, fetch.StickFolder)}))
	defer srv.Close()
	if resp, err := http.Get(srv.URL + "/v1/updates/targets/"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a folder listing: %v %v; want 404", resp.StatusCode, err)
	}
	ch, err := w.dev.Look(fetch.Source{URL: srv.URL + "/v1/updates/"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Bundle(ch.Releases[0]); err != nil {
		t.Fatal(err)
	}
}
