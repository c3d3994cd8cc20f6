// Command testkiosk stands in for the kiosk in the updater's tests: a real process that opens the
// real store (localdb, with its migrations) and speaks the real trial protocol (package state).
// Its version and behaviour come from files beside it (VERSION, BEHAVIOUR), so one build makes
// every release a test needs:
//
//	good          open the store, report healthy when on trial, serve until stopped (-pidfile)
//	crash         exit 1 at start, before anything
//	hang          open the store, never report healthy
//	unhealthy     open the store, never report healthy, and quit (exit 3) when the trial runs out, as
//	              the kiosk does (kiosk/trial.ErrRanOut)
//	migrate-fail  migrate the store to a schema newer than any release knows, then exit 1
//
// With -submit N it stores N "submissions" and exits; with -report it prints
// "version=V submissions=N" and exits: the tests' way of "starting it" to see what it has.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"hallkiosk/localdb"
	"hallkiosk/updater/state"
)

func main() {
	stateDir := flag.String("state", "", "update state folder")
	store := flag.String("store", "", "store file")
	submit := flag.Int("submit", 0, "store N submissions and exit")
	report := flag.Bool("report", false, "print version and submissions and exit")
	pidfile := flag.String("pidfile", "", "written once serving, removed at a clean stop")
	flag.Parse()
	exe, err := os.Executable()
	if err != nil {
		fail(err)
	}
	dir := filepath.Dir(exe)
	version := read(dir, "VERSION")
	behaviour := read(dir, "BEHAVIOUR")
	if behaviour == "crash" && !*report {
		fmt.Fprintln(os.Stderr, "testkiosk", version, "crashes at start")
		os.Exit(1)
	}
	opt := localdb.Options{LockTimeout: 10 * time.Second}
	if behaviour == "migrate-fail" && !*report {
		opt.Migrations = append(localdb.Migrations(), localdb.Migration{Version: localdb.LatestVersion() + 1,
			Name: "a newer release's step", Up: func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists([]byte("newer")); return err }})
	}
	db, err := localdb.Open(*store, opt)
	if err != nil {
		fail(err)
	}
	defer db.Close()
	if behaviour == "migrate-fail" && !*report {
		db.Close()
		fmt.Fprintln(os.Stderr, "testkiosk", version, "migrated the store and fails")
		os.Exit(1)
	}
	switch {
	case *report:
		fmt.Printf("version=%s submissions=%d\n", version, count(db))
		return
	case *submit > 0:
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("testkiosk"))
			if err != nil {
				return err
			}
			for i := 0; i < *submit; i++ {
				seq, _ := b.NextSequence()
				var k [8]byte
				binary.BigEndian.PutUint64(k[:], seq)
				if err := b.Put(k[:], []byte("a resident's submission")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			fail(err)
		}
		return
	}
	if behaviour == "good" && state.InTrial(*stateDir, version) {
		if err := state.ReportHealthy(*stateDir, state.Health{Version: version, At: time.Now(),
			Checks: map[string]string{"store": "opened and migrated"}}); err != nil {
			fail(err)
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	if *pidfile != "" {
		if err := os.WriteFile(*pidfile, []byte(fmt.Sprint(os.Getpid())), 0o644); err != nil {
			fail(err)
		}
		defer os.Remove(*pidfile)
	}
	var ranOut <-chan time.Time
	if until, ok := state.TrialUntil(*stateDir, version); ok && behaviour == "unhealthy" {
		ranOut = time.After(time.Until(until))
	}
	select {
	case <-sig:
	case <-ranOut:
		db.Close()
		fmt.Fprintln(os.Stderr, "testkiosk", version, "ran out of its trial")
		os.Exit(3)
	}
}

func count(db *localdb.DB) int {
	n := 0
	db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte("testkiosk")); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n
}

func read(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		fail(err)
	}
	return strings.TrimSpace(string(b))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "testkiosk:", err)
	os.Exit(1)
}
