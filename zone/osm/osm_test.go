package osm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/paulmach/osm"
)

func mustSelect(t testing.TB, exprs ...string) []Selection {
	t.Helper()
	var sels []Selection
	for _, e := range exprs {
		s, err := ParseSelection(e)
		if err != nil {
			t.Fatalf("ParseSelection(%q): %v", e, err)
		}
		sels = append(sels, s)
	}
	return sels
}

func TestParseSelection(t *testing.T) {
	tests := []struct {
		name, expr string
		want       Selection
		err        string
	}{
		{"values", "railway=rail,light_rail,subway", Selection{Key: "railway", Values: []string{"rail", "light_rail", "subway"}}, ""},
		{"any value", "military=*", Selection{Key: "military"}, ""},
		{"bare key", "military", Selection{Key: "military"}, ""},
		{"one value", "landuse=military", Selection{Key: "landuse", Values: []string{"military"}}, ""},
		{"spaces", " aeroway = aerodrome , heliport ", Selection{Key: "aeroway", Values: []string{"aerodrome", "heliport"}}, ""},
		{"repeated value", "power=plant,plant", Selection{Key: "power", Values: []string{"plant"}}, ""},
		{"prefixed key", "disused:railway=*", Selection{Key: "disused:railway"}, ""},
		{"value with equals", "note=a=b", Selection{Key: "note", Values: []string{"a=b"}}, ""},
		{"empty", "", Selection{}, "no tag key"},
		{"no key", "=rail", Selection{}, "no tag key"},
		{"no value", "railway=", Selection{}, "no value after '='"},
		{"empty value", "railway=rail,,subway", Selection{}, "value 2 is empty"},
		{"star among values", "railway=rail,*", Selection{}, "'*' stands alone"},
		{"space in key", "rail way=rail", Selection{}, "white space"},
		{"star in key", "rail*=x", Selection{}, "holds '*'"},
		{"control character", "railway=ra\x01il", Selection{}, "control character"},
		{"bad utf-8", "railway=\xff", Selection{}, "not valid UTF-8"},
		{"long key", strings.Repeat("k", 256) + "=x", Selection{}, "at most 255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSelection(tt.expr)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseSelection(%q) error = %v, want one containing %q", tt.expr, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSelection(%q): %v", tt.expr, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseSelection(%q) = %#v, want %#v", tt.expr, got, tt.want)
			}
		})
	}
}

func tags(kv ...string) osm.Tags {
	var t osm.Tags
	for i := 0; i+1 < len(kv); i += 2 {
		t = append(t, osm.Tag{Key: kv[i], Value: kv[i+1]})
	}
	return t
}

func TestSelectionMatches(t *testing.T) {
	tests := []struct {
		name string
		sel  string
		tags osm.Tags
		want bool
	}{
		{"value listed", "railway=rail,subway", tags("railway", "subway"), true},
		{"value not listed", "railway=rail", tags("railway", "tram"), false},
		{"key missing", "railway=rail", tags("landuse", "railway"), false},
		{"any value", "military=*", tags("military", "bunker"), true},
		{"any value, not no", "military=*", tags("military", "no"), false},
		{"any value, not abandoned", "railway=*", tags("railway", "abandoned"), false},
		{"any value, not razed", "railway=*", tags("railway", "razed"), false},
		{"any value, not disused", "railway=*", tags("railway", "disused"), false},
		{"abandoned named", "railway=abandoned", tags("railway", "abandoned"), true},
		{"rail flagged disused", "railway=rail", tags("railway", "rail", "disused", "yes"), false},
		{"rail flagged abandoned, any", "railway=*", tags("railway", "rail", "abandoned", "yes"), false},
		{"rail with disused:railway", "railway=rail", tags("railway", "rail", "disused:railway", "rail"), false},
		{"rail flagged, lifecycle named", "railway=rail,disused", tags("railway", "rail", "disused", "yes"), true},
		{"rail with disused=no", "railway=rail", tags("railway", "rail", "disused", "no"), true},
		{"prefixed key selected", "disused:railway=*", tags("disused:railway", "rail"), true},
		{"military flagged disused stays", "landuse=military", tags("landuse", "military", "disused", "yes"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSelect(t, tt.sel)[0]
			if _, got := s.matches(tt.tags); got != tt.want {
				t.Errorf("%s matches %v = %v, want %v", tt.sel, tt.tags, got, tt.want)
			}
		})
	}
}

