package jpeg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/geotext"
)

func TestDetect(t *testing.T) {
	cases := []struct {
		name string
		head []byte
		jpeg bool
		heic bool
	}{
		{"JFIF", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), true, false},
		{"EXIF", []byte("\xFF\xD8\xFF\xE1\x10\x00Exif\x00\x00"), true, false},
		{"SOI only", []byte("\xFF\xD8"), false, false},
		{"SOI then garbage", []byte("\xFF\xD8\x00\x00"), false, false},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), false, false},
		{"HEIC", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), false, true},
		{"HEIF mif1 compatible", []byte("\x00\x00\x00\x1cftypmsf1\x00\x00\x00\x00msf1mif1hevc"), false, true},
		{"AVIF", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"), false, true},
		{"MP4 video", []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), false, false},
		{"QuickTime", []byte("\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  "), false, false},
		{"empty", nil, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := (Codec{}).Detect("x", c.head); got != c.jpeg {
				t.Errorf("Codec.Detect = %v, want %v", got, c.jpeg)
			}
			if got := (HEICCodec{}).Detect("x", c.head); got != c.heic {
				t.Errorf("HEICCodec.Detect = %v, want %v", got, c.heic)
			}
		})
	}
	if n := (Codec{}).Name(); n != "jpeg" {
		t.Errorf("Name() = %q, want jpeg", n)
	}
	if n := (HEICCodec{}).Name(); n != "heic" {
		t.Errorf("HEICCodec.Name() = %q, want heic", n)
	}
}

// TestKeepAll: a keep-all rewrite of every sample reproduces it byte for
// byte, and a scan sees what the rewrite sees.
func TestKeepAll(t *testing.T) {
	for _, f := range samples(t) {
		t.Run(strings.TrimPrefix(f, "testdata/"), func(t *testing.T) {
			in := read(t, f)
			c := &collector{failBad: true}
			out, err := rewrite(in, c)
			if len(c.bads) > 0 {
				return // a bad record is dropped, not kept: see TestBadSamples
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, in) {
				t.Fatalf("keep-all output differs from the input (%d vs %d bytes)", len(out), len(in))
			}
			s := scan(t, in)
			if !reflect.DeepEqual(s.result, c.result) {
				t.Errorf("scan and rewrite disagree:\nscan    %s\nrewrite %s", summary(s), summary(c))
			}
			if len(c.recs) != 1 {
				t.Errorf("got %d records, want 1", len(c.recs))
			}
		})
	}
}

// TestBadSamples: real files whose positions cannot be read or disagree.
func TestBadSamples(t *testing.T) {
	cases := []struct {
		file string
		kind error
		want string
	}{
		{"testdata/derived/shown-lat-only.jpg", ErrXMP, "1 latitudes and 0 longitudes (Iptc4xmpExt:LocationShown)"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			in := read(t, c.file)
			col := &collector{failBad: true}
			_, err := rewrite(in, col)
			var pe *format.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want a ParseError wrapping %v with %q", err, c.kind, c.want)
			}
			if pe.Offset <= 0 || pe.Offset >= int64(len(in)) || pe.File != "x.jpg" {
				t.Errorf("location %q @%d is not in the file", pe.File, pe.Offset)
			}
			// Bad returning nil: the output holds no position at all.
			out, err := rewrite(in, &collector{})
			if err != nil {
				t.Fatal(err)
			}
			s := scan(t, out)
			if len(s.bads) > 0 || len(s.recs) != 1 || s.recs[0].Shape != geowarden.ShapeNone {
				t.Errorf("after dropping the bad record: %s", summary(s))
			}
			if !bytes.Equal(afterSOS(out), afterSOS(in)) {
				t.Error("image data changed")
			}
		})
	}
}

// nonGPS returns the tags that a Drop must leave alone.
func nonGPS(m map[string]any) map[string]any {
	o := map[string]any{}
	for k, v := range m {
		switch {
		case strings.HasPrefix(k, "System:"), strings.HasPrefix(k, "File:"), strings.HasPrefix(k, "ExifTool:"),
			strings.HasPrefix(k, "SourceFile"), strings.Contains(strings.ToUpper(k), "GPS"), strings.HasSuffix(k, "HasExtendedXMP"):
		default:
			o[k] = v
		}
	}
	return o
}

