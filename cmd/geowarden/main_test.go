package main_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// bin is geowarden built with the geowarden_crashtest tag: the same
// program, and GEOWARDEN_TEST_CRASH ends its run in the ways that the
// supervisor must tell apart from an error.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "geowarden-main")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "geowarden")
	cmd := exec.Command("go", "build", "-tags", "geowarden_crashtest", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building geowarden: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// zones is a 5 km circle around (10, 50).
const zones = `{"type":"Feature","properties":{"id":"c","class":"military","buffer_m":5000},"geometry":{"type":"Point","coordinates":[10,50]}}`

// inputs writes the zone file and a CSV of n rows, one in ten inside the
// zone, into dir.
func inputs(t *testing.T, dir string, n int) (in, zf string) {
	t.Helper()
	in, zf = filepath.Join(dir, "in.csv"), filepath.Join(dir, "zones.geojson")
	if err := os.WriteFile(zf, []byte(zones), 0o644); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("id,time,lat,lon\n")
	for i := 0; i < n; i++ {
		lat, lon := 51+float64(i%1000)/1e4, 11+float64(i%777)/1e4
		if i%10 == 0 {
			lat, lon = 50.001, 10.001
		}
		fmt.Fprintf(&b, "%d,2024-05-01T10:%02d:%02dZ,%.5f,%.5f\n", i, i/60%60, i%60, lat, lon)
	}
	if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return in, zf
}

type run struct {
	code   int
	signal syscall.Signal // the signal that ended the process, or 0
	stdout string
	stderr string
}

func exitOf(t *testing.T, ps *os.ProcessState) (int, syscall.Signal) {
	t.Helper()
	ws := ps.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return -1, ws.Signal()
	}
	return ws.ExitStatus(), 0
}

// geowarden runs the binary with the environment variables env added.
func geowarden(t *testing.T, env []string, stdin string, args ...string) run {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil && !errors.As(err, new(*exec.ExitError)) {
		t.Fatalf("geowarden %v: %v", args, err)
	}
	code, sig := exitOf(t, cmd.ProcessState)
	return run{code, sig, out.String(), errb.String()}
}

// TestExitStatus: an error exits 2, findings 1, a clean run 0, through
// the supervisor; a run the Go runtime stops (a panic in a goroutine, a
// concurrent map write, out of memory under a limit on address space)
// exits 3, never 2, and says so; one killed as the kernel's
// out-of-memory killer kills exits 137. Without the supervisor the same
// panic exits 2, which is why it is there.
func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	_, zf := inputs(t, dir, 10)
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "lat,lon\n51,11\n91.5,11\n")
	inside := write("inside.csv", "lat,lon\n50.001,10.001\n")
	clean := write("clean.csv", "lat,lon\n51,11\n")
	for _, c := range []struct {
		name   string
		env    []string
		limit  bool // under prlimit --as
		args   []string
		code   int
		stderr []string
	}{
		{"malformed input", nil, false, []string{"scan", "-q", "--zones", zf, bad}, 2, []string{"bad.csv:3", "out of range"}},
		{"findings", nil, false, []string{"scan", "-q", "--zones", zf, inside}, 1, nil},
		{"clean", nil, false, []string{"scan", "-q", "--zones", zf, clean}, 0, nil},
		{"panic in a goroutine", []string{"GEOWARDEN_TEST_CRASH=panic-goroutine"}, false, []string{"version"}, 3, []string{"panic: geowarden_crashtest", "internal failure", "exit status 2 without reporting"}},
		{"concurrent map writes", []string{"GEOWARDEN_TEST_CRASH=map-write"}, false, []string{"version"}, 3, []string{"concurrent map writes", "internal failure"}},
		{"out of memory", []string{"GEOWARDEN_TEST_CRASH=oom"}, true, []string{"version"}, 3, []string{"fatal error:", "memory", "internal failure"}},
		{"killed", []string{"GEOWARDEN_TEST_CRASH=sigkill"}, false, []string{"version"}, 137, []string{"internal failure", "SIGKILL", "out-of-memory killer"}},
		{"exit without report", []string{"GEOWARDEN_TEST_CRASH=misreport"}, false, []string{"version"}, 3, []string{"exit status 0 without reporting"}},
		{"panic unsupervised", []string{"GEOWARDEN_TEST_CRASH=panic-goroutine", "GEOWARDEN_SUPERVISOR=off"}, false, []string{"version"}, 2, []string{"panic: geowarden_crashtest"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := c.args
			if c.limit {
				if _, err := exec.LookPath("prlimit"); err != nil {
					t.Fatal("prlimit (util-linux) is needed to limit the address space")
				}
				// The Go runtime reserves about 760 MB of address space
				// to start, and the binary's own mappings and threads
				// come on top (a 20 MB binary starts under 1.32 GB, not
				// under 1.30 GB); the limit leaves the child a few
				// hundred MB more to run out of.
				args = append([]string{"--as=1600000000", "--", bin}, args...)
			}
			var r run
			if c.limit {
				cmd := exec.Command("prlimit", args...)
				cmd.Env = append(os.Environ(), c.env...)
				var errb bytes.Buffer
				cmd.Stderr = &errb
				cmd.Run()
				r.code, r.signal = exitOf(t, cmd.ProcessState)
				r.stderr = errb.String()
			} else {
				r = geowarden(t, c.env, "", args...)
			}
			if r.code != c.code {
				t.Fatalf("exit %d (signal %v), want %d; stderr:\n%.2000s", r.code, r.signal, c.code, r.stderr)
			}
			for _, s := range c.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%.2000s", s, r.stderr)
				}
			}
			if c.code < 3 && strings.Contains(r.stderr, "internal failure") {
				t.Errorf("stderr speaks of an internal failure:\n%s", r.stderr)
			}
		})
	}
}
