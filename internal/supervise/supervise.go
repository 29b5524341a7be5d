// Package supervise runs geowarden as two processes, so that its exit
// status always says how a run ended.
//
// A Go program that runs out of memory, panics in a goroutine or writes a
// map from two goroutines at once is stopped by the runtime with exit
// status 2, which is also geowarden's status for an input it refused. To
// keep the two apart, Main starts the same executable again as a child
// that does the work, and waits. Just before it exits, the child writes
// the status it is about to exit with to a pipe it inherited (file
// descriptor 3). The parent then exits:
//
//   - with the child's status, when the child reported it and exited
//     with it;
//   - with ExitInternal (3), saying so on standard error, when the child
//     exited without reporting (the runtime stopped it: its message is
//     above on standard error) or with another status than it reported;
//   - with 128+N when the child died of signal N: SIGKILL (137) is what
//     the kernel's out-of-memory killer sends, and the parent says so;
//     SIGINT, SIGTERM and SIGHUP (a second one ends a run at once) give
//     130, 143 and 129 without a word, and SIGPIPE (the reader of standard
//     output went away) ends the parent by SIGPIPE too, as it would have
//     ended a single process.
//
// The child inherits standard input, output and error unchanged. SIGINT,
// SIGTERM, SIGHUP and SIGQUIT sent to the parent are passed on to the
// child (those the parent was started with ignored, as under nohup, are
// left alone). The child gets SIGKILL when the parent dies, however it
// dies (PR_SET_PDEATHSIG; the child also checks at start that its parent
// is the one that started it, in case the parent died first), so a
// SIGKILL of the parent leaves nothing running.
//
// Supervision is skipped, and the work done in the one process, when the
// environment variable GEOWARDEN_SUPERVISOR is "off" (for debugging: a
// runtime failure then exits 2, as Go programs do), on systems other than
// Linux, and when the child cannot be started (no /proc to find the
// executable, no process left under the user's limit).
package supervise

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ExitInternal is the exit status of a run whose work ended without
// reporting how: the Go runtime stopped it (out of memory, a panic, a
// fatal error), or it exited with another status than it reported.
const ExitInternal = 3

// EnvDisable names the environment variable that turns supervision off
// when it is "off", "0", "false" or "no".
const EnvDisable = "GEOWARDEN_SUPERVISOR"

// envChild marks the child: its value is the parent's process id.
const envChild = "GEOWARDEN_SUPERVISED"

// statusFD is the child's end of the status pipe.
const statusFD = 3

// Main runs work, supervised when it can be, and returns the status the
// process should exit with (the caller passes it to os.Exit at once). In
// the parent, work is not called: the child calls it.
func Main(work func() int) int {
	if report, ok := child(); ok {
		code := work()
		report(code)
		return code
	}
	if disabled(os.Getenv(EnvDisable)) {
		return work()
	}
	if code, ok := supervise(); ok {
		return code
	}
	return work()
}

func disabled(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "off", "0", "false", "no":
		return true
	}
	return false
}

// reportLine is what the child writes to the status pipe.
func reportLine(code int) string { return fmt.Sprintf("exit %d\n", code) }

// parseReport reads a reportLine.
func parseReport(b []byte) (int, bool) {
	s, ok := strings.CutPrefix(string(b), "exit ")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "\n")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && n <= 255
}
