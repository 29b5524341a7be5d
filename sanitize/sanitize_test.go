package sanitize

import (
	"math"
	"slices"
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

// editorFor returns an editor, and the classifier and policy it asks, for
// a policy that drops what lies in the zones, strips the SSID of Wi-Fi
// records, pseudonymises the source of cell records and blocks IoT records.
func editorFor(t *testing.T, zonesJSON string) (*Editor, *classify.Session, *policy.Policy) {
	t.Helper()
	set, err := zone.ReadGeoJSON("z", "z", strings.NewReader(zonesJSON))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("p.yml", []byte(`zones: [{file: z.geojson}]
pseudonymise_key: {env: GEOWARDEN_TEST_KEY}
rules:
  - id: drop
    when: {in_zone: true}
    action: drop
    severity: high
  - id: no-ssid
    when: {kind: wifi}
    action: {strip: [ssid]}
  - id: pseudo
    when: {kind: cell}
    action: {pseudonymise: [source]}
  - id: no-iot
    when: {kind: iot}
    action: block
    severity: critical
  - id: fixes
    when: {kind: fix}
    action: {coarsen: 1000m}
`))
	if err != nil {
		t.Fatal(err)
	}
	set.ID = "z"
	cl := classify.New(zone.NewIndex(set), nil).Session()
	return NewEditor(cl, p, []byte("0123456789abcdef")), cl, p
}

// edit classifies rec, asks the policy and returns its decision and the
// editor's edit.
func edit(e *Editor, cl *classify.Session, p *policy.Policy, rec *geowarden.Record) (geowarden.Decision, geowarden.Edit) {
	var c geowarden.Classified
	cl.Classify(rec, &c)
	d := p.Decide(&c)
	return d, e.Edit(&c, d)
}

const circleZone = `{"type":"Feature","properties":{"id":"c","buffer_m":1000},"geometry":{"type":"Point","coordinates":[10,50]}}`

func TestCutLine(t *testing.T) {
	e, cl, p := editorFor(t, circleZone)
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
			_, ed := edit(e, cl, p, c.rec)
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
			if d, _ := edit(e, cl, p, cut); Removes(d.Action.Type) {
				t.Errorf("cut line still matches rule %q", d.Rule)
			}
		})
	}
}

// attrs is a record's raw attributes.
type attrs map[string]string

func (a attrs) Attr(name string) (string, bool) { v, ok := a[name]; return v, ok }

