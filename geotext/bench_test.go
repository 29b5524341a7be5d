package geotext

import (
	"math/rand/v2"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// benchCSV returns about size bytes of rows shaped like the 10M
// benchmark's records: id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz.
func benchCSV(size int) []byte {
	r := rand.New(rand.NewPCG(7, 8))
	b := []byte("id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz\n")
	for id := 1; len(b) < size; id++ {
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, ",2024-05-01T03:05:03Z,"...)
		b = strconv.AppendFloat(b, 20+r.Float64()*20, 'f', 6, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, 100+r.Float64()*20, 'f', 6, 64)
		b = append(b, ",460,11,54699827,"...)
		b = strconv.AppendInt(b, -80-r.Int64N(40), 10)
		b = append(b, ",700\n"...)
	}
	return b
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
