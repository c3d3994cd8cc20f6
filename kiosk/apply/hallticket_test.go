package apply

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/queue/hall"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

// TestTicketsFromTheHallQueue: with a hall queue the kiosk's numbers come from the window PC's
// service, with the real number waiting; while the service is away, from the kiosk's own block,
// with no waiting figure on screen or slip; a kiosk with no block says to go to the window.
func TestTicketsFromTheHallQueue(t *testing.T) {
	f := newFixture(t)
	hostDB, err := localdb.Open(filepath.Join(t.TempDir(), "host.db"), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer hostDB.Close()
	q, err := queue.New(queue.BoltStore{DB: hostDB}, f.svc.Text.Lists.Businesses, f.clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	key := api.HallKey(f.svc.Cfg.VoteKey)
	srv := httptest.NewServer(hall.NewServer(hall.Config{Queue: q, Key: key, Now: f.clk.Now}))
	defer srv.Close()
	c := hall.NewClient(hall.ClientConfig{URL: srv.URL, Device: "K007", Key: key, Businesses: f.svc.Text.Lists.Businesses,
		DB: f.db, Clock: f.clk})
	f.svc.Hall = c
	// Another kiosk of the hall took two numbers already.
	for range 2 {
		if _, err := q.Take("社会救助", "K008"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.EnsureBlock(t.Context()); err != nil {
		t.Fatal(err)
	}
	tk, job, err := f.svc.TakeTicket("社会救助")
	if err != nil || tk.Number != "A003" || tk.Waiting != 2 || !bytes.Contains(job, gb("您前面还有 2 人")) {
		t.Fatalf("online: %+v %v", tk, err)
	}
	srv.Close() // the window PC is off
	tk, job, err = f.svc.TakeTicket("社会救助")
	if err != nil || tk.Number != "A601" || tk.Waiting != -1 || bytes.Contains(job, gb("您前面还有")) || !bytes.Contains(job, gb("A601")) {
		t.Fatalf("own block: %+v %v", tk, err)
	}
	// Both are the kiosk's records for the township.
	if ts, _ := f.db.Tickets(tk.Day); len(ts) != 2 {
		t.Fatalf("%d ticket records", len(ts))
	}
	other := hall.NewClient(hall.ClientConfig{URL: srv.URL, Device: "K009", Key: key, Businesses: f.svc.Text.Lists.Businesses,
		DB: f.db, Clock: f.clk})
	f.svc.Hall = other
	_ = f.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("hall_client")) })
	if _, _, err := f.svc.TakeTicket("社会救助"); !errors.Is(err, ErrNoTicket) {
		t.Fatalf("no service and no block: %v", err)
	}
}
