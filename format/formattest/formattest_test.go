package formattest

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/geowarden/geowarden"
)

func TestInputs(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.kml", "b/C.KML", "b/d.txt", "golden/a.kml.golden", "fuzz/x.kml", "acceptance/e.kml"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := Inputs(t, dir, 2, []string{".kml"}, "acceptance")
	if want := []string{"a.kml", "b/C.KML"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Inputs = %q, want %q", got, want)
	}
}

func TestCaseCount(t *testing.T) {
	c := Case{Center: [2]float64{0, 0}, RadiusM: 1000}
	// One degree of latitude is 111,195 m on this sphere.
	deg := func(m float64) float64 { return m / 111194.93 }
	pts := []geowarden.Point{
		{Lat: deg(500)},  // inside
		{Lat: deg(998)},  // within the 3 m band: neither
		{Lat: deg(1002)}, // neither
		{Lat: deg(1010)}, // outside
		{Lon: deg(-2000)},
	}
	if in, out := c.Count(pts); in != 1 || out != 2 {
		t.Errorf("Count = %d inside, %d outside; want 1, 2", in, out)
	}
	if d := Haversine(geowarden.Point{Lon: 180, Lat: 0}, geowarden.Point{Lon: -179, Lat: 0}); d < 111194 || d > 111196 {
		t.Errorf("Haversine across the antimeridian = %v m, want one degree", d)
	}
}
