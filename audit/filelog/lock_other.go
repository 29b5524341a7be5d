//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package filelog

import "os"

// lockFile does nothing where there is no flock: one writer is the
// caller's to ensure.
func lockFile(f *os.File) error { return nil }
