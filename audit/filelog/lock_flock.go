//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package filelog

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive lock on f, without waiting. The lock goes
// with the file's close, or the process's end.
func lockFile(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
}
