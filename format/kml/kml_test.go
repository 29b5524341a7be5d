package kml

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

const head = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document>`

const tail = `
</Document>
</kml>
`

func doc(body string) string { return head + body + tail }

func TestDetect(t *testing.T) {
	cases := []struct {
		name, file, head string
		want             bool
	}{
		{"kml root", "x", `<kml xmlns="http://www.opengis.net/kml/2.2">`, true},
		{"declaration and comment", "x", "\ufeff<?xml version='1.0'?>\n<!-- c -->\n<kml>", true},
		{"prefixed root", "x", `<kml:kml xmlns:kml="http://www.opengis.net/kml/2.2">`, true},
		{"doctype", "x", `<?xml version="1.0"?><!DOCTYPE kml><kml/>`, true},
		{"doctype with an internal subset", "x", `<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY lat "50.001"><!ENTITY q '>'>]><kml/>`, true},
		{"unfinished internal subset, kml name", "a.kml", `<!DOCTYPE kml [<!ENTITY lat "50.001">`, true},
		{"gpx", "x", `<?xml version="1.0"?><gpx version="1.1">`, false},
		{"gpx named kml", "a.kml", `<?xml version="1.0"?><gpx version="1.1">`, true},
		{"kmlx root", "x", `<kmlx>`, false},
		{"json", "a.kml", `{"type":"Feature"}`, false},
		{"utf-16 named kml", "a.KML", "\xff\xfe<\x00k\x00", true},
		{"utf-16 unnamed", "a.xml", "\xff\xfe<\x00k\x00", false},
		{"empty", "a.kml", ``, false},
		{"long comment, kml name", "a.kml", `<!--` + strings.Repeat("x", 100), true},
		{"long comment", "a.xml", `<!--` + strings.Repeat("x", 100), false},
		{"zip", "a.kml", "PK\x03\x04", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := (Codec{}).Detect(c.file, []byte(c.head)); got != c.want {
				t.Errorf("Detect(%q, %q) = %v, want %v", c.file, c.head, got, c.want)
			}
		})
	}
}

func TestRecords(t *testing.T) {
	ts := func(s string) string { return s }
	cases := []struct {
		name  string
		in    string
		attrs []string
		want  []got
	}{
		{
			name: "point with altitude, time and name",
			in: doc(`
<Folder><Folder>
  <Placemark id="a">
    <name>Gate &amp; guard</name>
    <TimeStamp><when>2020-05-01T10:00:00Z</when></TimeStamp>
    <Point><coordinates> -71.1,42.4,12.5 </coordinates></Point>
  </Placemark>
</Folder></Folder>`),
			attrs: []string{"name", "NAME", "missing"},
			want: []got{{Shape: geowarden.ShapePoint, Pos: pt(-71.1, 42.4), Alt: 12.5, HasAlt: true, Time: ts("2020-05-01T10:00:00Z"),
				Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 5, Offset: 159, Feature: 0},
				Attrs: map[string]string{"name": "Gate & guard", "NAME": "Gate & guard"}}},
		},
		{
			name: "line, ring, polygon with a hole, no geometry",
			in: doc(`
<Placemark><LineString><coordinates>1,2 3,4
5,6</coordinates></LineString></Placemark>
<Placemark><LinearRing><coordinates>0,0 1,0 1,1 0,0</coordinates></LinearRing></Placemark>
<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 4,0 4,4 0,4</coordinates></LinearRing></outerBoundaryIs>
<innerBoundaryIs><LinearRing><coordinates>1,1 2,1 2,2 1,1</coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark>
<Placemark><name>nothing</name></Placemark>
<Placemark><LineString><coordinates>7,8</coordinates></LineString></Placemark>`),
			want: []got{
				{Shape: geowarden.ShapeLine, Pos: pt(1, 2), Lines: [][]geowarden.Point{{pt(1, 2), pt(3, 4), pt(5, 6)}}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 4, Offset: 140, Feature: 0}},
				{Shape: geowarden.ShapeLine, Pos: pt(0, 0), Lines: [][]geowarden.Point{{pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 0)}}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 6, Offset: 227, Feature: 1}},
				{Shape: geowarden.ShapeArea, Pos: pt(0, 0), Areas: [][][]geowarden.Point{{{pt(0, 0), pt(4, 0), pt(4, 4), pt(0, 4), pt(0, 0)}, {pt(1, 1), pt(2, 1), pt(2, 2), pt(1, 1)}}}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 7, Offset: 318, Feature: 2}},
				{Shape: geowarden.ShapeNone, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 9, Offset: 566, Feature: 3}},
				{Shape: geowarden.ShapeLine, Pos: pt(7, 8), Lines: [][]geowarden.Point{{pt(7, 8), pt(7, 8)}}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 10, Offset: 610, Feature: 4}},
			},
		},
		{
			name: "multigeometry of lines is a line record, mixed is an area record",
			in: doc(`
<Placemark><MultiGeometry><LineString><coordinates>1,2 3,4</coordinates></LineString><MultiGeometry><LineString><coordinates>5,6 7,8</coordinates></LineString></MultiGeometry></MultiGeometry></Placemark>
<Placemark><MultiGeometry><Point><coordinates>1,1</coordinates></Point><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 1,0 1,1 0,0</coordinates></LinearRing></outerBoundaryIs></Polygon><LineString><coordinates>5,5 6,6</coordinates></LineString></MultiGeometry></Placemark>`),
			want: []got{
				{Shape: geowarden.ShapeLine, Pos: pt(1, 2), Lines: [][]geowarden.Point{{pt(1, 2), pt(3, 4)}, {pt(5, 6), pt(7, 8)}}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 4, Offset: 140, Feature: 0}},
				{Shape: geowarden.ShapeArea, Pos: pt(0, 0), Lines: [][]geowarden.Point{{pt(1, 1)}, {pt(5, 5), pt(6, 6)}}, Areas: [][][]geowarden.Point{{{pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 0)}}}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 5, Offset: 344, Feature: 1}},
			},
		},
		{
			name: "gx:Track with when runs, MultiTrack, arrays and empty coord",
			in: doc(`
<Placemark><name>t</name><gx:Track>
<when>2020-01-01T00:00:00Z</when><when>2020-01-01T00:00:10Z</when>
<gx:coord>1 2 3</gx:coord>
<gx:coord>4 5</gx:coord>
<ExtendedData><SchemaData schemaUrl="#s"><gx:SimpleArrayData name="rssi"><gx:value>-70</gx:value><gx:value>-80</gx:value></gx:SimpleArrayData></SchemaData></ExtendedData>
</gx:Track></Placemark>
<Placemark><gx:MultiTrack><gx:Track><gx:coord/><gx:coord>7 8</gx:coord></gx:Track><gx:Track><when>2021</when><gx:coord>9 10</gx:coord></gx:Track></gx:MultiTrack></Placemark>`),
			attrs: []string{"rssi", "name"},
			want: []got{
				{Shape: geowarden.ShapePoint, Pos: pt(1, 2), Alt: 3, HasAlt: true, Time: "2020-01-01T00:00:00Z", Kind: geowarden.KindFix, Signal: geowarden.Signal{Strength: -70, HasStrength: true}, Ref: geowarden.Ref{File: "in", Line: 6, Offset: 243, Feature: 0}, Attrs: map[string]string{"rssi": "-70", "name": "t"}},
				{Shape: geowarden.ShapePoint, Pos: pt(4, 5), Time: "2020-01-01T00:00:10Z", Kind: geowarden.KindFix, Signal: geowarden.Signal{Strength: -80, HasStrength: true}, Ref: geowarden.Ref{File: "in", Line: 7, Offset: 270, Feature: 0}, Attrs: map[string]string{"rssi": "-80", "name": "t"}},
				{Shape: geowarden.ShapePoint, Pos: pt(7, 8), Kind: geowarden.KindFix, Ref: geowarden.Ref{File: "in", Line: 10, Offset: 537, Feature: 1}},
				{Shape: geowarden.ShapePoint, Pos: pt(9, 10), Time: "2021-01-01T00:00:00Z", Kind: geowarden.KindFix, Ref: geowarden.Ref{File: "in", Line: 10, Offset: 599, Feature: 1}},
			},
		},
		{
			name: "ExtendedData roles make a cell record",
			in: doc(`
<Placemark><ExtendedData>
<Data name="Device"><value> phone-7 </value></Data>
<Data name="radio"><displayName>R</displayName><value>LTE</value></Data>
<SchemaData><SimpleData name="mcc">262</SimpleData><SimpleData name="mnc">01</SimpleData><SimpleData name="cell">1234</SimpleData><SimpleData name="ts">2024-02-03T04:05:06Z</SimpleData></SchemaData>
</ExtendedData><Point><coordinates>8,50</coordinates></Point></Placemark>`),
			attrs: []string{"device", "mcc", "displayName"},
			want: []got{{Shape: geowarden.ShapePoint, Pos: pt(8, 50), Time: "2024-02-03T04:05:06Z", Kind: geowarden.KindCell, Source: "phone-7",
				Signal: geowarden.Signal{Radio: "LTE", MCC: 262, MNC: 1, HasMNC: true, Cell: 1234}, Ref: geowarden.Ref{File: "in", Line: 4, Offset: 140, Feature: 0},
				Attrs: map[string]string{"device": "phone-7", "mcc": "262"}}},
		},
		{
			name: "GSM ARFCN without a frequency gives the downlink carrier; aliases shared with CSV",
			in: doc(`
<Placemark><ExtendedData>
<Data name="technology"><value>GSM</value></Data>
<Data name="ARFCN"><value>62</value></Data>
<Data name="cellid"><value>99</value></Data>
</ExtendedData><Point><coordinates>8,50</coordinates></Point></Placemark>`),
			want: []got{{Shape: geowarden.ShapePoint, Pos: pt(8, 50), Kind: geowarden.KindCell,
				Signal: geowarden.Signal{Radio: "GSM", ARFCN: 62, HasARFCN: true, FreqMHz: 947.4, Cell: 99}, Ref: geowarden.Ref{File: "in", Line: 4, Offset: 140, Feature: 0}}},
		},
		{
			name: "LTE EARFCN and NR-ARFCN without a frequency give the carrier",
			in: doc(`
<Placemark><ExtendedData>
<Data name="radio"><value>LTE</value></Data>
<Data name="EARFCN"><value>6300</value></Data>
</ExtendedData><Point><coordinates>8,50</coordinates></Point></Placemark>
<Placemark><ExtendedData>
<Data name="radio"><value>NR</value></Data>
<Data name="nrarfcn"><value>380500</value></Data>
</ExtendedData><Point><coordinates>8,50</coordinates></Point></Placemark>`),
			want: []got{
				{Shape: geowarden.ShapePoint, Pos: pt(8, 50), Kind: geowarden.KindCell,
					Signal: geowarden.Signal{Radio: "LTE", ARFCN: 6300, HasARFCN: true, FreqMHz: 806}, Ref: geowarden.Ref{File: "in", Line: 4, Offset: 140, Feature: 0}},
				{Shape: geowarden.ShapePoint, Pos: pt(8, 50), Kind: geowarden.KindCell,
					Signal: geowarden.Signal{Radio: "NR", ARFCN: 380500, HasARFCN: true, FreqMHz: 1902.5}, Ref: geowarden.Ref{File: "in", Line: 8, Offset: 332, Feature: 1}},
			},
		},
		{
			name: "overlays",
			in: doc(`
<GroundOverlay><LatLonBox><north>10</north><south>0</south><east>-170</east><west>170</west></LatLonBox></GroundOverlay>
<GroundOverlay><LatLonBox><north>2</north><south>0</south><east>2</east><west>0</west><rotation>90</rotation></LatLonBox></GroundOverlay>
<GroundOverlay><gx:LatLonQuad><coordinates>0,0 1,0 1,1 0,1</coordinates></gx:LatLonQuad></GroundOverlay>
<PhotoOverlay><Point><coordinates>3,4</coordinates></Point></PhotoOverlay>
<ScreenOverlay><name>legend</name></ScreenOverlay>`),
			want: []got{
				{Shape: geowarden.ShapeArea, Pos: pt(170, 0), Areas: [][][]geowarden.Point{{boxRing(170, 0, 180, 10)}, {boxRing(-180, 0, -170, 10)}}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 4, Offset: 140, Feature: 0}},
				{Shape: geowarden.ShapeArea, Pos: pt(0, 0), Areas: [][][]geowarden.Point{{boxRing(0, 0, 2, 2)}}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 5, Offset: 261, Feature: 1}},
				{Shape: geowarden.ShapeArea, Pos: pt(0, 0), Areas: [][][]geowarden.Point{{{pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 1), pt(0, 0)}}}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 6, Offset: 399, Feature: 2}},
				{Shape: geowarden.ShapePoint, Pos: pt(3, 4), Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 7, Offset: 504, Feature: 3}},
			},
		},
		{
			name: "prefixed elements and KML 2.3 tracks",
			in: `<k:kml xmlns:k="http://www.opengis.net/kml/2.2"><k:Placemark><k:Point><k:coordinates>1,2</k:coordinates></k:Point></k:Placemark>` +
				`<Placemark xmlns="http://www.opengis.net/kml/2.3"><Track><coord>3 4</coord></Track></Placemark></k:kml>`,
			want: []got{
				{Shape: geowarden.ShapePoint, Pos: pt(1, 2), Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 1, Offset: 48, Feature: 0}},
				{Shape: geowarden.ShapePoint, Pos: pt(3, 4), Kind: geowarden.KindFix, Ref: geowarden.Ref{File: "in", Line: 1, Offset: 185, Feature: 1}},
			},
		},
		{
			name: "several geometries in one feature: all of them read",
			in: doc(`<Placemark>` + strings.Repeat(`<Point><coordinates>1,1</coordinates></Point>`, 9) + `<Point><coordinates>9,9</coordinates></Point></Placemark>` +
				`<GroundOverlay><LatLonBox><north>1</north><south>0</south><east>1</east><west>0</west></LatLonBox><gx:LatLonQuad><coordinates>5,5 6,5 6,6 5,6</coordinates></gx:LatLonQuad></GroundOverlay>`),
			want: []got{
				{Shape: geowarden.ShapeArea, Pos: pt(1, 1), Lines: append(slices.Repeat([][]geowarden.Point{{pt(1, 1)}}, 9), []geowarden.Point{pt(9, 9)}), Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 3, Offset: 139, Feature: 0}},
				{Shape: geowarden.ShapeArea, Pos: pt(0, 0), Areas: [][][]geowarden.Point{{boxRing(0, 0, 1, 1)}, {{pt(5, 5), pt(6, 5), pt(6, 6), pt(5, 6), pt(5, 5)}}}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 3, Offset: 612, Feature: 1}},
			},
		},
		{
			name: "references and CDATA in coordinates",
			in:   doc(`<Placemark><Point><coordinates>&#45;1,<![CDATA[2]]><!-- c --></coordinates></Point></Placemark>`),
			want: []got{{Shape: geowarden.ShapePoint, Pos: pt(-1, 2), Kind: geowarden.KindFeature, Ref: geowarden.Ref{File: "in", Line: 3, Offset: 139, Feature: 0}}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &handler{attrs: c.attrs}
			out, err := rewrite(c.in, h)
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if out != c.in {
				t.Errorf("keep-all output differs:\n%s", out)
			}
			if len(h.recs) != len(c.want) {
				t.Fatalf("got %d records, want %d:\n%+v", len(h.recs), len(c.want), h.recs)
			}
			for i := range c.want {
				if !reflect.DeepEqual(h.recs[i], c.want[i]) {
					t.Errorf("record %d:\ngot  %+v %#v\nwant %+v %#v", i, h.recs[i], h.recs[i].Ref, c.want[i], c.want[i].Ref)
				}
			}
		})
	}
}

