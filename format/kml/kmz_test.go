package kml

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/pipeline"
)

// member is one file of a test archive.
type member struct {
	name    string
	data    []byte
	method  uint16
	comment string
	raw     *zip.FileHeader // written with CreateRaw (sizes and CRC as given)
}

// buildZip writes an archive of the members.
func buildZip(t testing.TB, comment string, ms ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	mod := time.Date(2024, 3, 4, 5, 6, 8, 0, time.UTC)
	for _, m := range ms {
		var w io.Writer
		var err error
		if m.raw != nil {
			w, err = zw.CreateRaw(m.raw)
		} else {
			w, err = zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: m.method, Modified: mod, Comment: m.comment})
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if comment != "" {
		zw.SetComment(comment)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngBytes is a small image member.
func pngBytes(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const overlayKML = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <Style id="s"><IconStyle><Icon><href>files/shared.png</href></Icon></IconStyle></Style>
  <GroundOverlay><name>site</name><Icon><href>files/site.png</href></Icon>
    <LatLonBox><north>1</north><south>0</south><east>1</east><west>0</west></LatLonBox></GroundOverlay>
  <Placemark><name>p</name><Style><IconStyle><Icon><href>./files/shared.png</href></Icon></IconStyle></Style><Point><coordinates>5,5</coordinates></Point></Placemark>
</Document>
</kml>
`

// fixture is a KMZ made from a GPL KML (gpsbabel's kml-points.kml) and
// image members, as Google Earth writes them: doc.kml first, files/ next.
func fixture(t testing.TB) []byte {
	t.Helper()
	kml, err := os.ReadFile("testdata/gpsbabel/kml-points.kml")
	if err != nil {
		t.Fatal(err)
	}
	p := pngBytes(t)
	return buildZip(t, "archive comment",
		member{name: "doc.kml", data: kml, method: zip.Deflate, comment: "main"},
		member{name: "files/", method: zip.Store},
		member{name: "files/icon.png", data: p, method: zip.Store},
		member{name: "files/notes.txt", data: []byte(strings.Repeat("notes ", 100)), method: zip.Deflate},
		member{name: "overlay.kml", data: []byte(overlayKML), method: zip.Deflate},
		member{name: "files/site.png", data: p, method: zip.Deflate},
		member{name: "files/shared.png", data: p, method: zip.Store},
	)
}

// rawMembers lists an archive's members with their headers and raw data.
func rawMembers(t testing.TB, b []byte) ([]zip.FileHeader, [][]byte, string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("output is not a zip archive: %v", err)
	}
	var hs []zip.FileHeader
	var data [][]byte
	for _, f := range zr.File {
		hs = append(hs, f.FileHeader)
		r, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		d, _ := io.ReadAll(r)
		data = append(data, d)
	}
	return hs, data, zr.Comment
}

func readMember(t testing.TB, b []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer rc.Close()
	d, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func kmzRewrite(t testing.TB, in []byte, h format.Handler, write bool) ([]byte, error) {
	t.Helper()
	var out bytes.Buffer
	var w io.Writer
	if write {
		w = &out
	}
	err := KMZCodec{}.Rewrite(context.Background(), bytes.NewReader(in), w, h, &format.Options{Name: "a.kmz"})
	return out.Bytes(), err
}

func TestKMZDetect(t *testing.T) {
	fx := fixture(t)
	other := buildZip(t, "", member{name: "readme.txt", data: []byte("x")})
	cases := []struct {
		name, file string
		head       []byte
		want       bool
	}{
		{"doc.kml first", "x", fx, true},
		{".kmz name", "a.KMZ", other, true},
		{"other zip", "a.zip", other, false},
		{"kml text named kmz", "a.kmz", []byte("<kml/>"), false},
		{"short", "x", []byte("PK\x03\x04"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := (KMZCodec{}).Detect(c.file, c.head[:min(len(c.head), format.HeadSize)]); got != c.want {
				t.Errorf("Detect = %v, want %v", got, c.want)
			}
		})
	}
	if (Codec{}).Detect("x.kmz", fx) {
		t.Errorf("the KML codec claims a KMZ archive")
	}
}

func TestKMZKeepAll(t *testing.T) {
	in := fixture(t)
	h := &handler{}
	out, err := kmzRewrite(t, in, h, true)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, in) {
		// Not required (another zip writer may lay out the directory
		// differently), but this archive was written by Go's.
		t.Errorf("keep-all archive differs from the input")
	}
	ih, idata, icomment := rawMembers(t, in)
	oh, odata, ocomment := rawMembers(t, out)
	if icomment != ocomment || len(ih) != len(oh) {
		t.Fatalf("comment %q / %q, %d / %d members", icomment, ocomment, len(ih), len(oh))
	}
	for i := range ih {
		a, b := ih[i], oh[i]
		if a.Name != b.Name || a.Method != b.Method || !a.Modified.Equal(b.Modified) || a.Comment != b.Comment || a.CRC32 != b.CRC32 || !bytes.Equal(idata[i], odata[i]) {
			t.Errorf("member %d: %s/%s method %d/%d crc %x/%x differs", i, a.Name, b.Name, a.Method, b.Method, a.CRC32, b.CRC32)
		}
	}
	// Records of both KML members, named by member (doc.kml: 9
	// placemarks and the Document's LookAt).
	files := map[string]int{}
	for _, r := range h.recs {
		files[r.Ref.File]++
	}
	if files["a.kmz!doc.kml"] != 10 || files["a.kmz!overlay.kml"] != 2 {
		t.Errorf("records per member = %v", files)
	}
	unsupported := 0
	for _, n := range h.notices {
		if n.Kind == "unsupported" {
			unsupported++
		}
	}
	if unsupported != 0 {
		t.Errorf("notices for PNG members: %+v", h.notices)
	}
	// Scanning reads the same records.
	h2 := &handler{}
	if _, err := kmzRewrite(t, in, h2, false); err != nil || len(h2.recs) != len(h.recs) {
		t.Errorf("scan: %v, %d records, want %d", err, len(h2.recs), len(h.recs))
	}
}

func TestKMZEdit(t *testing.T) {
	in := fixture(t)
	h := &handler{edit: func(i int, r *geowarden.Record) geowarden.Edit {
		if r.Ref.File == "a.kmz!overlay.kml" && r.Shape == geowarden.ShapeArea || r.Ref.File == "a.kmz!doc.kml" && r.Ref.Feature == 0 {
			return geowarden.Edit{Drop: true}
		}
		return geowarden.Keep
	}}
	out, err := kmzRewrite(t, in, h, true)
	if err != nil {
		t.Fatal(err)
	}
	oh, _, _ := rawMembers(t, out)
	var names []string
	for _, f := range oh {
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, " "), "doc.kml files/ files/icon.png files/notes.txt overlay.kml files/shared.png"; got != want {
		t.Errorf("members %q, want %q (the dropped overlay's image left out)", got, want)
	}
	doc := readMember(t, out, "doc.kml")
	orig, _ := os.ReadFile("testdata/gpsbabel/kml-points.kml")
	if bytes.Equal(doc, orig) || bytes.Count(doc, []byte("<Placemark")) != bytes.Count(orig, []byte("<Placemark"))-1 {
		t.Errorf("doc.kml: first placemark not dropped")
	}
	if ov := readMember(t, out, "overlay.kml"); bytes.Contains(ov, []byte("GroundOverlay")) || !bytes.Contains(ov, []byte("shared.png")) {
		t.Errorf("overlay.kml:\n%s", ov)
	}
	var left []string
	for _, n := range h.notices {
		if n.Kind == "kmz-member" && n.Dropped {
			left = append(left, n.Message)
		}
	}
	if len(left) != 1 || !strings.Contains(left[0], "files/site.png") {
		t.Errorf("notices %v, want one for files/site.png", left)
	}
	// The output reads again, and ogrinfo reads it through /vsizip/.
	if _, err := kmzRewrite(t, out, &formattest.KeepAll{}, false); err != nil {
		t.Errorf("output does not read again: %v", err)
	}
	p := filepath.Join(t.TempDir(), "out.kmz")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if s := ogrRead(t, "/vsizip/"+p+"/doc.kml"); !strings.Contains(s, "Feature Count: 8") {
		t.Errorf("ogrinfo on doc.kml:\n%s", s)
	}
	ogrRead(t, p)
}

// TestKMZAcceptance: a KMZ of an acceptance case's KML, sanitized by the
// engine, re-scans clean, and gpsbabel reading its doc.kml finds no point
// inside the zone and every point outside.
func TestKMZAcceptance(t *testing.T) {
	tr := formattest.ReadCase(t, "testdata/acceptance/kml-earth-expertgps-track.kml")
	in := buildZip(t, "", member{name: "doc.kml", data: tr.In, method: zip.Deflate}, member{name: "files/i.png", data: pngBytes(t)})
	e := engineFor(t, tr.Zones)
	ctx := context.Background()
	var out bytes.Buffer
	if _, err := e.Run(ctx, KMZCodec{}, bytes.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "x.kmz"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Verify(ctx, KMZCodec{}, bytes.NewReader(out.Bytes()), format.Options{Name: "x.kmz"}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	p := filepath.Join(t.TempDir(), "doc.kml")
	if err := os.WriteFile(p, readMember(t, out.Bytes(), "doc.kml"), 0o644); err != nil {
		t.Fatal(err)
	}
	inside, outside := tr.Count(formattest.GPSBabelPoints(t, "kml", p))
	if inside != 0 || outside != tr.Outside {
		t.Errorf("gpsbabel reads %d inside (want 0), %d outside (want %d)", inside, outside, tr.Outside)
	}
	kmz := filepath.Join(t.TempDir(), "x.kmz")
	os.WriteFile(kmz, out.Bytes(), 0o644)
	ogrRead(t, "/vsizip/"+kmz+"/doc.kml")
}

func TestKMZHostile(t *testing.T) {
	kml := []byte(doc(`<Placemark><Point><coordinates>1,2</coordinates></Point></Placemark>`))
	zeros := bytes.Repeat([]byte{0}, 3<<20)
	pkZip := buildZip(t, "", member{name: "a.kml", data: kml})
	lie := &zip.FileHeader{Name: "files/x.txt", Method: zip.Store, CRC32: 0, CompressedSize64: 4, UncompressedSize64: 4}
	var many []member
	many = append(many, member{name: "doc.kml", data: kml})
	for i := 0; i < MaxMembers; i++ {
		many = append(many, member{name: "f/" + strings.Repeat("x", 3) + string(rune('a'+i%26)) + "/" + itoa(i), method: zip.Store})
	}
	cases := []struct {
		name string
		in   []byte
		kind error
		want string
	}{
		{"zip-slip dot-dot", buildZip(t, "", member{name: "doc.kml", data: kml}, member{name: "../../etc/evil.png", data: []byte("x")}), ErrZipSlip, `a.kmz: kmz: member "../../etc/evil.png": ".." in the path`},
		{"zip-slip backslash", buildZip(t, "", member{name: "doc.kml", data: kml}, member{name: `files\..\..\evil.png`, data: []byte("x")}), ErrZipSlip, `a.kmz: kmz: member "files\\..\\..\\evil.png": ".." in the path`},
		{"zip-slip absolute", buildZip(t, "", member{name: "/doc.kml", data: kml}), ErrZipSlip, `a.kmz: kmz: member "/doc.kml": absolute path`},
		{"zip-slip drive", buildZip(t, "", member{name: "doc.kml", data: kml}, member{name: `C:\x.png`, data: []byte("x")}), ErrZipSlip, `a.kmz: kmz: member "C:\\x.png": drive letter in the path`},
		{"bomb ratio", buildZip(t, "", member{name: "doc.kml", data: kml}, member{name: "files/zeros.bin", data: zeros, method: zip.Deflate}), ErrZipBomb, `a.kmz: kmz: member "files/zeros.bin": compression ratio above 100:1`},
		{"bomb in the KML", buildZip(t, "", member{name: "doc.kml", data: append(append([]byte(nil), kml[:len(kml)-7]...), append(bytes.Repeat([]byte(" "), 3<<20), "</kml>\n"...)...), method: zip.Deflate}), ErrZipBomb, `a.kmz: kmz: member "doc.kml": compression ratio above 100:1`},
		{"too many members", buildZip(t, "", many...), ErrZipBomb, `a.kmz: kmz: 10001 members (at most 10000)`},
		{"member count forged", forgeCount(buildZip(t, "", many...), 2), ErrZipBomb, `a.kmz: kmz: more than 10000 members in the central directory (its end record says 2)`},
		{"nested zip by name", buildZip(t, "", member{name: "doc.kml", data: kml}, member{name: "more.kmz", data: pkZip}), ErrNested, `a.kmz: kmz: member "more.kmz": an archive inside the archive is not read`},
		{"nested gzip by name", buildZip(t, "", member{name: "doc.kml", data: kml}, member{name: "x.kml.gz", data: []byte{0x1f, 0x8b, 8, 0}}), ErrNested, `a.kmz: kmz: member "x.kml.gz": an archive inside the archive is not read`},
		{"nested zip by content", buildZip(t, "", member{name: "doc.kml", data: kml}, member{name: "files/pic.png", data: pkZip}), ErrNested, `a.kmz: kmz: member "files/pic.png": the member is a zip or gzip archive, which is not read`},
		{"no kml", buildZip(t, "", member{name: "files/a.png", data: []byte("x")}), ErrNoKML, `a.kmz: kmz: no .kml member among 1`},
		{"size in the header lies", buildZip(t, "", member{name: "doc.kml", data: kml}, member{name: "files/x.txt", raw: lie, data: []byte("abcdefgh")}), ErrZip, `a.kmz: kmz: member "files/x.txt": the data does not match the archive's size or checksum`},
		{"not a zip", []byte("PK\x03\x04 truncated"), ErrZip, `a.kmz: kmz: no end of central directory record (not a zip archive, or truncated)`},
		{"truncated", fixture(t)[:500], ErrZip, `a.kmz: kmz: no end of central directory record (not a zip archive, or truncated)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := kmzRewrite(t, c.in, &formattest.KeepAll{}, true)
			var pe *format.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, c.kind) || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("err = %v\nwant  %s (%v)", err, c.want, c.kind)
			}
		})
	}
	// The total decompressed size is capped.
	defer func(v int64) { maxUncompressed = v }(maxUncompressed)
	maxUncompressed = 1000
	_, err := kmzRewrite(t, fixture(t), &formattest.KeepAll{}, true)
	if !errors.Is(err, ErrZipBomb) || !strings.Contains(err.Error(), "decompress to more than 1000 bytes") {
		t.Errorf("total size: err = %v", err)
	}
}

func itoa(i int) string {
	const d = "0123456789"
	if i < 10 {
		return d[i : i+1]
	}
	return itoa(i/10) + d[i%10:i%10+1]
}

func TestKMZErrorsInMember(t *testing.T) {
	in := buildZip(t, "", member{name: "doc.kml", data: []byte("<kml>\n<Placemark>")})
	_, err := kmzRewrite(t, in, &formattest.KeepAll{}, true)
	if err == nil || err.Error() != "a.kmz!doc.kml:2:12: kml: unexpected end of input: <Placemark> opened at line 2, column 1 is not closed" {
		t.Errorf("err = %v", err)
	}
}

func TestKMZSpool(t *testing.T) {
	// An archive larger than SpoolMemBytes goes through a temporary file,
	// which is removed.
	big := bytes.Repeat([]byte("<!-- padding padding padding -->\n"), SpoolMemBytes/33+1000)
	kml := append([]byte("<kml>"), big...)
	kml = append(kml, "<Placemark><Point><coordinates>1,2</coordinates></Point></Placemark></kml>"...)
	in := buildZip(t, "", member{name: "doc.kml", data: kml, method: zip.Store})
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	h := &handler{edit: func(int, *geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: true} }}
	out, err := kmzRewrite(t, in, h, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.recs) != 1 || bytes.Contains(readMember(t, out, "doc.kml"), []byte("Placemark")) {
		t.Errorf("records %d; placemark not dropped", len(h.recs))
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// forgeCount rewrites the member counts of a zip archive's end record.
func forgeCount(b []byte, n uint16) []byte {
	b = append([]byte(nil), b...)
	i := bytes.LastIndex(b, []byte("PK\x05\x06"))
	binary.LittleEndian.PutUint16(b[i+8:], n)
	binary.LittleEndian.PutUint16(b[i+10:], n)
	return b
}
