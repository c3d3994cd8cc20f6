// Package config reads the kiosk's TOML configuration. Defaults come from the documented file in
// assets/, so a kiosk with no file behaves exactly as that file says, and a bad file stops the start
// with the file, line and field named instead of running half-configured.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"hallkiosk/assets"
	"hallkiosk/township/api"
)

// Modes the app can run in.
const (
	ModeSelfService = "self-service"
	ModeWindow      = "window"
	ModeDisclosure  = "disclosure"
)

// DefaultPath is where an installed kiosk keeps its configuration.
const DefaultPath = "/etc/hallkiosk/config.toml"

// Config is the whole configuration; see assets/config.default.toml for each key.
type Config struct {
	Mode       string `toml:"mode"`
	Fullscreen bool   `toml:"fullscreen"`
	Hall       struct {
		Name     string `toml:"name"`
		Township string `toml:"township"`
	} `toml:"hall"`
	Store struct {
		Path        string   `toml:"path"`
		LockTimeout Duration `toml:"lock_timeout"`
		DeviceKey   string   `toml:"device_key"`
		MaxSizeMB   int      `toml:"max_size_mb"`
		Retention   Duration `toml:"retention"`
	} `toml:"store"`
	Sync struct {
		Credential string   `toml:"credential"`
		CAFile     string   `toml:"ca_file"`
		Interval   Duration `toml:"interval"`
		Heartbeat  Duration `toml:"heartbeat"`
	} `toml:"sync"`
	UI struct {
		IdleTimeout Duration `toml:"idle_timeout"`
		ElderMode   bool     `toml:"elder_mode"`
		ScreenDPI   float32  `toml:"screen_dpi"`
	} `toml:"ui"`
	Devices struct {
		CardReader     string `toml:"card_reader"`
		CardReaderBaud int    `toml:"card_reader_baud"`
		Printer        string `toml:"printer"`
		PrinterBaud    int    `toml:"printer_baud"`
		PaperMM        int    `toml:"paper_mm"`
		PrinterQR      bool   `toml:"printer_qr"`
	} `toml:"devices"`
	Queue struct {
		URL    string `toml:"url"`
		Host   bool   `toml:"host"`
		Listen string `toml:"listen"`
	} `toml:"queue"`
	Window struct {
		Number    string   `toml:"number"`
		Windows   []string `toml:"windows"`
		StaffIdle Duration `toml:"staff_idle"`
		// ExportDir is where 统计 writes its files; empty: the USB stick plugged in last, else
		// ~/统计导出.
		ExportDir string `toml:"export_dir"`
		// FacingScreen: the window PC has a second screen facing the resident (评价屏), full
		// screen on the second display.
		FacingScreen bool `toml:"facing_screen"`
		// FacingKiosk is the code of the self-service kiosk beside this window (K001) that shows
		// 邀请评价 when the window PC has no facing screen; through the hall's queue service.
		FacingKiosk string `toml:"facing_kiosk"`
		// FollowUpDays is how many working days 整改 of a bad rating may take (1-15).
		FollowUpDays int `toml:"followup_days"`
		// ForwardDays is how many working days a 网格员 has from a home visit to forward what was
		// collected to the township (1-15).
		ForwardDays int `toml:"forward_days"`
		// WallScreen: the window PC drives the hall's wall (村务公开) as a second window, full
		// screen on the second display, instead of a separate disclosure device.
		WallScreen bool `toml:"wall_screen"`
	} `toml:"window"`
	// Wall is the village affairs wall (mode disclosure, or [window] wall_screen).
	Wall struct {
		// ScreenInches and DistanceM size the type: body text is 9 mm tall for each metre of
		// reading distance (45 mm at 5 m: 71 px on a 55-inch screen with 1080 lines).
		ScreenInches float64 `toml:"screen_inches"`
		DistanceM    float64 `toml:"distance_m"`
		// RTCTrusted: the device's battery-backed clock is good; display periods may go by it until
		// a check against the township finds it off.
		RTCTrusted bool `toml:"rtc_trusted"`
		// OnHours is when the screen is on, "07:00-21:00"; empty: always.
		OnHours string `toml:"on_hours"`
		// Dwell is how long a page stands; Urgent how long an urgent notice's banner interrupts.
		Dwell  Duration `toml:"dwell"`
		Urgent Duration `toml:"urgent"`
	} `toml:"wall"`
	Voice struct {
		Calls   bool   `toml:"calls"`
		Prompts bool   `toml:"prompts"`
		Device  string `toml:"device"`
		Clips   string `toml:"clips"`
	} `toml:"voice"`
	Links struct {
		GuideURL  string `toml:"guide_url"`
		LookupURL string `toml:"lookup_url"`
	} `toml:"links"`
	Calendar struct {
		File string `toml:"file"`
	} `toml:"calendar"`
	Catalog struct {
		File string `toml:"file"`
	} `toml:"catalog"`
	Update struct {
		State string `toml:"state"`
	} `toml:"update"`

	// Source names where the values came from, for logs: a path or "built-in defaults".
	Source string `toml:"-"`
}

