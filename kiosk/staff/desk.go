package staff

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"sync"
	"time"

	"hallkiosk/kiosk/clock"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/textrule"
)

// Roles of a staff account; the township's feed uses the same words.
const (
	RoleWorker     = api.RoleWorker
	RoleHead       = api.RoleHead
	RoleAgent      = api.RoleAgent
	RoleTechnician = api.RoleTechnician
)

// ValidRole says whether r is one of the roles.
func ValidRole(r string) bool { return api.ValidRole(r) }

// Store is what the desk needs of the kiosk's store (*localdb.DB is one).
type Store interface {
	StaffList() ([]localdb.Staff, error)
	PutStaff(s localdb.Staff, actor string) error
	UpdateStaff(id string, change func(*localdb.Staff) error, actor, action string) error
	Audit(actor, action, subject string) error
}

// DefaultIdle is how long a session lasts without a key or a click unless configured.
const DefaultIdle = 5 * time.Minute

// Config sets the desk's limits; zero values take the defaults in brackets.
type Config struct {
	Idle        time.Duration // [5m] signed out after this long without a touch
	MaxFailures int           // [5] wrong PINs in a row before the account locks
	Lockout     time.Duration // [15m] how long it stays locked
}

// Session is the member of staff signed in at this window.
type Session struct {
	ID, Name, Role string
	Since          time.Time
}

// Errors of sign-in, for the screen to word.
var (
	ErrNoSuchStaff  = errors.New("no staff account with this number")
	ErrNoCard       = errors.New("this ID card belongs to no staff account")
	ErrDisabled     = errors.New("the staff account is disabled")
	ErrBadSetupCode = errors.New("the one-time setup code is wrong")
	ErrSetupDone    = errors.New("the hall has staff accounts already; the setup code is gone")
	ErrNotAllowed   = errors.New("only the station head may do this")
	// ErrNeedsPIN is an account the township made that has no PIN yet: its holder chooses one
	// (Activate) with a station head beside them.
	ErrNeedsPIN = errors.New("the staff account has no PIN yet; choose one with the station head")
	// ErrHasPIN is an activation or setup of an account that has its PIN already.
	ErrHasPIN = errors.New("the staff account has its PIN already")
	// ErrNotHead is a setup code used for an account the township made for another role.
	ErrNotHead = errors.New("the township made this account for another role than station head")
)

// WitnessError is the station head's part of an activation refused: Err is why (a wrong PIN,
// locked, not a head).
type WitnessError struct{ Err error }

func (e *WitnessError) Error() string { return "station head: " + e.Err.Error() }
func (e *WitnessError) Unwrap() error { return e.Err }

// WrongPINError is a wrong PIN; Left is how many more may be tried before the account locks.
type WrongPINError struct{ Left int }

func (e *WrongPINError) Error() string {
	return fmt.Sprintf("wrong PIN (%d tries left before lockout)", e.Left)
}

// LockedError is an account locked after too many wrong PINs, until Until.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string { return "account locked until " + e.Until.Format(time.RFC3339) }

// Desk signs staff in and out at one window.
type Desk struct {
	store Store
	clk   clock.Clock
	index func(idNumber string) []byte // the store's keyed hash of an ID number
	cfg   Config
	log   *slog.Logger
	// OnSignOut is told when a session ends by itself (idle); it runs on the timer's goroutine.
	OnSignOut func(s Session, reason string)

	mu      sync.Mutex
	session *Session
	timer   clock.Timer
	gen     int
	setup   string // the one-time code while the hall has no staff
}

// NewDesk makes a desk over the store. index is the store's keyed hash of ID numbers (for card
// sign-in); log gets English lines without names, PINs or ID numbers.
func NewDesk(store Store, clk clock.Clock, index func(string) []byte, cfg Config, log *slog.Logger) *Desk {
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultIdle
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 5
	}
	if cfg.Lockout <= 0 {
		cfg.Lockout = 15 * time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Desk{store: store, clk: clk, index: index, cfg: cfg, log: log}
}

