package disclosure

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/kiosk/ui"
)

// The mode starts on the honest placeholder saying what it will do, with nowhere else to go.
func TestShowsHonestPlaceholder(t *testing.T) {
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1920, 1080))
	sh := ui.New(ui.Deps{App: a, Window: w, Strings: kiosktest.Strings(t), Hall: "王上村便民服务站", DPI: 102,
		IdleTimeout: time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Do: func(f func()) { f() }})
	New(sh).Start()
	var texts []string
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		switch v := o.(type) {
		case *canvas.Text:
			texts = append(texts, v.Text)
		case *widget.Label:
			texts = append(texts, v.Text)
		}
	}
	all := strings.Join(texts, "\n")
	if sh.Current().Name != ScreenPlaceholder || !sh.Current().Bare || !strings.Contains(all, "村务公开") || !strings.Contains(all, "后续版本") {
		t.Errorf("screen %s: %q", sh.Current().Name, all)
	}
	if sh.Idle.Armed() {
		t.Error("a placeholder arms the idle timer")
	}
}