func TestNetworkLink(t *testing.T) {
	in := doc(`
<NetworkLink><name>feed</name><Link><href>http://example.com/a.kml</href></Link></NetworkLink>
<Placemark><Point><coordinates>1,2</coordinates></Point></Placemark>`)
	h := &handler{}
	out, err := rewrite(in, h)
	if err != nil || out != in {
		t.Fatalf("err %v, output differs: %v", err, out != in)
	}
	if len(h.notices) != 1 {
		t.Fatalf("got %d notices, want 1", len(h.notices))
	}
	n := h.notices[0]
	if n.Kind != "network-link" || !strings.Contains(n.Message, "http://example.com/a.kml") || n.Ref.Line != 4 || n.Ref.Feature != -1 || n.Dropped {
		t.Errorf("notice = %+v", n)
	}
	if len(h.recs) != 1 || h.recs[0].Ref.Feature != 0 {
		t.Errorf("records = %+v, want one, feature 0", h.recs)
	}
}

// editCase is an input, edits by record number and the expected output.
type editCase struct {
	name  string
	in    string
	edits map[int]geowarden.Edit
	want  string
}

func runEdits(t *testing.T, cases []editCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := &handler{edit: func(i int, _ *geowarden.Record) geowarden.Edit { return c.edits[i] }}
			out, err := rewrite(c.in, h)
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if out != c.want {
				t.Errorf("got\n%s\nwant\n%s", out, c.want)
			}
			// The output reads again, and so do gpsbabel and ogrinfo when
			// they read the input.
			if err := scan(out, &formattest.KeepAll{}); err != nil {
				t.Errorf("output does not read again: %v", err)
			}
			dir := t.TempDir()
			inPath, outPath := filepath.Join(dir, "in.kml"), filepath.Join(dir, "out.kml")
			os.WriteFile(inPath, []byte(c.in), 0o644)
			os.WriteFile(outPath, []byte(out), 0o644)
			for _, tool := range []string{"gpsbabel", "ogrinfo"} {
				if ok, _ := toolReads(t, tool, inPath); !ok {
					continue
				}
				if ok, msg := toolReads(t, tool, outPath); !ok {
					t.Errorf("%s cannot read the output: %.300s", tool, msg)
				}
			}
		})
	}
}