func TestEditActions(t *testing.T) {
	e, cl, p := editorFor(t, circleZone)
	outside := geowarden.Point{Lon: 11, Lat: 51}
	rec := func(k geowarden.Kind, pos geowarden.Point, src string) *geowarden.Record {
		return &geowarden.Record{Shape: geowarden.ShapePoint, Pos: pos, Kind: k, Source: src, Attrs: attrs{"source": src}}
	}
	t.Run("keep", func(t *testing.T) {
		if _, ed := edit(e, cl, p, rec(geowarden.KindImage, outside, "a")); !ed.IsKeep() {
			t.Errorf("got %+v, want the record kept", ed)
		}
	})
	t.Run("drop in zone", func(t *testing.T) {
		if _, ed := edit(e, cl, p, rec(geowarden.KindImage, geowarden.Point{Lon: 10, Lat: 50}, "a")); !ed.Drop {
			t.Errorf("got %+v, want a drop", ed)
		}
	})
	t.Run("strip", func(t *testing.T) {
		_, ed := edit(e, cl, p, rec(geowarden.KindWifi, outside, "a"))
		if ed.Drop || ed.Move || len(ed.Strip) != 1 || ed.Strip[0] != "ssid" {
			t.Errorf("got %+v, want the ssid stripped and nothing else", ed)
		}
	})
	t.Run("pseudonymise", func(t *testing.T) {
		_, ed := edit(e, cl, p, rec(geowarden.KindCell, outside, "phone-7"))
		want := Pseudonym([]byte("0123456789abcdef"), "phone-7")
		if len(ed.Set) != 1 || ed.Set[0].Name != "source" || ed.Set[0].Value != want {
			t.Errorf("got %+v, want source set to %s", ed.Set, want)
		}
		if ed.Drop || ed.Move {
			t.Errorf("pseudonymise moved or dropped the record: %+v", ed)
		}
	})
	t.Run("block", func(t *testing.T) {
		d, ed := edit(e, cl, p, rec(geowarden.KindIoT, outside, "a"))
		if d.Action.Type != geowarden.ActBlock || !ed.Drop {
			t.Errorf("got decision %v and edit %+v, want block and a drop", d.Action.Type, ed)
		}
	})
	t.Run("coarsen", func(t *testing.T) {
		r := rec(geowarden.KindFix, geowarden.Point{Lon: 11.00123, Lat: 51.00456}, "a")
		_, ed := edit(e, cl, p, r)
		if !ed.Move || ed.Pos != CoarsenPoint(r.Pos, 1000) {
			t.Errorf("got %+v, want the position snapped to %v", ed, CoarsenPoint(r.Pos, 1000))
		}
	})
	t.Run("coarsen into a zone", func(t *testing.T) {
		// A point outside the 1 km circle whose 1 km grid point lies
		// inside it.
		centre := geowarden.Point{Lon: 10, Lat: 50}
		for dlat := -0.02; dlat < 0.02; dlat += 0.0005 {
			for dlon := -0.03; dlon < 0.03; dlon += 0.0005 {
				r := rec(geowarden.KindFix, geowarden.Point{Lon: 10 + dlon, Lat: 50 + dlat}, "a")
				if zone.Distance(r.Pos, centre) <= 1000 || zone.Distance(CoarsenPoint(r.Pos, 1000), centre) > 1000 {
					continue
				}
				if _, ed := edit(e, cl, p, r); !ed.Drop {
					t.Fatalf("%v snaps into the zone but got %+v, want a drop", r.Pos, ed)
				}
				return
			}
		}
		t.Fatal("no point found that snaps into the zone")
	})
	t.Run("unknown action", func(t *testing.T) {
		var c geowarden.Classified
		r := rec(geowarden.KindFix, outside, "a")
		cl.Classify(r, &c)
		if ed := e.Edit(&c, geowarden.Decision{Action: geowarden.Action{Type: 99}}); !ed.Drop {
			t.Errorf("got %+v, want a drop (fail closed)", ed)
		}
	})
}

// TestEditMore: a record is decided on all its positions; coarsening
// moves every one of them.
func TestEditMore(t *testing.T) {
	e, cl, p := editorFor(t, circleZone)
	inside, outside := geowarden.Point{Lon: 10, Lat: 50}, geowarden.Point{Lon: 11, Lat: 51}
	t.Run("other position inside", func(t *testing.T) {
		r := &geowarden.Record{Shape: geowarden.ShapePoint, Pos: outside, More: []geowarden.Point{outside, inside}, Kind: geowarden.KindImage}
		if d, ed := edit(e, cl, p, r); d.Rule != "drop" || !ed.Drop {
			t.Errorf("rule %q, edit %+v: want the record dropped by rule drop", d.Rule, ed)
		}
	})
	t.Run("no position of its own", func(t *testing.T) {
		r := &geowarden.Record{Shape: geowarden.ShapeNone, More: []geowarden.Point{inside}, Kind: geowarden.KindImage}
		if _, ed := edit(e, cl, p, r); !ed.Drop {
			t.Errorf("edit %+v: want a drop", ed)
		}
	})
	t.Run("line with an other position inside", func(t *testing.T) {
		r := lineRecord(geowarden.Point{Lon: 9.9, Lat: 50}, geowarden.Point{Lon: 10.1, Lat: 50})
		r.More = []geowarden.Point{inside}
		if _, ed := edit(e, cl, p, r); !ed.Drop {
			t.Errorf("edit %+v: want the line dropped whole, not cut", ed)
		}
	})
	t.Run("coarsen", func(t *testing.T) {
		far := geowarden.Point{Lon: 12.00123, Lat: 52.00456}
		r := &geowarden.Record{Shape: geowarden.ShapePoint, Pos: outside, More: []geowarden.Point{far}, Kind: geowarden.KindFix}
		_, ed := edit(e, cl, p, r)
		if !ed.Move || len(ed.More) != 1 || ed.More[0] != CoarsenPoint(far, 1000) {
			t.Errorf("edit %+v: want More coarsened to %v", ed, CoarsenPoint(far, 1000))
		}
		r = &geowarden.Record{Shape: geowarden.ShapeNone, More: []geowarden.Point{far}, Kind: geowarden.KindFix}
		if _, ed := edit(e, cl, p, r); !ed.Move || len(ed.More) != 1 || ed.More[0] != CoarsenPoint(far, 1000) {
			t.Errorf("no position of its own: edit %+v: want More coarsened", ed)
		}
	})
}

