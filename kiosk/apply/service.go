package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/devtext"
	"hallkiosk/kiosk/docs"
	"hallkiosk/kiosk/form"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/queue/hall"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/workday"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/casenum"
)

// Printer prints a job; *printer.Device is one.
type Printer interface {
	Print(ctx context.Context, job []byte) error
}

// Config is what the service needs from the configuration.
type Config struct {
	Hall      string // printed on receipts
	KioskCode string // part of every case number; from enrolment
	VoteKey   []byte // the village's key for voter tokens; from enrolment
	// LookupURL and GuideURL are the bases of the QR codes: a case number or an item code is added
	// as the query parameter "c".
	LookupURL string
	GuideURL  string
	Paper     printer.Paper
}

// Service runs the self-service tasks against the store and the printer.
type Service struct {
	DB       *localdb.DB
	Catalog  *catalog.Catalog
	Calendar *workday.Calendar
	Clock    clock.Clock
	Printer  Printer // nil: no printer configured
	Cfg      Config
	Text     *text.Strings // the resident's words, from assets
	Log      *slog.Logger
	// Kick tells the upload loop there is something new (nil: nothing to tell).
	Kick func()
	// Hall gives ticket numbers from the hall's one queue (kiosk/queue/hall); nil: this kiosk
	// numbers its own tickets (a hall without a queue service).
	Hall HallTickets
}

// HallTickets is what TakeTicket needs of the hall's queue: a number and how many wait before it
// (-1 when the service is away and the number came from the kiosk's own block).
type HallTickets interface {
	TakeFor(ctx context.Context, business, caseNumber string) (queue.Ticket, int, error)
}

// ErrNoTicket means no number could be given (the hall's service is away and this kiosk has no
// block of its own left): the resident goes to the window.
var ErrNoTicket = errors.New("no ticket number can be given now")

// Errors the screens tell apart.
var (
	ErrNoConsent   = errors.New("the resident did not consent")
	ErrNoCard      = errors.New("no ID card in the session")
	ErrFormInvalid = errors.New("form answers have problems")
	ErrNoPrinter   = errors.New("no printer configured")
	ErrIncomplete  = errors.New("required materials are missing and the item does not allow it")
)

func (s *Service) now() time.Time { return s.Clock.Now() }

func (s *Service) kick() {
	if s.Kick != nil {
		s.Kick()
	}
}

// GuideLink is the address of an item's guide for a phone (the guide screen's QR code).
func (s *Service) GuideLink(code string) string { return withC(s.Cfg.GuideURL, code) }

// LookupLink is the address of a case's progress for a phone (the receipt's QR code).
func (s *Service) LookupLink(number string) string { return withC(s.Cfg.LookupURL, number) }

func withC(base, v string) string {
	u, err := url.Parse(base)
	if err != nil || base == "" {
		return base + v
	}
	q := u.Query()
	q.Set("c", v)
	u.RawQuery = q.Encode()
	return u.String()
}

// Promised is the promised completion date of an item submitted now.
func (s *Service) Promised(it catalog.Item, at time.Time) time.Time {
	if s.Calendar != nil && !s.Calendar.Covers(at) && s.Log != nil {
		s.Log.Warn("holiday calendar does not cover this year; counting weekdays only: update calendar.file", "year", at.Year())
	}
	if s.Calendar == nil {
		return at
	}
	return s.Calendar.Add(at, it.PromisedLimitDays)
}

// NextCaseNumber makes a number like 260302-K007-012 (casenum): date, device, the day's sequence.
// Short enough to copy by hand, unique across the township's devices; the window numbers its
// cases through it too.
func (s *Service) NextCaseNumber(at time.Time) (string, error) {
	n, err := s.DB.NextNumber("case/" + casenum.Prefix(at, s.Cfg.KioskCode))
	if err != nil {
		return "", err
	}
	return casenum.Format(at, s.Cfg.KioskCode, int(n)), nil
}

