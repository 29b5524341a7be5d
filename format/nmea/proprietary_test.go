package nmea

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format/formattest"
)

// propCases are proprietary sentences that carry a position.
var propCases = []struct {
	name     string
	in       string
	kind     geowarden.Kind
	lat, lon float64
	time     string // RFC 3339; "" when the record has none
	alt      float64
}{
	// u-blox 6 Receiver Description (GPS.G6-SW-10018), PUBX,00 example. It
	// has no date: alone in a log, its record has no time.
	{"PUBX,00", "$PUBX,00,081350.00,4717.113210,N,00833.915187,E,546.589,G3,2.1,2.0,0.007,77.52,0.007,,0.92,1.19,0.77,9,0,0*5F",
		geowarden.KindFix, 47 + 17.113210/60, 8 + 33.915187/60, "", 546.589},
	// gpsd drivers/driver_nmea0183.c, processPGRMF (the example in its
	// comment, also in go-nmea's tests): week 290 (1314 modulo 1024),
	// 293895 s, 16 March 2005 09:38:02, 13 leap seconds.
	{"PGRMF", "$PGRMF,290,293895,160305,093802,13,5213.1439,N,02100.6511,E,A,2,0,226,2,1*11",
		geowarden.KindFix, 52 + 13.1439/60, 21 + 0.6511/60, "2005-03-16T09:38:02Z", 0},
	// Crafted after Garmin's layout: $PGRMI,lat,N,lon,E,ddmmyy,hhmmss,
	// command. A position the receiver is told it is at.
	{"PGRMI", withSum("$PGRMI,5213.143,N,02100.651,E,160305,093802,"),
		geowarden.KindFeature, 52 + 13.143/60, 21 + 0.651/60, "", 0},
	// gpsd test/daemon/skytraq-fixB.log (SkyTraq RTK fix).
	{"PSTI,030", "$PSTI,030,182139.000,A,4404.1165102,N,12118.8704702,W,1215.141,0.01,-0.04,0.07,290316,D,0.0,0.0*11",
		geowarden.KindFix, 44 + 4.1165102/60, -(121 + 18.8704702/60), "2016-03-29T18:21:39Z", 1215.141},
}

func TestProprietaryPositions(t *testing.T) {
	for _, c := range propCases {
		t.Run(c.name, func(t *testing.T) {
			h := &testHandler{}
			out, err := rewrite(t, Codec{}, []byte(lines(c.in)), h)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != lines(c.in) || len(h.notices) != 0 {
				t.Errorf("output %q, notices %v; want the input, none", out, h.notices)
			}
			if len(h.recs) != 1 {
				t.Fatalf("got %d records, want 1", len(h.recs))
			}
			r := h.recs[0].r
			if math.Abs(r.Pos.Lat-c.lat) > 1e-9 || math.Abs(r.Pos.Lon-c.lon) > 1e-9 || r.Kind != c.kind {
				t.Errorf("got %v %v, want %v,%v %v", r.Pos, r.Kind, c.lat, c.lon, c.kind)
			}
			got := ""
			if !r.Time.IsZero() {
				got = r.Time.Format(time.RFC3339)
			}
			if got != c.time || c.alt != 0 && (!r.HasAlt || r.Alt != c.alt) {
				t.Errorf("got time %q alt %v, want %q %v", got, r.Alt, c.time, c.alt)
			}
		})
	}
}

// TestProprietaryEdits moves (as coarsening does), retimes and drops the
// position of each proprietary sentence: the fields are rewritten, the
// checksum recomputed and the rest kept byte for byte.
func TestProprietaryEdits(t *testing.T) {
	to := geowarden.Point{Lon: -14.45, Lat: -35.85}
	for _, c := range propCases {
		t.Run(c.name, func(t *testing.T) {
			in := lines(c.in)
			var orig time.Time
			h := &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
				orig = r.Time
				e := geowarden.Edit{Move: true, Pos: to}
				if !r.Time.IsZero() {
					e.Retime, e.Time = true, r.Time.Add(36*time.Hour+90*time.Second)
				}
				return e
			}}
			out, err := rewrite(t, Codec{}, []byte(in), h)
			if err != nil {
				t.Fatal(err)
			}
			again := &testHandler{}
			if _, err := rewrite(t, Codec{}, out, again); err != nil {
				t.Fatalf("reading %q: %v", out, err)
			}
			if len(again.recs) != 1 {
				t.Fatalf("got %d records in %q", len(again.recs), out)
			}
			r := again.recs[0].r
			if math.Abs(r.Pos.Lat-to.Lat) > 1e-6 || math.Abs(r.Pos.Lon-to.Lon) > 1e-6 {
				t.Errorf("read back at %v, moved to %v: %q", r.Pos, to, out)
			}
			if !orig.IsZero() && !r.Time.Equal(orig.Add(36*time.Hour+90*time.Second)) {
				t.Errorf("read back at %v, retimed to %v", r.Time, orig.Add(36*time.Hour+90*time.Second))
			}
			// Only position, time and date fields change.
			changed := map[int]bool{}
			of, inf := strings.Split(strings.TrimSpace(string(out)), ","), strings.Split(strings.TrimSpace(in), ",")
			if len(of) != len(inf) {
				t.Fatalf("%d fields, was %d: %q", len(of), len(inf), out)
			}
			for i := range inf {
				if of[i] != inf[i] {
					changed[i] = true
				}
			}
			l := lookup([]byte(inf[0][1:]), []byte(inf[1]))
			for i := range changed {
				if i >= l.lat && i <= l.lat+3 || i == l.time || i == l.date || i == len(inf)-1 ||
					l.gpsWeek > 0 && (i == l.gpsWeek || i == l.gpsWeek+1) {
					continue
				}
				t.Errorf("field %d changed: %q, was %q", i, of[i], inf[i])
			}

			// Drop.
			h = &testHandler{edit: func(*geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: true} }}
			out, err = rewrite(t, Codec{}, []byte(lines("$GPTXT,01,01,02,a", c.in)), h)
			if err != nil {
				t.Fatal(err)
			}
			// A fix takes its epoch along (the GPTXT before it); a
			// waypoint goes alone.
			want := ""
			if c.kind == geowarden.KindFeature {
				want = lines("$GPTXT,01,01,02,a")
			}
			if string(out) != want {
				t.Errorf("after a drop: %q, want %q", out, want)
			}
		})
	}
}

