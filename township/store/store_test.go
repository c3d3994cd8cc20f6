package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"hallkiosk/township/api"
	"hallkiosk/township/api/casenum"
)

var day = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

type fixture struct {
	t   *testing.T
	st  *Store
	now time.Time
	a   Device // 王上村, K001
	a2  Device // 王上村, K002
	b   Device // 李家村, K003
	key []byte // 王上村's vote key
	n   int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, now: day}
	dir := t.TempDir()
	st, err := Open(filepath.Join(dir, "t.db"), filepath.Join(dir, "t.key"), func() time.Time { return f.now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.a, f.key = f.enrol("王上村", "X123")
	f.a2, _ = f.enrol("王上村", "")
	f.b, _ = f.enrol("李家村", "")
	return f
}

func (f *fixture) enrol(village, local string) (Device, []byte) {
	code, _, err := f.st.NewCode(village, "一号机", time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	d, key, err := f.st.Enrol(code, "", local)
	if err != nil {
		f.t.Fatal(err)
	}
	return d, key
}

func idNumber(first17 string) string {
	c, _ := api.IDCheckDigit(first17)
	return first17 + string(c)
}

func (f *fixture) item(kind string, payload any) api.Item {
	f.n++
	raw, ok := payload.([]byte)
	if !ok {
		raw, _ = json.Marshal(payload)
	}
	return api.Item{Key: fmt.Sprintf("key-%d", f.n), Kind: kind, Payload: raw}
}

func (f *fixture) caseOf(number string) api.CasePayload {
	return api.CasePayload{Number: number, ItemCode: "61040300MZ-JF-0001", ItemName: "低保申请",
		Applicant: api.Applicant{Name: "李淼喆", IDNumber: idNumber("61040319520304123")}, SubmittedAt: day}
}

func (f *fixture) send(dev Device, items ...api.Item) []api.Result {
	f.t.Helper()
	rs, err := f.st.Intake(dev, items, Nonce{})
	if err != nil {
		f.t.Fatal(err)
	}
	return rs
}

// snapshot is every key and value of the file, so a test can say "nothing changed".
func (f *fixture) snapshot() string {
	var b strings.Builder
	err := f.st.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			return bk.ForEach(func(k, v []byte) error {
				fmt.Fprintf(&b, "%s/%x=%x\n", name, k, v)
				return nil
			})
		})
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return b.String()
}

func (f *fixture) poll(village, id string, opens, closes time.Time) {
	f.t.Helper()
	p, _ := json.Marshal(api.PollPayload{ID: id, Title: "村道硬化", Options: []string{"同意", "不同意"}, OpensAt: opens, ClosesAt: closes})
	if _, err := f.st.Publish(village, api.ChangePoll, id, p); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) vote(poll, option, idNumber string, at time.Time) api.Item {
	return f.item(api.KindVote, api.VotePayload{PollID: poll, Option: option, Voter: api.VoterToken(f.key, poll, idNumber), VotedAt: at})
}

