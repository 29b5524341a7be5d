package csv

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// fuzzEdit moves each record to a position that depends on its ordinal,
// moves its time by an hour and sets one column to a value that needs
// quoting.
type fuzzEdit struct {
	setName string // header name to set; "" for none
	n       int
	want    []geowarden.Record
}

const fuzzValue = "a,b;c\t\"d\"\r\ne\n"

func (h *fuzzEdit) pos() geowarden.Point {
	return geowarden.Point{Lon: float64(h.n%359-179) + 0.25, Lat: float64(h.n%179-89) + 0.5}
}

func (h *fuzzEdit) Record(r *geowarden.Record) geowarden.Edit {
	h.n++
	e := geowarden.Edit{Move: true, Pos: h.pos()}
	w := *r
	w.Attrs, w.Shape, w.Pos = nil, geowarden.ShapePoint, e.Pos
	// Unix seconds past 1e11 would read back as milliseconds, and years
	// past 9999 not at all.
	if t := r.Time.Add(time.Hour); !r.Time.IsZero() && t.Year() >= 1000 && t.Year() <= 5000 {
		e.Retime, e.Time = true, t
		w.Time = t
	}
	if h.setName != "" {
		e.Set = []geowarden.Attr{{Name: h.setName, Value: fuzzValue}}
	}
	h.want = append(h.want, w)
	return e
}

func (h *fuzzEdit) Bad(e *format.ParseError) error { return e }

// settable picks a header column that no role uses and no role name
// shadows, for the round trip of Set: the last such one.
func settable(in []byte) string {
	s := newSplitter(bytes.NewReader(in), "fuzz", DefaultMaxRecordBytes)
	if s.start() != nil {
		return ""
	}
	d, err := s.sniff()
	if err != nil {
		return ""
	}
	s.delim = d
	for {
		k, err := s.next()
		if err != nil {
			return ""
		}
		if k != kindEmpty {
			break
		}
	}
	for i := len(s.fields) - 1; i >= 0; i-- {
		v := unquote(nil, s.rec[s.fields[i].s:s.fields[i].e])
		n := headerName(v)
		if _, isRole := roleByName(n); isRole || n == "" || strings.ContainsAny(n, "\r\n") {
			continue
		}
		aliased := false
		for _, a := range aliases {
			aliased = aliased || slices.Contains(a, n)
		}
		if !aliased {
			return n
		}
	}
	return ""
}

func FuzzRewrite(f *testing.F) {
	for _, pat := range []string{"testdata/*.csv", "testdata/*.tsv", "testdata/nogood/*"} {
		files, _ := filepath.Glob(pat)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "lat,lon\n", "lat,lon\n1,2", "\xEF\xBB\xBFlat;lon\r\n1,5;2,5\r\n\r\n",
		"lat,lon,x\n1,2,\"a\nb\"\n3,4,\"open", "y\tx\tts\n1\t2\t2019.12.16_07.22.43\n",
		"lat,lon,ts\n1,2,1700000000.5\n", "lat,lon\n\"1\"x,2\n", "\"lat\",lon\r\n,\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ctx := context.Background()
		for _, max := range []int{0, 40} {
			opts := &format.Options{Name: "fuzz", MaxRecordBytes: max}

			// Keeping every record gives the input back.
			var out bytes.Buffer
			keep := &testHandler{}
			err := Codec{}.Rewrite(ctx, bytes.NewReader(in), &out, keep, opts)
			if err == nil && !bytes.Equal(out.Bytes(), in) {
				t.Fatalf("max %d: keep-all output differs from the input:\n%q\n%q", max, out.Bytes(), in)
			}

			// Dropping bad rows gives an output that reads without bad
			// rows and has the same records.
			out.Reset()
			lenient := &testHandler{bad: dropBad}
			if err := (Codec{}).Rewrite(ctx, bytes.NewReader(in), &out, lenient, opts); err == nil {
				again := &testHandler{}
				var out2 bytes.Buffer
				if err := (Codec{}).Rewrite(ctx, bytes.NewReader(out.Bytes()), &out2, again, opts); err != nil {
					t.Fatalf("max %d: reading the output without bad rows: %v", max, err)
				}
				if !bytes.Equal(out.Bytes(), out2.Bytes()) || len(again.recs) != len(lenient.recs) {
					t.Fatalf("max %d: output without bad rows is not stable: %d records, then %d", max, len(lenient.recs), len(again.recs))
				}
			}
			if err != nil {
				continue
			}

			// Edits read back as made.
			out.Reset()
			ed := &fuzzEdit{setName: settable(in)}
			if err := (Codec{}).Rewrite(ctx, bytes.NewReader(in), &out, ed, opts); err != nil {
				t.Fatalf("max %d: editing: %v", max, err)
			}
			var vals []string
			again := &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
				if ed.setName != "" {
					v, _ := r.Attrs.Attr(ed.setName)
					vals = append(vals, v)
				}
				return geowarden.Keep
			}}
			// The edited rows may be longer than the cap.
			if err := (Codec{}).Rewrite(ctx, bytes.NewReader(out.Bytes()), io.Discard, again, &format.Options{Name: "fuzz"}); err != nil {
				t.Fatalf("max %d: reading the edited output %q: %v", max, out.Bytes(), err)
			}
			if len(again.recs) != len(ed.want) {
				t.Fatalf("max %d: edited output has %d records, want %d", max, len(again.recs), len(ed.want))
			}
			for i, r := range again.recs {
				w := ed.want[i]
				if r.Pos != w.Pos || !r.Time.Equal(w.Time) {
					t.Fatalf("max %d: record %d read back at %v %v, want %v %v", max, i, r.Pos, r.Time, w.Pos, w.Time)
				}
				if ed.setName != "" && vals[i] != fuzzValue {
					t.Fatalf("max %d: record %d: %s read back as %q", max, i, ed.setName, vals[i])
				}
			}
		}
	})
}
