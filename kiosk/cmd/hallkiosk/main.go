// Command hallkiosk is the service-hall appliance: the resident's self-service kiosk, the staff
// window screen or the disclosure wall screen, chosen by configuration. This file is the one place
// that wires configuration, the store, the catalog and the Fyne app together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hallkiosk/assets"
	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/drivers/serialport"
	"hallkiosk/kiosk/apply"
	"hallkiosk/kiosk/cards"
	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/config"
	"hallkiosk/kiosk/health"
	"hallkiosk/kiosk/heartbeat"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/queue/hall"
	"hallkiosk/kiosk/service"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/trial"
	"hallkiosk/kiosk/ui"
	"hallkiosk/kiosk/ui/disclosure"
	"hallkiosk/kiosk/ui/selfservice"
	"hallkiosk/kiosk/upload"
	"hallkiosk/kiosk/voice"
	"hallkiosk/kiosk/workday"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
	"hallkiosk/township/api/casenum"
)

const usage = `hallkiosk - village and township service hall appliance (便民服务自助终端)

Usage:
  hallkiosk [flags]
  hallkiosk enrol --township URL --code CODE [--name NAME] [--config FILE | --demo]
  hallkiosk say [--call A012 --window 1 | --prompt TEXT] [--wav DIR]   (check the voice; say -h)
  hallkiosk queue serve|take BUSINESS|call --window N [--config FILE]   (the hall queue from a terminal; queue -h)

enrol trades the one-time code from the township admin (township code --village ...) for this
kiosk's credential, written to sync.credential (mode 0600); the kiosk then uploads its queue and pulls
results and content. Before enrolment it works offline and keeps everything.

Reads /etc/hallkiosk/config.toml, or --config FILE; with neither it runs on built-in defaults
(printed by --print-config). Modes: self-service (resident kiosk), window (staff), disclosure
(wall screen).

Flags:
`

