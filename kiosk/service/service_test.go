package service

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"hallkiosk/kiosk/kiosktest"
)

// listen stands in for systemd's notify socket.
func listen(t *testing.T) *net.UnixConn {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	t.Setenv("WATCHDOG_USEC", strconv.Itoa(int((20 * time.Second).Microseconds())))
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	return c
}

func read(c *net.UnixConn, within time.Duration) string {
	buf := make([]byte, 256)
	_ = c.SetReadDeadline(time.Now().Add(within))
	n, err := c.Read(buf)
	if err != nil {
		return ""
	}
	return string(buf[:n])
}

// READY=1 reaches systemd; the watchdog is pinged each half interval while the screen answers,
// and not while it hangs, so systemd restarts a frozen kiosk.
func TestReadyAndWatchdog(t *testing.T) {
	sock := listen(t)
	if err := Ready(); err != nil {
		t.Fatal(err)
	}
	if got := read(sock, 5*time.Second); got != "READY=1" {
		t.Fatalf("ready: %q", got)
	}
	clk := kiosktest.Clock()
	ui := make(chan func(), 8) // the UI goroutine's queue
	w := &Watchdog{Clock: clk, Probe: func(answer func()) { ui <- answer }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	for i := 0; i < 2; i++ {
		(<-ui)() // the screen answers
		if got := read(sock, 5*time.Second); got != "WATCHDOG=1" {
			t.Fatalf("ping %d: %q", i, got)
		}
		clk.Advance(10 * time.Second)
	}
	<-ui // the screen hangs: this probe is never answered
	clk.Advance(10 * time.Second)
	if got := read(sock, 200*time.Millisecond); got != "" {
		t.Fatalf("pinged while the screen hung: %q", got)
	}
}

// Outside systemd (no WATCHDOG_USEC) the watchdog returns at once.
func TestNoWatchdogOutsideSystemd(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "")
	t.Setenv("NOTIFY_SOCKET", "")
	done := make(chan error, 1)
	go func() { done <- (&Watchdog{Probe: func(func()) { t.Error("probed") }}).Run(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run kept going outside systemd")
	}
}
