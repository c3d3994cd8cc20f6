package health

import (
	"context"
	"strings"
	"testing"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/upload"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

// The report shows the queue, the quarantine with the township's reason (never the payload), the
// store's size and the printer's answer; requeue puts an item back and is audited.
func TestReportAndRequeue(t *testing.T) {
	clk := kiosktest.Clock()
	st := kiosktest.NewStore(t, clk)
	prn := kiosktest.NewPrinter(t)
	src := &Source{DB: st.DB, Printer: prn.Device, Upload: func() upload.Status { return upload.Status{State: upload.StateOffline, LastError: "dial tcp: refused"} }}
	var seqs []uint64
	for _, p := range []string{`{"name":"李淼喆"}`, `{"n":2}`} {
		it, err := st.DB.Submit(localdb.Record{}, "message", []byte(p))
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, it.Seq)
	}
	clk.Advance(time.Minute)
	if err := st.DB.Quarantine(seqs[0], "message: topic: has 0 characters"); err != nil {
		t.Fatal(err)
	}
	prn.Sim.SetPaperNearEnd(true)
	r, err := src.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Queue.Depth != 1 || r.Queue.Quarantined != 1 || len(r.Quarantine) != 1 || !strings.Contains(r.Quarantine[0].Reason, "topic") {
		t.Fatalf("report: %+v", r)
	}
	if !r.Enrolled || r.Upload.State != upload.StateOffline || !r.HasPrinter || r.PrinterErr != nil || r.Printer != printer.PaperNearEnd {
		t.Fatalf("report: %+v", r)
	}
	if r.Usage.Bytes <= 0 {
		t.Fatalf("store size: %+v", r.Usage)
	}
	if err := src.Requeue(seqs[0], "S09"); err != nil {
		t.Fatal(err)
	}
	r, _ = src.Read(context.Background())
	if r.Queue.Depth != 2 || len(r.Quarantine) != 0 {
		t.Fatalf("after requeue: %+v", r)
	}
	if log, _ := st.DB.AuditLog(); len(log) != 1 || log[0].Actor != "S09" || log[0].Action != "outbox.requeue" {
		t.Fatalf("audit: %+v", log)
	}
	if err := src.Requeue(seqs[1], "S09"); err == nil {
		t.Fatal("requeue of an item that is not in quarantine succeeded")
	}
}

// The heartbeat's words for the devices: a configured printer whose port never opened is absent,
// one that does not answer is a fault, and a kiosk without one says so instead of looking broken.
func TestDeviceStates(t *testing.T) {
	st := kiosktest.NewStore(t, kiosktest.Clock())
	prn := kiosktest.NewPrinter(t)
	reader := idcard.ReaderAbsent
	cases := []struct {
		name         string
		src          Source
		setup        func()
		reader, prnt string
	}{
		{"nothing configured", Source{}, nil, api.DeviceNotConfigured, api.DeviceNotConfigured},
		{"printer port never opened", Source{PrinterConfigured: true}, nil, api.DeviceNotConfigured, api.DeviceAbsent},
		{"paper out, reader unplugged", Source{Printer: prn.Device, PrinterConfigured: true, Reader: func() idcard.ReaderState { return reader }},
			func() { prn.Sim.SetPaperOut(true) }, api.DeviceAbsent, api.DevicePaperOut},
		{"all well", Source{Printer: prn.Device, PrinterConfigured: true, Reader: func() idcard.ReaderState { return idcard.ReaderReady }},
			func() { prn.Sim.SetPaperOut(false) }, api.DeviceReady, api.DeviceReady},
	}
	for _, c := range cases {
		if c.setup != nil {
			c.setup()
		}
		c.src.DB = st.DB
		r, err := c.src.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if rd, p := r.DeviceStates(); rd != c.reader || p != c.prnt {
			t.Errorf("%s: reader %q printer %q, want %q %q", c.name, rd, p, c.reader, c.prnt)
		}
	}
}
