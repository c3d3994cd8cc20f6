package staff

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hallkiosk/kiosk/clock"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

var start = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

type fixture struct {
	db   *localdb.DB
	clk  *clock.Fake
	desk *Desk
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	sealer, err := localdb.LoadOrCreateKey(filepath.Join(dir, "k"))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(start)
	db, err := localdb.Open(filepath.Join(dir, "s.db"), localdb.Options{Sealer: sealer, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &fixture{db: db, clk: clk, desk: NewDesk(db, clk, sealer.IDIndex, Config{}, nil)}
}

func (f *fixture) audit(t *testing.T) []string {
	t.Helper()
	log, err := f.db.AuditLog()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		out = append(out, e.Actor+":"+e.Action)
	}
	return out
}

func TestPINRules(t *testing.T) {
	for _, bad := range []string{"12345", "1234567", "12a456", "000000", "123456", "654321", "999999", "１２３４５６"} {
		if CheckPIN(bad) == nil {
			t.Errorf("PIN %q allowed", bad)
		}
	}
	h, err := HashPIN("260731")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q %v", h, err)
	}
	if !VerifyPIN(h, "260731") || VerifyPIN(h, "260732") || VerifyPIN("260731", "260731") {
		t.Fatal("verify")
	}
	h2, _ := HashPIN("260731")
	if h == h2 {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
	if strings.Contains(h, "260731") {
		t.Fatal("the PIN is in its hash")
	}
}

// The first station head is set up with the one-time code, and only once.
func TestFirstHeadSetup(t *testing.T) {
	f := newFixture(t)
	code, err := f.desk.SetupCode()
	if err != nil || len(code) != 8 {
		t.Fatalf("setup code %q %v", code, err)
	}
	if again, _ := f.desk.SetupCode(); again != code {
		t.Fatal("the setup code changed within one start")
	}
	if _, err := f.desk.SetupHead("00000000", Account{ID: "Z01", Name: "王站长", PIN: "260731"}); !errors.Is(err, ErrBadSetupCode) && code != "00000000" {
		t.Fatalf("wrong code: %v", err)
	}
	s, err := f.desk.SetupHead(code, Account{ID: "Z01", Name: "王站长", Role: RoleWorker, IDNumber: "610403197001011234", PIN: "260731"})
	if err != nil || s.Role != RoleHead || s.ID != "Z01" {
		t.Fatalf("setup: %+v %v", s, err)
	}
	if c, _ := f.desk.SetupCode(); c != "" {
		t.Fatal("a setup code while staff exist")
	}
	if _, err := f.desk.SetupHead(code, Account{ID: "Z02", Name: "李", PIN: "260731"}); !errors.Is(err, ErrSetupDone) {
		t.Fatalf("second setup: %v", err)
	}
	list, _ := f.db.StaffList()
	if len(list) != 1 || list[0].PassHash == "" || strings.Contains(list[0].PassHash, "260731") || len(list[0].IDIndex) == 0 {
		t.Fatalf("stored %+v", list)
	}
}

// Five wrong PINs lock the account for 15 minutes, even for the right PIN; the count and the
// lock survive a restart of the desk (they are in the store); every attempt is audited.
func TestLockoutAfterFiveWrongPINs(t *testing.T) {
	f := newFixture(t)
	code, _ := f.desk.SetupCode()
	if _, err := f.desk.SetupHead(code, Account{ID: "Z01", Name: "王站长", PIN: "260731"}); err != nil {
		t.Fatal(err)
	}
	f.desk.SignOut()
	for i := 1; i <= 4; i++ {
		var wrong *WrongPINError
		if _, err := f.desk.SignIn("Z01", "111112"); !errors.As(err, &wrong) || wrong.Left != 5-i {
			t.Fatalf("wrong PIN %d: %v", i, err)
		}
	}
	// A new desk (the program restarted) sees the same count.
	f.desk = NewDesk(f.db, f.clk, nil, Config{}, nil)
	var locked *LockedError
	if _, err := f.desk.SignIn("Z01", "111112"); !errors.As(err, &locked) || !locked.Until.Equal(start.Add(15*time.Minute)) {
		t.Fatalf("fifth wrong PIN: %v", err)
	}
	f.clk.Advance(14 * time.Minute)
	if _, err := f.desk.SignIn("Z01", "260731"); !errors.As(err, &locked) {
		t.Fatalf("right PIN while locked: %v", err)
	}
	f.clk.Advance(time.Minute)
	if s, err := f.desk.SignIn("Z01", "260731"); err != nil || s.ID != "Z01" {
		t.Fatalf("after the lockout: %v", err)
	}
	if _, err := f.desk.SignIn("Z99", "260731"); !errors.Is(err, ErrNoSuchStaff) {
		t.Fatalf("unknown staff: %v", err)
	}
	// Someone types their ID number into the staff number: the audit log (which is uploaded) does
	// not keep it.
	if _, err := f.desk.SignIn("11010519491231002X", "260731"); !errors.Is(err, ErrNoSuchStaff) {
		t.Fatalf("an ID number as staff number: %v", err)
	}
	got := strings.Join(f.audit(t), " ")
	want := "setup:staff.put Z01:signin.setup Z01:signout Z01:signin.failed Z01:signin.failed Z01:signin.failed Z01:signin.failed Z01:signin.failed Z01:signin.locked Z01:signin Z99:signin.unknown ?:signin.unknown"
	if got != want {
		t.Fatalf("audit\n got %s\nwant %s", got, want)
	}
}

// A member of staff signs in with their own card and PIN; a resident's card signs nobody in.
func TestCardSignInAndIdle(t *testing.T) {
	f := newFixture(t)
	code, _ := f.desk.SetupCode()
	if _, err := f.desk.SetupHead(code, Account{ID: "Z01", Name: "王站长", IDNumber: "610403197001011234", PIN: "260731"}); err != nil {
		t.Fatal(err)
	}
	if err := f.desk.AddStaff(Account{ID: "S02", Name: "李社工", Role: RoleWorker, IDNumber: "610403198505055678", PIN: "480915"}); err != nil {
		t.Fatal(err)
	}
	f.desk.SignOut()
	if err := f.desk.AddStaff(Account{ID: "S03", Name: "x", Role: RoleWorker, PIN: "480915"}); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("add staff signed out: %v", err)
	}
	if _, err := f.desk.SignInCard("610403195203041239", "480915"); !errors.Is(err, ErrNoCard) {
		t.Fatalf("a resident's card: %v", err)
	}
	var mu sync.Mutex
	var ended []string
	f.desk.OnSignOut = func(s Session, why string) { mu.Lock(); ended = append(ended, s.ID+":"+why); mu.Unlock() }
	s, err := f.desk.SignInCard("610403198505055678", "480915")
	if err != nil || s.ID != "S02" || s.Role != RoleWorker {
		t.Fatalf("card sign-in: %+v %v", s, err)
	}
	if err := f.desk.AddStaff(Account{ID: "S03", Name: "x", Role: RoleWorker, PIN: "480915"}); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("a worker adds staff: %v", err)
	}
	f.clk.Advance(4 * time.Minute)
	f.desk.Touch()
	f.clk.Advance(4 * time.Minute)
	if _, ok := f.desk.Current(); !ok {
		t.Fatal("signed out although touched 4 minutes ago")
	}
	f.clk.Advance(time.Minute + time.Second)
	if _, ok := f.desk.Current(); ok {
		t.Fatal("still signed in after 5 idle minutes")
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(ended, ",") != "S02:idle" {
		t.Fatalf("sign-outs told: %v", ended)
	}
	if a := f.audit(t); a[len(a)-1] != "S02:signout.idle" {
		t.Fatalf("audit ends %v", a[len(a)-3:])
	}
}

