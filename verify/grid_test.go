package verify

import (
	"math/rand/v2"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// TestGridCoversIndex: every point the index puts in a zone lies in a set
// cell of the grid, for areas, buffered areas, corridors and circles,
// across the antimeridian and near the poles.
func TestGridCoversIndex(t *testing.T) {
	pt := func(lon, lat float64) geowarden.Point { return geowarden.Point{Lon: lon, Lat: lat} }
	sq := func(lon, lat, d float64) [][][]geowarden.Point {
		return [][][]geowarden.Point{{{pt(lon, lat), pt(lon+d, lat), pt(lon+d, lat+d), pt(lon, lat+d), pt(lon, lat)}}}
	}
	set := &zone.Set{ID: "t", Zones: []*zone.Zone{
		{ID: "area", Geometry: zone.Area, Polygons: sq(14.44, 35.84, 0.02)},
		{ID: "buffered", Geometry: zone.Area, BufferM: 5000, Polygons: sq(20, 60, 0.01)},
		{ID: "corridor", Geometry: zone.Corridor, BufferM: 3000, Lines: [][]geowarden.Point{{pt(179.5, 10), pt(-179.5, 10.5), pt(-170, 30)}}},
		{ID: "circle", Geometry: zone.Circle, BufferM: 20000, Points: []geowarden.Point{pt(5, 70), pt(-60, 89.7)}},
		{ID: "edge", Geometry: zone.Area, Polygons: sq(-100, 20, 1.0/32)},
	}}
	if err := set.Validate(); err != nil {
		t.Fatal(err)
	}
	ix := zone.NewIndex(set)
	v := New(ix)
	r := rand.New(rand.NewPCG(5, 6))
	near := []geowarden.Point{pt(14.45, 35.85), pt(20, 60), pt(179.9, 10.2), pt(-175, 20), pt(5, 70), pt(-60, 89.7), pt(-100, 20)}
	in := 0
	for range 400000 {
		c := near[r.IntN(len(near))]
		d := []float64{0.001, 0.05, 0.3}[r.IntN(3)]
		p := pt(c.Lon+(r.Float64()-0.5)*2*d*10, c.Lat+(r.Float64()-0.5)*2*d)
		if p.Lon > 180 {
			p.Lon -= 360
		}
		if p.Lon < -180 {
			p.Lon += 360
		}
		p.Lat = max(-90, min(90, p.Lat))
		if len(ix.Contains(p, nil)) > 0 {
			in++
			if !v.grid.maybe(p) {
				t.Fatalf("%v is in a zone, in a clear cell", p)
			}
		}
	}
	if in < 1000 {
		t.Fatalf("only %d points in zones", in)
	}
	if v.grid.maybe(pt(0, 0)) || v.grid.maybe(pt(110, 30)) {
		t.Error("cells far from every zone are set")
	}
}
