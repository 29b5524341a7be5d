// Package formattest holds what the tests of codecs share: handlers that
// keep every record (Handler records them, KeepAll counts them), the walk
// over a package's testdata and the keep-all round trip of each file,
// golden-file comparison, the acceptance cases of the shared corpus, and
// finding and running the external programs that read outputs
// independently (Tool, GPSBabel), which fail rather than skip under
// GEOWARDEN_REQUIRE_TOOLS=1.
package formattest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// Handler records the records and bad-record errors a codec gives it, and
// answers with Edit and OnBad.
type Handler struct {
	Edit  func(r *geowarden.Record) geowarden.Edit // nil: keep every record
	OnBad func(e *format.ParseError) error         // nil: return e, stopping the codec
	// AttrNames are the attributes read from each record into Attrs.
	AttrNames []string

	Recs  []geowarden.Record  // copies, with Attrs nil
	Attrs []map[string]string // per record, the AttrNames it has
	Bads  []*format.ParseError
}

var _ format.Handler = (*Handler)(nil)

// Record implements format.Handler.
func (h *Handler) Record(r *geowarden.Record) geowarden.Edit {
	c := *r
	c.Attrs = nil
	h.Recs = append(h.Recs, c)
	if h.AttrNames != nil {
		m := map[string]string{}
		for _, n := range h.AttrNames {
			if v, ok := r.Attrs.Attr(n); ok {
				m[n] = v
			}
		}
		h.Attrs = append(h.Attrs, m)
	}
	if h.Edit != nil {
		return h.Edit(r)
	}
	return geowarden.Keep
}

// Bad implements format.Handler.
func (h *Handler) Bad(e *format.ParseError) error {
	h.Bads = append(h.Bads, e)
	if h.OnBad != nil {
		return h.OnBad(e)
	}
	return e
}

// DropBad is an OnBad that drops bad records and goes on, as --keep-going
// does.
func DropBad(*format.ParseError) error { return nil }

// Golden compares got with the file at path, or writes it there when
// update is set (a test's -update flag). A text that differs is shown at
// its first differing line, binary data by its first differing byte.
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		if !utf8.Valid(got) || !utf8.Valid(want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s differs from the golden file at byte %d (got %d bytes, want %d)", path, i, len(got), len(want))
			return
		}
		t.Errorf("%s differs from the golden file:\n%s", path, FirstDiff(got, want))
	}
}

// FirstDiff shows the first line where two texts differ.
func FirstDiff(got, want []byte) string {
	g, w := strings.SplitAfter(string(got), "\n"), strings.SplitAfter(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\ngot  %q\nwant %q", i+1, gl, wl)
		}
	}
	return "(no line differs)"
}

// KeepAll is a Handler that keeps every record, counts them and the
// notices, and stops the codec at the first bad record. It copies nothing,
// so benchmarks and fuzz tests can use it too.
type KeepAll struct {
	N       int // records seen
	Notices int // notices seen
}

var (
	_ format.Handler = (*KeepAll)(nil)
	_ format.Noticer = (*KeepAll)(nil)
)

// Notice implements format.Noticer.
func (k *KeepAll) Notice(*format.Notice) { k.Notices++ }

// Record implements format.Handler.
func (k *KeepAll) Record(*geowarden.Record) geowarden.Edit { k.N++; return geowarden.Keep }

// Bad implements format.Handler.
func (k *KeepAll) Bad(e *format.ParseError) error { return e }

// Inputs returns the files under dir (a package's testdata) whose names end
// in one of exts (lower case; names match in any case), as slash paths
// relative to dir, in lexical order. The
// folders golden and fuzz (outputs and fuzz corpora) and any folder named
// in skip are left out. The test fails when fewer than atLeast are found,
// so that a moved or emptied testdata folder cannot pass unnoticed.
func Inputs(t testing.TB, dir string, atLeast int, exts []string, skip ...string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (d.Name() == "golden" || d.Name() == "fuzz" || slices.Contains(skip, d.Name())) {
				return filepath.SkipDir
			}
			return nil
		}
		if slices.ContainsFunc(exts, func(e string) bool { return strings.HasSuffix(strings.ToLower(p), e) }) {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < atLeast {
		t.Fatalf("found only %d files under %s, want at least %d", len(files), dir, atLeast)
	}
	return files
}