type options struct {
	configPath, mode, open, size       string
	demo, windowed, elder, printConfig bool
	reportStartup, quitAfterFirstFrame bool
	benchScreens                       int
}

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) > 1 && os.Args[1] == "enrol" {
		return enrolCmd(os.Args[2:])
	}
	if len(os.Args) > 1 && os.Args[1] == "queue" {
		return queueCmd(os.Args[2:])
	}
	if len(os.Args) > 1 && os.Args[1] == "say" {
		return sayCmd(os.Args[2:])
	}
	var o options
	fs := flag.NewFlagSet("hallkiosk", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage); fs.PrintDefaults() }
	fs.StringVar(&o.configPath, "config", "", "configuration file (TOML); default "+config.DefaultPath+" if present")
	fs.StringVar(&o.mode, "mode", "", "override the mode: self-service, window or disclosure")
	fs.BoolVar(&o.demo, "demo", false, "demo: windowed, store in ./.demo/, no config file needed")
	fs.BoolVar(&o.windowed, "windowed", false, "run in a window instead of full screen (development)")
	fs.StringVar(&o.size, "size", "1920x1080", "window size when windowed, WIDTHxHEIGHT")
	fs.BoolVar(&o.elder, "elder", false, "start in elder mode (长辈版)")
	fs.BoolVar(&o.printConfig, "print-config", false, "print the built-in default configuration and exit")
	fs.StringVar(&o.open, "open", "", "open the service guide of this item code (screenshots, staff demos)")
	fs.BoolVar(&o.reportStartup, "report-startup", false, "print the time from process start to the first frame (benchmarks)")
	fs.BoolVar(&o.quitAfterFirstFrame, "quit-after-first-frame", false, "exit once the first frame is drawn (smoke tests)")
	fs.IntVar(&o.benchScreens, "bench-screens", 0, "benchmark: walk every resident screen N times by tapping its widgets, print tap-to-frame times beside a one-label change, and exit (build/bench-screens.sh)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if o.printConfig {
		os.Stdout.Write(assets.DefaultConfig)
		return 0
	}
	cfg, err := loadConfig(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk:", err)
		return 2
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "hallkiosk: no display (DISPLAY and WAYLAND_DISPLAY are unset); "+
			"to run without a screen use: xvfb-run -a -s '-screen 0 1920x1080x24' "+strings.Join(os.Args, " "))
		return 2
	}
	if err := checkX(); err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk:", err)
		return 2
	}
	strs, err := text.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk:", err)
		return 2
	}
	clk := clock.Real{} // the one clock: store, uploads, screens and their timers take time from it
	log.Info("starting", "mode", cfg.Mode, "config", cfg.Source, "store", cfg.Store.Path)

	var db *localdb.DB
	sealer, storeErr := localdb.LoadOrCreateKey(cfg.Store.DeviceKey)
	if storeErr == nil {
		db, storeErr = localdb.Open(cfg.Store.Path, localdb.Options{LockTimeout: cfg.Store.LockTimeout.Duration,
			MaxSize: cfg.Store.MaxSizeMB << 20, Sealer: sealer, Now: clk.Now, AuditUpload: api.KindAudit})
	}
	if storeErr != nil {
		log.Error("store unavailable", "err", storeErr)
	} else {
		defer db.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var loop *upload.Loop
	var svc *apply.Service
	var speaker *voice.Speaker
	clocks := &clockChecks{}
	var hq *hall.Client
	if db != nil {
		loop = uploadLoop(db, cfg, clk, log)
		go background(ctx, db, cfg, loop, clk, log)
		hq = hallQueue(ctx, db, cfg, strs, loop, clk, log)
		speaker = startVoice(ctx, cfg, strs, hq, log)
		// The window takes cases too (一窗受理): the same numbering, dates and printer.
		if cfg.Mode == config.ModeSelfService || cfg.Mode == config.ModeWindow {
			svc = applyService(db, sealer, cfg, strs, loop, clk, log)
			if hq != nil && cfg.Mode == config.ModeSelfService {
				svc.Hall = hq
			}
		}
	}
	var cat *catalog.Catalog
	if db != nil && (cfg.Mode == config.ModeSelfService || cfg.Mode == config.ModeWindow) {
		cat, err = loadCatalog(db, cfg, log)
		if err != nil {
			log.Error("catalog unavailable", "err", err)
		}
	}
	if svc != nil {
		svc.Catalog = cat
		if cat == nil {
			svc = nil
		}
	}
	// The card reader, when configured, is polled by the mode that takes cards: the window, and a
	// self-service kiosk with its apply service (not the wall). Only a polled reader is reported.
	var reader *idcard.Poller
	takesCards := cfg.Mode == config.ModeWindow || (cfg.Mode == config.ModeSelfService && svc != nil)
	if cfg.Devices.CardReader != "" && takesCards {
		reader = &idcard.Poller{Log: log, Open: func() (serialport.Port, error) {
			return openPort(cfg.Devices.CardReader, cfg.Devices.CardReaderBaud)
		}}
	}
	ver := appVersion()
	var hs *health.Source
	if db != nil {
		hs = healthSource(db, cfg, svc, loop, reader)
		if loop != nil {
			hb := &heartbeat.Sender{Client: loop.Client, Health: hs, UpdateState: cfg.Update.State, Version: ver,
				Interval: cfg.Sync.Heartbeat.Duration, Clock: clk, Started: processStart(), Log: log, Measured: clocks.set}
			go hb.Run(ctx)
		}
	}

	desktopEnv(log)
	// The fyneDo migration: every UI change from another goroutine goes through fyne.Do, so Fyne
	// may skip its thread checks. Declared here because FyneApp.toml is only read by "go run".
	// No application ID: with one, Fyne keeps a preferences file that it rewrites in place at every
	// start and exit while a file watcher reloads it, and a start then now and then logs
	// "Preferences load error: EOF" (a power cut mid-write leaves it broken for good). The kiosk
	// keeps nothing in Fyne's preferences or storage, so it has none.
	app.SetMetadata(fyne.AppMetadata{Name: "hallkiosk", Version: ver, Migrations: map[string]bool{"fyneDo": true}})
	a := app.NewWithID("")
	w := a.NewWindow(strs.App.Title)
	if cfg.Fullscreen {
		w.SetFullScreen(true)
	} else {
		width, height := parseSize(o.size)
		w.Resize(fyne.NewSize(width, height))
		w.SetFixedSize(true)
	}
	w.SetPadded(false)

	probe, firstFrame, frames := newFrameProbe()
	var overlay fyne.CanvasObject = probe
	baseline := widget.NewLabel("0") // the one-label change the screen benchmark compares with
	if o.benchScreens > 0 {
		overlay = container.NewHBox(probe, baseline)
	}
	sh := ui.New(ui.Deps{App: a, Window: w, Strings: strs, Clock: clk, Log: log, Hall: cfg.Hall.Name,
		DPI: cfg.UI.ScreenDPI, Desk: cfg.Mode == config.ModeWindow, Elder: cfg.UI.ElderMode, IdleTimeout: cfg.UI.IdleTimeout.Duration, Overlay: overlay})
	start, selfApp := startMode(ctx, sh, cfg, modeDeps{cat: cat, svc: svc, speaker: speaker, db: db, sealer: sealer,
		hq: hq, clk: clk, loop: loop, reader: reader, health: hs, clocks: clocks}, storeErr, log)
	// After an update, this version is on trial: its screens are held until it has shown it works.
	check := &trial.Check{Dir: cfg.Update.State, Version: ver, DB: db, Health: hs, Clock: clk, Log: log}
	onTrial := storeErr == nil && check.Pending()
	if onTrial {
		log.Info("update trial: this version holds its screens until its checks pass", "version", check.Version)
		sh.Hold(strs.App.Checking)
	}
	if fi, err := os.Stat(cfg.Update.State); err == nil && fi.IsDir() {
		sh.OnFlow = trial.NewActivity(ctx, cfg.Update.State, clk.Now, log).Set
	}
	// Loading the 7 MB CJK font is the slowest step of start-up and needs no GL, so it runs while
	// the driver brings up the window; the first screen is built once both are ready. Only the
	// regular style is loaded: the screens use no other.
	fontReady := make(chan struct{})
	go func() {
		defer close(fontReady)
		fyne.MeasureText(strs.App.Title, sh.Theme().Size(theme.SizeNameText), fyne.TextStyle{})
	}()
	a.Lifecycle().SetOnStarted(func() {
		<-fontReady
		start(o.open)
	})
	started := processStart()
	go func() {
		<-firstFrame
		elapsed := time.Since(started)
		if o.reportStartup {
			fmt.Printf("first-frame-ms %.1f\n", float64(elapsed.Microseconds())/1000)
		}
		log.Info("first frame drawn", "after", elapsed.Round(time.Millisecond))
		// systemd (Type=notify, WatchdogSec=): up now, and restarted if the screen ever hangs.
		if err := service.Ready(); err != nil {
			log.Warn("systemd notify", "err", err)
		}
		go func() {
			wd := &service.Watchdog{Probe: func(answer func()) { fyne.Do(answer) }, Log: log}
			if err := wd.Run(ctx); err != nil {
				log.Warn("systemd watchdog", "err", err)
			}
		}()
		if onTrial {
			go func() {
				switch err := check.Run(ctx, nil); {
				case err == nil:
					fyne.Do(sh.Release)
				case errors.Is(err, trial.ErrRanOut):
					// Quit, still held: systemd starts the kiosk again and the updater's step before
					// that start rolls this version back.
					exitCode.Store(exitTrialRanOut)
					fyne.Do(a.Quit)
				}
			}()
		}
		// Start-up leaves garbage behind (the font's parse buffers, catalog decoding); a kiosk runs
		// for days, so hand those pages back now instead of when the scavenger gets to them.
		time.AfterFunc(time.Second, debug.FreeOSMemory)
		if o.quitAfterFirstFrame {
			fyne.Do(a.Quit)
		}
		if o.benchScreens > 0 {
			time.Sleep(2 * time.Second) // let start-up's garbage collection and font loading settle
			code := benchScreens(screenBench{sh: sh, app: selfApp, win: w, strs: strs, probe: probe, frames: frames,
				label: baseline, rounds: o.benchScreens, out: os.Stdout})
			exitCode.Store(int32(code))
			fyne.Do(a.Quit)
		}
	}()
	w.ShowAndRun()
	if storeErr != nil {
		return 1
	}
	return int(exitCode.Load())
}

