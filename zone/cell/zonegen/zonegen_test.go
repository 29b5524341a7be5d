package zonegen

import (
	"testing"

	"github.com/geowarden/geowarden/zone"
)

func edges(s *zone.Set) int {
	n := 0
	for _, z := range s.Zones {
		for _, p := range z.Polygons {
			for _, r := range p {
				n += len(r) - 1
			}
		}
	}
	return n
}

func TestBench(t *testing.T) {
	s := Generate(Bench)
	if n := edges(s); len(s.Zones) != 2300 || n != 456804 {
		t.Errorf("%d zones, %d edges; want 2300 and 456804, as bench/data/zones.geojson", len(s.Zones), n)
	}
}

func TestDeterministic(t *testing.T) {
	o := Options{Seed: 1, Box: Box{0, 0, 2, 2}, Cities: 2, Areas: 20, SizeMin: 0.5, SizeRatio: 10, RailPolygons: 2, RailLines: 2, Circles: 2, GrownFraction: 0.5}
	a, b := Generate(o), Generate(o)
	if len(a.Zones) != 26 {
		t.Fatalf("%d zones, want 26", len(a.Zones))
	}
	for i := range a.Zones {
		if a.Zones[i].Vertices() != b.Zones[i].Vertices() || a.Zones[i].BufferM != b.Zones[i].BufferM {
			t.Fatalf("zone %d differs between two runs", i)
		}
	}
	if err := a.Validate(); err != nil {
		t.Errorf("generated zones do not validate: %v", err)
	}
}
