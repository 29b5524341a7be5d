//go:build !linux

package supervise

// child: without a supervisor, no process is a supervised child.
func child() (func(code int), bool) { return nil, false }

// supervise: the parent's death signal is Linux's; elsewhere the work is
// done in the one process.
func supervise() (int, bool) { return 0, false }
