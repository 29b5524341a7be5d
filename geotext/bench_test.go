package geotext

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// benchCSV returns about size bytes of rows like the 10M benchmark's
// records: id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz.
func benchCSV(size int) []byte {
	r := rand.New(rand.NewPCG(7, 8))
	var b bytes.Buffer
	b.WriteString("id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz\n")
	lat, lon := 30.0, 110.0
	for id := 1; b.Len() < size; id++ {
		lat += (r.Float64() - 0.5) * 0.0005
		lon += (r.Float64() - 0.5) * 0.0005
		s := id % 86400
		fmt.Fprintf(&b, "%d,2024-05-01T%02d:%02d:%02dZ,%.6f,%.6f,460,11,%d,%d,700\n",
			id, s/3600, s/60%60, s%60, lat, lon, 54699827+id/1000, -80-r.IntN(40))
	}
	return b.Bytes()
}

func benchFind(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	n := 0
	for range b.N {
		for i := 0; ; {
			m, ok := Find(data, i)
			if !ok {
				break
			}
			n++
			i = m.Next
		}
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	// CPU time says more than the wall clock on a shared machine.
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	b.ReportMetric(float64(len(data))*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
	if n == 0 {
		b.Fatal("no matches")
	}
}

// BenchmarkFindCSV scans rows of the 10M benchmark's shape.
func BenchmarkFindCSV(b *testing.B) { benchFind(b, benchCSV(4<<20)) }

// BenchmarkFindText scans the test table's inputs, repeated: prose, XML,
// JSON, NMEA.
func BenchmarkFindText(b *testing.B) {
	var data []byte
	for len(data) < 1<<20 {
		for _, tt := range findTests {
			data = append(data, tt.in...)
			data = append(data, " lorem ipsum dolor sit amet, consectetur adipiscing elit\n"...)
		}
	}
	benchFind(b, data)
}