// exitCode is the exit code once the app quits: what --bench-screens reports, or exitTrialRanOut
// (set before the app quits, from the goroutine that asks it to).
var exitCode atomic.Int32

// exitTrialRanOut is the exit code of a version whose update trial ran out before its checks passed.
const exitTrialRanOut = 3

// uploadLoop makes the upload loop when the kiosk is enrolled; nil when it is not (it works
// offline and keeps everything in its queue).
func uploadLoop(db *localdb.DB, cfg *config.Config, clk clock.Clock, log *slog.Logger) *upload.Loop {
	cred, err := upload.LoadCredential(cfg.Sync.Credential)
	if err != nil {
		log.Warn("uploads off", "err", err)
		return nil
	}
	hc, err := upload.HTTPClient(cfg.Sync.CAFile, time.Minute)
	if err != nil {
		log.Error("uploads off", "err", err)
		return nil
	}
	log.Info("uploading to township", "url", cred.URL, "device", cred.DeviceID, "village", cred.Village)
	return &upload.Loop{DB: db, Client: &upload.Client{Cred: cred, HTTP: hc}, Log: log, Interval: cfg.Sync.Interval.Duration, Clock: clk}
}

// applyService wires the resident's tasks to the store, the printer and the calendar.
func applyService(db *localdb.DB, sealer *localdb.Sealer, cfg *config.Config, strs *text.Strings, loop *upload.Loop, clk clock.Clock, log *slog.Logger) *apply.Service {
	cal, err := loadCalendar(cfg)
	if err != nil {
		log.Error("holiday calendar unusable; using the built-in one", "err", err)
		cal, _ = workday.Parse("built-in", assets.Holidays)
	}
	code := casenum.LocalKioskCode(sealer.IDIndex("kiosk-code"))
	var voteKey []byte
	if loop != nil && loop.Client.Cred.KioskCode != "" {
		code, voteKey = loop.Client.Cred.KioskCode, loop.Client.Cred.VoteKey
	}
	paper := printer.Paper58
	if cfg.Devices.PaperMM == 80 {
		paper = printer.Paper80
	}
	paper.NativeQR = cfg.Devices.PrinterQR
	svc := &apply.Service{DB: db, Catalog: nil, Calendar: cal, Clock: clk, Log: log, Text: strs,
		Cfg: apply.Config{Hall: cfg.Hall.Name, KioskCode: code, VoteKey: voteKey, GuideURL: cfg.Links.GuideURL, LookupURL: cfg.Links.LookupURL, Paper: paper}}
	if loop != nil {
		svc.Kick = loop.Kick
	}
	if cfg.Devices.Printer != "" {
		port, err := openPort(cfg.Devices.Printer, cfg.Devices.PrinterBaud)
		if err != nil {
			log.Error("printer unavailable; receipts will not print", "err", err)
		} else {
			svc.Printer = printer.NewDevice(port, printer.Pacing{})
		}
	}
	return svc
}

