package jpeg

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

// fuzzOpts keeps one fuzz input's memory small.
func fuzzOpts() *format.Options { return &format.Options{Name: "fuzz", MaxRecordBytes: 1 << 20} }

// addSeeds adds the samples' headers, each followed by a short scan, and
// the synthetic files.
func addSeeds(f *testing.F) {
	for _, name := range samples(f) {
		in := read(f, name)
		sos := len(in) - len(afterSOS(in))
		if afterSOS(in) == nil || sos > 48<<10 {
			continue
		}
		f.Add(append(in[:sos:sos], scanData...))
	}
	exif := exifSegment(tiffSpec{bo: bigEndian, ifd0: ifd0Fields(bigEndian), gps: gpsFields(bigEndian)}.build())
	exifLE := exifSegment(tiffSpec{bo: littleEndian, ifd0: ifd0Fields(littleEndian), gps: gpsFields(littleEndian), next0: 8}.build())
	xmp := xmpSegment(xmpPacket(" exif:GPSLatitude='43,28.0293N' drone-dji:GpsLongtitude='+11.8853944'", "  <exif:GPSLongitude>11,53.1237E</exif:GPSLongitude>\n  <exif:GPSTimeStamp>2008-10-23T14:28:17Z</exif:GPSTimeStamp>\n"))
	std, chunks, _ := extXMP(`<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description exif:GPSLatitude='43,28.0293333N' exif:GPSLongitude='11,53.1236667E'/></rdf:RDF></x:xmpmeta>`, 2)
	text := xmpSegment(xmpPacket(" exif:GPSDestLatitude='43,29.1N' exif:GPSDestLongitude='11,53.2E'", "  <dc:description><rdf:Alt><rdf:li>at 43.4667&#176;N 11.8853&#176;E &amp; 43.5, 11.9</rdf:li></rdf:Alt></dc:description>\n  <Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li exif:GPSLatitude='43.1' exif:GPSLongitude='11.2'/></rdf:Bag></Iptc4xmpExt:LocationShown>\n"))
	mpf := seg(0xE2, []byte("MPF\x00MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"))
	for _, in := range [][]byte{
		jpegOf(exif),
		jpegOf(exifLE, xmp),
		jpegOf(exif, mpf, xmp),
		jpegOf(exif, text),
		jpegOf(exif, mpf, text),
		jpegOf(std, chunks[0], chunks[1]),
		append(jpegOf(exif), jpegOf(exifLE)...),
		append(jpegOf(), "\x00\x00\x00\x18ftypmp42"...),
		{0xFF, 0xD8, 0xFF, 0xFF, 0xE0, 0x00, 0x02, 0xFF, 0xD9},
	} {
		f.Add(in)
	}
}

// FuzzRewrite: whatever the input, a keep-all rewrite either fails with a
// located error or writes the input back byte for byte, and a scan agrees.
func FuzzRewrite(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		err := Codec{}.Rewrite(context.Background(), bytes.NewReader(in), &out, &formattest.KeepAll{}, fuzzOpts())
		err2 := Codec{}.Rewrite(context.Background(), bytes.NewReader(in), nil, &formattest.KeepAll{}, fuzzOpts())
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("rewrite and scan disagree: %v / %v", err, err2)
		}
		if err != nil {
			var pe *format.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, not a *format.ParseError", err)
			}
			if pe.Offset < 0 || pe.Offset > int64(len(in)) || pe.File != "fuzz" {
				t.Fatalf("bad location %q @%d for %d bytes: %v", pe.File, pe.Offset, len(in), err)
			}
			return
		}
		if !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("keep-all output differs from the input:\nin  %q\nout %q", in, out.Bytes())
		}
	})
}

