package selfservice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/queue/hall"
	"hallkiosk/localdb"
	"hallkiosk/township/api/mask"
)

func TestTicketPrintedAndNumbered(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.tapText(h.s.Tasks.Ticket)
		h.want(ScreenTicket)
		h.shot("ticket-choose")
		h.tapText("社保医保")
		if !h.shows("B001") || !h.says(h.s.Tasks.TicketPrinting) {
			t.Fatalf("ticket while printing: %q %q", h.texts(), h.labels())
		}
		h.await()
		h.shot("ticket-taken")
		// After 取号 the screen says the slip was printed and to take it.
		if !h.shows("您前面还有 0 人") || !h.shows(h.s.Tasks.TicketPrinted) {
			t.Fatalf("ticket: %q", h.texts())
		}
		if jobs := h.prn.Jobs(); len(jobs) != 1 || !bytes.Contains(jobs[0], gbBytes("B001")) {
			t.Fatal("ticket not printed")
		}
		h.tapText(h.s.Apply.Finish)
		h.prn.SetPaperOut(true)
		h.tapText(h.s.Tasks.Ticket)
		h.tapText("社保医保")
		h.await()
		h.shot("ticket-paper-out")
		// ...or why it was not, and the number to remember.
		if !h.shows("B002") || !h.shows("您前面还有 1 人") || !h.says("没有纸") || !h.says("请记住您的号码") {
			t.Fatalf("second ticket without paper: %q %q", h.texts(), h.labels())
		}
		if ts, _ := h.db.Tickets("2026-03-02"); len(ts) != 2 {
			t.Fatalf("stored tickets %d", len(ts))
		}
	})
}

func TestMessageWithPhone(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.tapText(h.s.Tasks.Message)
		h.shot("message-topic")
		h.tapText("道路交通")
		h.tapText(h.s.Lists.Phrases[0])
		h.tapText(h.s.Lists.Phrases[3])
		h.shot("message-phrases")
		h.tapText(h.s.Apply.NextStep)
		for _, d := range "1391234" {
			h.tapText(string(d))
		}
		h.tapText(h.s.Tasks.MessageSend)
		if h.screen() != ScreenMessage || !h.says("只有 7 位") {
			t.Fatalf("short phone: %q", h.labels())
		}
		for _, d := range "5678" {
			h.tapText(string(d))
		}
		h.shot("message-phone")
		h.tapText(h.s.Tasks.MessageSend)
		if !h.says("留言已收到") {
			t.Fatalf("message: %q", h.labels())
		}
		h.shot("message-thanks")
		if st, _ := h.db.Stats(); st.Depth != 1 {
			t.Fatalf("queue %d", st.Depth)
		}
		// The village answers; the answer shows in 办件查询, without the phone.
		ms, _ := h.db.Messages()
		reply, _ := json.Marshal(map[string]any{"reply": "已安排下周修路灯", "at": h.clock.Now()})
		if _, err := h.db.ApplyChanges([]localdb.Change{{Kind: "message_reply", Key: ms[0].ID, Payload: reply}}, 9); err != nil {
			t.Fatal(err)
		}
		h.tapText(h.s.Apply.Finish)
		h.tapText(h.s.Tasks.Lookup)
		h.shot("lookup-replies")
		if !h.says("已安排下周修路灯") || h.says("13912345678") {
			t.Fatalf("replies: %q", h.labels())
		}
	})
}

