// Command hallkiosk-update is the technician's and the township's tool for signed updates: the
// publisher's commands make and sign a repository; the device's commands check, install (on trial),
// show the state, roll back, and recover before the kiosk starts.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"

	"hallkiosk/township/api"
	"hallkiosk/updater/fetch"
	"hallkiosk/updater/install"
	"hallkiosk/updater/release"
	"hallkiosk/updater/repo"
	"hallkiosk/updater/state"
)

const usage = `hallkiosk-update: signed updates for hallkiosk

Publisher (the township, keys kept offline where they say so):
  keys     --keys DIR [--root-keys 3]            make signing keys (root x N, targets, snapshot, timestamp)
  init     --repo DIR --keys DIR [--threshold 2] make a repository; ship DIR/1.root.json with the kiosk
  publish  --repo DIR --keys DIR --release DIR --version V [--min-from V] [--rollback]
  refresh  --repo DIR --keys DIR                 re-sign snapshot and timestamp (weekly; before copying to a stick)
  rotate   --repo DIR --keys DIR --role ROLE     replace a role's keys (root, targets, snapshot, timestamp)

Device (reads /etc/hallkiosk/update.toml, --config to change):
  check    [--from SRC]                          what the repository offers and what would be installed
  install  [--from SRC] [--version V] [--now]    install on trial; waits for a quiet moment unless --now
  status                                         running version, trial, history
  rollback                                       back to the previous version that passed its trial
  boot                                           before the kiosk starts (systemd ExecStartPre): finish or undo
                                                 what was cut off, count a start on trial, roll back a bad version

SRC is usb:/media/STICK (the repository in STICK/hallkiosk-updates or at its top), a folder, or the
township's URL; without --from the township in the configuration is used.
Exit codes: 0 done, 1 failed (nothing changed), 2 bad usage, 3 the new version failed its trial and
was rolled back.
`

// Config is /etc/hallkiosk/update.toml.
type Config struct {
	Root     string `toml:"root"`     // trusted root metadata shipped with the package
	Opt      string `toml:"opt"`      // where releases live
	State    string `toml:"state"`    // update state folder
	Store    string `toml:"store"`    // the kiosk's store file
	Township string `toml:"township"` // base URL: updates at <township>/v1/updates/, time at /v1/info
	// CAFile pins the CA of the township's HTTPS certificate (as the kiosk's [sync] ca_file): the
	// township's time decides whether metadata has expired, so it must come from the township.
	CAFile      string   `toml:"ca_file"`
	Trial       duration `toml:"trial"`
	MaxAttempts int      `toml:"max_attempts"`
	QuietFrom   int      `toml:"quiet_from"` // hours of the day when unattended updates may run
	QuietTo     int      `toml:"quiet_to"`
	StopCmd     []string `toml:"stop_command"`
	StartCmd    []string `toml:"start_command"`
}

type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