func loadCalendar(cfg *config.Config) (*workday.Calendar, error) {
	if cfg.Calendar.File == "" {
		return workday.Parse("built-in", assets.Holidays)
	}
	data, err := os.ReadFile(cfg.Calendar.File)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	return workday.Parse(cfg.Calendar.File, data)
}

func openPort(device string, baud int) (serialport.Port, error) {
	path, err := serialport.Resolve(device)
	if err != nil {
		return nil, err
	}
	return serialport.Open(path, baud)
}

// desktopEnv gives Fyne and the GL driver what a kiosk session without a desktop lacks, so a
// technician reading the log sees no errors that need no action: the kiosk has one light palette,
// so Fyne need not ask the desktop (over D-Bus, launching dbus-launch) whether it prefers dark; and
// the windowing libraries want a private runtime folder and a cache folder, which a bare X session
// (xinit, Xvfb, a service user's) does not set.
func desktopEnv(log *slog.Logger) {
	if os.Getenv("FYNE_THEME") == "" {
		os.Setenv("FYNE_THEME", "light")
	}
	// Fyne keeps its cache under the user's cache folder and creates only the last level of it; a
	// service user's home (/var/lib/hallkiosk) has no .cache yet.
	if dir, err := os.UserCacheDir(); err == nil {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			log.Warn("no cache folder for the screen toolkit", "dir", dir, "err", err)
		}
	}
	if os.Getenv("XDG_RUNTIME_DIR") == "" {
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("hallkiosk-runtime-%d", os.Getuid()))
		if err := os.MkdirAll(dir, 0o700); err == nil && os.Chmod(dir, 0o700) == nil {
			os.Setenv("XDG_RUNTIME_DIR", dir)
			log.Info("XDG_RUNTIME_DIR was not set (a bare X session); using a private folder", "dir", dir)
		}
	}
}

