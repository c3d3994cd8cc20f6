package selfservice

import (
	"strings"
	"testing"

	"hallkiosk/kiosk/queue"
)

// 邀请评价 from a window with no screen facing the resident: the kiosk beside it, at rest on home,
// shows the rating of that case with the window named; the grade is stored for the township and
// the window hears only that the case was rated. A kiosk in use by a resident is not interrupted.
func TestInvitationFromTheWindow(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) { invitationFromTheWindow(t, h) })
}

func invitationFromTheWindow(t *testing.T, h *harness) {
	var told []string
	h.app.d.Rated = func(c string) { told = append(told, c) }
	inv := queue.Invite{Case: "260302-K001-004", Window: "2", Device: "K007"}
	if !h.app.Invited(inv) {
		t.Fatal("a kiosk at rest did not take the invitation")
	}
	h.want(ScreenRating)
	if !h.shows(strings.ReplaceAll(h.s.Apply.RateInvited, "{window}", "2")) {
		t.Fatalf("the window is not named: %q", h.texts())
	}
	h.shot("rating-invited")
	h.tapText("★★★★★  " + h.s.Lists.Grades[4])
	h.want(ScreenThanks)
	g, ok, err := h.db.Rating(inv.Case)
	if err != nil || !ok || g.Grade != 5 {
		t.Fatalf("stored rating: %+v %v %v", g, ok, err)
	}
	if len(told) != 1 || told[0] != inv.Case {
		t.Fatalf("the window was told %v", told)
	}
	h.tapText(h.s.Apply.Finish)
	h.want(ScreenHome)
	h.tapText("社会救助") // a resident starts looking for their item
	if h.app.Invited(queue.Invite{Case: "260302-K001-005", Window: "2", Device: "K007"}) || h.screen() == ScreenRating {
		t.Fatal("an invitation interrupted a resident")
	}
}