// submitGaoling stores a finished 高龄津贴 application (one choice and a phone) for card straight
// through the service, for the lookup tests.
func (h *harness) submitGaoling(card idcard.Card) localdb.Case {
	h.t.Helper()
	s := apply.NewSession("61040300MZ-JF-0005")
	s.SetCard(card)
	s.Answers = map[string]string{"payout": "本人银行卡", "phone": "13912345678"}
	for i := range 5 {
		s.Have[i] = true
	}
	s.Consented = true
	c, err := h.svc.Submit(s)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// typeCase types a case number on the lookup keypad, key by key.
func (h *harness) typeCase(keys string) {
	h.t.Helper()
	for _, k := range keys {
		h.tapText(string(k))
	}
}

func TestLookupByNumberShowsMasked(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		card := idcard.SampleCards()[0]
		c := h.submitGaoling(card)
		if err := h.db.SetCaseStatus(c.Number, localdb.StatusAccepted, "", h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		h.tapText(h.s.Tasks.Lookup)
		h.shot("lookup")
		if !h.says("放身份证") || h.says("刷") {
			t.Error("办件查询 must say to lay (放) the card")
		}
		h.typeCase("260302K007001")
		if !h.shows("260302-K007001") {
			t.Fatalf("keypad does not show the number as typed: %q", h.texts())
		}
		h.tapText(h.s.Tasks.LookupSearch)
		h.shot("lookup-by-number")
		if !h.shows("高龄津贴申请") || !h.says("已受理") || !h.says(mask.Name(card.Name)) || h.says(card.IDNumber) {
			t.Fatalf("lookup: %q %q", h.texts(), h.labels())
		}
		for range 13 {
			h.tapText(h.s.Apply.KeypadDelete)
		}
		h.typeCase("260302K007999")
		h.tapText(h.s.Tasks.LookupSearch)
		if !h.says("没有查到") {
			t.Fatalf("unknown number: %q", h.labels())
		}
	})
}

// A kiosk that was never enrolled numbers its cases X and three digits, and those numbers can be
// typed too (the keypad has K, X and the dash).
func TestLookupTypesEveryKindOfNumber(t *testing.T) {
	h := newHarness(t, opts{})
	for _, code := range []string{"X412", "K1000"} {
		h.svc.Cfg.KioskCode = code
		c := h.submitGaoling(idcard.SampleCards()[1])
		h.sh.GoHome()
		h.tapText(h.s.Tasks.Lookup)
		keys := map[string]string{"X412": "260302X412001", "K1000": "260302K1000-001"}[code]
		h.typeCase(keys)
		h.tapText(h.s.Tasks.LookupSearch)
		if !h.shows(c.Number) {
			t.Fatalf("typed %s: %q", keys, h.texts())
		}
	}
}

// A kiosk enrolled before vote keys existed takes no vote and says so; nothing is counted.
func TestPollWithoutVoteKey(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.svc.Cfg.VoteKey = nil
		now := h.clock.Now()
		open, _ := json.Marshal(localdb.Poll{ID: "p-road", Title: "三组道路硬化方案", Options: []string{"同意", "不同意"},
			OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(7 * 24 * time.Hour)})
		if _, err := h.db.ApplyChanges([]localdb.Change{{Kind: "poll", Key: "p-road", Payload: open}}, 1); err != nil {
			t.Fatal(err)
		}
		h.tapText(h.s.Tasks.Poll)
		h.tapText("三组道路硬化方案")
		h.lay(idcard.SampleCards()[0])
		h.tapText("同意")
		h.shot("poll-no-key")
		if !h.says(h.s.Tasks.PollUnavailable) {
			t.Fatalf("vote without a key: %q", h.labels())
		}
		if tally, _ := h.db.Tally("p-road"); len(tally) != 0 {
			t.Fatalf("tally %v", tally)
		}
		if st, _ := h.db.Stats(); st.Depth != 0 {
			t.Fatalf("%d items queued", st.Depth)
		}
	})
}

