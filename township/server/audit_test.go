package server

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"hallkiosk/township/api"
	"hallkiosk/township/store"
)

func auditItem(key string, seq uint64, action string) api.Item {
	p, _ := json.Marshal(api.AuditPayload{Seq: seq, At: time.Date(2026, 3, 2, 9, 0, int(seq), 0, time.UTC), Actor: "S01", Action: action, Subject: "S01"})
	return api.Item{Key: key, Kind: api.KindAudit, Payload: p}
}

// A device's audit lines are kept once each, in the device's order whatever order they arrive
// in; the same line under another upload key (a device that lost its outbox's record of sending)
// is taken without a second copy; /admin/audit lists them, the newest N with limit.
func TestAuditLogKeptOncePerLine(t *testing.T) {
	f := newFixture(t)
	resp, body := f.batch(auditItem("a3", 3, "signout"), auditItem("a1", 1, "signin"), auditItem("a4", 4, "case.accept"))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	resp, body = f.batch(auditItem("a1-again", 1, "signin"))
	if r := results(t, body); resp.StatusCode != 200 || r[0].Status != api.Accepted || r[0].Reason == "" {
		t.Fatalf("the same line again: %d %s", resp.StatusCode, body)
	}
	resp, body = f.adminGet("/admin/audit")
	var lines []store.AuditLine
	if resp.StatusCode != 200 || json.Unmarshal(body, &lines) != nil {
		t.Fatalf("audit: %d %s", resp.StatusCode, body)
	}
	var got []string
	for _, l := range lines {
		got = append(got, fmt.Sprintf("%d:%s:%t:%s", l.Seq, l.Action, l.Device == f.dev.DeviceID, l.Village))
	}
	if fmt.Sprint(got) != "[1:signin:true:王上村 3:signout:true:王上村 4:case.accept:true:王上村]" {
		t.Fatalf("audit lines %v", got)
	}
	resp, body = f.adminGet("/admin/audit?limit=1&device=" + f.dev.DeviceID)
	if json.Unmarshal(body, &lines) != nil || len(lines) != 1 || lines[0].Seq != 4 {
		t.Fatalf("newest line of the device: %d %s", resp.StatusCode, body)
	}
	if resp, body = f.adminGet("/admin/audit?limit=many"); resp.StatusCode != 400 {
		t.Fatalf("a bad limit: %d %s", resp.StatusCode, body)
	}
}