// SetupCode is the one-time code that lets the first station head set up an account, shown by
// hallkiosk when window mode starts in a hall without a station head who can sign in; "" when there
// is one (accounts the township made wait for a head to witness their first PIN). It lives as
// long as the process: a restart shows a new one.
func (d *Desk) SetupCode() (string, error) {
	list, err := d.store.StaffList()
	if err != nil {
		return "", fmt.Errorf("setup code: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if slices.ContainsFunc(list, activeHead) {
		d.setup = ""
		return "", nil
	}
	if d.setup == "" {
		n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
		if err != nil {
			return "", fmt.Errorf("setup code: %w", err)
		}
		d.setup = fmt.Sprintf("%08d", n.Int64())
	}
	return d.setup, nil
}

// AnyoneCanSignIn says whether some account may sign in (it has a PIN and is not disabled): when
// none can, the window opens on the first station head's setup rather than on sign-in.
func (d *Desk) AnyoneCanSignIn() (bool, error) {
	list, err := d.store.StaffList()
	if err != nil {
		return false, fmt.Errorf("staff accounts: %w", err)
	}
	return slices.ContainsFunc(list, func(s localdb.Staff) bool { return s.PassHash != "" && !s.Disabled }), nil
}

// Account is what a new account needs. IDNumber is only hashed (for card sign-in), never kept.
type Account struct {
	ID, Name, Role, IDNumber, PIN string
}

func (d *Desk) newStaff(a Account) (localdb.Staff, error) {
	if err := textrule.Check("staff number", a.ID, textrule.Required(20)); err != nil {
		return localdb.Staff{}, err
	}
	if err := textrule.Check("name", a.Name, textrule.Required(30)); err != nil {
		return localdb.Staff{}, err
	}
	if !ValidRole(a.Role) {
		return localdb.Staff{}, fmt.Errorf("role %q: use worker, head, agent or technician", textrule.Escape(a.Role))
	}
	hash, err := HashPIN(a.PIN)
	if err != nil {
		return localdb.Staff{}, err
	}
	s := localdb.Staff{ID: a.ID, Name: a.Name, Role: a.Role, PassHash: hash, Created: d.clk.Now().UTC()}
	if a.IDNumber != "" && d.index != nil {
		s.IDIndex = d.index(a.IDNumber)
	}
	return s, nil
}

// SetupHead makes the hall's first account, a station head, with the one-time code, and signs
// them in.
func (d *Desk) SetupHead(code string, a Account) (Session, error) {
	want, err := d.SetupCode()
	if err != nil {
		return Session{}, err
	}
	if want == "" {
		return Session{}, ErrSetupDone
	}
	if code != want {
		_ = d.store.Audit("setup", "staff.setup.failed", "")
		d.log.Warn("first account setup refused", "reason", "wrong setup code")
		return Session{}, ErrBadSetupCode
	}
	a.Role = RoleHead
	if had, err := d.find(func(s localdb.Staff) bool { return s.ID == a.ID }); err == nil {
		// The township made this head's account: keep its name, set the PIN chosen here.
		s, err := d.activate(had, a.PIN, a.IDNumber, "setup", func(s localdb.Staff) error {
			if s.Role != RoleHead {
				return ErrNotHead
			}
			return nil
		})
		if err != nil {
			return Session{}, err
		}
		d.mu.Lock()
		d.setup = ""
		d.mu.Unlock()
		d.log.Info("first station head set up", "staff", s.ID, "from", "township account")
		return d.start(s, "signin.setup")
	}
	s, err := d.newStaff(a)
	if err != nil {
		return Session{}, err
	}
	if err := d.store.PutStaff(s, "setup"); err != nil {
		return Session{}, fmt.Errorf("set up first account: %w", err)
	}
	d.mu.Lock()
	d.setup = ""
	d.mu.Unlock()
	d.log.Info("first station head set up", "staff", s.ID)
	return d.start(s, "signin.setup")
}

// AddStaff makes an account; only a signed-in station head may.
func (d *Desk) AddStaff(a Account) error {
	cur, ok := d.Current()
	if !ok || cur.Role != RoleHead {
		return ErrNotAllowed
	}
	s, err := d.newStaff(a)
	if err != nil {
		return err
	}
	if err := d.store.PutStaff(s, cur.ID); err != nil {
		return fmt.Errorf("add staff %s: %w", s.ID, err)
	}
	d.Touch()
	return nil
}

// SignIn signs in by staff number and PIN.
func (d *Desk) SignIn(id, pin string) (Session, error) {
	s, err := d.find(func(s localdb.Staff) bool { return s.ID == id })
	if err != nil {
		who := textrule.Escape(id)
		if api.HasIDNumber(id) || len(who) > 32 { // someone typed an ID number as a staff number: not kept whole
			who = "?"
		}
		_ = d.store.Audit(who, "signin.unknown", "")
		d.log.Warn("sign-in refused", "reason", "unknown staff number")
		return Session{}, ErrNoSuchStaff
	}
	return d.check(s, pin)
}

// SignInCard signs in by the staff member's own ID card and PIN.
func (d *Desk) SignInCard(idNumber, pin string) (Session, error) {
	if d.index == nil {
		return Session{}, ErrNoCard
	}
	want := string(d.index(idNumber))
	s, err := d.find(func(s localdb.Staff) bool { return len(s.IDIndex) > 0 && string(s.IDIndex) == want })
	if err != nil {
		_ = d.store.Audit("card", "signin.unknown", "")
		d.log.Warn("sign-in refused", "reason", "card of no staff account")
		return Session{}, ErrNoCard
	}
	return d.check(s, pin)
}

func (d *Desk) find(match func(localdb.Staff) bool) (localdb.Staff, error) {
	list, err := d.store.StaffList()
	if err != nil {
		return localdb.Staff{}, err
	}
	for _, s := range list {
		if match(s) {
			return s, nil
		}
	}
	return localdb.Staff{}, ErrNoSuchStaff
}

// check decides a sign-in attempt and records it with the count of wrong PINs in one step.
func (d *Desk) check(s localdb.Staff, pin string) (Session, error) {
	if s.PassHash == "" && !s.Disabled {
		_ = d.store.Audit(s.ID, "signin.nopin", s.ID)
		return Session{}, ErrNeedsPIN
	}
	if err := d.verify(s, pin, "signin"); err != nil {
		return Session{}, err
	}
	return d.start(s, "signin")
}

// verify checks s's PIN: disabled and locked accounts are refused, and a wrong PIN counts towards
// the lockout in the same step as its audit line (action.failed).
func (d *Desk) verify(s localdb.Staff, pin, action string) error {
	now := d.clk.Now().UTC()
	if s.Disabled {
		_ = d.store.Audit(s.ID, action+".disabled", s.ID)
		return ErrDisabled
	}
	if now.Before(s.LockedUntil) {
		_ = d.store.Audit(s.ID, action+".locked", s.ID)
		d.log.Warn("PIN refused", "reason", "account locked", "staff", s.ID, "until", s.LockedUntil)
		return &LockedError{Until: s.LockedUntil}
	}
	if s.PassHash != "" && VerifyPIN(s.PassHash, pin) {
		return nil
	}
	var out error
	err := d.store.UpdateStaff(s.ID, func(st *localdb.Staff) error {
		st.Failures++
		if st.Failures >= d.cfg.MaxFailures {
			st.Failures, st.LockedUntil = 0, now.Add(d.cfg.Lockout)
			out = &LockedError{Until: st.LockedUntil}
			return nil
		}
		out = &WrongPINError{Left: d.cfg.MaxFailures - st.Failures}
		return nil
	}, s.ID, action+".failed")
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, s.ID, err)
	}
	var locked *LockedError
	if errors.As(out, &locked) {
		d.log.Warn("account locked after wrong PINs", "staff", s.ID, "until", locked.Until)
	} else {
		d.log.Warn("PIN refused", "reason", "wrong PIN", "staff", s.ID, "for", action)
	}
	return out
}

