package jpeg

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

// samples are the real and derived photos of testdata (see
// testdata/PROVENANCE.md), as paths.
func samples(t testing.TB) []string {
	t.Helper()
	files := formattest.Inputs(t, "testdata", 20, []string{".jpg", ".jpeg"})
	for i, f := range files {
		files[i] = filepath.Join("testdata", filepath.FromSlash(f))
	}
	return files
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// result is what a handler saw.
type result struct {
	recs    []geowarden.Record
	attrs   []map[string]string
	bads    []*format.ParseError
	notices []format.Notice
}

// collector records what it sees and returns edit for every record.
type collector struct {
	result
	edit    geowarden.Edit
	failBad bool // Bad returns the error (the default handler drops)
}

func (c *collector) Record(r *geowarden.Record) geowarden.Edit {
	rc := *r
	a := map[string]string{}
	for _, n := range []string{"make", "model", "software", "datetimeoriginal", "serialnumber", "artist"} {
		if v, ok := r.Attrs.Attr(n); ok {
			a[n] = v
		}
	}
	rc.Attrs = nil
	c.recs = append(c.recs, rc)
	c.attrs = append(c.attrs, a)
	ed := c.edit
	if ed.Move && len(ed.More) == 0 && len(r.More) > 0 {
		// Every other position goes where Pos goes.
		for range r.More {
			ed.More = append(ed.More, ed.Pos)
		}
	}
	return ed
}

func (c *collector) Bad(e *format.ParseError) error {
	c.bads = append(c.bads, e)
	if c.failBad {
		return e
	}
	return nil
}

func (c *collector) Notice(n *format.Notice) { c.notices = append(c.notices, *n) }

var (
	_ format.Handler = (*collector)(nil)
	_ format.Noticer = (*collector)(nil)
)

func opts() *format.Options { return &format.Options{Name: "x.jpg"} }

// rewrite runs the codec with a writer.
func rewrite(in []byte, h format.Handler) ([]byte, error) {
	var out bytes.Buffer
	err := Codec{}.Rewrite(context.Background(), bytes.NewReader(in), &out, h, opts())
	return out.Bytes(), err
}

// scan runs the codec without a writer and returns what it saw.
func scan(t testing.TB, in []byte) *collector {
	t.Helper()
	c := &collector{}
	if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), nil, c, opts()); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return c
}