func TestEditPlacemarks(t *testing.T) {
	tm := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	runEdits(t, []editCase{
		{
			name: "drop with the white space before it",
			in: doc(`
  <Placemark><Point><coordinates>1,2</coordinates></Point></Placemark>
  <!-- keep me -->
  <Placemark><Point><coordinates>3,4</coordinates></Point></Placemark>
  <Placemark><Point><coordinates>5,6</coordinates></Point></Placemark>`),
			edits: map[int]geowarden.Edit{0: {Drop: true}, 2: {Drop: true}},
			want: doc(`
  <!-- keep me -->
  <Placemark><Point><coordinates>3,4</coordinates></Point></Placemark>`),
		},
		{
			name:  "move a point, keeping the altitude and layout, losing the LookAt",
			in:    doc(`<Placemark><LookAt><longitude>1</longitude><latitude>2</latitude></LookAt><Point><coordinates> 1.5,2.25,100.0 </coordinates></Point></Placemark>`),
			edits: map[int]geowarden.Edit{0: {Move: true, Pos: pt(-0.12345678, 3)}},
			want:  doc(`<Placemark><Point><coordinates> -0.1234568,3,100.0 </coordinates></Point></Placemark>`),
		},
		{
			name:  "move a Model",
			in:    doc(`<Placemark><Model><Location><longitude>1</longitude><latitude>2</latitude><altitude>0</altitude></Location></Model></Placemark>`),
			edits: map[int]geowarden.Edit{0: {Move: true, Pos: pt(3, 4)}},
			want:  doc(`<Placemark><Model><Location><longitude>3</longitude><latitude>4</latitude><altitude>0</altitude></Location></Model></Placemark>`),
		},
		{
			name: "move a line in one part",
			in: doc(`<Placemark><LineString id="l"><tessellate>1</tessellate><coordinates>
1,1,10
2,2,20
3,3,30
</coordinates></LineString></Placemark>`),
			edits: map[int]geowarden.Edit{0: {Move: true, Lines: [][]geowarden.Point{{pt(1, 1), pt(2.5, 2.5)}}}},
			want: doc(`<Placemark><LineString id="l"><tessellate>1</tessellate><coordinates>
1,1,10
2.5,2.5
</coordinates></LineString></Placemark>`),
		},
		{
			name:  "cut a line in two parts",
			in:    doc(`<Placemark><name>n</name><kml:LineString><tessellate>1</tessellate><kml:coordinates>1,1,10 2,2,20 3,3,30 4,4,40</kml:coordinates></kml:LineString></Placemark>`),
			edits: map[int]geowarden.Edit{0: {Move: true, Lines: [][]geowarden.Point{{pt(1, 1), pt(1.5, 1.5)}, {pt(3.5, 3.5), pt(4, 4)}}}},
			want:  doc(`<Placemark><name>n</name><kml:MultiGeometry><kml:LineString><tessellate>1</tessellate><kml:coordinates>1,1,10 1.5,1.5</kml:coordinates></kml:LineString><kml:LineString><tessellate>1</tessellate><kml:coordinates>3.5,3.5 4,4,40</kml:coordinates></kml:LineString></kml:MultiGeometry></Placemark>`),
		},
		{
			name:  "cut a ring: it becomes LineStrings",
			in:    doc(`<Placemark><LinearRing><coordinates>0,0 1,0 1,1 0,0</coordinates></LinearRing></Placemark>`),
			edits: map[int]geowarden.Edit{0: {Move: true, Lines: [][]geowarden.Point{{pt(0, 0), pt(1, 0)}}}},
			want:  doc(`<Placemark><LineString><coordinates>0,0 1,0</coordinates></LineString></Placemark>`),
		},
		{
			name: "move of a line with nothing left, of an area, of a multigeometry: dropped",
			in: doc(`
<Placemark><LineString><coordinates>0,0 1,0</coordinates></LineString></Placemark>
<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 1,0 1,1 0,0</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark><MultiGeometry><Point><coordinates>0,0</coordinates></Point></MultiGeometry></Placemark>
<Placemark><name>kept</name></Placemark>`),
			edits: map[int]geowarden.Edit{0: {Move: true}, 1: {Move: true, Pos: pt(1, 1)}, 2: {Move: true, Lines: [][]geowarden.Point{{pt(1, 1), pt(2, 2)}}}, 3: {Move: true, Pos: pt(1, 1)}},
			want: doc(`
<Placemark><name>kept</name></Placemark>`),
		},
		{
			name: "retime a TimeStamp and a TimeSpan",
			in: doc(`
<Placemark><TimeStamp><when>2001-02-03T04:05:06.789+02:00</when></TimeStamp></Placemark>
<Placemark><TimeSpan><begin>2001</begin><end>2002</end></TimeSpan></Placemark>
<Placemark><ExtendedData><Data name="timestamp"><value>1700000000</value></Data></ExtendedData></Placemark>`),
			edits: map[int]geowarden.Edit{0: {Retime: true, Time: tm}, 1: {Retime: true, Time: tm}, 2: {Retime: true, Time: tm}},
			want: doc(`
<Placemark><TimeStamp><when>2020-01-02T03:04:05Z</when></TimeStamp></Placemark>
<Placemark><TimeSpan><begin>2020-01-02T03:04:05Z</begin><end>2020-01-02T03:04:05Z</end></TimeSpan></Placemark>
<Placemark><ExtendedData><Data name="timestamp"><value>1577934245</value></Data></ExtendedData></Placemark>`),
		},
		{
			name: "strip and set attributes",
			in: doc(`
<Placemark>
  <name>Base</name>
  <description><![CDATA[<b>secret</b>]]></description>
  <TimeStamp><when>2001</when></TimeStamp>
  <ExtendedData>
    <Data name="device"><value>phone-1</value></Data>
    <Data name="note"><value>x</value></Data>
    <SchemaData><SimpleData name="user">bob</SimpleData><SimpleData name="empty"/></SchemaData>
  </ExtendedData>
  <Point><coordinates>1,2</coordinates></Point>
</Placemark>`),
			edits: map[int]geowarden.Edit{0: {Strip: []string{"description", "time", "source"}, Set: []geowarden.Attr{{Name: "name", Value: `<"é">`}, {Name: "NOTE", Value: "y&z"}, {Name: "empty", Value: "v"}}}},
			want: doc(`
<Placemark>
  <name>&lt;&quot;&#xe9;&quot;&gt;</name>
  <ExtendedData>
    <Data name="note"><value>y&amp;z</value></Data>
    <SchemaData><SimpleData name="empty">v</SimpleData></SchemaData>
  </ExtendedData>
  <Point><coordinates>1,2</coordinates></Point>
</Placemark>`),
		},
		{
			name:  "drop a GroundOverlay and a PhotoOverlay, keep a ScreenOverlay",
			in:    doc(`<GroundOverlay><LatLonBox><north>1</north><south>0</south><east>1</east><west>0</west></LatLonBox></GroundOverlay><PhotoOverlay><Point><coordinates>0,0</coordinates></Point></PhotoOverlay><ScreenOverlay/>`),
			edits: map[int]geowarden.Edit{0: {Drop: true}, 1: {Drop: true}},
			want:  doc(`<ScreenOverlay/>`),
		},
		{
			name: "geometry outside features (an Update's Change) is read and edited",
			in: doc(`<Update><Change>
  <Point targetId="p"><coordinates>1,2</coordinates></Point>
  <LineString targetId="l"><coordinates>1,2 3,4 5,6</coordinates></LineString>
</Change></Update>`),
			edits: map[int]geowarden.Edit{0: {Drop: true}, 1: {Move: true, Lines: [][]geowarden.Point{{pt(1, 2), pt(2, 3)}, {pt(4, 5), pt(5, 6)}}}},
			want: doc(`<Update><Change>
  <MultiGeometry><LineString targetId="l"><coordinates>1,2 2,3</coordinates></LineString><LineString targetId="l"><coordinates>4,5 5,6</coordinates></LineString></MultiGeometry>
</Change></Update>`),
		},
		{
			name:  "set on an empty element",
			in:    doc(`<Placemark><name/></Placemark>`),
			edits: map[int]geowarden.Edit{0: {Set: []geowarden.Attr{{Name: "name", Value: "n"}}}},
			want:  doc(`<Placemark><name>n</name></Placemark>`),
		},
	})
}

