package ui

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/config"
	"hallkiosk/localdb"
	"hallkiosk/township/api/mask"
)

func eachMode(t *testing.T, fn func(t *testing.T, f *flow)) {
	for _, elder := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "elder"}[elder], func(t *testing.T) {
			f := newFlow(t, func(c *config.Config) { c.UI.ElderMode = elder })
			if elder {
				f.prefix = "elder-"
			}
			fn(t, f)
		})
	}
}

func TestHomeOffersTheTasks(t *testing.T) {
	eachMode(t, func(t *testing.T, f *flow) {
		f.shot("home-with-tasks")
		for _, s := range []string{f.ui.s.Tasks.Lookup, f.ui.s.Tasks.Ticket, f.ui.s.Tasks.Message, f.ui.s.Tasks.Poll, "社会救助"} {
			if !f.shows(s) {
				t.Errorf("home lacks %q", s)
			}
		}
	})
}

func TestTicketPrintedAndNumbered(t *testing.T) {
	eachMode(t, func(t *testing.T, f *flow) {
		f.tapText(f.ui.s.Tasks.Ticket)
		f.want(ScreenTicket)
		f.shot("ticket-choose")
		f.tapText("社保医保")
		f.shot("ticket-taken")
		if !f.shows("B001") || !f.shows("您前面还有 0 人") {
			t.Fatalf("ticket: %q", f.texts())
		}
		if jobs := f.prn.Jobs(); len(jobs) != 1 || !bytes.Contains(jobs[0], gbBytes("B001")) {
			t.Fatal("ticket not printed")
		}
		f.tapText(f.ui.s.Apply.Finish)
		f.tapText(f.ui.s.Tasks.Ticket)
		f.tapText("社保医保")
		if !f.shows("B002") || !f.shows("您前面还有 1 人") {
			t.Fatalf("second ticket: %q", f.texts())
		}
		if ts, _ := f.db.Tickets("2026-03-02"); len(ts) != 2 {
			t.Fatalf("stored tickets %d", len(ts))
		}
	})
}

func TestMessageWithPhone(t *testing.T) {
	eachMode(t, func(t *testing.T, f *flow) {
		f.tapText(f.ui.s.Tasks.Message)
		f.shot("message-topic")
		f.tapText("道路交通")
		f.tapText(f.ui.s.Lists.Phrases[0])
		f.tapText(f.ui.s.Lists.Phrases[3])
		f.shot("message-phrases")
		f.tapText(f.ui.s.Apply.NextStep)
		for _, d := range "1391234" {
			f.tapText(string(d))
		}
		f.tapText(f.ui.s.Tasks.MessageSend)
		if f.ui.Screen() != ScreenMessage || !f.shows("只有 7 位") {
			t.Fatalf("short phone: %q", f.texts())
		}
		for _, d := range "5678" {
			f.tapText(string(d))
		}
		f.shot("message-phone")
		f.tapText(f.ui.s.Tasks.MessageSend)
		if !f.shows("留言已收到") {
			t.Fatalf("message: %q", f.texts())
		}
		st, _ := f.db.Stats()
		if st.Depth != 1 {
			t.Fatalf("queue %d", st.Depth)
		}
		// The village answers; the answer shows in 办件查询, without the phone.
		ms, _ := f.db.Messages()
		reply, _ := json.Marshal(map[string]any{"reply": "已安排下周修路灯", "at": f.clock.Now()})
		if _, err := f.db.ApplyChanges([]localdb.Change{{Kind: "message_reply", Key: ms[0].ID, Payload: reply}}, 9); err != nil {
			t.Fatal(err)
		}
		f.tapText(f.ui.s.Apply.Finish)
		f.tapText(f.ui.s.Tasks.Lookup)
		f.shot("lookup-replies")
		if !f.shows("已安排下周修路灯") || f.shows("13912345678") {
			t.Fatalf("replies: %q", f.texts())
		}
	})
}

func TestLookupByNumberShowsMasked(t *testing.T) {
	eachMode(t, func(t *testing.T, f *flow) {
		card := idcard.SampleCards()[0]
		s := apply.NewSession("61040300MZ-JF-0005") // 高龄津贴: one choice and a phone
		s.SetCard(card)
		s.Answers = map[string]string{"payout": "本人银行卡", "phone": "13912345678"}
		for i := range 5 {
			s.Have[i] = true
		}
		s.Consented = true
		c, err := f.svc.Submit(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.SetCaseStatus(c.Number, localdb.StatusAccepted, "", f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		f.tapText(f.ui.s.Tasks.Lookup)
		for _, d := range "260302007001" {
			f.tapText(string(d))
		}
		if !f.shows("260302-K007-001") {
			t.Fatalf("keypad does not format the number: %q", f.texts())
		}
		f.tapText(f.ui.s.Tasks.LookupSearch)
		f.shot("lookup-by-number")
		if !f.shows("高龄津贴申请") || !f.shows("已受理") || !f.shows(mask.Name(card.Name)) || f.shows(card.IDNumber) {
			t.Fatalf("lookup: %q", f.texts())
		}
		f.tapText(f.ui.s.Apply.KeypadClear)
		for _, d := range "260302007999" {
			f.tapText(string(d))
		}
		f.tapText(f.ui.s.Tasks.LookupSearch)
		if !f.shows("没有查到") {
			t.Fatalf("unknown number: %q", f.texts())
		}
	})
}

func TestPollOneVotePerResident(t *testing.T) {
	eachMode(t, func(t *testing.T, f *flow) {
		now := f.clock.Now()
		open, _ := json.Marshal(localdb.Poll{ID: "p-road", Title: "三组道路硬化方案", Body: "村委会提议用集体收入硬化三组道路 800 米。", Options: []string{"同意", "不同意", "弃权"},
			OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(7 * 24 * time.Hour)})
		closed, _ := json.Marshal(localdb.Poll{ID: "p-well", Title: "新打机井位置", Options: []string{"村东", "村西"},
			OpensAt: now.Add(-30 * 24 * time.Hour), ClosesAt: now.Add(-time.Hour), Results: map[string]int{"村东": 41, "村西": 12}})
		if _, err := f.db.ApplyChanges([]localdb.Change{{Kind: "poll", Key: "p-road", Payload: open}, {Kind: "poll", Key: "p-well", Payload: closed}}, 2); err != nil {
			t.Fatal(err)
		}
		f.tapText(f.ui.s.Tasks.Poll)
		f.shot("poll-list")
		if !f.shows("三组道路硬化方案") || !f.shows("村东：41 票") {
			t.Fatalf("polls: %q", f.texts())
		}
		f.tapText("三组道路硬化方案")
		f.ui.CardEvent(idcard.Event{Card: idcard.SampleCards()[0]})
		f.shot("poll-vote")
		f.tapText("同意")
		if !f.shows("投票成功") {
			t.Fatalf("vote: %q", f.texts())
		}
		f.tapText(f.ui.s.Apply.Finish)
		f.tapText(f.ui.s.Tasks.Poll)
		f.tapText("三组道路硬化方案")
		f.ui.CardEvent(idcard.Event{Card: idcard.SampleCards()[0]})
		f.tapText("不同意")
		if !f.shows("已经投过票") {
			t.Fatalf("second vote: %q", f.texts())
		}
		if tally, _ := f.db.Tally("p-road"); tally["同意"] != 1 || tally["不同意"] != 0 {
			t.Fatalf("tally %v", tally)
		}
	})
}
