package classify

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// TestMulti: sets indexed apart and queried as one answer exactly as one
// index over all of them.
func TestMulti(t *testing.T) {
	read := func(id, src string) *zone.Set {
		s, err := zone.ReadGeoJSON(id, id, strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := read("a", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"a1","buffer_m":3000},"geometry":{"type":"Point","coordinates":[10,50]}},
{"type":"Feature","properties":{"id":"a2"},"geometry":{"type":"Polygon","coordinates":[[[9.9,49.9],[10.1,49.9],[10.1,50.1],[9.9,50.1],[9.9,49.9]]]}}]}`)
	b := read("b", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"b1","buffer_m":500},"geometry":{"type":"LineString","coordinates":[[9.8,50],[10.2,50.05]]}}]}`)
	one := zone.NewIndex(a, b)
	multi := NewMulti(zone.NewIndex(a), zone.NewIndex(b))
	seed := uint64(7)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	pt := func() geowarden.Point {
		return geowarden.Point{Lon: 9.75 + rng.Float64()*0.5, Lat: 49.85 + rng.Float64()*0.3}
	}
	for i := 0; i < 2000; i++ {
		p := pt()
		if got, want := fmt.Sprint(multi.Contains(p, nil)), fmt.Sprint(one.Contains(p, nil)); got != want {
			t.Fatalf("Contains(%v) = %s, want %s", p, got, want)
		}
		q := pt()
		if got, want := fmt.Sprint(multi.Segment(p, q, nil)), fmt.Sprint(one.Segment(p, q, nil)); got != want {
			t.Fatalf("Segment(%v, %v) = %s, want %s", p, q, got, want)
		}
	}
}
