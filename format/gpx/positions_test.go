package gpx

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/pipeline"
)

// The oracle of these tests reads outputs with encoding/xml and geotext,
// never with this codec.

// xmlView is what encoding/xml reads in a GPX document: the positions of
// its waypoints, route points and track points, its <bounds>, and every
// piece of free text (character data, comments, attribute values).
type xmlView struct {
	points []geowarden.Point
	bounds [][4]float64 // minlat, minlon, maxlat, maxlon
	texts  []string
	chars  []string          // character data only
	elems  []geowarden.Point // positions in <lat> and <lon> child elements
}

// readXML reads doc with encoding/xml; ok is false when it cannot (an
// encoding it does not know).
func readXML(t *testing.T, doc []byte) (v xmlView, ok bool) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "us-ascii") {
			return r, nil
		}
		return nil, fmt.Errorf("charset %s", label)
	}
	var stack []string
	type pair struct{ lat, lon string }
	var pairs []pair
	var last string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return v, true
		}
		if err != nil {
			return v, false
		}
		switch x := tok.(type) {
		case xml.StartElement:
			local := x.Name.Local
			path := strings.Join(stack, "/") + "/" + local
			stack = append(stack, local)
			pairs = append(pairs, pair{})
			last = ""
			attr := map[string]string{}
			for _, a := range x.Attr {
				if a.Name.Space == "" {
					attr[a.Name.Local] = a.Value
				}
				v.texts = append(v.texts, a.Value)
			}
			num := func(k string) float64 {
				f, err := strconv.ParseFloat(strings.TrimSpace(attr[k]), 64)
				if err != nil {
					return math.NaN()
				}
				return f
			}
			switch path {
			case "gpx/wpt", "gpx/rte/rtept", "gpx/trk/trkseg/trkpt":
				v.points = append(v.points, geowarden.Point{Lon: num("lon"), Lat: num("lat")})
			case "gpx/bounds", "gpx/metadata/bounds":
				v.bounds = append(v.bounds, [4]float64{num("minlat"), num("minlon"), num("maxlat"), num("maxlon")})
			}
		case xml.EndElement:
			n := len(stack) - 1
			if p := pairs[n]; p.lat != "" && p.lon != "" {
				la, err1 := strconv.ParseFloat(p.lat, 64)
				lo, err2 := strconv.ParseFloat(p.lon, 64)
				if err1 == nil && err2 == nil {
					v.elems = append(v.elems, geowarden.Point{Lon: lo, Lat: la})
				}
			}
			if n > 0 {
				switch strings.ToLower(x.Name.Local) {
				case "lat", "latitude":
					pairs[n-1].lat = strings.TrimSpace(last)
				case "lon", "lng", "long", "longitude":
					pairs[n-1].lon = strings.TrimSpace(last)
				}
			}
			stack, pairs, last = stack[:n], pairs[:n], ""
		case xml.CharData:
			last += string(x)
			v.texts = append(v.texts, string(x))
			v.chars = append(v.chars, string(x))
		case xml.Comment:
			v.texts = append(v.texts, string(x))
		}
	}
}

// leaks returns the positions within r metres of c that geotext finds in
// the output's raw bytes and in every piece of text encoding/xml reads in
// it (character data, comments and attribute values, joined per element
// as a reader would see them).
func leaks(t *testing.T, out []byte, c geowarden.Point, r float64) []string {
	t.Helper()
	var found []string
	check := func(where string, b []byte) {
		for m := range geotext.All(b) {
			for _, p := range []geowarden.Point{m.Point, m.Swapped()} {
				if formattest.Haversine(c, p) <= r {
					found = append(found, fmt.Sprintf("%s: %q", where, b[m.Start:m.End]))
				}
				if !m.Ambiguous {
					break
				}
			}
		}
	}
	check("raw bytes", out)
	if v, ok := readXML(t, out); ok {
		for _, s := range v.texts {
			check("decoded text", []byte(s))
		}
		check("character data, joined", []byte(strings.Join(v.chars, "")))
		for _, p := range v.elems {
			if formattest.Haversine(c, p) <= r {
				found = append(found, fmt.Sprintf("lat and lon elements: %v", p))
			}
		}
	}
	return found
}