// Each refusal is final (rejected, with a reason naming the field or the rule) and leaves the
// file exactly as it was.
func TestRefusalsChangeNothing(t *testing.T) {
	f := newFixture(t)
	aNum := casenum.Format(day, f.a.Code, 1)
	bNum := casenum.Format(day, f.b.Code, 1)
	if rs := f.send(f.a, f.item(api.KindCase, f.caseOf(aNum))); rs[0].Status != api.Accepted {
		t.Fatal(rs)
	}
	if rs := f.send(f.b, f.item(api.KindCase, f.caseOf(bNum))); rs[0].Status != api.Accepted {
		t.Fatal(rs)
	}
	if rs := f.send(f.a, f.item(api.KindRating, api.RatingPayload{CaseNumber: aNum, Grade: 5, RatedAt: day})); rs[0].Status != api.Accepted {
		t.Fatal(rs)
	}
	f.poll("王上村", "p-open", day.Add(-time.Hour), day.Add(24*time.Hour))
	f.poll("李家村", "p-other", day.Add(-time.Hour), day.Add(24*time.Hour))
	f.poll("", "p-closed", day.Add(-48*time.Hour), day.Add(-24*time.Hour))
	voter := idNumber("61040319800101001")
	if rs := f.send(f.a, f.vote("p-open", "同意", voter, day)); rs[0].Status != api.Accepted {
		t.Fatal(rs)
	}

	withName := func(name string) []byte {
		b, _ := json.Marshal(f.caseOf(casenum.Format(day, f.a.Code, 9)))
		return bytes.Replace(b, []byte(`"name":"李淼喆"`), []byte(`"name":"`+name+`"`), 1)
	}
	msg := func(topic, text string) []byte {
		b, _ := json.Marshal(api.MessagePayload{ID: "m1", Topic: "道路交通", Text: "路灯坏了", CreatedAt: day})
		b = bytes.Replace(b, []byte(`"topic":"道路交通"`), []byte(`"topic":"`+topic+`"`), 1)
		return bytes.Replace(b, []byte(`"text":"路灯坏了"`), []byte(`"text":"`+text+`"`), 1)
	}
	rating := func(number string, grade int) api.RatingPayload {
		return api.RatingPayload{CaseNumber: number, Grade: grade, Reasons: []string{"等待时间长"}, RatedAt: day}
	}
	cases := []struct {
		name string
		dev  Device
		item api.Item
		want string
	}{
		{"RLO in a name", f.a, f.item(api.KindCase, withName(`李\u202e淼喆`)), "applicant.name: U+202E"},
		{"isolate in a name", f.a, f.item(api.KindCase, withName(`\u2066李淼喆`)), "applicant.name: U+2066"},
		{"zero width in a message", f.a, f.item(api.KindMessage, msg("道路交通", `路\u200b灯`)), "text: U+200B"},
		{"NUL in a topic", f.a, f.item(api.KindMessage, msg(`道路\u0000`, "路灯坏了")), "topic: U+0000"},
		{"escape in a message", f.a, f.item(api.KindMessage, msg("道路交通", `\u001b[2J`)), "text: U+001B"},
		{"bytes ff fe in a name", f.a, f.item(api.KindCase, withName("李\xff\xfe")), "applicant.name: U+FFFD"},
		{"overlong c0 af in a name", f.a, f.item(api.KindCase, withName("李\xc0\xaf")), "applicant.name: U+FFFD"},
		{"lone surrogate in a name", f.a, f.item(api.KindCase, withName(`李\ud800`)), "applicant.name: U+FFFD"},
		{"decomposed name (not NFC)", f.a, f.item(api.KindCase, withName("Jose\u0301")), "NFC"},
		{"message of 1001 characters", f.a, f.item(api.KindMessage, msg("道路交通", strings.Repeat("长", 1001))), "1001 characters, at most 1000"},
		{"case in another kiosk's numbering", f.b, f.item(api.KindCase, f.caseOf(casenum.Format(day, f.a.Code, 2))), "numbering of kiosk K001"},
		{"case in a made-up numbering", f.a, f.item(api.KindCase, f.caseOf(casenum.Format(day, "K999", 1))), "numbering of kiosk K999"},
		{"case not in kiosk format", f.a, f.item(api.KindCase, f.caseOf("WS-20260302-0001")), "not a case number"},
		{"rating of another village's case", f.a, f.item(api.KindRating, rating(bNum, 1)), "another village"},
		{"rating of a case that does not exist", f.a, f.item(api.KindRating, rating(casenum.Format(day, "K777", 1), 5)), "no kiosk"},
		{"rating of a future case", f.a, f.item(api.KindRating, rating(casenum.Format(day.AddDate(0, 0, 5), f.a.Code, 1), 5)), "after today"},
		{"second rating of a case", f.a2, f.item(api.KindRating, rating(aNum, 1)), "rated before"},
		{"rating held for another village", f.b, f.item(api.KindRating, rating(casenum.Format(day, f.a.Code, 5), 5)), "another village"},
		{"vote in a poll never published", f.a, f.vote("p-none", "同意", voter, day), "never published"},
		{"vote in another village's poll", f.a, f.vote("p-other", "同意", voter, day), "not a poll of 王上村"},
		{"vote in a closed poll", f.a, f.vote("p-closed", "同意", voter, day), "is open from"},
		{"vote for no option", f.a, f.vote("p-open", "弃权", voter, day), "not one of poll"},
		{"second vote at another kiosk", f.a2, f.vote("p-open", "不同意", voter, day), "voted in poll p-open already"},
		{"vote without a token", f.a, f.item(api.KindVote, api.VotePayload{PollID: "p-open", Option: "同意", VotedAt: day}), "voter must be"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.snapshot()
			rs := f.send(c.dev, c.item)
			if rs[0].Status != api.Rejected || !strings.Contains(rs[0].Reason, c.want) {
				t.Fatalf("got %s %q, want rejected naming %q", rs[0].Status, rs[0].Reason, c.want)
			}
			if after := f.snapshot(); after != before {
				t.Fatalf("a refused item changed the file")
			}
		})
	}
	if tally, _ := f.st.Tally("p-open"); tally["同意"] != 1 || tally["不同意"] != 0 {
		t.Fatalf("tally %v, want one vote for 同意", tally)
	}
}

