package gwz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/builtin"
	"github.com/geowarden/geowarden/zone/cell/zonegen"
)

const smallZones = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"square","name":"Square","class":"military"},"geometry":{"type":"Polygon","coordinates":[
  [[10,10],[11,10],[11,11],[10,11],[10,10]],
  [[10.4,10.4],[10.4,10.6],[10.6,10.6],[10.6,10.4],[10.4,10.4]]]}},
{"type":"Feature","properties":{"id":"grown","class":"energy","buffer_m":1000},"geometry":{"type":"MultiPolygon","coordinates":[
  [[[20,0],[20.01,0],[20.01,0.01],[20,0.01],[20,0]]],[[[21,0],[21.01,0],[21.01,0.01],[21,0]]]]}},
{"type":"Feature","properties":{"id":"rail","class":"rail","buffer_m":500},"geometry":{"type":"MultiLineString","coordinates":[[[30,45],[31,45]],[[179.9,65],[-179.9,65]]]}},
{"type":"Feature","properties":{"id":"mast","class":"telecom","buffer_m":2000},"geometry":{"type":"MultiPoint","coordinates":[[179.99,-16],[0,89.99]]}}
]}`

func readSet(t testing.TB, name, src string) *zone.Set {
	t.Helper()
	s, err := zone.ReadGeoJSON(name, strings.TrimSuffix(name, ".geojson"), strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func encode(t testing.TB, s *zone.Set) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sameZones reports the first difference between two zone lists.
func sameZones(t *testing.T, got, want []*zone.Zone) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d zones, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Name != w.Name || g.Class != w.Class || g.Set != w.Set || g.Geometry != w.Geometry || g.BufferM != w.BufferM {
			t.Fatalf("zone %d: got %+v, want %+v", i, *g, *w)
		}
		if !slices.EqualFunc(g.Polygons, w.Polygons, func(a, b [][]geowarden.Point) bool {
			return slices.EqualFunc(a, b, slices.Equal)
		}) || !slices.EqualFunc(g.Lines, w.Lines, slices.Equal) || !slices.Equal(g.Points, w.Points) {
			t.Fatalf("zone %d (%s): geometry differs", i, w.ID)
		}
	}
}

func roundTrip(t *testing.T, s *zone.Set) *File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "z.gwz")
	if err := WriteFile(path, s); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Set.ID != s.ID {
		t.Errorf("set id %q, want %q", f.Set.ID, s.ID)
	}
	sameZones(t, f.Set.Zones, s.Zones)
	if err := f.Set.Validate(); err != nil {
		t.Errorf("loaded set does not validate: %v", err)
	}
	st, _ := os.Stat(path)
	if f.Size != st.Size() || f.Version != Version || !strings.HasPrefix(f.Checksum, "crc32c:") {
		t.Errorf("size %d version %d checksum %q; file has %d bytes", f.Size, f.Version, f.Checksum, st.Size())
	}
	return f
}

// compareIndex checks that the loaded index answers like zone.NewIndex over
// the original set, at n random points in the set's extent and at every
// vertex.
func compareIndex(t *testing.T, f *File, s *zone.Set, n int) {
	t.Helper()
	ref := zone.NewIndex(s)
	var pts []geowarden.Point
	minLon, minLat, maxLon, maxLat := 180.0, 90.0, -180.0, -90.0
	for _, z := range s.Zones {
		add := func(p geowarden.Point) {
			pts = append(pts, p)
			minLon, maxLon = min(minLon, p.Lon), max(maxLon, p.Lon)
			minLat, maxLat = min(minLat, p.Lat), max(maxLat, p.Lat)
		}
		for _, poly := range z.Polygons {
			for _, r := range poly {
				for _, p := range r {
					add(p)
				}
			}
		}
		for _, l := range z.Lines {
			for _, p := range l {
				add(p)
			}
		}
		for _, p := range z.Points {
			add(p)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range n {
		pts = append(pts, geowarden.Point{Lon: minLon + (maxLon-minLon)*r.Float64(), Lat: minLat + (maxLat-minLat)*r.Float64()})
	}
	for _, p := range pts {
		got, want := f.Index.Contains(p, nil), ref.Contains(p, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("Contains(%v) = %v, want %v", p, got, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	small := readSet(t, "small.geojson", smallZones)
	def, err := builtin.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	malta, err := zone.LoadFile("testdata/malta_protected_zones.geojson")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		set  *zone.Set
	}{
		{"small", small},
		{"builtin default", def},
		{"malta", malta},
		{"bench", zonegen.Generate(zonegen.Bench)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := roundTrip(t, c.set)
			compareIndex(t, f, c.set, 20000)
		})
	}
}

func TestWriteDeterministic(t *testing.T) {
	s := readSet(t, "small.geojson", smallZones)
	a, b := encode(t, s), encode(t, s)
	if !bytes.Equal(a, b) {
		t.Fatal("two writes of the same set differ")
	}
	if !IsGWZ(a) || IsGWZ([]byte(smallZones)) || IsGWZ(a[:4]) {
		t.Error("IsGWZ is wrong")
	}
}

// reseal fixes the checksum after a test changed the body.
func reseal(b []byte) []byte {
	binary.LittleEndian.PutUint32(b[24:], crc32.Checksum(b[headerSize:], castagnoli))
	return b
}

func TestHostile(t *testing.T) {
	s := readSet(t, "small.geojson", smallZones)
	good := encode(t, s)
	le := binary.LittleEndian
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	secOff := func(b []byte, kind uint32) int {
		for i := 0; i < int(le.Uint32(b[28:])); i++ {
			e := b[headerSize+sectionSize*i:]
			if le.Uint32(e) == kind {
				return int(le.Uint64(e[8:]))
			}
		}
		t.Fatalf("no section %d", kind)
		return 0
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "shorter than the 64-byte header"},
		{"geojson", []byte(smallZones), "not a .gwz file"},
		{"truncated", good[:len(good)-9], "truncated or padded"},
		{"truncated header", good[:40], "shorter than the 64-byte header"},
		{"bad checksum", mod(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), "checksum mismatch"},
		{"future version", mod(func(b []byte) []byte { le.PutUint32(b[8:], 9); return b }), "unsupported .gwz version 9"},
		{"absurd section count", mod(func(b []byte) []byte { le.PutUint32(b[28:], 1<<30); return reseal(b) }), "sections do not fit"},
		{"section outside", mod(func(b []byte) []byte { le.PutUint64(b[headerSize+8:], 1<<40); return reseal(b) }), "lies outside the file"},
		{"section too long", mod(func(b []byte) []byte { le.PutUint64(b[headerSize+16:], 1<<62); return reseal(b) }), "lies outside the file"},
		{"absurd zone count", mod(func(b []byte) []byte { le.PutUint64(b[32:], 1<<40); return reseal(b) }), "more than"},
		{"zone count mismatch", mod(func(b []byte) []byte { le.PutUint64(b[32:], 3); return reseal(b) }), "the header says 3 zones"},
		{"string outside", mod(func(b []byte) []byte { le.PutUint32(b[secOff(b, secZones):], 1<<31); return reseal(b) }), "lies outside STRINGS"},
		{"unknown geometry", mod(func(b []byte) []byte { b[secOff(b, secZones)+32] = 7; return reseal(b) }), "unknown geometry 7"},
		{"NaN buffer", mod(func(b []byte) []byte { le.PutUint64(b[secOff(b, secZones)+40:], 0x7ff8000000000001); return reseal(b) }), "buffer_m NaN"},
		{"absurd parts", mod(func(b []byte) []byte { le.PutUint32(b[secOff(b, secZones)+36:], 1<<31); return reseal(b) }), "parts from part 0"},
		{"absurd ring length", mod(func(b []byte) []byte { le.PutUint32(b[secOff(b, secRings):], 1<<31); return reseal(b) }), "VERTICES holds"},
		{"open ring", mod(func(b []byte) []byte { le.PutUint64(b[secOff(b, secVertices):], 0); return reseal(b) }), "is not closed"},
		{"vertex out of range", mod(func(b []byte) []byte {
			o := secOff(b, secVertices)
			le.PutUint64(b[o:], 0x4070400000000000) // 260
			le.PutUint64(b[o+16*4:], 0x4070400000000000)
			return reseal(b)
		}), "is not a longitude/latitude"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.data)
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrVersion) {
				t.Errorf("error %q wraps neither ErrFormat nor ErrVersion", err)
			}
		})
	}
}

func benchReadFile(b *testing.B, s *zone.Set) {
	path := filepath.Join(b.TempDir(), "z.gwz")
	if err := WriteFile(path, s); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadFile(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadFileBench loads the bench zones (2,300 zones, 459k vertices).
func BenchmarkReadFileBench(b *testing.B) { benchReadFile(b, zonegen.Generate(zonegen.Bench)) }

// BenchmarkReadFileNational loads a national set (53,000 zones, 6.1M
// vertices).
func BenchmarkReadFileNational(b *testing.B) { benchReadFile(b, zonegen.Generate(zonegen.National)) }

func BenchmarkWriteBench(b *testing.B) {
	s := zonegen.Generate(zonegen.Bench)
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, s); err != nil {
			b.Fatal(err)
		}
	}
}