// Submit turns a finished session into a case, durably (record and upload item in one fsynced
// transaction) before it returns: only then may the screen say it was received.
func (s *Service) Submit(sess *Session) (localdb.Case, error) {
	it, ok := s.Catalog.Item(sess.ItemCode)
	if !ok {
		return localdb.Case{}, fmt.Errorf("submit: no item %q in the catalog", sess.ItemCode)
	}
	card := sess.Card()
	switch {
	case !sess.Consented:
		return localdb.Case{}, ErrNoConsent
	case card == nil:
		return localdb.Case{}, ErrNoCard
	}
	now := s.now()
	if p := CardProblem(s.Text, *card, now); p != "" {
		return localdb.Case{}, fmt.Errorf("submit: %s", p)
	}
	if probs := form.CheckAll(s.Text, it.Form, sess.Answers, now); len(probs) > 0 {
		return localdb.Case{}, fmt.Errorf("%w: %d fields", ErrFormInvalid, len(probs))
	}
	if !sess.MaterialsOK(it) {
		return localdb.Case{}, ErrIncomplete
	}
	missing := sess.Missing(it)
	number, err := s.NextCaseNumber(now)
	if err != nil {
		return localdb.Case{}, fmt.Errorf("submit: %w", err)
	}
	answers, labelled := Answers(it.Form, sess.Answers)
	phone := answers["phone"]
	promised := s.Promised(it, now)
	// What the card says is NFC-normalised once, for the kiosk's record and the upload alike.
	name, address := norm.NFC.String(HolderName(*card)), norm.NFC.String(card.Address)
	c := localdb.Case{Number: number, ItemCode: it.Code, ItemName: it.Name, Missing: missing,
		CreatedAt: now.UTC(), PromisedBy: promised,
		Person: &localdb.Person{Name: name, IDNumber: card.IDNumber, Address: address, Phone: phone, Form: answers}}
	rec, err := s.DB.CaseRecord(c)
	if err != nil {
		return localdb.Case{}, fmt.Errorf("submit: %w", err)
	}
	payload, err := json.Marshal(api.CasePayload{Number: number, ItemCode: it.Code, ItemName: it.Name,
		Applicant: api.Applicant{Name: name, IDNumber: card.IDNumber, IDType: idType(card.Type), Phone: phone, Address: address},
		Form:      labelled, Missing: missing, SubmittedAt: now.UTC(), PromisedBy: promised.UTC()})
	if err != nil {
		return localdb.Case{}, err
	}
	if err := api.Validate(api.KindCase, payload); err != nil {
		// The township would refuse it for good: better to say so now, while the resident is here.
		return localdb.Case{}, fmt.Errorf("submit: %w", err)
	}
	if _, err := s.DB.Submit(rec, api.KindCase, payload); err != nil {
		return localdb.Case{}, fmt.Errorf("submit: %w", err)
	}
	if s.Log != nil {
		s.Log.Info("case submitted", "case", number, "item", it.Code, "missing", len(missing))
	}
	s.kick()
	c.Status = localdb.StatusSubmitted
	return c, nil
}

// Answers are a form's non-empty answers trimmed and in NFC (as the text rule wants: nobody has to
// know about normalisation forms), by field id for the store and by label for the township.
func Answers(fields []catalog.Field, given map[string]string) (byID, byLabel map[string]string) {
	byID, byLabel = map[string]string{}, map[string]string{}
	for _, f := range fields {
		if v := norm.NFC.String(strings.TrimSpace(given[f.ID])); v != "" {
			byID[f.ID], byLabel[f.Label] = v, v
		}
	}
	return byID, byLabel
}

// Collect says where and how the result is collected, for the receipt.
func Collect(it catalog.Item) string {
	if len(it.Delivery) == 0 {
		return it.Place
	}
	return strings.Join(it.Delivery, "、") + "（" + it.Place + "）"
}

// Receipt lays out a case's receipt (names and ID numbers masked by the layout).
func (s *Service) Receipt(c localdb.Case) ([]byte, error) {
	it, _ := s.Catalog.Item(c.ItemCode)
	r := docs.Receipt{Hall: s.Cfg.Hall, CaseNumber: c.Number, Item: c.ItemName, Submitted: c.CreatedAt.In(s.now().Location()),
		Promised: c.PromisedBy, Collect: Collect(it), LookupURL: s.LookupLink(c.Number), Missing: c.Missing}
	if c.Person != nil {
		r.Name, r.IDNumber = c.Person.Name, c.Person.IDNumber
	}
	return r.Doc(s.Text).Bytes(s.Cfg.Paper)
}

// Checklist lays out the list of materials still to bring (预审).
func (s *Service) Checklist(it catalog.Item, missing []string) ([]byte, error) {
	return docs.Checklist{Hall: s.Cfg.Hall, Item: it.Name, Missing: missing,
		Place: it.Place, Hours: it.Hours, Phone: it.Phone, GuideURL: s.GuideLink(it.Code), Printed: s.now(),
		Incomplete: it.AllowIncomplete}.Doc(s.Text).Bytes(s.Cfg.Paper)
}

// PrintError is a print that failed, with what to tell the resident.
type PrintError struct {
	Resident string
	Err      error
}

func (e *PrintError) Error() string { return "print: " + e.Err.Error() }
func (e *PrintError) Unwrap() error { return e.Err }

