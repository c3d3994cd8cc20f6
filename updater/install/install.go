// Package install puts a verified release on a device so that a hall is never left without a
// working kiosk: the release goes into its own folder beside the running one, `current` is switched
// by one rename, the store is backed up first, and the new version runs on trial until the kiosk
// reports it healthy. A crash, a timeout or a failed check switches back and restores the store;
// nothing was accepted during the trial, so nothing is lost. Every step can be cut by a power cut or
// kill -9: Recover, run before the kiosk starts and before every updater command, finishes or undoes
// what was cut off.
//
// On disk (Root is /opt/hallkiosk, State is /var/lib/hallkiosk/update):
//
//	Root/releases/<version>/   one folder per release, complete or absent
//	Root/current -> releases/<version>
//	State/state.json           the install state (package state)
//	State/backup/              the store as it was before the last switch
package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"hallkiosk/updater/release"
	"hallkiosk/updater/state"
)

// Service stops and starts the kiosk.
type Service interface {
	Stop(ctx context.Context) error
	Start(ctx context.Context) error
}

// Commands runs the kiosk's service manager: argv lists, no shell (systemctl stop hallkiosk).
type Commands struct{ StopCmd, StartCmd []string }

// Stop runs StopCmd.
func (c Commands) Stop(ctx context.Context) error { return run(ctx, c.StopCmd) }

// Start runs StartCmd.
func (c Commands) Start(ctx context.Context) error { return run(ctx, c.StartCmd) }