// zoneFile writes a circle of r metres around c as a zone file.
func zoneFile(t *testing.T, c geowarden.Point, r float64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "zones.geojson")
	z := fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"c","class":"military","buffer_m":%v},"geometry":{"type":"Point","coordinates":[%v,%v]}}]}`, r, c.Lon, c.Lat)
	if err := os.WriteFile(path, []byte(z), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sanitize runs in through the engine with a drop rule for a circle of r
// metres around c (text positions redacted, the policy's default), checks
// the re-scan, and returns the output.
func sanitize(t *testing.T, in []byte, c geowarden.Point, r float64) ([]byte, geowarden.Stats) {
	t.Helper()
	e := engineFor(t, zoneFile(t, c, r))
	var out bytes.Buffer
	ctx := context.Background()
	st, err := e.Run(ctx, Codec{}, bytes.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "in.gpx"}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := e.Verify(ctx, Codec{}, bytes.NewReader(out.Bytes()), format.Options{Name: "out.gpx"}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return out.Bytes(), st
}

// TestBoundsRealFiles drops, in every real file with <bounds>, the
// northernmost point (a 5 m circle around it), and checks with
// encoding/xml that the output's <bounds> are exactly the extent of the
// points that remain, or gone when none remains. It logs in how many files
// the input's bounds reached past every point that remains: those are
// the files in which <bounds> would have leaked the dropped point.
func TestBoundsRealFiles(t *testing.T) {
	files, leaky := 0, 0
	for _, name := range goldenInputs(t) {
		in, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		v, ok := readXML(t, in)
		if !ok || len(v.bounds) == 0 || len(v.points) == 0 {
			continue
		}
		files++
		t.Run(name, func(t *testing.T) {
			north := v.points[0]
			for _, p := range v.points {
				if p.Lat > north.Lat {
					north = p
				}
			}
			out, _ := sanitize(t, in, north, 5)
			w, ok := readXML(t, out)
			if !ok {
				t.Fatalf("encoding/xml cannot read the output")
			}
			for _, p := range w.points {
				if formattest.Haversine(p, north) <= 5 {
					t.Fatalf("a point in the zone survived: %v", p)
				}
			}
			if len(w.points) == 0 {
				if len(w.bounds) != 0 {
					t.Fatalf("no point remains, but <bounds> %v do", w.bounds)
				}
				return
			}
			x := extentOf(w.points)
			if len(w.bounds) != len(v.bounds) {
				t.Fatalf("%d <bounds>, want %d", len(w.bounds), len(v.bounds))
			}
			for _, b := range w.bounds {
				if b != x {
					t.Errorf("bounds %v, want the extent of the points that remain %v", b, x)
				}
			}
			if v.bounds[0][2] > x[2] {
				leaky++
			}
		})
	}
	if files < 20 {
		t.Fatalf("only %d real files with <bounds>", files)
	}
	t.Logf("%d real files with <bounds>: in %d the input's bounds reach past every point that remains after the drop", files, leaky)
}

func extentOf(pts []geowarden.Point) [4]float64 {
	x := [4]float64{pts[0].Lat, pts[0].Lon, pts[0].Lat, pts[0].Lon}
	for _, p := range pts {
		x[0], x[1] = min(x[0], p.Lat), min(x[1], p.Lon)
		x[2], x[3] = max(x[2], p.Lat), max(x[3], p.Lon)
	}
	return x
}

// TestBoundsEdits covers <bounds> in crafted files: kept as they are when
// nothing moves, recomputed from moved points, removed with the white
// space before them when no point remains, rebuilt when they lack a
// value, and in GPX 1.0's place.
func TestBoundsEdits(t *testing.T) {
	const pts = `<wpt lat="10" lon="20"/><trk><trkseg><trkpt lat="11.5" lon="21"/><trkpt lat="12" lon="-22.25"/></trkseg></trk></gpx>`
	meta := head + "<metadata>\n  <name>n</name>\n  <bounds minlat=\"0\" minlon=\"-90\" maxlat=\"50\" maxlon='90'/>\n</metadata>" + pts
	gpx10 := "<gpx version=\"1.0\">\n<bounds maxlat=\"50\" maxlon=\"90\" minlat=\"0\" minlon=\"-90\"></bounds>\n" + pts
	partial := head + "<metadata><bounds minlat=\"0\" x=\"y\"/></metadata>" + pts
	empty := head + "<metadata><bounds minlat=\"\" minlon=\"\" maxlat=\"5ek\" maxlon=\"\"/></metadata>" + pts
	cases := []struct {
		name string
		in   string
		f    func(i int, r *geowarden.Record) geowarden.Edit
		want string
	}{
		{"keep all", meta, func(int, *geowarden.Record) geowarden.Edit { return geowarden.Keep }, meta},
		{"set only", meta, func(int, *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Set: []geowarden.Attr{{Name: "name", Value: "x"}}}
		}, meta},
		{"drop one", meta, func(i int, _ *geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: i == 2} },
			strings.Replace(strings.Replace(meta, `minlat="0" minlon="-90" maxlat="50" maxlon='90'`, `minlat="10" minlon="20" maxlat="11.5" maxlon='21'`, 1), `<trkpt lat="12" lon="-22.25"/>`, "", 1)},
		{"move", meta, func(i int, r *geowarden.Record) geowarden.Edit {
			if i == 0 {
				return geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 20.123456789, Lat: 9.87654321}}
			}
			return geowarden.Keep
		}, strings.Replace(strings.Replace(meta, `minlat="0" minlon="-90" maxlat="50" maxlon='90'`, `minlat="9.8765432" minlon="-22.25" maxlat="12" maxlon='21'`, 1), `lat="10" lon="20"`, `lat="9.8765432" lon="20.1234568"`, 1)},
		{"drop all", meta, func(int, *geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: true} },
			head + "<metadata>\n  <name>n</name>\n</metadata><trk></trk></gpx>"},
		{"gpx 1.0", gpx10, func(i int, _ *geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: i == 0} },
			strings.Replace(strings.Replace(gpx10, `maxlat="50" maxlon="90" minlat="0" minlon="-90"`, `maxlat="12" maxlon="21" minlat="11.5" minlon="-22.25"`, 1), "\n"+`<wpt lat="10" lon="20"/>`, "", 1)},
		{"empty values", empty, func(i int, _ *geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: i == 0} },
			strings.Replace(strings.Replace(empty, `minlat="" minlon="" maxlat="5ek" maxlon=""`, `minlat="11.5" minlon="-22.25" maxlat="12" maxlon="21"`, 1), `<wpt lat="10" lon="20"/>`, "", 1)},
		{"rebuilt", partial, func(i int, _ *geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: i == 0} },
			strings.Replace(strings.Replace(partial, `<bounds minlat="0" x="y"/>`, `<bounds minlat="11.5" minlon="-22.25" maxlat="12" maxlon="21"/>`, 1), `<wpt lat="10" lon="20"/>`, "", 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, mem := range []int{spoolMemory, 7} {
				old := spoolMemory
				spoolMemory = mem
				got, err := rewrite(c.in, &funcHandler{f: c.f})
				spoolMemory = old
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("spool memory %d:\ngot  %q\nwant %q", mem, got, c.want)
				}
			}
		})
	}
}

// TestBoundsSpoolFile rewrites a large track with a small in-memory spool:
// the output after <bounds> goes through the temporary file and comes out
// the same as from memory.
func TestBoundsSpoolFile(t *testing.T) {
	var b strings.Builder
	b.WriteString(head + "<metadata><bounds minlat=\"-1\" minlon=\"-1\" maxlat=\"80\" maxlon=\"80\"/></metadata><trk><trkseg>\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "<trkpt lat=\"%d.%04d\" lon=\"%d.5\"><name>p%d</name></trkpt>\n", i%80, i, i%70, i)
	}
	b.WriteString("</trkseg></trk></gpx>\n")
	in := b.String()
	drop := func(i int, r *geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: r.Pos.Lat >= 60} }
	want, err := rewrite(in, &funcHandler{f: drop})
	if err != nil {
		t.Fatal(err)
	}
	defer func(m int) { spoolMemory = m }(spoolMemory)
	spoolMemory = 4096
	got, err := rewrite(in, &funcHandler{f: drop})
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("output through the spool file differs: %s", formattest.FirstDiff([]byte(got), []byte(want)))
	}
	if !strings.Contains(got, `<bounds minlat="0" minlon="0.5" maxlat="59.9979" maxlon="69.5"/>`) {
		t.Errorf("bounds not recomputed: %.200s", got)
	}
}

// home is the protected place of the text tests, and far a place well
// outside it where the points stand.
var home = geowarden.Point{Lon: 14.4506, Lat: 35.8506}

// textCases are crafted files with a position of home written in free
// text, one hiding place each, in points far from home.
var textCases = []struct {
	name, in string
	redacted int // how many times RedactedText is written
}{
	{"name", head + `<wpt lat="36.5" lon="15"><name>Home 35.8506, 14.4506</name></wpt></gpx>`, 1},
	{"desc DMS", head + `<wpt lat="36.5" lon="15"><desc>at 35°51'02"N 14°27'01"E, gate</desc></wpt></gpx>`, 1},
	{"cmt CDATA", head + `<wpt lat="36.5" lon="15"><cmt><![CDATA[<b>35.8506N 14.4506E</b>]]></cmt></wpt></gpx>`, 1},
	{"src NMEA", head + `<trk><trkseg><trkpt lat="36.5" lon="15"><src>$GPGGA,120000,3551.0360,N,01427.0360,E,1,08</src></trkpt></trkseg></trk></gpx>`, 1},
	{"type", head + `<rte><rtept lat="36.5" lon="15"><type>35.8506 14.4506</type></rtept></rte></gpx>`, 1},
	{"extension text", head + `<wpt lat="36.5" lon="15"><extensions><x:note xmlns:x="urn:x">lat=35.8506 lon=14.4506</x:note></extensions></wpt></gpx>`, 1},
	// A position in elements is one of the point's own: it decides the
	// point, which is dropped.
	{"extension lat and lon elements", head + `<wpt lat="36.5" lon="15"><extensions><x:pos xmlns:x="urn:x"><x:lat>35.8506</x:lat><x:lon>14.4506</x:lon></x:pos></extensions></wpt></gpx>`, 0},
	{"extension dest elements", head + `<wpt lat="36.5" lon="15"><extensions><x:trip xmlns:x="urn:x"><x:destLat>35.8506</x:destLat><x:destLon>14.4506</x:destLon></x:trip></extensions></wpt></gpx>`, 0},
	{"extension E7 elements", head + `<wpt lat="36.5" lon="15"><extensions><x:p xmlns:x="urn:x"><x:latitudeE7>358506000</x:latitudeE7><x:longitudeE7>144506000</x:longitudeE7></x:p></extensions></wpt></gpx>`, 0},
	{"character references", head + `<wpt lat="36.5" lon="15"><desc>35&#46;8506&#x2C; 14.4506 &amp; more</desc></wpt></gpx>`, 1},
	{"split by a comment", head + `<wpt lat="36.5" lon="15"><cmt>35.85<!-- x -->06, 14.4506</cmt></wpt></gpx>`, 1},
	{"comment in a point", head + `<wpt lat="36.5" lon="15"><!-- home 35.8506, 14.4506 --></wpt></gpx>`, 1},
	{"link href", head + `<wpt lat="36.5" lon="15"><link href="https://maps.example/?q=35.8506,14.4506&amp;z=3"><text>map</text></link></wpt></gpx>`, 1},
	{"point attribute", head + `<wpt lat="36.5" lon="15" note="35.8506 14.4506"/></gpx>`, 1},
	{"metadata desc", head + "<metadata><desc>Start 35.8506, 14.4506</desc></metadata>" + `<wpt lat="36.5" lon="15"/></gpx>`, 1},
	{"metadata link", head + `<metadata><link href="geo:35.8506,14.4506"/></metadata><wpt lat="36.5" lon="15"/></gpx>`, 1},
	{"track name", head + `<trk><name>Loop from 35.8506,14.4506</name><trkseg><trkpt lat="36.5" lon="15"/></trkseg></trk></gpx>`, 1},
	{"route cmt CDATA and text", head + `<rte><cmt>from <![CDATA[35.8506]]>, 14.4506</cmt><rtept lat="36.5" lon="15"/></rte></gpx>`, 1},
	{"top-level comment", "<?xml version=\"1.0\"?>\n<!-- made at 35.8506, 14.4506 -->\n<gpx>" + `<wpt lat="36.5" lon="15"/></gpx>`, 1},
	{"root attribute", `<gpx creator="at 35.8506, 14.4506"><wpt lat="36.5" lon="15"/></gpx>`, 1},
	{"two in one field", head + `<wpt lat="36.5" lon="15"><desc>35.8506, 14.4506 then 35.8507, 14.4507.</desc></wpt></gpx>`, 2},
	{"ISO-8859-1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<gpx><wpt lat=\"36.5\" lon=\"15\"><desc>Caf\xe9 35\xb051'02\"N 14\xb027'01\"E</desc></wpt></gpx>", 1},
}

