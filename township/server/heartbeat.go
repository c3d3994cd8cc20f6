package server

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"hallkiosk/township/api"
	"hallkiosk/township/store"
)

// DeviceStatus is a device as `township devices` shows it: enrolment, its last heartbeat and
// whether that makes it online (api.Online, by the township's clock).
type DeviceStatus struct {
	store.Device
	Online    bool           `json:"online"`
	Heartbeat *api.Heartbeat `json:"heartbeat,omitempty"`
	// HeartbeatAt is when the township took the last heartbeat.
	HeartbeatAt time.Time `json:"heartbeat_at,omitzero"`
}

func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request, dev store.Device, body []byte, _ store.Nonce) {
	var h api.Heartbeat
	if err := api.DecodeStrict(body, &h); err != nil {
		s.fail(w, http.StatusBadRequest, api.ErrBadJSON, "heartbeat is not valid JSON: "+err.Error())
		return
	}
	if err := api.ValidateHeartbeat(h); err != nil {
		s.fail(w, http.StatusUnprocessableEntity, api.ErrInvalidField, err.Error())
		return
	}
	if err := s.cfg.Store.PutHeartbeat(dev.ID, h); err != nil {
		s.cfg.Log.Error("heartbeat", "device", dev.ID, "err", err)
		s.fail(w, http.StatusInternalServerError, api.ErrServerFailure, "could not keep the heartbeat")
		return
	}
	s.reply(w, api.HeartbeatResponse{ServerTime: s.cfg.Now().UTC()})
}

// deviceStatuses joins the devices with their heartbeats.
func (s *Server) deviceStatuses() ([]DeviceStatus, error) {
	ds, err := s.cfg.Store.Devices()
	if err != nil {
		return nil, err
	}
	beats, err := s.cfg.Store.Heartbeats()
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	out := make([]DeviceStatus, 0, len(ds))
	for _, d := range ds {
		st := DeviceStatus{Device: d}
		if b, ok := beats[d.ID]; ok {
			h := b.Heartbeat
			st.Heartbeat, st.HeartbeatAt = &h, b.Received
			st.Online = d.Revoked.IsZero() && api.Online(b.Received, time.Duration(h.IntervalSeconds*float64(time.Second)), now)
		}
		out = append(out, st)
	}
	return out, nil
}

// metrics writes the devices' last heartbeats in the Prometheus text format (version 0.0.4), one
// series per device labelled by device, code and village; the heartbeat's field names are the
// metric names with a hallkiosk_ prefix.
func writeMetrics(w io.Writer, ds []DeviceStatus) error {
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	type series struct {
		name, help, typ string
		value           func(DeviceStatus) (float64, bool)
	}
	hb := func(f func(*api.Heartbeat) float64) func(DeviceStatus) (float64, bool) {
		return func(d DeviceStatus) (float64, bool) {
			if d.Heartbeat == nil {
				return 0, false
			}
			return f(d.Heartbeat), true
		}
	}
	up := func(state string) float64 {
		if state == api.DeviceReady || state == api.DevicePaperNearEnd || state == api.DeviceNotConfigured {
			return 1
		}
		return 0
	}
	all := []series{
		{"hallkiosk_device_online", "1 when the last heartbeat came within three intervals.", "gauge", func(d DeviceStatus) (float64, bool) {
			return b2f(d.Online), true
		}},
		{"hallkiosk_heartbeat_timestamp_seconds", "When the township took the last heartbeat.", "gauge", func(d DeviceStatus) (float64, bool) {
			return float64(d.HeartbeatAt.Unix()), d.Heartbeat != nil
		}},
		{"hallkiosk_heartbeat_interval_seconds", "How often the device sends.", "gauge", hb(func(h *api.Heartbeat) float64 { return h.IntervalSeconds })},
		{"hallkiosk_uptime_seconds", "Since the app started.", "gauge", hb(func(h *api.Heartbeat) float64 { return h.UptimeSeconds })},
		{"hallkiosk_update_trial", "1 while a new version is on trial or being rolled back.", "gauge", hb(func(h *api.Heartbeat) float64 { return b2f(h.UpdateState != api.UpdateIdle) })},
		{"hallkiosk_upload_queue_items", "Items waiting to be uploaded.", "gauge", hb(func(h *api.Heartbeat) float64 { return float64(h.UploadQueueItems) })},
		{"hallkiosk_upload_queue_oldest_age_seconds", "Age of the oldest waiting item.", "gauge", hb(func(h *api.Heartbeat) float64 { return h.UploadQueueOldestAgeSeconds })},
		{"hallkiosk_upload_quarantine_items", "Items the township refused for good.", "gauge", hb(func(h *api.Heartbeat) float64 { return float64(h.UploadQuarantineItems) })},
		{"hallkiosk_upload_last_success_timestamp_seconds", "Last accepted upload.", "gauge", hb(func(h *api.Heartbeat) float64 { return float64(h.UploadLastSuccessTimestampSeconds) })},
		{"hallkiosk_card_reader_up", "1 when the card reader answers (or none is configured).", "gauge", hb(func(h *api.Heartbeat) float64 { return up(h.CardReaderState) })},
		{"hallkiosk_printer_up", "1 when the printer can print (or none is configured).", "gauge", hb(func(h *api.Heartbeat) float64 { return up(h.PrinterState) })},
		{"hallkiosk_store_size_bytes", "Size of the store file.", "gauge", hb(func(h *api.Heartbeat) float64 { return float64(h.StoreSizeBytes) })},
		{"hallkiosk_store_cap_bytes", "The store's cap (0: none).", "gauge", hb(func(h *api.Heartbeat) float64 { return float64(h.StoreCapBytes) })},
		{"hallkiosk_clock_skew_seconds", "Device clock minus the township's.", "gauge", hb(func(h *api.Heartbeat) float64 { return h.ClockSkewSeconds })},
	}
	var b strings.Builder
	for _, s := range all {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", s.name, s.help, s.name, s.typ)
		for _, d := range ds {
			if v, ok := s.value(d); ok {
				fmt.Fprintf(&b, "%s{device=%s,code=%s,village=%s} %s\n", s.name, label(d.ID), label(d.Code), label(d.Village),
					strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
	}
	b.WriteString("# HELP hallkiosk_build_info The version each device runs.\n# TYPE hallkiosk_build_info gauge\n")
	for _, d := range ds {
		if d.Heartbeat != nil {
			fmt.Fprintf(&b, "hallkiosk_build_info{device=%s,version=%s,update_state=%s,card_reader_state=%s,printer_state=%s} 1\n",
				label(d.ID), label(d.Heartbeat.Version), label(d.Heartbeat.UpdateState), label(d.Heartbeat.CardReaderState), label(d.Heartbeat.PrinterState))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// label quotes a label value as the text format wants it.
func label(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v) + `"`
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
