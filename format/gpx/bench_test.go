package gpx

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

func benchInput(b *testing.B) []byte {
	in, err := os.ReadFile(filepath.Join("testdata", "acceptance", "gpx-mtk_logger_m241_multiple_tracks.gpx", "mtk_logger_m241_multiple_tracks.gpx"))
	if err != nil {
		b.Fatal(err)
	}
	return in
}

// BenchmarkRewrite: a 2.8 MB track log of 14,263 points.
func BenchmarkRewrite(b *testing.B) {
	in := benchInput(b)
	cases := []struct {
		name string
		w    io.Writer
		h    func() format.Handler
	}{
		{"scan", nil, func() format.Handler { return &formattest.KeepAll{} }},
		{"keep", io.Discard, func() format.Handler { return &formattest.KeepAll{} }},
		{"drop-every-third", io.Discard, func() format.Handler {
			return &funcHandler{f: func(i int, _ *geowarden.Record) geowarden.Edit {
				if i%3 == 0 {
					return geowarden.Edit{Drop: true}
				}
				return geowarden.Keep
			}}
		}},
		{"move-all", io.Discard, func() format.Handler {
			return &funcHandler{f: func(_ int, r *geowarden.Record) geowarden.Edit {
				return geowarden.Edit{Move: true, Pos: shift(r.Pos)}
			}}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), c.w, c.h(), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHostile: start tags with the most attributes allowed.
func BenchmarkHostile(b *testing.B) {
	var tag strings.Builder
	tag.WriteString("<a")
	for i := 0; i < MaxAttrs; i++ {
		tag.WriteString(" a" + itoa(i) + `=""`)
	}
	tag.WriteString("/>")
	in := []byte("<gpx>" + strings.Repeat(tag.String(), 100) + "</gpx>")
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), io.Discard, &formattest.KeepAll{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
