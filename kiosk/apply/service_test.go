package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/drivers/sim"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/kiosktest"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/mask"
)

const dibao = "61040300MZ-JF-0001" // 最低生活保障申请: a form of five fields, 容缺受理 allowed

type fixture struct {
	svc    *Service
	db     *localdb.DB
	clk    *clock.Fake
	prn    *sim.Printer
	dev    *printer.Device
	path   string
	sealer *localdb.Sealer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := kiosktest.Clock()
	st := kiosktest.NewStore(t, clk)
	prn := kiosktest.NewPrinter(t)
	svc := &Service{DB: st.DB, Catalog: kiosktest.Catalog(t), Calendar: kiosktest.Calendar(t), Clock: clk, Printer: prn.Device,
		Text: kiosktest.Strings(t), Cfg: Config{Hall: "王上村便民服务站", KioskCode: "K007", VoteKey: []byte("village vote key for tests 32 b."), LookupURL: "https://zw.example.cn/q",
			GuideURL: "https://zw.example.cn/g", Paper: printer.Paper58}}
	return &fixture{svc: svc, db: st.DB, clk: clk, prn: prn.Sim, dev: prn.Device, path: st.Path, sealer: st.Sealer}
}

// ready is a session for 低保 with the first sample card, good answers, every material ticked, consent.
func ready(card idcard.Card) *Session {
	s := NewSession(dibao)
	s.SetCard(card)
	s.Answers = map[string]string{"household": "3", "income": "800", "reasons": "疾病、残疾", "disabled_member": "是", "phone": "13912345678"}
	for i := range 7 {
		s.Have[i] = true
	}
	s.Consented = true
	return s
}

func gb(s string) []byte {
	b, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	return b
}

func TestSubmitIsDurableNumberedAndPromised(t *testing.T) {
	f := newFixture(t)
	card := idcard.SampleCards()[0]
	c1, err := f.svc.Submit(ready(card))
	if err != nil {
		t.Fatal(err)
	}
	c2, err := f.svc.Submit(ready(idcard.SampleCards()[1]))
	if err != nil {
		t.Fatal(err)
	}
	if c1.Number != "260302-K007-001" || c2.Number != "260302-K007-002" {
		t.Fatalf("numbers %s %s", c1.Number, c2.Number)
	}
	// 20 working days from Monday 2026-03-02, no holidays in between: Monday 2026-03-30.
	if got := c1.PromisedBy.Format("2006-01-02"); got != "2026-03-30" {
		t.Fatalf("promised %s", got)
	}
	// Durable: close and reopen the file; the case and its upload are there, the payload valid.
	f.db.Close()
	db, err := localdb.Open(f.path, localdb.Options{Sealer: f.sealer})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Case(c1.Number)
	if err != nil || got.Person.Name != card.Name || got.Person.Form["income"] != "800" {
		t.Fatalf("stored case %+v %v", got, err)
	}
	due, _ := db.Due(time.Now().Add(time.Hour), 0)
	if len(due) != 2 || due[0].Kind != api.KindCase {
		t.Fatalf("outbox %+v", due)
	}
	if err := api.Validate(api.KindCase, due[0].Payload); err != nil {
		t.Fatal(err)
	}
	var p api.CasePayload
	_ = json.Unmarshal(due[0].Payload, &p)
	if p.Form["家庭每月总收入（约）"] != "800" || p.Applicant.IDNumber != card.IDNumber {
		t.Fatalf("payload %+v", p)
	}
}

func TestEveryCardTypeCanApply(t *testing.T) {
	f := newFixture(t)
	for _, c := range idcard.SampleCards() {
		if c.Expired(f.clk.Now()) {
			continue
		}
		if _, err := f.svc.Submit(ready(c)); err != nil {
			t.Errorf("%s (%s): %v", c.Type, HolderName(c), err)
		}
	}
}