func defaults() Config {
	return Config{Root: "/usr/share/hallkiosk/update-root.json", Opt: "/opt/hallkiosk", State: "/var/lib/hallkiosk/update",
		Store: "/var/lib/hallkiosk/hallkiosk.db", Trial: duration{3 * time.Minute}, MaxAttempts: 3, QuietFrom: 1, QuietTo: 5,
		StopCmd: []string{"systemctl", "stop", "hallkiosk"}, StartCmd: []string{"systemctl", "start", "hallkiosk"}}
}

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Print(usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cmd, rest := args[0], args[1:]
	fs := flag.NewFlagSet("hallkiosk-update "+cmd, flag.ContinueOnError)
	keys := fs.String("keys", "", "signing keys folder")
	repoDir := fs.String("repo", "", "repository folder")
	rootKeys := fs.Int("root-keys", 3, "number of root keys")
	threshold := fs.Int("threshold", 2, "root keys needed to sign a new root")
	rel := fs.String("release", "", "release folder (the kiosk binary and what it needs)")
	version := fs.String("version", "", "version MAJOR.MINOR.PATCH")
	minFrom := fs.String("min-from", "", "oldest installed version this release may update")
	rollback := fs.Bool("rollback", false, "publish as a signed rollback to an older version")
	role := fs.String("role", "", "role whose keys to rotate")
	from := fs.String("from", "", "usb:/media/STICK, a folder, or the township's URL")
	now := fs.Bool("now", false, "install at once (technician on site), without waiting for a quiet moment")
	cfgPath := fs.String("config", "/etc/hallkiosk/update.toml", "device configuration")
	if err := fs.Parse(rest); err != nil {
		return 2
	}
	var err error
	switch cmd {
	case "keys":
		err = need(*keys, "--keys")
		if err == nil {
			err = repo.GenerateKeys(*keys, *rootKeys)
		}
		if err == nil {
			fmt.Printf("keys in %s: keep the root-*.key.json files offline, apart from each other\n", *keys)
		}
	case "init":
		err = errors.Join(need(*repoDir, "--repo"), need(*keys, "--keys"))
		if err == nil {
			_, err = repo.Init(*repoDir, *keys, *threshold, repo.DefaultExpiry, nil)
		}
		if err == nil {
			fmt.Printf("repository in %s; ship %s/1.root.json with the kiosk as its trusted root\n", *repoDir, *repoDir)
		}
	case "publish":
		err = errors.Join(need(*repoDir, "--repo"), need(*keys, "--keys"), need(*rel, "--release"), need(*version, "--version"))
		var r *repo.Repo
		if err == nil {
			r, err = repo.Open(*repoDir, *keys, repo.DefaultExpiry, nil)
		}
		if err == nil {
			var info release.Info
			info, err = r.Publish(*rel, release.Info{Version: *version, MinFrom: *minFrom, Rollback: *rollback})
			if err == nil {
				fmt.Printf("published %s (%s)\n", info.Version, strings.Join(info.Files, ", "))
			}
		}
	case "refresh", "rotate":
		err = errors.Join(need(*repoDir, "--repo"), need(*keys, "--keys"))
		var r *repo.Repo
		if err == nil {
			r, err = repo.Open(*repoDir, *keys, repo.DefaultExpiry, nil)
		}
		if err == nil && cmd == "refresh" {
			err = r.Refresh()
		}
		if err == nil && cmd == "rotate" {
			err = need(*role, "--role")
			if err == nil {
				err = r.Rotate(*keys, *role)
			}
		}
	case "check", "install", "status", "rollback", "boot":
		var cfg Config
		cfg, err = loadConfig(*cfgPath)
		if err != nil {
			break
		}
		d := &device{cfg: cfg, log: log}
		d.in = d.installer()
		switch cmd {
		case "check":
			err = d.check(ctx, *from)
		case "install":
			err = d.install(ctx, *from, *version, *now)
		case "status":
			err = d.status(ctx)
		case "rollback":
			err = d.in.Rollback(ctx)
		case "boot":
			var did string
			did, err = d.in.Recover(ctx, true)
			if did != "" {
				log.Info("update boot", "did", did)
			}
		}
	default:
		fmt.Fprintf(os.Stderr, "hallkiosk-update: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk-update "+cmd+":", err)
		if errors.Is(err, install.ErrTrialFailed) {
			return 3
		}
		return 1
	}
	return 0
}

func need(v, flag string) error {
	if v == "" {
		return fmt.Errorf("%s is required", flag)
	}
	return nil
}

func loadConfig(path string) (Config, error) {
	cfg := defaults()
	md, err := toml.DecodeFile(path, &cfg)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return cfg, fmt.Errorf("config %s: unknown key %s (misspelt?)", path, und[0])
	}
	return cfg, nil
}

type device struct {
	cfg Config
	log *slog.Logger
	in  *install.Installer
	off time.Duration // township time minus ours, when it was reachable
}

