package cell

import (
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/cell/zonegen"
)

var (
	nationalOnce sync.Once
	nationalSet  *zone.Set
	nationalIx   *Index
	benchIxOnce  sync.Once
	benchIx      *Index
)

func national(b testing.TB) (*zone.Set, *Index) {
	nationalOnce.Do(func() {
		nationalSet = zonegen.Generate(zonegen.National)
		t0 := time.Now()
		nationalIx = Build(nationalSet)
		b.Logf("national set: %d zones, %d vertices; index built in %v, %.1f MB",
			len(nationalSet.Zones), len(nationalIx.verts), time.Since(t0), float64(nationalIx.SizeBytes())/1e6)
	})
	return nationalSet, nationalIx
}

func benchIndex() *Index {
	benchIxOnce.Do(func() { benchIx = Build(benchZones()) })
	return benchIx
}

// recordPoints returns points shaped like the bench records: most near
// zones (a vertex moved up to a few km), some anywhere in the extent.
func recordPoints(s *zone.Set, n int) []geowarden.Point {
	r := rand.New(rand.NewPCG(11, 12))
	verts := setVerts(s)
	ext := extent(s)
	pts := make([]geowarden.Point, n)
	for i := range pts {
		if r.IntN(2) == 0 {
			pts[i] = offset(verts[r.IntN(len(verts))], 360*r.Float64(), 3000*r.Float64())
		} else {
			pts[i] = geowarden.Point{Lon: ext.minLon + (ext.maxLon-ext.minLon)*r.Float64(), Lat: ext.minLat + (ext.maxLat-ext.minLat)*r.Float64()}
		}
	}
	return pts
}

func benchContains(b *testing.B, ix *Index, pts []geowarden.Point) {
	var dst []int32
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		dst = ix.Contains(pts[i&(len(pts)-1)], dst[:0])
		i++
	}
}

func BenchmarkContainsBench(b *testing.B) {
	benchContains(b, benchIndex(), recordPoints(benchZones(), 1<<16))
}

func BenchmarkContainsBenchZoneIndex(b *testing.B) {
	ix := zone.NewIndex(benchZones())
	pts := recordPoints(benchZones(), 1<<16)
	var dst []int32
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dst = ix.Contains(pts[i&(len(pts)-1)], dst[:0])
		i++
	}
}

func BenchmarkContainsNational(b *testing.B) {
	s, ix := national(b)
	benchContains(b, ix, recordPoints(s, 1<<20))
}

func BenchmarkContainsNationalParallel(b *testing.B) {
	s, ix := national(b)
	pts := recordPoints(s, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var dst []int32
		i := rand.IntN(len(pts))
		for pb.Next() {
			dst = ix.Contains(pts[i&(len(pts)-1)], dst[:0])
			i++
		}
	})
}

// segments returns segments of 10 to 200 m from the record points, like
// consecutive fixes of a track.
func segments(s *zone.Set, n int) [][2]geowarden.Point {
	r := rand.New(rand.NewPCG(13, 14))
	pts := recordPoints(s, n)
	segs := make([][2]geowarden.Point, n)
	for i, p := range pts {
		segs[i] = [2]geowarden.Point{p, offset(p, 360*r.Float64(), 10+190*r.Float64())}
	}
	return segs
}

func BenchmarkSegmentBench(b *testing.B) {
	ix := benchIndex()
	segs := segments(benchZones(), 1<<14)
	var dst []zone.Interval
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s := segs[i&(len(segs)-1)]
		dst = ix.Segment(s[0], s[1], dst[:0])
		i++
	}
}

func BenchmarkSegmentBenchZoneIndex(b *testing.B) {
	ix := zone.NewIndex(benchZones())
	segs := segments(benchZones(), 1<<14)
	var dst []zone.Interval
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s := segs[i&(len(segs)-1)]
		dst = ix.Segment(s[0], s[1], dst[:0])
		i++
	}
}