// TestTextPositions sanitizes each crafted file with a zone around home:
// the point stays, the text position is redacted, and no representation
// of home is left in the output's bytes or in any text encoding/xml reads
// in it.
func TestTextPositions(t *testing.T) {
	for _, c := range textCases {
		t.Run(c.name, func(t *testing.T) {
			if l := leaks(t, []byte(c.in), home, 100); len(l) == 0 && !strings.Contains(c.name, "ISO") && !strings.Contains(c.name, "elements") {
				t.Fatalf("the oracle finds nothing in the input")
			}
			out, st := sanitize(t, []byte(c.in), home, 100)
			if l := leaks(t, out, home, 100); len(l) > 0 {
				t.Errorf("left in the output: %v\n%s", l, out)
			}
			if n := bytes.Count(out, []byte(geowarden.RedactedText)); n != c.redacted {
				t.Errorf("%d redactions, want %d:\n%s", n, c.redacted, out)
			}
			want := 1
			if c.redacted == 0 {
				want = 0
			}
			if st.Dropped != int64(1-want) {
				t.Errorf("%d records dropped, want %d", st.Dropped, 1-want)
			}
			if v, ok := readXML(t, out); ok && len(v.points) != want {
				t.Errorf("%d points, want %d", len(v.points), want)
			}
		})
	}
}

