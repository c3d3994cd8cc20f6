// Package uitest gives the modes' tests a shell in a Fyne test window at the kiosk's 1920x1080,
// with changes from other goroutines run at once, and what the window draws as text.
package uitest

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/ui"
)

// NewShell makes a shell for the 王上村 hall on a new test app and window.
func NewShell(t testing.TB) (*ui.Shell, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.SetPadded(false) // as the app's window
	w.Resize(fyne.NewSize(1920, 1080))
	sh := ui.New(ui.Deps{App: a, Window: w, Strings: kiosktest.Strings(t), Hall: "王上村便民服务站", DPI: 102,
		IdleTimeout: time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Do: func(f func()) { f() }})
	return sh, w
}

// Texts lists every text and label the window draws.
func Texts(w fyne.Window) []string {
	var out []string
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		switch v := o.(type) {
		case *canvas.Text:
			out = append(out, v.Text)
		case *widget.Label:
			out = append(out, v.Text)
		}
	}
	return out
}