func BenchmarkSegmentNational(b *testing.B) {
	s, ix := national(b)
	segs := segments(s, 1<<16)
	var dst []zone.Interval
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s := segs[i&(len(segs)-1)]
		dst = ix.Segment(s[0], s[1], dst[:0])
		i++
	}
}

func BenchmarkCorridorLengthNational(b *testing.B) {
	s, ix := national(b)
	segs := segments(s, 1<<16)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s := segs[i&(len(segs)-1)]
		ix.CorridorLength(s[0], s[1])
		i++
	}
}

func BenchmarkBuildBench(b *testing.B) {
	s := benchZones()
	b.ReportAllocs()
	for b.Loop() {
		Build(s)
	}
}

func BenchmarkBuildNational(b *testing.B) {
	s, _ := national(b)
	b.ReportAllocs()
	for b.Loop() {
		Build(s)
	}
}

func benchLoad(b *testing.B, s *zone.Set, ix *Index) {
	data, err := ix.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(data, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadBench(b *testing.B) { benchLoad(b, benchZones(), benchIndex()) }

func BenchmarkLoadNational(b *testing.B) {
	s, ix := national(b)
	benchLoad(b, s, ix)
}

// TestIndexSize reports the index's size for the bench set, and with
// GEOWARDEN_NATIONAL=1 for the national set (run with -v); it checks
// nothing about speed.
func TestIndexSize(t *testing.T) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	t0 := time.Now()
	ix := Build(benchZones())
	d := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	t.Logf("bench: %d zones, %d vertices: built in %v, %.1f MB of index arrays (%.1f MB live heap growth incl. vertex copy), %d leaves, directory level %d",
		len(ix.zones), len(ix.verts), d, float64(ix.SizeBytes())/1e6, float64(m1.HeapAlloc-m0.HeapAlloc)/1e6, ix.countLeaves(), ix.dirLevel)
	if ix.SizeBytes() > 200e6 {
		t.Errorf("bench index is %d bytes, want well under 200 MB", ix.SizeBytes())
	}
	if os.Getenv("GEOWARDEN_NATIONAL") == "" {
		return
	}
	_, nx := national(t)
	t.Logf("national: %d zones, %d vertices, %d pieces: %.1f MB of index arrays, %d leaves, directory level %d",
		len(nx.zones), len(nx.verts), len(nx.pts), float64(nx.SizeBytes())/1e6, nx.countLeaves(), nx.dirLevel)
}

func BenchmarkBuildBenchZoneIndex(b *testing.B) {
	s := benchZones()
	b.ReportAllocs()
	for b.Loop() {
		zone.NewIndex(s)
	}
}

func (ix *Index) countLeaves() int {
	n := 0
	st := ix.stream
	for i := uint32(0); int(i) < len(st); n++ {
		nc, ni, np, ns := st[i], st[i+1], st[i+2], st[i+3]
		i += 4 + nc
		for ; ni > 0; ni-- {
			i += itemSize(st, i)
		}
		i += np + nc
		for ; ns > 0; ns-- {
			i += itemSize(st, i)
		}
	}
	return n
}

// trackPoints returns n points along vehicle-like tracks (fixes every 10 to
// 30 m, heading drifting), each starting near a zone: the order in which
// a scan meets records.
func trackPoints(s *zone.Set, n int) []geowarden.Point {
	r := rand.New(rand.NewPCG(21, 22))
	starts := recordPoints(s, n/1000+1)
	pts := make([]geowarden.Point, 0, n)
	for _, p := range starts {
		h := 360 * r.Float64()
		for j := 0; j < 1000 && len(pts) < n; j++ {
			pts = append(pts, p)
			h += 10 * r.NormFloat64()
			p = offset(p, h, 10+20*r.Float64())
		}
	}
	return pts
}

func BenchmarkContainsBenchTracks(b *testing.B) {
	benchContains(b, benchIndex(), trackPoints(benchZones(), 1<<18))
}

func BenchmarkContainsNationalTracks(b *testing.B) {
	s, ix := national(b)
	benchContains(b, ix, trackPoints(s, 1<<20))
}