// A rating can come before its case: rated at kiosk a2 while kiosk a, which made the case, is
// offline. It is held (accepted, with a note), counted once the case arrives, and a held rating
// whose case never comes is dropped after HeldRatingsKept.
func TestRatingBeforeItsCase(t *testing.T) {
	f := newFixture(t)
	num := casenum.Format(day, f.a.Code, 7)
	rs := f.send(f.a2, f.item(api.KindRating, api.RatingPayload{CaseNumber: num, Grade: 2, Reasons: []string{"等待时间长"}, RatedAt: day}))
	if rs[0].Status != api.Accepted || rs[0].Reason != HeldRatingNote {
		t.Fatalf("early rating: %+v", rs[0])
	}
	if st, _ := f.st.Stats(); st.Ratings != 0 || st.HeldRatings != 1 {
		t.Fatalf("before the case: %+v", st)
	}
	// A second rating of the same case while the first waits is refused.
	if rs := f.send(f.a, f.item(api.KindRating, api.RatingPayload{CaseNumber: num, Grade: 5, RatedAt: day})); rs[0].Status != api.Rejected {
		t.Fatalf("second early rating: %+v", rs[0])
	}
	f.now = day.Add(3 * 24 * time.Hour) // the kiosk comes back online days later
	if rs := f.send(f.a, f.item(api.KindCase, f.caseOf(num))); rs[0].Status != api.Accepted {
		t.Fatal(rs)
	}
	rts, _ := f.st.Ratings("王上村")
	if st, _ := f.st.Stats(); st.Ratings != 1 || st.HeldRatings != 0 || len(rts) != 1 || rts[0].Case != num || rts[0].Grade != 2 {
		t.Fatalf("after the case: %+v %+v", st, rts)
	}
	// A case numbered before enrolment (the kiosk's X code) is its own too.
	if rs := f.send(f.a, f.item(api.KindCase, f.caseOf(casenum.Format(day, "X123", 1)))); rs[0].Status != api.Accepted {
		t.Fatalf("pre-enrolment case: %+v", rs[0])
	}
	// One that never comes.
	lost := casenum.Format(day, f.a.Code, 8)
	f.send(f.a2, f.item(api.KindRating, api.RatingPayload{CaseNumber: lost, Grade: 1, Reasons: []string{"态度不好"}, RatedAt: f.now}))
	if n, _ := f.st.PruneHeld(f.now.Add(-HeldRatingsKept)); n != 0 {
		t.Fatalf("pruned %d fresh held ratings", n)
	}
	f.now = f.now.Add(HeldRatingsKept + time.Hour)
	if n, _ := f.st.PruneHeld(f.now.Add(-HeldRatingsKept)); n != 1 {
		t.Fatalf("pruned %d, want the one whose case never came", n)
	}
}