const trackDoc = `
<Placemark>
<LookAt><longitude>1</longitude><latitude>2</latitude></LookAt>
<gx:Track>
<when>T0</when>
<when>T1</when>
<when>T2</when>
<when>T3</when>
<gx:coord>0 0 1</gx:coord>
<gx:coord>1 1 2</gx:coord>
<gx:coord>2 2 3</gx:coord>
<gx:coord>3 3 4</gx:coord>
<gx:angles>0 0 0</gx:angles>
<gx:angles>1 1 1</gx:angles>
<gx:angles>2 2 2</gx:angles>
<gx:angles>3 3 3</gx:angles>
<ExtendedData><SchemaData><gx:SimpleArrayData name="hr"><gx:value>60</gx:value><gx:value>61</gx:value><gx:value>62</gx:value><gx:value>63</gx:value></gx:SimpleArrayData></SchemaData></ExtendedData>
</gx:Track>
</Placemark>`

func TestEditTracks(t *testing.T) {
	tm := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	runEdits(t, []editCase{
		{
			name:  "drop the last points: no split",
			in:    doc(trackDoc),
			edits: map[int]geowarden.Edit{3: {Drop: true}, 4: {Drop: true}},
			want: doc(`
<Placemark>
<gx:Track>
<when>T0</when>
<when>T1</when>
<gx:coord>0 0 1</gx:coord>
<gx:coord>1 1 2</gx:coord>
<gx:angles>0 0 0</gx:angles>
<gx:angles>1 1 1</gx:angles>
<ExtendedData><SchemaData><gx:SimpleArrayData name="hr"><gx:value>60</gx:value><gx:value>61</gx:value></gx:SimpleArrayData></SchemaData></ExtendedData>
</gx:Track>
</Placemark>`),
		},
		{
			name:  "drop a middle point: split into a MultiTrack",
			in:    doc(trackDoc),
			edits: map[int]geowarden.Edit{2: {Drop: true}, 4: {Move: true, Pos: pt(5, 5), Retime: true, Time: tm}},
			want: doc(`
<Placemark>
<gx:MultiTrack><gx:Track>
<when>T0</when>
<gx:coord>0 0 1</gx:coord>
<gx:angles>0 0 0</gx:angles>
<ExtendedData><SchemaData><gx:SimpleArrayData name="hr"><gx:value>60</gx:value></gx:SimpleArrayData></SchemaData></ExtendedData>
</gx:Track><gx:Track>
<when>T2</when>
<when>2020-01-02T03:04:05Z</when>
<gx:coord>2 2 3</gx:coord>
<gx:coord>5 5 4</gx:coord>
<gx:angles>2 2 2</gx:angles>
<gx:angles>3 3 3</gx:angles>
<ExtendedData><SchemaData><gx:SimpleArrayData name="hr"><gx:value>62</gx:value><gx:value>63</gx:value></gx:SimpleArrayData></SchemaData></ExtendedData>
</gx:Track></gx:MultiTrack>
</Placemark>`),
		},
		{
			name:  "drop every point: the placemark goes",
			in:    doc(trackDoc + "\n<Placemark><name>k</name></Placemark>"),
			edits: map[int]geowarden.Edit{1: {Drop: true}, 2: {Drop: true}, 3: {Drop: true}, 4: {Drop: true}},
			want:  doc("\n<Placemark><name>k</name></Placemark>"),
		},
		{
			name:  "strip time and values of one point, a name for all",
			in:    doc(trackDoc),
			edits: map[int]geowarden.Edit{2: {Strip: []string{"time", "hr", "name"}, Retime: true, Time: tm}},
			want:  doc(strings.NewReplacer("<when>T1</when>", "<when></when>", "<gx:value>61</gx:value>", "<gx:value></gx:value>").Replace(trackDoc)),
		},
		{
			name: "split inside a MultiTrack, interpolation off",
			in: doc(`<Placemark><gx:MultiTrack><gx:interpolate>1</gx:interpolate>
  <gx:Track><gx:coord>0 0</gx:coord><gx:coord>1 1</gx:coord><gx:coord>2 2</gx:coord></gx:Track>
  <gx:Track><gx:coord>5 5</gx:coord></gx:Track>
</gx:MultiTrack></Placemark>`),
			edits: map[int]geowarden.Edit{1: {Drop: true}, 3: {Drop: true}},
			want: doc(`<Placemark><gx:MultiTrack><gx:interpolate>0</gx:interpolate>
  <gx:Track><gx:coord>0 0</gx:coord></gx:Track>
  <gx:Track><gx:coord>2 2</gx:coord></gx:Track>
</gx:MultiTrack></Placemark>`),
		},
	})
}

