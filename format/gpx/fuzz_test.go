package gpx

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

// fuzzOpts keeps one fuzz input's memory small.
func fuzzOpts() *format.Options { return &format.Options{Name: "fuzz", MaxRecordBytes: 64 << 10} }

func addSeeds(f *testing.F) {
	for _, name := range inputs(f) {
		if strings.HasPrefix(name, "acceptance/") {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 16<<10 {
			continue
		}
		f.Add(b)
	}
	for _, s := range []string{
		track, route,
		head + "<wpt lat=\"1\" lon=\"2\"><extensions><x:rpt xmlns:x=\"u\" lat=\"3\" lon=\"4\"/></extensions></wpt></gpx>",
		"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<gpx><wpt lat=\"&#49;\" lon='2'><name><![CDATA[a]]>&amp;</name></wpt></gpx>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><gpx><wpt lat=\"1\" lon=\"2\"><name>\xe9</name></wpt></gpx>",
		"<!DOCTYPE gpx SYSTEM \"x\"><!-- c --><?pi x?><gpx/>",
		"<g:gpx xmlns:g=\"u\"><g:trk><g:trkseg><g:trkpt lat=\"1\" lon=\"1\"/><g:trkpt lat=\"2\" lon=\"2\"/></g:trkseg></g:trk></g:gpx>",
	} {
		f.Add([]byte(s))
	}
}

// FuzzRewrite: whatever the input, a keep-all rewrite either fails with a
// located error or writes the input back byte for byte; scanning agrees
// with rewriting; and what the codec accepts as UTF-8, encoding/xml
// accepts too.
func FuzzRewrite(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		(Codec{}).Detect("x.gpx", in)
		var out bytes.Buffer
		h := &formattest.KeepAll{}
		err := Codec{}.Rewrite(context.Background(), bytes.NewReader(in), &out, h, fuzzOpts())
		h2 := &formattest.KeepAll{}
		err2 := Codec{}.Rewrite(context.Background(), bytes.NewReader(in), nil, h2, fuzzOpts())
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() || h.N != h2.N {
			t.Fatalf("rewrite and scan disagree: %v (%d records) / %v (%d records)", err, h.N, err2, h2.N)
		}
		if err != nil {
			var pe *format.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, not a *format.ParseError", err)
			}
			if pe.Line < 1 || pe.Column < 1 || pe.Offset < 0 || pe.Offset > int64(len(in)) {
				t.Fatalf("bad location %d:%d @%d for %d bytes: %v", pe.Line, pe.Column, pe.Offset, len(in), err)
			}
			if want := offsetOf(string(in), pe.Line, pe.Column); want != pe.Offset {
				t.Fatalf("offset %d does not match %d:%d (%d): %v", pe.Offset, pe.Line, pe.Column, want, err)
			}
			return
		}
		if !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("keep-all output differs from the input:\nin  %q\nout %q", in, out.Bytes())
		}
		if len(in) <= format.HeadSize && !(Codec{}).Detect("x", in) {
			t.Fatalf("read as GPX, but Detect = false: %q", in)
		}
		if plainUTF8(in) {
			d := xml.NewDecoder(bytes.NewReader(in))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("accepted, but encoding/xml says: %v\n%q", err, in)
				}
			}
		}
	})
}

// plainUTF8 reports whether encoding/xml can be compared with the codec on
// in: UTF-8 without a declared encoding or DOCTYPE.
func plainUTF8(in []byte) bool {
	return !bytes.Contains(in, []byte("encoding")) && !bytes.Contains(in, []byte("<!DOCTYPE")) && !bytes.HasPrefix(in, bom)
}

// embeds reports whether a record's element holds elements with their own
// position (which stripping or replacing text could take along).
func embeds(r *geowarden.Record) bool {
	a := r.Attrs.(*pointAttrs)
	p := &a.s.p
	for j := a.i + 1; j < p.elems[a.i].descEnd; j++ {
		if p.elems[j].latlon {
			return true
		}
	}
	return false
}

