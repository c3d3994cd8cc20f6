package selfservice

import (
	"slices"
	"testing"
)

// A version on trial after an update draws its home under a cover that takes every tap, until its
// checks pass; then it works. The shell also says when a resident enters a flow and leaves it, for
// the updater's quiet moment.
func TestHeldScreenTakesNoInput(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) { heldTakesNoInput(t, h) })
}

func heldTakesNoInput(t *testing.T, h *harness) {
	var flow []bool
	h.sh.OnFlow = func(in bool) { flow = append(flow, in) }
	h.sh.Hold(h.s.App.Checking)
	if !h.shows(h.s.App.Checking) || !h.shows("社会救助") {
		t.Fatalf("held home: %q", h.texts())
	}
	h.shot("held")
	h.tapText("社会救助")
	h.want(ScreenHome)
	if len(flow) != 0 {
		t.Fatalf("a tap on a held screen started a flow: %v", flow)
	}
	h.sh.Release()
	if h.shows(h.s.App.Checking) {
		t.Fatal("the cover stayed after release")
	}
	h.tapText("社会救助")
	if h.screen() == ScreenHome {
		t.Fatal("after release a tile does nothing")
	}
	h.tapText(h.s.App.Home)
	h.want(ScreenHome)
	if !slices.Equal(flow, []bool{true, false}) {
		t.Errorf("flow words %v, want [true false]", flow)
	}
}