// TestPGRMFGPSTime: a retimed PGRMF gets the GPS week and seconds of its
// new time; a stripped one loses them with its date and time.
func TestPGRMFGPSTime(t *testing.T) {
	in := lines(propCases[1].in)
	h := &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
		return geowarden.Edit{Retime: true, Time: time.Date(2005, 3, 20, 0, 0, 0, 0, time.UTC)}
	}}
	out, err := rewrite(t, Codec{}, []byte(in), h)
	if err != nil {
		t.Fatal(err)
	}
	// Sunday 20 March 2005 00:00:00 UTC is 13 s into GPS week 1315 (291
	// modulo 1024).
	if want := withSum("$PGRMF,291,13,200305,000000,13,5213.1439,N,02100.6511,E,A,2,0,226,2,1") + "\r\n"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
	h = &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
		return geowarden.Edit{Strip: []string{"time"}}
	}}
	if out, err = rewrite(t, Codec{}, []byte(in), h); err != nil {
		t.Fatal(err)
	}
	if want := withSum("$PGRMF,,,,,13,5213.1439,N,02100.6511,E,A,2,0,226,2,1") + "\r\n"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// TestGarminWithoutPosition: the Garmin sentences that carry no position
// are no records and pass as they are. PGRMW (waypoint extras) names a
// waypoint whose position is in the WPL that goes with it; PGRMZ is an
// altitude alone.
func TestGarminWithoutPosition(t *testing.T) {
	in := lines(
		"$PGRME,15.0,M,45.0,M,25.0,M*1C", // gpsd test logs
		"$PGRMZ,246,f,3*1B",
		"$PGRMM,NAD83*29",
		"$PGRMI,,,,,,,R*3F", // a reset command, as gpsd sends it
		"$PGRMC,A,4,18,,,,,,,8,,2,4,*09",
		withSum("$PGRMW,HOME,150,0032,Front door"),
		withSum("$PGRMT,GPS 18x-5Hz ver 3.10,P,P,R,R,P,C,33,R"),
		withSum("$PGRMV,0.0,0.0,0.1"),
	)
	h := &testHandler{}
	out, err := rewrite(t, Codec{}, []byte(in), h)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in || len(h.recs) != 0 || len(h.notices) != 0 {
		t.Errorf("got %d records, notices %v, output\n%s", len(h.recs), h.notices, out)
	}
}

// TestGPSBabelMixed has gpsbabel read a log that mixes standard fixes with
// the proprietary and AIS sentences: every point gpsbabel finds is one of
// the codec's records. (gpsbabel reads none of PUBX, PGRMF, PGRMI, PSTI or
// AIS: the comparison covers what it reads.)
func TestGPSBabelMixed(t *testing.T) {
	var in []string
	in = append(in, "$GPGGA,093802,5213.1439,N,02100.6511,E,1,08,0.9,545.4,M,46.9,M,,")
	for _, c := range propCases {
		in = append(in, c.in)
	}
	for _, c := range aisCases {
		in = append(in, c.in...)
	}
	in = append(in, "$GPRMC,093803,A,5213.1440,N,02100.6512,E,0.0,0.0,160305,,")
	path := filepath.Join(t.TempDir(), "mixed.nmea")
	if err := os.WriteFile(path, []byte(lines(in...)), 0o644); err != nil {
		t.Fatal(err)
	}
	babel := formattest.GPSBabelPoints(t, "nmea", path)
	if len(babel) == 0 {
		formattest.ToolReadsNothing(t, "gpsbabel read no point")
	}
	h := &testHandler{}
	if _, err := rewrite(t, Codec{}, []byte(lines(in...)), h); err != nil {
		t.Fatal(err)
	}
	for _, p := range babel {
		found := false
		for _, r := range h.recs {
			if math.Abs(r.r.Pos.Lat-p.Lat) < 1e-5 && math.Abs(r.r.Pos.Lon-p.Lon) < 1e-5 {
				found = true
			}
		}
		if !found {
			t.Errorf("gpsbabel reads %v, the codec does not", p)
		}
	}
	if n := len(propCases) + len(aisCases) + 2; len(h.recs) != n {
		t.Errorf("got %d records, want %d", len(h.recs), n)
	}
}