// feed applies the township's staff changes as the upload loop does: checked, then stored.
func (f *fixture) feed(t *testing.T, cursor uint64, payloads ...string) {
	t.Helper()
	var chs []localdb.Change
	for _, p := range payloads {
		var key struct{ ID string }
		if err := json.Unmarshal([]byte(p), &key); err != nil {
			t.Fatal(err)
		}
		if err := api.ValidateChange(api.ChangeStaff, key.ID, []byte(p)); err != nil {
			t.Fatalf("feed %s: %v", p, err)
		}
		chs = append(chs, localdb.Change{Kind: api.ChangeStaff, Key: key.ID, Payload: json.RawMessage(p)})
	}
	if _, err := f.db.ApplyChanges(chs, cursor); err != nil {
		t.Fatal(err)
	}
}

// Accounts come down the township's feed without a PIN; the holder chooses one at the window with
// a station head's own number and PIN as witness, and the township never had it.
func TestTownshipAccountFirstPINWitnessedByHead(t *testing.T) {
	f := newFixture(t)
	f.feed(t, 1, `{"id":"0001","name":"王站长","role":"head"}`, `{"id":"0012","name":"李社工","role":"worker"}`)

	// No head can sign in yet: the setup code is still there, and the township's head takes it.
	code, err := f.desk.SetupCode()
	if err != nil || code == "" {
		t.Fatalf("setup code with only waiting accounts: %q %v", code, err)
	}
	if _, err := f.desk.SignIn("0001", "260731"); !errors.Is(err, ErrNeedsPIN) {
		t.Fatalf("sign-in of an account without a PIN: %v", err)
	}
	if _, err := f.desk.SetupHead(code, Account{ID: "0012", PIN: "260731"}); !errors.Is(err, ErrNotHead) {
		t.Fatalf("setup code used for a worker's account: %v", err)
	}
	s, err := f.desk.SetupHead(code, Account{ID: "0001", PIN: "260731"})
	if err != nil || s.Name != "王站长" || s.Role != RoleHead {
		t.Fatalf("head from the township set up: %+v %v", s, err)
	}
	f.desk.SignOut()
	if code, _ := f.desk.SetupCode(); code != "" {
		t.Fatal("setup code still offered with a head who can sign in")
	}

	// The worker: a wrong head PIN counts against the head, and nothing is set.
	var we *WitnessError
	var wrong *WrongPINError
	if _, err := f.desk.Activate("0012", "0001", "111112", "480915", ""); !errors.As(err, &we) || !errors.As(err, &wrong) || wrong.Left != 4 {
		t.Fatalf("wrong head PIN: %v", err)
	}
	if _, err := f.desk.Activate("0012", "0012", "480915", "480915", ""); !errors.As(err, &we) {
		t.Fatalf("a worker witnessing their own activation: %v", err)
	}
	if _, err := f.desk.Activate("0012", "0001", "260731", "123456", ""); err == nil {
		t.Fatal("a run as the first PIN was allowed")
	}
	if _, err := f.desk.SignIn("0012", "480915"); !errors.Is(err, ErrNeedsPIN) {
		t.Fatalf("refused activations left a PIN: %v", err)
	}
	s, err = f.desk.Activate("0012", "0001", "260731", "480915", "11010519491231002X")
	if err != nil || s.ID != "0012" || s.Role != RoleWorker {
		t.Fatalf("activate: %+v %v", s, err)
	}
	f.desk.SignOut()
	if _, err := f.desk.Activate("0012", "0001", "260731", "480916", ""); !errors.Is(err, ErrHasPIN) {
		t.Fatalf("second activation: %v", err)
	}
	if _, err := f.desk.SignInCard("11010519491231002X", "480915"); err != nil {
		t.Fatalf("card laid at activation: %v", err)
	}
	f.desk.SignOut()

	// The township renames and then disables the worker: the PIN stays the hall's, the account stops.
	f.feed(t, 2, `{"id":"0012","name":"李社工（调岗）","role":"agent"}`)
	if s, err := f.desk.SignIn("0012", "480915"); err != nil || s.Role != RoleAgent || s.Name != "李社工（调岗）" {
		t.Fatalf("after the township's change: %+v %v", s, err)
	}
	f.desk.SignOut()
	f.feed(t, 3, `{"id":"0012","name":"李社工","role":"agent","disabled":true}`)
	if _, err := f.desk.SignIn("0012", "480915"); !errors.Is(err, ErrDisabled) {
		t.Fatalf("disabled by the township: %v", err)
	}
	log := strings.Join(f.audit(t), " ")
	for _, want := range []string{"township:staff.feed", "setup:staff.activate", "0001:staff.activate.witness.failed", "0001:staff.activate", "0012:signin.first", "township:staff.feed.disabled"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %s: %s", want, log)
		}
	}
}

// What the feed may not carry is refused before a hall stores it.
func TestStaffFeedRefusals(t *testing.T) {
	for _, c := range []struct{ key, payload, want string }{
		{"0012", `{"id":"0013","name":"李","role":"worker"}`, "must be the key"},
		{"0012", `{"id":"0012","name":"李","role":"boss"}`, "role"},
		{"0012", `{"id":"0012","role":"worker"}`, "name"},
		{"0012", `{"id":"0012","name":"李","role":"worker","pin":"480915"}`, "pin"},
		{"11010519491231002X", `{"id":"11010519491231002X","name":"李","role":"worker"}`, "ID number"},
	} {
		err := api.ValidateChange(api.ChangeStaff, c.key, []byte(c.payload))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.payload, err, c.want)
		}
	}
}
