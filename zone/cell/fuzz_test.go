package cell

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/cell/zonegen"
)

// fuzzInput turns bytes into zones and queries. Coordinates lie on a
// coarse grid near one of a few places (the equator, the antimeridian,
// the poles) so that vertices, edges and query points meet often.
type fuzzInput struct {
	b []byte
}

func (f *fuzzInput) byte() byte {
	if len(f.b) == 0 {
		return 0
	}
	c := f.b[0]
	f.b = f.b[1:]
	return c
}

var fuzzBases = []geowarden.Point{{Lon: 10, Lat: 10}, {Lon: 179.9, Lat: -16}, {Lon: -180, Lat: 40}, {Lon: 0, Lat: 89.9}, {Lon: 120, Lat: -89.95}}

func (f *fuzzInput) point(base geowarden.Point, step float64) geowarden.Point {
	x, y := f.byte(), f.byte()
	p := geowarden.Point{Lon: base.Lon + float64(int(x&63)-32)*step, Lat: base.Lat + float64(int(y&63)-32)*step}
	if x&64 != 0 { // off the grid
		p.Lon += float64(f.byte()) * step / 256
	}
	if y&64 != 0 {
		p.Lat += float64(f.byte()) * step / 256
	}
	p.Lon = math.Max(-180, math.Min(180, p.Lon))
	p.Lat = math.Max(-90, math.Min(90, p.Lat))
	return p
}

// zones makes up to 6 zones: polygons (with a hole sometimes), grown or
// not, corridors and circles. They are not validated: the index must
// agree with zone.Index on any rings.
func (f *fuzzInput) zones() (*zone.Set, geowarden.Point, float64) {
	base := fuzzBases[int(f.byte())%len(fuzzBases)]
	step := []float64{0.001, 0.01, 0.1, 1e-7}[f.byte()%4]
	s := &zone.Set{ID: "fuzz"}
	n := 1 + int(f.byte()%6)
	for i := 0; i < n; i++ {
		z := &zone.Zone{ID: string(rune('a' + i)), Set: "fuzz"}
		kind := f.byte()
		buf := float64(f.byte()%8) * step * 111e3 / 4
		switch kind % 3 {
		case 0:
			z.Geometry = zone.Area
			if kind&8 != 0 {
				z.BufferM = buf
			}
			var poly [][]geowarden.Point
			for r := 0; r < 1+int(kind>>6); r++ {
				nv := 3 + int(f.byte()%6)
				var ring []geowarden.Point
				for j := 0; j < nv; j++ {
					ring = append(ring, f.point(base, step))
				}
				poly = append(poly, append(ring, ring[0]))
			}
			z.Polygons = [][][]geowarden.Point{poly}
		case 1:
			z.Geometry = zone.Corridor
			z.BufferM = buf + 1
			nv := 2 + int(f.byte()%4)
			var l []geowarden.Point
			for j := 0; j < nv; j++ {
				l = append(l, f.point(base, step))
			}
			z.Lines = [][]geowarden.Point{l}
		default:
			z.Geometry = zone.Circle
			z.BufferM = buf + 1
			z.Points = []geowarden.Point{f.point(base, step), f.point(base, step)}
		}
		s.Zones = append(s.Zones, z)
	}
	return s, base, step
}

// FuzzCompare: the cell index answers Contains and Segment exactly as
// zone.Index does, on fuzzed zones and queries.
func FuzzCompare(f *testing.F) {
	f.Add([]byte("\x00\x00\x03\x00\x02\x05\x10\x10\x20\x10\x20\x20\x10\x20\x01\x03\x00\x00\x30\x30\x02\x04\x05\x05\x08\x08\x11\x11\x22\x22\x15\x16"))
	f.Add([]byte("\x01\x01\x02\x48\x03\x01\x00\x00\x3f\x3f\x01\x3f\x3f\x01\x20\x20\x21\x21\x00\x01\x02\x03\x04\x05"))
	f.Add([]byte("\x03\x02\x04\x80\x01\x04\x10\x10\x30\x10\x30\x30\x10\x30\x04\x18\x18\x28\x18\x28\x28\x18\x28\x02\x07\x20\x20\x22\x22\x21\x20\x20\x21"))
	f.Add([]byte("\x04\x00\x02\x01\x07\x03\x00\x00\x3f\x3f\x3f\x00\x02\x02\x20\x20\x1f\x1f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzInput{b: data}
		s, base, step := in.zones()
		if pieces(s) > 3000 {
			// Buffered lines running to a pole: zone cuts them into pieces of
			// a few metres there, and building takes seconds. Tested, but
			// not at fuzzing speed.
			return
		}
		ref := zone.NewIndex(s)
		ix := Build(s)
		var got, want []int32
		var gi, wi []zone.Interval
		for q := 0; q < 24; q++ {
			p := in.point(base, step)
			got, want = ix.Contains(p, got[:0]), ref.Contains(p, want[:0])
			if !slices.Equal(got, want) {
				t.Fatalf("Contains(%v) = %v, want %v", p, got, want)
			}
			if q%3 == 0 {
				p2 := in.point(base, step)
				gi, wi = ix.Segment(p, p2, gi[:0]), ref.Segment(p, p2, wi[:0])
				if !sameIntervals(gi, wi) {
					t.Fatalf("Segment(%v, %v):\n got %v\nwant %v", p, p2, gi, wi)
				}
			}
		}
		data2, err := ix.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		ix2, err := Load(data2, s)
		if err != nil {
			t.Fatalf("Load of MarshalBinary: %v", err)
		}
		p := in.point(base, step)
		if a, b := ix2.Contains(p, nil), ix.Contains(p, nil); !slices.Equal(a, b) {
			t.Fatalf("loaded index: Contains(%v) = %v, want %v", p, a, b)
		}
	})
}

