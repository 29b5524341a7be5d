package sqlite

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzCheckpointSize: the size read from any bytes is -1 or the decimal
// second line of a text of at least three lines, and never panics.
func FuzzCheckpointSize(f *testing.F) {
	f.Add([]byte("geowarden.example/audit/x\n12\nAAAA=\n\n— geowarden.example/audit/x sig\n"))
	f.Add([]byte("o\n-1\nh\n"))
	f.Add([]byte("o\n99999999999999999999\nh\n"))
	f.Add([]byte("short\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := checkpointSize(b)
		if n == -1 {
			return
		}
		lines := strings.SplitN(string(b), "\n", 3)
		if len(lines) < 3 {
			t.Fatalf("size %d from %q, which has no third line", n, b)
		}
		if want, err := strconv.ParseInt(lines[1], 10, 64); err != nil || want != n || n < 0 {
			t.Fatalf("size %d from %q", n, b)
		}
	})
}