// startMode builds the configured mode on the shell and returns what shows its first screen
// (with --open, one item's guide over the home screen).
// modeDeps are the parts main made that a mode may need.
type modeDeps struct {
	cat     *catalog.Catalog
	svc     *apply.Service
	speaker *voice.Speaker
	db      *localdb.DB
	sealer  *localdb.Sealer
	hq      *hall.Client
	clk     clock.Clock
	loop    *upload.Loop   // nil when not enrolled
	clocks  *clockChecks   // the last check of this clock against the township's
	reader  *idcard.Poller // nil when none is configured
	health  *health.Source
}

// healthSource is what the staff's panel and the township's heartbeat read.
func healthSource(db *localdb.DB, cfg *config.Config, svc *apply.Service, loop *upload.Loop, reader *idcard.Poller) *health.Source {
	hs := &health.Source{DB: db, PrinterConfigured: cfg.Devices.Printer != "" && cfg.Mode != config.ModeDisclosure}
	if loop != nil {
		hs.Upload = loop.Status
	}
	if svc != nil && svc.Printer != nil {
		if p, ok := svc.Printer.(health.Printer); ok {
			hs.Printer = p
		}
	}
	if reader != nil {
		hs.Reader = reader.State
	}
	return hs
}

// version is set at build time (-ldflags "-X main.version=1.4.0"; make build and make deb do).
var version = "dev"

// appVersion is the release folder the binary runs from (/opt/hallkiosk/releases/<version>/), which
// is the version the updater installed, else the version it was built with.
func appVersion() string {
	if exe, err := os.Executable(); err == nil {
		if dir := filepath.Dir(exe); filepath.Base(filepath.Dir(dir)) == "releases" {
			return filepath.Base(dir)
		}
	}
	return version
}

func startMode(ctx context.Context, sh *ui.Shell, cfg *config.Config, md modeDeps, storeErr error, log *slog.Logger) (start func(open string), app *selfservice.App) {
	cat, svc, speaker := md.cat, md.svc, md.speaker
	if storeErr != nil {
		return func(string) { sh.Root(sh.Failure(selfservice.ScreenError, sh.S.Error.Store, storeErr)) }, nil
	}
	switch cfg.Mode {
	case config.ModeWindow:
		start := windowMode(ctx, sh, cfg, md, log)
		return func(string) { start() }, nil
	case config.ModeDisclosure:
		show := func(o fyne.CanvasObject) {
			sh.Root(ui.PageFunc(func() ui.Screen { return ui.Screen{Name: disclosure.ScreenWall, Full: true, Body: o} }))
		}
		wl := wallMode(sh.Window(), show, sh.S, cfg, md, log)
		return func(string) { wl.Start(ctx) }, nil
	}
	d := selfservice.Deps{Catalog: cat, Retention: cfg.Store.Retention.Duration, Township: cfg.Hall.Township}
	if speaker != nil && cfg.Voice.Prompts {
		d.Voice = speaker
	}
	if svc != nil {
		d.Service = svc
		if md.reader != nil {
			d.Cards = cards.Poll(ctx, md.reader)
		}
	}
	invited := md.hq != nil && svc != nil && md.loop != nil
	if invited {
		// 邀请评价 from a window beside this kiosk ([window] facing_kiosk names this kiosk's code):
		// the window hears back only that the case was rated.
		hq := md.hq
		d.Rated = func(c string) {
			go func() {
				rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				if err := hq.Rated(rctx, c); err != nil {
					log.Warn("hall queue: telling the window the case was rated", "case", c, "err", err)
				}
			}()
		}
	}
	app = selfservice.New(sh, d)
	if invited {
		self := md.loop.Client.Cred.KioskCode
		go md.hq.Subscribe(ctx, func(e queue.Event) {
			if e.Invite == nil || e.Invite.Device != self {
				return
			}
			inv := *e.Invite
			sh.Do(func() {
				if !app.Invited(inv) {
					log.Info("invitation to rate not shown: a resident is using the kiosk", "case", inv.Case, "window", inv.Window)
				}
			})
		}, func(bool) {})
	}
	return func(open string) {
		app.Start(ctx)
		if open != "" && cat != nil && !app.OpenGuide(open) {
			log.Warn("--open: no such item code in the catalog", "code", open)
		}
	}, app
}

