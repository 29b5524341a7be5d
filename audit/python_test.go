package audit_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
	"github.com/geowarden/geowarden/audit/filelog"
	"github.com/geowarden/geowarden/format/formattest"
)

// python returns a command that runs the independent verifier
// testdata/verify.py, or skips when Python or its cryptography package is
// missing (a failure with GEOWARDEN_REQUIRE_TOOLS=1).
func python(t *testing.T) func(args ...string) (string, int) {
	t.Helper()
	py := formattest.Tool(t, "python3")
	if out, err := exec.Command(py, "-c", "import cryptography").CombinedOutput(); err != nil {
		if os.Getenv("GEOWARDEN_REQUIRE_TOOLS") == "1" {
			t.Fatalf("python3's cryptography package is required (GEOWARDEN_REQUIRE_TOOLS=1; Debian: python3-cryptography): %s", out)
		}
		t.Skipf("python3's cryptography package is missing: %s", out)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "verify.py"))
	if err != nil {
		t.Fatal(err)
	}
	return func(args ...string) (string, int) {
		t.Helper()
		out, err := exec.Command(py, append([]string{script}, args...)...).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
}

// TestIndependentVerifier: a verifier written in Python from
// docs/audit-format.md alone accepts what geowarden writes and refuses
// tampered copies.
func TestIndependentVerifier(t *testing.T) {
	run := python(t)
	ctx := context.Background()
	if out, code := run("log", "testdata/example/verifier-key", "testdata/example"); code != 0 {
		t.Fatalf("example log: %s", out)
	}
	if out, code := run("proof", "testdata/example/verifier-key", "testdata/example/proof-1.tlog-proof"); code != 0 {
		t.Fatalf("example proof: %s", out)
	}

	dir := t.TempDir()
	logDir := filepath.Join(dir, "log")
	s, err := filelog.Create(logDir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key, vkey := seededKey(t, testOrigin, "test")
	l, err := audit.Open(ctx, s, key)
	if err != nil {
		t.Fatal(err)
	}
	if out, code := run("log", vkey, logDir); code != 0 || !strings.Contains(out, "ok: 0 entries") {
		t.Fatalf("empty log: %d %s", code, out)
	}
	save := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var early string
	for i := range 23 {
		if _, err := l.Append(ctx, audittest.Entry(i)); err != nil {
			t.Fatal(err)
		}
		if i == 6 {
			early = save("early.checkpoint", l.Checkpoint())
		}
	}
	if out, code := run("log", vkey, logDir, early); code != 0 {
		t.Fatalf("log: %s", out)
	}
	for _, n := range []int64{0, 1, 7, 16, 21, 22} {
		p, err := l.Proof(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if out, code := run("proof", vkey, save("p.tlog-proof", p)); code != 0 {
			t.Fatalf("proof of entry %d: %s", n, out)
		}
	}

	entries, err := os.ReadFile(filepath.Join(logDir, filelog.EntriesFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(entries), "\n")
	lines = lines[:len(lines)-1]
	latest := save("latest.checkpoint", l.Checkpoint())
	tampered := map[string]func(d string){
		"a byte edited": func(d string) {
			e := []byte(strings.Join(lines, ""))
			e[len(e)/2] ^= 1
			os.WriteFile(filepath.Join(d, filelog.EntriesFile), e, 0o600)
		},
		"an entry deleted": func(d string) {
			os.WriteFile(filepath.Join(d, filelog.EntriesFile), []byte(strings.Join(slices.Delete(slices.Clone(lines), 5, 6), "")), 0o600)
		},
		"two entries swapped": func(d string) {
			c := slices.Clone(lines)
			c[3], c[4] = c[4], c[3]
			os.WriteFile(filepath.Join(d, filelog.EntriesFile), []byte(strings.Join(c, "")), 0o600)
		},
		"tail truncated": func(d string) {
			os.WriteFile(filepath.Join(d, filelog.EntriesFile), []byte(strings.Join(lines[:20], "")), 0o600)
		},
		"rolled back": func(d string) {
			os.WriteFile(filepath.Join(d, filelog.EntriesFile), []byte(strings.Join(lines[:7], "")), 0o600)
			b, _ := os.ReadFile(early)
			os.WriteFile(filepath.Join(d, filelog.CheckpointFile), b, 0o600)
		},
	}
	for name, tamper := range tampered {
		d := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		os.Mkdir(d, 0o700)
		b, _ := os.ReadFile(latest)
		os.WriteFile(filepath.Join(d, filelog.CheckpointFile), b, 0o600)
		tamper(d)
		if out, code := run("log", vkey, d, latest); code != 1 || !strings.Contains(out, "FAILED") {
			t.Errorf("%s: the independent verifier said (exit %d) %s", name, code, out)
		}
	}
}
