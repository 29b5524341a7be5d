package nmea

import (
	"bytes"
	"context"
	"io"
	"os"
	"runtime"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// benchInput is a receiver log of about 4 MiB: ublox-8 (GNSS with a binary
// prefix) repeated.
func benchInput(b *testing.B) []byte {
	in, err := os.ReadFile("testdata/fcases/nmea-ublox-8.log/ublox-8.log")
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Repeat(in, (4<<20)/len(in)+1)
}

type nopHandler struct{ edit geowarden.Edit }

func (h *nopHandler) Record(*geowarden.Record) geowarden.Edit { return h.edit }
func (h *nopHandler) Bad(e *format.ParseError) error          { return e }

func BenchmarkScan(b *testing.B) {
	in := benchInput(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), nil, &nopHandler{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRewriteKeep(b *testing.B) {
	in := benchInput(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), io.Discard, &nopHandler{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRewriteMove(b *testing.B) {
	in := benchInput(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	h := &nopHandler{edit: geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 1, Lat: 2}}}
	for b.Loop() {
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), io.Discard, h, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// genReader yields n bytes made by repeating a pattern, without holding
// them.
type genReader struct {
	pat []byte
	n   int64
	off int
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.n <= 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && g.n > 0 {
		c := copy(p[k:], g.pat[g.off:])
		if int64(c) > g.n {
			c = int(g.n)
		}
		k += c
		g.n -= int64(c)
		g.off = (g.off + c) % len(g.pat)
	}
	return k, nil
}

// TestBoundedMemory streams large hostile inputs: one endless line of
// binary data, one endless epoch, one endless text line. The heap must
// stay small.
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 3 x 64 MiB")
	}
	cases := []struct {
		name string
		pat  string
	}{
		{"binary without line ends", "\xB5\x62\x01\x07$\x00\xff"},
		{"one epoch without end", ck("$GPGSV,3,1,12,17,72,207,32,28,59,095,31,06,35,347,25,01,29,132,23") + "\r\n"},
		{"text line without end", "$GPTXT,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var peak uint64
			var ms runtime.MemStats
			h := &testHandler{bad: dropBad}
			r := &genReader{pat: []byte(c.pat), n: 64 << 20}
			var cnt countWriter
			done := make(chan error)
			go func() { done <- (Codec{}).Rewrite(context.Background(), r, &cnt, h, nil) }()
			var err error
		wait:
			for {
				select {
				case err = <-done:
					break wait
				default:
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
					runtime.Gosched()
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			if peak > 32<<20 {
				t.Errorf("heap in use reached %d MiB", peak>>20)
			}
			if len(h.notices) > 64 {
				h.notices = h.notices[:64]
			}
			t.Logf("wrote %d bytes, %d bad records, peak heap %d MiB", cnt.n, len(h.bads), peak>>20)
		})
	}
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