// FuzzEdit: a Drop (bad records dropped too) leaves no position that the
// codec can find, in the photo's own tags or in its text; a Move leaves
// only the new positions, one for each; a redaction leaves none of the
// redacted text positions and every other position as it was; the image
// data from SOS on never changes.
func FuzzEdit(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &collector{edit: geowarden.Edit{Drop: true}}
		var out bytes.Buffer
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), &out, c, fuzzOpts()); err != nil {
			return
		}
		s := &collector{failBad: true}
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(out.Bytes()), nil, s, fuzzOpts()); err != nil {
			t.Fatalf("the dropped output does not read again: %v\nin  %q\nout %q", err, in, out.Bytes())
		}
		if len(s.recs) != 1 || s.recs[0].Shape != geowarden.ShapeNone || len(s.recs[0].More) > 0 || len(s.recs[0].Text) > 0 {
			t.Fatalf("a position survives the drop: %s\nin  %q\nout %q", summary(s), in, out.Bytes())
		}
		if !bytes.Equal(firstScan(out.Bytes()), firstScan(in)) {
			t.Fatalf("image data changed\nin  %q\nout %q", in, out.Bytes())
		}
		if len(c.recs) != 1 {
			return
		}
		rec := c.recs[0]
		if len(rec.Text) > 0 {
			redactAll(t, in, &rec)
		}
		if rec.Shape != geowarden.ShapePoint && len(rec.More) == 0 {
			return
		}
		out.Reset()
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), &out, &collector{edit: moveEdit}, fuzzOpts()); err != nil {
			if errors.Is(err, ErrEdit) {
				return // an edit that cannot be made in place is refused, not botched
			}
			t.Fatalf("move: %v", err)
		}
		s = &collector{failBad: true}
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(out.Bytes()), nil, s, fuzzOpts()); err != nil {
			t.Fatalf("the moved output does not read again: %v\nin  %q\nout %q", err, in, out.Bytes())
		}
		r := s.recs[0]
		if r.Shape != rec.Shape || r.Shape == geowarden.ShapePoint && (math.Abs(r.Pos.Lat-50.5) > 1e-6 || math.Abs(r.Pos.Lon+7.25) > 1e-6) || len(r.More) != len(rec.More) {
			t.Fatalf("after the move: %s\nin  %q\nout %q", summary(s), in, out.Bytes())
		}
		for _, p := range r.More {
			if distance(p, moveEdit.Pos) > 1 {
				t.Fatalf("after the move, another position is at %v: %s\nin  %q\nout %q", p, summary(s), in, out.Bytes())
			}
		}
	})
}

// redactAll redacts every text position of rec and checks the output.
func redactAll(t *testing.T, in []byte, rec *geowarden.Record) {
	var ed geowarden.Edit
	for i := range rec.Text {
		ed.Redact = append(ed.Redact, i)
	}
	var out bytes.Buffer
	if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), &out, &collector{edit: ed}, fuzzOpts()); err != nil {
		if errors.Is(err, ErrEdit) {
			return
		}
		t.Fatalf("redact: %v", err)
	}
	s := &collector{failBad: true}
	if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(out.Bytes()), nil, s, fuzzOpts()); err != nil {
		t.Fatalf("the redacted output does not read again: %v\nin  %q\nout %q", err, in, out.Bytes())
	}
	r := s.recs[0]
	if r.Shape != rec.Shape || r.Pos != rec.Pos || len(r.More) != len(rec.More) {
		t.Fatalf("redacting text moved a position: %s\nin  %q\nout %q", summary(s), in, out.Bytes())
	}
	for _, tp := range r.Text {
		for _, old := range rec.Text {
			if distance(tp.Pos, old.Pos) < 1 {
				t.Fatalf("a redacted text position survives: %+v\nin  %q\nout %q", tp, in, out.Bytes())
			}
		}
	}
	if !bytes.Equal(firstScan(out.Bytes()), firstScan(in)) {
		t.Fatalf("image data changed\nin  %q\nout %q", in, out.Bytes())
	}
}

// FuzzHEIC: the HEIF reader never fails a scan, and reports at most one
// notice with a valid position.
func FuzzHEIC(f *testing.F) {
	in := read(f, "testdata/exif-samples/IMG_5195-head8k.HEIC")
	f.Add(in)
	f.Add(in[:3000])
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &collector{}
		if err := (HEICCodec{}).Rewrite(context.Background(), bytes.NewReader(in), nil, c, fuzzOpts()); err != nil {
			t.Fatalf("scan: %v", err)
		}
		if len(c.notices) != 1 {
			t.Fatalf("%d notices", len(c.notices))
		}
		if p := c.notices[0].Pos; p != nil && format.CheckPoint(p.Lon, p.Lat) != nil {
			t.Fatalf("invalid position %v", *p)
		}
	})
}
