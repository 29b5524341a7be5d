package nmea

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	t        time.Time // zero when gpsbabel gives no date
}

// babelTrack reads a file's track points with gpsbabel's NMEA reader.
func babelTrack(t *testing.T, bin string, data []byte) []babelPoint {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.nmea")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-t", "-i", "nmea", "-f", path, "-o", "unicsv", "-F", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gpsbabel: %v: %s", err, stderr.String())
	}
	ls := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(ls) < 2 {
		return nil
	}
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
		if d, ok := col["Date"]; ok && d < len(f) {
			if tm, err := time.Parse("2006/01/02 15:04:05", f[d]+" "+f[col["Time"]]); err == nil {
				p.t = tm
			}
		}
		pts = append(pts, p)
	}
	return pts
}

// TestGpsbabelReadsEdits has gpsbabel read every log before and after all
// its records are moved and retimed: it must find the same track points,
// moved and retimed.
func TestGpsbabelReadsEdits(t *testing.T) {
	bin := formattest.Tool(t, "gpsbabel")
	const dt = 90 * time.Minute
	for _, file := range inputs(t) {
		t.Run(goldenName(file), func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			ch := &testHandler{bad: dropBad}
			clean, err := rewrite(t, Codec{}, in, ch)
			if err != nil {
				t.Fatal(err)
			}
			before := babelTrack(t, bin, clean)
			if len(before) == 0 {
				if !slices.ContainsFunc(ch.recs, func(r rec) bool { return r.r.Shape == geowarden.ShapePoint }) {
					t.Skip("no position in this log")
				}
				formattest.ToolReadsNothing(t, "gpsbabel reads no track from %s, which has %d records", file, len(ch.recs))
			}
			h := &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
				e := geowarden.Edit{Move: true, Pos: shift(r.Pos)}
				if !r.Time.IsZero() {
					e.Retime, e.Time = true, r.Time.Add(dt)
				}
				return e
			}}
			edited, err := rewrite(t, Codec{}, clean, h)
			if err != nil {
				t.Fatal(err)
			}
			after := babelTrack(t, bin, edited)
			if len(after) != len(before) {
				t.Fatalf("gpsbabel reads %d track points after the edit, %d before", len(after), len(before))
			}
			// Positions are written with the decimals of the input: 3
			// decimals of minutes in some logs, 1/60000 of a degree.
			tol := 1e-6 + 0.5/60/1000
			for i, b := range before {
				a := after[i]
				w := shift(geowarden.Point{Lon: b.lon, Lat: b.lat})
				if math.Abs(a.lat-w.Lat) > tol || math.Abs(a.lon-w.Lon) > tol {
					t.Errorf("point %d: gpsbabel reads %v,%v after the move, want %v,%v", i, a.lat, a.lon, w.Lat, w.Lon)
				}
				if !b.t.IsZero() && !a.t.Equal(b.t.Add(dt)) {
					t.Errorf("point %d: gpsbabel reads time %v after the retime, want %v", i, a.t, b.t.Add(dt))
				}
			}
		})
	}
}