// The township learns from a vote only that some resident voted (the token) and a count per
// option, kept in separate buckets; the taken-item record has no token, and nothing links a token
// to a choice.
func TestVoteKeepsVoterApartFromChoice(t *testing.T) {
	f := newFixture(t)
	f.poll("王上村", "p1", day.Add(-time.Hour), day.Add(time.Hour))
	voters := []string{idNumber("61040319800101001"), idNumber("61040319800101002"), idNumber("61040319800101003")}
	for i, v := range voters {
		opt := []string{"同意", "不同意", "同意"}[i]
		dev := []Device{f.a, f.a2, f.a}[i]
		if rs := f.send(dev, f.vote("p1", opt, v, day)); rs[0].Status != api.Accepted {
			t.Fatal(rs)
		}
	}
	tally, _ := f.st.Tally("p1")
	if tally["同意"] != 2 || tally["不同意"] != 1 {
		t.Fatalf("tally %v", tally)
	}
	dump := f.snapshot()
	var tokens []string
	for _, v := range voters {
		tok := api.VoterToken(f.key, "p1", v)
		tokens = append(tokens, tok)
		hexTok := fmt.Sprintf("%x", tok)
		if n := strings.Count(dump, hexTok); n != 1 {
			t.Fatalf("token found %d times in the file, want once (the voters bucket)", n)
		}
		if strings.Contains(dump, fmt.Sprintf("%x", v)) {
			t.Fatal("an ID number is in the file")
		}
	}
	for _, line := range strings.Split(dump, "\n") {
		for _, tok := range tokens {
			if strings.Contains(line, fmt.Sprintf("%x", tok)) && !strings.HasPrefix(line, "voters/") {
				t.Fatalf("a token outside the voters bucket: %s", line)
			}
		}
		if strings.HasPrefix(line, "voters/") && !strings.HasSuffix(line, "=") {
			t.Fatalf("a voter entry holds a value (a choice or a time?): %s", line)
		}
	}
	// Another village's key makes other tokens: its kiosks cannot vote away a resident's vote here.
	_, keyB, _ := f.st.Enrol(mustCode(t, f.st, "李家村"), "", "")
	if string(keyB) == string(f.key) || len(f.key) != 32 {
		t.Fatal("villages share a vote key")
	}
	// A key of the same village stays the same for every device.
	_, keyA3, _ := f.st.Enrol(mustCode(t, f.st, "王上村"), "", "")
	if string(keyA3) != string(f.key) {
		t.Fatal("a village's devices got different vote keys")
	}
}

