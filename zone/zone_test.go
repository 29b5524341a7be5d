package zone

import (
	"math"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
)

func mustRead(t testing.TB, src string) *Set {
	t.Helper()
	s, err := ReadGeoJSON("test.geojson", "test", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// offset returns the point d metres from p along the given bearing
// (degrees from north), on the sphere.
func offset(p geowarden.Point, bearing, d float64) geowarden.Point {
	lat1, lon1 := p.Lat*degToRad, p.Lon*degToRad
	b, a := bearing*degToRad, d/EarthRadius
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(a) + math.Cos(lat1)*math.Sin(a)*math.Cos(b))
	lon2 := lon1 + math.Atan2(math.Sin(b)*math.Sin(a)*math.Cos(lat1), math.Cos(a)-math.Sin(lat1)*math.Sin(lat2))
	return geowarden.Point{Lon: NormLon(lon2 / degToRad), Lat: lat2 / degToRad}
}

const zonesJSON = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"square","class":"military"},"geometry":{"type":"Polygon","coordinates":[
  [[10,10],[11,10],[11,11],[10,11],[10,10]],
  [[10.4,10.4],[10.4,10.6],[10.6,10.6],[10.6,10.4],[10.4,10.4]]]}},
{"type":"Feature","properties":{"id":"grown","class":"energy","buffer_m":1000},"geometry":{"type":"Polygon","coordinates":[
  [[20,0],[20.01,0],[20.01,0.01],[20,0.01],[20,0]]]}},
{"type":"Feature","properties":{"id":"rail","class":"rail","buffer_m":500},"geometry":{"type":"LineString","coordinates":[[30,45],[31,45]]}},
{"type":"Feature","properties":{"id":"mast","class":"telecom","buffer_m":2000},"geometry":{"type":"Point","coordinates":[179.99,-16]}},
{"type":"Feature","properties":{"id":"pole","class":"custom","buffer_m":5000},"geometry":{"type":"Point","coordinates":[0,89.99]}},
{"type":"Feature","properties":{"id":"dateline-rail","class":"rail","buffer_m":300},"geometry":{"type":"LineString","coordinates":[[179.9,65],[-179.9,65]]}}
]}`

func TestContains(t *testing.T) {
	ix := NewIndex(mustRead(t, zonesJSON))
	ids := func(p geowarden.Point) string {
		var s []string
		for _, z := range ix.Contains(p, nil) {
			s = append(s, ix.Zones()[z].ID)
		}
		return strings.Join(s, ",")
	}
	mast := geowarden.Point{Lon: 179.99, Lat: -16}
	pole := geowarden.Point{Lon: 0, Lat: 89.99}
	cases := []struct {
		name string
		p    geowarden.Point
		want string
	}{
		{"inside square", geowarden.Point{Lon: 10.2, Lat: 10.2}, "square"},
		{"in the hole", geowarden.Point{Lon: 10.5, Lat: 10.5}, ""},
		{"on the outer edge", geowarden.Point{Lon: 10.5, Lat: 10}, "square"},
		{"on a vertex", geowarden.Point{Lon: 11, Lat: 11}, "square"},
		{"on the hole's edge", geowarden.Point{Lon: 10.4, Lat: 10.5}, "square"},
		{"just outside", geowarden.Point{Lon: 11.000001, Lat: 10.5}, ""},
		{"half a millimetre outside", geowarden.Point{Lon: 11.000000005, Lat: 10.5}, ""},
		{"half a millimetre inside", geowarden.Point{Lon: 10.999999995, Lat: 10.5}, "square"},
		{"grown: inside polygon", geowarden.Point{Lon: 20.005, Lat: 0.005}, "grown"},
		{"grown: 990 m east", offset(geowarden.Point{Lon: 20.01, Lat: 0.005}, 90, 990), "grown"},
		{"grown: 1010 m east", offset(geowarden.Point{Lon: 20.01, Lat: 0.005}, 90, 1010), ""},
		{"corridor: 495 m north", offset(geowarden.Point{Lon: 30.5, Lat: 45}, 0, 495), "rail"},
		{"corridor: 505 m south", offset(geowarden.Point{Lon: 30.5, Lat: 45}, 180, 505), ""},
		{"corridor: past the end", offset(geowarden.Point{Lon: 31, Lat: 45}, 90, 520), ""},
		{"circle across the antimeridian: 1990 m east", offset(mast, 90, 1990), "mast"},
		{"circle across the antimeridian: 2010 m east", offset(mast, 90, 2010), ""},
		{"circle: 1990 m west", offset(mast, 270, 1990), "mast"},
		{"polar circle: over the pole", offset(pole, 180, 4990), "pole"},
		{"polar circle: beyond the pole", geowarden.Point{Lon: 180, Lat: 89.97}, "pole"},
		{"polar circle: outside", offset(pole, 0, 5100), ""},
		{"dateline corridor: west side", geowarden.Point{Lon: 179.95, Lat: 65.001}, "dateline-rail"},
		{"dateline corridor: east side", geowarden.Point{Lon: -179.95, Lat: 64.999}, "dateline-rail"},
		{"dateline corridor: not the long way round", geowarden.Point{Lon: 0, Lat: 65}, ""},
		{"NaN latitude", geowarden.Point{Lon: 10.5, Lat: math.NaN()}, ""},
		{"NaN longitude", geowarden.Point{Lon: math.NaN(), Lat: 10}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ids(c.p); got != c.want {
				t.Errorf("Contains(%v) = %q, want %q", c.p, got, c.want)
			}
		})
	}
}

func TestSegment(t *testing.T) {
	ix := NewIndex(mustRead(t, zonesJSON))
	cases := []struct {
		name   string
		a, b   geowarden.Point
		zone   string
		t0, t1 float64 // expected inside part; t0 < 0 means no part
	}{
		// Crosses the square from x=9.5 to 11.5 along y=10.2 (no hole on this line).
		{"through the square", geowarden.Point{Lon: 9.5, Lat: 10.2}, geowarden.Point{Lon: 11.5, Lat: 10.2}, "square", 0.25, 0.75},
		{"misses the square", geowarden.Point{Lon: 9.5, Lat: 9.5}, geowarden.Point{Lon: 9.9, Lat: 9.9}, "square", -1, 0},
		// Crosses the corridor north to south at lon 30.5: inside within 500 m of lat 45.
		{"across the corridor", offset(geowarden.Point{Lon: 30.5, Lat: 45}, 0, 1000), offset(geowarden.Point{Lon: 30.5, Lat: 45}, 180, 1000), "rail", 0.25, 0.75},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got *Interval
			for _, iv := range ix.Segment(c.a, c.b, nil) {
				if ix.Zones()[iv.Zone].ID == c.zone {
					iv := iv
					got = &iv
				}
			}
			if c.t0 < 0 {
				if got != nil {
					t.Fatalf("got part %v, want none", *got)
				}
				return
			}
			if got == nil {
				t.Fatal("no part inside, want one")
			}
			if math.Abs(got.T0-c.t0) > 1e-3 || math.Abs(got.T1-c.t1) > 1e-3 {
				t.Errorf("part [%.5f, %.5f], want [%.5f, %.5f]", got.T0, got.T1, c.t0, c.t1)
			}
		})
	}
	// A segment crossing the hole has two parts in the square.
	parts := ix.Segment(geowarden.Point{Lon: 9.5, Lat: 10.5}, geowarden.Point{Lon: 11.5, Lat: 10.5}, nil)
	if len(parts) != 2 {
		t.Fatalf("segment across the hole: %d parts, want 2: %v", len(parts), parts)
	}
}

func TestInvalidZones(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"open ring", `{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}`, `feature 0 (id "a"): polygon 0 ring 0 is not closed`},
		{"bow tie", `{"type":"Feature","properties":{"id":"bow"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}`, `feature 0 (id "bow"): polygon 0 ring 0 crosses itself`},
		{"line without buffer", `{"type":"Feature","properties":{"id":"l"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}`, `needs a positive buffer_m`},
		{"out of range", `{"type":"Feature","properties":{"id":"p","buffer_m":10},"geometry":{"type":"Point","coordinates":[0,91]}}`, `out of range`},
		{"negative buffer", `{"type":"Feature","properties":{"id":"p","buffer_m":-1},"geometry":{"type":"Point","coordinates":[0,1]}}`, `buffer_m -1`},
		{"bad json", "{\"type\":\"FeatureCollection\",\n\"features\":[}", `test.geojson:2:13: invalid JSON`},
		{"foreign crs", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[]}`, `crs "EPSG:3857" is not WGS-84`},
		{"duplicate ids", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"x","buffer_m":5},"geometry":{"type":"Point","coordinates":[0,0]}},{"type":"Feature","properties":{"id":"x","buffer_m":5},"geometry":{"type":"Point","coordinates":[0,0]}}]}`, `id "x" is already used`},
		{"empty", `{"type":"FeatureCollection","features":[]}`, `no features`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadGeoJSON("test.geojson", "test", strings.NewReader(c.src))
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func BenchmarkContains(b *testing.B) {
	set := mustRead(b, zonesJSON)
	ix := NewIndex(set)
	p := geowarden.Point{Lon: 10.2, Lat: 10.3}
	var dst []int32
	b.ReportAllocs()
	for b.Loop() {
		dst = ix.Contains(p, dst[:0])
	}
}
