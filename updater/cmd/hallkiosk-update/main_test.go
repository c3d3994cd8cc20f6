package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hallkiosk/updater/fetch"
	"hallkiosk/updater/install"
	"hallkiosk/updater/internal/updatetest"
)

var bins string // the CLI and the stand-in kiosk, built once

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hku")
	if err != nil {
		panic(err)
	}
	bins = dir
	if err := updatetest.Build(dir, map[string]string{"hallkiosk-update": "hallkiosk/updater/cmd/hallkiosk-update", "testkiosk": updatetest.TestKiosk}); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hall is a publisher with a stick, and one device whose kiosk service is two shell scripts the way
// systemd's unit runs it: `hallkiosk-update boot`, then current/hallkiosk.
type hall struct {
	t                                     *testing.T
	dir, keys, stick, cfg, opt, st, store string
}

func newHall(t *testing.T) *hall { return newHallTrial(t, "20s") }

// newHallTrial sets how long a version has to report healthy.
func newHallTrial(t *testing.T, trial string) *hall {
	d := t.TempDir()
	h := &hall{t: t, dir: d, keys: filepath.Join(d, "keys"), stick: filepath.Join(d, "stick"), cfg: filepath.Join(d, "update.toml"),
		opt: filepath.Join(d, "opt"), st: filepath.Join(d, "state"), store: filepath.Join(d, "data", "kiosk.db")}
	repoDir := filepath.Join(h.stick, fetch.StickFolder)
	h.cli(0, "keys", "--keys", h.keys)
	h.cli(0, "init", "--repo", repoDir, "--keys", h.keys)
	pid := filepath.Join(d, "kiosk.pid")
	start := fmt.Sprintf(`#!/bin/sh
%[1]s boot --config %[2]s || exit 1
%[3]s/current/hallkiosk -state %[4]s -store %[5]s -pidfile %[6]s >>%[7]s/kiosk.log 2>&1 </dev/null &
kid=$!
i=0
while [ ! -f %[6]s ] && kill -0 $kid 2>/dev/null && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
`, filepath.Join(bins, "hallkiosk-update"), h.cfg, h.opt, h.st, h.store, pid, d)
	stop := fmt.Sprintf(`#!/bin/sh
[ -f %[1]s ] || exit 0
kill $(cat %[1]s) 2>/dev/null
i=0
while [ -f %[1]s ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
`, pid)
	os.WriteFile(filepath.Join(d, "start.sh"), []byte(start), 0o755)
	os.WriteFile(filepath.Join(d, "stop.sh"), []byte(stop), 0o755)
	cfg := fmt.Sprintf("root = %q\nopt = %q\nstate = %q\nstore = %q\ntrial = %q\nstop_command = [%q]\nstart_command = [%q]\n",
		filepath.Join(repoDir, "1.root.json"), h.opt, h.st, h.store, trial, filepath.Join(d, "stop.sh"), filepath.Join(d, "start.sh"))
	os.WriteFile(h.cfg, []byte(cfg), 0o644)
	t.Cleanup(func() { h.sh("stop.sh") })
	return h
}

// cli runs hallkiosk-update and checks its exit code (-1: killed).
func (h *hall) cli(want int, args ...string) string {
	h.t.Helper()
	return h.cliEnv(want, nil, args...)
}

func (h *hall) cliEnv(want int, env []string, args ...string) string {
	h.t.Helper()
	if len(args) > 0 && !slices.Contains([]string{"keys", "init", "publish", "refresh", "rotate"}, args[0]) {
		args = append(args, "--config", h.cfg)
	}
	cmd := exec.Command(filepath.Join(bins, "hallkiosk-update"), args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		h.t.Fatal(err)
	}
	if code != want {
		h.t.Fatalf("hallkiosk-update %v: exit %d, want %d\n%s", args, code, want, out)
	}
	return string(out)
}

