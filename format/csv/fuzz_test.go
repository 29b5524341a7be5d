package csv

import (
	"bytes"
	"context"
	"io"
	"math"
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
	noPos   bool   // the header has no lat and lon columns and no further pair
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
	if h.noPos {
		// A header with only geometry columns: nowhere to write Pos.
		e = geowarden.Edit{}
		w.Shape, w.Pos = r.Shape, r.Pos
	}
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
		if readCoordName(string(v)).axis != axisNone || isGeometryName(string(v)) {
			continue // Set would make the row bad or take its positions
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
	for _, pat := range []string{"testdata/*.csv", "testdata/*.tsv", "testdata/nogood/*", "testdata/leak/*.csv", "testdata/leak/*.txt"} {
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
		"lat;lon;dest_lat;dest_lon;latitudeE7;longitudeE7\n1;2;3,5;4,25;358506000;144506000\n",
		"stop_lat,stop_lon,geom,note\n1,2,\"MULTIPOLYGON(((1 2,3 4,5 6,1 2)),EMPTY)\",\"at 35.8506, 14.4506\"\n",
		"id\tWKT\tx\n1\tSRID=4326;POINT ZM (1 2 3 4)\t0020000001000010E6402CE6B50B0F27BB4041ECE075F6FD22\n",
		"lat,lon,lat,lon,n\n1,2,3,4,\"35°51'02\"\"N 14°27'01\"\"E; 3551.036,N,01427.036,E\"\n",
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

			moreRoundTrip(t, in, max)

			// Edits read back as made.
			out.Reset()
			ed := &fuzzEdit{setName: settable(in), noPos: lenient.noPos(in)}
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

// noPos reports whether the header of in has neither lat and lon columns
// nor a further pair: records then have no Pos to write.
func (h *testHandler) noPos(in []byte) bool {
	for _, r := range h.recs {
		if r.Shape == geowarden.ShapePoint {
			return false
		}
	}
	rw := &rewriter{sp: newSplitter(bytes.NewReader(in), "fuzz", DefaultMaxRecordBytes)}
	if rw.sp.start() != nil {
		return true
	}
	d, err := rw.sp.sniff()
	if err != nil {
		return true
	}
	rw.sp.delim = d
	for {
		k, err := rw.sp.next()
		if err != nil {
			return true
		}
		if k != kindEmpty {
			if rw.readHeader(k) != nil {
				return true
			}
			return rw.col[format.RoleLat] < 0 && rw.mainPair < 0
		}
	}
}

// morePos is where moreRoundTrip moves the k-th other position: values
// that 7 decimals and E7 integers write exactly.
func morePos(k int) geowarden.Point {
	return geowarden.Point{Lon: float64(k%359-179) + 0.125, Lat: float64(k%179-89) + 0.5}
}

// moreRoundTrip moves every record's other positions and redacts its text
// positions, then reads the output back: the same records, their other
// positions where they were moved, their own positions unchanged.
func moreRoundTrip(t *testing.T, in []byte, max int) {
	ctx := context.Background()
	var out bytes.Buffer
	k := 0
	var want [][]geowarden.Point
	var pos []geowarden.Point
	ed := &testHandler{bad: dropBad, edit: func(r *geowarden.Record) geowarden.Edit {
		pos = append(pos, r.Pos)
		var e geowarden.Edit
		if len(r.More) > 0 {
			e.Move, e.Pos = true, r.Pos
			for range r.More {
				e.More = append(e.More, morePos(k))
				k++
			}
		}
		want = append(want, e.More)
		for i := range r.Text {
			e.Redact = append(e.Redact, i)
		}
		return e
	}}
	if err := (Codec{}).Rewrite(ctx, bytes.NewReader(in), &out, ed, &format.Options{Name: "fuzz", MaxRecordBytes: max}); err != nil {
		t.Fatalf("max %d: moving other positions: %v", max, err)
	}
	again := &testHandler{}
	if err := (Codec{}).Rewrite(ctx, bytes.NewReader(out.Bytes()), io.Discard, again, &format.Options{Name: "fuzz"}); err != nil {
		t.Fatalf("max %d: reading the output with other positions moved %q: %v", max, out.Bytes(), err)
	}
	if len(again.recs) != len(want) {
		t.Fatalf("max %d: %d records after moving other positions, want %d", max, len(again.recs), len(want))
	}
	for i, r := range again.recs {
		if r.Pos != pos[i] {
			t.Fatalf("max %d: record %d: position %v after moving the others, want %v", max, i, r.Pos, pos[i])
		}
		if want[i] == nil {
			continue
		}
		if len(r.More) != len(want[i]) {
			t.Fatalf("max %d: record %d: %d other positions read back, want %d\n%q", max, i, len(r.More), len(want[i]), out.Bytes())
		}
		for j, p := range r.More {
			if w := want[i][j]; math.Abs(p.Lon-w.Lon) > 1e-9 || math.Abs(p.Lat-w.Lat) > 1e-9 {
				t.Fatalf("max %d: record %d: other position %d read back at %v, want %v\n%q", max, i, j, p, w, out.Bytes())
			}
		}
	}
}