// TestEditText: a position written in text inside a zone is redacted,
// refuses the record or is kept, as the text mode says, and does not
// decide the record.
func TestEditText(t *testing.T) {
	inside, outside := geowarden.Point{Lon: 10, Lat: 50}, geowarden.Point{Lon: 11, Lat: 51}
	rec := func() *geowarden.Record {
		return &geowarden.Record{Shape: geowarden.ShapePoint, Pos: outside, Kind: geowarden.KindImage,
			Text: []geowarden.TextPos{{Pos: outside, Field: "note"}, {Pos: inside, Field: "description", Start: 3, End: 20}}}
	}
	for _, c := range []struct {
		mode    geowarden.TextMode
		drop    bool
		redact  []int
		refused bool
	}{
		{geowarden.TextRedact, false, []int{1}, false},
		{geowarden.TextRefuse, true, nil, true},
		{geowarden.TextKeep, false, nil, false},
	} {
		e, cl, p := editorFor(t, circleZone)
		e.Text = c.mode
		d, ed := edit(e, cl, p, rec())
		if d.Rule == "drop" {
			t.Errorf("mode %d: the text position decided the record", c.mode)
		}
		if ed.Drop != c.drop || !slices.Equal(ed.Redact, c.redact) || (e.Refused() != nil) != c.refused {
			t.Errorf("mode %d: edit %+v, refused %v; want drop %v, redact %v, refused %v", c.mode, ed, e.Refused(), c.drop, c.redact, c.refused)
		}
		if len(e.Texts()) != 1 || e.Texts()[0].Index != 1 || e.Texts()[0].Decision.Rule != "drop" || len(e.Texts()[0].Zones) != 1 {
			t.Errorf("mode %d: texts %+v, want the second position with rule drop and its zone", c.mode, e.Texts())
		}
	}
}

// TestCoarsenRedactsText: a coarsened record keeps no exact position in
// its text either.
func TestCoarsenRedactsText(t *testing.T) {
	e, cl, p := editorFor(t, circleZone)
	far := geowarden.Point{Lon: 12.00123, Lat: 52.00456}
	r := &geowarden.Record{Shape: geowarden.ShapePoint, Pos: far, Kind: geowarden.KindFix,
		Text: []geowarden.TextPos{{Pos: far, Field: "desc", Start: 0, End: 10}, {Pos: far, Field: "name", Start: 0, End: 10}}}
	if _, ed := edit(e, cl, p, r); !ed.Move || !slices.Equal(ed.Redact, []int{0, 1}) {
		t.Errorf("edit %+v: want the position coarsened and both text positions redacted", ed)
	}
	e.Text = geowarden.TextKeep
	if _, ed := edit(e, cl, p, r); len(ed.Redact) != 0 {
		t.Errorf("text: keep: redacted %v", ed.Redact)
	}
}

// TestCoarsenAreaMore: an area's other positions are coarsened, the area
// is not.
func TestCoarsenAreaMore(t *testing.T) {
	e, cl, p := editorFor(t, circleZone)
	far := geowarden.Point{Lon: 12.00123, Lat: 52.00456}
	ring := []geowarden.Point{{Lon: 12, Lat: 52}, {Lon: 12.01, Lat: 52}, {Lon: 12.01, Lat: 52.01}, {Lon: 12, Lat: 52}}
	r := &geowarden.Record{Shape: geowarden.ShapeArea, Pos: ring[0], Areas: [][][]geowarden.Point{{ring}}, More: []geowarden.Point{far}, Kind: geowarden.KindFix}
	_, ed := edit(e, cl, p, r)
	if !ed.Move || len(ed.More) != 1 || ed.More[0] != CoarsenPoint(far, 1000) || ed.Lines != nil {
		t.Errorf("edit %+v: want only More coarsened", ed)
	}
}