// Print sends a job and turns a failure into the Chinese sentence for the screen. The case is stored
// whatever happens here.
func (s *Service) Print(ctx context.Context, job []byte) error {
	if s.Printer == nil {
		return &PrintError{Resident: s.Text.Problems.NoPrinter, Err: ErrNoPrinter}
	}
	err := s.Printer.Print(ctx, job)
	if err == nil {
		return nil
	}
	msg := devtext.PrintFailure(s.Text, err)
	if s.Log != nil {
		s.Log.Warn("print failed", "err", err)
	}
	return &PrintError{Resident: msg, Err: err}
}

// Bad reports whether a grade is a 差评, which asks what was wrong.
func Bad(grade int) bool { return grade <= 2 }

// Rate stores the one rating of a case and queues it for the township.
func (s *Service) Rate(caseNumber string, grade int, reasons []string) error {
	if Bad(grade) && len(reasons) == 0 {
		return fmt.Errorf("rate %s: a bad rating needs what was wrong", caseNumber)
	}
	now := s.now().UTC()
	rec, err := s.DB.RatingRecord(localdb.Rating{CaseNumber: caseNumber, Grade: grade, Reasons: reasons, CreatedAt: now})
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(api.RatingPayload{CaseNumber: caseNumber, Grade: grade, Reasons: reasons, RatedAt: now})
	if _, err := s.DB.Submit(rec, api.KindRating, payload); err != nil {
		return fmt.Errorf("rate %s: %w", caseNumber, err)
	}
	s.kick()
	return nil
}

// Lookup finds one case by its number, as printed or as typed on the keypad; ok is false when
// there is none (a string that is no case number is none too).
func (s *Service) Lookup(number string) (localdb.Case, bool, error) {
	n, err := casenum.Parse(number, s.now().Location())
	if err != nil {
		return localdb.Case{}, false, nil
	}
	c, err := s.DB.Case(n.String())
	if errors.Is(err, localdb.ErrNotFound) {
		return localdb.Case{}, false, nil
	}
	return c, err == nil, err
}

// CasesOf lists the cases of the resident whose card was read, newest first.
func (s *Service) CasesOf(c idcard.Card) ([]localdb.Case, error) {
	cs, err := s.DB.CasesFor(c.IDNumber)
	for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
		cs[i], cs[j] = cs[j], cs[i]
	}
	return cs, err
}

// TicketPrefix is the letter of a business's ticket numbers: A for the first in the list, and so on.
func (s *Service) TicketPrefix(business string) string {
	p, err := queue.PrefixOf(s.Text.Lists.Businesses, business)
	if err != nil {
		return "Z"
	}
	return p
}

// TakeTicket numbers a queue ticket (per day and per kiosk until the window calls them), stores
// and queues it, and lays it out for the printer.
func (s *Service) TakeTicket(business string) (localdb.Ticket, []byte, error) {
	return s.TakeTicketFor(business, "")
}

// TicketBusiness is the business whose queue a case's item is served in: its catalog window when
// the hall's businesses name it, else the last business (其他业务).
func (s *Service) TicketBusiness(itemCode string) string {
	bs := s.Text.Lists.Businesses
	if it, ok := s.Catalog.Item(itemCode); ok {
		if name := s.Catalog.WindowName(it.Window); slices.Contains(bs, name) {
			return name
		}
	}
	return bs[len(bs)-1]
}

// TakeTicketFor is TakeTicket for a resident who goes to the window about a case they just
// submitted here (容缺补齐): with the hall's queue the ticket names the case, so the window that
// calls it finds the case.
func (s *Service) TakeTicketFor(business, caseNumber string) (localdb.Ticket, []byte, error) {
	prefix := s.TicketPrefix(business)
	now := s.now()
	day := now.Format("2006-01-02")
	var number string
	var waiting int
	if s.Hall != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		t, ahead, err := s.Hall.TakeFor(ctx, business, caseNumber)
		cancel()
		if errors.Is(err, hall.ErrNoBlock) || errors.Is(err, hall.ErrBlockUsed) {
			return localdb.Ticket{}, nil, fmt.Errorf("take ticket: %w: %w", ErrNoTicket, err)
		}
		if err != nil {
			return localdb.Ticket{}, nil, fmt.Errorf("take ticket: %w", err)
		}
		number, waiting, day = t.Number, ahead, t.Day
	} else {
		n, err := s.DB.NextNumber("ticket/" + day + "/" + prefix)
		if err != nil {
			return localdb.Ticket{}, nil, fmt.Errorf("take ticket: %w", err)
		}
		// Without a hall queue nobody calls from here: all the day's earlier ones still wait.
		number, waiting = queue.Number(prefix, int(n)), int(n-1)
	}
	payload, _ := json.Marshal(api.TicketPayload{Number: number, Business: business, Day: day, TakenAt: now.UTC()})
	rec := s.DB.TicketRecord(localdb.Ticket{Number: number, Business: business, Day: day, Waiting: waiting, CreatedAt: now.UTC()})
	if _, err := s.DB.Submit(rec, api.KindTicket, payload); err != nil {
		return localdb.Ticket{}, nil, fmt.Errorf("take ticket: %w", err)
	}
	s.kick()
	t := localdb.Ticket{Number: number, Business: business, Day: day, Waiting: waiting, CreatedAt: now}
	job, err := docs.Ticket{Hall: s.Cfg.Hall, Number: number, Business: business, Waiting: waiting, Issued: now}.Doc(s.Text).Bytes(s.Cfg.Paper)
	return t, job, err
}