// OnHours reads screen-on hours "07:00-21:00" as times of day; empty is always on (0, 0).
func OnHours(s string) (from, until time.Duration, err error) {
	if strings.TrimSpace(s) == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "-")
	pa, err1 := time.Parse("15:04", strings.TrimSpace(a))
	pb, err2 := time.Parse("15:04", strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || !pb.After(pa) {
		return 0, 0, fmt.Errorf("%q: write the hours as 07:00-21:00, the end after the start", s)
	}
	tod := func(t time.Time) time.Duration {
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	}
	return tod(pa), tod(pb), nil
}

// Duration is a time.Duration written as "90s" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText reads a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like \"90s\" or \"2m\"", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration back in Go form.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// Error names the file, line and field of a bad configuration.
type Error struct {
	File  string
	Line  int // 0 when unknown
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += fmt.Sprintf(":%d", e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("config %s: field %s: %s", loc, e.Field, e.Msg)
	}
	return fmt.Sprintf("config %s: %s", loc, e.Msg)
}

// Default returns the built-in configuration.
func Default() *Config {
	c, err := parse("built-in defaults", assets.DefaultConfig, nil)
	if err != nil {
		panic(fmt.Sprintf("built-in config is invalid: %v", err)) // caught by tests, never in the field
	}
	return c
}

// Load reads path over the built-in defaults. A missing file is an error: the caller decides
// whether to fall back (see Resolve).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return parse(path, data, Default())
}

// Resolve picks the configuration a starting kiosk uses: the explicit path if one was given (it must
// exist), else DefaultPath if present, else the built-in defaults.
func Resolve(explicit string) (*Config, error) {
	if explicit != "" {
		return Load(explicit)
	}
	if _, err := os.Stat(DefaultPath); err == nil {
		return Load(DefaultPath)
	}
	return Default(), nil
}

func parse(file string, data []byte, base *Config) (*Config, error) {
	c := &Config{}
	if base != nil {
		*c = *base
	}
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: file, Line: pe.Position.Line, Field: pe.LastKey, Msg: pe.Message}
		}
		// Type mismatches come as plain errors: "toml: line 3 (last key "ui.x"): incompatible types...".
		if m := decodeErrPattern.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &Error{File: file, Line: line, Field: m[2], Msg: m[3]}
		}
		return nil, &Error{File: file, Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		return nil, &Error{File: file, Line: keyLine(data, k), Field: k.String(), Msg: "unknown key (misspelt?)"}
	}
	c.Source = file
	if err := c.validate(); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.File = file
			ce.Line = keyLine(data, strings.Split(ce.Field, "."))
		}
		return nil, err
	}
	return c, nil
}

