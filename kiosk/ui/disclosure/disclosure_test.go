package disclosure

import (
	"strings"
	"testing"

	"hallkiosk/kiosk/ui/uitest"
)

// The mode starts on the honest placeholder saying what it will do, with nowhere else to go.
func TestShowsHonestPlaceholder(t *testing.T) {
	sh, w := uitest.NewShell(t)
	New(sh).Start()
	all := strings.Join(uitest.Texts(w), "\n")
	if sh.Current().Name != ScreenPlaceholder || !sh.Current().Bare || !strings.Contains(all, "村务公开") || !strings.Contains(all, "后续版本") {
		t.Errorf("screen %s: %q", sh.Current().Name, all)
	}
	if sh.Idle.Armed() {
		t.Error("a placeholder arms the idle timer")
	}
}
