package sanitize

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/zone"
)

func TestCoarsenPoint(t *testing.T) {
	cases := []struct {
		name string
		p    geowarden.Point
		grid float64
	}{
		{"Cork", geowarden.Point{Lon: -8.4712345, Lat: 51.9012345}, 100},
		{"equator", geowarden.Point{Lon: 0.0004, Lat: -0.0004}, 100},
		{"antimeridian", geowarden.Point{Lon: 179.9999, Lat: 10}, 1000},
		{"near the pole", geowarden.Point{Lon: 45, Lat: 89.9999}, 500},
		{"south pole", geowarden.Point{Lon: -120, Lat: -90}, 1000},
		{"coarse grid", geowarden.Point{Lon: 14.5, Lat: 35.9}, 10000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := CoarsenPoint(c.p, c.grid)
			if q.Lat < -90 || q.Lat > 90 || q.Lon < -180 || q.Lon > 180 {
				t.Fatalf("CoarsenPoint(%v) = %v: out of range", c.p, q)
			}
			if d := zone.Distance(c.p, q); d > c.grid && math.Abs(c.p.Lat) < 89 {
				t.Errorf("moved %v m, more than the %v m grid", d, c.grid)
			}
			if r := CoarsenPoint(q, c.grid); r != q {
				t.Errorf("not idempotent: %v -> %v -> %v", c.p, q, r)
			}
		})
	}
	// Nearby points share a cell.
	a := CoarsenPoint(geowarden.Point{Lon: 10.00001, Lat: 50.00001}, 1000)
	b := CoarsenPoint(geowarden.Point{Lon: 10.00002, Lat: 50.00002}, 1000)
	if a != b {
		t.Errorf("points 1 m apart land in different 1 km cells: %v, %v", a, b)
	}
}

func TestCoarsenTime(t *testing.T) {
	in := time.Date(2024, 5, 1, 10, 47, 13, 0, time.UTC)
	if got, want := CoarsenTime(in, time.Hour), time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("CoarsenTime(1h) = %v, want %v", got, want)
	}
	if got := CoarsenTime(time.Time{}, time.Hour); !got.IsZero() {
		t.Errorf("zero time coarsened to %v", got)
	}
}

func TestPseudonym(t *testing.T) {
	k1, k2 := []byte("0123456789abcdef"), []byte("fedcba9876543210")
	a, b := Pseudonym(k1, "phone-1"), Pseudonym(k1, "phone-1")
	if a != b || len(a) != 32 {
		t.Errorf("pseudonyms of one value differ or are not 32 hex digits: %q %q", a, b)
	}
	if a == Pseudonym(k2, "phone-1") || a == Pseudonym(k1, "phone-2") {
		t.Error("pseudonym does not depend on key and value")
	}
	if Pseudonym(k1, "") != "" {
		t.Error("empty value not kept empty")
	}
}

// lineRecord is a record for a line with the given vertices.
func lineRecord(pts ...geowarden.Point) *geowarden.Record {
	return &geowarden.Record{Shape: geowarden.ShapeLine, Lines: [][]geowarden.Point{pts}, Pos: pts[0], Kind: geowarden.KindFeature, Ref: geowarden.Ref{Feature: 0}}
}

func engineFor(t *testing.T, zonesJSON string) *Engine {
	t.Helper()
	set, err := zone.ReadGeoJSON("z", "z", strings.NewReader(zonesJSON))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("p.yml", []byte("zones: [{file: z.geojson}]\nrules:\n  - id: drop\n    when: {in_zone: true}\n    action: drop\n    severity: high\n"))
	if err != nil {
		t.Fatal(err)
	}
	set.ID = "z"
	return &Engine{Classifier: classify.New(zone.NewIndex(set), nil), Policy: p}
}

func TestCutLine(t *testing.T) {
	e := engineFor(t, `{"type":"Feature","properties":{"id":"c","buffer_m":1000},"geometry":{"type":"Point","coordinates":[10,50]}}`)
	cases := []struct {
		name      string
		rec       *geowarden.Record
		wantParts int
		drop      bool
	}{
		{"through the middle", lineRecord(geowarden.Point{Lon: 9.9, Lat: 50}, geowarden.Point{Lon: 10.1, Lat: 50}), 2, false},
		{"starts inside", lineRecord(geowarden.Point{Lon: 10, Lat: 50}, geowarden.Point{Lon: 10.1, Lat: 50}), 1, false},
		{"wholly inside", lineRecord(geowarden.Point{Lon: 10, Lat: 50}, geowarden.Point{Lon: 10.001, Lat: 50}), 0, true},
		{"vertex inside, three vertices", lineRecord(geowarden.Point{Lon: 9.9, Lat: 50}, geowarden.Point{Lon: 10, Lat: 50.001}, geowarden.Point{Lon: 10.1, Lat: 50}), 2, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := e.NewHandler(Options{}, false)
			ed := h.Record(c.rec)
			if ed.Drop != c.drop {
				t.Fatalf("Drop = %v, want %v", ed.Drop, c.drop)
			}
			if c.drop {
				return
			}
			if !ed.Move || len(ed.Lines) != c.wantParts {
				t.Fatalf("got %d parts (move %v), want %d: %v", len(ed.Lines), ed.Move, c.wantParts, ed.Lines)
			}
			centre := geowarden.Point{Lon: 10, Lat: 50}
			for _, part := range ed.Lines {
				for _, p := range part {
					if d := zone.Distance(p, centre); d < 1000 {
						t.Errorf("kept vertex %v is %.2f m from the centre, inside the 1000 m circle", p, d)
					}
				}
				// The cut ends lie within a metre outside the circle.
				for _, p := range []geowarden.Point{part[0], part[len(part)-1]} {
					if d := zone.Distance(p, centre); d > 1001.5 && d < 5000 {
						t.Errorf("cut end %v is %.2f m from the centre, want just outside 1000 m", p, d)
					}
				}
			}
			// The cut line re-checks clean.
			cut := lineRecord(ed.Lines[0]...)
			cut.Lines = ed.Lines
			v := e.NewHandler(Options{}, true)
			v.Record(cut)
			if v.survived != nil {
				t.Errorf("cut line does not re-scan clean: %v", v.survived)
			}
		})
	}
}
