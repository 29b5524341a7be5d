package cli_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
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

// failClosedKMZ writes a KMZ of n placemarks, one in ten inside the zone
// of failClosedZones, and a stored member of blob MiB of random bytes:
// an archive of more than kml.SpoolMemBytes is spooled to the temporary
// folder while it is read.
func failClosedKMZ(t *testing.T, path string, n, blob int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, err := zw.Create("doc.kml")
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintln(bw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<kml xmlns="http://www.opengis.net/kml/2.2"><Document>`)
	for i := 0; i < n; i++ {
		lat, lon := 51+float64(i%1000)/1e4, 11+float64(i%777)/1e4
		if i%10 == 0 {
			lat, lon = 50.001, 10.001
		}
		fmt.Fprintf(bw, "<Placemark><name>p%d</name><description>row %d</description><Point><coordinates>%.6f,%.6f</coordinates></Point></Placemark>\n", i, i, lon, lat)
	}
	fmt.Fprintln(bw, `</Document></kml>`)
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	m, err := zw.CreateHeader(&zip.FileHeader{Name: "files/terrain.bin", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 1<<20)
	for i := 0; i < blob; i++ {
		for j := 0; j < len(buf); j += 8 {
			binary.LittleEndian.PutUint64(buf[j:], rng.Uint64())
		}
		if _, err := m.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
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

// tree lists every path below dir with its size, links not followed.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d", p, info.Size()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// contents maps the files below dir to their bytes; nil when dir does
// not exist.
func contents(t *testing.T, dir string) map[string]string {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestInterrupted: 20 SIGKILLs and 10 SIGTERMs, each at a moment drawn
// uniformly over the time a run takes, sent to geowarden (the supervisor,
// as a user's kill is) during sanitize of a large CSV, of a KMZ larger
// than what is spooled in memory, and of a folder. After each: the
// process that did the work is gone too, nothing is left beside the
// output, in the input's folder or in the temporary folder (TMPDIR points
// to a folder of the test's), the old output is byte for byte as it was,
// and SIGTERM exits 143 (or 0 when the run had finished).
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	in, zones := failClosedInput(t, dir, 300_000)
	kmz := filepath.Join(dir, "in.kmz")
	failClosedKMZ(t, kmz, 40_000, 33)
	small := filepath.Join(dir, "small.csv")
	folder := filepath.Join(dir, "tree")
	{
		sub := t.TempDir()
		s, _ := failClosedInput(t, sub, 100_000)
		if err := os.Rename(s, small); err != nil {
			t.Fatal(err)
		}
		k := filepath.Join(sub, "k.kmz")
		failClosedKMZ(t, k, 15_000, 0)
		for i, src := range []string{small, small, small, k} {
			d := filepath.Join(folder, fmt.Sprint("d", i))
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Link(src, filepath.Join(d, filepath.Base(src))); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(folder, "README"), []byte("Drive logs.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	work, tmp := t.TempDir(), t.TempDir()
	inputs := tree(t, dir)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, c := range []struct {
		name, src, out string
	}{
		{"csv", in, filepath.Join(work, "out.csv")},
		{"kmz", kmz, filepath.Join(work, "out.kmz")},
		{"folder", folder, filepath.Join(work, "outdir")},
	} {
		t.Run(c.name, func(t *testing.T) {
			findings := filepath.Join(work, "f.ndjson")
			run := func(sig syscall.Signal, delay time.Duration) (code int, took time.Duration, kids []int) {
				cmd := exec.Command(bin, "sanitize", "-q", "--zones", zones, "--findings", findings, "-o", c.out, c.src)
				cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
				var errb bytes.Buffer
				cmd.Stderr = &errb
				defer func() {
					if code != 0 && code != 143 && code != -1 {
						t.Errorf("exit %d: %s", code, errb.String())
					}
				}()
				start := time.Now()
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				if delay >= 0 {
					time.Sleep(delay)
					kids = children(cmd.Process.Pid)
					cmd.Process.Signal(sig)
				}
				cmd.Wait()
				return cmd.ProcessState.ExitCode(), time.Since(start), kids
			}
			clean := func() {
				os.RemoveAll(filepath.Join(work, "outdir"))
				os.Remove(findings)
			}
			// Full runs give the outputs and the time a run takes.
			var want []byte
			var full time.Duration
			for i := 0; i < 2; i++ {
				code, took, _ := run(0, -1)
				if code != 0 {
					t.Fatalf("full run: exit %d", code)
				}
				if i == 0 {
					clean()
				}
				full = max(full, took)
			}
			if c.name != "folder" {
				var err error
				if want, err = os.ReadFile(c.out); err != nil {
					t.Fatal(err)
				}
			}
			wantFindings, err := os.ReadFile(findings)
			if err != nil {
				t.Fatal(err)
			}
			wantTree := contents(t, filepath.Join(work, "outdir"))
			clean()
			before := entries(t, work)
			// whole checks what a run left beside the old output: after a
			// signal that came once the run had put its outputs in place
			// (or while it did), each is whole, as a full run writes it; a
			// hidden folder of the copies of a folder is left when SIGKILL
			// came in the moment they were named.
			staged := 0
			whole := func(what string) {
				for _, e := range entries(t, work) {
					p := filepath.Join(work, e)
					switch {
					case slices.Contains(before, e):
						continue
					case e == "f.ndjson":
						if b, _ := os.ReadFile(p); !bytes.Equal(b, wantFindings) {
							t.Fatalf("%s: --findings left half-written (%d bytes of %d)", what, len(b), len(wantFindings))
						}
					case e == "outdir" || strings.HasPrefix(e, ".outdir.geowarden-"):
						if got := contents(t, p); !maps.Equal(got, wantTree) {
							t.Fatalf("%s: %s left with %d files, not the %d of a full run", what, e, len(got), len(wantTree))
						}
						if e != "outdir" {
							staged++
							t.Logf("%s: killed while the copies were named: %s left, whole", what, e)
						}
					default:
						t.Fatalf("%s: %s left in the work folder", what, e)
					}
					os.RemoveAll(p)
				}
			}
			t.Logf("a run takes %v", full)
			seen := 0
			for i := 0; i < 30; i++ {
				sig := syscall.SIGKILL
				if i%3 == 2 {
					sig = syscall.SIGTERM
				}
				delay := time.Duration(rng.Int64N(int64(full)))
				code, took, kids := run(sig, delay)
				what := fmt.Sprintf("run %d (%v after %v, took %v, exit %d)", i, sig, delay, took, code)
				switch {
				case sig == syscall.SIGTERM && code != 143 && code != 0 && code != -1:
					// -1: ended by the signal itself, which a SIGTERM sent
					// in the first milliseconds does, before the process
					// has set up its handlers (a shell reports 143 too);
					// nothing may be left behind either way, as below.
					t.Errorf("%s: want exit 143 (or 0 when it had finished)", what)
				case sig == syscall.SIGKILL && len(kids) > 0:
					seen++
					deadline := time.Now().Add(5 * time.Second)
					for alive(kids[0]) && time.Now().Before(deadline) {
						time.Sleep(time.Millisecond)
					}
					if alive(kids[0]) {
						t.Fatalf("%s: the process doing the work (%d) outlived geowarden", what, kids[0])
					}
				}
				if code == 143 {
					if got := entries(t, work); !slices.Equal(got, before) {
						t.Fatalf("%s: work folder holds %v, want %v", what, got, before)
					}
				}
				whole(what)
				if want != nil {
					if b, _ := os.ReadFile(c.out); !bytes.Equal(b, want) {
						t.Fatalf("%s: the old output changed", what)
					}
				}
				if got := entries(t, tmp); len(got) != 0 {
					t.Fatalf("%s: the temporary folder holds %v", what, got)
				}
				if got := tree(t, dir); !slices.Equal(got, inputs) {
					t.Fatalf("%s: the input folder changed: %v", what, got)
				}
			}
			if seen < 10 {
				t.Errorf("a child was running at only %d of 20 SIGKILLs", seen)
			}
			if staged > 1 {
				t.Errorf("%d of 20 SIGKILLs came while the copies were named: that moment is no longer short", staged)
			}
			t.Logf("20 SIGKILL (the work's process running at %d) and 10 SIGTERM left nothing behind", seen)
		})
	}
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
	wantListed(t, rep.Summary.Skipped, map[string]string{
		"outside-link.csv": "outside the folder",
		"dangling.csv":     "leads nowhere",
		"pipe":             "not a regular file",
		"NOTICE":           "",
		"labels.txt":       "",
	})
}

// wantListed checks that the report lists each file of want as skipped
// with a reason that holds want's text.
func wantListed(t *testing.T, skipped []struct{ Path, Reason string }, want map[string]string) {
	t.Helper()
	reasons := map[string]string{}
	for _, s := range skipped {
		reasons[filepath.Base(s.Path)] = s.Reason
	}
	for name, w := range want {
		got, ok := reasons[name]
		if !ok || !strings.Contains(got, w) {
			t.Errorf("%s: listed %v with reason %q, want a reason with %q", name, ok, got, w)
		}
	}
}

// TestFolderText: a text file that no codec reads as records (a README, a
// CSV without coordinate columns) is still read for the positions written
// in it: scan reports one inside a zone with its file and line, sanitize
// of the folder redacts, refuses or keeps it as the policy's text setting
// says and copies the file; a binary file is listed and not copied; a
// README named on the command line is an error, as before.
func TestFolderText(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	const zones = `{"type":"Feature","properties":{"id":"base","class":"military","buffer_m":2000},"geometry":{"type":"Point","coordinates":[14.4506,35.8506]}}`
	files := map[string]string{
		"README":    "Survey of 2024.\nTaken at 35.8506, 14.4506 near the base.\n",
		"notes.csv": "label,note\ndepot,\"gate at 35.8506, 14.4506\"\n",
		"track.csv": "lat,lon\n36.2,14.2\n",
		"photo.raw": "\x00\x01\x02\x03 35.8506, 14.4506",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(data, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "zones.geojson"), []byte(zones), 0o644); err != nil {
		t.Fatal(err)
	}
	policy := func(mode string) string {
		p := filepath.Join(dir, "policy-"+mode+".yml")
		body := "zones:\n  - file: zones.geojson\nrules:\n  - id: military\n    when: { zone_class: military }\n    action: drop\n    severity: high\ntext: " + mode + "\ndefault: keep\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	r := gw(t, "", "scan", "-q", "--policy", policy("redact"), "--format", "json", data)
	if r.code != 1 {
		t.Fatalf("scan: exit %d, want 1 (findings): %s", r.code, r.stderr)
	}
	var rep struct {
		Findings []struct {
			File, Rule, Action, Detail string
			Line                       int
			Lat, Lon                   float64
		}
		Summary struct {
			Skipped []struct{ Path, Reason string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s:%d %s %s %s %.4f,%.4f", filepath.Base(f.File), f.Line, f.Rule, f.Action, f.Detail, f.Lat, f.Lon))
	}
	want := []string{
		"README:2 military redact position written in text 35.8506,14.4506",
		"notes.csv:2 military redact position written in text 35.8506,14.4506",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n%q\nwant\n%q", got, want)
	}
	wantListed(t, rep.Summary.Skipped, map[string]string{
		"README":    "its text was read for positions",
		"notes.csv": "no position columns",
		"photo.raw": "unrecognised format",
	})

	for _, c := range []struct {
		mode   string
		code   int
		readme string // the copy of README; "" when nothing is written
	}{
		{"redact", 0, "Survey of 2024.\nTaken at [position removed] near the base.\n"},
		{"keep", 0, files["README"]},
		{"refuse", 1, ""},
	} {
		t.Run(c.mode, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+c.mode)
			r := gw(t, "", "sanitize", "-q", "--policy", policy(c.mode), "-o", out, data)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d: %s", r.code, c.code, r.stderr)
			}
			if c.readme == "" {
				if !strings.Contains(r.stderr, "README:2: input refused: a position written in text") {
					t.Errorf("stderr %q does not name README and its line", r.stderr)
				}
				if _, err := os.Stat(out); err == nil {
					t.Error("the output folder was written")
				}
				return
			}
			if got := entries(t, out); !slices.Equal(got, []string{"README", "notes.csv", "track.csv"}) {
				t.Errorf("copies %v, want README, notes.csv and track.csv (not the binary file)", got)
			}
			if b, _ := os.ReadFile(filepath.Join(out, "README")); string(b) != c.readme {
				t.Errorf("README copied as %q, want %q", b, c.readme)
			}
			if b, _ := os.ReadFile(filepath.Join(out, "notes.csv")); c.mode == "redact" && strings.Contains(string(b), "35.8506") {
				t.Errorf("notes.csv copied as %q: the position is left", b)
			}
		})
	}

	r = gw(t, "", "scan", "-q", "--policy", policy("redact"), filepath.Join(data, "README"))
	if r.code != 2 || !strings.Contains(r.stderr, "unrecognised format") {
		t.Errorf("README named alone: exit %d, %q; want 2, unrecognised format", r.code, r.stderr)
	}
}

// forgedKMZ returns a KMZ of one member whose end records (zip64) say it
// has n members.
func forgedKMZ(t *testing.T, n uint64) []byte {
	t.Helper()
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, err := zw.Create("doc.kml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Point><coordinates>11,51</coordinates></Point></Placemark></kml>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	b := z.Bytes()
	i := bytes.LastIndex(b, []byte("PK\x05\x06"))
	out := append([]byte(nil), b[:i]...)
	z64 := make([]byte, 56) // zip64 end of central directory record
	copy(z64, "PK\x06\x06")
	binary.LittleEndian.PutUint64(z64[4:], 44)
	binary.LittleEndian.PutUint16(z64[12:], 45)
	binary.LittleEndian.PutUint16(z64[14:], 45)
	binary.LittleEndian.PutUint64(z64[24:], n)
	binary.LittleEndian.PutUint64(z64[32:], n)
	binary.LittleEndian.PutUint64(z64[40:], uint64(binary.LittleEndian.Uint32(b[i+12:])))
	binary.LittleEndian.PutUint64(z64[48:], uint64(binary.LittleEndian.Uint32(b[i+16:])))
	loc := make([]byte, 20) // zip64 end of central directory locator
	copy(loc, "PK\x06\x07")
	binary.LittleEndian.PutUint64(loc[8:], uint64(len(out)))
	binary.LittleEndian.PutUint32(loc[16:], 1)
	out = append(append(out, z64...), loc...)
	eocd := append([]byte(nil), b[i:]...)
	binary.LittleEndian.PutUint16(eocd[8:], 0xFFFF)
	binary.LittleEndian.PutUint16(eocd[10:], 0xFFFF)
	return append(out, eocd...)
}

// gzipBomb writes a gzip file of members of 64 MiB of blank lines after
// a CSV header, each about 65 KB: a thousand to one.
func gzipBomb(t *testing.T, path string, members int) {
	t.Helper()
	var head, m bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&head, gzip.BestCompression)
	zw.Write([]byte("lat,lon\n"))
	zw.Close()
	zw, _ = gzip.NewWriterLevel(&m, gzip.BestCompression)
	blank := bytes.Repeat([]byte("\n"), 1<<20)
	for i := 0; i < 64; i++ {
		zw.Write(blank)
	}
	zw.Close()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(head.Bytes())
	for i := 0; i < members; i++ {
		if _, err := f.Write(m.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestHostileInputs: inputs that claim more than they hold, or hold far
// more than they show, are refused with exit 2 and an error that names
// the file and the limit, before memory is spent on them. Each runs under
// a limit on address space of the Go runtime's own (about 760 MB) and
// 300 MB more: a run that needed more would be stopped by the runtime,
// and exit 3. docs/limits.md has the peak memory measured.
func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	in, zones := failClosedInput(t, dir, 10)
	gwzPath := filepath.Join(dir, "big.gwz")
	if r := gw(t, "", "zones", "import", "-o", gwzPath, zones); r.code != 0 {
		t.Fatal(r.stderr)
	}
	small, _ := os.Stat(gwzPath)
	if err := os.Truncate(gwzPath, 4<<30); err != nil { // sparse
		t.Fatal(err)
	}
	kmz := filepath.Join(dir, "forged.kmz")
	if err := os.WriteFile(kmz, forgedKMZ(t, 21_000_000), 0o644); err != nil {
		t.Fatal(err)
	}
	bomb := filepath.Join(dir, "bomb.csv.gz")
	gzipBomb(t, bomb, 32)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"zones from /dev/urandom", []string{"scan", "--zones", "/dev/urandom", in}, "read zones /dev/urandom: not a regular file"},
		{"sparse 4 GiB .gwz", []string{"scan", "--zones", gwzPath, in}, fmt.Sprintf("big.gwz: malformed .gwz file: offset 16: header says %d bytes, the file has 4294967296", small.Size())},
		{"KMZ forging 21 million members", []string{"scan", kmz}, "forged.kmz: kmz: 21000000 members (at most 10000)"},
		{"gzip bomb", []string{"scan", "--max-expansion", "20", bomb}, "bomb.csv.gz: gzip: expands past the limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The resident peak that wait4 reports would count the test
			// process's own (an exec keeps the peak of the memory it
			// replaces): the limit on address space is what holds.
			cmd := exec.Command("prlimit", append([]string{fmt.Sprintf("--as=%d", (760+300)<<20), "--", bin}, c.args...)...)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			cmd.Run()
			code := cmd.ProcessState.ExitCode()
			if code != 2 || !strings.Contains(errb.String(), c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errb.String(), c.want)
			}
		})
	}
}

// TestNoSilentPass: what a folder holds is never passed unread. A KML a
// codec refuses when it is named alone (a DOCTYPE with an internal
// subset) fails scan, sanitize and detect of its folder, named; a link
// inside the folder is copied, one out of it listed; a CSV whose header
// repeats lat,lon has both pairs read.
func TestNoSilentPass(t *testing.T) {
	dir := t.TempDir()
	_, zones := failClosedInput(t, dir, 1)
	data := filepath.Join(dir, "data")
	write(t, data, "a.kml", "<?xml version=\"1.0\"?>\n<!DOCTYPE kml [<!ENTITY lat \"50.001\">]>\n"+
		`<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Point><coordinates>10.001,&lat;</coordinates></Point></Placemark></kml>`+"\n")
	write(t, data, "b.csv", "lat,lon\n51,11\n")
	const refused = "a.kml:2:1: kml: a DOCTYPE that declares entities is refused"
	for _, args := range [][]string{
		{"scan", "-q", "--zones", zones, filepath.Join(data, "a.kml")},
		{"scan", "-q", "--zones", zones, data},
		{"sanitize", "-q", "--zones", zones, "-o", filepath.Join(dir, "out"), data},
		{"detect", "-q", "--zones", zones, data},
	} {
		r := gw(t, "", args...)
		if r.code != 2 || !strings.Contains(r.stderr, refused) {
			t.Errorf("%s %s: exit %d, stderr %q; want 2 and %q", args[0], filepath.Base(args[len(args)-1]), r.code, r.stderr, refused)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("sanitize made the output folder")
	}

	// Links: followed inside the folder, listed when they lead out.
	links := filepath.Join(dir, "links")
	write(t, links, "track.csv", "lat,lon\n51,11\n50.001,10.001\n")
	if err := os.Symlink("track.csv", filepath.Join(links, "inside.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(data, "b.csv"), filepath.Join(links, "outside.csv")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "links-out")
	r := gw(t, "", "sanitize", "--zones", zones, "-o", out, links)
	if r.code != 0 {
		t.Fatalf("sanitize of links: exit %d: %s", r.code, r.stderr)
	}
	if got := entries(t, out); !slices.Equal(got, []string{"inside.csv", "track.csv"}) {
		t.Errorf("copies %v, want inside.csv and track.csv", got)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "inside.csv")); string(b) != "lat,lon\n51,11\n" {
		t.Errorf("the link inside the folder copied as %q", b)
	}
	if !strings.Contains(r.stderr, "outside.csv: symbolic link that leads outside the folder") {
		t.Errorf("the link out of the folder is not listed: %s", r.stderr)
	}

	// A header that repeats lat,lon: both pairs are read.
	rep := write(t, dir, "repeat.csv", "lat,lon,lat,lon\n51,11,50.001,10.001\n50.001,10.001,51,11\n51,11,51.5,11.5\n")
	r = gw(t, "", "scan", "-q", "--zones", zones, "--format", "ndjson", rep)
	if r.code != 1 || strings.Count(r.stdout, `"zones":["c"]`) != 2 || !strings.Contains(r.stdout, `"line":2`) || !strings.Contains(r.stdout, `"line":3`) {
		t.Errorf("repeated lat,lon: exit %d, %s; want findings at lines 2 and 3", r.code, r.stdout)
	}
	cleaned := filepath.Join(dir, "repeat-out.csv")
	if r := gw(t, "", "sanitize", "-q", "--zones", zones, "-o", cleaned, rep); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if b, _ := os.ReadFile(cleaned); string(b) != "lat,lon,lat,lon\n51,11,51.5,11.5\n" {
		t.Errorf("repeated lat,lon cleaned to %q, want both rows with a pair in the zone dropped", b)
	}
}

// TestGeoLifeTree: scan and detect over a GeoLife-like tree, with the
// README, NOTICE and labels.txt the data set has beside its
// trajectories, read every trajectory to the end; the text files are
// listed (and read for positions), never an error.
func TestGeoLifeTree(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "Geolife Trajectories 1.3")
	zones := write(t, dir, "zones.geojson", pltZones)
	for _, user := range []string{"000", "004", "020", "178"} {
		src := filepath.Join("..", "..", "format", "plt", "testdata", "geolife", user, "Trajectory")
		ents, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			write(t, root, filepath.Join("Data", user, "Trajectory", e.Name()), string(b))
		}
	}
	for name, to := range map[string]string{"README": "README", "NOTICE": "NOTICE", "labels.txt": "Data/020/labels.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "geolife", name))
		if err != nil {
			t.Fatal(err)
		}
		write(t, root, to, string(b))
	}
	r := gw(t, "", "scan", "-q", "--zones", zones, "--format", "json", root)
	if r.code != 1 {
		t.Fatalf("scan: exit %d, want 1: %s", r.code, r.stderr)
	}
	var rep struct {
		Findings []struct{ File string }
		Summary  struct {
			Files   int
			Stats   struct{ Records int }
			Skipped []struct{ Path, Reason string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	// 233 points in the four files; the site lies on the tracks of 000
	// and 004, three points each.
	if rep.Summary.Files != 4 || len(rep.Findings) != 6 || rep.Summary.Stats.Records != 233 {
		t.Errorf("scan: %d files, %d records, %d findings; want the 4 trajectories read whole (233 points) and the 6 points in the zone", rep.Summary.Files, rep.Summary.Stats.Records, len(rep.Findings))
	}
	wantListed(t, rep.Summary.Skipped, map[string]string{
		"README":     "its text was read for positions",
		"NOTICE":     "its text was read for positions",
		"labels.txt": "no position columns",
	})
	r = gw(t, "", "detect", "-q", "--zones", zones, "--format", "json", root)
	if r.code > 1 || strings.Contains(r.stderr, "geowarden:") {
		t.Fatalf("detect: exit %d: %s", r.code, r.stderr)
	}
	var alerts struct {
		Summary struct {
			Files   int
			Skipped []struct{ Path, Reason string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &alerts); err != nil {
		t.Fatal(err)
	}
	if alerts.Summary.Files != 4 {
		t.Errorf("detect read %d files, want the 4 trajectories", alerts.Summary.Files)
	}
	wantListed(t, alerts.Summary.Skipped, map[string]string{"README": "", "NOTICE": "", "labels.txt": ""})
}

// TestSupervisorSignals: SIGTERM sent to the supervisor reaches the run,
// which cleans up and exits 143; SIGINT sent to the process group (a
// terminal's Ctrl-C), which reaches both processes and is passed on once
// more, is taken as one: the run exits 130 with its message, not at once;
// SIGKILL of the supervisor kills the run too, and nothing is left.
// (cmd/geowarden/main_test.go has the statuses of runs the runtime ends.)
func TestSupervisorSignals(t *testing.T) {
	dir := t.TempDir()
	in, zf := failClosedInput(t, dir, 300_000)
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
			code, sig := exitOf(cmd.ProcessState)
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

// TestSupervisorStdio: the run reads the supervisor's standard input and
// writes its standard output as a single process would; when the reader
// of standard output goes away, the process ends by SIGPIPE, supervised
// or not.
func TestSupervisorStdio(t *testing.T) {
	dir := t.TempDir()
	in, zf := failClosedInput(t, dir, 50_000)
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	r := gw(t, string(data), "sanitize", "-q", "--zones", zf, "-o", "-", "-")
	if r.code != 0 {
		t.Fatalf("sanitize -o - -: exit %d: %s", r.code, r.stderr)
	}
	out := filepath.Join(dir, "out.csv")
	if f := gw(t, "", "sanitize", "-q", "--zones", zf, "-o", out, in); f.code != 0 {
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
		if err != nil || line != "id,time,lat,lon,note\n" {
			t.Fatalf("%v: first line %q, %v", env, line, err)
		}
		stdout.Close()
		io.Copy(io.Discard, stdout)
		cmd.Wait()
		if code, sig := exitOf(cmd.ProcessState); sig != syscall.SIGPIPE {
			t.Errorf("%v: exit %d, signal %v, want death by SIGPIPE; stderr %q", env, code, sig, errb.String())
		}
		if errb.Len() > 0 {
			t.Errorf("%v: stderr %q, want nothing", env, errb.String())
		}
	}
}

// exitOf returns a process's exit status, or the signal that ended it.
func exitOf(ps *os.ProcessState) (int, syscall.Signal) {
	ws := ps.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return -1, ws.Signal()
	}
	return ws.ExitStatus(), 0
}
