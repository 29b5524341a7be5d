package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// failClosedZones is a 5 km circle around (10, 50).
const failClosedZones = `{"type":"Feature","properties":{"id":"c","class":"military","buffer_m":5000},"geometry":{"type":"Point","coordinates":[10,50]}}`

// failClosedInput writes a CSV of n rows, one in ten inside the zone, and
// the zone file, into dir.
func failClosedInput(t *testing.T, dir string, n int) (in, zones string) {
	t.Helper()
	in, zones = filepath.Join(dir, "in.csv"), filepath.Join(dir, "zones.geojson")
	if err := os.WriteFile(zones, []byte(failClosedZones), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "id,time,lat,lon,note")
	for i := 0; i < n; i++ {
		lat, lon := 51+float64(i%1000)/1e4, 11+float64(i%777)/1e4
		if i%10 == 0 {
			lat, lon = 50.001, 10.001
		}
		fmt.Fprintf(w, "%d,2024-05-01T10:%02d:%02dZ,%.5f,%.5f,row %d\n", i, i/60%60, i%60, lat, lon, i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return in, zones
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

// TestOutputTargets: an output that is a FIFO, a character device, a
// folder where a file is expected or a symbolic link is refused, and the
// node is left as it was.
func TestOutputTargets(t *testing.T) {
	dir := t.TempDir()
	in, zones := failClosedInput(t, dir, 100)
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target.csv")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink("target.csv", link); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, flag, path string }{
		{"fifo as -o", "-o", fifo},
		{"fifo as --report", "--report", fifo},
		{"fifo as --findings", "--findings", fifo},
		{"symbolic link as -o", "-o", link},
	}
	dev := filepath.Join(dir, "null")
	if err := unix.Mknod(dev, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err == nil {
		cases = append(cases, struct{ name, flag, path string }{"character device as -o", "-o", dev})
	} else if os.Getuid() == 0 {
		t.Fatalf("mknod as root: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.Lstat(c.path)
			args := []string{"sanitize", "-q", "--zones", zones, c.flag, c.path}
			if c.flag != "-o" {
				args = append(args, "-o", filepath.Join(dir, "out.csv"))
			}
			r := gw(t, "", append(args, in)...)
			if r.code != 2 || !strings.Contains(r.stderr, "refused") {
				t.Fatalf("exit %d, stderr %q: want exit 2 and a refusal", r.code, r.stderr)
			}
			after, _ := os.Lstat(c.path)
			if before.Mode() != after.Mode() || !before.ModTime().Equal(after.ModTime()) {
				t.Errorf("%s changed: %v -> %v", c.path, before.Mode(), after.Mode())
			}
			if _, err := os.Stat(filepath.Join(dir, "out.csv")); err == nil {
				t.Error("out.csv written although an output was refused")
			}
		})
	}
	if b, _ := os.ReadFile(target); string(b) != "old" {
		t.Errorf("the link's target was written: %q", b)
	}
	// With --follow-output-symlink the file the link points to is written.
	if r := gw(t, "", "sanitize", "-q", "--follow-output-symlink", "--zones", zones, "-o", link, in); r.code != 0 {
		t.Fatalf("--follow-output-symlink: exit %d: %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(target); !bytes.HasPrefix(b, []byte("id,time")) {
		t.Errorf("the link's target holds %.40q, want the cleaned copy", b)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
}

// TestOutputsTogether: when one output of a run cannot be written, none
// is; -o - writes the cleaned copy to standard output.
func TestOutputsTogether(t *testing.T) {
	dir := t.TempDir()
	in, zones := failClosedInput(t, dir, 100)
	out := filepath.Join(dir, "out.csv")
	for _, flag := range []string{"--report", "--findings"} {
		r := gw(t, "", "sanitize", "-q", "--zones", zones, flag, filepath.Join(dir, "missing", "r.json"), "-o", out, in)
		if r.code != 2 {
			t.Fatalf("%s in a missing folder: exit %d: %s", flag, r.code, r.stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%s in a missing folder: OUT written", flag)
		}
	}
	r := gw(t, "", "sanitize", "-q", "--zones", zones, "-o", "-", in)
	if r.code != 0 {
		t.Fatalf("-o -: exit %d: %s", r.code, r.stderr)
	}
	if r2 := gw(t, "", "sanitize", "-q", "--zones", zones, "-o", out, in); r2.code != 0 {
		t.Fatal(r2.stderr)
	}
	want, _ := os.ReadFile(out)
	if r.stdout != string(want) {
		t.Errorf("-o - wrote %d bytes, the file %d", len(r.stdout), len(want))
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"in.csv", "out.csv", "zones.geojson"}) {
		t.Errorf("folder holds %v", got)
	}
}

// TestInterrupted: SIGKILL and SIGTERM at random moments of a sanitize run
// leave nothing behind (no temporary file beside the output, none in the
// temporary folder, no output folder), and an old output intact; SIGTERM
// exits 143.
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	in, zones := failClosedInput(t, dir, 200_000)
	tree := filepath.Join(dir, "tree")
	for i := 0; i < 4; i++ {
		if err := os.MkdirAll(filepath.Join(tree, fmt.Sprint("d", i)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(in, filepath.Join(tree, fmt.Sprint("d", i), "in.csv")); err != nil {
			t.Fatal(err)
		}
	}
	work := filepath.Join(dir, "work")
	tmp := filepath.Join(dir, "tmp")
	for _, d := range []string{work, tmp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := filepath.Join(work, "out.csv")
	run := func(sig syscall.Signal, delay time.Duration, folder bool) (int, time.Duration) {
		out, src := old, in
		if folder {
			out, src = filepath.Join(work, "outdir"), tree
		}
		cmd := exec.Command(bin, "sanitize", "-q", "--zones", zones, "--findings", filepath.Join(work, "f.ndjson"), "-o", out, src)
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if delay >= 0 {
			time.Sleep(delay)
			cmd.Process.Signal(sig)
		}
		cmd.Wait()
		return cmd.ProcessState.ExitCode(), time.Since(start)
	}
	// A full run gives the old output and the time a run takes.
	if code, _ := run(0, -1, false); code != 0 {
		t.Fatalf("full run: exit %d", code)
	}
	want, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	_, full := run(0, -1, true)
	os.RemoveAll(filepath.Join(work, "outdir"))
	os.Remove(filepath.Join(work, "f.ndjson"))
	rng := rand.New(rand.NewPCG(1, 2))
	t.Logf("a folder run takes %v", full)
	kills, terms := 0, 0
	for i := 0; i < 12; i++ {
		sig, folder := syscall.SIGKILL, i%2 == 1
		if i%4 >= 2 {
			sig = syscall.SIGTERM
		}
		delay := time.Duration(rng.Int64N(int64(full) * 9 / 10))
		code, took := run(sig, delay, folder)
		switch {
		case sig == syscall.SIGTERM && code != 143 && code != 0:
			t.Errorf("run %d: SIGTERM after %v: exit %d, want 143 (or 0 when it had finished)", i, delay, code)
		case sig == syscall.SIGKILL:
			kills++
		default:
			terms++
		}
		got := entries(t, work)
		if code == 0 {
			// The run finished before the signal: its outputs are whole.
			os.RemoveAll(filepath.Join(work, "outdir"))
			os.Remove(filepath.Join(work, "f.ndjson"))
			got = entries(t, work)
		}
		if !slices.Equal(got, []string{"out.csv"}) {
			t.Fatalf("run %d (%v after %v, took %v, exit %d): work folder holds %v, want only the old out.csv", i, sig, delay, took, code, got)
		}
		if b, _ := os.ReadFile(old); !bytes.Equal(b, want) {
			t.Fatalf("run %d: the old output changed", i)
		}
		if got := entries(t, tmp); len(got) != 0 {
			t.Fatalf("run %d: the temporary folder holds %v", i, got)
		}
	}
	t.Logf("%d SIGKILL and %d SIGTERM during the run left nothing behind", kills, terms)
}

// TestFolderNoSilentPass: in a folder, text files that hold no position
// are listed and the run goes on; a link inside the folder is followed,
// one out of it, a FIFO and a dangling link are listed, never dropped
// silently; a file a codec recognises and then refuses is an error.
func TestFolderNoSilentPass(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	in, zones := failClosedInput(t, dir, 50)
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(data, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("track.csv", "lat,lon\n50.001,10.001\n51,11\n")
	write("labels.txt", "Start Time\tEnd Time\tTransportation Mode\n2008/04/02 11:24:21\t2008/04/02 11:50:45\tbus\n")
	write("NOTICE", "This data set is licensed under the terms below.\nCopyright, all rights reserved.\n")
	if err := os.Symlink("track.csv", filepath.Join(data, "inside-link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(in, filepath.Join(data, "outside-link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("gone.csv", filepath.Join(data, "dangling.csv")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(data, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := gw(t, "", "scan", "-q", "--zones", zones, "--format", "json", data)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (findings): %s", r.code, r.stderr)
	}
	var rep struct {
		Findings []struct{ File string } `json:"findings"`
		Summary  struct {
			Files   int `json:"files"`
			Skipped []struct{ Path, Reason string }
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v: %.300s", err, r.stdout)
	}
	var files []string
	for _, f := range rep.Findings {
		files = append(files, filepath.Base(f.File))
	}
	if !slices.Equal(files, []string{"inside-link.csv", "track.csv"}) {
		t.Errorf("findings in %v, want one in the link inside the folder and one in track.csv", files)
	}
	reasons := map[string]string{}
	for _, s := range rep.Summary.Skipped {
		reasons[filepath.Base(s.Path)] = s.Reason
	}
	for name, want := range map[string]string{
		"outside-link.csv": "outside the folder",
		"dangling.csv":     "leads nowhere",
		"pipe":             "not a regular file",
		"NOTICE":           "",
		"labels.txt":       "",
	} {
		got, ok := reasons[name]
		if !ok || !strings.Contains(got, want) {
			t.Errorf("%s: listed %v with reason %q, want a reason with %q", name, ok, got, want)
		}
	}
}