// TestTextPositionsRealFiles sanitizes real files with a position written
// in text with a zone around it: a geocache's logs ("N 45° 26.872 W 075°
// 56.410", "45°29'31.5" -75°43'0"") and a Google Maps link in a comment of
// the metadata ("@50.0865542,-5.5469775"). The points outside the zone
// stay, and nothing inside it is left in any representation.
func TestTextPositionsRealFiles(t *testing.T) {
	cases := []struct {
		file   string
		centre geowarden.Point
	}{
		{"gpsbabel/gc/GC7FA4.gpx", geowarden.Point{Lon: -75.94016666666667, Lat: 45.44786666666667}},
		{"gpsbabel/gc/GC7FA4.gpx", geowarden.Point{Lon: -75.71666666666667, Lat: 45.49208333333333}},
		{"georust-gpx/mousehole_to_paul.gpx", geowarden.Point{Lon: -5.5469775, Lat: 50.0865542}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(leaks(t, in, c.centre, 50)) == 0 {
				t.Fatalf("the oracle finds nothing in the input")
			}
			out, _ := sanitize(t, in, c.centre, 50)
			if l := leaks(t, out, c.centre, 50); len(l) > 0 {
				t.Errorf("left in the output: %v", l)
			}
			if !bytes.Contains(out, []byte(geowarden.RedactedText)) {
				t.Errorf("nothing redacted")
			}
			v, _ := readXML(t, in)
			w, ok := readXML(t, out)
			if !ok {
				t.Fatal("encoding/xml cannot read the output")
			}
			if len(w.points) != len(v.points) {
				t.Errorf("%d points, want all %d", len(w.points), len(v.points))
			}
		})
	}
}

