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

// babelRead is how gpsbabel reads a log: kind -t (tracks) or -w
// (waypoints), and the input format with its options.
type babelRead struct {
	kind, format string
}

// babelReads lists the logs that gpsbabel's NMEA track reader (-t -i
// nmea) reads nothing from as they are, with how it reads them instead.
// Keys are paths below testdata.
var babelReads = map[string]babelRead{
	// GGA only, no date in the log: gpsbabel drops every point of an
	// undated track ("No date found within track (all points dropped)!")
	// unless told a date. The date is arbitrary; the codec gives these
	// fixes no Time, so the edit does not retime them.
	"gpsbabel/track-adddate.nmea":            {"-t", "nmea,date=20200101"},
	"gpsbabel/track-addmultipledaysfwd.nmea": {"-t", "nmea,date=20200101"},
	// A receiver in simulator mode: its date is in RMC sentences of status
	// V, which gpsbabel ignores, so the GGA fixes have no date. The date is
	// that of the RMC sentences (241011); no retimed fix crosses midnight.
	"gpsd/GPSmap-76S.log": {"-t", "nmea,date=20111024"},
	// Waypoints ($GPWPL) only, no track.
	"gpsbabel/waypoints.nmea": {"-w", "nmea"},
	// Magellan $PMGNTRK track points, which gpsbabel's NMEA reader ignores
	// and its Magellan reader reads.
	"gpsbabel/track-magellandate.log": {"-t", "magellan"},
	"exiftool/Geotag.log":             {"-t", "magellan"},
}

// babelReadsNothing lists the logs that gpsbabel reads no point from after
// the clean rewrite, however read, with why. Keys are paths below
// testdata.
var babelReadsNothing = map[string]string{
	// Every epoch has an RMC and a GLL at 36000.0000,N 72000.0000,E (out
	// of range: bad records, which drop their epochs) and a GGA at 0,0 of
	// quality 0. The clean rewrite keeps the comments only; gpsbabel keeps
	// no point of the original either (no fix).
	"gpsd/tn200.log":     "no fix: every epoch holds an out-of-range RMC, which drops it",
	"gpsd/tn200-all.log": "no fix: every epoch holds out-of-range RMC and GLL, which drop it",
	// Every GGA has a checksum that is not the XOR of its bytes (the
	// stored checksum is 0x02 off), so each epoch (GGA, RMC, ZDA) is
	// dropped with its bad fix sentence and the clean rewrite keeps the
	// comments only. gpsbabel reads the RMC fixes of the original because
	// it ignores the bad GGA; with the checksums corrected, the codec keeps
	// every sentence and gpsbabel reads no point, since the GGA fix
	// quality field is empty (no fix).
	"gpsd/firefly-II.log": "every epoch holds a GGA with a bad checksum, which drops it",
	// AIS messages only; gpsbabel has no AIS reader. Its positions are
	// checked against gpsd's decodings instead (ais_test.go).
	"gpsd/ais/sample.aivdm":      "AIS only: gpsbabel reads no AIS",
	"gpsd/ais_unpack_sixbit.log": "AIS only: gpsbabel reads no AIS",
}

// babelTrack reads a file's points with gpsbabel as r says.
func babelTrack(t *testing.T, bin string, r babelRead, data []byte) []babelPoint {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.nmea")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, r.kind, "-i", r.format, "-f", path, "-o", "unicsv", "-F", "-")
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
// moved and retimed. babelReads says how gpsbabel reads the logs it does
// not read as NMEA tracks; a log it reads nothing from fails under
// GEOWARDEN_REQUIRE_TOOLS=1 unless babelReadsNothing names it.
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
			name := strings.TrimPrefix(filepath.ToSlash(file), "testdata/")
			read, ok := babelReads[name]
			if !ok {
				read = babelRead{"-t", "nmea"}
			}
			before := babelTrack(t, bin, read, clean)
			why, listed := babelReadsNothing[name]
			if len(before) == 0 {
				if !slices.ContainsFunc(ch.recs, func(r rec) bool { return r.r.Shape == geowarden.ShapePoint }) {
					t.Skip("no position in this log")
				}
				if listed {
					t.Skipf("gpsbabel reads nothing from %s: %s", file, why)
				}
				formattest.ToolReadsNothing(t, "gpsbabel (%s -i %s) reads no point from %s, which has %d records", read.kind, read.format, file, len(ch.recs))
			} else if listed {
				t.Errorf("babelReadsNothing lists %s (%s), but gpsbabel reads %d points from it", name, why, len(before))
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
			after := babelTrack(t, bin, read, edited)
			if len(after) != len(before) {
				t.Fatalf("gpsbabel reads %d track points after the edit, %d before", len(after), len(before))
			}
			// A log without a date gives its fixes no Time: nothing is
			// retimed, and the times gpsbabel gives them (on the date it
			// is told) stay.
			shiftT := time.Duration(0)
			if slices.ContainsFunc(h.recs, func(r rec) bool { return !r.r.Time.IsZero() }) {
				shiftT = dt
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
				if !b.t.IsZero() && !a.t.Equal(b.t.Add(shiftT)) {
					t.Errorf("point %d: gpsbabel reads time %v after the retime, want %v", i, a.t, b.t.Add(shiftT))
				}
			}
		})
	}
}
