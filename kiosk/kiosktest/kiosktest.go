// Package kiosktest is the one set of helpers the kiosk's tests share: a store on a temporary
// Bolt file, a fake clock, the built-in catalog, strings and calendar, the printer simulator on a
// real pty, the card reader simulator read through the real poller, and a township service on
// 127.0.0.1 with an enrolled upload link. Everything is cleaned up with the test.
package kiosktest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"hallkiosk/assets"
	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/drivers/serialport"
	"hallkiosk/drivers/sim"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/upload"
	"hallkiosk/kiosk/workday"
	"hallkiosk/localdb"
	"hallkiosk/township/api/apitest"
	"hallkiosk/township/server"
	"hallkiosk/township/store"
)

// Start is when every fake clock starts: a Monday morning in March 2026.
var Start = time.Date(2026, 3, 2, 9, 30, 0, 0, time.Local)

// Clock is a fake clock at Start.
func Clock() *clock.Fake { return clock.NewFake(Start) }

// Strings are the zh-CN strings.
func Strings(t testing.TB) *text.Strings {
	t.Helper()
	s, err := text.Load()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Catalog is the built-in catalog; a problem in it fails the test.
func Catalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, probs, err := catalog.Parse(assets.CatalogName, assets.DefaultCatalog)
	if err != nil || len(probs) > 0 {
		t.Fatalf("catalog: %v %v", err, probs)
	}
	return cat
}

// Calendar is the built-in holiday calendar.
func Calendar(t testing.TB) *workday.Calendar {
	t.Helper()
	cal, err := workday.Parse("built-in", assets.Holidays)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// Store is a sealed store on a temporary Bolt file, taking its time from clk.
type Store struct {
	DB     *localdb.DB
	Path   string
	Sealer *localdb.Sealer
}

// NewStore opens a store in a temporary folder.
func NewStore(t testing.TB, clk clock.Clock) *Store {
	t.Helper()
	dir := t.TempDir()
	s, err := localdb.LoadOrCreateKey(filepath.Join(dir, "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "kiosk.db")
	db, err := localdb.Open(path, localdb.Options{Sealer: s, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Store{DB: db, Path: path, Sealer: s}
}

// Printer is the printer simulator served on a real pty, and the driver talking to it through
// go.bug.st/serial.
type Printer struct {
	Sim    *sim.Printer
	Device *printer.Device
}

// NewPrinter starts the simulator (printing a job in a millisecond) and opens its port.
func NewPrinter(t testing.TB) *Printer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	prn := sim.NewPrinter()
	prn.PrintTime = time.Millisecond
	path, err := sim.ServePTY(ctx, prn.Serve)
	if err != nil {
		t.Fatal(err)
	}
	port, err := serialport.Open(path, 19200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	return &Printer{Sim: prn, Device: printer.NewDevice(port, printer.Pacing{})}
}

// Reader is the card reader simulator with the sample cards, read through the real poller over a
// pty; it is a cards.Source of what the poller reads.
type Reader struct {
	Sim *sim.CardReader
	ch  chan idcard.Event
}

// Events is what the poller reads.
func (r *Reader) Events() <-chan idcard.Event { return r.ch }

// NewReader starts the simulator and a poller on it.
func NewReader(t testing.TB) *Reader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reader := sim.NewCardReader(idcard.SampleCards())
	path, err := sim.ServePTY(ctx, reader.Serve)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	events := make(chan idcard.Event, 4)
	p := &idcard.Poller{Open: func() (serialport.Port, error) { return serialport.Open(path, 115200) },
		Interval: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)}
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx, events) }()
	t.Cleanup(func() { cancel(); <-done })
	return &Reader{Sim: reader, ch: events}
}

// Township is a township service on 127.0.0.1 with its own store.
type Township struct {
	Store *store.Store
	URL   string
	srv   *httptest.Server
}

// NewTownship starts a township service for 五泉镇.
func NewTownship(t testing.TB) *Township { return NewTownshipAt(t, nil) }

// NewTownshipAt starts a township service whose clock is now (the wall clock when nil).
func NewTownshipAt(t testing.TB, now func() time.Time) *Township {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "township.db"), filepath.Join(dir, "township.key"), now)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{Store: st, Township: "五泉镇民生服务中心", Now: now}))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &Township{Store: st, URL: srv.URL, srv: srv}
}

// Close stops the service (the township goes away; the kiosk must keep everything).
func (tw *Township) Close() { tw.srv.Close() }

// Enrol enrols a kiosk of village with the township and returns its upload client.
func (tw *Township) Enrol(t testing.TB, village string) (*upload.Client, *http.Client) {
	t.Helper()
	code, _, err := tw.Store.NewCode(village, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := upload.HTTPClient("", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// Every exchange with the township is checked against its published contract.
	contract, err := apitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	hc.Transport = &apitest.Transport{Contract: contract, Base: hc.Transport, T: t}
	cred, err := upload.Enrol(context.Background(), hc, tw.URL, code, "一号机", "")
	if err != nil {
		t.Fatal(err)
	}
	return &upload.Client{Cred: cred, HTTP: hc}, hc
}
