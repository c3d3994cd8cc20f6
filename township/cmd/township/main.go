// Command township is the reference township service: it takes the villages' uploads, enrols their
// kiosks, and publishes case results and content back down. The same binary is the admin CLI.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"hallkiosk/township/api"
	"hallkiosk/township/server"
	"hallkiosk/township/store"
)

const usage = `township: the reference township service for hallkiosk

  township serve [--data DIR] [--listen ADDR] [--name NAME] [--tls-cert F --tls-key F] [--max-batch N]
  township code --village VILLAGE [--name KIOSK] [--ttl 24h]     one-time enrolment code for a kiosk
  township devices                                               enrolled kiosks
  township revoke DEVICE-ID                                      refuse a kiosk from now on
  township cases [--village V] [--full]                          received cases (masked unless --full)
  township case NUMBER                                           one case, whole
  township set-status NUMBER accepted|rejected|done [--note TEXT]  result goes back to the kiosk
  township publish --kind disclosure|poll|catalog|disclosure_withdraw|message_reply --key K [--village V] FILE.json
  township stats

Admin commands talk to the running service at --addr (default http://127.0.0.1:8640) with the token
the service wrote to DIR/admin.token (--data DIR, default /var/lib/hallkiosk-township); for an https
address give the CA that signed its certificate with --ca FILE.
`

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		fmt.Print(usage)
		return
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:], log)
	default:
		err = adminCmd(os.Args[1], os.Args[2:], os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "township:", err)
		os.Exit(1)
	}
}

func serve(args []string, log *slog.Logger) error {
	fl := flag.NewFlagSet("serve", flag.ExitOnError)
	data := fl.String("data", "/var/lib/hallkiosk-township", "folder for the store, its key and the admin token")
	listen := fl.String("listen", "127.0.0.1:8640", "address to listen on")
	name := fl.String("name", "五泉镇民生服务中心", "the township's name, told to kiosks at enrolment")
	cert := fl.String("tls-cert", "", "PEM certificate: serve HTTPS (kiosks pin the CA that signed it)")
	key := fl.String("tls-key", "", "PEM private key for --tls-cert")
	maxBatch := fl.Int("max-batch", 500, "most items taken in one batch (advertised at /v1/info)")
	_ = fl.Parse(args)
	if (*cert == "") != (*key == "") {
		return errors.New("serve: --tls-cert and --tls-key go together")
	}
	now := time.Now // the one clock of the service: store, server and nonce pruning take time from it
	st, err := store.Open(filepath.Join(*data, "township.db"), filepath.Join(*data, "township.key"), now)
	if err != nil {
		return err
	}
	defer st.Close()
	token, err := adminToken(filepath.Join(*data, "admin.token"))
	if err != nil {
		return err
	}
	srv := server.New(server.Config{Store: st, Township: *name, AdminToken: token, MaxBatchItems: *maxBatch, Log: log, Now: now})
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("serve: listen %s: %w", *listen, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				_ = hs.Shutdown(context.Background())
				return
			case <-t.C:
				_ = st.PruneNonces(now().Add(-time.Hour))
			}
		}
	}()
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	log.Info("township service listening", "url", scheme+"://"+ln.Addr().String(), "data", *data)
	// A line on stdout that scripts wait for.
	fmt.Printf("listening %s://%s\n", scheme, ln.Addr().String())
	if *cert != "" {
		err = hs.ServeTLS(ln, *cert, *key)
	} else {
		err = hs.Serve(ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// adminToken reads the token file, making a random one (0600) on first start.
func adminToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("admin token %s: %w", path, err)
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("admin token %s: %w", path, err)
	}
	return tok, nil
}

type adminClient struct {
	addr, token string
	http        *http.Client
}

func (c adminClient) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimRight(c.addr, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("township service at %s: %w (is `township serve` running?)", c.addr, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct{ Code, Message string }
		_ = json.Unmarshal(raw, &e)
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, e.Message)
	}
	return json.Unmarshal(raw, out)
}