// TestTextRecords checks what records say about free text: Field, Start
// and End in the value Attrs gives, both orders of an ambiguous pair, the
// record of text outside points; and what a redaction or a move of More
// writes.
func TestTextRecords(t *testing.T) {
	in := head + `<!-- top 1.2345, 2.3456 -->
<metadata><desc>  at 48.8566N 2.3522E</desc></metadata>
<wpt lat="1" lon="2" note="x 10.5N 20.5E"><name> Home &amp; 35.8506, 14.4506 </name><extensions><p><lat>3.5</lat><lon>4.5</lon></p></extensions></wpt>
</gpx>`
	in = strings.Replace(in, "<p><lat>3.5</lat><lon>4.5</lon></p>", "<p><lat>3.5</lat><lon>4.5</lon></p><q><homeLatitudeE7>12345678</homeLatitudeE7><homeLongitudeE7>23456789</homeLongitudeE7><x>1.5</x><y>2.5</y></q>", 1)
	var recs []string
	h := &funcHandler{f: func(i int, r *geowarden.Record) geowarden.Edit {
		s := fmt.Sprintf("shape=%d more=%v", r.Shape, r.More)
		for _, tp := range r.Text {
			v, _ := r.Attrs.Attr(tp.Field)
			if tp.Field == "name" {
				s += fmt.Sprintf(" %s[%d:%d]=%q", tp.Field, tp.Start, tp.End, v[tp.Start:tp.End])
			} else {
				s += fmt.Sprintf(" %s[%d:%d]", tp.Field, tp.Start, tp.End)
			}
			s += fmt.Sprintf("@%v,%v", tp.Pos.Lat, tp.Pos.Lon)
		}
		recs = append(recs, s)
		switch r.Shape {
		case geowarden.ShapeNone:
			return geowarden.Edit{Redact: []int{0}}
		}
		return geowarden.Edit{Move: true, Pos: r.Pos, More: []geowarden.Point{{Lon: 4.56789012, Lat: 3.5}, {Lon: 2.5, Lat: 1.25}}, Redact: []int{1, 2}}
	}}
	out, err := rewrite(in, h)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"shape=0 more=[] comment[4:18]@1.2345,2.3456 comment[4:18]@2.3456,1.2345",
		"shape=0 more=[] desc[3:19]@48.8566,2.3522",
		`shape=1 more=[{4.5 3.5} {2.3456789 1.2345678}] name[7:23]="35.8506, 14.4506"@35.8506,14.4506 name[7:23]="35.8506, 14.4506"@14.4506,35.8506 note[2:13]@10.5,20.5`,
	}
	if strings.Join(recs, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant\n%s", strings.Join(recs, "\n"), strings.Join(want, "\n"))
	}
	wantOut := head + `<!-- top [position removed] -->
<metadata><desc>  at [position removed]</desc></metadata>
<wpt lat="1" lon="2" note="x [position removed]"><name> Home &amp; [position removed] </name><extensions><p><lat>3.5</lat><lon>4.5678901</lon></p><q><homeLatitudeE7>12500000</homeLatitudeE7><homeLongitudeE7>25000000</homeLongitudeE7><x>1.5</x><y>2.5</y></q></extensions></wpt>
</gpx>`
	if out != wantOut {
		t.Errorf("output:\n%s\nwant\n%s", out, wantOut)
	}
}