func (h *hall) sh(name string) {
	if out, err := exec.Command(filepath.Join(h.dir, name)).CombinedOutput(); err != nil {
		h.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

func (h *hall) publish(version, behaviour string) {
	h.t.Helper()
	rel := updatetest.Release(h.t, filepath.Join(bins, "testkiosk"), version, behaviour)
	h.cli(0, "publish", "--repo", filepath.Join(h.stick, fetch.StickFolder), "--keys", h.keys, "--release", rel, "--version", version)
}

// kiosk stops the service, runs current/hallkiosk with args (the technician starting it to look),
// and starts the service again.
func (h *hall) kiosk(args ...string) string {
	h.t.Helper()
	h.sh("stop.sh")
	defer h.sh("start.sh")
	out, err := exec.Command(filepath.Join(h.opt, "current", "hallkiosk"), append([]string{"-state", h.st, "-store", h.store}, args...)...).CombinedOutput()
	if err != nil {
		h.t.Fatalf("start the kiosk %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestKillNineBetweenEveryInstallStep(t *testing.T) {
	for i, step := range install.Steps {
		t.Run(step, func(t *testing.T) {
			h := newHall(t)
			h.publish("1.0.0", "good")
			h.cli(0, "install", "--from", "usb:"+h.stick, "--now")
			h.kiosk("-submit", "3")
			h.publish("1.1.0", "good")
			h.cliEnv(-1, []string{"HALLKIOSK_UPDATE_CRASH_AT=" + step}, "install", "--from", "usb:"+h.stick, "--now")
			// The hall's power comes back: the kiosk starts (boot first), and the technician looks.
			h.sh("stop.sh")
			h.sh("start.sh")
			status := h.cli(0, "status")
			want := "1.0.0"
			if i >= slices.Index(install.Steps, "switched") {
				want = "1.1.0" // switched before the kill: the new version ran its trial and passed
			}
			if got := h.kiosk("-report"); got != "version="+want+" submissions=3" {
				t.Fatalf("after kill -9 at %s: %s\nstatus:\n%s", step, got, status)
			}
			if strings.Contains(h.cli(0, "status"), "on trial") {
				t.Fatalf("still on trial after the kiosk reported healthy:\n%s", status)
			}
			if m, _ := filepath.Glob(filepath.Join(h.opt, "releases", ".staging-*")); len(m) > 0 {
				t.Fatalf("left behind: %v", m)
			}
			// And the next install goes through.
			h.publish("1.2.0", "good")
			h.cli(0, "install", "--from", "usb:"+h.stick, "--now")
			if got := h.kiosk("-report"); got != "version=1.2.0 submissions=3" {
				t.Fatalf("the install after: %s", got)
			}
		})
	}
}

func TestCheckDowngradeAndABadVersion(t *testing.T) {
	h := newHallTrial(t, "3s")
	h.publish("1.0.0", "good")
	h.publish("1.1.0", "good")
	if out := h.cli(0, "check", "--from", "usb:"+h.stick); !strings.Contains(out, "would install: 1.1.0") {
		t.Fatalf("check:\n%s", out)
	}
	h.cli(0, "install", "--from", "usb:"+h.stick, "--now")
	// A downgrade not signed as a rollback is refused, and nothing changes.
	out := h.cli(1, "install", "--from", "usb:"+h.stick, "--version", "1.0.0", "--now")
	if !strings.Contains(out, "older and not signed as a rollback") {
		t.Fatalf("downgrade:\n%s", out)
	}
	h.kiosk("-submit", "2")
	// A version that crashes at start is rolled back (exit 3) with the data.
	h.publish("1.2.0", "crash")
	out = h.cli(3, "install", "--from", "usb:"+h.stick, "--now")
	if !strings.Contains(out, "rolled back") {
		t.Fatalf("bad version:\n%s", out)
	}
	if got := h.kiosk("-report"); got != "version=1.1.0 submissions=2" {
		t.Fatalf("after the rollback: %s", got)
	}
	// The refused version is not offered again by the schedule.
	if out := h.cli(0, "check", "--from", "usb:"+h.stick); !strings.Contains(out, "would install: nothing") {
		t.Fatalf("check after a refused version:\n%s", out)
	}
}
