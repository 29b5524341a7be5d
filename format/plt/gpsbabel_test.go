package plt

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format/formattest"
)

// babelPoint is a track point as gpsbabel reads it.
type babelPoint struct {
	lat, lon float64
	alt      float64 // metres
	hasAlt   bool
	t        time.Time
}

// babelTrack reads a GeoLife file with gpsbabel's OziExplorer reader, from
// which the GeoLife layout derives: it takes the title line of an
// OziExplorer file, and the time from the days field only.
func babelTrack(t *testing.T, bin string, data []byte) []babelPoint {
	t.Helper()
	i := bytes.IndexByte(data, '\n')
	ozi := append([]byte("OziExplorer Track Point File Version 2.1\r"), data[i:]...)
	path := filepath.Join(t.TempDir(), "in.plt")
	if err := os.WriteFile(path, ozi, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-t", "-i", "ozi", "-f", path, "-o", "unicsv", "-F", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gpsbabel: %v: %s", err, stderr.String())
	}
	ls := strings.Split(strings.ReplaceAll(strings.TrimSpace(string(out)), "\r\n", "\n"), "\n")
	col := map[string]int{}
	for i, h := range strings.Split(ls[0], ",") {
		col[h] = i
	}
	var pts []babelPoint
	for _, l := range ls[1:] {
		f := strings.Split(l, ",")
		var p babelPoint
		p.lat, _ = strconv.ParseFloat(f[col["Latitude"]], 64)
		p.lon, _ = strconv.ParseFloat(f[col["Longitude"]], 64)
		if a, err := strconv.ParseFloat(f[col["Altitude"]], 64); err == nil {
			p.alt, p.hasAlt = a, true
		}
		p.t, err = time.Parse("2006/01/02 15:04:05", f[col["Date"]]+" "+f[col["Time"]])
		if err != nil {
			t.Fatalf("gpsbabel gives the time %q: %v", l, err)
		}
		pts = append(pts, p)
	}
	return pts
}

// agree checks that gpsbabel reads the records where this package does:
// positions to gpsbabel's 6 decimals, altitudes to its 0.1 m, times to a
// second (gpsbabel reads the days field, in float precision).
func agree(t *testing.T, what string, recs []geowarden.Record, pts []babelPoint) {
	t.Helper()
	if len(pts) != len(recs) {
		t.Fatalf("%s: gpsbabel reads %d points, this package %d", what, len(pts), len(recs))
	}
	for i, p := range pts {
		r := recs[i]
		if math.Abs(p.lat-r.Pos.Lat) > 1e-6 || math.Abs(p.lon-r.Pos.Lon) > 1e-6 {
			t.Errorf("%s: line %d: gpsbabel reads %v,%v, this package %v,%v", what, r.Ref.Line, p.lat, p.lon, r.Pos.Lat, r.Pos.Lon)
		}
		if p.hasAlt != r.HasAlt || math.Abs(p.alt-r.Alt) > 0.051 {
			t.Errorf("%s: line %d: gpsbabel reads altitude %v (%v), this package %v (%v)", what, r.Ref.Line, p.alt, p.hasAlt, r.Alt, r.HasAlt)
		}
		if d := p.t.Sub(r.Time); d < -time.Second || d > time.Second {
			t.Errorf("%s: line %d: gpsbabel reads time %v, this package %v", what, r.Ref.Line, p.t, r.Time)
		}
	}
}

// TestGpsbabel has gpsbabel read the samples before and after their points
// are moved, retimed and stripped of altitude: it must read what this
// package reads, in particular the days field that Retime writes.
func TestGpsbabel(t *testing.T) {
	bin := formattest.Tool(t, "gpsbabel")
	for _, name := range inputs(t) {
		t.Run(strings.ReplaceAll(name, "/", "-"), func(t *testing.T) {
			in := readInput(t, name)
			keep := &testHandler{}
			if _, err := rewrite(t, string(in), keep, nil); err != nil {
				t.Fatal(err)
			}
			agree(t, "input", keep.Recs, babelTrack(t, bin, in))

			edited, err := rewrite(t, string(in), &testHandler{Edit: goldenEdit}, nil)
			if err != nil {
				t.Fatal(err)
			}
			again := &testHandler{}
			if _, err := rewrite(t, edited, again, nil); err != nil {
				t.Fatal(err)
			}
			agree(t, "edited", again.Recs, babelTrack(t, bin, []byte(edited)))
		})
	}
}
