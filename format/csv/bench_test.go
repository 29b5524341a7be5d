package csv

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// benchRows is the size of the benchmark input.
const benchRows = 100_000

// benchInput generates rows in the shape of the project's benchmark
// workload: id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz (about 75 bytes a row).
func benchInput() []byte {
	var b bytes.Buffer
	b.WriteString("id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz\n")
	ts := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	lat, lon := 30.123456, 110.654321
	var line []byte
	for i := range benchRows {
		lat += float64(i%7-3) * 1e-5
		lon += float64(i%11-5) * 1e-5
		line = strconv.AppendInt(line[:0], int64(i+1), 10)
		line = append(line, ',')
		line = ts.Add(time.Duration(i)*time.Second).AppendFormat(line, "2006-01-02T15:04:05Z")
		line = append(line, ',')
		line = strconv.AppendFloat(line, lat, 'f', 6, 64)
		line = append(line, ',')
		line = strconv.AppendFloat(line, lon, 'f', 6, 64)
		line = append(line, ",460,0"...)
		line = strconv.AppendInt(line, int64(i%3), 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(100000+i*37%1000000), 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(-60-i%60), 10)
		line = append(line, ",1800\n"...)
		b.Write(line)
	}
	return b.Bytes()
}

// countHandler counts records and keeps them all.
type countHandler struct{ n int }

func (h *countHandler) Record(*geowarden.Record) geowarden.Edit { h.n++; return geowarden.Keep }
func (h *countHandler) Bad(e *format.ParseError) error          { return e }

func BenchmarkScan(b *testing.B) {
	in := benchInput()
	for _, bc := range []struct {
		name string
		w    io.Writer
	}{
		{"scan", nil},
		{"rewrite", io.Discard},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			h := &countHandler{}
			for b.Loop() {
				h.n = 0
				if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), bc.w, h, nil); err != nil {
					b.Fatal(err)
				}
				if h.n != benchRows {
					b.Fatalf("%d records, want %d", h.n, benchRows)
				}
			}
			b.ReportMetric(float64(b.N)*benchRows/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func TestNoAllocsPerRow(t *testing.T) {
	// The allocations of a run do not grow with its rows.
	in := benchInput()
	cut := func(rows int) []byte {
		n := 0
		for range rows + 1 {
			n += bytes.IndexByte(in[n:], '\n') + 1
		}
		return in[:n]
	}
	small, large := cut(10_000), cut(benchRows)
	h := &countHandler{}
	for _, w := range []io.Writer{nil, io.Discard} {
		allocs := func(in []byte) float64 {
			return testing.AllocsPerRun(3, func() {
				if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), w, h, nil); err != nil {
					t.Fatal(err)
				}
			})
		}
		a, b := allocs(small), allocs(large)
		if perRow := (b - a) / (benchRows - 10_000); perRow > 0.001 {
			t.Errorf("writer %v: %.0f allocations for 10k rows, %.0f for 100k: %.4f a row", w, a, b, perRow)
		}
	}
}
