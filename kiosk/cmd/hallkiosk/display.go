package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/BurntSushi/xgb"
)

// checkX connects to the X display the way the windowing library will, so a server that is down or
// that refuses this user (no cookie, a cookie it cannot read) is one clear line for the technician
// instead of a panic deep in GLFW. Wayland sessions are left to the library.
func checkX() error {
	display := os.Getenv("DISPLAY")
	if display == "" || os.Getenv("WAYLAND_DISPLAY") != "" {
		return nil
	}
	xgb.Logger = log.New(io.Discard, "", 0) // its own words would repeat ours on stderr
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return fmt.Errorf("cannot use the X display %s (XAUTHORITY=%q): %s; is the X server up (systemctl status hallkiosk-x), and may this user read its cookie?",
			display, os.Getenv("XAUTHORITY"), strings.TrimSpace(err.Error()))
	}
	c.Close()
	return nil
}
