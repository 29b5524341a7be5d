package kml

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

// watchdog crashes the fuzz worker (so that the input is kept) when one
// input runs for more than 10 seconds.
func watchdog(in []byte) func() {
	t := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hang on %q", in)) })
	return func() { t.Stop() }
}

// fuzzOpts keeps one fuzz input's memory small.
func fuzzOpts() *format.Options { return &format.Options{Name: "fuzz", MaxRecordBytes: 1 << 20} }

func addSeeds(f *testing.F) {
	for _, name := range inputs(f) {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 32<<10 {
			b = b[:32<<10] // truncated: a seed for error paths
		}
		f.Add(b)
	}
	for _, s := range []string{
		doc(trackDoc),
		doc(`<Placemark><MultiGeometry><Point><coordinates>1,2</coordinates></Point><LineString><coordinates>1,2 3,4</coordinates></LineString></MultiGeometry></Placemark>`),
		doc(`<GroundOverlay><LatLonBox><north>1</north><south>0</south><east>-179</east><west>179</west><rotation>30</rotation></LatLonBox></GroundOverlay>`),
		doc(`<NetworkLink><Link><href>a.kml</href></Link></NetworkLink><Placemark><ExtendedData><Data name="ssid"><value>x</value></Data></ExtendedData><Point><coordinates>&#49;,2</coordinates></Point></Placemark>`),
		`<?xml version="1.0" encoding="ISO-8859-1"?><!DOCTYPE kml><kml><Placemark><name>` + "\xe9" + `</name><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 1,0 1,1</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></kml>`,
		`<kml><Placemark><gx:MultiTrack><gx:Track><when>2020</when><gx:coord>1 2</gx:coord><gx:coord/></gx:Track></gx:MultiTrack></Placemark><![CDATA[x]]><?p?></kml>`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzRewrite: whatever the input, a keep-all rewrite either fails with a
// located error or writes the input back byte for byte; scanning agrees
// with rewriting; and what the codec accepts, encoding/xml accepts.
func FuzzRewrite(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		defer watchdog(in)()
		var out bytes.Buffer
		h1, h2 := &formattest.KeepAll{}, &formattest.KeepAll{}
		err := Codec{}.Rewrite(context.Background(), bytes.NewReader(in), &out, h1, fuzzOpts())
		err2 := Codec{}.Rewrite(context.Background(), bytes.NewReader(in), nil, h2, fuzzOpts())
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() || h1.N != h2.N {
			t.Fatalf("rewrite and scan disagree: %v / %v, %d / %d records", err, err2, h1.N, h2.N)
		}
		if err != nil {
			var pe *format.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, not a *format.ParseError", err)
			}
			if pe.Line < 1 || pe.Offset < 0 || pe.Offset > int64(len(in)) {
				t.Fatalf("bad location %d:%d @%d for %d bytes: %v", pe.Line, pe.Column, pe.Offset, len(in), err)
			}
			if want := int64(bytes.Count(in[:pe.Offset], []byte{'\n'})) + 1; int64(pe.Line) != want {
				t.Fatalf("line %d does not match offset %d (line %d): %v", pe.Line, pe.Offset, want, err)
			}
			return
		}
		if !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("keep-all output differs from the input:\nin  %q\nout %q", in, out.Bytes())
		}
		if err := xmlError(in); err != nil {
			t.Fatalf("accepted, but encoding/xml says: %v\nin %q", err, in)
		}
	})
}

