// Command hallkiosk-store is the technician's tool for the kiosk's Bolt file: figures, a
// consistent backup, and offline compaction. Stop the kiosk first: the file is locked while it runs.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"hallkiosk/localdb"
)

const usage = `hallkiosk-store: the kiosk's store file

  hallkiosk-store stats   STORE          schema version, size, upload queue and quarantine
  hallkiosk-store backup  STORE COPY     write a consistent copy (0600)
  hallkiosk-store compact STORE NEWFILE  rewrite without free space; then replace STORE with NEWFILE
  hallkiosk-store quarantine STORE       uploads the township refused for good, with its reason
  hallkiosk-store requeue STORE SEQ      send a quarantined upload again (after the cause is fixed)

Stop the kiosk first (systemctl stop hallkiosk): it holds the file's lock while it runs.
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, out, errOut io.Writer) int {
	if len(args) < 2 || (args[0] != "stats" && args[0] != "quarantine" && len(args) < 3) {
		fmt.Fprint(errOut, usage)
		return 2
	}
	fail := func(err error) int {
		if errors.Is(err, localdb.ErrLocked) {
			err = fmt.Errorf("%w; stop the kiosk first (systemctl stop hallkiosk)", err)
		}
		fmt.Fprintln(errOut, "hallkiosk-store:", err)
		return 1
	}
	switch args[0] {
	case "compact":
		before, after, err := localdb.Compact(args[1], args[2])
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(out, "compacted %s (%d bytes) into %s (%d bytes)\n", args[1], before, args[2], after)
		return 0
	case "stats", "backup", "quarantine", "requeue":
	default:
		fmt.Fprint(errOut, usage)
		return 2
	}
	if _, err := os.Stat(args[1]); err != nil {
		return fail(fmt.Errorf("store %s: %w", args[1], err))
	}
	db, err := localdb.Open(args[1], localdb.Options{LockTimeout: 2 * time.Second})
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	switch args[0] {
	case "quarantine":
		items, err := db.Quarantined()
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(out, "%d quarantined\n", len(items))
		for _, it := range items {
			fmt.Fprintf(out, "%d\t%s\t%s\t%s\tattempts %d\t%s\n", it.Seq, it.Kind, it.Key,
				it.CreatedAt.Local().Format("2006-01-02 15:04"), it.Attempts, it.Reason)
		}
		return 0
	case "requeue":
		var seq uint64
		if _, err := fmt.Sscan(args[2], &seq); err != nil {
			return fail(fmt.Errorf("requeue: %q is not an item number from `quarantine`", args[2]))
		}
		if err := db.Requeue(seq); err != nil {
			return fail(err)
		}
		fmt.Fprintf(out, "item %d is back in the upload queue\n", seq)
		return 0
	}
	if args[0] == "backup" {
		if err := db.Backup(args[2]); err != nil {
			return fail(err)
		}
		fmt.Fprintf(out, "backed up %s to %s\n", args[1], args[2])
		return 0
	}
	v, _ := db.SchemaVersion()
	u, _ := db.Usage()
	st, err := db.Stats()
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(out, "store %s\nschema version %d\nsize %d bytes\nqueued uploads %d\nquarantined %d\n", args[1], v, u.Bytes, st.Depth, st.Quarantined)
	if !st.Oldest.IsZero() {
		fmt.Fprintf(out, "oldest queued since %s\n", st.Oldest.Local().Format(time.DateTime))
	}
	if !st.LastSuccess.IsZero() {
		fmt.Fprintf(out, "last upload %s\n", st.LastSuccess.Local().Format(time.DateTime))
	}
	if st.LastError != "" {
		fmt.Fprintf(out, "last error %s\n", st.LastError)
	}
	return 0
}