func run(ctx context.Context, argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Installer installs releases on one device.
type Installer struct {
	Root, State string
	// Store is the kiosk's Bolt file; its journal (Store + ".journal") travels with it.
	Store   string
	Service Service
	// Trial is how long a new version has to report healthy [3m].
	Trial time.Duration
	// MaxAttempts is how many starts a version on trial gets before it is rolled back [3].
	MaxAttempts int
	// Poll is how often Switch looks for the trial's report [250ms].
	Poll time.Duration
	Now  func() time.Time
	Log  *slog.Logger
	// Step is told each install step as it is done (crash tests kill the process there).
	Step func(name string)
}

// Steps of an install, in order: the names Step is told.
var Steps = []string{"unpacked", "placed", "stopped", "backed-up", "marked", "switched", "started"}

// ErrTrialFailed is returned when the new version was rolled back.
var ErrTrialFailed = errors.New("the new version failed its trial and was rolled back")

func (in *Installer) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

func (in *Installer) log() *slog.Logger {
	if in.Log != nil {
		return in.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (in *Installer) step(name string) {
	in.log().Info("update step", "step", name)
	if in.Step != nil {
		in.Step(name)
	}
}

func (in *Installer) trial() time.Duration {
	if in.Trial > 0 {
		return in.Trial
	}
	return 3 * time.Minute
}

func (in *Installer) maxAttempts() int {
	if in.MaxAttempts > 0 {
		return in.MaxAttempts
	}
	return 3
}

func (in *Installer) releases() string    { return filepath.Join(in.Root, "releases") }
func (in *Installer) currentLink() string { return filepath.Join(in.Root, "current") }
func (in *Installer) backupDir() string   { return filepath.Join(in.State, "backup") }
func (in *Installer) dir(v string) string { return filepath.Join(in.releases(), v) }
func (in *Installer) staging(v string) string {
	return filepath.Join(in.releases(), ".staging-"+v)
}

// lock takes the state folder's lock: the installer, the kiosk's pre-start Recover and a waiting
// install all change state.json, one at a time. It is released when the process dies.
func (in *Installer) lock() (func(), error) {
	if err := os.MkdirAll(in.State, 0o755); err != nil {
		return nil, fmt.Errorf("lock update state: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(in.State, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock update state: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock update state: %w", err)
	}
	return func() { f.Close() }, nil
}

// Running is the version `current` points at, "" when there is none.
func (in *Installer) Running() string {
	t, err := os.Readlink(in.currentLink())
	if err != nil {
		return ""
	}
	return filepath.Base(t)
}

// Has reports whether a complete folder of version is on the device.
func (in *Installer) Has(version string) bool {
	fi, err := os.Stat(in.dir(version))
	return err == nil && fi.IsDir()
}

// Place writes a verified bundle into releases/<version>, complete or not at all: it is unpacked
// into a staging folder, every file fsynced, and renamed into place.
func (in *Installer) Place(bundle []byte, info release.Info) error {
	if in.Has(info.Version) {
		return nil
	}
	if err := os.MkdirAll(in.releases(), 0o755); err != nil {
		return fmt.Errorf("place %s: %w", info.Version, err)
	}
	st := in.staging(info.Version)
	if err := os.RemoveAll(st); err != nil {
		return fmt.Errorf("place %s: %w", info.Version, err)
	}
	if err := release.Unpack(bundle, st); err != nil {
		os.RemoveAll(st)
		return fmt.Errorf("place %s: %w", info.Version, err)
	}
	in.step("unpacked")
	if err := os.Rename(st, in.dir(info.Version)); err != nil {
		os.RemoveAll(st)
		return fmt.Errorf("place %s: %w", info.Version, err)
	}
	if err := state.SyncDir(in.releases()); err != nil {
		return fmt.Errorf("place %s: %w", info.Version, err)
	}
	in.step("placed")
	return nil
}

// Switch makes a placed version current on trial: stop the kiosk, back up the store, mark the
// trial, switch `current` by one rename, start the kiosk, and wait for its report. A version that
// does not report healthy in time is rolled back (ErrTrialFailed). by says who asked (technician,
// schedule, rollback).
func (in *Installer) Switch(ctx context.Context, version, by string) error {
	if _, err := in.Recover(ctx, false); err != nil {
		return err
	}
	if err := in.switchLocked(ctx, version, by); err != nil {
		return err
	}
	if err := in.Service.Start(ctx); err != nil {
		in.log().Error("start the new version", "version", version, "err", err)
	} else {
		in.step("started")
	}
	return in.Await(ctx)
}

// switchLocked does the steps up to the switch, holding the state lock; the kiosk's start (whose
// pre-start Recover takes the lock too) comes after.
func (in *Installer) switchLocked(ctx context.Context, version, by string) (err error) {
	if !in.Has(version) {
		return fmt.Errorf("switch to %s: it is not placed", version)
	}
	from := in.Running()
	if from == version {
		return fmt.Errorf("switch to %s: it is already current", version)
	}
	if err := os.MkdirAll(in.State, 0o755); err != nil {
		return fmt.Errorf("switch to %s: %w", version, err)
	}
	// Stop before the lock: the kiosk's pre-start Recover takes it too, and a stop must never wait
	// for a start that waits for us.
	if err := in.Service.Stop(ctx); err != nil {
		return fmt.Errorf("switch to %s: stop the kiosk: %w", version, err)
	}
	in.step("stopped")
	unlock, err := in.lock()
	if err != nil {
		return err
	}
	switched := false
	defer func() {
		unlock()
		if !switched { // the old version was stopped for nothing: bring it back, after the unlock
			if serr := in.Service.Start(context.WithoutCancel(ctx)); serr != nil {
				err = errors.Join(err, fmt.Errorf("restart the kiosk: %w", serr))
			}
		}
	}()
	if err := in.backup(); err != nil {
		return fmt.Errorf("switch to %s: back up the store: %w", version, err)
	}
	in.step("backed-up")
	if err := state.ClearHealth(in.State, version); err != nil {
		return fmt.Errorf("switch to %s: %w", version, err)
	}
	st, err := state.Load(in.State)
	if err != nil {
		return err
	}
	started := in.now().UTC()
	st.Pending = &state.Pending{Version: version, From: from, Started: started, Until: started.Add(in.trial()), Backup: in.backupDir(), By: by}
	st.Record(in.now(), "installed", version, "by "+by+", from "+orNone(from))
	if err := st.Save(in.State); err != nil {
		return fmt.Errorf("switch to %s: %w", version, err)
	}
	in.step("marked")
	if err := in.point(version); err != nil {
		return fmt.Errorf("switch to %s: %w", version, err)
	}
	switched = true
	in.step("switched")
	return nil
}

func orNone(v string) string {
	if v == "" {
		return "nothing"
	}
	return v
}

// Await waits for the version on trial to report healthy, and commits it; past the trial's time it
// rolls back. It returns at once when nothing is on trial.
func (in *Installer) Await(ctx context.Context) error {
	poll := in.Poll
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	for {
		done, timedOut, err := in.decide(ctx, false)
		if timedOut {
			// Stop and start outside the lock: the kiosk's pre-start Recover takes it. What happened
			// meanwhile (a late report, the pre-start's own rollback) is looked at again.
			if serr := in.Service.Stop(ctx); serr != nil {
				in.log().Error("stop the kiosk for the rollback", "err", serr)
			}
			_, _, err = in.decide(ctx, true)
			if serr := in.Service.Start(ctx); serr != nil {
				in.log().Error("start the kiosk after the rollback", "err", serr)
			}
			return err
		}
		if done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the trial: %w (it goes on; `hallkiosk-update status` tells)", ctx.Err())
		case <-time.After(poll):
		}
	}
}

// decide looks at the trial once, under the lock: done once it is decided (committed, or rolled
// back by the kiosk's pre-start), timedOut when the version ran out of time. With stopped (the kiosk
// is down) a version out of time is rolled back here.
func (in *Installer) decide(ctx context.Context, stopped bool) (done, timedOut bool, err error) {
	unlock, err := in.lock()
	if err != nil {
		return true, false, err
	}
	defer unlock()
	st, err := state.Load(in.State)
	if err != nil {
		return true, false, err
	}
	p := st.Pending
	switch {
	case p == nil:
		if why, ok := st.Refused[lastVersion(st)]; ok && lastWhat(st) == "rolled-back" {
			return true, false, fmt.Errorf("%w: %s", ErrTrialFailed, why)
		}
		return true, false, nil
	case state.Healthy(in.State, p.Version):
		return true, false, in.commit(st)
	case in.now().Sub(p.Started) <= in.trial():
		return false, false, nil
	case stopped:
		return true, false, in.rollback(ctx, st, fmt.Sprintf("not healthy within %s of the switch", in.trial()))
	}
	return true, true, nil
}

func lastVersion(st *state.State) string {
	if len(st.History) == 0 {
		return ""
	}
	return st.History[len(st.History)-1].Version
}

func lastWhat(st *state.State) string {
	if len(st.History) == 0 {
		return ""
	}
	return st.History[len(st.History)-1].What
}

func (in *Installer) commit(st *state.State) error {
	p := st.Pending
	if p.From != "" && p.By != "rollback" {
		st.Previous = p.From
	}
	if p.By == "rollback" {
		st.Previous = ""
	}
	st.Current = p.Version
	st.Pending = nil
	delete(st.Refused, p.Version)
	st.Record(in.now(), "committed", p.Version, "reported healthy")
	if err := st.Save(in.State); err != nil {
		return err
	}
	in.log().Info("update committed", "version", p.Version)
	in.prune(st)
	return os.RemoveAll(in.backupDir())
}

// prune removes release folders other than the current and previous ones.
func (in *Installer) prune(st *state.State) {
	ents, _ := os.ReadDir(in.releases())
	for _, e := range ents {
		n := e.Name()
		if n == st.Current || n == st.Previous || strings.HasPrefix(n, ".") {
			continue
		}
		os.RemoveAll(filepath.Join(in.releases(), n))
	}
}

// rollingBack marks a rollback begun and not finished, so Recover completes it.
const rollingBack = state.RollingBack

// rollback switches back to the version before the trial and restores the store, under the lock,
// with the kiosk stopped (or not yet started: Recover before its start).
func (in *Installer) rollback(ctx context.Context, st *state.State, why string) error {
	p := st.Pending
	in.log().Warn("update rolled back", "version", p.Version, "to", p.From, "why", why)
	if p.By != rollingBack {
		p.By = rollingBack
		if st.Refused == nil {
			st.Refused = map[string]string{}
		}
		st.Refused[p.Version] = why
		st.Record(in.now(), "rolling-back", p.Version, why)
		if err := st.Save(in.State); err != nil {
			return err
		}
	}
	if p.From != "" {
		if err := in.point(p.From); err != nil {
			return fmt.Errorf("roll back to %s: %w", p.From, err)
		}
	}
	if err := in.restore(); err != nil {
		return fmt.Errorf("roll back to %s: restore the store: %w", p.From, err)
	}
	st.Current = p.From
	st.Pending = nil
	st.Record(in.now(), "rolled-back", p.Version, st.Refused[p.Version])
	if err := st.Save(in.State); err != nil {
		return err
	}
	os.RemoveAll(in.backupDir())
	return fmt.Errorf("%w to %s: %s", ErrTrialFailed, orNone(p.From), st.Refused[p.Version])
}

// Recover brings the device to a consistent state after anything that was cut off. boot is true
// when it runs just before the kiosk starts (systemd's ExecStartPre): a start of a version on trial
// is counted, and a version that crashed too often or ran past its trial is rolled back there.
// It reports what it did, "" when nothing.
func (in *Installer) Recover(ctx context.Context, boot bool) (string, error) {
	unlock, err := in.lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	ents, _ := os.ReadDir(in.releases())
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".staging-") {
			os.RemoveAll(filepath.Join(in.releases(), e.Name()))
		}
	}
	os.Remove(in.currentLink() + ".new")
	st, err := state.Load(in.State)
	if err != nil {
		return "", err
	}
	p := st.Pending
	if p == nil {
		if st.Current == "" && in.Running() != "" { // installed by the package: the first good version
			st.Current = in.Running()
			st.Record(in.now(), "committed", st.Current, "found installed")
			return "found " + st.Current, st.Save(in.State)
		}
		return "", nil
	}
	if p.By == rollingBack {
		err := in.rollback(ctx, st, st.Refused[p.Version])
		return "finished the rollback of " + p.Version, ignoreTrialFailed(err)
	}
	if in.Running() != p.Version {
		st.Pending = nil
		st.Record(in.now(), "interrupted", p.Version, "the install was cut off before the switch; "+orNone(p.From)+" stays")
		if err := st.Save(in.State); err != nil {
			return "", err
		}
		os.RemoveAll(in.backupDir())
		return "dropped the interrupted install of " + p.Version, nil
	}
	if state.Healthy(in.State, p.Version) {
		return "committed " + p.Version, in.commit(st)
	}
	if !boot {
		return "", nil
	}
	p.Attempts++
	switch {
	case p.Attempts > in.maxAttempts():
		err := in.rollback(ctx, st, fmt.Sprintf("it did not report healthy in %d starts (crashed at start?)", in.maxAttempts()))
		return "rolled back " + p.Version, ignoreTrialFailed(err)
	case in.now().Sub(p.Started) > in.trial():
		err := in.rollback(ctx, st, fmt.Sprintf("not healthy within %s of the switch", in.trial()))
		return "rolled back " + p.Version, ignoreTrialFailed(err)
	}
	return fmt.Sprintf("%s on trial, start %d of %d", p.Version, p.Attempts, in.maxAttempts()), st.Save(in.State)
}

