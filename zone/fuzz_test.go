package zone

import (
	"bytes"
	"os"
	"testing"

	"github.com/geowarden/geowarden"
)

// FuzzReadGeoJSON: any input either is refused with an error or gives
// valid zones that an index can be built over and queried, without panics
// or hangs.
func FuzzReadGeoJSON(f *testing.F) {
	f.Add([]byte(zonesJSON))
	f.Add([]byte(`{"type":"Feature","properties":{"id":"a","buffer_m":10},"geometry":{"type":"Point","coordinates":[180,90]}}`))
	f.Add([]byte(`{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}`))
	b, err := os.ReadFile("builtin/src/malta_protected_zones.geojson")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := ReadGeoJSON("fuzz", "fuzz", bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(set.Zones) == 0 {
			t.Fatal("no error and no zones")
		}
		if err := set.Validate(); err != nil {
			t.Fatalf("accepted set does not validate: %v", err)
		}
		ix := NewIndex(set)
		for _, p := range []geowarden.Point{{Lon: 0, Lat: 0}, {Lon: 180, Lat: 90}, {Lon: -180, Lat: -90}, {Lon: 0.5, Lat: 0.5}} {
			ix.Contains(p, nil)
		}
		ix.Segment(geowarden.Point{Lon: -1, Lat: -1}, geowarden.Point{Lon: 2, Lat: 2}, nil)
	})
}
