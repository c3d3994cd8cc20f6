package upload

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/apitest"
	"hallkiosk/township/api/casenum"
	"hallkiosk/township/server"
	"hallkiosk/township/store"
)

var townshipBin string

// checkedClient is the kiosk's HTTP client with every request and answer checked against the
// published contract.
func checkedClient(t testing.TB) *http.Client {
	hc, err := HTTPClient("", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	contract, err := apitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	hc.Transport = &apitest.Transport{Contract: contract, Base: hc.Transport, T: t}
	return hc
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "township-bin")
	if err != nil {
		panic(err)
	}
	townshipBin = filepath.Join(dir, "township")
	cmd := exec.Command("go", "build", "-o", townshipBin, "hallkiosk/township/cmd/township")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build township: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// kiosk is a kiosk's store and sync loop in a test.
type kiosk struct {
	db   *localdb.DB
	loop *Loop
	n    int
}

func newKiosk(t testing.TB, cred Credential) *kiosk {
	t.Helper()
	dir := t.TempDir()
	s, err := localdb.LoadOrCreateKey(filepath.Join(dir, "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := localdb.Open(filepath.Join(dir, "kiosk.db"), localdb.Options{Sealer: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hc := checkedClient(t)
	return &kiosk{db: db, loop: &Loop{DB: db, Client: &Client{Cred: cred, HTTP: hc},
		BackoffBase: 5 * time.Millisecond, BackoffCap: 100 * time.Millisecond, Interval: time.Hour}}
}

func idNumber(first17 string) string {
	c, err := idcard.CheckDigit(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}

// submit stores n cases the way the kiosk does: sealed record and outbox item in one transaction.
func (k *kiosk) submit(t testing.TB, n int) []string {
	t.Helper()
	var numbers []string
	for range n {
		k.n++
		num := casenum.Format(time.Now(), k.loop.Client.Cred.KioskCode, k.n)
		id := idNumber(fmt.Sprintf("610403195203%05d", k.n%100000))
		rec, err := k.db.CaseRecord(localdb.Case{Number: num, ItemCode: "61040300MZ-JF-0001", ItemName: "低保申请",
			Person: &localdb.Person{Name: "李淼喆", IDNumber: id}})
		if err != nil {
			t.Fatal(err)
		}
		p, _ := json.Marshal(api.CasePayload{Number: num, ItemCode: "61040300MZ-JF-0001", ItemName: "低保申请",
			Applicant: api.Applicant{Name: "李淼喆", IDNumber: id}, SubmittedAt: time.Now().UTC()})
		if _, err := k.db.Submit(rec, api.KindCase, p); err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, num)
	}
	return numbers
}

func (k *kiosk) depth(t testing.TB) int {
	st, err := k.db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return st.Depth
}

// drain runs rounds until the queue is empty or the deadline passes.
func (k *kiosk) drain(t testing.TB, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for k.depth(t) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("queue still holds %d items after %s; status %+v", k.depth(t), within, k.loop.Status())
		}
		if d := k.loop.Round(context.Background()); d > 0 && k.loop.Status().State != StateIdle {
			time.Sleep(d)
		}
	}
}

// inproc is the township service in this process on 127.0.0.1 (httptest), with its store at hand.
type inproc struct {
	st  *store.Store
	srv *httptest.Server
}

func newInproc(t testing.TB) *inproc {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "t.db"), filepath.Join(dir, "t.key"), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{Store: st, Township: "五泉镇", AdminToken: "x"}))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &inproc{st: st, srv: srv}
}

func (p *inproc) enrol(t testing.TB, village string) Credential {
	t.Helper()
	code, _, err := p.st.NewCode(village, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	hc := checkedClient(t)
	c, err := Enrol(context.Background(), hc, p.srv.URL, code, "测试机", "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// proc is the township binary running as a child process, to be stopped and SIGKILLed.
type proc struct {
	t    testing.TB
	dir  string
	addr string
	cmd  *exec.Cmd
	mu   sync.Mutex
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startProc(t testing.TB) *proc {
	p := &proc{t: t, dir: t.TempDir(), addr: freeAddr(t)}
	p.start()
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *proc) url() string { return "http://" + p.addr }

func (p *proc) start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command(townshipBin, "serve", "--data", p.dir, "--listen", p.addr)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = nil
	for try := 0; ; try++ {
		if err := cmd.Start(); err != nil {
			p.t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err == nil && strings.HasPrefix(line, "listening") {
			break
		}
		_ = cmd.Wait()
		if try > 20 { // the old process's port may take a moment to free
			p.t.Fatalf("township did not start: %q %v", line, err)
		}
		time.Sleep(50 * time.Millisecond)
		cmd = exec.Command(townshipBin, "serve", "--data", p.dir, "--listen", p.addr)
		out, _ = cmd.StdoutPipe()
	}
	p.cmd = cmd
}

func (p *proc) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
		p.cmd = nil
	}
}

// cli runs the township admin CLI against the running process.
func (p *proc) cli(args ...string) string {
	p.t.Helper()
	args = append(args, "--data", p.dir, "--addr", p.url())
	out, err := exec.Command(townshipBin, args...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("township %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (p *proc) enrol(t testing.TB, village string) Credential {
	code := strings.Fields(p.cli("code", "--village", village))[0]
	hc := checkedClient(t)
	c, err := Enrol(context.Background(), hc, p.url(), code, "测试机", "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// count opens the township's store (the process must be stopped) and counts items and cases.
func (p *proc) count(t testing.TB) (items, cases int) {
	st, err := store.Open(filepath.Join(p.dir, "township.db"), filepath.Join(p.dir, "township.key"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, _ := st.Stats()
	return s.Items, s.Cases
}