func ignoreTrialFailed(err error) error {
	if errors.Is(err, ErrTrialFailed) {
		return nil
	}
	return err
}

// point switches `current` to releases/<version> by one rename over the old link, and fsyncs Root.
func (in *Installer) point(version string) error {
	tmp := in.currentLink() + ".new"
	os.Remove(tmp)
	if err := os.Symlink(filepath.Join("releases", version), tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, in.currentLink()); err != nil {
		return err
	}
	return state.SyncDir(in.Root)
}

// Backup files: the store, its journal, and a mark for a store that did not exist yet.
const (
	backupStore   = "store.db"
	backupJournal = "store.db.journal"
	backupNone    = "no-store"
)

// backup copies the store (stopped: nobody writes it) and its journal into State/backup, fsynced,
// through a temporary folder renamed into place.
func (in *Installer) backup() error {
	tmp := in.backupDir() + ".new"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return err
	}
	if _, err := os.Stat(in.Store); errors.Is(err, fs.ErrNotExist) {
		if err := state.WriteFile(filepath.Join(tmp, backupNone), nil); err != nil {
			return err
		}
	} else {
		if err := copyFile(in.Store, filepath.Join(tmp, backupStore)); err != nil {
			os.RemoveAll(tmp)
			return err
		}
		if _, err := os.Stat(in.Store + ".journal"); err == nil {
			if err := copyFile(in.Store+".journal", filepath.Join(tmp, backupJournal)); err != nil {
				os.RemoveAll(tmp)
				return err
			}
		}
	}
	if err := state.SyncDir(tmp); err != nil {
		return err
	}
	if err := os.RemoveAll(in.backupDir()); err != nil {
		return err
	}
	if err := os.Rename(tmp, in.backupDir()); err != nil {
		return err
	}
	return state.SyncDir(in.State)
}