// Activate gives an account the township made its first PIN, chosen by its holder at the window
// with a station head beside them who confirms with their own number and PIN: the township sends
// only number, name and role, so no PIN ever leaves the hall. idNumber (may be empty) is the
// holder's own card, hashed for card sign-in. The holder is signed in.
func (d *Desk) Activate(id, headID, headPIN, pin, idNumber string) (Session, error) {
	s, err := d.find(func(s localdb.Staff) bool { return s.ID == id })
	if err != nil {
		return Session{}, ErrNoSuchStaff
	}
	if s.PassHash != "" {
		return Session{}, ErrHasPIN
	}
	if s.Disabled {
		return Session{}, ErrDisabled
	}
	head, err := d.find(func(s localdb.Staff) bool { return s.ID == headID })
	switch {
	case err != nil:
		return Session{}, &WitnessError{ErrNoSuchStaff}
	case head.Role != RoleHead || head.ID == id:
		return Session{}, &WitnessError{ErrNotAllowed}
	case head.PassHash == "":
		return Session{}, &WitnessError{ErrNeedsPIN}
	}
	if err := d.verify(head, headPIN, "staff.activate.witness"); err != nil {
		return Session{}, &WitnessError{err}
	}
	if s, err = d.activate(s, pin, idNumber, head.ID, nil); err != nil {
		return Session{}, err
	}
	d.log.Info("staff account activated", "staff", s.ID, "witness", head.ID)
	return d.start(s, "signin.first")
}

