package jpeg

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

// thumbnail extracts the EXIF thumbnail with ExifTool.
func thumbnail(t *testing.T, path string) []byte {
	t.Helper()
	out, err := exec.Command(formattest.Tool(t, "exiftool"), "-b", "-ThumbnailImage", path).Output()
	if err != nil || len(out) < 4 {
		t.Fatalf("exiftool -b -ThumbnailImage %s: %v (%d bytes)", path, err, len(out))
	}
	return out
}

// TestThumbnail: the EXIF thumbnail's own GPS IFD is read, dropped and
// moved with the photo's, and the thumbnail keeps its size.
func TestThumbnail(t *testing.T) {
	formattest.Tool(t, "exiftool")
	in := read(t, "testdata/derived/thumb-gps.jpg")
	th := thumbnail(t, "testdata/derived/thumb-gps.jpg")
	if g := gpsTags(exifTool(t, writeTemp(t, "th.jpg", th), "-GPS:all")); len(g) == 0 {
		t.Fatal("the sample's thumbnail has no GPS")
	}
	for _, c := range []struct {
		name string
		edit geowarden.Edit
	}{
		{"drop", geowarden.Edit{Drop: true}},
		{"move", moveEdit},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := rewrite(in, &collector{edit: c.edit})
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != len(in) {
				t.Errorf("output is %d bytes, input %d", len(out), len(in))
			}
			nt := thumbnail(t, writeTemp(t, "out.jpg", out))
			if len(nt) != len(th) {
				t.Errorf("thumbnail is %d bytes, was %d", len(nt), len(th))
			}
			m := exifTool(t, writeTemp(t, "th.jpg", nt), "-GPS:all")
			if c.edit.Drop {
				if g := gpsTags(m); len(g) > 0 {
					t.Errorf("the thumbnail keeps %v", g)
				}
			} else if lat, _ := m["GPS:GPSLatitude"].(float64); math.Abs(lat-50.5) > 1e-6 || m["GPS:GPSLongitudeRef"] != "W" {
				t.Errorf("the thumbnail's position: %v", m)
			}
			if !bytes.Equal(afterSOS(nt), afterSOS(th)) {
				t.Error("the thumbnail's image data changed")
			}
		})
	}
}

// TestThumbnailElsewhere: a thumbnail whose GPS IFD places it somewhere
// else is one more position of the photo (Record.More), dropped and moved
// with the others.
func TestThumbnailElsewhere(t *testing.T) {
	in := read(t, "testdata/derived/thumb-mismatch.jpg")
	c := scan(t, in)
	if len(c.bads) > 0 || len(c.recs) != 1 || len(c.recs[0].More) != 1 || c.recs[0].More[0] != (geowarden.Point{Lon: 20.5, Lat: 10.5}) {
		t.Fatalf("scan: %s", summary(c))
	}
	out, err := rewrite(in, &collector{edit: geowarden.Edit{Drop: true}})
	if err != nil {
		t.Fatal(err)
	}
	if s := scan(t, out); len(s.bads) > 0 || s.recs[0].Shape != geowarden.ShapeNone || len(s.recs[0].More) > 0 {
		t.Errorf("after Drop: %s", summary(s))
	}
	to := geowarden.Point{Lon: 20.25, Lat: 10.25}
	out, err = rewrite(in, &collector{edit: geowarden.Edit{Move: true, Pos: moveEdit.Pos, More: []geowarden.Point{to}}})
	if err != nil {
		t.Fatal(err)
	}
	s := scan(t, out)
	if len(s.bads) > 0 || len(s.recs[0].More) != 1 || distance(s.recs[0].More[0], to) > 1 || distance(s.recs[0].Pos, moveEdit.Pos) > 1 {
		t.Errorf("after Move: %s", summary(s))
	}
}

// extXMP builds an extended XMP split into n chunks, and the standard
// packet that points to it.
func extXMP(ext string, n int) (std []byte, chunks [][]byte, guid string) {
	sum := md5.Sum([]byte(ext))
	guid = strings.ToUpper(hex.EncodeToString(sum[:]))
	std = xmpSegment(xmpPacket(" xmpNote:HasExtendedXMP='"+guid+"'", "  <dc:format>image/jpeg</dc:format>\n"))
	size := (len(ext) + n - 1) / n
	for off := 0; off < len(ext); off += size {
		p := slices.Clone(extXMPHeader)
		p = append(p, guid...)
		p = binary.BigEndian.AppendUint32(p, uint32(len(ext)))
		p = binary.BigEndian.AppendUint32(p, uint32(off))
		p = append(p, ext[off:min(off+size, len(ext))]...)
		chunks = append(chunks, seg(0xE1, p))
	}
	return std, chunks, guid
}