func (d *device) installer() *install.Installer {
	in := &install.Installer{Root: d.cfg.Opt, State: d.cfg.State, Store: d.cfg.Store,
		Service: install.Commands{StopCmd: d.cfg.StopCmd, StartCmd: d.cfg.StartCmd},
		Trial:   d.cfg.Trial.Duration, MaxAttempts: d.cfg.MaxAttempts, Log: d.log}
	if at := os.Getenv("HALLKIOSK_UPDATE_CRASH_AT"); at != "" { // tests: kill -9 at a step
		in.Step = func(step string) {
			if step == at {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	}
	return in
}

// httpClient is the client for the township: pinned to its CA when ca_file is set.
func (d *device) httpClient(timeout time.Duration) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if d.cfg.CAFile != "" {
		tc, err := api.PinnedTLS(d.cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		tr.TLSClientConfig = tc
	}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

func (d *device) source(from string) (fetch.Source, error) {
	if from == "" {
		if d.cfg.Township == "" {
			return fetch.Source{}, errors.New("no --from and no township in the configuration")
		}
		u, err := url.JoinPath(d.cfg.Township, api.PathUpdates)
		if err != nil {
			return fetch.Source{}, err
		}
		from = u
	}
	src, err := fetch.ParseSource(from)
	if err == nil && src.URL != "" {
		src.HTTP, err = d.httpClient(10 * time.Minute) // a bundle over a village link takes a while
	}
	return src, err
}

// clock is the reference time for expiry: the township's when it answers (village clocks are often
// wrong), else this machine's.
func (d *device) clock(ctx context.Context) func() time.Time {
	if d.cfg.Township != "" {
		if u, err := url.JoinPath(d.cfg.Township, api.PathInfo); err == nil {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			hc, err := d.httpClient(10 * time.Second)
			if err != nil {
				d.log.Warn("township time not read", "err", err)
			} else if resp, err := hc.Do(req); err == nil {
				var info api.Info
				if json.NewDecoder(resp.Body).Decode(&info) == nil && !info.Time.IsZero() {
					d.off = time.Until(info.Time)
					d.log.Info("reference time from the township", "skew", d.off.Round(time.Second))
				}
				resp.Body.Close()
			}
		}
	}
	return func() time.Time { return time.Now().Add(d.off) }
}

func (d *device) look(ctx context.Context, from string) (*fetch.Check, error) {
	src, err := d.source(from)
	if err != nil {
		return nil, err
	}
	root, err := os.ReadFile(d.cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("trusted root: %w", err)
	}
	c := &fetch.Client{Root: root, Cache: d.cfg.State + "/tuf", Now: d.clock(ctx)}
	return c.Look(src)
}

func (d *device) pick(ch *fetch.Check, version string) (release.Info, error) {
	running := d.in.Running()
	if version != "" {
		for _, r := range ch.Releases {
			if r.Version == version {
				return r, release.Allowed(running, r)
			}
		}
		return release.Info{}, fmt.Errorf("version %s is not in %s", version, ch.Source)
	}
	st, err := state.Load(d.cfg.State)
	if err != nil {
		return release.Info{}, err
	}
	var offers []release.Info
	for _, r := range ch.Releases {
		if _, bad := st.Refused[r.Version]; !bad {
			offers = append(offers, r)
		}
	}
	best, ok := release.Newest(running, offers)
	if !ok {
		return release.Info{}, errNothing
	}
	return best, nil
}

var errNothing = errors.New("nothing newer to install")

func (d *device) check(ctx context.Context, from string) error {
	ch, err := d.look(ctx, from)
	if err != nil {
		return err
	}
	fmt.Printf("running: %s\n", orDash(d.in.Running()))
	for _, r := range ch.Releases {
		note := ""
		if err := release.Allowed(d.in.Running(), r); err != nil {
			note = " (" + err.Error() + ")"
		}
		fmt.Printf("offered: %s%s\n", r.Version, note)
	}
	best, err := d.pick(ch, "")
	if errors.Is(err, errNothing) {
		fmt.Println("would install: nothing")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Printf("would install: %s\n", best.Version)
	return nil
}

func (d *device) install(ctx context.Context, from, version string, now bool) error {
	if _, err := d.in.Recover(ctx, false); err != nil {
		return err
	}
	ch, err := d.look(ctx, from)
	if err != nil {
		return err
	}
	info, err := d.pick(ch, version)
	if errors.Is(err, errNothing) {
		fmt.Println("nothing newer to install; running", orDash(d.in.Running()))
		return nil
	}
	if err != nil {
		return err
	}
	bundle, err := ch.Bundle(info)
	if err != nil {
		return err
	}
	if err := d.in.Place(bundle, info); err != nil {
		return err
	}
	by := "technician"
	if !now {
		by = "schedule"
		q := install.Quiet{From: d.cfg.QuietFrom, To: d.cfg.QuietTo, State: d.cfg.State}
		if err := q.Wait(ctx, time.Now, 30*time.Second, func(why string) { d.log.Info("update waits", "why", why) }); err != nil {
			return err
		}
	}
	if err := d.in.Switch(ctx, info.Version, by); err != nil {
		return err
	}
	fmt.Printf("installed %s; it passed its trial\n", info.Version)
	return nil
}

func (d *device) status(ctx context.Context) error {
	did, err := d.in.Recover(ctx, false)
	if err != nil {
		return err
	}
	if did != "" {
		fmt.Println("recovered:", did)
	}
	st, err := state.Load(d.cfg.State)
	if err != nil {
		return err
	}
	fmt.Printf("running: %s\nprevious: %s\n", orDash(d.in.Running()), orDash(st.Previous))
	if p := st.Pending; p != nil {
		fmt.Printf("on trial: %s (from %s, start %d, since %s)\n", p.Version, orDash(p.From), p.Attempts, p.Started.Format(time.RFC3339))
	}
	for v, why := range st.Refused {
		fmt.Printf("refused: %s: %s\n", v, why)
	}
	for _, e := range st.History {
		line := e.At.Format(time.RFC3339) + " " + e.What + " " + e.Version
		if e.Why != "" {
			line += ": " + e.Why
		}
		fmt.Println(line)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