// FuzzEdit: with edits chosen by ops, the output reads again with exactly
// the records that were kept or moved, at the positions expected; every
// position in free text is redacted, and none is read again; <bounds> in
// the output are the extent of the points written.
func FuzzEdit(f *testing.F) {
	addSeeds(f)
	for _, c := range textCases {
		f.Add([]byte(c.in))
	}
	f.Add([]byte(head + "<metadata><bounds minlat=\"0\" minlon=\"0\" maxlat=\"9\" maxlon=\"9\"/></metadata>" + `<wpt lat="1" lon="2"><name>3.4567, 5.6789</name></wpt><wpt lat="3" lon="4"/></gpx>`))
	f.Fuzz(func(t *testing.T, in []byte) {
		ops := in
		if len(ops) > 64 {
			ops = ops[len(ops)-64:]
		}
		var want []geowarden.Point
		var kept []geowarden.Point // of waypoints, route and track points
		n, bad := 0, 0
		var edit func(i int, r *geowarden.Record) geowarden.Edit
		changed := false
		h := &funcHandler{
			f: func(i int, r *geowarden.Record) geowarden.Edit {
				if r.Shape == geowarden.ShapeNone {
					return geowarden.Edit{Redact: allText(r)}
				}
				ed := edit(i, r)
				changed = changed || ed.Drop || ed.Move
				if !ed.Drop {
					ed.Redact = allText(r)
					a := r.Attrs.(*pointAttrs)
					if a.i == 0 && a.s.p.structural {
						kept = append(kept, want[len(want)-1])
					}
				}
				return ed
			},
			bad: func(*format.ParseError) error { bad++; return nil },
		}
		edit = func(i int, r *geowarden.Record) geowarden.Edit {
			n++
			op := byte(i)
			if len(ops) > 0 {
				op = ops[i%len(ops)]
			}
			switch op % 6 {
			case 1:
				return geowarden.Edit{Drop: true}
			case 2:
				q := shift(r.Pos)
				want = append(want, geowarden.Point{Lon: round7(q.Lon), Lat: round7(q.Lat)})
				return geowarden.Edit{Move: true, Pos: q}
			case 3, 4:
				if embeds(r) {
					break
				}
				want = append(want, r.Pos)
				if op%6 == 4 {
					return geowarden.Edit{Retime: true, Time: time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC), Set: []geowarden.Attr{{Name: "time", Value: "y"}}}
				}
				return geowarden.Edit{Strip: []string{"name", "extensions"}, Set: []geowarden.Attr{{Name: "desc", Value: "<&\"'>\u00e9"}, {Name: "link", Value: "x"}}}
			case 5:
				if !embeds(r) {
					want = append(want, r.Pos)
					return geowarden.Edit{Strip: []string{"rpt", "src", "cmt"}}
				}
			}
			want = append(want, r.Pos)
			return geowarden.Keep
		}
		var out bytes.Buffer
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), &out, h, fuzzOpts()); err != nil {
			return
		}
		back := &recorder{}
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(out.Bytes()), nil, back, fuzzOpts()); err != nil {
			t.Fatalf("output does not read again: %v\nin  %q\nout %q", err, in, out.Bytes())
		}
		if len(back.recs) != len(want) {
			t.Fatalf("read back %d records, want %d\nin  %q\nout %q", len(back.recs), len(want), in, out.Bytes())
		}
		for i, r := range back.recs {
			if r.Pos != want[i] {
				t.Fatalf("record %d at %v, want %v\nin  %q\nout %q", i, r.Pos, want[i], in, out.Bytes())
			}
			if len(r.Text) > 0 {
				t.Fatalf("record %d: text positions left after redacting all: %v\nin  %q\nout %q", i, r.Text, in, out.Bytes())
			}
		}
		if back.text > 0 {
			t.Fatalf("%d text records left after redacting all\nin  %q\nout %q", back.text, in, out.Bytes())
		}
		if !bytes.Contains(out.Bytes(), []byte("bounds")) {
			return
		}
		v, ok := readXML(t, out.Bytes())
		if !ok || len(v.bounds) == 0 || !changed && bad == 0 {
			return
		}
		for _, b := range v.bounds {
			if len(kept) == 0 {
				t.Fatalf("bounds %v, but no point is written\nin  %q\nout %q", b, in, out.Bytes())
			}
			if x := extentOf(kept); b != x {
				t.Fatalf("bounds %v, want %v\nin  %q\nout %q", b, x, in, out.Bytes())
			}
		}
	})
}

// knownStricter lists the errors for well-formedness rules that
// encoding/xml does not check (it is a tokenizer, lenient on purpose) and
// this codec does.
var knownStricter = []string{
	"duplicate attribute", "']]>'", "'--'", "comment must not end",
	"invalid character",    // encoding/xml reads invalid UTF-8 as U+FFFD
	"expected white space", // between attributes
}

// FuzzRefusals: a document that encoding/xml reads as one <gpx> element,
// with nothing but white space, comments and processing instructions
// around it, is not refused as malformed, except for the rules in
// knownStricter.
func FuzzRefusals(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if !plainUTF8(in) || len(in) > 8000 {
			return
		}
		d := xml.NewDecoder(bytes.NewReader(in))
		depth, roots := 0, 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			switch x := tok.(type) {
			case xml.StartElement:
				if depth == 0 {
					roots++
					if x.Name.Local != "gpx" {
						return
					}
				}
				depth++
			case xml.EndElement:
				depth--
			case xml.CharData:
				if depth == 0 && len(bytes.TrimSpace(x)) > 0 {
					return
				}
			case xml.ProcInst:
				if strings.EqualFold(x.Target, "xml") {
					return
				}
			case xml.Directive:
				return
			}
		}
		if roots != 1 {
			return
		}
		h := &funcHandler{f: func(int, *geowarden.Record) geowarden.Edit { return geowarden.Keep }, bad: func(*format.ParseError) error { return nil }}
		err := Codec{}.Rewrite(context.Background(), bytes.NewReader(in), io.Discard, h, fuzzOpts())
		if err != nil && errors.Is(err, ErrSyntax) {
			m := err.Error()
			for _, ok := range knownStricter {
				if strings.Contains(m, ok) {
					return
				}
			}
			t.Fatalf("encoding/xml accepts, we refuse: %v\n%q", err, in)
		}
	})
}