const extBody = "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>" +
	"<rdf:Description rdf:about='' xmlns:exif='http://ns.adobe.com/exif/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'" +
	" exif:GPSLatitude='43,28.0293333N' exif:GPSLongitude='11,53.1236667E'>" +
	"<dc:source>%s</dc:source></rdf:Description></rdf:RDF></x:xmpmeta>"

// TestExtendedXMP: GPS in an extended XMP is read and dropped; the edited
// packet gets a new GUID that the standard packet names, and ExifTool still
// reads the rest of it.
func TestExtendedXMP(t *testing.T) {
	for _, c := range []struct {
		name   string
		filler int
		chunks int
	}{
		{"two chunks", 100, 2},
		{"large, re-chunked", 100000, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			ext := strings.Replace(extBody, "%s", strings.Repeat("x", c.filler), 1)
			std, chunks, guid := extXMP(ext, c.chunks)
			in := jpegOf(append([][]byte{std}, chunks...)...)
			s := scan(t, in)
			if len(s.bads) > 0 || s.recs[0].Shape != geowarden.ShapePoint || math.Abs(s.recs[0].Pos.Lat-wantLat) > 1e-6 {
				t.Fatalf("scan: %s", summary(s))
			}
			out, err := rewrite(in, &collector{edit: geowarden.Edit{Drop: true}})
			if err != nil {
				t.Fatal(err)
			}
			if s := scan(t, out); len(s.bads) > 0 || s.recs[0].Shape != geowarden.ShapeNone {
				t.Fatalf("re-scan: %s", summary(s))
			}
			if bytes.Contains(out, []byte(guid)) || bytes.Contains(out, []byte("GPSLatitude")) {
				t.Error("the old GUID or a GPSLatitude survives")
			}
			if !bytes.Equal(afterSOS(out), afterSOS(in)) {
				t.Error("image data changed")
			}
			if !formattest.HasTool("exiftool") && c.filler > 1000 {
				return
			}
			m := exifTool(t, writeTemp(t, "out.jpg", out))
			if g := gpsTags(m); len(g) > 0 {
				t.Errorf("GPS survives: %v", g)
			}
			if v, _ := m["XMP-dc:Source"].(string); len(v) != c.filler {
				t.Errorf("ExifTool no longer reads the extended XMP (dc:source is %d bytes; warning %v)", len(v), m["ExifTool:Warning"])
			}
			if w, ok := m["ExifTool:Warning"]; ok {
				t.Errorf("ExifTool warns: %v", w)
			}
		})
	}
}

