package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"hallkiosk/township/api"
)

func (f *fixture) adminGet(path string) (*http.Response, []byte) {
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	return f.do(req)
}

func goodBeat() api.Heartbeat {
	return api.Heartbeat{Version: "1.4.0", UpdateState: api.UpdateTrial, UpdatePendingVersion: "1.4.0", UpdateLast: "installed 1.4.0",
		IntervalSeconds: 60, UptimeSeconds: 12, UploadQueueItems: 3, UploadQueueOldestAgeSeconds: 3600, UploadQuarantineItems: 1,
		CardReaderState: api.DeviceAbsent, PrinterState: api.DevicePaperOut, StoreSizeBytes: 900 << 20, StoreCapBytes: 1024 << 20,
		ClockSkewSeconds: -7200}
}

// A heartbeat is taken and shown with the device: online until three intervals pass without one
// (by the township's clock), then offline; /admin/metrics gives the same figures to a monitoring
// system under their Prometheus names.
func TestHeartbeatOnlineOffline(t *testing.T) {
	f := newFixture(t)
	devices := func() DeviceStatus {
		t.Helper()
		resp, body := f.adminGet("/admin/devices")
		var ds []DeviceStatus
		if resp.StatusCode != 200 || json.Unmarshal(body, &ds) != nil || len(ds) != 1 {
			t.Fatalf("devices: %d %s", resp.StatusCode, body)
		}
		return ds[0]
	}
	if d := devices(); d.Online || d.Heartbeat != nil {
		t.Fatalf("before any heartbeat: %+v", d)
	}
	raw, _ := json.Marshal(goodBeat())
	resp, body := f.post(api.PathHeartbeat, string(raw), f.signer(f.dev.DeviceID, f.dev.Secret, 0))
	if resp.StatusCode != 200 {
		t.Fatalf("heartbeat: %d %s", resp.StatusCode, body)
	}
	d := devices()
	if !d.Online || d.Heartbeat == nil || *d.Heartbeat != goodBeat() {
		t.Fatalf("after a heartbeat: %+v", d)
	}
	f.clk.add(3 * time.Minute) // three intervals: still online
	if d := devices(); !d.Online {
		t.Fatal("offline after exactly three intervals")
	}
	f.clk.add(time.Second)
	if d := devices(); d.Online || d.Heartbeat == nil {
		t.Fatalf("three intervals and a second without a heartbeat: %+v", d)
	}
	resp, body = f.adminGet("/admin/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`hallkiosk_device_online{device="` + f.dev.DeviceID + `",code="K001",village="王上村"} 0`,
		`hallkiosk_upload_queue_items{device="` + f.dev.DeviceID + `",code="K001",village="王上村"} 3`,
		`hallkiosk_clock_skew_seconds{device="` + f.dev.DeviceID + `",code="K001",village="王上村"} -7200`,
		`hallkiosk_printer_up{device="` + f.dev.DeviceID + `",code="K001",village="王上村"} 0`,
		`hallkiosk_store_cap_bytes{device="` + f.dev.DeviceID + `",code="K001",village="王上村"} 1.073741824e+09`,
		`hallkiosk_build_info{device="` + f.dev.DeviceID + `",version="1.4.0",update_state="trial",card_reader_state="absent",printer_state="paper_out"} 1`,
		"# TYPE hallkiosk_upload_queue_oldest_age_seconds gauge",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s:\n%s", want, body)
		}
	}
}

// A heartbeat must be signed, and a bad field is named.
func TestHeartbeatRefusals(t *testing.T) {
	f := newFixture(t)
	raw, _ := json.Marshal(goodBeat())
	if resp, _ := f.post(api.PathHeartbeat, string(raw), nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned heartbeat: %d", resp.StatusCode)
	}
	for field, change := range map[string]func(*api.Heartbeat){
		"update_state":               func(h *api.Heartbeat) { h.UpdateState = "sleeping" },
		"update_pending_version":     func(h *api.Heartbeat) { h.UpdateState = api.UpdateIdle },
		"heartbeat_interval_seconds": func(h *api.Heartbeat) { h.IntervalSeconds = 1 },
		"printer_state":              func(h *api.Heartbeat) { h.PrinterState = "jammed" },
		"upload_queue_items":         func(h *api.Heartbeat) { h.UploadQueueItems = -1 },
		"version":                    func(h *api.Heartbeat) { h.Version = "1.4/../0" },
	} {
		h := goodBeat()
		change(&h)
		raw, _ := json.Marshal(h)
		resp, body := f.post(api.PathHeartbeat, string(raw), f.signer(f.dev.DeviceID, f.dev.Secret, 0))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), field) {
			t.Errorf("%s: %d %s", field, resp.StatusCode, body)
		}
	}
	if resp, body := f.post(api.PathHeartbeat, `{"version":"1.4.0","cpu":3}`, f.signer(f.dev.DeviceID, f.dev.Secret, 0)); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown field: %d %s", resp.StatusCode, body)
	}
}
