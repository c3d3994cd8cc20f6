package localdb

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the store to path (0600) while it stays open.
func (db *DB) Backup(path string) error {
	err := db.view(func(tx *bolt.Tx) error { return tx.CopyFile(path, 0o600) })
	if err != nil {
		return fmt.Errorf("back up %s to %s: %w", db.path, path, err)
	}
	return nil
}

// Compact rewrites the store at src into dst without free pages, offline (the kiosk must be
// stopped: src is opened, and so locked, here). Submits a crash left in src's journal are applied
// to src first, so the copy holds them. The copy is checked before it is reported done.
func Compact(src, dst string) (before, after int64, err error) {
	if _, err := os.Stat(dst); err == nil {
		return 0, 0, fmt.Errorf("compact: %s exists; choose a new file", dst)
	}
	if _, err := os.Stat(journalPath(src)); err == nil {
		db, err := Open(src, Options{})
		if err != nil {
			return 0, 0, fmt.Errorf("compact: %w", err)
		}
		if err := db.Close(); err != nil {
			return 0, 0, fmt.Errorf("compact: %w", err)
		}
	}
	in, err := bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true, Timeout: 3 * time.Second})
	if err != nil {
		return 0, 0, classifyOpenError(src, 3*time.Second, err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, 0, err
	}
	out, err := bolt.Open(dst, 0o600, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("compact: create %s: %w", dst, err)
	}
	if err := bolt.Compact(out, in, 64<<20); err != nil {
		out.Close()
		return 0, 0, fmt.Errorf("compact %s into %s: %w", src, dst, err)
	}
	if err := out.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		out.Close()
		return 0, 0, fmt.Errorf("compact: check of %s: %w", dst, err)
	}
	if err := out.Close(); err != nil {
		return 0, 0, err
	}
	fi1, _ := os.Stat(src)
	fi2, _ := os.Stat(dst)
	return fi1.Size(), fi2.Size(), nil
}