func (c *Config) validate() error {
	bad := func(field, format string, args ...any) error {
		return &Error{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch c.Mode {
	case ModeSelfService, ModeWindow, ModeDisclosure:
	default:
		return bad("mode", "%q is not one of %q, %q, %q", c.Mode, ModeSelfService, ModeWindow, ModeDisclosure)
	}
	if strings.TrimSpace(c.Hall.Name) == "" {
		return bad("hall.name", "must not be empty: it is shown on every screen and receipt")
	}
	if strings.TrimSpace(c.Store.Path) == "" {
		return bad("store.path", "must not be empty")
	}
	if c.Store.LockTimeout.Duration <= 0 {
		return bad("store.lock_timeout", "must be positive")
	}
	if strings.TrimSpace(c.Store.DeviceKey) == "" {
		return bad("store.device_key", "must not be empty: personal data is sealed with this key")
	}
	if c.Store.MaxSizeMB < 0 {
		return bad("store.max_size_mb", "must be 0 (no cap) or a size in MB")
	}
	if c.Store.Retention.Duration < 24*time.Hour {
		return bad("store.retention", "%s is shorter than a day; closed cases must stay long enough for follow-up", c.Store.Retention.Duration)
	}
	if strings.TrimSpace(c.Sync.Credential) == "" {
		return bad("sync.credential", "must not be empty")
	}
	if c.Sync.Interval.Duration < time.Second {
		return bad("sync.interval", "%s is too short; use at least 1s", c.Sync.Interval.Duration)
	}
	if hb := c.Sync.Heartbeat.Duration; hb < api.MinHeartbeatInterval || hb > api.MaxHeartbeatInterval {
		return bad("sync.heartbeat", "%s is outside %s to %s", hb, api.MinHeartbeatInterval, api.MaxHeartbeatInterval)
	}
	if c.Devices.PaperMM != 58 && c.Devices.PaperMM != 80 {
		return bad("devices.paper_mm", "%d is not a receipt paper width (58 or 80)", c.Devices.PaperMM)
	}
	if c.Devices.CardReaderBaud <= 0 || c.Devices.PrinterBaud <= 0 {
		return bad("devices.printer_baud", "baud rates must be positive")
	}
	for field, v := range map[string]string{"links.guide_url": c.Links.GuideURL, "links.lookup_url": c.Links.LookupURL} {
		if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
			return bad(field, "%q is not a web address (https://...)", v)
		}
	}
	if u := c.Queue.URL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return bad("queue.url", "%q is not the queue host's address (http://192.168.1.20:8470)", u)
	}
	if c.Queue.Host {
		if _, port, err := net.SplitHostPort(c.Queue.Listen); err != nil || port == "" {
			return bad("queue.listen", "%q is not an address to listen on (\":8470\")", c.Queue.Listen)
		}
	}
	if n, err := strconv.Atoi(c.Window.Number); err != nil || n < 1 || n > 99 {
		return bad("window.number", "%q is not a window number from 1 to 99", c.Window.Number)
	}
	if !slices.Contains(c.Window.Windows, c.Window.Number) {
		return bad("window.windows", "%q does not list this window's number %q", c.Window.Windows, c.Window.Number)
	}
	if c.Window.StaffIdle.Duration < time.Minute {
		return bad("window.staff_idle", "%s is too short; use at least 1m", c.Window.StaffIdle.Duration)
	}
	if c.Voice.Calls && c.Queue.URL == "" && !c.Queue.Host {
		return bad("voice.calls", "calls are spoken from the hall's queue, but [queue] has no url and host = false")
	}
	if (c.Voice.Calls || c.Voice.Prompts) && c.Voice.Clips == "" {
		return bad("voice.clips", "empty: the spoken clips need a folder")
	}
	if c.UI.IdleTimeout.Duration < 15*time.Second {
		return bad("ui.idle_timeout", "%s is too short for an elderly resident; use at least 15s", c.UI.IdleTimeout.Duration)
	}
	if c.Window.FollowUpDays != 0 && (c.Window.FollowUpDays < 1 || c.Window.FollowUpDays > 15) {
		return bad("window.followup_days", "%d: local rules give 1 to 15 working days", c.Window.FollowUpDays)
	}
	if c.Wall.ScreenInches < 20 || c.Wall.ScreenInches > 150 {
		return bad("wall.screen_inches", "%g is not a wall screen's diagonal in inches (20-150)", c.Wall.ScreenInches)
	}
	if c.Wall.DistanceM < 1 || c.Wall.DistanceM > 20 {
		return bad("wall.distance_m", "%g is not a reading distance in metres (1-20)", c.Wall.DistanceM)
	}
	if _, _, err := OnHours(c.Wall.OnHours); err != nil {
		return bad("wall.on_hours", "%v", err)
	}
	if c.Wall.Dwell.Duration < 5*time.Second {
		return bad("wall.dwell", "%s is too short to read a page; use at least 5s", c.Wall.Dwell.Duration)
	}
	if c.Window.WallScreen && c.Window.FacingScreen {
		return bad("window.wall_screen", "a window PC has one second display: the wall or the resident's screen (facing_screen), not both")
	}
	if k := c.Window.FacingKiosk; len(k) > 16 || strings.ContainsAny(k, " \t\n/") {
		return bad("window.facing_kiosk", "%q is not a kiosk's code (like K001, as township devices shows it)", k)
	}
	if c.Window.ForwardDays != 0 && (c.Window.ForwardDays < 1 || c.Window.ForwardDays > 15) {
		return bad("window.forward_days", "%d: a home visit's case is forwarded within 1 to 15 working days", c.Window.ForwardDays)
	}
	if c.UI.ScreenDPI < 30 || c.UI.ScreenDPI > 400 {
		return bad("ui.screen_dpi", "%g is not a screen's pixels per inch (30-400)", c.UI.ScreenDPI)
	}
	return nil
}

var decodeErrPattern = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// keyLine finds the line where a dotted key is set, so a value that decodes but is wrong can still be
// pointed at. It understands [table] headers and plain key = value lines, which is all the
// configuration uses; it returns 0 when the key is not written in the file (a default was wrong).
func keyLine(data []byte, key []string) int {
	if len(key) == 0 {
		return 0
	}
	table, name := strings.Join(key[:len(key)-1], "."), key[len(key)-1]
	header := regexp.MustCompile(`^\s*\[\s*([A-Za-z0-9_.\-" ]+?)\s*\]\s*(#.*)?$`)
	assign := regexp.MustCompile(`^\s*"?([A-Za-z0-9_\-]+)"?\s*=`)
	cur := ""
	for i, line := range strings.Split(string(data), "\n") {
		if m := header.FindStringSubmatch(line); m != nil {
			cur = strings.ReplaceAll(m[1], " ", "")
			continue
		}
		if m := assign.FindStringSubmatch(line); m != nil && cur == table && m[1] == name {
			return i + 1
		}
	}
	return 0
}
