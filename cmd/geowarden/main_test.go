package main_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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
		{"out of memory", []string{"GEOWARDEN_TEST_CRASH=oom"}, true, []string{"version"}, 3, []string{"fatal error: out of memory", "internal failure"}},
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
				// to start; the limit leaves the child a few hundred MB
				// more to run out of.
				args = append([]string{"--as=1300000000", "--", bin}, args...)
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

// children returns the processes whose parent is pid.
func children(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// alive reports whether the process pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := bytes.Cut(b, []byte(") "))
	return len(rest) > 0 && rest[0] != 'Z' && rest[0] != 'X'
}

// TestSignals: SIGTERM sent to the supervisor reaches the run, which
// cleans up and exits 143; SIGINT sent to the process group (a terminal's
// Ctrl-C), which reaches both processes and is passed on once more, is
// taken as one: the run exits 130 with its message, not at once; SIGKILL
// of the supervisor kills the run too, and nothing is left.
func TestSignals(t *testing.T) {
	dir := t.TempDir()
	in, zf := inputs(t, dir, 300_000)
	out := filepath.Join(dir, "out.csv")
	start := func(pgroup bool) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(bin, "sanitize", "-q", "--zones", zf, "-o", out, in)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: pgroup}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait for the child, and for it to have started the run.
		deadline := time.Now().Add(10 * time.Second)
		for len(children(cmd.Process.Pid)) == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(150 * time.Millisecond)
		return cmd, &errb
	}
	for _, c := range []struct {
		name   string
		pgroup bool
		sig    syscall.Signal
		code   int
		stderr string
	}{
		{"SIGTERM to the supervisor", false, syscall.SIGTERM, 143, "interrupted by SIGTERM"},
		{"SIGINT to the process group", true, syscall.SIGINT, 130, "interrupted by SIGINT"},
		{"SIGKILL to the supervisor", false, syscall.SIGKILL, -1, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd, errb := start(c.pgroup)
			kids := children(cmd.Process.Pid)
			if len(kids) != 1 {
				t.Fatalf("the supervisor has children %v, want one", kids)
			}
			target := cmd.Process.Pid
			if c.pgroup {
				target = -target
			}
			if err := syscall.Kill(target, c.sig); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			code, sig := exitOf(t, cmd.ProcessState)
			if c.code >= 0 && code != c.code {
				t.Fatalf("exit %d (signal %v), want %d: %s", code, sig, c.code, errb)
			}
			if !strings.Contains(errb.String(), c.stderr) {
				t.Errorf("stderr %q, want %q", errb, c.stderr)
			}
			deadline := time.Now().Add(5 * time.Second)
			for alive(kids[0]) && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if alive(kids[0]) {
				t.Fatalf("the run (process %d) outlived its supervisor", kids[0])
			}
			if got := entries(t, dir); !slices.Equal(got, []string{"in.csv", "zones.geojson"}) {
				t.Errorf("folder holds %v", got)
			}
		})
	}
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestStdio: the run reads the supervisor's standard input and writes its
// standard output as a single process would; when the reader of standard
// output goes away, the process ends by SIGPIPE, supervised or not.
func TestStdio(t *testing.T) {
	dir := t.TempDir()
	in, zf := inputs(t, dir, 50_000)
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	r := geowarden(t, nil, string(data), "sanitize", "-q", "--zones", zf, "-o", "-", "-")
	if r.code != 0 {
		t.Fatalf("sanitize -o - -: exit %d: %s", r.code, r.stderr)
	}
	out := filepath.Join(dir, "out.csv")
	if f := geowarden(t, nil, "", "sanitize", "-q", "--zones", zf, "-o", out, in); f.code != 0 {
		t.Fatal(f.stderr)
	}
	if want, _ := os.ReadFile(out); r.stdout != string(want) {
		t.Errorf("standard output holds %d bytes, the file %d", len(r.stdout), len(want))
	}
	for _, env := range [][]string{nil, {"GEOWARDEN_SUPERVISOR=off"}} {
		cmd := exec.Command(bin, "sanitize", "-q", "--zones", zf, "-o", "-", in)
		cmd.Env = append(os.Environ(), env...)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "id,time,lat,lon\n" {
			t.Fatalf("%v: first line %q, %v", env, line, err)
		}
		stdout.Close()
		io.Copy(io.Discard, stdout)
		cmd.Wait()
		if code, sig := exitOf(t, cmd.ProcessState); sig != syscall.SIGPIPE {
			t.Errorf("%v: exit %d, signal %v, want death by SIGPIPE; stderr %q", env, code, sig, errb.String())
		}
		if errb.Len() > 0 {
			t.Errorf("%v: stderr %q, want nothing", env, errb.String())
		}
	}
}