// Refused checks that err, from reading the input named name, is a
// located *format.ParseError whose message, less the "name:" prefix, is
// want.
func Refused(t testing.TB, name string, err error, want string) {
	t.Helper()
	var pe *format.ParseError
	if !errors.As(err, &pe) || pe.Line < 1 || pe.Column < 1 || pe.Offset < 0 {
		t.Fatalf("err = %v, want a located *format.ParseError", err)
	}
	if got := strings.TrimPrefix(err.Error(), name+":"); got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
}

// requireTools reports whether the tests must have their external programs
// (GEOWARDEN_REQUIRE_TOOLS=1, as in CI).
func requireTools() bool { return os.Getenv("GEOWARDEN_REQUIRE_TOOLS") == "1" }

// packages names the Debian package of each external program, for messages.
var packages = map[string]string{
	"exiftool":    "libimage-exiftool-perl",
	"gpsbabel":    "gpsbabel",
	"nats-server": "nats-server",
	"ogr2ogr":     "gdal-bin",
	"ogrinfo":     "gdal-bin",
	"osmium":      "osmium-tool",
}

// Tool returns the path of an external program that reads outputs
// independently (gpsbabel, ogrinfo, exiftool, osmium). A test skips when it
// is not installed, unless GEOWARDEN_REQUIRE_TOOLS=1 (as in CI): then it
// fails.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		hint := ""
		if pkg, ok := packages[name]; ok {
			hint = " (Debian package " + pkg + ")"
		}
		if requireTools() {
			t.Fatalf("%s is required (GEOWARDEN_REQUIRE_TOOLS=1) but not found%s: %v", name, hint, err)
		}
		t.Skipf("%s not installed%s", name, hint)
	}
	return p
}

// HasTool reports whether an external program is installed, for a test
// that checks more with it but does not need it.
func HasTool(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// ToolReadsNothing ends a test whose external program read nothing it
// could check (no track in a file, an original it cannot read): the test
// skips, unless GEOWARDEN_REQUIRE_TOOLS=1, where a check that checked
// nothing fails. Inputs a tool is known not to read belong in a list of
// the test, with the reason, not here.
func ToolReadsNothing(t testing.TB, format string, args ...any) {
	t.Helper()
	if requireTools() {
		t.Fatalf("GEOWARDEN_REQUIRE_TOOLS=1: "+format, args...)
	}
	t.Skipf(format, args...)
}

// GPSBabelPoints reads a file with gpsbabel's reader for format (gpx, kml,
// nmea, ...) as waypoints, routes and tracks (-w, -r, -t) and returns every
// position it finds, longitude first. An error from gpsbabel fails the
// test.
func GPSBabelPoints(t testing.TB, format, path string) []geowarden.Point {
	t.Helper()
	bin := Tool(t, "gpsbabel")
	var pts []geowarden.Point
	for _, kind := range []string{"-w", "-r", "-t"} {
		p, err := GPSBabel(bin, kind, format, path)
		if err != nil {
			t.Fatalf("gpsbabel %s cannot read %s: %v", kind, path, err)
		}
		pts = append(pts, p...)
	}
	return pts
}

// GPSBabel runs gpsbabel (at bin) with kind (-w, -r or -t) over a file in
// format and returns the positions of its unicsv output, longitude first.
func GPSBabel(bin, kind, format, path string) ([]geowarden.Point, error) {
	cmd := exec.Command(bin, kind, "-i", format, "-f", path, "-o", "unicsv", "-F", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(out), "\r\n", "\n")), "\n")
	if len(lines) < 2 {
		return nil, nil
	}
	la, lo := -1, -1
	for i, h := range strings.Split(lines[0], ",") {
		switch strings.TrimSpace(h) {
		case "Latitude":
			la = i
		case "Longitude":
			lo = i
		}
	}
	if la < 0 || lo < 0 {
		return nil, nil
	}
	var pts []geowarden.Point
	for _, l := range lines[1:] {
		c := strings.Split(l, ",")
		if len(c) <= max(la, lo) {
			continue
		}
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(c[la]), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(c[lo]), 64)
		if err1 == nil && err2 == nil {
			pts = append(pts, geowarden.Point{Lon: lon, Lat: lat})
		}
	}
	return pts, nil
}