func mustCode(t *testing.T, st *Store, village string) string {
	c, _, err := st.NewCode(village, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Publishing refuses text the kiosks would refuse, a poll that votes cannot be counted against,
// and a change of options once votes are in.
func TestPublishRefusals(t *testing.T) {
	f := newFixture(t)
	f.poll("王上村", "p1", day.Add(-time.Hour), day.Add(time.Hour))
	f.send(f.a, f.vote("p1", "同意", idNumber("61040319800101001"), day))
	cases := []struct {
		kind, key, village, payload, want string
	}{
		{"disclosure", "d1", "", `{"title":"财务\u202e公开"}`, "payload.title: U+202E"},
		{"disclosure", "d1", "", `{"title":"` + strings.Repeat("长", 101) + `"}`, "at most 100"},
		{"disclosure", "d\u200b1", "", `{"title":"ok"}`, "key: U+200B"},
		{"disclosure", "d1", "王上\u0000村", `{"title":"ok"}`, "village: U+0000"},
		{"hologram", "h1", "", `{}`, "cannot publish kind"},
		{"case_status", "c1", "", `{}`, "cannot publish kind"},
		{"poll", "p2", "", `{"id":"p2","title":"t","options":["同意"],"opens_at":"2026-11-24T00:00:00Z","closes_at":"2026-11-25T00:00:00Z"}`, "2 to 20"},
		{"poll", "p2", "", `{"id":"p3","title":"t","options":["a","b"],"opens_at":"2026-11-24T00:00:00Z","closes_at":"2026-11-25T00:00:00Z"}`, "must be the key"},
		{"poll", "p2", "", `{"id":"p2","title":"t","options":["a","b"],"opens_at":"2026-11-24T00:00:00Z"}`, "closes_at"},
		{"poll", "p1", "王上村", `{"id":"p1","title":"t","options":["a","b"],"opens_at":"2026-11-24T00:00:00Z","closes_at":"2026-11-25T00:00:00Z"}`, "options cannot change"},
		{"poll", "p1", "", `{"id":"p1","title":"村道硬化","options":["同意","不同意"],"opens_at":"2026-11-24T00:00:00Z","closes_at":"2026-11-25T00:00:00Z"}`, "stays there"},
	}
	for _, c := range cases {
		before := f.snapshot()
		_, err := f.st.Publish(c.village, c.kind, c.key, json.RawMessage(c.payload))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("publish %s %q: %v, want %q", c.kind, c.key, err, c.want)
		}
		if f.snapshot() != before {
			t.Errorf("refused publish %s %q changed the file", c.kind, c.key)
		}
	}
	for _, bad := range []struct{ village, name string }{{"王上村", strings.Repeat("机", 41)}, {"王上村", "\x1b[2J"}, {"", "x"}, {"王\u202e村", ""}} {
		if _, _, err := f.st.NewCode(bad.village, bad.name, time.Hour); err == nil {
			t.Errorf("NewCode(%q, %q) taken", bad.village, bad.name)
		}
	}
}

// Items of one batch are applied in order in one transaction: a case and its rating sent together
// are both counted.
func TestCaseAndRatingInOneBatch(t *testing.T) {
	f := newFixture(t)
	num := casenum.Format(day, f.a.Code, 3)
	rs := f.send(f.a, f.item(api.KindCase, f.caseOf(num)), f.item(api.KindRating, api.RatingPayload{CaseNumber: num, Grade: 4, RatedAt: day}))
	var st []string
	for _, r := range rs {
		st = append(st, r.Status+r.Reason)
	}
	sort.Strings(st)
	if strings.Join(st, ",") != "accepted,accepted" {
		t.Fatalf("%v", st)
	}
	if s, _ := f.st.Stats(); s.Ratings != 1 || s.HeldRatings != 0 {
		t.Fatalf("%+v", s)
	}
}

// A window's case arrives with the first steps of its life in one batch; later steps follow where
// the case stands; a step for a case that is not here, of another village, or from a status the
// case is not at is refused with the reason and changes nothing.
func TestCaseSteps(t *testing.T) {
	f := newFixture(t)
	num := casenum.Format(day, f.a.Code, 4)
	c := f.caseOf(num)
	c.Channel = "window"
	step := func(from, to string) api.CaseStep {
		return api.CaseStep{From: from, To: to, Actor: "S01", Role: "worker", At: day}
	}
	rs := f.send(f.a, f.item(api.KindCase, c),
		f.item(api.KindCaseStep, api.CaseStepPayload{Number: num, Steps: []api.CaseStep{step("received", "accepted"), step("accepted", "forwarded")}}))
	for _, r := range rs {
		if r.Status != api.Accepted {
			t.Fatalf("window case and its steps: %+v", rs)
		}
	}
	got, err := f.st.Case(num)
	if err != nil || got.Life != "forwarded" || len(got.Steps) != 2 || got.Channel != "window" {
		t.Fatalf("case after its steps: %+v %v", got, err)
	}
	other := casenum.Format(day, f.b.Code, 1)
	f.send(f.b, f.item(api.KindCase, f.caseOf(other)))
	before := f.snapshot()
	for _, bad := range []struct {
		dev  Device
		p    api.CaseStepPayload
		want string
	}{
		{f.a, api.CaseStepPayload{Number: casenum.Format(day, f.a.Code, 9), Steps: []api.CaseStep{step("received", "accepted")}}, "a step is sent after its case"},
		{f.a, api.CaseStepPayload{Number: other, Steps: []api.CaseStep{step("received", "accepted")}}, "another village"},
		{f.a, api.CaseStepPayload{Number: num, Steps: []api.CaseStep{step("received", "accepted")}}, "the case stands at forwarded"},
	} {
		rs := f.send(bad.dev, f.item(api.KindCaseStep, bad.p))
		if rs[0].Status != api.Rejected || !strings.Contains(rs[0].Reason, bad.want) {
			t.Errorf("%s: %+v, want rejected with %q", bad.want, rs[0], bad.want)
		}
	}
	if f.snapshot() != before {
		t.Fatal("a refused step changed the file")
	}
}
