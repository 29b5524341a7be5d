package jpeg

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format/formattest"
)

// BenchmarkScan reads a 155 KB camera photo (EXIF with GPS, a thumbnail,
// maker notes) without writing.
func BenchmarkScan(b *testing.B) {
	in := read(b, "testdata/acceptance/jpeg-set/photos/DSCN0012.jpg")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), nil, &formattest.KeepAll{}, opts()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDrop removes the position from the same photo.
func BenchmarkDrop(b *testing.B) {
	in := read(b, "testdata/acceptance/jpeg-set/photos/DSCN0012.jpg")
	h := &dropAll{}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), io.Discard, h, opts()); err != nil {
			b.Fatal(err)
		}
	}
}

type dropAll struct{ formattest.KeepAll }

func (*dropAll) Record(*geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: true} }
