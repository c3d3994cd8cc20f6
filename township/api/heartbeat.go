package api

import (
	"fmt"
	"math"
	"time"

	"hallkiosk/township/api/textrule"
)

// PathHeartbeat takes a device's health every few minutes (signed), so the township sees which
// kiosks are down, stuck on an update or filling up before a hall calls.
const PathHeartbeat = "/v1/heartbeat"

// Update states in a heartbeat: the updater's word on this device.
const (
	UpdateIdle        = "idle"         // running the committed version
	UpdateTrial       = "trial"        // a new version is on trial (update_pending_version)
	UpdateRollingBack = "rolling_back" // a failed version is being undone
)

// Device states in a heartbeat (card reader and printer).
const (
	DeviceReady         = "ready"          // answering, can work
	DeviceNotConfigured = "not_configured" // this kiosk has none (config says so)
	DeviceAbsent        = "absent"         // configured, but its port cannot be opened
	DeviceFault         = "fault"          // answers, but cannot work (SAM check failed, cover open, offline)
	DevicePaperNearEnd  = "paper_near_end" // printer: prints, paper to be changed soon
	DevicePaperOut      = "paper_out"      // printer: cannot print until paper is loaded
	DeviceStarting      = "starting"       // not asked yet
)

var (
	updateStates = map[string]bool{UpdateIdle: true, UpdateTrial: true, UpdateRollingBack: true}
	readerStates = map[string]bool{DeviceReady: true, DeviceNotConfigured: true, DeviceAbsent: true, DeviceFault: true, DeviceStarting: true}
	printStates  = map[string]bool{DeviceReady: true, DeviceNotConfigured: true, DeviceAbsent: true, DeviceFault: true,
		DevicePaperNearEnd: true, DevicePaperOut: true, DeviceStarting: true}
)

// Heartbeat is one device's health at one moment. Fields are named the way Prometheus names
// metrics (base units, _seconds, _bytes, _items), so the township's /admin/metrics is a plain
// rename and a dashboard reads them without a table of units.
type Heartbeat struct {
	Version              string `json:"version"`
	UpdateState          string `json:"update_state"`
	UpdatePendingVersion string `json:"update_pending_version,omitempty"`
	// UpdateLast is the updater's last event ("rolled-back 1.3.0: never reported healthy").
	UpdateLast string `json:"update_last,omitempty"`
	// IntervalSeconds is how often this device sends; three missed make it offline.
	IntervalSeconds float64 `json:"heartbeat_interval_seconds"`
	UptimeSeconds   float64 `json:"uptime_seconds"`
	// UploadQueueItems and its oldest item's age: a queue that only grows is a link or a township problem.
	UploadQueueItems            int     `json:"upload_queue_items"`
	UploadQueueOldestAgeSeconds float64 `json:"upload_queue_oldest_age_seconds"`
	UploadQuarantineItems       int     `json:"upload_quarantine_items"`
	// UploadLastSuccessTimestampSeconds is unix time; 0 when nothing was ever sent.
	UploadLastSuccessTimestampSeconds int64  `json:"upload_last_success_timestamp_seconds"`
	CardReaderState                   string `json:"card_reader_state"`
	PrinterState                      string `json:"printer_state"`
	StoreSizeBytes                    int64  `json:"store_size_bytes"`
	StoreCapBytes                     int64  `json:"store_cap_bytes"` // 0: no cap
	// ClockSkewSeconds is the device's clock minus the township's, measured against /v1/info just
	// before sending (the heartbeat itself is signed with the corrected time, so a kiosk whose
	// clock is wrong still reports it).
	ClockSkewSeconds float64 `json:"clock_skew_seconds"`
}

// HeartbeatResponse answers a heartbeat with the township's time.
type HeartbeatResponse struct {
	ServerTime time.Time `json:"server_time"`
}

// Heartbeat limits: an interval outside them is a configuration mistake.
const (
	MinHeartbeatInterval = 10 * time.Second
	MaxHeartbeatInterval = 24 * time.Hour
)

// ValidateHeartbeat checks a heartbeat field by field; the error names the field.
func ValidateHeartbeat(h Heartbeat) error {
	var c checker
	c.version("version", h.Version)
	if h.UpdatePendingVersion != "" {
		c.version("update_pending_version", h.UpdatePendingVersion)
	}
	if c.err == nil && !updateStates[h.UpdateState] {
		c.fail("update_state %q must be idle, trial or rolling_back", textrule.Escape(h.UpdateState))
	}
	if c.err == nil && (h.UpdateState == UpdateIdle) != (h.UpdatePendingVersion == "") {
		c.fail("update_pending_version is set exactly when update_state is not idle")
	}
	if c.err == nil && (len(h.UpdateLast) > 200 || textrule.Escape(h.UpdateLast) != h.UpdateLast) {
		c.fail("update_last must be at most 200 printable characters")
	}
	if c.err == nil && !readerStates[h.CardReaderState] {
		c.fail("card_reader_state %q is not one of ready, not_configured, absent, fault, starting", textrule.Escape(h.CardReaderState))
	}
	if c.err == nil && !printStates[h.PrinterState] {
		c.fail("printer_state %q is not one of ready, not_configured, absent, fault, paper_near_end, paper_out, starting", textrule.Escape(h.PrinterState))
	}
	iv := time.Duration(h.IntervalSeconds * float64(time.Second))
	for _, f := range []struct {
		name string
		v    float64
	}{{"uptime_seconds", h.UptimeSeconds}, {"upload_queue_items", float64(h.UploadQueueItems)},
		{"upload_queue_oldest_age_seconds", h.UploadQueueOldestAgeSeconds}, {"upload_quarantine_items", float64(h.UploadQuarantineItems)},
		{"upload_last_success_timestamp_seconds", float64(h.UploadLastSuccessTimestampSeconds)},
		{"store_size_bytes", float64(h.StoreSizeBytes)}, {"store_cap_bytes", float64(h.StoreCapBytes)}} {
		if c.err == nil && (f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0)) {
			c.fail("%s must be a number of at least 0", f.name)
		}
	}
	switch {
	case c.err != nil:
	case math.IsNaN(h.ClockSkewSeconds) || math.IsInf(h.ClockSkewSeconds, 0):
		c.fail("clock_skew_seconds must be a number")
	case iv < MinHeartbeatInterval || iv > MaxHeartbeatInterval:
		c.fail("heartbeat_interval_seconds must be between %g and %g", MinHeartbeatInterval.Seconds(), MaxHeartbeatInterval.Seconds())
	}
	if c.err != nil {
		return fmt.Errorf("%w: heartbeat: %w", ErrInvalid, c.err)
	}
	return nil
}

// Online is the township's rule for a device's heartbeats: offline once three intervals passed
// without one.
func Online(last time.Time, interval time.Duration, now time.Time) bool {
	return !last.IsZero() && now.Sub(last) <= 3*interval
}

// version: a release version as hallkiosk-update publishes it (1.4.0, 1.4.0-rc.1+build), 1-40
// characters.
func (c *checker) version(field, v string) {
	ok := len(v) >= 1 && len(v) <= 40
	for _, r := range v {
		ok = ok && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '-' || r == '+')
	}
	if c.err == nil && !ok {
		c.fail("%s %q must be a version of 1-40 letters, digits, '.', '-' or '+'", field, textrule.Escape(v))
	}
}
