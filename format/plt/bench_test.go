package plt

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// benchInput is a real GeoLife file whose points are repeated to about
// 100,000 lines (6.5 MB).
func benchInput(b *testing.B) []byte {
	in := readInput(b, "004/Trajectory/20081024155859.plt")
	n, _ := Codec{}.Preamble(in, true, nil)
	var buf bytes.Buffer
	buf.Write(in[:n])
	for buf.Len() < 6500<<10 {
		buf.Write(in[n:])
	}
	return buf.Bytes()
}

func BenchmarkRewrite(b *testing.B) {
	in := benchInput(b)
	for _, bc := range []struct {
		name string
		w    io.Writer
		edit func(*geowarden.Record) geowarden.Edit
	}{
		{"scan", nil, nil},
		{"keep", io.Discard, nil},
		{"coarsen", io.Discard, func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: r.Pos.Lon + 1e-3, Lat: r.Pos.Lat},
				Retime: true, Time: r.Time.Truncate(5 * time.Minute)}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := &countHandler{edit: bc.edit}
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), bc.w, h, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// countHandler counts the records and answers with edit.
type countHandler struct {
	n    int
	edit func(*geowarden.Record) geowarden.Edit
}

func (h *countHandler) Record(r *geowarden.Record) geowarden.Edit {
	h.n++
	if h.edit != nil {
		return h.edit(r)
	}
	return geowarden.Keep
}

func (h *countHandler) Bad(e *format.ParseError) error { return e }
