package wall_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/upload"
	"hallkiosk/kiosk/wall"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

// Content arrives through the changes feed and is read back whole: a roster with its rows, a
// notice in the old shape (title, body, category), and a roster with a whole name, which never
// reaches the wall. A withdrawal removes an item.
func TestItemsFromTheFeed(t *testing.T) {
	st := kiosktest.NewStore(t, kiosktest.Clock())
	roster := `{"id":"db-q4","kind":"roster","part":"service","title":"第四季度低保公示","publisher":"王上村村民委员会",
		"from":"2026-11-24T00:00:00+08:00","until":"2026-12-01T00:00:00+08:00",
		"table":{"columns":[{"title":"户主","type":"name"},{"title":"月保障金","type":"money"}],"rows":[["李*喆","1260.00"]]}}`
	bad := `{"id":"db-bad","kind":"roster","part":"service","title":"名单","publisher":"村委会",
		"from":"2026-11-24T00:00:00+08:00","until":"2026-12-01T00:00:00+08:00",
		"table":{"columns":[{"title":"户主","type":"name"}],"rows":[["李淼喆"]]}}`
	old := `{"id":"tz-1","category":"村务","title":"停水通知","body":"周三上午停水。","from":"2026-11-24T00:00:00+08:00"}`
	changes := []localdb.Change{{Kind: "disclosure", Key: "db-q4", Payload: json.RawMessage(roster)},
		{Kind: "disclosure", Key: "db-bad", Payload: json.RawMessage(bad)}, {Kind: "disclosure", Key: "tz-1", Payload: json.RawMessage(old)}}
	if _, err := st.DB.ApplyChanges(changes, 3); err != nil {
		t.Fatal(err)
	}
	items, refused, err := wall.Items(st.DB, "五泉镇民生服务中心")
	if err != nil || len(items) != 2 || len(refused) != 1 {
		t.Fatalf("items %d, refused %v, %v", len(items), refused, err)
	}
	byID := map[string]wall.Item{}
	for _, it := range items {
		byID[it.ID] = it
	}
	if r := byID["db-q4"]; r.Kind != wall.KindRoster || r.Table == nil || r.Table.Rows[0][1] != "1260.00" {
		t.Fatalf("roster: %+v", r)
	}
	if n := byID["tz-1"]; n.Kind != wall.KindNotice || n.Part != wall.PartVillage || n.Until.IsZero() || n.Publisher == "" {
		t.Fatalf("old notice: %+v", n)
	}
	if _, err := st.DB.ApplyChanges([]localdb.Change{{Kind: "disclosure_withdraw", Key: "db-q4"}}, 4); err != nil {
		t.Fatal(err)
	}
	if items, _, _ := wall.Items(st.DB, "五泉镇民生服务中心"); len(items) != 1 || items[0].ID != "tz-1" {
		t.Fatalf("after the withdrawal: %+v", items)
	}
}

// Closed spans go up with the open ones kept, in one transaction; the open ones read back.
func TestProofKeptWithItsUploads(t *testing.T) {
	st := kiosktest.NewStore(t, kiosktest.Clock())
	p := wall.NewProof(nil)
	t0 := kiosktest.Clock().Now()
	p.Observe(t0, []string{"a", "b"}, true)
	closed := p.Observe(t0.Add(time.Minute), []string{"a"}, true)
	raw, err := closed[0].Payload()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB.SubmitAll(localdb.WallOpenRecord(p.Open()), localdb.Upload{Kind: api.KindDisplay, Payload: raw}); err != nil {
		t.Fatal(err)
	}
	open, err := st.DB.WallOpen()
	if err != nil || !strings.Contains(string(open), `"item":"a"`) || strings.Contains(string(open), `"item":"b"`) {
		t.Fatalf("open: %s %v", open, err)
	}
	if due, _ := st.DB.Due(t0.Add(time.Hour), 0); len(due) != 1 || due[0].Kind != api.KindDisplay {
		t.Fatalf("uploads: %+v", due)
	}
}

// A closed span reaches the township through the contract-checked client and is listed there.
func TestProofReachesTheTownship(t *testing.T) {
	clk := kiosktest.Clock()
	st := kiosktest.NewStore(t, clk)
	tw := kiosktest.NewTownship(t)
	client, _ := tw.Enrol(t, "王上村")
	p := wall.NewProof(nil)
	t0 := clk.Now()
	p.Observe(t0, []string{"tz-fire"}, true)
	closed := p.Observe(t0.Add(30*time.Second), nil, true)
	raw, err := closed[0].Payload()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB.SubmitAll(localdb.WallOpenRecord(p.Open()), localdb.Upload{Kind: api.KindDisplay, Payload: raw}); err != nil {
		t.Fatal(err)
	}
	loop := &upload.Loop{DB: st.DB, Client: client, Clock: clk, BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond,
		Log: slog.New(slog.DiscardHandler)}
	loop.Round(context.Background())
	ds, err := tw.Store.Displays("王上村", "tz-fire")
	if err != nil || len(ds) != 1 || !ds[0].From.Equal(t0) || ds[0].Device == "" {
		t.Fatalf("at the township: %+v %v", ds, err)
	}
	if s, _ := st.DB.Stats(); s.Depth != 0 || s.Quarantined != 0 {
		t.Fatalf("uploads left: %+v", s)
	}
}
