package localdb

import (
	"os"
	"syscall"
)

// fdatasync syncs a file's data without its times: the journal is preallocated, so its size never
// changes on a submit and this is one disk flush.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