// errCase is an input and the error it must give.
type errCase struct {
	name, in, want string
}

func TestErrors(t *testing.T) {
	cases := []errCase{
		{"empty", "", `in:1:1: kml: no <kml> element`},
		{"white space only", "  \n", `in:2:1: kml: no <kml> element`},
		{"not kml", `<?xml version="1.0"?><gpx/>`, `in:1:22: kml: the root element is <gpx>, not <kml>`},
		{"truncated", "<kml><Document>\n<Placemark><Point><coordinates>1,2", `in:2:35: kml: unexpected end of input: <coordinates> opened at line 2, column 19 is not closed`},
		{"truncated outside features", "<kml><Document>\n<Folder>", `in:2:9: kml: unexpected end of input: <Folder> opened at line 2 is not closed`},
		{"truncated tag", "<kml><Document", `in:1:15: kml: unexpected end of input in a start tag that begins at line 1, column 6`},
		{"mismatched", "<kml><Folder></Document></kml>", `in:1:14: kml: expected </Folder> to close the element opened at line 1, found </Document>`},
		{"mismatched in feature", "<kml><Placemark><name></Placemark></kml>", `in:1:23: kml: expected </name> to close the element opened at line 1, found </Placemark>`},
		{"end without start", "<kml></kml></x>", `in:1:12: kml: end tag </x> without a start tag`},
		{"second root", "<kml></kml><kml/>", `in:1:12: kml: a second root element <kml>`},
		{"text outside", "<kml></kml>x", `in:1:12: kml: text outside the root element`},
		{"late declaration", " <?xml version='1.0'?><kml/>", `in:1:2: kml: the XML declaration must come first`},
		{"entity declaration", `<!DOCTYPE kml [<!ENTITY a "aaaa">]><kml>&a;</kml>`, `in:1:1: kml: a DOCTYPE that declares entities is refused (entity expansion)`},
		{"undefined entity", `<kml><name>&nbsp;</name></kml>`, `in:1:12: kml: unknown entity &nbsp; (only the five XML entities are defined)`},
		{"bare ampersand", `<kml><name>a & b</name></kml>`, `in:1:14: kml: '&' not followed by a reference (write &amp;)`},
		{"bad char ref", `<kml><name>&#0;</name></kml>`, `in:1:12: kml: invalid character reference &#0;`},
		{"control character", "<kml>\x01</kml>", `in:1:6: kml: character U+0001 is not allowed in XML`},
		{"invalid utf-8", "<kml>\xff</kml>", `in:1:6: kml: invalid UTF-8`},
		{"attribute without quotes", `<kml><Placemark id=a/></kml>`, `in:1:20: kml: expected a quoted attribute value`},
		{"attribute without value", `<kml><Placemark id/></kml>`, `in:1:19: kml: expected '=' after the attribute name id`},
		{"lt in attribute", `<kml a="<"/>`, `in:1:9: kml: '<' is not allowed in an attribute value`},
		{"double dash in comment", `<kml><!-- a -- b --></kml>`, `in:1:13: kml: "--" is not allowed inside a comment`},
		{"bad markup", `<kml><!x></kml>`, `in:1:6: kml: expected a comment, CDATA section or DOCTYPE after '<!'`},
		{"utf-16", "\xff\xfe<\x00k\x00m\x00l\x00", `in:1:1: kml: UTF-16 and UTF-32 input is not supported (convert it to UTF-8)`},
		{"utf-16 declared", `<?xml version="1.0" encoding="UTF-16"?><kml/>`, `in:1:1: kml: encoding "UTF-16" is not supported (convert the file to UTF-8)`},
		{"too deep", "<kml>" + strings.Repeat("<a>", MaxDepth) + strings.Repeat("</a>", MaxDepth) + "</kml>", fmt.Sprintf(`in:1:%d: kml: elements nested more than 256 deep`, 6+3*(MaxDepth-1))},
		{"too deep in a feature", "<kml><Placemark>" + strings.Repeat("<a>", MaxDepth) + "</kml>", fmt.Sprintf(`in:1:%d: kml: elements nested more than 256 deep`, 17+3*(MaxDepth-2))},
		{"cdata outside", `<![CDATA[x]]><kml/>`, `in:1:1: kml: CDATA section outside the root element`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := rewrite(c.in, &formattest.KeepAll{})
			var pe *format.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *format.ParseError", err)
			}
			if err.Error() != c.want {
				t.Errorf("err = %q\nwant  %q", err, c.want)
			}
			if err2 := scan(c.in, &formattest.KeepAll{}); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("scan gives %v", err2)
			}
		})
	}
}

