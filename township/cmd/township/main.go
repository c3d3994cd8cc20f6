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
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"hallkiosk/township/api"
	"hallkiosk/township/api/textrule"
	"hallkiosk/township/server"
	"hallkiosk/township/store"
)

const usage = `township: the reference township service for hallkiosk

  township serve [--data DIR] [--listen ADDR] [--name NAME] [--tls-cert F --tls-key F] [--max-batch N]
  township code --village VILLAGE [--name KIOSK] [--ttl 24h]     one-time enrolment code for a kiosk
  township devices                                               enrolled kiosks, online or not, with their health
  township audit [--device ID] [--limit N]                       the devices' audit logs (staff sign-ins and actions)
  township revoke DEVICE-ID                                      refuse a kiosk from now on
  township cases [--village V] [--full]                          received cases (masked unless --full)
  township case NUMBER                                           one case, whole
  township set-status NUMBER accepted|rejected|done [--note TEXT]  result goes back to the kiosk
  township publish --kind disclosure|poll|catalog|disclosure_withdraw|message_reply --key K [--village V] FILE.json
  township staff NUMBER --village V --name NAME --role worker|head|agent|technician [--disable]
                                                                 a hall's staff account, sent to its window
                                                                 without a PIN (chosen there, see README)
  township ratings [--village V]                                 counted 好差评 ratings of cases
  township tally POLL-ID                                         votes per option (never who voted)
  township display [--village V] [--item KEY]                    what stood on the halls' walls (村务公开) and
                                                                 when, with every gap of more than 2 minutes
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
	updates := fl.String("updates", "", "folder of the signed update repository (hallkiosk-update init/publish) to serve at /v1/updates/")
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
	srv := server.New(server.Config{Store: st, Township: *name, AdminToken: token, Updates: *updates, MaxBatchItems: *maxBatch, Log: log, Now: now})
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
				if n, err := st.PruneHeld(now().Add(-store.HeldRatingsKept)); err != nil {
					log.Error("prune held ratings", "err", err)
				} else if n > 0 {
					log.Warn("held ratings dropped: their cases never arrived", "count", n, "kept", store.HeldRatingsKept)
				}
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

// call sends one admin request and decodes the answer strictly into out: an answer with fields
// this CLI does not know, or without the ones it needs (check), is an error, never a success.
func (c adminClient) call(method, path string, query url.Values, in, out any, check func() error) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	u := strings.TrimRight(c.addr, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("township service at %s: %w (is `township serve` running?)", c.addr, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode != http.StatusOK {
		var e api.Error
		if json.Unmarshal(raw, &e) != nil || e.Code == "" {
			return fmt.Errorf("%s %s: %s, and an answer that is not the API's error: %s", method, path, resp.Status, textrule.Escape(snippet(raw)))
		}
		return fmt.Errorf("%s %s: %s: %s: %s", method, path, resp.Status, textrule.Escape(e.Code), textrule.Escape(e.Message))
	}
	if err := api.DecodeStrict(raw, out); err != nil {
		return fmt.Errorf("%s %s: the service answered something this CLI does not understand (%v): %s", method, path, err, textrule.Escape(snippet(raw)))
	}
	if check != nil {
		if err := check(); err != nil {
			return fmt.Errorf("%s %s: the service's answer is incomplete: %w", method, path, err)
		}
	}
	return nil
}

func snippet(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

func adminCmd(cmd string, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet(cmd, flag.ContinueOnError)
	addr := fl.String("addr", "http://127.0.0.1:8640", "the running service")
	data := fl.String("data", "/var/lib/hallkiosk-township", "the service's folder (for admin.token)")
	village := fl.String("village", "", "village")
	name := fl.String("name", "", "code: the kiosk's name; staff: the person's")
	ttl := fl.Duration("ttl", 24*time.Hour, "how long the code is valid")
	full := fl.Bool("full", false, "show names and ID numbers whole")
	note := fl.String("note", "", "result note for the resident")
	kind := fl.String("kind", "", "what to publish")
	key := fl.String("key", "", "id of what is published")
	device := fl.String("device", "", "audit: one device's log")
	item := fl.String("item", "", "display: one item's record")
	limit := fl.Int("limit", 0, "audit: the newest N lines of each device (0: all)")
	role := fl.String("role", "", "staff: worker, head, agent or technician")
	disable := fl.Bool("disable", false, "staff: the account may no longer sign in")
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
	esc := textrule.Escape // whatever a kiosk or an admin typed prints as itself, not as terminal codes
	switch cmd {
	case "code":
		var out server.CodeResponse
		err := c.call("POST", "/admin/codes", nil, server.CodeRequest{Village: *village, Name: *name, TTL: api.Duration(*ttl)}, &out, func() error {
			if len(out.Code) != 14 || out.Expires.IsZero() {
				return fmt.Errorf("no code or no expiry in it")
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n(valid until %s; on the kiosk: hallkiosk enrol --township URL --code %s)\n", out.Code, out.Expires.Local().Format("2006-01-02 15:04"), out.Code)
	case "devices":
		var ds []server.DeviceStatus
		if err := c.call("GET", "/admin/devices", nil, nil, &ds, nil); err != nil {
			return err
		}
		fmt.Fprintln(tw, "DEVICE\tCODE\tNAME\tVILLAGE\tSTATE\tHEARTBEAT\tVERSION\tUPDATE\tQUEUE\tOLDEST\tREFUSED\tREADER\tPRINTER\tSTORE\tSKEW")
		for _, d := range ds {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", esc(d.ID), esc(d.Code), esc(d.Name), esc(d.Village), deviceHealth(d))
		}
	case "audit":
		var lines []store.AuditLine
		q := url.Values{}
		if *device != "" {
			q.Set("device", *device)
		}
		if *limit > 0 {
			q.Set("limit", fmt.Sprint(*limit))
		}
		if err := c.call("GET", "/admin/audit", q, nil, &lines, nil); err != nil {
			return err
		}
		fmt.Fprintln(tw, "DEVICE\tVILLAGE\tSEQ\tAT\tACTOR\tACTION\tSUBJECT")
		var last struct {
			dev string
			seq uint64
		}
		for _, l := range lines {
			// A gap in a device's numbers is a line the township never got (yet): show it.
			if l.Device == last.dev && l.Seq > last.seq+1 {
				fmt.Fprintf(tw, "%s\t%s\t%d-%d\t\t\t(not received)\t\n", esc(l.Device), esc(l.Village), last.seq+1, l.Seq-1)
			}
			last.dev, last.seq = l.Device, l.Seq
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", esc(l.Device), esc(l.Village), l.Seq, stamp(l.At), esc(l.Actor), esc(l.Action), esc(l.Subject))
		}
	case "revoke":
		if err := need(1, "DEVICE-ID"); err != nil {
			return err
		}
		var out server.RevokeResponse
		err := c.call("POST", "/admin/devices/"+url.PathEscape(pos[0])+"/revoke", nil, nil, &out, func() error {
			if out.Revoked != pos[0] {
				return fmt.Errorf("it does not confirm device %s", esc(pos[0]))
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "revoked", esc(out.Revoked))
	case "cases":
		var cs []server.AdminCase
		q := url.Values{}
		if *village != "" {
			q.Set("village", *village)
		}
		if *full {
			q.Set("full", "1")
		}
		if err := c.call("GET", "/admin/cases", q, nil, &cs, nil); err != nil {
			return err
		}
		fmt.Fprintln(tw, "CASE\tITEM\tAPPLICANT\tID NUMBER\tVILLAGE\tSTATUS\tPROMISED\tNOTE")
		for _, x := range cs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", esc(x.Number), esc(x.ItemName), esc(x.Name), esc(x.IDNumber), esc(x.Village), esc(x.Status), x.Promised.Local().Format("2006-01-02"), esc(x.Note))
		}
	case "case":
		if err := need(1, "NUMBER"); err != nil {
			return err
		}
		var x server.AdminCase
		err := c.call("GET", "/admin/cases/"+url.PathEscape(pos[0]), nil, nil, &x, func() error {
			if x.Number == "" {
				return fmt.Errorf("no case number in it")
			}
			return nil
		})
		if err != nil {
			return err
		}
		var buf bytes.Buffer // JSON escapes control characters; esc catches bidi and zero-width ones
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(x); err != nil {
			return err
		}
		for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
			if _, err := io.WriteString(stdout, esc(line)+"\n"); err != nil {
				return err
			}
		}
		return nil
	case "set-status":
		if err := need(2, "NUMBER accepted|rejected|done [--note TEXT]"); err != nil {
			return err
		}
		var out server.StatusResponse
		err := c.call("POST", "/admin/cases/"+url.PathEscape(pos[0])+"/status", nil, server.StatusRequest{Status: pos[1], Note: *note}, &out, func() error {
			if out.Number != pos[0] || out.Status != pos[1] {
				return fmt.Errorf("it does not confirm %s as %s", esc(pos[0]), esc(pos[1]))
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is now %s; the kiosk shows it after its next sync\n", esc(out.Number), esc(out.Status))
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
		var out server.PublishResponse
		err := c.call("POST", "/admin/publish", nil, server.PublishRequest{Village: *village, Kind: *kind, Key: *key, Payload: payload}, &out, func() error {
			if out.Seq == 0 {
				return fmt.Errorf("no change number in it")
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "published %s %s as change %d\n", esc(*kind), esc(*key), out.Seq)
	case "staff":
		if err := need(1, "NUMBER --village V --name NAME --role worker|head|agent|technician [--disable]"); err != nil {
			return err
		}
		// The name flag is the kiosk's name for code; here it is the person's.
		payload, err := json.Marshal(api.StaffPayload{ID: pos[0], Name: *name, Role: *role, Disabled: *disable})
		if err != nil {
			return err
		}
		if _, err := api.ValidateStaff(pos[0], payload); err != nil {
			return err
		}
		var out server.PublishResponse
		err = c.call("POST", "/admin/publish", nil, server.PublishRequest{Village: *village, Kind: api.ChangeStaff, Key: pos[0], Payload: payload}, &out, func() error {
			if out.Seq == 0 {
				return fmt.Errorf("no change number in it")
			}
			return nil
		})
		if err != nil {
			return err
		}
		state := "the holder chooses a PIN at the window with the station head (first sign-in)"
		if *disable {
			state = "disabled: it can no longer sign in"
		}
		fmt.Fprintf(stdout, "staff %s %s (%s) sent to %s as change %d; %s\n", esc(pos[0]), esc(*name), esc(*role), esc(*village), out.Seq, state)
	case "ratings":
		var rs []store.Rating
		q := url.Values{}
		if *village != "" {
			q.Set("village", *village)
		}
		if err := c.call("GET", "/admin/ratings", q, nil, &rs, nil); err != nil {
			return err
		}
		fmt.Fprintln(tw, "CASE\tVILLAGE\tGRADE\tRATED\tREASONS\tFOLLOW-UP")
		for _, r := range rs {
			follow := ""
			if n := len(r.FollowUps); n > 0 {
				f := r.FollowUps[n-1]
				follow = fmt.Sprintf("%s %s by %s (due %s): %s", f.Step, stamp(f.At), f.Actor, f.Due.Local().Format("2006-01-02"), f.Note)
			} else if r.Grade <= 2 {
				follow = "(none yet)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", esc(r.Case), esc(r.Village), r.Grade, stamp(r.RatedAt), esc(strings.Join(r.Reasons, "; ")), esc(follow))
		}
	case "display":
		var ds []store.Display
		q := url.Values{}
		if *village != "" {
			q.Set("village", *village)
		}
		if *item != "" {
			q.Set("item", *item)
		}
		if err := c.call("GET", "/admin/display", q, nil, &ds, nil); err != nil {
			return err
		}
		fmt.Fprintln(tw, "VILLAGE\tITEM\tDEVICE\tFROM\tTO")
		last := map[string]store.Display{} // by village, item and wall
		for _, d := range ds {
			k := d.Village + "/" + d.Item + "/" + d.Device
			// A gap between two spans of one item on one wall: the notice did not stand then
			// (a power cut, the screen off, a clock that could not be trusted).
			if p, ok := last[k]; ok && d.From.Sub(p.To) > 2*time.Minute {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t(not shown)\n", esc(d.Village), esc(d.Item), esc(d.Device), stamp(p.To), stamp(d.From))
			}
			last[k] = d
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", esc(d.Village), esc(d.Item), esc(d.Device), stamp(d.From), stamp(d.To))
		}
	case "tally":
		if err := need(1, "POLL-ID"); err != nil {
			return err
		}
		var out server.TallyResponse
		err := c.call("GET", "/admin/polls/"+url.PathEscape(pos[0])+"/tally", nil, nil, &out, func() error {
			if out.Poll != pos[0] || out.Votes == nil {
				return fmt.Errorf("no tally of poll %s in it", esc(pos[0]))
			}
			return nil
		})
		if err != nil {
			return err
		}
		opts := make([]string, 0, len(out.Votes))
		for o := range out.Votes {
			opts = append(opts, o)
		}
		sort.Strings(opts)
		fmt.Fprintln(tw, "OPTION\tVOTES")
		for _, o := range opts {
			fmt.Fprintf(tw, "%s\t%d\n", esc(o), out.Votes[o])
		}
	case "stats":
		var st store.Stats
		if err := c.call("GET", "/admin/stats", nil, nil, &st, nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "devices %d, cases %d, items %d, changes %d, ratings %d (%d held for their case), polls %d\n",
			st.Devices, st.Cases, st.Items, st.Changes, st.Ratings, st.HeldRatings, st.Polls)
	default:
		return fmt.Errorf("unknown command %q\n\n%s", esc(cmd), usage)
	}
	return nil
}

// deviceHealth is a device's row after its name: online or not and its last heartbeat's figures
// (township devices; the same figures for a monitoring system at /admin/metrics).
func deviceHealth(d server.DeviceStatus) string {
	state := "offline"
	switch {
	case !d.Revoked.IsZero():
		state = "revoked"
	case d.Heartbeat == nil:
		state = "never"
	case d.Online:
		state = "online"
	}
	h := d.Heartbeat
	if h == nil {
		return state + strings.Repeat("\t-", 10)
	}
	update := h.UpdateState
	if h.UpdatePendingVersion != "" {
		update += " " + h.UpdatePendingVersion
	}
	store := fmt.Sprintf("%d MB", h.StoreSizeBytes>>20)
	if h.StoreCapBytes > 0 {
		store += fmt.Sprintf(" of %d (%d%%)", h.StoreCapBytes>>20, h.StoreSizeBytes*100/h.StoreCapBytes)
	}
	oldest := "-"
	if h.UploadQueueItems > 0 {
		oldest = (time.Duration(h.UploadQueueOldestAgeSeconds) * time.Second).String()
	}
	return strings.Join([]string{state, stamp(d.HeartbeatAt), textrule.Escape(h.Version), textrule.Escape(update), fmt.Sprint(h.UploadQueueItems), oldest,
		fmt.Sprint(h.UploadQuarantineItems), textrule.Escape(h.CardReaderState), textrule.Escape(h.PrinterState), store,
		fmt.Sprintf("%+ds", int(math.Round(h.ClockSkewSeconds)))}, "\t")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}