func TestDefaultClass(t *testing.T) {
	tests := []struct{ key, value, want string }{
		{"railway", "rail", "rail"},
		{"railway", "platform", "rail"},
		{"military", "bunker", "military"},
		{"landuse", "military", "military"},
		{"landuse", "forest", "custom"},
		{"aeroway", "aerodrome", "airport"},
		{"power", "plant", "energy"},
		{"amenity", "prison", "custom"},
	}
	for _, tt := range tests {
		if got := DefaultClass(tt.key, tt.value); got != tt.want {
			t.Errorf("DefaultClass(%q, %q) = %q, want %q", tt.key, tt.value, got, tt.want)
		}
	}
}

// tinySelections are the selections the tiny test files are read with.
var tinySelections = []string{"railway=rail", "railway=*", "military=*", "landuse=military", "aeroway=aerodrome", "power=*"}

// zoneSummary is what the tiny tests check of a zone.
type zoneSummary struct {
	Name, Class string
	Geometry    zone.Geometry
	BufferM     float64
	Shape       []int // Area: rings per polygon; Corridor: points per line; Circle: points
}

func summarize(z *zone.Zone) zoneSummary {
	s := zoneSummary{Name: z.Name, Class: z.Class, Geometry: z.Geometry, BufferM: z.BufferM}
	switch z.Geometry {
	case zone.Area:
		for _, p := range z.Polygons {
			s.Shape = append(s.Shape, len(p))
		}
	case zone.Corridor:
		for _, l := range z.Lines {
			s.Shape = append(s.Shape, len(l))
		}
	case zone.Circle:
		s.Shape = []int{len(z.Points)}
	}
	return s
}

var tinyWant = map[string]zoneSummary{
	"osm-node-1":       {"Bunker", "military", zone.Circle, 100, []int{1}},
	"osm-node-2":       {"Strip", "airport", zone.Circle, 100, []int{1}},
	"osm-way-100":      {"Main line", "rail", zone.Corridor, 50, []int{3}},
	"osm-way-103":      {"Depot", "military", zone.Area, 0, []int{1}},
	"osm-way-104":      {"Loop", "rail", zone.Corridor, 50, []int{5}},          // closed railway: a line
	"osm-way-105":      {"osm-way-105", "rail", zone.Area, 0, []int{1}},        // railway=platform, area=yes
	"osm-way-220":      {"Bowtie", "military", zone.Area, 0, []int{1}},         // crosses itself: its hull
	"osm-way-240":      {"osm-way-240", "energy", zone.Corridor, 25, []int{2}}, // power=line
	"osm-way-241":      {"Plant", "energy", zone.Area, 0, []int{1}},
	"osm-way-250":      {"Gap", "rail", zone.Corridor, 50, []int{2}},             // one node missing
	"osm-way-260":      {"osm-way-260", "military", zone.Corridor, 25, []int{4}}, // closed, area=no
	"osm-relation-200": {"Base", "military", zone.Area, 0, []int{2}},             // outer of two ways, a hole; name:en
	"osm-relation-203": {"Range", "military", zone.Area, 0, []int{2, 1}},         // outer, hole, island in the hole
}

// tinyProblems are the problems reading tiny.osm reports: type, id, left
// out, and a part of the message.
type problemKey struct {
	Type    osm.Type
	ID      int64
	LeftOut bool
	Msg     string
}

var tinyProblems = []problemKey{
	{osm.TypeRelation, 202, true, `relation of type "site" is not an area`},
	{osm.TypeWay, 220, false, "crosses itself: edge 0"},
	{osm.TypeWay, 250, false, "1 of its 3 nodes are missing"},
	{osm.TypeRelation, 201, false, "ring of way 210 does not close: node 11212 at one end and node 11010"},
	{osm.TypeRelation, 201, true, "no ring of the multipolygon closes"},
}