func TestBadRecords(t *testing.T) {
	cases := []errCase{
		{"one number", `<Placemark><Point><coordinates>1</coordinates></Point></Placemark>`, `in:3:42: kml: feature 0: a coordinate tuple has only one number (want lon,lat[,alt])`},
		{"latitude out of range", `<Placemark><Point><coordinates>1,91</coordinates></Point></Placemark>`, `in:3:42: kml: feature 0: coordinate out of range: latitude 91 outside -90..90`},
		{"NaN", `<Placemark><Point><coordinates>NaN,1</coordinates></Point></Placemark>`, `in:3:42: kml: feature 0: expected a number in coordinates, found "NaN,1"`},
		{"huge", `<Placemark><Point><coordinates>1e999,1</coordinates></Point></Placemark>`, `in:3:42: kml: feature 0: "1e999" is not a finite number`},
		{"four numbers", `<Placemark><Point><coordinates>1,2,3,4</coordinates></Point></Placemark>`, `in:3:48: kml: feature 0: a coordinate tuple has more than 3 numbers`},
		{"two positions in a Point", `<Placemark><Point><coordinates>1,2 3,4</coordinates></Point></Placemark>`, `in:3:29: kml: feature 0: a Point has 2 positions (want 1)`},
		{"trailing comma", `<Placemark><Point><coordinates>1,2,</coordinates></Point></Placemark>`, `in:3:45: kml: feature 0: coordinates end with a comma`},
		{"bad gx:coord", `<Placemark><gx:Track><gx:coord>1,2</gx:coord></gx:Track></Placemark>`, `in:3:43: kml: feature 0: expected white space between the numbers of gx:coord, found ",2"`},
		{"bad box", `<GroundOverlay><LatLonBox><north>x</north><south>0</south><east>1</east><west>0</west></LatLonBox></GroundOverlay>`, `in:3:44: kml: feature 0: expected a number, found "x"`},
		{"nested feature", `<Placemark><Placemark/></Placemark>`, `in:3:22: kml: feature 0: a feature inside a feature is not KML`},
		{"coordinates in CDATA", `<Placemark><Point><coordinates><![CDATA[1,x]]></coordinates></Point></Placemark>`, `in:3:29: kml: feature 0: expected a number in coordinates, found "x"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := doc(c.in + `<Placemark><name>next</name></Placemark>`)
			_, err := rewrite(in, &formattest.KeepAll{})
			var pe *format.ParseError
			if !errors.As(err, &pe) || err.Error() != c.want {
				t.Errorf("err = %v\nwant  %s", err, c.want)
			}
			// With a handler that goes on, the feature is left out.
			h := &handler{badNil: true}
			out, err := rewrite(in, h)
			if err != nil {
				t.Fatalf("Rewrite with Bad = nil: %v", err)
			}
			if want := doc(`<Placemark><name>next</name></Placemark>`); out != want {
				t.Errorf("output\n%s\nwant\n%s", out, want)
			}
			if len(h.bad) != 1 || len(h.recs) != 1 || h.recs[0].Ref.Feature != 1 {
				t.Errorf("bad %d, records %+v", len(h.bad), h.recs)
			}
		})
	}
}

func TestTooBig(t *testing.T) {
	big := `<Placemark><description>` + strings.Repeat("x", 2000) + `</description><a><b/></a></Placemark>`
	in := doc(big + `<Placemark><name>next</name></Placemark>`)
	opts := &format.Options{Name: "in", MaxRecordBytes: 1000}
	err := Codec{}.Rewrite(context.Background(), strings.NewReader(in), nil, &formattest.KeepAll{}, opts)
	if !errors.Is(err, format.ErrTooLong) || !strings.HasPrefix(err.Error(), "in:3:11: kml: <Placemark> is larger than 1000 bytes") {
		t.Fatalf("err = %v, want ErrTooLong at 3:11", err)
	}
	h := &handler{badNil: true}
	var out bytes.Buffer
	if err := (Codec{}).Rewrite(context.Background(), strings.NewReader(in), &out, h, opts); err != nil {
		t.Fatalf("Rewrite with Bad = nil: %v", err)
	}
	if want := doc(`<Placemark><name>next</name></Placemark>`); out.String() != want {
		t.Errorf("output\n%s\nwant\n%s", out.String(), want)
	}
	if len(h.recs) != 1 || h.recs[0].Ref.Feature != 1 {
		t.Errorf("records %+v", h.recs)
	}
	// A long comment outside features is refused too.
	err = Codec{}.Rewrite(context.Background(), strings.NewReader(doc("<!--"+strings.Repeat("x", 2000)+"-->")), nil, &formattest.KeepAll{}, opts)
	if !errors.Is(err, format.ErrTooLong) {
		t.Errorf("long comment: err = %v, want ErrTooLong", err)
	}
	// A Document's name, description or Snippet is read whole (for the
	// positions in its text): one longer than the limit is refused.
	err = Codec{}.Rewrite(context.Background(), strings.NewReader(doc("<description>"+strings.Repeat("x", 2000)+"</description>")), nil, &formattest.KeepAll{}, opts)
	if !errors.Is(err, format.ErrTooLong) {
		t.Errorf("long Document description: err = %v, want ErrTooLong", err)
	}
	// Other long text outside features streams.
	long := doc("<styleUrl>" + strings.Repeat("y", 100000) + "</styleUrl>")
	var o bytes.Buffer
	if err := (Codec{}).Rewrite(context.Background(), strings.NewReader(long), &o, &formattest.KeepAll{}, opts); err != nil || o.String() != long {
		t.Errorf("long text: err = %v, same = %v", err, o.String() == long)
	}
}

func TestLatin1(t *testing.T) {
	in := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><kml><Placemark><name>K\xf6ln</name><Point><coordinates>7,51</coordinates></Point></Placemark></kml>"
	h := &handler{attrs: []string{"name"}, edit: func(int, *geowarden.Record) geowarden.Edit {
		return geowarden.Edit{Set: []geowarden.Attr{{Name: "name", Value: "Düsseldorf"}}}
	}}
	out, err := rewrite(in, h)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.recs[0].Attrs["name"]; got != "Köln" {
		t.Errorf("name = %q, want Köln", got)
	}
	if want := strings.Replace(in, "K\xf6ln", "D&#xfc;sseldorf", 1); out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

func TestContextAndWriter(t *testing.T) {
	in := doc(strings.Repeat(`<Placemark><Point><coordinates>1,2</coordinates></Point></Placemark>`, 3000))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Codec{}).Rewrite(ctx, strings.NewReader(in), nil, &formattest.KeepAll{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	err := Codec{}.Rewrite(context.Background(), strings.NewReader(in), errWriter{}, &formattest.KeepAll{}, nil)
	if err == nil || !strings.Contains(err.Error(), "kml: writing") {
		t.Errorf("writer error: err = %v", err)
	}
}

// oneByte reads one byte at a time, to test the scanner's refills.
type oneByte struct{ r *strings.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestSmallReads(t *testing.T) {
	in := doc(trackDoc + `<!-- comment --><![CDATA[x]]><?pi x?>` + `<Placemark><name>a &amp; b</name><Point><coordinates>1,2</coordinates></Point></Placemark>`)
	var out bytes.Buffer
	h1, h2 := &handler{}, &handler{}
	if err := (Codec{}).Rewrite(context.Background(), oneByte{strings.NewReader(in)}, &out, h1, &format.Options{Name: "in"}); err != nil {
		t.Fatal(err)
	}
	if out.String() != in {
		t.Errorf("output differs")
	}
	if err := scan(in, h2); err != nil || !reflect.DeepEqual(h1.recs, h2.recs) {
		t.Errorf("records differ between one-byte reads and whole reads: %v", err)
	}
}

// manyGapsInput is a track of n points, for TestSplitManyGaps and its
// benchmark.
func manyGapsInput(n int) string {
	var b strings.Builder
	b.WriteString("<Placemark><gx:Track>\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "<when>2020-01-01T00:00:%02dZ</when>\n", i%60)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "<gx:coord>%d.5 1 2</gx:coord>\n", i%100)
	}
	b.WriteString("</gx:Track></Placemark>")
	return doc(b.String())
}

// oddDropped drops every other record.
func oddDropped(i int, _ *geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: i%2 == 1} }

// BenchmarkSplitManyGaps measures the split of a 100,000-point track with
// every other point dropped; it stays linear in the points.
func BenchmarkSplitManyGaps(b *testing.B) {
	in := manyGapsInput(100000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := rewrite(in, &handler{edit: oddDropped}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSplitManyGaps: a track whose every other point is dropped splits
// into one track per kept point in linear time; in a layout that would
// make that quadratic, the track is dropped with a notice.
func TestSplitManyGaps(t *testing.T) {
	const n = 100000
	in := manyGapsInput(n)
	h := &handler{edit: oddDropped}
	out, err := rewrite(in, h)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out, "<gx:Track>"); got != n/2 {
		t.Errorf("%d tracks, want %d", got, n/2)
	}
	k := &formattest.KeepAll{}
	if err := scan(out, k); err != nil || k.N != n/2 {
		t.Errorf("re-read: %v, %d records, want %d", err, k.N, n/2)
	}

	// The same with an element between the times: no fast way.
	var b strings.Builder
	b.WriteString("<Placemark><gx:Track>\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "<when>2020</when><x/><gx:coord>%d 1</gx:coord><y/>\n", i%100)
	}
	b.WriteString("</gx:Track></Placemark><Placemark><name>next</name></Placemark>")
	h = &handler{edit: oddDropped}
	out, err = rewrite(doc(b.String()), h)
	if err != nil {
		t.Fatal(err)
	}
	if want := doc("<Placemark><name>next</name></Placemark>"); out != want {
		t.Errorf("got %.300s\nwant the track's placemark dropped", out)
	}
	if len(h.notices) != 1 || h.notices[0].Kind != "track-dropped" || !h.notices[0].Dropped {
		t.Errorf("notices %+v", h.notices)
	}
	// With few gaps the slow way is taken.
	h = &handler{edit: func(i int, _ *geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: i == 5 || i == 9} }}
	out, err = rewrite(doc(b.String()), h)
	if err != nil || strings.Count(out, "<gx:Track>") != 3 || len(h.notices) != 0 {
		t.Errorf("few gaps: err %v, %d tracks, notices %v", err, strings.Count(out, "<gx:Track>"), h.notices)
	}
}

// manyValuesInput is a placemark with n ExtendedData values and a track
// of n points, for TestManyValues and its benchmark.
func manyValuesInput(n int) string {
	var b strings.Builder
	b.WriteString("<Placemark><ExtendedData>")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<Data name="d%d"><value>%d</value></Data>`, i, i)
	}
	b.WriteString("</ExtendedData><gx:Track>")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "<gx:coord>%d 1</gx:coord>", i%100)
	}
	b.WriteString(`<ExtendedData><SchemaData>`)
	for j := 0; j < 3; j++ {
		fmt.Fprintf(&b, `<gx:SimpleArrayData name="a%d">`, j)
		for i := 0; i < n; i++ {
			b.WriteString("<gx:value>1</gx:value>")
		}
		b.WriteString("</gx:SimpleArrayData>")
	}
	for j := 0; j < n; j++ {
		fmt.Fprintf(&b, `<gx:SimpleArrayData name="e%d"/>`, j)
	}
	b.WriteString("</SchemaData></ExtendedData></gx:Track></Placemark>")
	return doc(b.String())
}