// activate sets a waiting account's PIN (and card) as actor, if allow agrees with the account as
// stored at that moment.
func (d *Desk) activate(s localdb.Staff, pin, idNumber, actor string, allow func(localdb.Staff) error) (localdb.Staff, error) {
	hash, err := HashPIN(pin)
	if err != nil {
		return s, err
	}
	err = d.store.UpdateStaff(s.ID, func(st *localdb.Staff) error {
		if st.PassHash != "" {
			return ErrHasPIN
		}
		if st.Disabled {
			return ErrDisabled
		}
		if allow != nil {
			if err := allow(*st); err != nil {
				return err
			}
		}
		st.PassHash, st.Failures, st.LockedUntil = hash, 0, time.Time{}
		if idNumber != "" && d.index != nil {
			st.IDIndex = d.index(idNumber)
		}
		s = *st
		return nil
	}, actor, "staff.activate")
	if err != nil {
		return s, fmt.Errorf("activate %s: %w", s.ID, err)
	}
	return s, nil
}

// activeHead is a station head who can sign in.
func activeHead(s localdb.Staff) bool { return s.Role == RoleHead && s.PassHash != "" && !s.Disabled }

func (d *Desk) start(s localdb.Staff, action string) (Session, error) {
	err := d.store.UpdateStaff(s.ID, func(st *localdb.Staff) error {
		st.Failures, st.LockedUntil = 0, time.Time{}
		return nil
	}, s.ID, action)
	if err != nil {
		return Session{}, fmt.Errorf("sign in %s: %w", s.ID, err)
	}
	sess := Session{ID: s.ID, Name: s.Name, Role: s.Role, Since: d.clk.Now().UTC()}
	d.mu.Lock()
	d.session = &sess
	d.armLocked()
	d.mu.Unlock()
	d.log.Info("staff signed in", "staff", s.ID, "role", s.Role)
	return sess, nil
}

// armLocked (re)starts the idle timer; d.mu is held.
func (d *Desk) armLocked() {
	if d.timer != nil {
		d.timer.Stop()
	}
	d.gen++
	gen := d.gen
	d.timer = d.clk.AfterFunc(d.cfg.Idle, func() { d.expire(gen) })
}

func (d *Desk) expire(gen int) {
	d.mu.Lock()
	if gen != d.gen || d.session == nil {
		d.mu.Unlock()
		return
	}
	s := *d.session
	d.session = nil
	d.mu.Unlock()
	_ = d.store.Audit(s.ID, "signout.idle", s.ID)
	d.log.Info("staff signed out", "staff", s.ID, "reason", "idle")
	if d.OnSignOut != nil {
		d.OnSignOut(s, "idle")
	}
}

// Touch notes that the signed-in member of staff did something: the idle time starts again.
func (d *Desk) Touch() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.session != nil {
		d.armLocked()
	}
}

// SignOut ends the session (the 退出 button).
func (d *Desk) SignOut() {
	d.mu.Lock()
	s := d.session
	d.session = nil
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
	}
	d.mu.Unlock()
	if s != nil {
		_ = d.store.Audit(s.ID, "signout", s.ID)
		d.log.Info("staff signed out", "staff", s.ID, "reason", "button")
	}
}

// Current is the signed-in member of staff, if any.
func (d *Desk) Current() (Session, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.session == nil {
		return Session{}, false
	}
	return *d.session, true
}
