package cell

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

func TestDistance(t *testing.T) {
	s := mustRead(t, "edge", zonesJSON)
	ix := Build(s)
	num := map[string]int32{}
	for i, z := range ix.Zones() {
		num[z.ID] = int32(i)
	}
	rail := geowarden.Point{Lon: 30.5, Lat: 45}
	mast := geowarden.Point{Lon: 179.99, Lat: -16}
	cases := []struct {
		name string
		zone string
		p    geowarden.Point
		want float64 // metres
		tol  float64
	}{
		{"area: on an edge", "square", geowarden.Point{Lon: 10.5, Lat: 10}, 0, 0.05},
		{"area: inside, to the nearest edge", "square", offset(geowarden.Point{Lon: 10.2, Lat: 10}, 0, 1000), 1000, 1},
		{"area: outside", "square", offset(geowarden.Point{Lon: 10.2, Lat: 10}, 180, 700), 700, 1},
		{"area: in the hole, to its edge", "square", offset(geowarden.Point{Lon: 10.5, Lat: 10.4}, 0, 300), 300, 1},
		{"grown area: outside, beyond the buffer", "grown", offset(geowarden.Point{Lon: 20.01, Lat: 0.005}, 90, 1500), 500, 1},
		{"grown area: outside, within the buffer", "grown", offset(geowarden.Point{Lon: 20.01, Lat: 0.005}, 90, 400), 600, 1},
		{"grown area: inside the polygon", "grown", offset(geowarden.Point{Lon: 20.01, Lat: 0.005}, 270, 100), 1100, 1},
		{"corridor: inside", "rail", offset(rail, 0, 200), 300, 0.5},
		{"corridor: outside", "rail", offset(rail, 180, 800), 300, 0.5},
		{"corridor: on the centre line", "rail", rail, 500, 0.5},
		{"circle across the antimeridian", "mast", offset(mast, 90, 2500), 500, 0.5},
		{"circle at its centre", "mast", mast, 2000, 0.01},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ix.Distance(c.p, num[c.zone])
			if math.Abs(got-c.want) > c.tol {
				t.Errorf("Distance(%v, %s) = %.3f m, want %.3f ± %.2f", c.p, c.zone, got, c.want, c.tol)
			}
		})
	}
	if d := ix.Distance(rail, -1); !math.IsNaN(d) {
		t.Errorf("Distance to zone -1 = %v, want NaN", d)
	}
	if d := ix.Distance(rail, int32(len(ix.Zones()))); !math.IsNaN(d) {
		t.Errorf("Distance to a zone past the end = %v, want NaN", d)
	}
}

func TestCorridorLength(t *testing.T) {
	s := mustRead(t, "edge", zonesJSON)
	ix := Build(s)
	rail := geowarden.Point{Lon: 30.5, Lat: 45}
	cases := []struct {
		name string
		a, b geowarden.Point
		want float64 // metres
		tol  float64
	}{
		{"along the corridor", geowarden.Point{Lon: 30.2, Lat: 45}, geowarden.Point{Lon: 30.8, Lat: 45}, zone.Distance(geowarden.Point{Lon: 30.2, Lat: 45}, geowarden.Point{Lon: 30.8, Lat: 45}), 1},
		{"across it", offset(rail, 0, 2000), offset(rail, 180, 2000), 1000, 1},
		{"past its end", geowarden.Point{Lon: 30.9, Lat: 45}, geowarden.Point{Lon: 31.5, Lat: 45}, zone.Distance(geowarden.Point{Lon: 30.9, Lat: 45}, geowarden.Point{Lon: 31, Lat: 45}) + 500, 2},
		{"far away", geowarden.Point{Lon: 0, Lat: 0}, geowarden.Point{Lon: 0.1, Lat: 0.1}, 0, 0},
		{"through a circle: not a corridor", offset(geowarden.Point{Lon: 179.99, Lat: -16}, 0, 3000), offset(geowarden.Point{Lon: 179.99, Lat: -16}, 180, 3000), 0, 0},
		{"across the antimeridian corridor", geowarden.Point{Lon: 180, Lat: 64.99}, geowarden.Point{Lon: 180, Lat: 65.01}, 600, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ix.CorridorLength(c.a, c.b)
			if math.Abs(got-c.want) > c.tol {
				t.Errorf("CorridorLength(%v, %v) = %.2f m, want %.2f ± %.2f", c.a, c.b, got, c.want, c.tol)
			}
			if total := zone.Distance(c.a, c.b); got > total+1e-6 {
				t.Errorf("CorridorLength %.2f m is longer than the segment (%.2f m)", got, total)
			}
		})
	}
}

