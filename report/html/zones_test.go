package html_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/geowarden/geowarden"
	htmlreport "github.com/geowarden/geowarden/report/html"
	"github.com/geowarden/geowarden/zone"
)

// ring returns a closed ring of n vertices around (lon, lat), with radius
// r degrees and a small wobble, so that no vertex is redundant at zero
// tolerance.
func ring(lon, lat, r float64, n int) []geowarden.Point {
	pts := make([]geowarden.Point, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		rr := r * (1 + 0.01*math.Sin(7*a))
		pts = append(pts, geowarden.Point{Lon: lon + rr*math.Cos(a), Lat: lat + rr*math.Sin(a)})
	}
	return append(pts, pts[0])
}

type geom struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

func decode(t *testing.T, z htmlreport.Zone) (string, any) {
	t.Helper()
	var g geom
	if err := json.Unmarshal(z.Geometry, &g); err != nil {
		t.Fatalf("zone %s: %v", z.ID, err)
	}
	var c any
	switch g.Type {
	case "Point":
		c = new([2]float64)
	case "MultiPoint", "LineString":
		c = new([][2]float64)
	case "MultiLineString", "Polygon":
		c = new([][][2]float64)
	case "MultiPolygon":
		c = new([][][][2]float64)
	default:
		t.Fatalf("zone %s: geometry type %q", z.ID, g.Type)
	}
	if err := json.Unmarshal(g.Coordinates, c); err != nil {
		t.Fatalf("zone %s: %v", z.ID, err)
	}
	return g.Type, c
}

func TestDisplayZonesExact(t *testing.T) {
	zs := []*zone.Zone{
		{ID: "a", Name: "Base", Class: "military", Geometry: zone.Area, BufferM: 20,
			Polygons: [][][]geowarden.Point{{ring(14.4, 35.9, 0.01, 12), ring(14.4, 35.9, 0.002, 5)}}},
		{ID: "m", Class: "energy", Geometry: zone.Area,
			Polygons: [][][]geowarden.Point{{ring(1, 1, 0.01, 8)}, {ring(2, 2, 0.01, 8)}}},
		{ID: "c", Class: "rail", Geometry: zone.Corridor, BufferM: 50,
			Lines: [][]geowarden.Point{{{Lon: 7.41, Lat: 43.73}, {Lon: 7.42, Lat: 43.735}, {Lon: 7.43, Lat: 43.74}}}},
		{ID: "mc", Class: "rail", Geometry: zone.Corridor, BufferM: 50,
			Lines: [][]geowarden.Point{{{Lon: 0, Lat: 0}, {Lon: 1, Lat: 1}}, {{Lon: 2, Lat: 2}, {Lon: 3, Lat: 3}}}},
		{ID: "p", Class: "airport", Geometry: zone.Circle, BufferM: 3000, Points: []geowarden.Point{{Lon: 14.4773, Lat: 35.8575}}},
		{ID: "mp", Class: "telecom", Geometry: zone.Circle, BufferM: 100, Points: []geowarden.Point{{Lon: 1, Lat: 2}, {Lon: 3, Lat: 4}}},
	}
	l := htmlreport.DisplayZones(zs, 0, nil)
	if l.Tolerance != 0 || l.Omitted != 0 || len(l.Zones) != len(zs) {
		t.Fatalf("tolerance %v, omitted %d, %d zones; want the %d zones exact", l.Tolerance, l.Omitted, len(l.Zones), len(zs))
	}
	wantType := map[string]string{"a": "Polygon", "m": "MultiPolygon", "c": "LineString", "mc": "MultiLineString", "p": "Point", "mp": "MultiPoint"}
	wantShape := map[string]string{"a": "area", "m": "area", "c": "corridor", "mc": "corridor", "p": "circle", "mp": "circle"}
	for i, z := range l.Zones {
		typ, c := decode(t, z)
		if typ != wantType[z.ID] || z.Shape != wantShape[z.ID] {
			t.Errorf("zone %s: %s %s, want %s %s", z.ID, z.Shape, typ, wantShape[z.ID], wantType[z.ID])
		}
		if z.Vertices != zs[i].Vertices() || z.Class != zs[i].Class || z.BufferM != zs[i].BufferM || z.Name != zs[i].Name {
			t.Errorf("zone %s: %+v", z.ID, z)
		}
		if z.ID == "a" {
			rings := *c.(*[][][2]float64)
			for ri, r := range rings {
				src := zs[0].Polygons[0][ri]
				if len(r) != len(src) {
					t.Fatalf("ring %d has %d positions, want %d", ri, len(r), len(src))
				}
				for k, p := range r {
					if math.Abs(p[0]-src[k].Lon) > 5e-7 || math.Abs(p[1]-src[k].Lat) > 5e-7 {
						t.Fatalf("ring %d position %d is %v, want %v", ri, k, p, src[k])
					}
				}
			}
		}
	}
}

