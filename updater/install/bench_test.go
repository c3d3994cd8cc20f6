package install_test

import (
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"hallkiosk/updater/fetch"
	"hallkiosk/updater/internal/updatetest"
	"hallkiosk/updater/release"
	"hallkiosk/updater/repo"
)

// BenchmarkInstallFromStick: a technician's install from a USB stick, from plugging in to the new
// version started on trial (verify the metadata, read and check the bundle, unpack it fsynced,
// stop the kiosk, back up the store, switch, start), beside a plain copy of the same bundle bytes
// from the stick with fsync, in the same run. The bundle is the stand-in kiosk and 40 MB of random
// bytes (as big as the real kiosk binary and as hard to compress). Reports the medians and their
// ratio (make bench-update).
func BenchmarkInstallFromStick(b *testing.B) {
	keys, stick := b.TempDir(), b.TempDir()
	if err := repo.GenerateKeys(keys, 1); err != nil {
		b.Fatal(err)
	}
	r, err := repo.Init(filepath.Join(stick, fetch.StickFolder), keys, 1, repo.DefaultExpiry, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	rel := bigRelease(b)
	info, err := r.Publish(rel, release.Info{Version: "1.1.0"})
	if err != nil {
		b.Fatal(err)
	}
	root, err := r.Root()
	if err != nil {
		b.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(stick, fetch.StickFolder, "targets", "*."+info.Target()))
	if len(matches) != 1 {
		b.Fatalf("bundle on the stick: %v", matches)
	}
	var copies, installs, verifies, places []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := newDevice(b)
		if err := d.install(b, "1.0.0", "good"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if err := copyFsync(matches[0], filepath.Join(d.dir, "copy.tar.gz")); err != nil {
			b.Fatal(err)
		}
		copies = append(copies, time.Since(t0))

		var started time.Duration
		d.in.Step = func(step string) {
			if step == "started" {
				started = time.Since(t0)
			}
		}
		t0 = time.Now()
		dev := &fetch.Client{Root: root, Cache: filepath.Join(d.dir, "tuf"), Now: time.Now}
		ch, err := dev.Look(fetch.Source{Dir: stick})
		if err != nil {
			b.Fatal(err)
		}
		bundle, err := ch.Bundle(ch.Releases[len(ch.Releases)-1])
		if err != nil {
			b.Fatal(err)
		}
		verifies = append(verifies, time.Since(t0))
		if err := d.in.Place(bundle, ch.Releases[len(ch.Releases)-1]); err != nil {
			b.Fatal(err)
		}
		places = append(places, time.Since(t0)-verifies[len(verifies)-1])
		if err := d.in.Switch(context.Background(), "1.1.0", "technician"); err != nil {
			b.Fatal(err)
		}
		installs = append(installs, started)
		b.StopTimer()
		d.sd.Stop(context.Background())
		b.StartTimer()
	}
	c, in := median(copies), median(installs)
	b.ReportMetric(float64(c.Milliseconds()), "copy-ms")
	b.ReportMetric(float64(in.Milliseconds()), "install-to-trial-ms")
	b.ReportMetric(float64(in)/float64(c), "install/copy")
	// Where the time goes: TUF verification with the bundle read and hashed, the fsynced unpack,
	// and the rest (stop, store backup, switch, start).
	b.ReportMetric(float64(median(verifies).Milliseconds()), "verify-ms")
	b.ReportMetric(float64(median(places).Milliseconds()), "unpack-ms")
}

// bigRelease is the stand-in kiosk (good) and 40 MB of random bytes.
func bigRelease(b *testing.B) string {
	dir := updatetest.Release(b, testkiosk, "1.1.0", "good")
	f, err := os.Create(filepath.Join(dir, "assets.bin"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, 40<<20); err != nil {
		b.Fatal(err)
	}
	return dir
}

// copyFsync is the plain copy: read the file, write it, fsync it and its folder.
func copyFsync(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(dst))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