func TestCorridorLengthOverlap(t *testing.T) {
	// Two corridors of 500 m, 200 m apart: a segment across both is
	// inside one or the other for 1,200 m, counted once.
	a := geowarden.Point{Lon: 5, Lat: 50}
	b := offset(a, 0, 200)
	s := &zone.Set{ID: "t", Zones: []*zone.Zone{
		{ID: "one", Geometry: zone.Corridor, BufferM: 500, Lines: [][]geowarden.Point{{{Lon: 4, Lat: a.Lat}, {Lon: 6, Lat: a.Lat}}}},
		{ID: "two", Geometry: zone.Corridor, BufferM: 500, Lines: [][]geowarden.Point{{{Lon: 4, Lat: b.Lat}, {Lon: 6, Lat: b.Lat}}}},
		{ID: "area", Geometry: zone.Area, Polygons: [][][]geowarden.Point{{{{Lon: 4.9, Lat: 49.9}, {Lon: 5.1, Lat: 49.9}, {Lon: 5.1, Lat: 50.1}, {Lon: 4.9, Lat: 49.9}}}}},
	}}
	ix := Build(s)
	got := ix.CorridorLength(offset(a, 180, 2000), offset(a, 0, 2000))
	if math.Abs(got-1200) > 1 {
		t.Errorf("CorridorLength across two corridors = %.2f m, want 1200", got)
	}
}

func TestMarshalLoad(t *testing.T) {
	for _, c := range testSets(t) {
		t.Run(c.name, func(t *testing.T) {
			ix := Build(c.set)
			data, err := ix.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			again, err := Build(c.set).MarshalBinary()
			if err != nil || string(again) != string(data) {
				t.Fatalf("two builds of the same set marshal differently (err %v)", err)
			}
			// Unaligned data is copied, aligned data used in place: both load.
			for _, off := range []int{0, 1} {
				buf := make([]byte, len(data)+off)
				copy(buf[off:], data)
				lx, err := Load(buf[off:], c.set)
				if err != nil {
					t.Fatal(err)
				}
				var got, want []int32
				var gi, wi []zone.Interval
				for i, p := range testPoints(c.set, 5000, 3) {
					got, want = lx.Contains(p, got[:0]), ix.Contains(p, want[:0])
					if !slices.Equal(got, want) {
						t.Fatalf("loaded: Contains(%v) = %v, want %v", p, got, want)
					}
					if i%10 == 0 && inWorld(p) {
						q := offset(p, float64(i%360), 5000)
						gi, wi = lx.Segment(p, q, gi[:0]), ix.Segment(p, q, wi[:0])
						if !slices.Equal(gi, wi) {
							t.Fatalf("loaded: Segment(%v, %v) = %v, want %v", p, q, gi, wi)
						}
					}
				}
			}
		})
	}
}

