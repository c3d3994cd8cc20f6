package install_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hallkiosk/updater/install"
	"hallkiosk/updater/internal/updatetest"
	"hallkiosk/updater/release"
	"hallkiosk/updater/state"
)

var testkiosk string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "testkiosk")
	if err != nil {
		panic(err)
	}
	testkiosk = filepath.Join(dir, "hallkiosk")
	if err := updatetest.Build(dir, map[string]string{"hallkiosk": updatetest.TestKiosk}); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// bundle is a release of the test kiosk with the given behaviour.
func bundle(t testing.TB, version, behaviour string) ([]byte, release.Info) {
	t.Helper()
	d := updatetest.Release(t, testkiosk, version, behaviour)
	b, files, err := release.Pack(d)
	if err != nil {
		t.Fatal(err)
	}
	return b, release.Info{Version: version, Files: files}
}

// systemd plays the kiosk's unit: ExecStartPre runs Recover(boot), ExecStart runs current/hallkiosk,
// Restart=on-failure starts it again.
type systemd struct {
	in   *install.Installer
	mu   sync.Mutex
	cmd  *exec.Cmd
	stop bool
	done chan struct{}
}

func (s *systemd) args() []string { return []string{"-state", s.in.State, "-store", s.in.Store} }

func (s *systemd) Start(ctx context.Context) error {
	s.mu.Lock()
	s.stop = false
	done := make(chan struct{})
	s.done = done
	s.mu.Unlock()
	go func() {
		defer close(done)
		for i := 0; i < 10; i++ {
			if _, err := s.in.Recover(context.Background(), true); err != nil {
				return
			}
			s.mu.Lock()
			if s.stop {
				s.mu.Unlock()
				return
			}
			cmd := exec.Command(filepath.Join(s.in.Root, "current", "hallkiosk"), s.args()...)
			if err := cmd.Start(); err != nil {
				s.mu.Unlock()
				return
			}
			s.cmd = cmd
			s.mu.Unlock()
			err := cmd.Wait()
			s.mu.Lock()
			stopped := s.stop
			s.mu.Unlock()
			if stopped || err == nil {
				return
			}
		}
	}()
	return nil
}

func (s *systemd) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stop = true
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
	}
	done := s.done
	s.mu.Unlock()
	if done != nil {
		<-done
	}
	return nil
}

type device struct {
	in  *install.Installer
	sd  *systemd
	dir string
}

func newDevice(t testing.TB) *device {
	t.Helper()
	d := t.TempDir()
	in := &install.Installer{Root: filepath.Join(d, "opt"), State: filepath.Join(d, "state"), Store: filepath.Join(d, "data", "kiosk.db"),
		Trial: 20 * time.Second, Poll: 20 * time.Millisecond}
	sd := &systemd{in: in}
	in.Service = sd
	t.Cleanup(func() { sd.Stop(context.Background()) })
	return &device{in: in, sd: sd, dir: d}
}

func (d *device) install(t testing.TB, version, behaviour string) error {
	t.Helper()
	b, info := bundle(t, version, behaviour)
	if err := d.in.Place(b, info); err != nil {
		return err
	}
	return d.in.Switch(context.Background(), version, "technician")
}