// sameIntervals compares Segment results: the same zones, parts and
// boundaries; polygon boundaries are computed alike, buffer boundaries
// by the same bisection on possibly fewer pieces, so they may differ by
// its tolerance.
func sameIntervals(a, b []zone.Interval) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Zone != b[i].Zone || math.Abs(a[i].T0-b[i].T0) > 1e-8 || math.Abs(a[i].T1-b[i].T1) > 1e-8 {
			return false
		}
	}
	return true
}

// FuzzLoad: hostile index data is refused with an error, or loads into an
// index that answers without panicking.
func FuzzLoad(f *testing.F) {
	s := mustRead(f, "edge", zonesJSON)
	good, err := Build(s).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/3])
	small := zonegen.Generate(zonegen.Options{Seed: 5, Box: zonegen.Box{MinLon: 10, MinLat: 10, MaxLon: 11, MaxLat: 11}, Cities: 1, Areas: 3,
		SizeMin: 1, SizeRatio: 3, RailLines: 1, Circles: 1})
	sgood, err := Build(small).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sgood)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, set := range []*zone.Set{s, small} {
			ix, err := Load(data, set)
			if err != nil {
				continue
			}
			for _, p := range []geowarden.Point{{Lon: 10.05, Lat: 10.05}, {Lon: 10.5, Lat: 10}, {Lon: 179.99, Lat: -16}, {Lon: 0, Lat: 90}, {Lon: -180, Lat: -90}} {
				ix.Contains(p, nil)
				ix.Segment(p, geowarden.Point{Lon: p.Lon + 0.01, Lat: p.Lat - 0.01}, nil)
			}
		}
	})
}

// FuzzLoadPatch: a valid index with some of its words overwritten is
// refused with an error, or loads into an index that answers without
// panicking. (FuzzLoad's mutations rarely get past the header.)
func FuzzLoadPatch(f *testing.F) {
	s := mustRead(f, "edge", zonesJSON)
	good, err := Build(s).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{200, 1, 0, 0, 3, 0, 0, 0, 17, 2, 0, 0, 0, 0, 0, 128})
	f.Fuzz(func(t *testing.T, patches []byte) {
		data := slices.Clone(good)
		words := (len(data) - headerBytes) / 4
		for len(patches) >= 8 {
			at := headerBytes + 4*(int(binary.LittleEndian.Uint32(patches))%words)
			copy(data[at:at+4], patches[4:8])
			patches = patches[8:]
		}
		ix, err := Load(data, s)
		if err != nil {
			return
		}
		for _, p := range []geowarden.Point{{Lon: 10.05, Lat: 10.05}, {Lon: 10.5, Lat: 10}, {Lon: 179.99, Lat: -16}, {Lon: 0, Lat: 90}, {Lon: -180, Lat: -90}, {Lon: 40.3, Lat: 11.05}} {
			ix.Contains(p, nil)
			ix.Segment(p, geowarden.Point{Lon: p.Lon + 0.01, Lat: p.Lat - 0.01}, nil)
			ix.CorridorLength(p, geowarden.Point{Lon: p.Lon - 0.01, Lat: p.Lat + 0.01})
		}
	})
}

// pieces counts the pieces zone cuts the set's buffered geometry into.
func pieces(s *zone.Set) int {
	n := 0
	count := func(a, b geowarden.Point) { n++ }
	for _, z := range s.Zones {
		switch {
		case z.Geometry == zone.Area && z.BufferM > 0:
			for _, p := range z.Polygons {
				for _, r := range p {
					for i := 0; i+1 < len(r); i++ {
						zone.Densify(r[i], r[i+1], count)
					}
				}
			}
		case z.Geometry == zone.Corridor:
			for _, l := range z.Lines {
				for i := 0; i+1 < len(l); i++ {
					zone.Densify(l[i], zone.Unwrap(l[i], l[i+1]), count)
				}
			}
		}
	}
	return n
}