// manyValuesEdit drops one record in a thousand and strips and sets
// attributes of every other.
func manyValuesEdit(i int, _ *geowarden.Record) geowarden.Edit {
	return geowarden.Edit{Drop: i%1000 == 999, Strip: []string{"a1", "source"}, Set: []geowarden.Attr{{Name: "d7", Value: "x"}}}
}

// BenchmarkManyValues measures a placemark with 50,000 values and a
// 50,000-point track whose every record is edited; it stays linear.
func BenchmarkManyValues(b *testing.B) {
	in := manyValuesInput(50000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := rewrite(in, &handler{edit: manyValuesEdit}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestManyValues: a placemark with many ExtendedData values and a long
// track takes linear time, whatever the handler asks per point.
func TestManyValues(t *testing.T) {
	const n = 50000
	in := manyValuesInput(n)
	seen := 0
	h := &handler{edit: func(i int, r *geowarden.Record) geowarden.Edit {
		if v, ok := r.Attrs.Attr("D49999"); ok && v == "49999" {
			seen++
		}
		return manyValuesEdit(i, r)
	}}
	out, err := rewrite(in, h)
	if err != nil {
		t.Fatal(err)
	}
	if seen != n || len(h.recs) != n {
		t.Errorf("Attr found the value for %d of %d records", seen, len(h.recs))
	}
	if !strings.Contains(out, `<Data name="d7"><value>x</value></Data>`) || strings.Count(out, "<gx:Track>") != n/1000 {
		t.Errorf("edits not applied: %d tracks", strings.Count(out, "<gx:Track>"))
	}
}
