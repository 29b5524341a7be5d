package supervise

import (
	"strings"
	"syscall"
	"testing"
)

// TestOutcome: the supervisor's status for each way the child can end.
func TestOutcome(t *testing.T) {
	exited := func(code int) syscall.WaitStatus { return syscall.WaitStatus(code << 8) }
	killed := func(s syscall.Signal) syscall.WaitStatus { return syscall.WaitStatus(s) }
	for _, c := range []struct {
		name   string
		ws     syscall.WaitStatus
		report string
		code   int
		stderr string
	}{
		{"reported 0", exited(0), "exit 0\n", 0, ""},
		{"reported 1", exited(1), "exit 1\n", 1, ""},
		{"reported 2", exited(2), "exit 2\n", 2, ""},
		{"reported 143", exited(143), "exit 143\n", 143, ""},
		{"runtime exit 2", exited(2), "", 3, "the Go runtime stopped it"},
		{"unreported 0", exited(0), "", 3, "exit status 0 without reporting"},
		{"report cut short", exited(2), "exit 2", 3, "without reporting"},
		{"report and exit differ", exited(2), "exit 0\n", 3, "reported exit status 0 and exited with 2"},
		{"garbage", exited(1), "exit one\n", 3, "without reporting"},
		{"SIGKILL", killed(syscall.SIGKILL), "", 137, "out-of-memory killer"},
		{"SIGKILL after a report", killed(syscall.SIGKILL), "exit 0\n", 137, "SIGKILL"},
		{"SIGSEGV", killed(syscall.SIGSEGV), "", 139, "SIGSEGV (11)"},
		{"second SIGTERM", killed(syscall.SIGTERM), "", 143, ""},
		{"second SIGINT", killed(syscall.SIGINT), "", 130, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stderr strings.Builder
			if got := outcome(c.ws, []byte(c.report), &stderr); got != c.code {
				t.Errorf("status %d, want %d", got, c.code)
			}
			if c.stderr == "" && stderr.Len() > 0 || !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stderr %q, want %q", stderr.String(), c.stderr)
			}
			if c.code == 3 && !strings.Contains(stderr.String(), "internal failure") {
				t.Errorf("stderr %q does not say internal failure", stderr.String())
			}
		})
	}
}

func TestDisabled(t *testing.T) {
	for v, want := range map[string]bool{"off": true, "OFF": true, "0": true, "false": true, "no": true, "": false, "on": false, "1": false} {
		if got := disabled(v); got != want {
			t.Errorf("disabled(%q) = %v, want %v", v, got, want)
		}
	}
}
