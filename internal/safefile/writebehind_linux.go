package safefile

import (
	"os"

	"golang.org/x/sys/unix"
)

const canWriteBehind = true

// startWriteOut starts writing out the dirty pages of f's range [off,
// off+n) and does not wait for them. A file system that refuses is left
// to its own writeback: the sync at Commit is what makes the file durable.
func startWriteOut(f *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
