package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"hallkiosk/kiosk/clock"
	"hallkiosk/kiosk/queue/hall"
	"hallkiosk/kiosk/text"
	"hallkiosk/localdb"
	"hallkiosk/township/api"
)

const queueUsage = `usage: hallkiosk queue serve|take|call [--config FILE] ...

  serve              run this device's hall queue service without a screen ([queue] host = true,
                     listen): for a hall whose queue host has no window app running, and for tests
  take BUSINESS      take one ticket as this device, from the service, or from this device's own
                     block of numbers when the service does not answer (prints the number): a
                     technician's check that a kiosk reaches the hall's queue
  call --window N    call the next ticket at window N (prints the number)

Each needs the device enrolled (the hall's key comes from the township) and the app not running
on the same store (the store is one process's at a time).
`

// queueCmd is the hall queue from a terminal: the host without a screen, one ticket, one call.
func queueCmd(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(os.Stderr, queueUsage)
		return 2
	}
	verb := args[0]
	fs := flag.NewFlagSet("hallkiosk queue "+verb, flag.ContinueOnError)
	configPath := fs.String("config", "", "configuration file (TOML)")
	window := fs.String("window", "", "call: the window's number")
	verbose := fs.Bool("v", false, "log to stderr")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	fail := func(err error) int { fmt.Fprintf(os.Stderr, "hallkiosk queue %s: %v\n", verb, err); return 1 }
	cfg, err := loadConfig(options{configPath: *configPath})
	if err != nil {
		return fail(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *verbose || verb == "serve" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	strs, err := text.Load()
	if err != nil {
		return fail(err)
	}
	clk := clock.Real{}
	sealer, err := localdb.LoadOrCreateKey(cfg.Store.DeviceKey)
	if err != nil {
		return fail(err)
	}
	db, err := localdb.Open(cfg.Store.Path, localdb.Options{LockTimeout: cfg.Store.LockTimeout.Duration,
		MaxSize: cfg.Store.MaxSizeMB << 20, Sealer: sealer, Now: clk.Now, AuditUpload: api.KindAudit})
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	loop := uploadLoop(db, cfg, clk, log)
	if loop == nil {
		return fail(fmt.Errorf("this device is not enrolled (%s): the hall's key comes from the township", cfg.Sync.Credential))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch verb {
	case "serve":
		if !cfg.Queue.Host {
			return fail(fmt.Errorf("[queue] host is false in %s: this device does not host the hall's queue", *configPath))
		}
		if hallQueue(ctx, db, cfg, strs, loop, clk, log) == nil {
			return fail(fmt.Errorf("the queue service did not start (see the log above)"))
		}
		fmt.Println("hall queue service on", cfg.Queue.Listen)
		<-ctx.Done()
		return 0
	case "take", "call":
		if cfg.Queue.URL == "" {
			return fail(fmt.Errorf("[queue] url is empty in %s", *configPath))
		}
		c := hall.NewClient(hall.ClientConfig{URL: cfg.Queue.URL, Device: loop.Client.Cred.KioskCode, Key: api.HallKey(loop.Client.Cred.VoteKey),
			Businesses: strs.Lists.Businesses, DB: db, Clock: clk, Log: log, Timeout: 3 * time.Second})
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if verb == "call" {
			if *window == "" {
				return fail(fmt.Errorf("--window is required"))
			}
			t, err := c.CallNext(tctx, *window, nil)
			if err != nil {
				return fail(err)
			}
			fmt.Printf("%s %s\n", t.Number, t.Business)
			return 0
		}
		if fs.NArg() != 1 {
			return fail(fmt.Errorf("give one business, one of %v", strs.Lists.Businesses))
		}
		// As the app does every minute: hold a block, and hand over numbers given while away.
		if _, err := c.EnsureBlock(tctx); err == nil {
			if n, err := c.FlushOffline(tctx); err != nil {
				fmt.Fprintln(os.Stderr, "hallkiosk queue take: handing over this device's own numbers:", err)
			} else if n > 0 {
				fmt.Fprintf(os.Stderr, "handed over %d numbers given while the service was away\n", n)
			}
		}
		t, ahead, err := c.Take(tctx, fs.Arg(0))
		if err != nil {
			return fail(err)
		}
		if t.Offline {
			fmt.Printf("%s %s own-block\n", t.Number, t.Business)
		} else {
			fmt.Printf("%s %s waiting-before=%d\n", t.Number, t.Business, ahead)
		}
		return 0
	}
	fmt.Fprint(os.Stderr, queueUsage)
	return 2
}