// TestRedactAcrossElements: a position written around a child element is
// redacted piece by piece, and the child can still be stripped.
func TestRedactAcrossElements(t *testing.T) {
	in := head + `<wpt lat="1" lon="2"><extensions>at 35.8506, <x:a xmlns:x="u">y</x:a>14.4506!</extensions></wpt></gpx>`
	for _, c := range []struct {
		strip []string
		want  string
	}{
		{nil, head + `<wpt lat="1" lon="2"><extensions>at [position removed]<x:a xmlns:x="u">y</x:a>!</extensions></wpt></gpx>`},
		{[]string{"a"}, head + `<wpt lat="1" lon="2"><extensions>at [position removed]!</extensions></wpt></gpx>`},
	} {
		out, err := rewrite(in, &funcHandler{f: func(i int, r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Strip: c.strip, Redact: allText(r)}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if out != c.want {
			t.Errorf("strip %v:\ngot  %s\nwant %s", c.strip, out, c.want)
		}
	}
}

// trackReader generates a GPX track of n points with <bounds>, without
// holding it in memory.
type trackReader struct {
	n, i int
	buf  []byte
	end  bool
}

func (r *trackReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		switch {
		case r.i == 0 && !r.end:
			r.buf = append(r.buf, head+"<metadata><bounds minlat=\"-90\" minlon=\"-180\" maxlat=\"90\" maxlon=\"180\"/></metadata>\n<trk><trkseg>\n"...)
			r.i++
		case r.i <= r.n:
			r.buf = fmt.Appendf(r.buf, "<trkpt lat=\"%d.%06d\" lon=\"%d.%06d\"><ele>%d.5</ele><time>2020-01-01T00:00:00Z</time><name>p %d</name></trkpt>\n", r.i%80, r.i%1000000, r.i%170, r.i%999983, r.i%3000, r.i)
			r.i++
		case !r.end:
			r.buf = append(r.buf, "</trkseg></trk></gpx>\n"...)
			r.end = true
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// TestBoundsLargeStream rewrites a 45 MB track whose <bounds> must be
// recomputed: the output goes through the spool file and the heap stays
// small.
func TestBoundsLargeStream(t *testing.T) {
	if testing.Short() {
		t.Skip("a 45 MB track")
	}
	var peak uint64
	var ms runtime.MemStats
	h := &funcHandler{f: func(i int, r *geowarden.Record) geowarden.Edit {
		if i%50000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		return geowarden.Edit{Drop: r.Pos.Lat >= 40}
	}}
	var out countWriter
	err := Codec{}.Rewrite(context.Background(), &trackReader{n: 400000}, &out, h, &format.Options{Name: "big.gpx"})
	if err != nil {
		t.Fatal(err)
	}
	if out.n < 20<<20 || !bytes.Contains(out.head, []byte(`<bounds minlat="0.0`)) || !bytes.Contains(out.head, []byte(`maxlat="39.`)) {
		t.Fatalf("%d bytes out, head %.300s", out.n, out.head)
	}
	if peak > 64<<20 {
		t.Errorf("heap in use reached %d MB", peak>>20)
	}
	t.Logf("%d MB written, heap in use at most %d MB", out.n>>20, peak>>20)
}

// countWriter counts what is written to it and keeps its first 4 KiB.
type countWriter struct {
	n    int
	head []byte
}

func (w *countWriter) Write(p []byte) (int, error) {
	if len(w.head) < 4096 {
		w.head = append(w.head, p[:min(len(p), 4096-len(w.head))]...)
	}
	w.n += len(p)
	return len(p), nil
}