// background runs for the kiosk's whole life: the upload loop (once enrolled) and the daily
// retention purge.
// hallQueue starts the hall's queue service when this machine hosts it, and returns the client this
// device takes tickets with; nil when the hall has no queue service or this device is not enrolled
// (it has no hall key), and then a kiosk numbers its own tickets.
func hallQueue(ctx context.Context, db *localdb.DB, cfg *config.Config, strs *text.Strings, loop *upload.Loop, clk clock.Clock, log *slog.Logger) *hall.Client {
	if cfg.Queue.URL == "" && !cfg.Queue.Host {
		return nil
	}
	if loop == nil || len(loop.Client.Cred.VoteKey) == 0 {
		log.Warn("hall queue configured, but this device is not enrolled (no hall key): tickets are numbered here")
		return nil
	}
	key := api.HallKey(loop.Client.Cred.VoteKey)
	addr := cfg.Queue.URL
	if cfg.Queue.Host {
		q, err := queue.New(queue.BoltStore{DB: db}, strs.Lists.Businesses, clk.Now)
		if err != nil {
			log.Error("hall queue service not started", "err", err)
			return nil
		}
		srv := &http.Server{Addr: cfg.Queue.Listen, ReadHeaderTimeout: 10 * time.Second,
			Handler: hall.NewServer(hall.Config{Queue: q, Key: key, Now: clk.Now, Log: log})}
		go func() {
			<-ctx.Done()
			_ = srv.Close() // Close, not Shutdown: the displays' event streams never end by themselves
		}()
		go func() {
			log.Info("hall queue service listening", "addr", cfg.Queue.Listen)
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("hall queue service stopped", "err", err)
			}
		}()
		if addr == "" {
			_, port, _ := net.SplitHostPort(cfg.Queue.Listen)
			addr = "http://127.0.0.1:" + port
		}
	}
	c := hall.NewClient(hall.ClientConfig{URL: addr, Device: loop.Client.Cred.KioskCode, Key: key,
		Businesses: strs.Lists.Businesses, DB: db, Clock: clk, Log: log})
	// Every minute: make sure this device holds its block, and hand over the numbers it gave from it.
	var tend func()
	tend = func() {
		if ctx.Err() != nil {
			return
		}
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := c.EnsureBlock(tctx); err != nil {
			log.Debug("hall queue service not reached", "err", err)
		} else if n, err := c.FlushOffline(tctx); err != nil {
			log.Warn("hall queue: handing over this device's own numbers", "err", err)
		} else if n > 0 {
			log.Info("hall queue took in this device's own numbers", "tickets", n)
		}
		clk.AfterFunc(time.Minute, tend)
	}
	go tend()
	return c
}

func background(ctx context.Context, db *localdb.DB, cfg *config.Config, loop *upload.Loop, clk clock.Clock, log *slog.Logger) {
	purge := func() {
		rep, err := db.Purge(cfg.Store.Retention.Duration)
		if err != nil {
			log.Error("retention purge", "err", err)
		} else if rep.Cases+rep.Messages > 0 {
			log.Info("retention purge", "cases", rep.Cases, "messages", rep.Messages)
		}
	}
	purge()
	var daily func()
	daily = func() {
		if ctx.Err() == nil {
			purge()
			clk.AfterFunc(24*time.Hour, daily)
		}
	}
	clk.AfterFunc(24*time.Hour, daily)
	if loop != nil {
		loop.Run(ctx)
	}
}

func enrolCmd(args []string) int {
	fs := flag.NewFlagSet("hallkiosk enrol", flag.ContinueOnError)
	township := fs.String("township", "", "the township service's URL, e.g. https://township.example:8640")
	code := fs.String("code", "", "the one-time code from `township code --village ...`")
	name := fs.String("name", "", "what the hall calls this kiosk (default: the hall's name)")
	configPath := fs.String("config", "", "configuration file (TOML)")
	demo := fs.Bool("demo", false, "use the demo's files in ./.demo/")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *township == "" || *code == "" {
		fmt.Fprintln(os.Stderr, "hallkiosk enrol: --township URL and --code CODE are required")
		return 2
	}
	cfg, err := loadConfig(options{configPath: *configPath, demo: *demo})
	if err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk enrol:", err)
		return 2
	}
	if *name == "" {
		*name = cfg.Hall.Name
	}
	hc, err := upload.HTTPClient(cfg.Sync.CAFile, 30*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk enrol:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sealer, err := localdb.LoadOrCreateKey(cfg.Store.DeviceKey)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk enrol:", err)
		return 1
	}
	// The township takes the cases this kiosk numbered before it was enrolled under this code too.
	local := casenum.LocalKioskCode(sealer.IDIndex("kiosk-code"))
	cred, err := upload.Enrol(ctx, hc, *township, *code, *name, local)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk enrol:", err)
		return 1
	}
	if err := cred.Save(cfg.Sync.Credential); err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk enrol:", err)
		return 1
	}
	fmt.Printf("enrolled as %s for %s (%s); credential in %s\n", cred.DeviceID, cred.Village, cred.Township, cfg.Sync.Credential)
	return 0
}