func TestNothingStoredWhenRefused(t *testing.T) {
	f := newFixture(t)
	cards := idcard.SampleCards()
	var expired idcard.Card
	for _, c := range cards {
		if c.Expired(f.clk.Now()) {
			expired = c
		}
	}
	noConsent := ready(cards[0])
	noConsent.Consented = false
	badForm := ready(cards[0])
	badForm.Answers["phone"] = "1391234"
	noCard := NewSession(dibao)
	noCard.Consented = true
	strict := ready(cards[0])
	strict.ItemCode = "61040300ZZ-QT-0001" // 党员组织关系转接: no 容缺受理
	strict.Answers = map[string]string{"phone": "13912345678"}
	strict.Have = map[int]bool{}
	for name, c := range map[string]struct {
		s    *Session
		want string
	}{
		"consent refused": {noConsent, ErrNoConsent.Error()},
		"expired card":    {ready(expired), "已过期"},
		"bad phone":       {badForm, ErrFormInvalid.Error()},
		"no card":         {noCard, ErrNoCard.Error()},
		"incomplete":      {strict, ErrIncomplete.Error()},
	} {
		if _, err := f.svc.Submit(c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if st, _ := f.db.Stats(); st.Depth != 0 {
		t.Fatalf("refused submissions left %d uploads", st.Depth)
	}
	// 容缺受理: missing required materials are listed on the case.
	lax := ready(cards[0])
	lax.Have = map[int]bool{0: true}
	c, err := f.svc.Submit(lax)
	if err != nil || len(c.Missing) != 4 || c.Missing[0] != "户口簿" {
		t.Fatalf("incomplete case: %+v %v", c.Missing, err)
	}
}

func TestReceiptMaskedWithLookupQR(t *testing.T) {
	f := newFixture(t)
	card := idcard.SampleCards()[0]
	c, err := f.svc.Submit(ready(card))
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := f.db.Case(c.Number)
	job, err := f.svc.Receipt(stored)
	if err != nil {
		t.Fatal(err)
	}
	for _, whole := range []string{card.Name, card.IDNumber, card.Address} {
		if bytes.Contains(job, gb(whole)) {
			t.Errorf("receipt holds %q whole", whole)
		}
	}
	for _, want := range []string{c.Number, mask.ID(card.IDNumber), "2026年03月30日", f.svc.LookupLink(c.Number)} {
		if !bytes.Contains(job, gb(want)) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	if f.svc.LookupLink(c.Number) != "https://zw.example.cn/q?c=260302-K007-001" {
		t.Fatal(f.svc.LookupLink(c.Number))
	}
	if err := f.svc.Print(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if len(f.prn.Jobs()) != 1 {
		t.Fatal("the printer got no job")
	}
}

// Out of paper: the case is stored all the same, the resident is told in Chinese, and staff can
// reprint once the paper is in.
func TestPrinterOutOfPaper(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.Submit(ready(idcard.SampleCards()[0]))
	if err != nil {
		t.Fatal(err)
	}
	f.prn.SetPaperOut(true)
	stored, _ := f.db.Case(c.Number)
	job, _ := f.svc.Receipt(stored)
	err = f.svc.Print(context.Background(), job)
	var pe *PrintError
	if !errors.As(err, &pe) || !strings.Contains(pe.Resident, "没有纸") {
		t.Fatalf("print with no paper: %v", err)
	}
	if _, err := f.db.Case(c.Number); err != nil {
		t.Fatal("the case is gone after a print failure")
	}
	f.prn.SetPaperOut(false)
	if ok, err := f.dev.Reprint(context.Background()); !ok || err != nil {
		t.Fatalf("reprint: %v %v", ok, err)
	}
	if jobs := f.prn.Jobs(); len(jobs) != 1 || !bytes.Contains(jobs[0], gb(c.Number)) {
		t.Fatal("the reprinted receipt did not come out")
	}
}

func TestRatingOncePerCase(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.Rate("260302-K007-001", 1, nil); err == nil {
		t.Fatal("a bad rating without a reason was taken")
	}
	if err := f.svc.Rate("260302-K007-001", 2, []string{f.svc.Text.Lists.BadReasons[0]}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Rate("260302-K007-001", 5, nil); !errors.Is(err, localdb.ErrExists) {
		t.Fatalf("second rating: %v", err)
	}
}

func TestTicketsMessagesVotes(t *testing.T) {
	f := newFixture(t)
	t1, job, err := f.svc.TakeTicket("社会救助")
	if err != nil || t1.Number != "A001" || t1.Waiting != 0 || !bytes.Contains(job, gb("A001")) {
		t.Fatalf("%+v %v", t1, err)
	}
	t2, _, _ := f.svc.TakeTicket("社会救助")
	t3, _, _ := f.svc.TakeTicket("社保医保")
	if t2.Number != "A002" || t2.Waiting != 1 || t3.Number != "B001" || t3.Waiting != 0 {
		t.Fatalf("%+v %+v", t2, t3)
	}
	if _, err := f.svc.LeaveMessage("道路交通", []string{f.svc.Text.Lists.Phrases[0]}, "139"); err == nil {
		t.Fatal("bad phone taken")
	}
	id, err := f.svc.LeaveMessage("道路交通", []string{f.svc.Text.Lists.Phrases[0], f.svc.Text.Lists.Phrases[3]}, "13912345678")
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := f.db.Message(id); m.Text != "希望尽快处理；有安全隐患" || m.Person.Phone != "13912345678" {
		t.Fatalf("%+v", m)
	}
	card := idcard.SampleCards()[0]
	if err := f.svc.Vote("p1", card, "同意"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Vote("p1", card, "不同意"); !errors.Is(err, ErrAlreadyVoted) {
		t.Fatalf("second vote: %v", err)
	}
	key := f.svc.Cfg.VoteKey
	f.svc.Cfg.VoteKey = nil
	if err := f.svc.Vote("p2", card, "同意"); !errors.Is(err, ErrNoVoteKey) {
		t.Fatalf("vote without the village key: %v", err)
	}
	f.svc.Cfg.VoteKey = key
	due, _ := f.db.Due(time.Now().Add(time.Hour), 0)
	for _, it := range due {
		if err := api.Validate(it.Kind, it.Payload); err != nil {
			t.Errorf("%s payload invalid: %v", it.Kind, err)
		}
		if it.Kind == api.KindVote && strings.Contains(string(it.Payload), card.IDNumber) {
			t.Error("a vote upload names the voter")
		}
		if it.Kind == api.KindVote && !strings.Contains(string(it.Payload), api.VoterToken(f.svc.Cfg.VoteKey, "p1", card.IDNumber)) {
			t.Errorf("a vote upload lacks the resident's voter token: %s", it.Payload)
		}
	}
}

func TestWipeForgetsTheResident(t *testing.T) {
	s := ready(idcard.SampleCards()[0])
	card := s.Card()
	card.Photo = []byte{1, 2, 3}
	photo := card.Photo
	s.Wipe()
	if !s.Empty() || s.Card() != nil || card.Name != "" || card.IDNumber != "" || !bytes.Equal(photo, []byte{0, 0, 0}) {
		t.Fatalf("after wipe: %+v %+v %v", s, card, photo)
	}
	if !regexp.MustCompile(`^\d{6}-K\d{3}-\d{3}$`).MatchString("260302-K007-001") {
		t.Fatal("case number pattern")
	}
}
