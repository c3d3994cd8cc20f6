package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreTheDocumentedFile(t *testing.T) {
	c := Default()
	if c.Mode != ModeSelfService || !c.Fullscreen || c.UI.IdleTimeout.Duration != 90*time.Second ||
		c.UI.ScreenDPI != 102 || c.Store.Path == "" || c.Hall.Name == "" {
		t.Errorf("defaults: %+v", c)
	}
}

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFileOverridesDefaults(t *testing.T) {
	p := write(t, "mode = \"window\"\nfullscreen = false\n[ui]\nidle_timeout = \"2m\"\n")
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != ModeWindow || c.Fullscreen || c.UI.IdleTimeout.Duration != 2*time.Minute {
		t.Errorf("got %+v", c)
	}
	if c.UI.ScreenDPI != 102 || c.Source != p {
		t.Errorf("unset keys must keep defaults and Source must name the file: %+v", c)
	}
}

func TestBadFilesNameFileLineAndField(t *testing.T) {
	cases := []struct {
		name, body, field string
		line              int
	}{
		{"bad mode", "# kiosk\n\nmode = \"kiosk\"\n", "mode", 3},
		{"unknown key", "[ui]\nidle_timeout = \"90s\"\nelder = true\n", "ui.elder", 3},
		{"bad duration", "[hall]\nname = \"x\"\n[ui]\nidle_timeout = \"ninety\"\n", "ui.idle_timeout", 4},
		{"too short", "[ui]\n  idle_timeout = \"5s\"\n", "ui.idle_timeout", 2},
		{"wrong type", "fullscreen = \"yes\"\n", "fullscreen", 1},
		{"empty hall", "[hall]\nname = \"  \"\n", "hall.name", 2},
		{"forward days", "[window]\nforward_days = 30\n", "window.forward_days", 2},
		{"facing kiosk", "[window]\nfacing_kiosk = \"K001 K002\"\n", "window.facing_kiosk", 2},
		{"syntax", "mode = \"window\n", "", 1},
		{"calls without a queue", "[voice]\ncalls = true\n", "voice.calls", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, tc.body)
			_, err := Load(p)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if ce.File != p || ce.Line != tc.line || (tc.field != "" && ce.Field != tc.field) {
				t.Errorf("got file=%s line=%d field=%q (%v); want line %d field %q", ce.File, ce.Line, ce.Field, err, tc.line, tc.field)
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("message %q does not name the file", err)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	if _, err := Resolve(filepath.Join(t.TempDir(), "missing.toml")); err == nil {
		t.Error("an explicit config path that does not exist must be an error")
	}
	if _, err := os.Stat(DefaultPath); err == nil {
		t.Skip(DefaultPath + " exists on this machine")
	}
	c, err := Resolve("")
	if err != nil || c.Source != "built-in defaults" {
		t.Errorf("Resolve(\"\") = %+v, %v", c, err)
	}
}