func loadConfig(o options) (*config.Config, error) {
	var cfg *config.Config
	var err error
	if o.demo && o.configPath == "" {
		cfg = config.Default()
		cfg.Source = "built-in defaults (demo)"
	} else if cfg, err = config.Resolve(o.configPath); err != nil {
		return nil, err
	}
	if o.demo {
		cfg.Fullscreen = false
		cfg.Store.Path = filepath.Join(".demo", "hallkiosk.db")
		cfg.Store.DeviceKey = filepath.Join(".demo", "device.key")
		cfg.Sync.Credential = filepath.Join(".demo", "township.json")
		cfg.Devices.CardReader = filepath.Join(".demo", "idcard")
		cfg.Devices.Printer = filepath.Join(".demo", "printer")
		cfg.Voice.Clips = filepath.Join(".demo", "voice")
	}
	if o.windowed {
		cfg.Fullscreen = false
	}
	if o.elder {
		cfg.UI.ElderMode = true
	}
	if o.mode != "" {
		switch o.mode {
		case config.ModeSelfService, config.ModeWindow, config.ModeDisclosure:
			cfg.Mode = o.mode
		default:
			return nil, fmt.Errorf("--mode %q is not one of self-service, window, disclosure", o.mode)
		}
	}
	return cfg, nil
}

// loadCatalog reads the catalog from the store, seeding it on first start from the configured file
// or the built-in one. Bad items are logged and left out; the rest serve residents.
func loadCatalog(db *localdb.DB, cfg *config.Config, log *slog.Logger) (*catalog.Catalog, error) {
	seed := catalog.Seed{Source: "builtin", Name: assets.CatalogName, Data: assets.DefaultCatalog}
	if f := cfg.Catalog.File; f != "" {
		seed = catalog.Seed{Source: "file:" + f, Name: f, Read: func() ([]byte, error) { return os.ReadFile(f) }}
	}
	cat, doc, probs, err := catalog.LoadStored(db, seed)
	logProblems(log, probs)
	if err != nil {
		return nil, err
	}
	log.Info("catalog loaded", "source", doc.Source, "version", cat.Version, "items", len(cat.Items))
	return cat, nil
}

func logProblems(log *slog.Logger, probs []catalog.Problem) {
	for _, p := range probs {
		log.Warn("catalog entry left out", "problem", p.Error())
	}
}

func parseSize(s string) (float32, float32) {
	wStr, hStr, ok := strings.Cut(s, "x")
	w, err1 := strconv.Atoi(wStr)
	h, err2 := strconv.Atoi(hStr)
	if !ok || err1 != nil || err2 != nil || w < 320 || h < 240 {
		return 1920, 1080
	}
	return float32(w), float32(h)
}

// newFrameProbe is a one-pixel raster whose pixels are asked for while a frame that shows it is
// painted: first closes when the first frame is painted (when the resident first sees the
// screen), and frames gets a signal at every later paint after the raster was refreshed (the
// screen benchmark refreshes it with each change).
func newFrameProbe() (*canvas.Raster, <-chan struct{}, <-chan struct{}) {
	first, frames := make(chan struct{}), make(chan struct{}, 1)
	var once sync.Once
	r := canvas.NewRasterWithPixels(func(_, _, _, _ int) color.Color {
		once.Do(func() { close(first) })
		select {
		case frames <- struct{}{}:
		default:
		}
		return color.Transparent
	})
	r.SetMinSize(fyne.NewSize(1, 1))
	return r, first, frames
}

// processStart is when the kernel started this process (or HALLKIOSK_T0, unix ns, when a benchmark
// script sets it just before exec), so start-up time includes loading the binary.
func processStart() time.Time {
	if v, err := strconv.ParseInt(os.Getenv("HALLKIOSK_T0"), 10, 64); err == nil && v > 0 {
		return time.Unix(0, v)
	}
	if t, err := procStartTime(); err == nil {
		return t
	}
	return time.Now()
}