func TestLoadHostile(t *testing.T) {
	s := mustRead(t, "edge", zonesJSON)
	good, err := Build(s).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	other := mustRead(t, "other", `{"type":"Feature","properties":{"id":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`)
	le := binary.LittleEndian
	arrayAt := func(b []byte, a int) (int, int) {
		return int(le.Uint64(b[headerBytes+16*a:])), int(le.Uint64(b[headerBytes+16*a+8:]))
	}
	// Each case is the good encoding with one edit, made inside its subtest:
	// an edit that finds nothing to change fails that case.
	cases := []struct {
		name string
		data []byte               // the input, when there is no edit
		edit func(b []byte) error // changes a copy of good
		set  *zone.Set
		want string
	}{
		{name: "empty", set: s, want: "shorter than"},
		{name: "bad magic", edit: func(b []byte) error { b[0] = 'X'; return nil }, set: s, want: "bad magic"},
		{name: "future version", edit: func(b []byte) error { le.PutUint32(b[8:], 2); return nil }, set: s, want: "version 2"},
		{name: "other zones", data: good, set: other, want: "the sets have 1"},
		{name: "truncated", data: good[:len(good)-40], set: s, want: "do not fit"},
		{name: "absurd count", edit: func(b []byte) error {
			le.PutUint64(b[headerBytes+16*arrStream+8:], 1<<60)
			return nil
		}, set: s, want: "do not fit"},
		{name: "misaligned array", edit: func(b []byte) error {
			le.PutUint64(b[headerBytes+16*arrNodes:], 12)
			return nil
		}, set: s, want: "do not fit"},
		{name: "directory too big", edit: func(b []byte) error { le.PutUint32(b[36:], 1<<20); return nil }, set: s, want: "directory of"},
		{name: "node to nowhere", edit: func(b []byte) error {
			off, n := arrayAt(b, arrNodes)
			if n == 0 {
				return errors.New("the index has no nodes")
			}
			le.PutUint32(b[off:], 0x7ffffff0)
			return nil
		}, set: s, want: "not a fresh block"},
		{name: "node loop", edit: func(b []byte) error {
			off, n := arrayAt(b, arrNodes)
			for i := 0; i < n; i++ {
				if w := le.Uint32(b[off+4*i:]); w != emptyNode && w&leafBit == 0 {
					le.PutUint32(b[off+4*i:], 0)
					return nil
				}
			}
			return errors.New("the index has no inner node")
		}, set: s, want: "not a fresh block"},
		{name: "leaf word off a record", edit: func(b []byte) error {
			off, n := arrayAt(b, arrDir)
			for i := 0; i < n; i++ {
				if w := le.Uint32(b[off+4*i:]); w != emptyNode && w&leafBit != 0 {
					le.PutUint32(b[off+4*i:], w+1)
					return nil
				}
			}
			return errors.New("the directory has no leaf")
		}, set: s, want: "no leaf record"},
		{name: "record count past the end", edit: func(b []byte) error {
			off, _ := arrayAt(b, arrStream)
			le.PutUint32(b[off:], 1<<30)
			return nil
		}, set: s, want: "run past the end"},
		{name: "zone out of range", edit: func(b []byte) error {
			off, n := arrayAt(b, arrPolys)
			if n == 0 {
				return errors.New("the index has no polygons")

			}
			le.PutUint32(b[off:], 1000)
			return nil
		}, set: s, want: "is not an area"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := c.data
			if c.edit != nil {
				data = slices.Clone(good)
				if err := c.edit(data); err != nil {
					t.Fatalf("cannot build the case from the edge-case index: %v", err)
				}
			}
			_, err := Load(data, c.set)
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestConcurrentQueries(t *testing.T) {
	s := mustRead(t, "edge", zonesJSON)
	ix := Build(s)
	segs := testSegments(s, 300, 9)
	want := make([][]zone.Interval, len(segs))
	for i, sg := range segs {
		want[i] = ix.Segment(sg[0], sg[1], nil)
	}
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			var got []zone.Interval
			for i, sg := range segs {
				got = ix.Segment(sg[0], sg[1], got[:0])
				if !slices.Equal(got, want[i]) {
					done <- fmt.Errorf("Segment(%v, %v) = %v, want %v", sg[0], sg[1], got, want[i])
					return
				}
				ix.Contains(sg[0], nil)
				ix.CorridorLength(sg[0], sg[1])
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
