package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/internal/cli"
)

// A 30 m circle over the 2nd, 3rd and 4th points (lines 8-10) of the
// GeoLife sample 000/Trajectory/20081103101336.plt.
const pltZones = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"site","class":"military","buffer_m":30},"geometry":{"type":"Point","coordinates":[116.3261,40.00003]}}
]}`

// gwMain runs cli.Main in this process.
func gwMain(args ...string) result {
	var out, errb bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// pltSample copies the GeoLife sample into dir/Data/000/Trajectory, as the
// data set lays it out, and returns its path and content.
func pltSample(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	const name = "20081103101336.plt"
	b, err := os.ReadFile(filepath.Join("..", "..", "format", "plt", "testdata", "geolife", "000", "Trajectory", name))
	if err != nil {
		t.Fatal(err)
	}
	return write(t, dir, filepath.Join("Data", "000", "Trajectory", name), string(b)), b
}

// withoutLines returns in without the given 1-based lines.
func withoutLines(in []byte, drop ...int) string {
	var b strings.Builder
	for i, l := range strings.SplitAfter(string(in), "\n") {
		if !slices.Contains(drop, i+1) {
			b.WriteString(l)
		}
	}
	return b.String()
}

// TestCLIPLT scans and sanitizes a GeoLife trajectory, recognised by its
// content, and checks that exactly the points inside the zone are found
// and removed, the rest of the file kept byte for byte.
func TestCLIPLT(t *testing.T) {
	dir := t.TempDir()
	zones := write(t, dir, "zones.geojson", pltZones)
	in, content := pltSample(t, dir)

	r := gwMain("scan", "--zones", zones, "--format", "ndjson", in)
	if r.code != cli.ExitFindings {
		t.Fatalf("scan: exit %d, want %d; stderr: %s", r.code, cli.ExitFindings, r.stderr)
	}
	var lines []int
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var f struct {
			File   string   `json:"file"`
			Line   int      `json:"line"`
			Kind   string   `json:"kind"`
			Source string   `json:"source"`
			Zones  []string `json:"zones"`
		}
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("finding %q: %v", sc.Text(), err)
		}
		if f.File != in || f.Kind != "fix" || f.Source != "000" || !slices.Equal(f.Zones, []string{"site"}) {
			t.Errorf("finding %s: want file %s, kind fix, source 000, zone site", sc.Text(), in)
		}
		lines = append(lines, f.Line)
	}
	if !slices.Equal(lines, []int{8, 9, 10}) {
		t.Errorf("scan found lines %v, want [8 9 10]", lines)
	}

	// One file.
	out := filepath.Join(dir, "clean.plt")
	if r := gwMain("sanitize", "--zones", zones, "-o", out, in); r.code != cli.ExitOK {
		t.Fatalf("sanitize: exit %d: %s", r.code, r.stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := withoutLines(content, 8, 9, 10)
	if string(got) != want {
		t.Errorf("sanitize wrote\n%q\nwant\n%q", got, want)
	}
	if !bytes.HasPrefix(got, []byte("Geolife trajectory\r\n")) || bytes.Count(got, []byte("\r\n")) != bytes.Count(content, []byte("\r\n"))-3 {
		t.Errorf("sanitize did not keep the header and CRLF line ends")
	}

	// A folder in the data set's layout: the same file at the same place.
	outDir := filepath.Join(dir, "clean")
	if r := gwMain("sanitize", "--zones", zones, "-o", outDir, filepath.Join(dir, "Data")); r.code != cli.ExitOK {
		t.Fatalf("sanitize folder: exit %d: %s", r.code, r.stderr)
	}
	got, err = os.ReadFile(filepath.Join(outDir, "000", "Trajectory", filepath.Base(in)))
	if err != nil || string(got) != want {
		t.Errorf("sanitize folder wrote %q (%v), want %q", got, err, want)
	}

	// The sanitized copy scans clean.
	if r := gwMain("scan", "--zones", zones, out); r.code != cli.ExitOK {
		t.Errorf("scan of the sanitized copy: exit %d, want 0; %s", r.code, r.stdout)
	}
}

// TestCLIPLTBad checks that a malformed point stops scan and sanitize with
// its file and line, and that --keep-going drops it.
func TestCLIPLTBad(t *testing.T) {
	dir := t.TempDir()
	zones := write(t, dir, "zones.geojson", pltZones)
	_, content := pltSample(t, dir)
	bad := strings.Replace(string(content), "39.996825,116.326536", "39.996825,east", 1) // line 12
	in := write(t, dir, "bad.plt", bad)

	r := gwMain("scan", "--zones", zones, in)
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "bad.plt:12:11: plt: longitude \"east\" is not a number") {
		t.Errorf("scan: exit %d (want 2), stderr %q", r.code, r.stderr)
	}
	out := filepath.Join(dir, "out.plt")
	r = gwMain("sanitize", "--zones", zones, "-o", out, in)
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "bad.plt:12:") {
		t.Errorf("sanitize: exit %d (want 2), stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("sanitize left something at %s", out)
	}

	r = gwMain("sanitize", "--keep-going", "--zones", zones, "-o", out, in)
	if r.code != cli.ExitOK || !strings.Contains(r.stderr, "bad.plt:12") {
		t.Fatalf("sanitize --keep-going: exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(out)
	if want := withoutLines([]byte(bad), 8, 9, 10, 12); string(got) != want {
		t.Errorf("sanitize --keep-going wrote\n%q\nwant\n%q", got, want)
	}

	// Another datum is refused, never guessed.
	tokyo := write(t, dir, "tokyo.plt", strings.Replace(string(content), "WGS 84", "Tokyo", 1))
	r = gwMain("scan", "--zones", zones, tokyo)
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "tokyo.plt:2: plt: bad header") {
		t.Errorf("scan of another datum: exit %d (want 2), stderr %q", r.code, r.stderr)
	}
}
