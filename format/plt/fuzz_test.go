package plt

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// fuzzEdit drops the points on every third line, moves the others to a
// position that depends on their line, moves their time by an hour when
// the result can be written and strips the altitude on even lines.
func fuzzEdit(r *geowarden.Record) geowarden.Edit {
	l := r.Ref.Line
	if l%3 == 0 {
		return geowarden.Edit{Drop: true}
	}
	e := geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: float64(l%359-179) + 0.123456789, Lat: float64(l%179-89) + 0.5}}
	if t := r.Time.Add(time.Hour); t.Year() >= 1 && t.Year() <= 9999 {
		e.Retime, e.Time = true, t
	}
	if l%2 == 0 {
		e.Strip = []string{"alt"}
	}
	return e
}

// FuzzRewrite checks, for any input, that the codec neither panics nor
// hangs; that keeping every point gives the input back; that scanning sees
// what rewriting sees; that dropping bad points gives an output that reads
// back unchanged; that edited points read back as edited; and that reading
// in pieces gives what reading whole does.
func FuzzRewrite(f *testing.F) {
	for _, name := range inputs(f) {
		b := readInput(f, name)
		f.Add(b[:min(len(b), 2<<10)])
	}
	for _, s := range []string{
		"", header, crlf(header), "\xEF\xBB\xBF" + header + point, header + point + "\r\n\r\n" + point,
		header + "39.9,116.3,0,-777,,2008-10-23,02:53:04\n", header + "1,2,3\n", header + point + ",x\n",
		header + "39.9,116.3,0,492,39745.1,2008-10-23,02:53:04\n", "Geolife trajectory\nWGS 84\n",
		header + "-0,-0,0,1e3,0,1899-12-30,00:00:00\n", header + "90,180,,,-693593,0001-01-01,00:00:00\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ctx := context.Background()
		for _, limit := range []int{0, 70} {
			opts := &format.Options{Name: "u/Trajectory/fuzz.plt", MaxRecordBytes: limit}
			run := func(in []byte, h *testHandler) ([]byte, error) {
				var out bytes.Buffer
				err := Codec{}.Rewrite(ctx, bytes.NewReader(in), &out, h, opts)
				return out.Bytes(), err
			}

			// Keep all.
			keep := &testHandler{}
			out, err := run(in, keep)
			if err == nil && !bytes.Equal(out, in) {
				t.Fatalf("limit %d: keep-all output differs from the input:\n%q\n%q", limit, out, in)
			}
			var pe *format.ParseError
			if err != nil && !errors.As(err, &pe) {
				t.Fatalf("limit %d: error %v is not a *format.ParseError", limit, err)
			}
			for _, r := range keep.Recs {
				if format.CheckPoint(r.Pos.Lon, r.Pos.Lat) != nil || r.Source != "u" {
					t.Fatalf("limit %d: record %+v", limit, r)
				}
			}

			// Scanning gives the same records.
			scan := &testHandler{}
			serr := Codec{}.Rewrite(ctx, bytes.NewReader(in), nil, scan, opts)
			if (serr == nil) != (err == nil) || len(scan.Recs) != len(keep.Recs) {
				t.Fatalf("limit %d: scan-only gives %d records (%v), rewrite %d (%v)", limit, len(scan.Recs), serr, len(keep.Recs), err)
			}

			// Bad points dropped: the output reads clean. Only a bad
			// header stops the codec.
			lenient := &testHandler{OnBad: dropBad}
			clean, err := run(in, lenient)
			if err != nil {
				if !errors.Is(err, ErrHeader) {
					t.Fatalf("limit %d: with bad points dropped: %v", limit, err)
				}
				continue
			}
			again := &testHandler{}
			out, err = run(clean, again)
			if err != nil {
				t.Fatalf("limit %d: reading the output without bad points %q: %v", limit, clean, err)
			}
			if !bytes.Equal(out, clean) || len(again.Recs) != len(lenient.Recs) {
				t.Fatalf("limit %d: output without bad points does not read back: %d records, then %d", limit, len(lenient.Recs), len(again.Recs))
			}

			// Edits read back as made.
			ed := &testHandler{Edit: fuzzEdit}
			edited, err := run(clean, ed)
			if err != nil {
				t.Fatalf("limit %d: editing: %v", limit, err)
			}
			back := &testHandler{}
			wide := *opts
			wide.MaxRecordBytes = 0 // edited lines may be longer
			if err := (Codec{}).Rewrite(ctx, bytes.NewReader(edited), nil, back, &wide); err != nil {
				t.Fatalf("limit %d: reading the edited output %q: %v", limit, edited, err)
			}
			var want []geowarden.Record
			for _, r := range ed.Recs {
				if e := fuzzEdit(&r); !e.Drop {
					w := r
					w.Pos = geowarden.Point{Lon: round7(e.Pos.Lon), Lat: round7(e.Pos.Lat)}
					if e.Retime {
						w.Time = e.Time
					}
					w.HasAlt = r.HasAlt && len(e.Strip) == 0
					want = append(want, w)
				}
			}
			if len(back.Recs) != len(want) {
				t.Fatalf("limit %d: edited output has %d points, want %d", limit, len(back.Recs), len(want))
			}
			for i, r := range back.Recs {
				w := want[i]
				if r.Pos != w.Pos || !r.Time.Equal(w.Time) || r.HasAlt != w.HasAlt {
					t.Fatalf("limit %d: point %d read back as %v %v %v, want %v %v %v", limit, i, r.Pos, r.Time, r.HasAlt, w.Pos, w.Time, w.HasAlt)
				}
			}

			// In pieces as in one.
			if limit == 0 {
				if _, ok := (Codec{}).Preamble(clean, true, nil); ok {
					got, recs := chunked(t, clean, 64, opts, fuzzEdit)
					if !bytes.Equal(got, edited) || !bytes.Equal(summary(recs), summary(ed.Recs)) {
						t.Fatalf("in pieces: %q, whole: %q", got, edited)
					}
				}
			}
		}
	})
}