// TestEmbeddedImages: JPEG images after the first one's EOI (MPF
// secondary images) are checked against the record and edited with it,
// in place.
func TestEmbeddedImages(t *testing.T) {
	exif := func(gps []field) []byte {
		return exifSegment(tiffSpec{bo: bigEndian, ifd0: ifd0Fields(bigEndian), gps: gps}.build())
	}
	far := gpsFields(bigEndian)
	far[2].val = rats(bigEndian, 44, 1, 28, 1, 176, 100)
	primary, second := jpegOf(exif(gpsFields(bigEndian))), jpegOf(exif(gpsFields(bigEndian)))
	t.Run("agreeing", func(t *testing.T) {
		in := append(slices.Clone(primary), second...)
		s := scan(t, in)
		if len(s.bads) > 0 || len(s.recs) != 1 || len(s.notices) != 0 {
			t.Fatalf("scan: %s", summary(s))
		}
		out, err := rewrite(in, &collector{edit: geowarden.Edit{Drop: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(in) {
			t.Errorf("output %d bytes, input %d: a GPS pointer removal keeps sizes", len(out), len(in))
		}
		if s := scan(t, out[len(primary):]); s.recs[0].Shape != geowarden.ShapeNone {
			t.Errorf("the embedded image keeps its position: %s", summary(s))
		}
		out, err = rewrite(in, &collector{edit: moveEdit})
		if err != nil {
			t.Fatal(err)
		}
		if s := scan(t, out[len(primary):]); math.Abs(s.recs[0].Pos.Lat-50.5) > 1e-6 {
			t.Errorf("the embedded image was not moved: %s", summary(s))
		}
	})
	t.Run("at another position of the photo", func(t *testing.T) {
		// The photo's XMP LocationShown is where the embedded image is:
		// the embedded copy follows that position (More[0]), not Pos.
		shown := xmpSegment(xmpPacket("", "<Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li exif:GPSLatitude='44,28.0293N' exif:GPSLongitude='11,53.1237E'/></rdf:Bag></Iptc4xmpExt:LocationShown>"))
		first := jpegOf(exif(gpsFields(bigEndian)), shown)
		in := append(slices.Clone(first), jpegOf(exif(far))...)
		s := scan(t, in)
		if len(s.bads) > 0 || len(s.recs) != 1 || len(s.recs[0].More) != 1 {
			t.Fatalf("scan: %s", summary(s))
		}
		to := geowarden.Point{Lon: 11.5, Lat: 44.5}
		out, err := rewrite(in, &collector{edit: geowarden.Edit{Move: true, Pos: moveEdit.Pos, More: []geowarden.Point{to}}})
		if err != nil {
			t.Fatal(err)
		}
		if s := scan(t, out[len(first):]); distance(s.recs[0].Pos, to) > 1 {
			t.Errorf("the embedded image did not follow its position: %s", summary(s))
		}
		if s := scan(t, out); distance(s.recs[0].Pos, moveEdit.Pos) > 1 || distance(s.recs[0].More[0], to) > 1 {
			t.Errorf("the photo: %s", summary(s))
		}
	})
	t.Run("text", func(t *testing.T) {
		// A description with a position, in the photo and in the
		// embedded image: redacting the photo's redacts the copy's.
		desc := xmpSegment(xmpPacket("", "<dc:description><rdf:Alt><rdf:li>taken at 35.8506N 14.4506E</rdf:li></rdf:Alt></dc:description>"))
		first := jpegOf(exif(gpsFields(bigEndian)), desc)
		in := append(slices.Clone(first), jpegOf(exif(gpsFields(bigEndian)), desc)...)
		s := scan(t, in)
		if len(s.recs) != 1 || len(s.recs[0].Text) != 1 {
			t.Fatalf("scan: %s", summary(s))
		}
		for _, ed := range []geowarden.Edit{{Redact: []int{0}}, {Drop: true}} {
			out, err := rewrite(in, &collector{edit: ed})
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(out, []byte("taken at "+geowarden.RedactedText)); n != 2 || len(out) != len(in) {
				t.Errorf("%+v: %d of 2 descriptions redacted; %d bytes, was %d", ed, n, len(out), len(in))
			}
		}
	})
	cases := []struct {
		name string
		in   []byte
		off  int64
	}{
		{"far away", append(slices.Clone(primary), jpegOf(exif(far))...), int64(len(primary))},
		{"record without position", append(jpegOf(exif(nil)), second...), int64(len(jpegOf(exif(nil))))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := rewrite(c.in, &collector{failBad: true})
			var pe *format.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrMismatch) || pe.Offset < c.off || !strings.Contains(err.Error(), "embedded image 1: ") {
				t.Fatalf("err = %v, want a mismatch in the embedded image (after byte %d)", err, c.off)
			}
			out, err := rewrite(c.in, &collector{})
			if err != nil {
				t.Fatal(err)
			}
			if s := scan(t, out[c.off:]); s.recs[0].Shape != geowarden.ShapeNone {
				t.Errorf("the embedded image keeps its position: %s", summary(s))
			}
		})
	}
}

// TestSizes: XMP packets keep their size through their padding; segments
// after an MPF segment keep theirs whatever the edit.
func TestSizes(t *testing.T) {
	formattest.Tool(t, "exiftool")
	exif := exifSegment(tiffSpec{bo: bigEndian, ifd0: ifd0Fields(bigEndian), gps: gpsFields(bigEndian)}.build())
	padded := xmpSegment(xmpPacket(" exif:GPSLatitude='43,28.0293N'", "  <exif:GPSLongitude>11,53.1237E</exif:GPSLongitude>\n  <dc:format>image/jpeg</dc:format>\n"))
	bare := xmpSegment("<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description rdf:about='' xmlns:exif='http://ns.adobe.com/exif/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/' exif:GPSLatitude='43,28.0293N' exif:GPSLongitude='11,53.1237E' dc:format='image/jpeg'/></rdf:RDF></x:xmpmeta>")
	mpf := seg(0xE2, []byte("MPF\x00MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"))
	cases := []struct {
		name  string
		in    []byte
		edit  geowarden.Edit
		delta int // output length - input length
	}{
		{"padded packet, drop", jpegOf(exif, padded), geowarden.Edit{Drop: true}, 0},
		{"padded packet, move", jpegOf(exif, padded), moveEdit, 0},
		{"bare packet, drop", jpegOf(exif, bare), geowarden.Edit{Drop: true}, -(len(" exif:GPSLatitude='43,28.0293N' exif:GPSLongitude='11,53.1237E'"))},
		{"bare packet, move", jpegOf(exif, bare), moveEdit, 0},
		{"bare packet after MPF, drop", jpegOf(exif, mpf, bare), geowarden.Edit{Drop: true}, 0},
		{"long Set before MPF", jpegOf(exif, mpf), geowarden.Edit{Set: []geowarden.Attr{{Name: "make", Value: "a much longer make"}}}, 19},
		{"long Set after MPF", jpegOf(mpf, exif), geowarden.Edit{Set: []geowarden.Attr{{Name: "make", Value: "a much longer make"}}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := rewrite(c.in, &collector{edit: c.edit})
			if err != nil {
				t.Fatal(err)
			}
			if d := len(out) - len(c.in); d != c.delta {
				t.Errorf("output is %d bytes longer, want %d", d, c.delta)
			}
			m := exifTool(t, writeTemp(t, "out.jpg", out))
			if m["XMP-dc:Format"] == nil && bytes.Contains(c.in, []byte("dc:format")) {
				t.Errorf("ExifTool no longer reads the XMP: %v", m["ExifTool:Warning"])
			}
			if c.edit.Drop {
				if g := gpsTags(m); len(g) > 0 {
					t.Errorf("GPS survives: %v", g)
				}
			}
			if c.edit.Move {
				if p, _ := m["Composite:GPSPosition"].(string); p != "50.5 -7.25" {
					t.Errorf("position %q after the move", p)
				}
				for _, k := range []string{"XMP-exif:GPSLatitude", "XMP-exif:GPSLongitude"} {
					if v, ok := m[k]; ok && math.Abs(v.(float64)-map[bool]float64{true: 50.5, false: -7.25}[strings.HasSuffix(k, "Latitude")]) > 1e-6 {
						t.Errorf("%s = %v", k, v)
					}
				}
			}
			if len(c.edit.Set) > 0 {
				want := "a much longer make"
				if c.delta == 0 {
					want = "<nil>"
				}
				if got := m["IFD0:Make"]; got != nil && got != want || got == nil && want != "<nil>" {
					t.Errorf("Make = %v, want %v", got, want)
				}
			}
		})
	}
}

// TestXMPCoordFormat: new values take the old ones' width where they can.
func TestXMPCoordFormat(t *testing.T) {
	cases := []struct {
		old  string
		v    float64
		lat  bool
		want string
	}{
		{"43,28.0293333N", 50.5, true, "50,30.0000000N"},
		{"43,28.02933333N", -7.25, false, "7,15.000000000W"},
		{"43,28N", 50.5, true, "50,30.0000N"},
		{"+22.5412345", 50.123456789, true, "+50.1234568"},
		{"22.54123450000", -7.25, false, "-7.25000000000"},
		{"11,53,7.42E", 179.99999999, false, "180,0.0000E"},
	}
	for _, c := range cases {
		got := string(formatXMPCoord(c.old, c.v, c.lat, len(c.old)))
		if got != c.want {
			t.Errorf("formatXMPCoord(%q, %v) = %q, want %q", c.old, c.v, got, c.want)
		}
		if back, err := parseXMPCoord(got, c.lat); err != nil || math.Abs(back-c.v) > 2e-7 {
			t.Errorf("%q reads back as %v (%v), want %v", got, back, err, c.v)
		}
	}
}