// xmlError returns what encoding/xml finds wrong in b, when b is UTF-8
// (or ISO-8859-1) by its declaration.
func xmlError(b []byte) error {
	if bytes.HasPrefix(b, []byte("<?xml")) && !bytes.Contains(b[:min(len(b), 100)], []byte(`encoding="UTF-8"`)) && !bytes.Contains(b[:min(len(b), 100)], []byte(`encoding="ISO-8859-1"`)) {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = charset
	for {
		_, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// editAll drops every other record, moves points and cuts lines in two.
// soft counts the kept records that may not be read again: a record with
// no geometry of its own (only views or text), whose views go when its
// track is edited and whose text may be replaced by a Set.
type editAll struct{ n, kept, soft, redacted int }

func (e *editAll) Record(r *geowarden.Record) geowarden.Edit {
	i := e.n
	e.n++
	if i%2 == 1 {
		return geowarden.Edit{Drop: true}
	}
	e.kept++
	if r.Shape == geowarden.ShapeNone && (len(r.More) > 0 || len(r.Text) > 0) {
		e.soft++
	}
	if len(r.Text) > 0 && i%4 == 2 {
		// Redact every position written in text.
		ed := geowarden.Edit{}
		for j := range r.Text {
			ed.Redact = append(ed.Redact, j)
		}
		e.redacted++
		return ed
	}
	switch r.Shape {
	case geowarden.ShapePoint:
		return geowarden.Edit{Move: true, Pos: shift(r.Pos), Retime: !r.Time.IsZero(), Time: r.Time.Add(1)}
	case geowarden.ShapeLine:
		var ls [][]geowarden.Point
		for _, l := range r.Lines {
			ls = append(ls, shiftAll(l), shiftAll(l))
		}
		return geowarden.Edit{Move: true, Lines: ls, Strip: []string{"name", "time"}}
	case geowarden.ShapeArea:
		e.kept--
		return geowarden.Edit{Drop: true}
	}
	return geowarden.Edit{Set: []geowarden.Attr{{Name: "description", Value: "<x>"}}}
}

func (e *editAll) Bad(*format.ParseError) error { return nil }

// FuzzEdit: edited output reads again, with as many records as were
// kept; with positions redacted from text, it is still well formed for
// encoding/xml.
func FuzzEdit(f *testing.F) {
	addSeeds(f)
	for _, s := range []string{
		doc(`<Placemark><description><![CDATA[<p>35.8506<br>14.4506]>]]>&amp;35&#176;51'02"N 14&#176;27'01"E</description><Point><coordinates>1,2</coordinates></Point></Placemark>`),
		doc(`<Placemark><name>a</name></Placemark><Placemark><name>b</name><Snippet>at 35.8506,14.4506]></Snippet><ExtendedData><Data name="x"><value>POINT(1.5 2.5)</value></Data></ExtendedData></Placemark>`),
		doc(`<LookAt><longitude>1</longitude><latitude>2</latitude></LookAt><Folder><Region><LatLonAltBox><north>1</north><south>0</south><east>1</east><west>0</west></LatLonAltBox></Region><description>1.5 N 2.5 E</description></Folder>`),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		defer watchdog(in)()
		h := &editAll{}
		var out bytes.Buffer
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), &out, h, fuzzOpts()); err != nil {
			return
		}
		k := &formattest.KeepAll{}
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(out.Bytes()), nil, k, fuzzOpts()); err != nil {
			t.Fatalf("output does not read again: %v\nin  %q\nout %q", err, in, out.Bytes())
		}
		if k.N > h.kept || k.N < h.kept-h.soft {
			t.Fatalf("output has %d records, want %d (%d of them may go)\nin  %q\nout %q", k.N, h.kept, h.soft, in, out.Bytes())
		}
		if h.redacted > 0 {
			if err := xmlError(out.Bytes()); err != nil {
				t.Fatalf("redacted output: encoding/xml says: %v\nin  %q\nout %q", err, in, out.Bytes())
			}
		}
	})
}

// FuzzKMZ: an archive never panics the KMZ codec; what it accepts and
// rewrites reads again.
func FuzzKMZ(f *testing.F) {
	f.Add(fixture(f))
	f.Add(buildZip(f, "", member{name: "doc.kml", data: []byte(doc(trackDoc)), method: zip.Deflate}))
	f.Add(buildZip(f, "", member{name: "a/../doc.kml", data: []byte("<kml/>")}))
	f.Add([]byte("PK\x05\x06"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		h := &editAll{}
		err := KMZCodec{}.Rewrite(context.Background(), bytes.NewReader(in), &out, h, fuzzOpts())
		if err != nil {
			var pe *format.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, not a *format.ParseError", err)
			}
			return
		}
		if err := (KMZCodec{}).Rewrite(context.Background(), bytes.NewReader(out.Bytes()), nil, &formattest.KeepAll{}, fuzzOpts()); err != nil {
			t.Fatalf("output does not read again: %v", err)
		}
	})
}