// present reports whether ExifTool gave a tag.
func present(v any) bool { return v != nil }

// TestDropExiftool: after a Drop, ExifTool finds no GPS tag (GPSVersionID
// aside) in any sample, every other tag is as it was (but for positions
// written in text, redacted), and the image data is identical.
func TestDropExiftool(t *testing.T) {
	formattest.Tool(t, "exiftool")
	files := samples(t)
	dir := t.TempDir()
	var outs []string
	for i, f := range files {
		in := read(t, f)
		out, err := rewrite(in, &collector{edit: geowarden.Edit{Drop: true}})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !bytes.Equal(afterSOS(out), afterSOS(in)) || afterSOS(in) == nil {
			t.Errorf("%s: image data from SOS on changed", f)
		}
		s := scan(t, out)
		if len(s.bads) > 0 || len(s.recs) != 1 || s.recs[0].Shape != geowarden.ShapeNone {
			t.Errorf("%s: re-scan after Drop: %s", f, summary(s))
		}
		if bytes.Contains(out, []byte("GPSLatitude>")) || bytes.Contains(out, []byte("GPSLatitude=")) {
			t.Errorf("%s: an XMP GPSLatitude survives in the bytes", f)
		}
		outs = append(outs, filepath.Join(dir, fmt.Sprintf("%02d.jpg", i)))
		if err := os.WriteFile(outs[i], out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before, after := exifToolAll(t, files), exifToolAll(t, outs)
	for i, f := range files {
		if g := gpsTags(after[i]); len(g) > 0 {
			t.Errorf("%s: GPS tags survive: %v", f, g)
		}
		if len(gpsTags(before[i])) == 0 && before[i]["GPS:GPSVersionID"] == nil && !strings.Contains(fmt.Sprint(before[i]["ExifTool:Warning"]), "GPSInfo") && len(scan(t, read(t, f)).recs[0].Text) == 0 {
			// Nothing to remove: the photo comes out as it went in.
			if out := read(t, outs[i]); !bytes.Equal(out, read(t, f)) {
				t.Errorf("%s: a photo without GPS changed", f)
			}
		}
		if w, v := after[i]["ExifTool:Warning"], before[i]["ExifTool:Warning"]; w != nil && fmt.Sprint(w) != fmt.Sprint(v) {
			t.Errorf("%s: new ExifTool warning %q (was %v)", f, w, v)
		}
		b, a := nonGPS(before[i]), nonGPS(after[i])
		for k, v := range b {
			if _, text := geotext.Find([]byte(fmt.Sprint(v)), 0); text && present(a[k]) {
				continue // a position written in text, redacted
			}
			if w, ok := a[k]; !ok || fmt.Sprint(w) != fmt.Sprint(v) {
				t.Errorf("%s: %s: %v, now %v", f, k, v, w)
			}
		}
		for k, v := range a {
			if _, ok := b[k]; !ok {
				t.Errorf("%s: new tag %s: %v", f, k, v)
			}
		}
	}
}

// TestMoveExiftool: after a Move, ExifTool reads the new position from
// EXIF and XMP, and a re-scan agrees.
func TestMoveExiftool(t *testing.T) {
	formattest.Tool(t, "exiftool")
	dir := t.TempDir()
	var files, outs []string
	for _, f := range samples(t) {
		in := read(t, f)
		before := scan(t, in)
		if len(before.bads) > 0 || before.recs[0].Shape != geowarden.ShapePoint {
			continue
		}
		out, err := rewrite(in, &collector{edit: moveEdit})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !bytes.Equal(afterSOS(out), afterSOS(in)) {
			t.Errorf("%s: image data from SOS on changed", f)
		}
		s := scan(t, out)
		if len(s.bads) > 0 || len(s.recs) != 1 {
			t.Fatalf("%s: re-scan: %s", f, summary(s))
		}
		r := s.recs[0]
		if math.Abs(r.Pos.Lat-moveEdit.Pos.Lat) > 1e-6 || math.Abs(r.Pos.Lon-moveEdit.Pos.Lon) > 1e-6 {
			t.Errorf("%s: re-scan position %v, want %v", f, r.Pos, moveEdit.Pos)
		}
		if !before.recs[0].Time.IsZero() && !r.Time.Equal(moveEdit.Time) {
			t.Errorf("%s: re-scan time %v, want %v", f, r.Time, moveEdit.Time)
		}
		files = append(files, f)
		outs = append(outs, filepath.Join(dir, fmt.Sprintf("%02d.jpg", len(outs))))
		if err := os.WriteFile(outs[len(outs)-1], out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 10 {
		t.Fatalf("only %d samples with a position", len(files))
	}
	for i, m := range exifToolAll(t, outs, "-GPS*", "-XMP:GPS*") {
		for k, v := range m {
			f, ok := v.(float64)
			if !ok {
				continue
			}
			var want float64
			switch {
			case strings.HasSuffix(k, ":GPSLatitude"), strings.HasSuffix(k, ":GPSDestLatitude"):
				want = moveEdit.Pos.Lat
			case strings.HasSuffix(k, ":GPSLongitude"), strings.HasSuffix(k, ":GPSDestLongitude"):
				want = moveEdit.Pos.Lon
			default:
				continue
			}
			if strings.HasPrefix(k, "GPS:") {
				want = math.Abs(want) // the sign is in the Ref tag
			}
			if strings.Contains(k, "Dest") && f == 0 {
				continue // an empty destination (all zeros) is no position
			}
			if math.Abs(f-want) > 1e-6 {
				t.Errorf("%s: exiftool %s = %v, want %v", files[i], k, f, want)
			}
		}
		if p, _ := m["Composite:GPSPosition"].(string); p != "50.5 -7.25" {
			t.Errorf("%s: exiftool reads the position as %q after the move", files[i], p)
		}
	}
}

// TestSynthetic reads hand-made files: both byte orders, each position
// form, and corrupt EXIF and XMP.
func TestSynthetic(t *testing.T) {
	u32 := func(v uint32) *uint32 { return &v }
	gpsWith := func(bo binFmt, repl ...field) []field {
		fs := gpsFields(bo.bo())
		for _, r := range repl {
			found := false
			for i := range fs {
				if fs[i].tag == r.tag {
					fs[i], found = r, true
				}
			}
			if !found {
				fs = append(fs, r)
			}
		}
		return fs
	}
	without := func(fs []field, tag uint16) []field {
		var o []field
		for _, f := range fs {
			if f.tag != tag {
				o = append(o, f)
			}
		}
		return o
	}
	exif := func(bo binFmt, gps []field) []byte {
		return exifSegment(tiffSpec{bo: bo.bo(), ifd0: ifd0Fields(bo.bo()), gps: gps}.build())
	}
	type want struct {
		lat, lon float64 // NaN: no position
		bad      error
		msg      string
	}
	none := want{lat: math.NaN()}
	here := want{lat: wantLat, lon: wantLon}
	cases := []struct {
		name string
		in   []byte
		want want
	}{
		{"big-endian GPS IFD", jpegOf(exif(mm, gpsFields(mm.bo()))), here},
		{"little-endian GPS IFD", jpegOf(exif(ii, gpsFields(ii.bo()))), here},
		{"southern and western", jpegOf(exif(ii, gpsWith(ii, field{tag: 1, typ: 2, count: 2, val: asciiVal("S")}, field{tag: 3, typ: 2, count: 2, val: asciiVal("w")}))), want{lat: -wantLat, lon: -wantLon}},
		{"one rational each", jpegOf(exif(mm, gpsWith(mm, field{tag: 2, typ: 5, count: 1, val: rats(mm.bo(), 4346, 100)}, field{tag: 4, typ: 5, count: 1, val: rats(mm.bo(), 1188, 100)}))), want{lat: 43.46, lon: 11.88}},
		{"signed rationals", jpegOf(exif(mm, gpsWith(mm, field{tag: 2, typ: 10, count: 3, val: rats(mm.bo(), 43, 1, 28, 1, 176, 100)}))), here},
		{"no GPS IFD", jpegOf(exifSegment(tiffSpec{bo: mm.bo(), ifd0: ifd0Fields(mm.bo())}.build())), none},
		{"no EXIF at all", jpegOf(seg(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))), none},
		{"all 0/0: no fix", jpegOf(exif(mm, gpsWith(mm, field{tag: 2, typ: 5, count: 3, val: rats(mm.bo(), 0, 0, 0, 0, 0, 0)}, field{tag: 4, typ: 5, count: 3, val: rats(mm.bo(), 0, 0, 0, 0, 0, 0)}))), none},
		{"zero denominator", jpegOf(exif(mm, gpsWith(mm, field{tag: 2, typ: 5, count: 3, val: rats(mm.bo(), 43, 0, 28, 1, 176, 100)}))), want{bad: ErrEXIF, msg: "GPSLatitude: value 1 is 43/0"}},
		{"half 0/0", jpegOf(exif(mm, gpsWith(mm, field{tag: 2, typ: 5, count: 3, val: rats(mm.bo(), 43, 1, 0, 0, 0, 0)}))), want{bad: ErrEXIF, msg: "2 of 3 values are 0/0"}},
		{"latitude without longitude", jpegOf(exif(mm, without(gpsFields(mm.bo()), 4))), want{bad: ErrEXIF, msg: "GPSLatitude without GPSLongitude"}},
		{"no hemisphere", jpegOf(exif(mm, without(gpsFields(mm.bo()), 1))), want{bad: ErrEXIF, msg: "the hemisphere is unknown"}},
		{"bad hemisphere", jpegOf(exif(mm, gpsWith(mm, field{tag: 1, typ: 2, count: 2, val: asciiVal("X")}))), want{bad: ErrEXIF, msg: `GPSLatitudeRef is 'X'`}},
		{"latitude out of range", jpegOf(exif(mm, gpsWith(mm, field{tag: 2, typ: 5, count: 3, val: rats(mm.bo(), 95, 1, 0, 1, 0, 1)}))), want{bad: format.ErrRange, msg: "latitude 95 outside"}},
		{"ASCII latitude", jpegOf(exif(mm, gpsWith(mm, field{tag: 2, typ: 2, count: 6, val: asciiVal("43.46")}))), want{bad: ErrEXIF, msg: "has type 2, not RATIONAL"}},
		{"absurd count", jpegOf(exif(mm, gpsWith(mm, field{tag: 2, typ: 5, count: 0xFFFFFFF0, raw: u32(8)}))), want{bad: ErrEXIF, msg: "has 4294967280 values"}},
		{"value past the end", jpegOf(exif(mm, gpsWith(mm, field{tag: 4, typ: 5, count: 3, raw: u32(60000)}))), want{bad: ErrEXIF, msg: "run past the"}},
		{"GPS IFD outside", jpegOf(exifSegment(tiffSpec{bo: mm.bo(), ifd0: ifd0Fields(mm.bo()), gps: gpsFields(mm.bo()), gpsOff: u32(1 << 30)}.build())), want{bad: ErrEXIF, msg: "IFD offset 1073741824 outside"}},
		{"GPS IFD is IFD0", jpegOf(exifSegment(tiffSpec{bo: mm.bo(), ifd0: ifd0Fields(mm.bo()), gps: gpsFields(mm.bo()), gpsOff: u32(8)}.build())), want{bad: ErrEXIF, msg: "leads back to another IFD"}},
		{"IFD0 chain loops", jpegOf(exifSegment(tiffSpec{bo: mm.bo(), ifd0: ifd0Fields(mm.bo()), gps: gpsFields(mm.bo()), next0: 8}.build())), here},
		{"GPS IFD truncated", jpegOf(exifSegment(append([]byte("MM\x00*\x00\x00\x00\x08\x00\x01\x88\x25\x00\x04\x00\x00\x00\x01\x00\x00\x00\x1a\x00\x00\x00\x00"), 0x01, 0x00))), want{bad: ErrEXIF, msg: "256 entries run past the end"}},
		{"two latitudes", jpegOf(exif(mm, append(gpsFields(mm.bo()), field{tag: 2, typ: 5, count: 3, val: rats(mm.bo(), 10, 1, 0, 1, 0, 1)}))), want{bad: ErrEXIF, msg: "two entries for tag 2"}},
		{"no TIFF header", jpegOf(exifSegment([]byte("XX\x00*\x00\x00\x00\x08"))), want{bad: ErrEXIF, msg: "no TIFF header"}},
		{"IFD0 outside", jpegOf(exifSegment([]byte("II*\x00\xff\x00\x00\x00"))), want{bad: ErrEXIF, msg: "IFD0: IFD offset 255 outside"}},
		{"XMP only, element form", jpegOf(xmpSegment(xmpPacket("", "  <exif:GPSLatitude>43,28.0293333N</exif:GPSLatitude>\n  <exif:GPSLongitude>11,53.1236667E</exif:GPSLongitude>\n"))), here},
		{"XMP only, attribute form, seconds", jpegOf(xmpSegment(xmpPacket(" exif:GPSLatitude='43,28,1.76N' exif:GPSLongitude=\"11,53,7.42E\"", ""))), here},
		{"XMP DJI decimal", jpegOf(xmpSegment(xmpPacket(" drone-dji:GpsLatitude=\"+43.4671556\" drone-dji:GpsLongtitude=\"+11.8853944\"", ""))), here},
		{"XMP character references", jpegOf(xmpSegment(xmpPacket(" exif:GPSLatitude='&#52;3,28.0293333N' exif:GPSLongitude='11,53.1236667&#x45;'", ""))), here},
		{"XMP and EXIF agree", jpegOf(exif(mm, gpsFields(mm.bo())), xmpSegment(xmpPacket(" exif:GPSLatitude='43,28.0293N' exif:GPSLongitude='11,53.1237E'", ""))), here},
		{"XMP 2 km away: a second position", jpegOf(exif(mm, gpsFields(mm.bo())), xmpSegment(xmpPacket(" exif:GPSLatitude='43,29.1N' exif:GPSLongitude='11,53.1237E'", ""))), here},
		{"XMP latitude alone", jpegOf(xmpSegment(xmpPacket(" exif:GPSLatitude='43,28.0293N'", ""))), want{bad: ErrXMP, msg: "1 latitudes and 0 longitudes"}},
		{"XMP wrong direction", jpegOf(xmpSegment(xmpPacket(" exif:GPSLatitude='43,28.0293E' exif:GPSLongitude='11,53.1237E'", ""))), want{bad: ErrXMP, msg: "direction E (want N or S)"}},
		{"XMP not a number", jpegOf(xmpSegment(xmpPacket(" exif:GPSLatitude='NaN' exif:GPSLongitude='11,53.1237E'", ""))), want{bad: ErrXMP, msg: `"NaN": want DDD,MM.mmmmN`}},
		{"XMP not a decimal", jpegOf(xmpSegment(xmpPacket(" drone-dji:GpsLatitude='0x1p-2' drone-dji:GpsLongitude='11.8'", ""))), want{bad: ErrXMP, msg: "is not a coordinate"}},
		{"XMP unknown entity", jpegOf(xmpSegment(xmpPacket(" exif:GPSLatitude='&lat;' exif:GPSLongitude='11,53.1237E'", ""))), want{bad: ErrXMP, msg: "unknown entity &lat;"}},
		{"XMP broken, mentions GPS", jpegOf(xmpSegment("<x:xmpmeta><exif:GPSLatitude>43,28N</x:xmpmeta>")), want{bad: ErrXMP, msg: "mentions GPS but does not parse"}},
		{"XMP broken, no GPS", jpegOf(xmpSegment("<x:xmpmeta><dc:title>x</x:xmpmeta>")), none},
		{"XMP with DTD", jpegOf(xmpSegment("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x exif:GPSLatitude='&e;'/>")), want{bad: ErrXMP, msg: "DTDs are not allowed"}},
		{"XMP empty values", jpegOf(xmpSegment(xmpPacket(" exif:GPSLatitude='' exif:GPSLongitude=''", ""))), none},
		{"XMP structured latitude", jpegOf(xmpSegment(xmpPacket("", "<exif:GPSLatitude><rdf:Alt><rdf:li>43,28N</rdf:li></rdf:Alt></exif:GPSLatitude><exif:GPSLongitude>11,53E</exif:GPSLongitude>"))), want{bad: ErrXMP, msg: "exif:GPSLatitude is a structure, not a value"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			col := &collector{failBad: true}
			_, err := rewrite(c.in, col)
			if c.want.bad != nil {
				var pe *format.ParseError
				if !errors.As(err, &pe) || !errors.Is(err, c.want.bad) || !strings.Contains(err.Error(), c.want.msg) {
					t.Fatalf("err = %v, want %v with %q", err, c.want.bad, c.want.msg)
				}
				if pe.Offset < 0 || pe.Offset >= int64(len(c.in)) {
					t.Errorf("offset %d outside the %d-byte file", pe.Offset, len(c.in))
				}
				if len(col.recs) != 0 {
					t.Errorf("a bad photo also gave a record: %s", summary(col))
				}
				// Dropped: no position, no GPS anywhere in the output.
				out, err := rewrite(c.in, &collector{})
				if err != nil {
					t.Fatal(err)
				}
				if s := scan(t, out); len(s.bads) > 0 || s.recs[0].Shape != geowarden.ShapeNone {
					t.Errorf("after dropping the bad record: %s", summary(s))
				}
				if !bytes.Equal(afterSOS(out), afterSOS(c.in)) {
					t.Error("image data changed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(col.recs) != 1 {
				t.Fatalf("%d records", len(col.recs))
			}
			r := col.recs[0]
			if math.IsNaN(c.want.lat) {
				if r.Shape != geowarden.ShapeNone {
					t.Errorf("position %v, want none", r.Pos)
				}
				return
			}
			if r.Shape != geowarden.ShapePoint || math.Abs(r.Pos.Lat-c.want.lat) > 1e-6 || math.Abs(r.Pos.Lon-c.want.lon) > 1e-6 {
				t.Errorf("position %v (shape %v), want lat %v lon %v", r.Pos, r.Shape, c.want.lat, c.want.lon)
			}
			// Dropping and moving: the re-scan sees none / the new one.
			out, err := rewrite(c.in, &collector{edit: geowarden.Edit{Drop: true}})
			if err != nil {
				t.Fatal(err)
			}
			if s := scan(t, out); len(s.bads) > 0 || s.recs[0].Shape != geowarden.ShapeNone {
				t.Errorf("after Drop: %s", summary(s))
			}
			out, err = rewrite(c.in, &collector{edit: moveEdit})
			if err != nil {
				t.Fatal(err)
			}
			if s := scan(t, out); len(s.bads) > 0 || math.Abs(s.recs[0].Pos.Lat-moveEdit.Pos.Lat) > 1e-7 || math.Abs(s.recs[0].Pos.Lon-moveEdit.Pos.Lon) > 1e-7 {
				t.Errorf("after Move: %s", summary(s))
			}
		})
	}
}

// binFmt names a byte order in tables.
type binFmt bool

const (
	mm binFmt = false
	ii binFmt = true
)

func (b binFmt) bo() binaryOrder {
	if b {
		return littleEndian
	}
	return bigEndian
}

func TestFatal(t *testing.T) {
	gps := read(t, "testdata/exiftool/GPS.jpg")
	cases := []struct {
		name string
		in   []byte
		kind error
		off  int64
		msg  string
	}{
		{"empty", nil, ErrNotJPEG, 0, "no SOI marker"},
		{"PNG", []byte("\x89PNG\r\n\x1a\n"), ErrNotJPEG, 0, "no SOI marker"},
		{"SOI only", []byte{0xFF, 0xD8}, ErrTruncated, 2, "before the image data"},
		{"cut in a marker", []byte{0xFF, 0xD8, 0xFF}, ErrTruncated, 3, "inside the marker at byte 2"},
		{"cut in a length", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00}, ErrTruncated, 5, "inside the header of the segment at byte 2"},
		{"cut in a segment", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10, 'E', 'x'}, ErrTruncated, 8, "inside the segment at byte 2 (18 bytes long)"},
		{"no marker", []byte{0xFF, 0xD8, 0x00}, ErrStructure, 2, "expected a marker at byte 2, found 0x00"},
		{"short length", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01}, ErrStructure, 2, "has length 1"},
		{"no EOI", gps[:len(gps)-2], ErrTruncated, int64(len(gps) - 2), "without an EOI marker"},
		{"cut after SOS", gps[:len(gps)-40], ErrTruncated, int64(len(gps) - 40), "without an EOI marker"},
		{"cut in a DHT between scans", jpegOf()[:2+24], ErrTruncated, 26, "inside the segment at byte 20"},
		{"cut in a DHT length", jpegOf()[:2+21], ErrTruncated, 23, "inside the header of the segment at byte 20"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, w := range []bool{false, true} {
				var err error
				if w {
					_, err = rewrite(c.in, &collector{})
				} else {
					err = (Codec{}).Rewrite(context.Background(), bytes.NewReader(c.in), nil, &collector{}, opts())
				}
				var pe *format.ParseError
				if !errors.As(err, &pe) || !errors.Is(err, c.kind) || pe.Offset != c.off || !strings.Contains(err.Error(), c.msg) {
					t.Fatalf("writer %v: err = %v (%#v), want %v at byte %d with %q", w, err, pe, c.kind, c.off, c.msg)
				}
			}
		})
	}
}

// TestTruncatedEverywhere: every prefix of a real photo that ends before
// its EOI marker is an error located inside the prefix.
func TestTruncatedEverywhere(t *testing.T) {
	in := read(t, "testdata/exiftool/GPS.jpg")
	for n := range len(in) {
		err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in[:n]), nil, &collector{}, opts())
		var pe *format.ParseError
		if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > int64(n) {
			t.Fatalf("prefix of %d bytes: err = %v", n, err)
		}
	}
}

