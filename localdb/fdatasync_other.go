//go:build !linux

package localdb

import "os"

func fdatasync(f *os.File) error { return f.Sync() }