// readCache keeps the zones of the large test files, which several tests
// read with the same selections; the sets must not be changed.
var readCache struct {
	sync.Mutex
	m map[string]*cachedRead
}

type cachedRead struct {
	once     sync.Once
	set      *zone.Set
	problems []*Problem
}

// readShared is readAll, cached.
func readShared(t *testing.T, path string, sels []Selection) (*zone.Set, []*Problem) {
	t.Helper()
	key := path + "\x00" + selectionsKey(sels)
	readCache.Lock()
	if readCache.m == nil {
		readCache.m = map[string]*cachedRead{}
	}
	c := readCache.m[key]
	if c == nil {
		c = &cachedRead{}
		readCache.m[key] = c
	}
	readCache.Unlock()
	c.once.Do(func() { c.set, c.problems = readAll(t, path, sels) })
	if c.set == nil {
		t.Fatalf("reading %s failed in another test", path)
	}
	return c.set, c.problems
}

func selectionsKey(sels []Selection) string {
	var b strings.Builder
	for _, s := range sels {
		fmt.Fprintf(&b, "%s|%s|%v;", s, s.Class, s.BufferM)
	}
	return b.String()
}

func readAll(t *testing.T, path string, sels []Selection) (*zone.Set, []*Problem) {
	t.Helper()
	var problems []*Problem
	rd := &Reader{Selections: sels, Warn: func(p *Problem) { problems = append(problems, p) }}
	set, err := rd.Read(context.Background(), path, "tiny")
	if err != nil {
		t.Fatalf("Read(%s): %v", path, err)
	}
	return set, problems
}

// TestReadTiny reads a hand-written file, in XML and in three PBF
// flavours (dense nodes, plain nodes without compression, and locations
// on ways without untagged nodes, all written by osmium), and checks
// every zone and every problem reported.
func TestReadTiny(t *testing.T) {
	sels := mustSelect(t, tinySelections...)
	for _, file := range []string{"tiny.osm", "tiny.osm.pbf", "tiny-plain.osm.pbf", "tiny-locations.osm.pbf"} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata", file)
			set, problems := readAll(t, path, sels)
			got := map[string]zoneSummary{}
			for _, z := range set.Zones {
				got[z.ID] = summarize(z)
				if z.Set != "tiny" {
					t.Errorf("zone %s: set %q, want tiny", z.ID, z.Set)
				}
			}
			for id, w := range tinyWant {
				if g, ok := got[id]; !ok {
					t.Errorf("zone %s missing", id)
				} else if !reflect.DeepEqual(g, w) {
					t.Errorf("zone %s = %+v, want %+v", id, g, w)
				}
			}
			for id := range got {
				if _, ok := tinyWant[id]; !ok {
					t.Errorf("unexpected zone %s %+v", id, got[id])
				}
			}
			var gotP []problemKey
			for _, p := range problems {
				gotP = append(gotP, problemKey{p.Type, p.ID, p.LeftOut, p.Msg})
				if p.File != path {
					t.Errorf("problem %v: file %q, want %q", p, p.File, path)
				}
			}
			if len(gotP) != len(tinyProblems) {
				t.Errorf("got %d problems, want %d:\n%v", len(gotP), len(tinyProblems), problems)
			}
			for _, w := range tinyProblems {
				if !slices.ContainsFunc(gotP, func(g problemKey) bool {
					return g.Type == w.Type && g.ID == w.ID && g.LeftOut == w.LeftOut && strings.Contains(g.Msg, w.Msg)
				}) {
					t.Errorf("no problem %+v among %v", w, problems)
				}
			}
		})
	}
}