func TestPollOneVotePerResident(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		now := h.clock.Now()
		open, _ := json.Marshal(localdb.Poll{ID: "p-road", Title: "三组道路硬化方案", Body: "村委会提议用集体收入硬化三组道路 800 米。", Options: []string{"同意", "不同意", "弃权"},
			OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(7 * 24 * time.Hour)})
		closed, _ := json.Marshal(localdb.Poll{ID: "p-well", Title: "新打机井位置", Options: []string{"村东", "村西"},
			OpensAt: now.Add(-30 * 24 * time.Hour), ClosesAt: now.Add(-time.Hour), Results: map[string]int{"村东": 41, "村西": 12}})
		if _, err := h.db.ApplyChanges([]localdb.Change{{Kind: "poll", Key: "p-road", Payload: open}, {Kind: "poll", Key: "p-well", Payload: closed}}, 2); err != nil {
			t.Fatal(err)
		}
		h.tapText(h.s.Tasks.Poll)
		h.shot("poll-list")
		if !h.shows("三组道路硬化方案") || !h.says("村东：41 票") {
			t.Fatalf("polls: %q", h.labels())
		}
		h.tapText("三组道路硬化方案")
		h.shot("poll-card")
		h.lay(idcard.SampleCards()[0])
		h.shot("poll-vote")
		h.tapText("同意")
		if !h.says("投票成功") {
			t.Fatalf("vote: %q", h.labels())
		}
		h.tapText(h.s.Apply.Finish)
		h.tapText(h.s.Tasks.Poll)
		h.tapText("三组道路硬化方案")
		h.lay(idcard.SampleCards()[0])
		h.tapText("不同意")
		if !h.says("已经投过票") {
			t.Fatalf("second vote: %q", h.labels())
		}
		if tally, _ := h.db.Tally("p-road"); tally["同意"] != 1 || tally["不同意"] != 0 {
			t.Fatalf("tally %v", tally)
		}
		h.tapText(h.s.Apply.Finish)
		h.assertNothingOf(idcard.SampleCards()[0])
	})
}

// hallStub stands in for the hall's queue service: the service's own tests run it for real.
type hallStub struct {
	ticket queue.Ticket
	ahead  int
	err    error
}

func (s hallStub) TakeFor(context.Context, string, string) (queue.Ticket, int, error) {
	return s.ticket, s.ahead, s.err
}

// With the hall's queue service away, a number from the kiosk's own block says only to listen for
// the call (nobody knows how many wait); with no number to give, the screen sends the resident to
// the window.
func TestTicketWhileTheHallQueueIsAway(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		h.svc.Hall = hallStub{ticket: queue.Ticket{Day: "2026-03-02", Number: "B601", Business: "社保医保", Offline: true}, ahead: -1}
		h.tapText(h.s.Tasks.Ticket)
		h.tapText("社保医保")
		h.await()
		h.shot("ticket-own-block")
		if !h.shows("B601") || !h.shows(h.s.Tasks.TicketWaitingUnknown) || h.shows("您前面还有") {
			t.Fatalf("own-block ticket: %q", h.texts())
		}
		h.tapText(h.s.Apply.Finish)
		h.svc.Hall = hallStub{err: fmt.Errorf("take: %w", hall.ErrNoBlock)}
		h.tapText(h.s.Tasks.Ticket)
		h.tapText("社保医保")
		h.shot("ticket-unavailable")
		if !h.says(h.s.Tasks.TicketUnavailable) {
			t.Fatalf("no number to give: %q", h.labels())
		}
	})
}

// caseStub is the hall's queue that keeps the case a number was taken for.
type caseStub struct{ got *string }

func (s caseStub) TakeFor(_ context.Context, business, caseNumber string) (queue.Ticket, int, error) {
	*s.got = caseNumber
	return queue.Ticket{Day: "2026-03-02", Number: "A007", Business: business, Case: caseNumber}, 2, nil
}

// 容缺: a resident who submitted without some materials takes a number to hand them in at the
// window from the end of the application; the number names the case, so the window that calls it
// finds the case.
func TestTicketForMissingMaterials(t *testing.T) {
	eachMode(t, opts{}, func(t *testing.T, h *harness) {
		var got string
		h.svc.Hall = caseStub{got: &got}
		h.toCard()
		h.lay(idcard.SampleCards()[0])
		h.answerDibao()
		h.submit()
		number := h.flow().Case.Number
		h.shot("done-missing")
		h.tapText(h.s.Apply.TicketForMissing)
		h.await()
		h.want(ScreenTicket)
		if got != number || !h.shows("A007") || !h.shows("社会救助") {
			t.Fatalf("ticket for case %q (want %q): %q", got, number, h.texts())
		}
	})
}