// KeepsBytes runs codec c over in (the input named name) twice with a
// KeepAll, writing and scanning. When refused names the input, both must
// fail with that located error (see Refused) and ok is false. Otherwise
// both must succeed, the written output must be in byte for byte, and the
// scan must see the same records; records is their number.
func KeepsBytes(t testing.TB, c format.Codec, name string, in []byte, refused map[string]string) (records int, ok bool) {
	t.Helper()
	var out bytes.Buffer
	h, scan := &KeepAll{}, &KeepAll{}
	opts := &format.Options{Name: name}
	err := c.Rewrite(context.Background(), bytes.NewReader(in), &out, h, opts)
	serr := c.Rewrite(context.Background(), bytes.NewReader(in), nil, scan, opts)
	if want, bad := refused[name]; bad {
		Refused(t, name, err, want)
		Refused(t, name, serr, want)
		return 0, false
	}
	if err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	if !bytes.Equal(out.Bytes(), in) {
		t.Errorf("keep-all output differs from the input:\n%s", FirstDiff(out.Bytes(), in))
	}
	if serr != nil || scan.N != h.N {
		t.Errorf("scan: %v, %d records, want %d", serr, scan.N, h.N)
	}
	return h.N, true
}

// Case is an acceptance case of the shared corpus (a folder with
// truth.json, zones.geojson and the input): a circle, and how many of the
// input's points lie inside and outside it.
type Case struct {
	Format  string     `json:"format"`
	Input   string     `json:"input"` // the input's file name in the folder
	Center  [2]float64 `json:"center"`
	RadiusM float64    `json:"radius_m"`
	Points  int        `json:"points"`
	Inside  int        `json:"inside"`
	Outside int        `json:"outside"`

	Zones []byte `json:"-"` // zones.geojson
	In    []byte `json:"-"` // the input
}

// ReadCase reads the acceptance case in dir.
func ReadCase(t testing.TB, dir string) *Case {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	c := &Case{}
	if err := json.Unmarshal(read("truth.json"), c); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	c.Zones, c.In = read("zones.geojson"), read(c.Input)
	return c
}

// Count returns how many of pts lie inside the case's circle and how many
// outside it; points within 0.3 % of the radius (at least 1 m) of its edge
// count as neither, as the corpus's check_format.py decides.
func (c *Case) Count(pts []geowarden.Point) (inside, outside int) {
	band := max(1, 0.003*c.RadiusM)
	for _, p := range pts {
		switch d := Haversine(geowarden.Point{Lon: c.Center[0], Lat: c.Center[1]}, p); {
		case d <= c.RadiusM-band:
			inside++
		case d > c.RadiusM+band:
			outside++
		}
	}
	return inside, outside
}

// Haversine is the great-circle distance in metres between a and b on the
// sphere check_format.py uses (radius 6,371,008.8 m).
func Haversine(a, b geowarden.Point) float64 {
	const r = 6371008.8
	p1, p2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	h := math.Pow(math.Sin((p2-p1)/2), 2) + math.Cos(p1)*math.Cos(p2)*math.Pow(math.Sin((b.Lon-a.Lon)*math.Pi/360), 2)
	return 2 * r * math.Asin(math.Sqrt(h))
}