// run starts current/hallkiosk with args, with the kiosk service stopped (the store is locked
// while it runs), and starts the service again after.
func (d *device) run(t *testing.T, args ...string) string {
	t.Helper()
	d.sd.Stop(context.Background())
	defer d.sd.Start(context.Background())
	out, err := exec.Command(filepath.Join(d.in.Root, "current", "hallkiosk"), append(d.sd.args(), args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("start the kiosk %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (d *device) state(t *testing.T) *state.State {
	t.Helper()
	st, err := state.Load(d.in.State)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// goodStart is a device on 1.0.0 with three residents' submissions.
func goodStart(t *testing.T) *device {
	d := newDevice(t)
	if err := d.install(t, "1.0.0", "good"); err != nil {
		t.Fatal(err)
	}
	d.run(t, "-submit", "3")
	return d
}

func TestAGoodVersionIsCommittedAndRollbackGoesBack(t *testing.T) {
	d := goodStart(t)
	if err := d.install(t, "1.1.0", "good"); err != nil {
		t.Fatal(err)
	}
	if got := d.run(t, "-report"); got != "version=1.1.0 submissions=3" {
		t.Fatalf("after the update: %s", got)
	}
	st := d.state(t)
	if st.Current != "1.1.0" || st.Previous != "1.0.0" || st.Pending != nil {
		t.Fatalf("state %+v", st)
	}
	if _, err := os.Stat(filepath.Join(d.in.State, "backup")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the backup outlived the commit: %v", err)
	}
	d.run(t, "-submit", "1")
	if err := d.in.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := d.run(t, "-report"); got != "version=1.0.0 submissions=4" {
		t.Fatalf("after the rollback: %s", got)
	}
}

func TestBadVersionsAreRolledBackWithTheStoreRestored(t *testing.T) {
	for _, c := range []struct{ behaviour, why string }{
		{"crash", "did not report healthy in 3 starts"},
		{"hang", "not healthy within"},
		{"migrate-fail", "did not report healthy in 3 starts"},
	} {
		t.Run(c.behaviour, func(t *testing.T) {
			d := goodStart(t)
			if c.behaviour == "hang" {
				d.in.Trial = time.Second
			}
			err := d.install(t, "1.1.0", c.behaviour)
			if !errors.Is(err, install.ErrTrialFailed) || !strings.Contains(err.Error(), c.why) {
				t.Fatalf("install of a %s version: %v; want a rollback because %q", c.behaviour, err, c.why)
			}
			if got := d.run(t, "-report"); got != "version=1.0.0 submissions=3" {
				t.Fatalf("after the rollback: %s", got)
			}
			st := d.state(t)
			if st.Current != "1.0.0" || st.Pending != nil || !strings.Contains(st.Refused["1.1.0"], c.why) {
				t.Fatalf("state %+v", st)
			}
		})
	}
}

// An updater that stops waiting (killed, or the technician's Ctrl-C) leaves a version on trial with
// nobody to time it out: a kiosk that never passes its checks quits when the trial runs out, and the
// step before its next start rolls it back, the store restored.
func TestAVersionOutOfTimeIsRolledBackWithNobodyWaiting(t *testing.T) {
	d := goodStart(t)
	d.in.Trial = time.Second
	b, info := bundle(t, "1.1.0", "unhealthy")
	if err := d.in.Place(b, info); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.in.Step = func(name string) {
		if name == "started" {
			cancel() // the updater stops waiting as soon as the new version is started
		}
	}
	if err := d.in.Switch(ctx, "1.1.0", "schedule"); !errors.Is(err, context.Canceled) {
		t.Fatalf("switch with the wait cut off: %v", err)
	}
	d.in.Step = nil
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := d.state(t)
		if st.Pending == nil {
			if st.Current != "1.0.0" || !strings.Contains(st.Refused["1.1.0"], "not healthy within 1s") {
				t.Fatalf("state %+v", st)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still on trial: %+v", st.Pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := d.run(t, "-report"); got != "version=1.0.0 submissions=3" {
		t.Fatalf("after the rollback: %s", got)
	}
}

func TestAFullDiskLeavesTheRunningVersion(t *testing.T) {
	d := goodStart(t)
	small := filepath.Join(d.dir, "opt", "releases")
	fi, err := os.Stat(testkiosk)
	if err != nil {
		t.Fatal(err)
	}
	// Room for the running release and half of the next one.
	size := fmt.Sprintf("size=%dk", fi.Size()*3/2/1024)
	if err := exec.Command("mount", "-t", "tmpfs", "-o", size, "tmpfs", small).Run(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (needs root): %v", err)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", small).Run() })
	// The running release's folder is hidden under the mount now; put it back in the small disk.
	b, info := bundle(t, "1.0.0", "good")
	os.Remove(filepath.Join(small, ".placeholder"))
	if err := release.Unpack(b, filepath.Join(small, info.Version)); err != nil {
		t.Skipf("the running release does not fit the small disk: %v", err)
	}
	err = d.install(t, "1.1.0", "good")
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("install on a full disk: %v; want ENOSPC", err)
	}
	if got := d.run(t, "-report"); got != "version=1.0.0 submissions=3" {
		t.Fatalf("after the failed install: %s", got)
	}
	if ents, _ := os.ReadDir(small); len(ents) != 1 {
		t.Fatalf("left behind in releases: %v", ents)
	}
}

// The updater runs as root and the kiosk as its own user: a store restored by a rollback keeps the
// kiosk user's ownership, or the old version could not open it for writing.
func TestRestoredStoreKeepsItsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the store another owner")
	}
	d := goodStart(t)
	d.sd.Stop(context.Background())
	const kioskUID, kioskGID = 65534, 65534
	for _, p := range []string{d.in.Store, d.in.Store + ".journal"} {
		if err := os.Chown(p, kioskUID, kioskGID); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	d.sd.Start(context.Background())
	if err := d.install(t, "1.1.0", "migrate-fail"); !errors.Is(err, install.ErrTrialFailed) {
		t.Fatalf("install: %v", err)
	}
	for _, p := range []string{d.in.Store, d.in.Store + ".journal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != kioskUID || st.Gid != kioskGID {
			t.Errorf("%s is owned by %d:%d after the rollback, want the kiosk's %d:%d", p, st.Uid, st.Gid, kioskUID, kioskGID)
		}
	}
}