func TestHEIC(t *testing.T) {
	in := read(t, "testdata/exif-samples/IMG_5195-head8k.HEIC")
	if !(HEICCodec{}).Detect("IMG_5195.HEIC", in) || (Codec{}).Detect("IMG_5195.HEIC", in) {
		t.Fatal("a HEIC file is not recognised as HEIC, or is taken for a JPEG")
	}
	c := &collector{}
	if err := (HEICCodec{}).Rewrite(context.Background(), bytes.NewReader(in), nil, c, opts()); err != nil {
		t.Fatalf("scan: %v", err)
	}
	if len(c.notices) != 1 || c.notices[0].Kind != "unsupported" || !strings.Contains(c.notices[0].Message, "HEIC") || len(c.recs) != 0 {
		t.Fatalf("scan saw %s, want one unsupported notice", summary(c))
	}
	// The position ExifTool reads: 39.0513444 N, 94.2887722 W.
	if p := c.notices[0].Pos; p == nil || math.Abs(p.Lat-39.0513444) > 1e-6 || math.Abs(p.Lon+94.2887722) > 1e-6 {
		t.Errorf("notice position %v, want 39.0513444, -94.2887722", p)
	}
	// Cut before the EXIF item, or garbage: still one notice, no position.
	for _, b := range [][]byte{in[:3000], in[:40], append(in[:24:24], make([]byte, 100)...)} {
		c := &collector{}
		if err := (HEICCodec{}).Rewrite(context.Background(), bytes.NewReader(b), nil, c, opts()); err != nil || len(c.notices) != 1 || c.notices[0].Pos != nil {
			t.Errorf("%d bytes: err %v, notices %+v", len(b), err, c.notices)
		}
	}
	var out bytes.Buffer
	err := (HEICCodec{}).Rewrite(context.Background(), bytes.NewReader(in), &out, c, opts())
	var pe *format.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrHEIC) || out.Len() != 0 {
		t.Errorf("rewrite: err = %v, %d bytes written; want ErrHEIC and nothing", err, out.Len())
	}
}