// TestTinyGeometry checks the assembled multipolygons by points: in the
// outer ring, in a hole, on an island in a hole; and the other shapes.
func TestTinyGeometry(t *testing.T) {
	set, _ := readAll(t, "testdata/tiny.osm", mustSelect(t, tinySelections...))
	ix := zone.NewIndex(set)
	at := func(x, y float64) geowarden.Point { return geowarden.Point{Lon: 10 + x*0.001, Lat: 50 + y*0.001} }
	tests := []struct {
		name string
		p    geowarden.Point
		want []string
	}{
		{"relation 200 outer", at(3, 13), []string{"osm-relation-200"}},
		{"relation 200 hole", at(1.5, 11.5), nil},
		{"relation 200 hole edge", at(1, 11.5), []string{"osm-relation-200"}},
		{"relation 203 outer", at(31, 1), []string{"osm-relation-203"}},
		{"relation 203 hole", at(33, 3), nil},
		{"relation 203 island", at(35, 5), []string{"osm-relation-203"}},
		{"way 103 area", at(6, 1), []string{"osm-way-103"}},
		{"way 104 loop inside, far from the line", at(11, 1), nil},
		{"way 104 loop, on the line", at(11, 0), []string{"osm-way-104"}},
		{"way 220 bowtie, in its hull only", at(20.2, 11), []string{"osm-way-220"}},
		{"node 1 circle, 90 m away", geowarden.Point{Lon: 10.02, Lat: 50 + 90/111195.0}, []string{"osm-node-1"}},
		{"node 1 circle, 110 m away", geowarden.Point{Lon: 10.02, Lat: 50 + 110/111195.0}, nil},
		{"way 100, 40 m off", geowarden.Point{Lon: 10.001, Lat: 50 - 40/111195.0}, []string{"osm-way-100"}},
		{"way 101 abandoned", at(1, 2), nil},
		{"way 102 disused", at(1, 4), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, i := range ix.Contains(tt.p, nil) {
				got = append(got, ix.Zones()[i].ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("zones at %v = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestSelectionOverrides(t *testing.T) {
	sels := []Selection{
		{Key: "railway", Values: []string{"rail"}, Class: "transport", BufferM: 500},
		{Key: "railway", Values: []string{"abandoned"}},
		{Key: "landuse", Values: []string{"military"}, BufferM: 10},
	}
	set, _ := readAll(t, "testdata/tiny.osm", sels)
	want := map[string]zoneSummary{
		"osm-way-100":      {"Main line", "transport", zone.Corridor, 500, []int{3}},
		"osm-way-101":      {"Old line", "rail", zone.Corridor, 50, []int{2}},
		"osm-way-103":      {"Depot", "military", zone.Area, 10, []int{1}},
		"osm-way-104":      {"Loop", "transport", zone.Corridor, 500, []int{5}},
		"osm-way-220":      {"Bowtie", "military", zone.Area, 10, []int{1}},
		"osm-way-250":      {"Gap", "transport", zone.Corridor, 500, []int{2}},
		"osm-way-260":      {"osm-way-260", "military", zone.Corridor, 10, []int{4}},
		"osm-relation-200": {"Base", "military", zone.Area, 10, []int{2}},
	}
	got := map[string]zoneSummary{}
	for _, z := range set.Zones {
		got[z.ID] = summarize(z)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("zones:\n got %v\nwant %v", got, want)
	}
}

func TestReadProblemsError(t *testing.T) {
	set, err := Read(context.Background(), "testdata/tiny.osm", "tiny", mustSelect(t, tinySelections...))
	var pe *ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("Read error = %v, want a *ProblemsError", err)
	}
	if len(pe.Problems) != len(tinyProblems) {
		t.Errorf("%d problems, want %d", len(pe.Problems), len(tinyProblems))
	}
	if set == nil || len(set.Zones) != len(tinyWant) {
		t.Errorf("Read returned %v zones with its ProblemsError, want %d", set, len(tinyWant))
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadErrors(t *testing.T) {
	pbf, err := os.ReadFile("testdata/tiny.osm.pbf")
	if err != nil {
		t.Fatal(err)
	}
	corrupt := slices.Clone(pbf)
	corrupt[len(corrupt)-20] ^= 0xff // inside the zlib data of the last block
	bigHeader := []byte{0, 1, 0, 0, 0x0a, 9}
	tests := []struct {
		name string
		data []byte
		sels []string
		err  string
	}{
		{"not osm", []byte("lat,lon\n1,2\n"), tinySelections, "not an OpenStreetMap file"},
		{"osmChange", []byte(`<?xml version="1.0"?><osmChange version="0.6"></osmChange>`), tinySelections, "not an OpenStreetMap file"},
		{"empty", nil, tinySelections, "not an OpenStreetMap file"},
		{"no selection", []byte(`<osm version="0.6"></osm>`), nil, "no selection"},
		{"xml syntax", []byte("<osm version=\"0.6\">\n<node id=\"1\" lat=\"1\" lon=\"2\">\n<tag k=\"a\" v=\"b\">\n</node>\n</osm>\n"), tinySelections, ":4: invalid XML"},
		{"xml truncated", []byte("<osm version=\"0.6\">\n<node id=\"1\" lat=\"1\" lon=\"2\">\n"), tinySelections, "invalid XML"},
		{"xml bad coordinate", []byte(`<osm version="0.6"><node id="1" lat="north" lon="2"/></osm>`), tinySelections, "invalid OSM XML"},
		{"pbf truncated", pbf[:len(pbf)-10], tinySelections, "invalid PBF at byte"},
		{"pbf corrupt", corrupt, tinySelections, "invalid PBF at byte"},
		{"pbf header too big", append(bigHeader, []byte("OSMHeader")...), tinySelections, "block header length 65536 outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "in.osm", tt.data)
			_, err := Read(context.Background(), path, "x", mustSelect(t, tt.sels...))
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("Read error = %v, want one containing %q", err, tt.err)
			}
			var pe *ProblemsError
			if errors.As(err, &pe) {
				t.Fatalf("Read error is a ProblemsError: %v", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestXMLBadNode(t *testing.T) {
	data := []byte(`<osm version="0.6">
<node id="1" lat="95" lon="2"><tag k="military" v="bunker"/></node>
<node id="2" lat="45" lon="2"><tag k="military" v="bunker"/></node>
</osm>`)
	set, problems := readAll(t, writeFile(t, "n.osm", data), mustSelect(t, "military=*"))
	if len(set.Zones) != 1 || set.Zones[0].ID != "osm-node-2" {
		t.Errorf("zones = %v, want osm-node-2 only", set.Zones)
	}
	if len(problems) != 1 || problems[0].ID != 1 || !problems[0].LeftOut || !strings.Contains(problems[0].Msg, "out of range") {
		t.Errorf("problems = %v, want node 1 out of range", problems)
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		file string
		want Encoding
	}{
		{"testdata/tiny.osm", XML},
		{"testdata/tiny.osm.pbf", PBF},
		{"testdata/monaco-latest.osm.pbf", PBF},
		{"testdata/andorra-latest.osm.bz2", XML},
		{"select.go", Unknown},
	}
	for _, tt := range tests {
		got, err := Sniff(tt.file)
		if err != nil || got != tt.want {
			t.Errorf("Sniff(%s) = %v, %v; want %v", tt.file, got, err, tt.want)
		}
	}
	if _, err := Sniff("testdata/no-such-file"); err == nil {
		t.Error("Sniff of a missing file: no error")
	}
}

func TestHull(t *testing.T) {
	pt := func(x, y float64) geowarden.Point { return geowarden.Point{Lon: x, Lat: y} }
	bowtie := []geowarden.Point{pt(0, 0), pt(2, 2), pt(2, 0), pt(0, 2), pt(0, 0)}
	got := hull(bowtie)
	want := []geowarden.Point{pt(0, 0), pt(2, 0), pt(2, 2), pt(0, 2), pt(0, 0)}
	if !slices.Equal(got, want) {
		t.Errorf("hull(bowtie) = %v, want %v", got, want)
	}
	if h := hull([]geowarden.Point{pt(0, 0), pt(1, 1), pt(2, 2), pt(0, 0)}); h != nil {
		t.Errorf("hull of collinear points = %v, want nil", h)
	}
}
