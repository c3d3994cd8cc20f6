// Package state is what the updater and the kiosk both read and write in the update state folder
// (/var/lib/hallkiosk/update): the install state with its pending trial, the kiosk's report that a
// version in trial is healthy, and whether a resident is in a flow (an update waits for a quiet
// moment). It imports nothing of ours, so the kiosk takes it without the updater's dependencies.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"hallkiosk/internal/atomicfile"
)

// State is the updater's record: which version runs, which passed a trial, what is in trial now.
type State struct {
	// Current is the version `current` points at once committed.
	Current string `json:"current,omitempty"`
	// Previous is the last version before Current that passed its trial: what `rollback` goes to.
	Previous string   `json:"previous,omitempty"`
	Pending  *Pending `json:"pending,omitempty"`
	// Refused lists versions that failed their trial, with why; automatic updates skip them.
	Refused map[string]string `json:"refused,omitempty"`
	History []Event           `json:"history,omitempty"`
}

// Pending is a version switched to and not yet proven healthy.
type Pending struct {
	Version  string    `json:"version"`
	From     string    `json:"from"`
	Attempts int       `json:"attempts"` // starts of the new version so far
	Started  time.Time `json:"started"`
	// Until is when the trial runs out: a kiosk of this version that has not reported healthy by then
	// quits, so the updater's step before its next start rolls it back even when no updater is
	// waiting (one killed mid-wait, a power cut). Zero in states written before it existed.
	Until  time.Time `json:"until,omitzero"`
	Backup string    `json:"backup"` // folder holding the store as it was before the switch
	By     string    `json:"by"`     // "technician", "schedule", "rollback", or RollingBack
}

// RollingBack is Pending.By once a failed version is being undone (Recover finishes it).
const RollingBack = "rolling-back"

// Last is the latest event in words ("rolled-back 1.3.0: never reported healthy"), "" when none.
func (s *State) Last() string {
	if len(s.History) == 0 {
		return ""
	}
	e := s.History[len(s.History)-1]
	out := e.What + " " + e.Version
	if e.Why != "" {
		out += ": " + e.Why
	}
	return out
}

// Event is one line of the update history (kept to the last 100).
type Event struct {
	At      time.Time `json:"at"`
	What    string    `json:"what"` // installed, committed, rolled-back, interrupted, refused
	Version string    `json:"version"`
	Why     string    `json:"why,omitempty"`
}

const (
	stateFile    = "state.json"
	activityFile = "activity.json"
	maxHistory   = 100
)

// Load reads the state in dir; a missing file is an empty state.
func Load(dir string) (*State, error) {
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &State{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read update state: %w", err)
	}
	var s State
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("read update state %s: %w", filepath.Join(dir, stateFile), err)
	}
	return &s, nil
}

// Save writes the state through a fsynced temporary file and a rename, so a power cut leaves the
// old state or the new one, never half of either.
func (s *State) Save(dir string) error {
	if len(s.History) > maxHistory {
		s.History = s.History[len(s.History)-maxHistory:]
	}
	raw, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	return WriteFile(filepath.Join(dir, stateFile), raw)
}

// Record appends an event.
func (s *State) Record(at time.Time, what, version, why string) {
	s.History = append(s.History, Event{At: at.UTC(), What: what, Version: version, Why: why})
}

// InTrial reports whether version is on trial: the kiosk of that version then takes no resident's
// input until it has reported healthy.
func InTrial(dir, version string) bool {
	s, err := Load(dir)
	return err == nil && s.Pending != nil && s.Pending.Version == version && !Healthy(dir, version)
}

// TrialUntil is when version's trial runs out; ok is false when it is not on trial or the updater
// set no end.
func TrialUntil(dir, version string) (until time.Time, ok bool) {
	s, err := Load(dir)
	if err != nil || s.Pending == nil || s.Pending.Version != version || s.Pending.Until.IsZero() {
		return time.Time{}, false
	}
	return s.Pending.Until, true
}

// Health is the kiosk's report that a version in trial works.
type Health struct {
	Version string            `json:"version"`
	At      time.Time         `json:"at"`
	Checks  map[string]string `json:"checks"` // what was checked and what it said
}

func healthFile(dir, version string) string { return filepath.Join(dir, "trial", version+".healthy") }

// ReportHealthy is the kiosk's word that its version passed the trial's checks.
func ReportHealthy(dir string, h Health) error {
	if err := os.MkdirAll(filepath.Join(dir, "trial"), 0o755); err != nil {
		return fmt.Errorf("report healthy: %w", err)
	}
	raw, _ := json.Marshal(h)
	return WriteFile(healthFile(dir, h.Version), raw)
}

// Healthy reports whether the kiosk reported version healthy.
func Healthy(dir, version string) bool {
	_, err := os.Stat(healthFile(dir, version))
	return err == nil
}

// ClearHealth forgets a version's report (before its trial starts).
func ClearHealth(dir, version string) error {
	err := os.Remove(healthFile(dir, version))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Activity is the kiosk's word on whether a resident (or staff member) is in a flow.
type Activity struct {
	InFlow bool      `json:"in_flow"`
	At     time.Time `json:"at"`
}

// WriteActivity records whether someone is in a flow now.
func WriteActivity(dir string, inFlow bool, at time.Time) error {
	raw, _ := json.Marshal(Activity{InFlow: inFlow, At: at.UTC()})
	return WriteFile(filepath.Join(dir, activityFile), raw)
}

// ReadActivity reads the kiosk's last word; ok is false when it never wrote one.
func ReadActivity(dir string) (Activity, bool) {
	raw, err := os.ReadFile(filepath.Join(dir, activityFile))
	if err != nil {
		return Activity{}, false
	}
	var a Activity
	if json.Unmarshal(raw, &a) != nil {
		return Activity{}, false
	}
	return a, true
}

// WriteFile writes p whole or not at all (atomicfile), mode 0644.
func WriteFile(p string, data []byte) error { return atomicfile.WriteFile(p, data, 0o644) }

// SyncDir fsyncs a folder, so names made or renamed in it survive a power cut.
func SyncDir(dir string) error { return atomicfile.SyncDir(dir) }