func adminCmd(cmd string, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet(cmd, flag.ContinueOnError)
	addr := fl.String("addr", "http://127.0.0.1:8640", "the running service")
	data := fl.String("data", "/var/lib/hallkiosk-township", "the service's folder (for admin.token)")
	village := fl.String("village", "", "village")
	name := fl.String("name", "", "kiosk name")
	ttl := fl.Duration("ttl", 24*time.Hour, "how long the code is valid")
	full := fl.Bool("full", false, "show names and ID numbers whole")
	note := fl.String("note", "", "result note for the resident")
	kind := fl.String("kind", "", "what to publish")
	key := fl.String("key", "", "id of what is published")
	caFile := fl.String("ca", "", "PEM CA that signed the service's certificate (for an https --addr)")
	// Flags may come after positional arguments ("set-status N done --note x").
	var pos []string
	for rest := args; ; {
		if err := fl.Parse(rest); err != nil {
			return err
		}
		if fl.NArg() == 0 {
			break
		}
		pos = append(pos, fl.Arg(0))
		rest = fl.Args()[1:]
	}
	tok, err := os.ReadFile(filepath.Join(*data, "admin.token"))
	if err != nil {
		return fmt.Errorf("read admin token: %w (pass --data with the service's folder)", err)
	}
	c := adminClient{addr: *addr, token: strings.TrimSpace(string(tok)), http: &http.Client{Timeout: 30 * time.Second}}
	if *caFile != "" {
		cfg, err := api.PinnedTLS(*caFile)
		if err != nil {
			return fmt.Errorf("--ca: %w", err)
		}
		c.http.Transport = &http.Transport{TLSClientConfig: cfg}
	}
	need := func(n int, what string) error {
		if len(pos) != n {
			return fmt.Errorf("%s: usage: township %s %s", cmd, cmd, what)
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	switch cmd {
	case "code":
		var out server.CodeResponse
		if err := c.call("POST", "/admin/codes", server.CodeRequest{Village: *village, Name: *name, TTL: *ttl}, &out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n(valid until %s; on the kiosk: hallkiosk enrol --township URL --code %s)\n", out.Code, out.Expires.Local().Format("2006-01-02 15:04"), out.Code)
	case "devices":
		var ds []store.Device
		if err := c.call("GET", "/admin/devices", nil, &ds); err != nil {
			return err
		}
		fmt.Fprintln(tw, "DEVICE\tNAME\tVILLAGE\tENROLLED\tLAST SEEN\tREVOKED")
		for _, d := range ds {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Name, d.Village, stamp(d.Enrolled), stamp(d.LastSeen), stamp(d.Revoked))
		}
	case "revoke":
		if err := need(1, "DEVICE-ID"); err != nil {
			return err
		}
		var out map[string]string
		if err := c.call("POST", "/admin/devices/"+pos[0]+"/revoke", nil, &out); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "revoked", pos[0])
	case "cases":
		var cs []server.AdminCase
		q := "/admin/cases?village=" + *village
		if *full {
			q += "&full=1"
		}
		if err := c.call("GET", q, nil, &cs); err != nil {
			return err
		}
		fmt.Fprintln(tw, "CASE\tITEM\tAPPLICANT\tID NUMBER\tVILLAGE\tSTATUS\tPROMISED\tNOTE")
		for _, x := range cs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.Number, x.ItemName, x.Name, x.IDNumber, x.Village, x.Status, x.Promised.Local().Format("2006-01-02"), x.Note)
		}
	case "case":
		if err := need(1, "NUMBER"); err != nil {
			return err
		}
		var x server.AdminCase
		if err := c.call("GET", "/admin/cases/"+pos[0], nil, &x); err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(x)
	case "set-status":
		if err := need(2, "NUMBER accepted|rejected|done [--note TEXT]"); err != nil {
			return err
		}
		var out map[string]string
		if err := c.call("POST", "/admin/cases/"+pos[0]+"/status", server.StatusRequest{Status: pos[1], Note: *note}, &out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is now %s; the kiosk shows it after its next sync\n", pos[0], pos[1])
	case "publish":
		if *kind == "disclosure_withdraw" {
			pos = append(pos, "")
		}
		if err := need(1, "--kind K --key K [--village V] FILE.json"); err != nil {
			return err
		}
		var payload []byte
		if *kind != "disclosure_withdraw" {
			if payload, err = os.ReadFile(pos[0]); err != nil {
				return fmt.Errorf("publish: %w", err)
			}
		}
		var out map[string]uint64
		if err := c.call("POST", "/admin/publish", server.PublishRequest{Village: *village, Kind: *kind, Key: *key, Payload: payload}, &out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "published %s %s as change %d\n", *kind, *key, out["seq"])
	case "stats":
		var st store.Stats
		if err := c.call("GET", "/admin/stats", nil, &st); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "devices %d, cases %d, items %d, changes %d\n", st.Devices, st.Cases, st.Items, st.Changes)
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}