// LeaveMessage stores a message (its phone sealed) and queues it.
func (s *Service) LeaveMessage(topic string, phrases []string, phone string) (string, error) {
	if topic == "" || len(phrases) == 0 {
		return "", errors.New("a message needs a topic and at least one phrase")
	}
	if phone != "" {
		if msg := form.Check(s.Text, catalog.Field{Label: s.Text.Tasks.PhoneLabel, Type: catalog.FieldPhone}, phone, s.now()); msg != "" {
			return "", errors.New(msg)
		}
	}
	id := uuid.Must(uuid.NewV7()).String()
	topic, text := norm.NFC.String(topic), norm.NFC.String(strings.Join(phrases, "；"))
	now := s.now().UTC()
	m := localdb.Message{ID: id, Topic: topic, Text: text, CreatedAt: now}
	if phone != "" {
		m.Person = &localdb.Person{Phone: phone}
	}
	rec, err := s.DB.MessageRecord(m)
	if err != nil {
		return "", err
	}
	payload, _ := json.Marshal(api.MessagePayload{ID: id, Topic: topic, Text: text, Phone: phone, CreatedAt: now})
	if _, err := s.DB.Submit(rec, api.KindMessage, payload); err != nil {
		return "", fmt.Errorf("leave message: %w", err)
	}
	s.kick()
	return id, nil
}

// Polls lists the polls open now and the closed ones, whose results may be shown.
func (s *Service) Polls() (open, closed []localdb.Poll, err error) {
	all, err := s.DB.Polls()
	now := s.now()
	for _, p := range all {
		switch {
		case now.Before(p.OpensAt):
		case p.ClosesAt.IsZero() || now.Before(p.ClosesAt):
			open = append(open, p)
		default:
			closed = append(closed, p)
		}
	}
	return open, closed, err
}

// Tally is the count of a poll's votes cast here (for results the township has not sent).
func (s *Service) Tally(pollID string) (map[string]int, error) { return s.DB.Tally(pollID) }

// Replies lists the village's latest answers to messages left here, newest first, at most n.
func (s *Service) Replies(n int) ([]localdb.Message, error) {
	ms, err := s.DB.Messages()
	var answered []localdb.Message
	for _, m := range ms {
		if m.Reply != "" {
			answered = append(answered, m)
		}
	}
	sort.Slice(answered, func(i, j int) bool { return answered[i].RepliedAt.After(answered[j].RepliedAt) })
	return answered[:min(n, len(answered))], err
}

// ErrAlreadyVoted is a second vote by the same resident in a poll.
var ErrAlreadyVoted = errors.New("already voted in this poll")

// ErrNoVoteKey is a kiosk whose credential carries no village vote key (enrolled by an older
// township): it cannot make the token that stops a second vote at another kiosk, so it takes none.
var ErrNoVoteKey = errors.New("no village vote key in the credential: enrol the kiosk again to take votes")

// Vote records one resident's vote: the keyed hash of the ID number stops a second vote at this
// kiosk, and the upload carries the poll, the option and the resident's voter token for the
// village (api.VoterToken), never the ID number.
func (s *Service) Vote(pollID string, c idcard.Card, option string) error {
	if len(s.Cfg.VoteKey) == 0 {
		return ErrNoVoteKey
	}
	rec, err := s.DB.VoteRecord(pollID, c.IDNumber, option)
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(api.VotePayload{PollID: pollID, Option: option,
		Voter: api.VoterToken(s.Cfg.VoteKey, pollID, c.IDNumber), VotedAt: s.now().UTC()})
	_, err = s.DB.Submit(rec, api.KindVote, payload)
	if errors.Is(err, localdb.ErrExists) {
		return ErrAlreadyVoted
	}
	if err != nil {
		return fmt.Errorf("vote: %w", err)
	}
	s.kick()
	return nil
}

func idType(t idcard.CardType) string {
	if t == idcard.CardResident {
		return ""
	}
	return t.Code()
}
