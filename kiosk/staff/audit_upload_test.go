package staff_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/staff"
	"hallkiosk/kiosk/upload"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

// enrolledWindow is a window's store (its audit lines uploaded, as the kiosk's main sets it), enrolled
// for 王上村 with the real township on 127.0.0.1, and its upload loop.
func enrolledWindow(t *testing.T) (*clock.Fake, *localdb.DB, *kiosktest.Township, *upload.Client, *upload.Loop) {
	t.Helper()
	clk := kiosktest.Clock()
	dir := t.TempDir()
	sealer, err := localdb.LoadOrCreateKey(filepath.Join(dir, "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := localdb.Open(filepath.Join(dir, "window.db"), localdb.Options{Sealer: sealer, Now: clk.Now, AuditUpload: api.KindAudit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tw := kiosktest.NewTownship(t)
	client, _ := tw.Enrol(t, "王上村")
	loop := &upload.Loop{DB: db, Client: client, Clock: clk, BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond,
		Log: slog.New(slog.DiscardHandler)}
	return clk, db, tw, client, loop
}

// Every staff action at the window reaches the township's copy of the audit log, once, in order,
// through the same outbox as the cases: the first station head's setup, a wrong PIN, a sign-in, a
// sign-out; the township lists them under the device with its village, and no staff name travels.
func TestStaffAuditReachesTheTownship(t *testing.T) {
	clk, db, tw, client, loop := enrolledWindow(t)

	desk := staff.NewDesk(db, clk, nil, staff.Config{}, nil)
	code, err := desk.SetupCode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.SetupHead(code, staff.Account{ID: "Z01", Name: "王站长", PIN: "260731"}); err != nil {
		t.Fatal(err)
	}
	desk.SignOut()
	if _, err := desk.SignIn("Z01", "111112"); err == nil {
		t.Fatal("a wrong PIN signed in")
	}
	if _, err := desk.SignIn("Z01", "260731"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	loop.Round(ctx)
	loop.Round(ctx) // nothing twice
	lines, err := tw.Store.AuditLog(client.Cred.DeviceID, 0)
	if err != nil {
		t.Fatal(err)
	}
	local, _ := db.AuditLog()
	var got, want []string
	for _, l := range lines {
		got = append(got, fmt.Sprintf("%d %s:%s %s", l.Seq, l.Actor, l.Action, l.Village))
		if strings.Contains(l.Actor+l.Subject, "王站长") {
			t.Errorf("a staff name travelled: %+v", l)
		}
	}
	for _, e := range local {
		want = append(want, fmt.Sprintf("%d %s:%s 王上村", e.Seq, e.Actor, e.Action))
	}
	if len(local) < 5 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the township's audit log:\n%s\nthe window's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if st, _ := db.Stats(); st.Depth != 0 || st.Quarantined != 0 {
		t.Fatalf("uploads left: %+v", st)
	}
}

// An account the township publishes comes down the feed (checked against the contract) with no
// PIN; its holder chooses one at the window with the station head as witness; disabling it at the
// township stops it at the window after the next round.
func TestTownshipAccountReachesTheWindow(t *testing.T) {
	clk, db, tw, client, loop := enrolledWindow(t)
	publish := func(village, payload string) {
		t.Helper()
		var p api.StaffPayload
		_ = json.Unmarshal([]byte(payload), &p)
		if _, err := tw.Store.Publish(village, api.ChangeStaff, p.ID, json.RawMessage(payload)); err != nil {
			t.Fatal(err)
		}
	}
	publish("王上村", `{"id":"Z01","name":"王站长","role":"head"}`)
	publish("王上村", `{"id":"S07","name":"李社工","role":"worker"}`)
	publish("李下村", `{"id":"S99","name":"别村社工","role":"worker"}`)
	ctx := context.Background()
	loop.Round(ctx)

	desk := staff.NewDesk(db, clk, nil, staff.Config{}, nil)
	if _, err := desk.SignIn("S99", "480915"); !errors.Is(err, staff.ErrNoSuchStaff) {
		t.Fatalf("another village's account: %v", err)
	}
	code, _ := desk.SetupCode()
	if _, err := desk.SetupHead(code, staff.Account{ID: "Z01", PIN: "260731"}); err != nil {
		t.Fatal(err)
	}
	desk.SignOut()
	if s, err := desk.Activate("S07", "Z01", "260731", "480915", ""); err != nil || s.Name != "李社工" {
		t.Fatalf("activate: %+v %v", s, err)
	}
	desk.SignOut()
	publish("王上村", `{"id":"S07","name":"李社工","role":"worker","disabled":true}`)
	loop.Round(ctx)
	if _, err := desk.SignIn("S07", "480915"); !errors.Is(err, staff.ErrDisabled) {
		t.Fatalf("disabled at the township: %v", err)
	}
	loop.Round(ctx) // the audit line of the pulled change goes up
	lines, _ := tw.Store.AuditLog(client.Cred.DeviceID, 0)
	var acts []string
	for _, l := range lines {
		acts = append(acts, l.Actor+":"+l.Action+":"+l.Subject)
	}
	if got := strings.Join(acts, " "); !strings.Contains(got, "Z01:staff.activate:S07") || !strings.Contains(got, "township:staff.feed.disabled:S07") {
		t.Fatalf("the township's audit log: %s", got)
	}
}
