package geojson

import (
	"context"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/format/formattest"
)

// benchInput is a FeatureCollection of n Point features with a few
// properties, laid out as ogr2ogr writes it.
func benchInput(n int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("{\n\"type\": \"FeatureCollection\",\n\"name\": \"bench\",\n\"features\": [\n")
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`{ "type": "Feature", "properties": { "id": `)
		b.WriteString(strconv.Itoa(i))
		b.WriteString(`, "name": "point `)
		b.WriteString(strconv.Itoa(i))
		b.WriteString(`", "ts": "2024-03-01T12:`)
		b.WriteString(strconv.Itoa(10 + i%50))
		b.WriteString(`:00Z", "kind": "mast" }, "geometry": { "type": "Point", "coordinates": [ `)
		b.WriteString(strconv.FormatFloat(rng.Float64()*360-180, 'f', 7, 64))
		b.WriteString(", ")
		b.WriteString(strconv.FormatFloat(rng.Float64()*180-90, 'f', 7, 64))
		b.WriteString(" ] } }")
	}
	b.WriteString("\n]\n}\n")
	return b.String()
}

func benchmarkRewrite(b *testing.B, w io.Writer) {
	const n = 100000
	in := benchInput(n)
	h := &formattest.KeepAll{}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := (Codec{}).Rewrite(context.Background(), strings.NewReader(in), w, h, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "features/s")
}

// BenchmarkScan reads 100k Point features without writing.
func BenchmarkScan(b *testing.B) { benchmarkRewrite(b, nil) }

// BenchmarkRewrite reads 100k Point features and writes them to io.Discard.
func BenchmarkRewrite(b *testing.B) { benchmarkRewrite(b, io.Discard) }
