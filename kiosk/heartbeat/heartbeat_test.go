package heartbeat

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/health"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	updstate "hallkiosk/updater/state"
)

// A kiosk whose clock is two hours fast still reports to the real township, with that skew, its
// version on trial, its queue, its devices and its store; the next heartbeat comes one interval
// later on the kiosk's clock. Nothing of a resident's goes with it.
func TestHeartbeatReachesTheTownship(t *testing.T) {
	town := clock.NewFake(kiosktest.Start)
	kclk := clock.NewFake(kiosktest.Start.Add(2 * time.Hour))
	tw := kiosktest.NewTownshipAt(t, town.Now)
	client, _ := tw.Enrol(t, "王上村")
	st := kiosktest.NewStore(t, kclk)
	if _, err := st.DB.Submit(localdb.Record{}, "message", []byte(`{"name":"李淼喆","phone":"13800000000"}`)); err != nil {
		t.Fatal(err)
	}
	prn := kiosktest.NewPrinter(t)
	prn.Sim.SetPaperOut(true)
	upd := t.TempDir()
	us := &updstate.State{Current: "1.4.0", Pending: &updstate.Pending{Version: "1.4.0", From: "1.3.0", Started: kclk.Now(), By: "schedule"}}
	us.Record(kclk.Now(), "installed", "1.4.0", "")
	if err := us.Save(upd); err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 4)
	s := &Sender{Client: client, Version: "1.4.0", UpdateState: upd, Interval: time.Minute, Clock: kclk, Started: kclk.Now(),
		Health: &health.Source{DB: st.DB, Printer: prn.Device, PrinterConfigured: true, Reader: func() idcard.ReaderState { return idcard.ReaderAbsent }},
		Sent:   func(err error) { sent <- err }}
	kclk.Advance(90 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	wait := func() {
		t.Helper()
		select {
		case err := <-sent:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no heartbeat attempt")
		}
	}
	wait()
	beats, err := tw.Store.Heartbeats()
	if err != nil {
		t.Fatal(err)
	}
	b, ok := beats[client.Cred.DeviceID]
	if !ok {
		t.Fatalf("the township has no heartbeat: %v", beats)
	}
	h := b.Heartbeat
	if math.Abs(h.ClockSkewSeconds-7290) > 1 { // two hours, plus the 90 s the kiosk's clock moved
		t.Errorf("clock skew %.1f s, want 7290", h.ClockSkewSeconds)
	}
	want := api.Heartbeat{Version: "1.4.0", UpdateState: api.UpdateTrial, UpdatePendingVersion: "1.4.0", UpdateLast: "installed 1.4.0",
		IntervalSeconds: 60, UptimeSeconds: 90, UploadQueueItems: 1, UploadQueueOldestAgeSeconds: 90, CardReaderState: api.DeviceAbsent,
		PrinterState: api.DevicePaperOut, StoreSizeBytes: h.StoreSizeBytes, StoreCapBytes: 0, ClockSkewSeconds: h.ClockSkewSeconds}
	if h != want {
		t.Errorf("heartbeat\n got %+v\nwant %+v", h, want)
	}
	if h.StoreSizeBytes <= 0 {
		t.Errorf("store size %d", h.StoreSizeBytes)
	}
	raw, _ := json.Marshal(b)
	if strings.Contains(string(raw), "李淼喆") || strings.Contains(string(raw), "13800000000") {
		t.Errorf("personal data in the heartbeat: %s", raw)
	}

	// One interval later on the kiosk's clock, the next one, with the trial over.
	us.Pending = nil
	us.Record(kclk.Now(), "committed", "1.4.0", "")
	if err := us.Save(upd); err != nil {
		t.Fatal(err)
	}
	town.Advance(time.Minute)
	kclk.Advance(time.Minute)
	wait()
	beats, _ = tw.Store.Heartbeats()
	b = beats[client.Cred.DeviceID]
	if !b.Received.Equal(town.Now().UTC()) || b.UpdateState != api.UpdateIdle || b.UpdateLast != "committed 1.4.0" || b.UptimeSeconds != 150 {
		t.Errorf("second heartbeat: %+v", b)
	}
}

// Without the township the attempt fails and is tried again at the next interval; nothing blocks.
func TestHeartbeatWithoutTownship(t *testing.T) {
	kclk := kiosktest.Clock()
	tw := kiosktest.NewTownship(t)
	client, _ := tw.Enrol(t, "王上村")
	tw.Close()
	st := kiosktest.NewStore(t, kclk)
	sent := make(chan error, 4)
	s := &Sender{Client: client, Version: "dev", Interval: time.Minute, Clock: kclk, Started: kclk.Now(),
		Health: &health.Source{DB: st.DB}, Sent: func(err error) { sent <- err }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	for i := 0; i < 2; i++ {
		select {
		case err := <-sent:
			if err == nil || !strings.Contains(err.Error(), "township time") {
				t.Fatalf("attempt %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("attempt %d never came", i)
		}
		kclk.Advance(time.Minute)
	}
}