// afterSOS returns the image from the top-level SOS marker on, walking the
// segments as check_format.py does.
func afterSOS(b []byte) []byte {
	i := 2
	for i+4 <= len(b) && b[i] == 0xFF {
		m := b[i+1]
		switch {
		case m == 0xDA:
			return b[i:]
		case m == 0xFF:
			i++
			continue
		case m >= 0xD0 && m <= 0xD9 || m == 0x01:
			i += 2
			continue
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return nil
}

// firstScan returns afterSOS(b) up to and including the EOI marker that
// ends the first image.
func firstScan(b []byte) []byte {
	s := afterSOS(b)
	i := 0
	for i+1 < len(s) {
		if s[i] != 0xFF {
			i++
			continue
		}
		switch m := s[i+1]; {
		case m == 0xD9:
			return s[:i+2]
		case m == 0x00 || m == 0xFF || m == 0x01 || m >= 0xD0 && m <= 0xD8:
			i += 2
			if m == 0xFF {
				i--
			}
		default:
			if i+4 > len(s) {
				return s
			}
			i += 2 + (int(s[i+2])<<8 | int(s[i+3]))
		}
	}
	return s
}

// exifTool runs exiftool -j -a -G1 -n on a file (args before it) and
// returns its tags.
func exifTool(t testing.TB, path string, args ...string) map[string]any {
	t.Helper()
	return exifToolAll(t, []string{path}, args...)[0]
}

// exifToolAll runs exiftool once over several files.
func exifToolAll(t testing.TB, paths []string, args ...string) []map[string]any {
	t.Helper()
	et := formattest.Tool(t, "exiftool")
	cmd := exec.Command(et, append(append([]string{"-j", "-a", "-G1", "-n"}, args...), paths...)...)
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("exiftool %s: %v", paths, err)
	}
	var v []map[string]any
	if err := json.Unmarshal(out, &v); err != nil || len(v) != len(paths) {
		t.Fatalf("exiftool %s: %v: %s", paths, err, out)
	}
	return v
}

// gpsTags returns the tags of m that are about GPS, GPSVersionID aside.
func gpsTags(m map[string]any) []string {
	var ks []string
	for k := range m {
		if strings.Contains(strings.ToUpper(k), "GPS") && !strings.Contains(k, "GPSVersionID") {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// --- synthetic files ---

// field is one IFD entry; val is the value in the TIFF's byte order.
type field struct {
	tag, typ uint16
	count    uint32
	val      []byte
	raw      *uint32 // the value/offset field as given (for corrupt entries)
}

// tiffSpec lays out a TIFF: header, IFD0, the GPS IFD (pointed to by a
// 0x8825 entry added to IFD0 when gps is not nil), then out-of-line values.
type tiffSpec struct {
	bo   binary.ByteOrder
	ifd0 []field
	gps  []field
	// gpsOff, when set, replaces the GPS pointer's value.
	gpsOff *uint32
	// next0 is IFD0's next-IFD offset.
	next0 uint32
}

func (s tiffSpec) build() []byte {
	bo := s.bo
	if bo == nil {
		bo = binary.BigEndian
	}
	ifd0 := slices.Clone(s.ifd0)
	if s.gps != nil {
		ifd0 = append(ifd0, field{tag: 0x8825, typ: 4, count: 1})
	}
	slices.SortStableFunc(ifd0, func(a, b field) int { return int(a.tag) - int(b.tag) })
	off0 := 8
	offGPS := off0 + 2 + 12*len(ifd0) + 4
	data := offGPS
	if s.gps != nil {
		data += 2 + 12*len(s.gps) + 4
	}
	b := make([]byte, data)
	if bo == binary.BigEndian {
		copy(b, "MM\x00*")
	} else {
		copy(b, "II*\x00")
	}
	bo.PutUint32(b[4:], uint32(off0))
	put := func(at int, fs []field, next uint32) {
		bo.PutUint16(b[at:], uint16(len(fs)))
		for i, f := range fs {
			p := at + 2 + 12*i
			bo.PutUint16(b[p:], f.tag)
			bo.PutUint16(b[p+2:], f.typ)
			bo.PutUint32(b[p+4:], f.count)
			switch {
			case f.raw != nil:
				bo.PutUint32(b[p+8:], *f.raw)
			case f.tag == 0x8825 && f.val == nil:
				v := uint32(offGPS)
				if s.gpsOff != nil {
					v = *s.gpsOff
				}
				bo.PutUint32(b[p+8:], v)
			case len(f.val) <= 4:
				copy(b[p+8:], f.val)
			default:
				bo.PutUint32(b[p+8:], uint32(len(b)))
				b = append(b, f.val...)
				if len(b)%2 == 1 {
					b = append(b, 0)
				}
			}
		}
		bo.PutUint32(b[at+2+12*len(fs):], next)
	}
	put(off0, ifd0, s.next0)
	if s.gps != nil {
		put(offGPS, s.gps, 0)
	}
	return b
}

func rats(bo binary.ByteOrder, v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		bo.PutUint32(b[4*i:], x)
	}
	return b
}

func asciiVal(s string) []byte { return append([]byte(s), 0) }

// gpsFields is a GPS IFD at lat 43°28'1.76"N, lon 11°53'7.42"E.
func gpsFields(bo binary.ByteOrder) []field {
	return []field{
		{tag: 0, typ: 1, count: 4, val: []byte{2, 2, 0, 0}},
		{tag: 1, typ: 2, count: 2, val: asciiVal("N")},
		{tag: 2, typ: 5, count: 3, val: rats(bo, 43, 1, 28, 1, 176, 100)},
		{tag: 3, typ: 2, count: 2, val: asciiVal("E")},
		{tag: 4, typ: 5, count: 3, val: rats(bo, 11, 1, 53, 1, 742, 100)},
		{tag: 7, typ: 5, count: 3, val: rats(bo, 14, 1, 28, 1, 17, 1)},
		{tag: 29, typ: 2, count: 11, val: asciiVal("2008:10:23")},
	}
}

// wantLat, wantLon are gpsFields' position.
const (
	wantLat = 43 + 28.0/60 + 1.76/3600
	wantLon = 11 + 53.0/60 + 7.42/3600
)

func ifd0Fields(bo binary.ByteOrder) []field {
	return []field{
		{tag: 0x010F, typ: 2, count: 6, val: asciiVal("NIKON")},
		{tag: 0x0112, typ: 3, count: 1, val: func() []byte { b := make([]byte, 2); bo.PutUint16(b, 6); return b }()},
	}
}

func seg(marker byte, payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, payload...)
}

func exifSegment(tiff []byte) []byte {
	return seg(0xE1, append([]byte("Exif\x00\x00"), tiff...))
}

func xmpSegment(packet string) []byte {
	return seg(0xE1, append(slices.Clone(xmpHeader), packet...))
}

// scanData is an SOS segment and entropy-coded data with stuffed bytes,
// restart markers and a DHT between two scans, then EOI.
var scanData = []byte{
	0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,
	0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78,
	0xFF, 0xC4, 0x00, 0x05, 0x00, 0xFF, 0xD9, // a DHT whose payload holds FF D9
	0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,
	0x9A, 0xFF, 0x00, 0xBC,
	0xFF, 0xD9,
}

// jpegOf builds a JPEG from header segments.
func jpegOf(segs ...[]byte) []byte {
	b := []byte{0xFF, 0xD8}
	for _, s := range segs {
		b = append(b, s...)
	}
	return append(b, scanData...)
}

// xmpPacket wraps RDF properties in an XMP packet with padding.
func xmpPacket(attrs, elems string) string {
	return "<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?>\n" +
		"<x:xmpmeta xmlns:x='adobe:ns:meta/'>\n<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n" +
		" <rdf:Description rdf:about='' xmlns:exif='http://ns.adobe.com/exif/1.0/' xmlns:drone-dji='http://www.dji.com/drone-dji/1.0/' xmlns:xmpNote='http://ns.adobe.com/xmp/note/' xmlns:dc='http://purl.org/dc/elements/1.1/'" + attrs + ">\n" +
		elems + " </rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n" + strings.Repeat(" ", 200) + "\n<?xpacket end='w'?>"
}

type binaryOrder = binary.ByteOrder

var (
	bigEndian    binaryOrder = binary.BigEndian
	littleEndian binaryOrder = binary.LittleEndian
)
