package verify

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/zone"
)

// benchCSV returns about size bytes of rows like the 10M benchmark's
// records (id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz): tracks that walk
// over eastern China in steps of a few tens of metres.
func benchCSV(size int) []byte {
	r := rand.New(rand.NewPCG(7, 8))
	var b bytes.Buffer
	b.WriteString("id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz\n")
	lat, lon := 30.0, 110.0
	for id := 1; b.Len() < size; id++ {
		if id%1000 == 1 {
			lat, lon = 22+r.Float64()*20, 102+r.Float64()*18
		}
		lat += (r.Float64() - 0.5) * 0.0005
		lon += (r.Float64() - 0.5) * 0.0005
		s := id % 86400
		fmt.Fprintf(&b, "%d,2024-05-01T%02d:%02d:%02dZ,%.6f,%.6f,460,11,%d,%d,%d\n",
			id, s/3600, s/60%60, s%60, lat, lon, 54699827+id/1000, -80-r.IntN(40), []int{700, 1800, 2100, 2600}[id/1000%4])
	}
	return b.Bytes()
}

// benchZones returns an index of n irregular polygons of a few
// kilometres, spread over the same region as benchCSV.
func benchZones(tb testing.TB, n int) *zone.Index {
	r := rand.New(rand.NewPCG(3, 4))
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		clat, clon := 22+r.Float64()*20, 102+r.Float64()*18
		rad := 0.01 + r.Float64()*0.03
		fmt.Fprintf(&b, `{"type":"Feature","properties":{"id":"z%d"},"geometry":{"type":"Polygon","coordinates":[[`, i)
		const k = 24
		var first string
		for j := range k {
			a := 2 * math.Pi * float64(j) / k
			q := rad * (0.6 + 0.4*r.Float64())
			pt := "[" + strconv.FormatFloat(clon+q*math.Cos(a), 'f', 6, 64) + "," + strconv.FormatFloat(clat+q*math.Sin(a), 'f', 6, 64) + "]"
			if j == 0 {
				first = pt
			}
			b.WriteString(pt + ",")
		}
		b.WriteString(first + "]]}}")
	}
	b.WriteString("]}")
	set, err := zone.ReadGeoJSON("bench", "bench", &b)
	if err != nil {
		tb.Fatal(err)
	}
	return zone.NewIndex(set)
}

// nowhere is a zone index with no zones: the cost of the text scan alone.
type nowhere struct{}

func (nowhere) Contains(p geowarden.Point, dst []int32) []int32 { return dst }

func benchWrite(b *testing.B, zs Zones, data []byte, size int) {
	v := New(zs)
	v.Filter = func(geotext.Match, geowarden.Point, int32) bool { return false } // count lookups, not leaks
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		w := v.NewWriter(io.Discard)
		for p := data; len(p) > 0; {
			n := min(len(p), size)
			if _, err := w.Write(p[:n]); err != nil {
				b.Fatal(err)
			}
			p = p[n:]
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu, int64(len(data)))
}

// cpuTime returns the CPU time the process has used. On a shared machine
// it says more than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the throughput per CPU second since start as
// cpu-MB/s, and the CPU time per op.
func reportCPU(b *testing.B, start time.Duration, bytes int64) {
	d := cpuTime() - start
	if d <= 0 || start == 0 {
		return
	}
	b.ReportMetric(float64(bytes)*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
	b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkWriterCSV is the verifier on a sanitized CSV, 32 KiB writes:
// the text scan and a zone lookup for every row's position, over 3000
// zones.
func BenchmarkWriterCSV(b *testing.B) {
	benchWrite(b, benchZones(b, 3000), benchCSV(4<<20), 32<<10)
}

// BenchmarkWriterCSVSmallWrites writes 100 bytes at a time, as a codec
// writing row by row without a buffer would.
func BenchmarkWriterCSVSmallWrites(b *testing.B) {
	benchWrite(b, benchZones(b, 3000), benchCSV(4<<20), 100)
}

// BenchmarkWriterCSVScanOnly is the same without zones: the text scan's
// share.
func BenchmarkWriterCSVScanOnly(b *testing.B) {
	benchWrite(b, nowhere{}, benchCSV(4<<20), 32<<10)
}

// BenchmarkLookup is one zone lookup of a row's position, over 3000
// zones.
func BenchmarkLookup(b *testing.B) {
	ix := benchZones(b, 3000)
	data := benchCSV(1 << 20)
	var pts []geowarden.Point
	for m := range geotext.All(data) {
		pts = append(pts, m.Point)
	}
	var dst []int32
	b.ResetTimer()
	cpu := cpuTime()
	for i := range b.N {
		dst = ix.Contains(pts[i%len(pts)], dst[:0])
	}
	reportCPU(b, cpu, 0)
}