// restore puts the backed-up store back over whatever the failed version left.
func (in *Installer) restore() error {
	b := in.backupDir()
	if _, err := os.Stat(filepath.Join(b, backupNone)); err == nil {
		os.Remove(in.Store + ".journal")
		if err := os.Remove(in.Store); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return state.SyncDir(filepath.Dir(in.Store))
	}
	if _, err := os.Stat(filepath.Join(b, backupStore)); err != nil {
		return fmt.Errorf("no backup in %s: %w", b, err)
	}
	if err := copyFile(filepath.Join(b, backupStore), in.Store+".restore"); err != nil {
		return err
	}
	if err := os.Rename(in.Store+".restore", in.Store); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(b, backupJournal)); err == nil {
		if err := copyFile(filepath.Join(b, backupJournal), in.Store+".journal.restore"); err != nil {
			return err
		}
		if err := os.Rename(in.Store+".journal.restore", in.Store+".journal"); err != nil {
			return err
		}
	} else if err := os.Remove(in.Store + ".journal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return state.SyncDir(filepath.Dir(in.Store))
}

// copyFile copies src to dst (0600), fsynced.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	// The copy keeps the store's owner: the updater runs as root and the kiosk as its own user,
	// which must still open a restored store for writing.
	if fi, err := in.Stat(); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
			if err := out.Chown(int(st.Uid), int(st.Gid)); err != nil {
				out.Close()
				os.Remove(dst)
				return fmt.Errorf("copy %s to %s: keep its owner: %w", src, dst, err)
			}
		}
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(dst)
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return out.Close()
}

// Rollback goes back to the previous version that passed its trial, on trial itself (the store is
// backed up first, so a previous version that cannot read it is undone again).
func (in *Installer) Rollback(ctx context.Context) error {
	if _, err := in.Recover(ctx, false); err != nil {
		return err
	}
	st, err := state.Load(in.State)
	if err != nil {
		return err
	}
	if st.Previous == "" || !in.Has(st.Previous) {
		return errors.New("no previous version to roll back to (none passed a trial before this one)")
	}
	return in.Switch(ctx, st.Previous, "rollback")
}
