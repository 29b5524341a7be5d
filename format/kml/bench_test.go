package kml

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

func BenchmarkScan(b *testing.B) {
	in := benchDoc(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), nil, &formattest.KeepAll{}, &format.Options{Name: "b"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRewriteKeep(b *testing.B) {
	in := benchDoc(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), io.Discard, &formattest.KeepAll{}, &format.Options{Name: "b"}); err != nil {
			b.Fatal(err)
		}
	}
}

// moveAll moves every point and drops every tenth record.
type moveAll struct{ n int }

func (m *moveAll) Record(r *geowarden.Record) geowarden.Edit {
	m.n++
	if m.n%10 == 0 {
		return geowarden.Edit{Drop: true}
	}
	if r.Shape == geowarden.ShapePoint {
		return geowarden.Edit{Move: true, Pos: shift(r.Pos)}
	}
	return geowarden.Keep
}
func (m *moveAll) Bad(err *format.ParseError) error { return err }

func BenchmarkRewriteEdit(b *testing.B) {
	in := benchDoc(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), io.Discard, &moveAll{}, &format.Options{Name: "b"}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchDoc is one KML document of about 8 MB: gpsbabel's LineStyles
// placemarks (points and lines) and tracks.
func benchDoc(b *testing.B) []byte {
	b.Helper()
	ls, err := os.ReadFile("testdata/gpsbabel/LineStyles.kml")
	if err != nil {
		b.Fatal(err)
	}
	i := bytes.Index(ls, []byte("<Folder>"))
	j := bytes.LastIndex(ls, []byte("</Document>"))
	var out bytes.Buffer
	out.Write(ls[:i])
	for out.Len() < 8<<20 {
		out.Write(ls[i:j])
		out.WriteString(trackDoc)
	}
	out.Write(ls[j:])
	return out.Bytes()
}