// TestDisplayZonesBudget: zones over the vertex budget are simplified to
// fit it, rings stay closed polygons and lines keep their ends.
func TestDisplayZonesBudget(t *testing.T) {
	zs := []*zone.Zone{
		{ID: "big", Class: "military", Geometry: zone.Area, Polygons: [][][]geowarden.Point{{ring(10, 50, 0.5, 20000)}}},
		{ID: "line", Class: "rail", Geometry: zone.Corridor, BufferM: 30, Lines: [][]geowarden.Point{wiggle(5000)}},
		{ID: "tiny", Class: "custom", Geometry: zone.Area, Polygons: [][][]geowarden.Point{{ring(11, 51, 1e-6, 30)}}},
	}
	const budget = 2000
	l := htmlreport.DisplayZones(zs, budget, nil)
	if l.Tolerance == 0 || l.Omitted != 0 {
		t.Fatalf("tolerance %v, omitted %d: want simplified, none left out", l.Tolerance, l.Omitted)
	}
	total := 0
	for _, z := range l.Zones {
		typ, c := decode(t, z)
		switch typ {
		case "Polygon":
			for _, r := range *c.(*[][][2]float64) {
				total += len(r)
				if len(r) < 4 || r[0] != r[len(r)-1] {
					t.Errorf("zone %s: ring of %d positions, closed %v; want a closed ring of at least 4", z.ID, len(r), r[0] == r[len(r)-1])
				}
			}
		case "LineString":
			ln := *c.(*[][2]float64)
			total += len(ln)
			src := zs[1].Lines[0]
			near := func(p [2]float64, q geowarden.Point) bool {
				return math.Abs(p[0]-q.Lon) <= 5e-7 && math.Abs(p[1]-q.Lat) <= 5e-7
			}
			if !near(ln[0], src[0]) || !near(ln[len(ln)-1], src[len(src)-1]) {
				t.Errorf("line ends moved: %v … %v", ln[0], ln[len(ln)-1])
			}
		}
	}
	if total > budget {
		t.Errorf("%d vertices drawn, budget %d", total, budget)
	}
	if total < budget/20 {
		t.Errorf("%d vertices drawn: simplified far more than the budget of %d needs", total, budget)
	}
}

// wiggle is a line of n vertices along a sine.
func wiggle(n int) []geowarden.Point {
	l := make([]geowarden.Point, n)
	for i := range l {
		x := float64(i) / float64(n)
		l[i] = geowarden.Point{Lon: 5 + x, Lat: 45 + 0.05*math.Sin(40*x)}
	}
	return l
}

// TestDisplayZonesOmit: when even the coarsest outlines do not fit, zones
// are left out, never those for which keep says yes.
func TestDisplayZonesOmit(t *testing.T) {
	var zs []*zone.Zone
	for i := range 50 {
		zs = append(zs, &zone.Zone{
			ID: fmt.Sprintf("z%d", i), Class: "military", Geometry: zone.Area,
			Polygons: [][][]geowarden.Point{{ring(float64(i), 10, 0.05, 40)}},
		})
	}
	keep := map[string]bool{"z7": true, "z42": true}
	l := htmlreport.DisplayZones(zs, 60, func(id string) bool { return keep[id] })
	if l.Omitted == 0 || len(l.Zones)+l.Omitted != len(zs) {
		t.Fatalf("%d zones drawn, %d omitted, of %d", len(l.Zones), l.Omitted, len(zs))
	}
	got := map[string]bool{}
	for _, z := range l.Zones {
		got[z.ID] = true
	}
	for id := range keep {
		if !got[id] {
			t.Errorf("zone %s has items but was left out", id)
		}
	}
}
