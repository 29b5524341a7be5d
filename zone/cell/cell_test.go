package cell

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/builtin"
	"github.com/geowarden/geowarden/zone/cell/zonegen"
)

func mustRead(t testing.TB, name, src string) *zone.Set {
	t.Helper()
	s, err := zone.ReadGeoJSON(name, name, strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// offset returns the point d metres from p along the bearing (degrees).
func offset(p geowarden.Point, bearing, d float64) geowarden.Point {
	lat1, lon1 := p.Lat*degToRad, p.Lon*degToRad
	b, a := bearing*degToRad, d/zone.EarthRadius
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(a) + math.Cos(lat1)*math.Sin(a)*math.Cos(b))
	lon2 := lon1 + math.Atan2(math.Sin(b)*math.Sin(a)*math.Cos(lat1), math.Cos(a)-math.Sin(lat1)*math.Sin(lat2))
	return geowarden.Point{Lon: zone.NormLon(lon2 / degToRad), Lat: lat2 / degToRad}
}

// zone's own test zones, and more at the antimeridian and the poles.
const zonesJSON = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"square","class":"military"},"geometry":{"type":"Polygon","coordinates":[
  [[10,10],[11,10],[11,11],[10,11],[10,10]],
  [[10.4,10.4],[10.4,10.6],[10.6,10.6],[10.6,10.4],[10.4,10.4]]]}},
{"type":"Feature","properties":{"id":"grown","class":"energy","buffer_m":1000},"geometry":{"type":"Polygon","coordinates":[
  [[20,0],[20.01,0],[20.01,0.01],[20,0.01],[20,0]]]}},
{"type":"Feature","properties":{"id":"rail","class":"rail","buffer_m":500},"geometry":{"type":"LineString","coordinates":[[30,45],[31,45]]}},
{"type":"Feature","properties":{"id":"mast","class":"telecom","buffer_m":2000},"geometry":{"type":"Point","coordinates":[179.99,-16]}},
{"type":"Feature","properties":{"id":"pole","class":"custom","buffer_m":5000},"geometry":{"type":"Point","coordinates":[0,89.99]}},
{"type":"Feature","properties":{"id":"dateline-rail","class":"rail","buffer_m":300},"geometry":{"type":"LineString","coordinates":[[179.9,65],[-179.9,65]]}},
{"type":"Feature","properties":{"id":"east-of-dateline","class":"military"},"geometry":{"type":"Polygon","coordinates":[
  [[179,-17],[180,-17],[180,-15],[179,-15],[179,-17]]]}},
{"type":"Feature","properties":{"id":"west-of-dateline","class":"military","buffer_m":800},"geometry":{"type":"Polygon","coordinates":[
  [[-180,-17],[-179.5,-17],[-179.5,-15.5],[-180,-15],[-180,-17]]]}},
{"type":"Feature","properties":{"id":"arctic-cap","class":"custom"},"geometry":{"type":"Polygon","coordinates":[
  [[-180,85],[-90,85],[0,85],[90,85],[180,85],[180,90],[-180,90],[-180,85]]]}},
{"type":"Feature","properties":{"id":"antarctic","class":"custom","buffer_m":20000},"geometry":{"type":"Polygon","coordinates":[
  [[-60,-89],[60,-89],[60,-88.5],[-60,-88.5],[-60,-89]]]}},
{"type":"Feature","properties":{"id":"south-pole-station","class":"telecom","buffer_m":50000},"geometry":{"type":"Point","coordinates":[0,-90]}},
{"type":"Feature","properties":{"id":"polar-rail","class":"rail","buffer_m":2000},"geometry":{"type":"LineString","coordinates":[[-170,88],[10,88],[100,89.5]]}},
{"type":"Feature","properties":{"id":"comb","class":"military"},"geometry":{"type":"Polygon","coordinates":[
  [[40,10],[41,10],[41,10.5],[40.8,10.5],[40.8,10.1],[40.6,10.1],[40.6,10.5],[40.4,10.5],[40.4,10.1],[40.2,10.1],[40.2,10.5],[40,10.5],[40,10]],
  [[40.05,10.05],[40.1,10.05],[40.1,10.08],[40.05,10.08],[40.05,10.05]]]}},
{"type":"Feature","properties":{"id":"overlapping-comb","class":"rail","buffer_m":100},"geometry":{"type":"MultiPolygon","coordinates":[
  [[[40.1,10.2],[40.9,10.2],[40.9,10.3],[40.1,10.3],[40.1,10.2]]],
  [[[40.3,10],[40.5,10],[40.5,10.6],[40.3,10]]]]}},
{"type":"Feature","properties":{"id":"zigzag-rail","class":"rail","buffer_m":150},"geometry":{"type":"MultiLineString","coordinates":[
  [[40,11],[40.01,11.01],[40.02,11],[40.03,11.01],[40.04,11],[40.04,11],[40.5,11.3]],[[40.2,11.2],[40.2,11.2]]]}},
{"type":"Feature","properties":{"id":"masts","class":"telecom","buffer_m":300},"geometry":{"type":"MultiPoint","coordinates":[[40.3,11.05],[40.301,11.05],[-180,0],[180,1]]}}
]}`

var (
	benchOnce sync.Once
	benchSet  *zone.Set
)

// benchZones returns the bench-shaped zone set (the zones of
// bench/data/zones.geojson), generated once.
func benchZones() *zone.Set {
	benchOnce.Do(func() { benchSet = zonegen.Generate(zonegen.Bench) })
	return benchSet
}

// testSets returns the zone sets the differential tests run on.
func testSets(t testing.TB) []struct {
	name string
	set  *zone.Set
} {
	def, err := builtin.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	malta, err := zone.LoadFile("testdata/malta_protected_zones.geojson")
	if err != nil {
		t.Fatal(err)
	}
	small := zonegen.Generate(zonegen.Options{Seed: 3, Box: zonegen.Box{MinLon: 100, MinLat: 20, MaxLon: 101.5, MaxLat: 21.5}, Cities: 4, Areas: 150,
		SizeMin: 0.5, SizeRatio: 40, RailPolygons: 10, RailLines: 20, Circles: 30, GrownFraction: 0.2})
	sets := []struct {
		name string
		set  *zone.Set
	}{
		{"edge cases", mustRead(t, "edge", zonesJSON)},
		{"builtin default", def},
		{"malta", malta},
		{"generated mix", small},
		{"bench", benchZones()},
	}
	if os.Getenv("GEOWARDEN_NATIONAL") != "" {
		// About a minute and 2 GB more.
		sets = append(sets, struct {
			name string
			set  *zone.Set
		}{"national", zonegen.Generate(zonegen.National)})
	}
	return sets
}

// extent returns the bounding box of a set's vertices.
func extent(s *zone.Set) box {
	b := box{180, 90, -180, -90}
	for _, p := range setVerts(s) {
		b.minLon, b.maxLon = min(b.minLon, p.Lon), max(b.maxLon, p.Lon)
		b.minLat, b.maxLat = min(b.minLat, p.Lat), max(b.maxLat, p.Lat)
	}
	return b
}

func setVerts(s *zone.Set) []geowarden.Point {
	var v []geowarden.Point
	for _, z := range s.Zones {
		v = appendVerts(v, z)
	}
	return v
}

// testPoints returns points to compare answers at: random in the extent
// and in the world, on and next to vertices and edges at distances from
// 1e-13° to 1e-3°, on cell borders, at the poles and the antimeridian.
func testPoints(s *zone.Set, n int, seed uint64) []geowarden.Point {
	r := rand.New(rand.NewPCG(seed, 99))
	ext := extent(s).grow(5000)
	verts := setVerts(s)
	pts := []geowarden.Point{
		{Lon: 0, Lat: 90}, {Lon: 0, Lat: -90}, {Lon: 180, Lat: 0}, {Lon: -180, Lat: 0}, {Lon: 180, Lat: 90}, {Lon: -180, Lat: -90},
		{Lon: 179.99, Lat: -16}, {Lon: -180, Lat: -16}, {Lon: 180, Lat: -16}, {Lon: 180, Lat: 65}, {Lon: -180, Lat: 65},
		{Lon: math.NaN(), Lat: 0}, {Lon: 0, Lat: math.NaN()}, {Lon: math.Inf(1), Lat: 0}, {Lon: 190, Lat: 0}, {Lon: 0, Lat: 91},
		{Lon: 180.00000000000003, Lat: -16}, {Lon: 0, Lat: 89.99}, {Lon: 0, Lat: -89.9},
	}
	jitter := func(p geowarden.Point) geowarden.Point {
		e := math.Pow(10, -13+10*r.Float64())
		return geowarden.Point{Lon: p.Lon + e*(2*r.Float64()-1), Lat: p.Lat + e*(2*r.Float64()-1)}
	}
	for len(pts) < n {
		switch k := r.IntN(10); {
		case k < 3:
			pts = append(pts, geowarden.Point{Lon: ext.minLon + (ext.maxLon-ext.minLon)*r.Float64(), Lat: ext.minLat + (ext.maxLat-ext.minLat)*r.Float64()})
		case k < 4:
			pts = append(pts, geowarden.Point{Lon: -180 + 360*r.Float64(), Lat: -90 + 180*r.Float64()})
		case k < 5 && len(verts) > 0:
			pts = append(pts, verts[r.IntN(len(verts))])
		case k < 7 && len(verts) > 1:
			i := r.IntN(len(verts) - 1)
			t := r.Float64()
			pts = append(pts, jitter(lerp(verts[i], verts[i+1], t)))
		case k < 8 && len(verts) > 0:
			p := verts[r.IntN(len(verts))]
			pts = append(pts, offset(p, 360*r.Float64(), math.Pow(10, 4*r.Float64())))
		case k < 9:
			// a cell border of some level near a vertex
			p := geowarden.Point{Lon: ext.minLon + (ext.maxLon-ext.minLon)*r.Float64(), Lat: ext.minLat + (ext.maxLat-ext.minLat)*r.Float64()}
			if len(verts) > 0 {
				p = verts[r.IntN(len(verts))]
			}
			l := 8 + r.IntN(19)
			w, h := 360/math.Ldexp(1, l), 180/math.Ldexp(1, l)
			p.Lon = -180 + math.Round((p.Lon+180)/w)*w
			if r.IntN(2) == 0 {
				p.Lat = -90 + math.Round((p.Lat+90)/h)*h
			}
			pts = append(pts, p)
		default:
			pts = append(pts, jitter(geowarden.Point{Lon: ext.minLon + (ext.maxLon-ext.minLon)*r.Float64(), Lat: ext.minLat + (ext.maxLat-ext.minLat)*r.Float64()}))
		}
	}
	for i := range pts {
		if inWorld(pts[i]) || math.IsNaN(pts[i].Lon) || math.IsNaN(pts[i].Lat) {
			continue
		}
		if r.IntN(2) == 0 {
			pts[i].Lon = math.Max(-180, math.Min(180, pts[i].Lon))
			pts[i].Lat = math.Max(-90, math.Min(90, pts[i].Lat))
		}
	}
	return pts
}

func TestContainsMatchesZone(t *testing.T) {
	for _, c := range testSets(t) {
		t.Run(c.name, func(t *testing.T) {
			ref := zone.NewIndex(c.set)
			ix := Build(c.set)
			n := 200000
			if testing.Short() {
				n = 20000
			}
			var got, want []int32
			for _, p := range testPoints(c.set, n, 1) {
				got, want = ix.Contains(p, got[:0]), ref.Contains(p, want[:0])
				if math.IsNaN(p.Lon) || math.IsNaN(p.Lat) {
					// zone.Index finds polygons with a horizontal edge at a
					// NaN latitude; no zone contains NaN.
					want = want[:0]
				}
				if !slices.Equal(got, want) {
					t.Fatalf("Contains(%v) = %v, want %v", p, got, want)
				}
			}
		})
	}
}

// testSegments returns segments: short and long, from points near zones,
// across the antimeridian and over the poles.
func testSegments(s *zone.Set, n int, seed uint64) [][2]geowarden.Point {
	r := rand.New(rand.NewPCG(seed, 7))
	pts := testPoints(s, n, seed)
	segs := [][2]geowarden.Point{
		{{Lon: 179.5, Lat: -16}, {Lon: -179.5, Lat: -16}},
		{{Lon: 179.9, Lat: 65.001}, {Lon: -179.9, Lat: 64.999}},
		{{Lon: -10, Lat: 89.98}, {Lon: 170, Lat: 89.98}},
		{{Lon: 0, Lat: -89.8}, {Lon: 0, Lat: -90}},
		{{Lon: 9.5, Lat: 10.5}, {Lon: 11.5, Lat: 10.5}},
		{{Lon: 40, Lat: 10.3}, {Lon: 41, Lat: 10.3}},
	}
	for _, p := range pts {
		if !inWorld(p) {
			continue
		}
		d := math.Pow(10, 1+4.5*r.Float64())
		q := offset(p, 360*r.Float64(), d)
		if r.IntN(4) == 0 {
			q = pts[r.IntN(len(pts))]
			if !inWorld(q) || zone.Distance(p, q) > 300e3 {
				continue
			}
		}
		segs = append(segs, [2]geowarden.Point{p, q})
	}
	return segs
}

func TestSegmentMatchesZone(t *testing.T) {
	for _, c := range testSets(t) {
		t.Run(c.name, func(t *testing.T) {
			ref := zone.NewIndex(c.set)
			ix := Build(c.set)
			n := 5000
			if testing.Short() {
				n = 500
			}
			var got, want []zone.Interval
			for _, s := range testSegments(c.set, n, 2) {
				got, want = ix.Segment(s[0], s[1], got[:0]), ref.Segment(s[0], s[1], want[:0])
				if !slices.Equal(got, want) {
					t.Fatalf("Segment(%v, %v):\n got %v\nwant %v", s[0], s[1], got, want)
				}
			}
		})
	}
}

// benchZonesDigest is polygonDigest of the zones of the bench harness's
// zones.geojson (../shared/bench: gen -zones-only, seed 20240501; 2,300
// polygons, 456,804 edges) as zone.LoadFile reads them, so that the bench
// zones the tests generate are known to be the harness's without reading
// the file. To check it again, run the harness's gen -zones-only -out DIR
// and compare with polygonDigest of zone.LoadFile("DIR/zones.geojson").
const benchZonesDigest = "08e0ca9d042ce7e3dc4062ccedc06cdd56ec647f8c9cb11cc6bf506ab6f83577"

// polygonDigest is the SHA-256 of the zone count and, zone by zone, of
// every polygon's rings and vertices (their float64 bits).
func polygonDigest(s *zone.Set) string {
	h := sha256.New()
	var b [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	put(uint64(len(s.Zones)))
	for _, z := range s.Zones {
		put(uint64(len(z.Polygons)))
		for _, p := range z.Polygons {
			put(uint64(len(p)))
			for _, r := range p {
				put(uint64(len(r)))
				for _, v := range r {
					put(math.Float64bits(v.Lon))
					put(math.Float64bits(v.Lat))
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestBenchZonesAreTheBenchFile(t *testing.T) {
	if got := polygonDigest(benchZones()); got != benchZonesDigest {
		t.Errorf("generated bench zones: digest %s, want the bench file's %s", got, benchZonesDigest)
	}
}

func TestContainsCases(t *testing.T) {
	ix := Build(mustRead(t, "edge", zonesJSON))
	ids := func(p geowarden.Point) string {
		var s []string
		for _, z := range ix.Contains(p, nil) {
			s = append(s, ix.Zones()[z].ID)
		}
		return strings.Join(s, ",")
	}
	mast := geowarden.Point{Lon: 179.99, Lat: -16}
	cases := []struct {
		name string
		p    geowarden.Point
		want string
	}{
		{"inside square", geowarden.Point{Lon: 10.2, Lat: 10.2}, "square"},
		{"in the hole", geowarden.Point{Lon: 10.5, Lat: 10.5}, ""},
		{"on the hole's edge", geowarden.Point{Lon: 10.4, Lat: 10.5}, "square"},
		{"half a millimetre outside", geowarden.Point{Lon: 11.000000005, Lat: 10.5}, ""},
		{"on a vertex", geowarden.Point{Lon: 11, Lat: 11}, "square"},
		{"corridor: 495 m north", offset(geowarden.Point{Lon: 30.5, Lat: 45}, 0, 495), "rail"},
		{"corridor: 505 m south", offset(geowarden.Point{Lon: 30.5, Lat: 45}, 180, 505), ""},
		{"circle across the antimeridian", offset(mast, 90, 1990), "mast,west-of-dateline"},
		{"polygon on the antimeridian, east side", geowarden.Point{Lon: 180, Lat: -16.5}, "east-of-dateline,west-of-dateline"},
		{"grown polygon across the antimeridian", geowarden.Point{Lon: 179.995, Lat: -16.5}, "east-of-dateline,west-of-dateline"},
		{"north pole", geowarden.Point{Lon: 0, Lat: 90}, "pole,arctic-cap"},
		{"near the north pole", geowarden.Point{Lon: 123, Lat: 89.995}, "pole,arctic-cap"},
		{"south pole", geowarden.Point{Lon: 77, Lat: -90}, "south-pole-station"},
		{"between the comb's teeth", geowarden.Point{Lon: 40.7, Lat: 10.4}, ""},
		{"on a tooth", geowarden.Point{Lon: 40.9, Lat: 10.4}, "comb"},
		{"zigzag corridor", geowarden.Point{Lon: 40.015, Lat: 11.005}, "zigzag-rail"},
		{"mast at -180 seen from 180", geowarden.Point{Lon: 180, Lat: 0.001}, "masts"},
		{"NaN", geowarden.Point{Lon: math.NaN(), Lat: 0}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ids(c.p); got != c.want {
				t.Errorf("Contains(%v) = %q, want %q", c.p, got, c.want)
			}
		})
	}
}

func TestEmptyIndex(t *testing.T) {
	ix := Build()
	if got := ix.Contains(geowarden.Point{Lon: 1, Lat: 1}, nil); len(got) != 0 {
		t.Errorf("Contains on no zones = %v", got)
	}
	if got := ix.Segment(geowarden.Point{Lon: 1, Lat: 1}, geowarden.Point{Lon: 2, Lat: 2}, nil); len(got) != 0 {
		t.Errorf("Segment on no zones = %v", got)
	}
	b, err := ix.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(b); err != nil {
		t.Fatal(err)
	}
}

func ExampleIndex_Contains() {
	set, _ := zone.ReadGeoJSON("example", "example", strings.NewReader(`{"type":"Feature","properties":{"id":"base","class":"military"},
		"geometry":{"type":"Polygon","coordinates":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]}}`))
	ix := Build(set)
	for _, z := range ix.Contains(geowarden.Point{Lon: 10.5, Lat: 10.5}, nil) {
		fmt.Println(ix.Zones()[z].ID)
	}
	// Output: base
}