func TestNotices(t *testing.T) {
	cases := []struct {
		file string
		want string
	}{
		{"testdata/exiftool/FLIR.jpg", "FLIR segments"},
		{"testdata/exiftool/AFCP.jpg", "859 bytes after the end of the image"},
		{"testdata/gpsbabel/20180717_080125.jpg.jpg", "129 bytes after the end of the image"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			s := scan(t, read(t, c.file))
			if len(s.notices) != 1 || !strings.Contains(s.notices[0].Message, c.want) || s.notices[0].Kind != "unsupported" || s.notices[0].Ref.Feature != -1 {
				t.Errorf("notices %+v, want one with %q", s.notices, c.want)
			}
		})
	}
	// A video after the image (a "motion photo").
	in := append(jpegOf(), "\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"...)
	s := scan(t, in)
	if len(s.notices) != 1 || !strings.Contains(s.notices[0].Message, "MP4/MOV video") || s.notices[0].Ref.Offset != int64(len(jpegOf())) {
		t.Errorf("motion photo: notices %+v", s.notices)
	}
	// Padding after the image, or a few stray bytes, are not worth a notice.
	for _, tail := range [][]byte{make([]byte, 100), bytes.Repeat([]byte{0xFF}, 100), []byte("\x14junk")} {
		if s := scan(t, append(jpegOf(), tail...)); len(s.notices) != 0 {
			t.Errorf("trailer %q: notices %+v", tail, s.notices)
		}
	}
	// An APP segment that mentions coordinates geowarden does not read.
	s = scan(t, jpegOf(seg(0xEB, []byte("JP\x00\x00c2pa {\"exif:GPSLatitude\": \"43,28N\"}"))))
	if len(s.notices) != 1 || !strings.Contains(s.notices[0].Message, "APP11 segment at byte 2 mentions GPS") {
		t.Errorf("C2PA: notices %+v", s.notices)
	}
}

func TestContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := (Codec{}).Rewrite(ctx, bytes.NewReader(jpegOf()), nil, &collector{}, opts())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestHeaderCap: metadata beyond MaxRecordBytes is refused.
func TestHeaderCap(t *testing.T) {
	in := jpegOf(seg(0xE2, make([]byte, 5000)), seg(0xE2, make([]byte, 5000)))
	err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), nil, &collector{}, &format.Options{Name: "x", MaxRecordBytes: 8000})
	var pe *format.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, format.ErrTooLong) || pe.Offset != 5006 {
		t.Errorf("err = %v, want ErrTooLong at byte 5006", err)
	}
}

func TestRetimeStripSet(t *testing.T) {
	formattest.Tool(t, "exiftool")
	in := read(t, "testdata/exiftool/GoPro.jpg")
	tm := time.Date(2017, 10, 3, 15, 0, 0, 0, time.UTC)
	out, err := rewrite(in, &collector{edit: geowarden.Edit{
		Retime: true, Time: tm,
		Strip: []string{"Model", "nonexistent"},
		Set:   []geowarden.Attr{{Name: "source", Value: "0123456789abcdef0123456789abcdef"}, {Name: "make", Value: "Go"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	m := exifTool(t, writeTemp(t, "out.jpg", out))
	for k, want := range map[string]any{
		"Composite:GPSDateTime":    "2017:10:03 15:00:00Z",
		"ExifIFD:DateTimeOriginal": "2017:10:03 15:00:00",
		"ExifIFD:CreateDate":       "2017:10:03 15:00:00",
		"IFD0:ModifyDate":          "2017:10:03 15:00:00",
		"ExifIFD:SerialNumber":     "0123456789abcdef0123456789abcdef",
		"IFD0:Make":                "Go",
	} {
		if got := fmt.Sprint(m[k]); got != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	if v, ok := m["IFD0:Model"]; ok {
		t.Errorf("Model not stripped: %v", v)
	}
	if _, ok := m["Composite:GPSLatitude"]; !ok {
		t.Error("position lost")
	}
	s := scan(t, out)
	if r := s.recs[0]; !r.Time.Equal(tm) || r.Source != "0123456789abcdef0123456789abcdef" {
		t.Errorf("re-scan: %s", summary(s))
	}
	if !bytes.Equal(afterSOS(out), afterSOS(in)) {
		t.Error("image data changed")
	}
	// Retiming to the zero time removes the time fields.
	out, err = rewrite(in, &collector{edit: geowarden.Edit{Retime: true}})
	if err != nil {
		t.Fatal(err)
	}
	m = exifTool(t, writeTemp(t, "out.jpg", out))
	for _, k := range []string{"GPS:GPSTimeStamp", "GPS:GPSDateStamp", "ExifIFD:DateTimeOriginal", "ExifIFD:CreateDate"} {
		if v, ok := m[k]; ok {
			t.Errorf("%s survives a retime to zero: %v", k, v)
		}
	}
}
