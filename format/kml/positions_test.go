package kml

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/zone"
)

// The hiding places of positions other than geometry: views (LookAt,
// Camera, Region) and text. Each test sanitizes an input with a zone over
// the hidden position and checks the output with an oracle that does not
// use this codec: geotext over the output's bytes finds no position
// inside the zone, in either order.

// box is a protected zone: a square of ±0.002° (about 200 m) around a
// centre.
type box struct{ lon, lat float64 }

func (b box) contains(p geowarden.Point) bool {
	return p.Lon > b.lon-0.002 && p.Lon < b.lon+0.002 && p.Lat > b.lat-0.002 && p.Lat < b.lat+0.002
}

func (b box) geojson() []byte {
	w, e, s, n := b.lon-0.002, b.lon+0.002, b.lat-0.002, b.lat+0.002
	return fmt.Appendf(nil, `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"z"},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}]}`,
		w, s, e, s, e, n, w, n, w, s)
}

// charset reads ISO-8859-1 for encoding/xml.
func charset(label string, r io.Reader) (io.Reader, error) {
	if !strings.EqualFold(label, "iso-8859-1") {
		return nil, fmt.Errorf("charset %s", label)
	}
	b, err := io.ReadAll(r)
	var u []byte
	for _, c := range b {
		u = utf8.AppendRune(u, rune(c))
	}
	return bytes.NewReader(u), err
}

// hidden is the oracle: the positions written anywhere in b (in any form
// geotext knows, either order) that lie inside z, in its raw bytes and
// in the text of each element as encoding/xml decodes it (references
// resolved, CDATA sections unwrapped); and the centres and corners of
// boxes written as north, south, east and west elements (which geotext
// does not read), found with a regular expression.
func hidden(b []byte, z box) []string {
	found := hiddenText(b, z)
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = charset
	var text, all []byte
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.CharData:
			text = append(text, tok...)
			all = append(all, tok...)
		case xml.StartElement, xml.EndElement:
			for _, f := range hiddenText(text, z) {
				found = append(found, "decoded "+f)
			}
			text = text[:0]
			all = append(all, ' ')
		}
	}
	// All the text as HTML, as a browser would show it.
	shown := strings.ReplaceAll(html.UnescapeString(string(tagRE.ReplaceAll(all, []byte(" ")))), "\u00a0", " ")
	for _, f := range hiddenText([]byte(shown), z) {
		found = append(found, "shown "+f)
	}
	edges := map[string]float64{}
	for _, m := range edgeRE.FindAllSubmatchIndex(b, -1) {
		v, err := strconv.ParseFloat(string(b[m[4]:m[5]]), 64)
		if err != nil {
			continue
		}
		edges[string(b[m[2]:m[3]])] = v
		if len(edges) == 4 {
			n, s, e, w := edges["north"], edges["south"], edges["east"], edges["west"]
			for _, p := range []geowarden.Point{{Lon: (e + w) / 2, Lat: (n + s) / 2}, {Lon: w, Lat: s}, {Lon: e, Lat: n}} {
				if z.contains(p) {
					found = append(found, fmt.Sprintf("@%d box %v", m[0], edges))
					break
				}
			}
			clear(edges)
		}
	}
	return found
}

func hiddenText(b []byte, z box) []string {
	var found []string
	for m := range geotext.All(b) {
		for _, p := range []geowarden.Point{m.Point, m.Swapped()} {
			if z.contains(p) {
				found = append(found, fmt.Sprintf("@%d %q", m.Start, b[m.Start:m.End]))
				break
			}
		}
	}
	return found
}

var tagRE = regexp.MustCompile(`<[^<>]*>`)

var edgeRE = regexp.MustCompile(`<(north|south|east|west)>\s*([-+0-9.eE]+)\s*</`)

// engine builds a sanitize engine over zone z whose rule in it has the
// given action (drop unless set).
func engine(t testing.TB, z box, action string) *pipeline.Engine {
	t.Helper()
	set, err := zone.ReadGeoJSON("z", "z", bytes.NewReader(z.geojson()))
	if err != nil {
		t.Fatal(err)
	}
	if action == "" {
		action = "drop"
	}
	p, err := policy.Parse("p.yml", []byte("zones: [{file: z.geojson}]\nrules:\n  - id: r\n    when: {in_zone: true}\n    action: "+action+"\n    severity: high\n"))
	if err != nil {
		t.Fatal(err)
	}
	set.ID = "z"
	return &pipeline.Engine{Classifier: classify.New(zone.NewIndex(set), nil), Policy: p}
}

// sanitize runs in through the engine and the re-scan of its output, and
// checks the output: well-formed XML, and nothing inside z by the oracle
// (which must find something in the input, or the test proves nothing).
func sanitize(t *testing.T, c format.Codec, in []byte, z box, action string) ([]byte, geowarden.Stats) {
	t.Helper()
	e := engine(t, z, action)
	ctx := context.Background()
	var out bytes.Buffer
	st, err := e.Run(ctx, c, bytes.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "in"}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := e.Verify(ctx, c, bytes.NewReader(out.Bytes()), format.Options{Name: "in"}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if c.Name() == "kml" {
		if len(hidden(in, z)) == 0 {
			t.Fatalf("the oracle finds nothing inside the zone in the input")
		}
		if h := hidden(out.Bytes(), z); action == "" && len(h) > 0 {
			t.Errorf("positions inside the zone survive: %v\n%s", h, out.Bytes())
		}
		wellFormed(t, out.Bytes())
	}
	return out.Bytes(), st
}

func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	if err := xmlError(b); err != nil {
		t.Fatalf("output is not well-formed XML: %v\n%s", err, b)
	}
}

// zoneAt is the protected place of the crafted inputs: Valletta.
var zoneAt = box{lon: 14.4506, lat: 35.8506}

func TestViewsRead(t *testing.T) {
	in := doc(`
<LookAt><longitude>14.4506</longitude><latitude>35.8506</latitude><range>900</range></LookAt>
<Placemark>
<LookAt><longitude>1</longitude><latitude>2</latitude></LookAt>
<Camera><longitude>3</longitude><latitude>4</latitude><altitude>100</altitude></Camera>
<Region><LatLonAltBox><north>11</north><south>10</south><east>-179</east><west>179</west></LatLonAltBox><Lod><minLodPixels>128</minLodPixels></Lod></Region>
<Point><coordinates>5,6</coordinates></Point>
</Placemark>
<Folder><Region><LatLonAltBox><north>1</north><south>0</south><east>1</east><west>0</west></LatLonAltBox></Region></Folder>
<Placemark><LookAt><longitude>7</longitude></LookAt></Placemark>`)
	var more [][]geowarden.Point
	var shapes []geowarden.Shape
	var feats []int
	h := &handler{edit: func(_ int, r *geowarden.Record) geowarden.Edit {
		more = append(more, append([]geowarden.Point(nil), r.More...))
		shapes = append(shapes, r.Shape)
		feats = append(feats, r.Ref.Feature)
		return geowarden.Keep
	}}
	out, err := rewrite(in, h)
	if err != nil || out != in {
		t.Fatalf("err %v, keep-all output differs: %v", err, out != in)
	}
	want := [][]geowarden.Point{
		nil,
		{pt(1, 2), pt(3, 4), pt(179, 10), pt(-179, 10), pt(-179, 11), pt(179, 11), pt(180, 10.5)},
		{pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 1), pt(0.5, 0.5)},
		{pt(7, 0)},
	}
	if !reflect.DeepEqual(more, want) {
		t.Errorf("More:\ngot  %v\nwant %v", more, want)
	}
	if !reflect.DeepEqual(shapes, []geowarden.Shape{geowarden.ShapePoint, geowarden.ShapePoint, geowarden.ShapeNone, geowarden.ShapeNone}) {
		t.Errorf("shapes %v", shapes)
	}
	if !reflect.DeepEqual(feats, []int{-1, 0, -1, 1}) || h.recs[0].Pos != pt(14.4506, 35.8506) {
		t.Errorf("features %v, first record %+v", feats, h.recs[0])
	}
}

// TestViewsBad: a view that cannot be read is a bad record: its
// placemark, or the view itself outside placemarks, is left out when Bad
// returns nil.
func TestViewsBad(t *testing.T) {
	for _, c := range []struct{ name, in, err, out string }{
		{"LookAt longitude", doc(`<Placemark><LookAt><longitude>x</longitude><latitude>2</latitude></LookAt></Placemark>`),
			`in:3:41: kml: feature 0: expected a number, found "x"`, doc(``)},
		{"LookAt range", doc(`<Folder><LookAt><longitude>200</longitude><latitude>2</latitude></LookAt></Folder>`),
			`in:3:19: kml: <LookAt>: coordinate out of range: longitude 200 outside -180..180`, doc(`<Folder></Folder>`)},
		{"Region edges", doc(`<Folder><Region><LatLonAltBox><north>1</north></LatLonAltBox></Region></Folder>`),
			`in:3:27: kml: <Region>: a box without north, south, east and west`, doc(`<Folder></Folder>`)},
		{"LookAt in a placemark's description", doc(`<Placemark><description>x<LookAt><longitude>1</longitude><latitude>2</latitude></LookAt></description></Placemark>`),
			`in:3:36: kml: feature 0: <LookAt> inside <description> is not KML`, doc(``)},
		{"placemark in a description", doc(`<Folder><description>x<Placemark><Point><coordinates>1,2</coordinates></Point></Placemark></description></Folder>`),
			`in:3:33: kml: <Placemark> inside <description>`, doc(`<Folder></Folder>`)},
		{"LookAt in ExtendedData", doc(`<ExtendedData><LookAt><longitude>1</longitude><latitude>2</latitude></LookAt></ExtendedData>`),
			`in:3:25: kml: <LookAt> inside <ExtendedData>`, doc(``)},
		{"geometry in a NetworkLink", doc(`<NetworkLink><Link><Point><coordinates>1,2</coordinates></Point></Link></NetworkLink>`),
			`in:3:30: kml: <Point> inside <NetworkLink>`, doc(``)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := rewrite(c.in, &handler{}); err == nil || err.Error() != c.err {
				t.Errorf("err = %v\nwant %s", err, c.err)
			}
			out, err := rewrite(c.in, &handler{badNil: true})
			if err != nil || out != c.out {
				t.Errorf("with Bad = nil: err %v, output\n%s\nwant\n%s", err, out, c.out)
			}
		})
	}
}

// inZone and outside are places written in the crafted inputs: one inside
// the zone, one 10 km away.
const (
	inZone  = "<longitude>14.4506</longitude><latitude>35.8506</latitude>"
	outside = "14.55,35.85"
)

// TestViewsSanitize: a view inside the zone goes, wherever it stands,
// and takes its placemark with it; the rest of the file stays.
func TestViewsSanitize(t *testing.T) {
	keep := `<Placemark><name>keep</name><Point><coordinates>` + outside + `</coordinates></Point></Placemark>`
	box := `<LatLonAltBox><north>35.8516</north><south>35.8496</south><east>14.4516</east><west>14.4496</west></LatLonAltBox>`
	for _, c := range []struct {
		name, in, want string
	}{
		{"placemark LookAt", `<Placemark><name>p</name><LookAt>` + inZone + `</LookAt><Point><coordinates>` + outside + `</coordinates></Point></Placemark>`, ``},
		{"placemark Camera", `<Placemark><Camera>` + inZone + `<altitude>300</altitude></Camera><LineString><coordinates>` + outside + ` 14.56,35.86</coordinates></LineString></Placemark>`, ``},
		{"placemark Region", `<Placemark><Region>` + box + `</Region><Point><coordinates>` + outside + `</coordinates></Point></Placemark>`, ``},
		{"placemark LatLonBox (not KML)", `<Placemark><LatLonBox><north>35.8510</north><south>35.8500</south><east>14.4510</east><west>14.4500</west></LatLonBox><Point><coordinates>` + outside + `</coordinates></Point></Placemark>`, ``},
		{"photo overlay Camera", `<PhotoOverlay><Camera>` + inZone + `<heading>20</heading></Camera><Icon><href>p.jpg</href></Icon><Point><coordinates>` + outside + `</coordinates></Point></PhotoOverlay>`, ``},
		{"placemark without geometry", `<Placemark><LookAt>` + inZone + `</LookAt></Placemark>`, ``},
		{"track placemark", `<Placemark><LookAt>` + inZone + `</LookAt><gx:Track><gx:coord>14.55 35.85</gx:coord><gx:coord>14.56 35.86</gx:coord></gx:Track></Placemark>`,
			`<Placemark><gx:Track><gx:coord>14.55 35.85</gx:coord><gx:coord>14.56 35.86</gx:coord></gx:Track></Placemark>`},
		{"document LookAt", `<LookAt>` + inZone + `<range>500</range></LookAt>`, ``},
		{"folder Camera and Region", `<Folder><name>f</name><Camera>` + inZone + `</Camera><Region>` + box + `</Region></Folder>`, `<Folder><name>f</name></Folder>`},
		{"network link", `<NetworkLink><name>n</name><LookAt>` + inZone + `</LookAt><Link><href>a.kml</href></Link></NetworkLink>`, `<NetworkLink><name>n</name><Link><href>a.kml</href></Link></NetworkLink>`},
		{"screen overlay", `<ScreenOverlay><LookAt>` + inZone + `</LookAt><Icon><href>a.png</href></Icon></ScreenOverlay>`, `<ScreenOverlay><Icon><href>a.png</href></Icon></ScreenOverlay>`},
		{"tour", `<gx:Tour><gx:Playlist><gx:FlyTo><gx:duration>5</gx:duration><Camera>` + inZone + `</Camera></gx:FlyTo></gx:Playlist></gx:Tour>`,
			`<gx:Tour><gx:Playlist><gx:FlyTo><gx:duration>5</gx:duration></gx:FlyTo></gx:Playlist></gx:Tour>`},
		{"ground overlay LatLonQuad", `<GroundOverlay><Icon><href>a.png</href></Icon><gx:LatLonQuad><coordinates>14.4500,35.8500 14.4510,35.8500 14.4510,35.8510 14.4500,35.8510</coordinates></gx:LatLonQuad></GroundOverlay>`, ``},
		{"ground overlay LatLonBox", `<GroundOverlay><Icon><href>a.png</href></Icon><LatLonBox><north>35.8510</north><south>35.8500</south><east>14.4510</east><west>14.4500</west></LatLonBox></GroundOverlay>`, ``},
		{"ground overlay Region", `<GroundOverlay><Region>` + box + `</Region><LatLonBox><north>1</north><south>0</south><east>1</east><west>0</west></LatLonBox></GroundOverlay>`, ``},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, _ := sanitize(t, Codec{}, []byte(doc(c.in+"\n"+keep)), zoneAt, "")
			if want := doc(c.want + "\n" + keep); string(out) != want {
				t.Errorf("got\n%s\nwant\n%s", out, want)
			}
		})
	}
}

// TestViewsCoarsen: a coarsen rule rewrites a placemark's views with its
// geometry, and a view of the file on its own.
func TestViewsCoarsen(t *testing.T) {
	in := doc(`<LookAt>` + inZone + `<range>500</range></LookAt>
<Placemark><LookAt>` + inZone + `<tilt>10</tilt></LookAt><Region><LatLonAltBox><north>35.8516</north><south>35.8496</south><east>14.4516</east><west>14.4496</west><minAltitude>0</minAltitude></LatLonAltBox></Region><Point><coordinates>14.4505,35.8505,12</coordinates></Point></Placemark>`)
	out, st := sanitize(t, Codec{}, []byte(in), zoneAt, "{coarsen: 1km}")
	// The LookAts and the point on the same 1 km grid node; the box from
	// its corners, each on the grid (whose step in longitude depends on
	// the latitude).
	want := doc(`<LookAt><longitude>14.4453161</longitude><latitude>35.8469097</latitude><range>500</range></LookAt>
<Placemark><LookAt><longitude>14.4453161</longitude><latitude>35.8469097</latitude><tilt>10</tilt></LookAt><Region><LatLonAltBox><north>35.8559029</north><south>35.8469097</south><east>14.4469545</east><west>14.4453161</west><minAltitude>0</minAltitude></LatLonAltBox></Region><Point><coordinates>14.4453161,35.8469097,12</coordinates></Point></Placemark>`)
	if string(out) != want || st.Modified != 2 {
		t.Errorf("modified %d, got\n%s\nwant\n%s", st.Modified, out, want)
	}
}

// TestTextRead: the positions written in a feature's text are its Text,
// with offsets into the decoded value; an ambiguous pair is given in both
// orders.
func TestTextRead(t *testing.T) {
	in := doc(`<Placemark><name>at 35.8506N 14.4506E</name>
<description><![CDATA[<p>seen at 35.8506, 14.4506</p>]]></description>
<Snippet>x &amp; 35&#176;51'02"N 14&#176;27'01"E</Snippet>
<Style><BalloonStyle><text>lat=35.8506 lon=14.4506</text></BalloonStyle></Style>
<ExtendedData><Data name="note"><value>POINT(14.4506 35.8506)</value></Data><SchemaData><SimpleData name="where">1.5, 2.5 and 35.8506, 114.4506</SimpleData></SchemaData></ExtendedData>
<Point><coordinates>1,2</coordinates></Point></Placemark>`)
	var texts []geowarden.TextPos
	h := &handler{edit: func(_ int, r *geowarden.Record) geowarden.Edit {
		texts = append(texts, r.Text...)
		return geowarden.Keep
	}}
	if out, err := rewrite(in, h); err != nil || out != in {
		t.Fatalf("err %v, keep-all output differs: %v", err, out != in)
	}
	p := pt(14.4506, 35.8506)
	want := []geowarden.TextPos{
		{Pos: p, Field: "name", Start: 3, End: 20},
		{Pos: p, Field: "description", Start: 11, End: 27},
		{Pos: pt(35.8506, 14.4506), Field: "description", Start: 11, End: 27},
		{Pos: pt(14.450277777777776, 35.85055555555556), Field: "Snippet", Start: 4, End: 27},
		{Pos: p, Field: "note", Start: 6, End: 21},
		{Pos: pt(35.8506, 14.4506), Field: "note", Start: 6, End: 21},
		{Pos: pt(114.4506, 35.8506), Field: "where", Start: 13, End: 30},
		{Pos: p, Field: "BalloonStyle/text", Start: 0, End: 23},
	}
	if !reflect.DeepEqual(texts, want) {
		t.Errorf("Text:\ngot  %+v\nwant %+v", texts, want)
	}
}

// TestTextRedact: a position written in text inside the zone is replaced
// in place, in every field that holds text, wherever it stands; the
// records are kept, and everything else of the text as it was.
func TestTextRedact(t *testing.T) {
	pm := func(body string) string {
		return `<Placemark>` + body + `<Point><coordinates>` + outside + `</coordinates></Point></Placemark>`
	}
	for _, c := range []struct{ name, in, want string }{
		{"name", pm(`<name>home 35.8506N 14.4506E</name>`), pm(`<name>home [position removed]</name>`)},
		{"description CDATA HTML", pm(`<description><![CDATA[<p>taken at <i>35.8506, 14.4506</i></p>]]></description>`),
			pm(`<description><![CDATA[<p>taken at <i>[position removed]</i></p>]]></description>`)},
		{"description escaped HTML", pm(`<description>&lt;b&gt;35.8506, 14.4506&lt;/b&gt; &amp; more</description>`),
			pm(`<description>&lt;b&gt;[position removed]&lt;/b&gt; &amp; more</description>`)},
		{"description across a reference and CDATA", pm(`<description>at 35.8506&#44;<![CDATA[ 14.4506 ok]]></description>`),
			pm(`<description>at [position removed]<![CDATA[ ok]]></description>`)},
		{"before ]>", pm(`<description><![CDATA[35.8506, 14.4506]>]]> 35.8506,14.4506]></description>`),
			pm(`<description><![CDATA[[position removed]]]><![CDATA[]>]]> [position removed]&#93;></description>`)},
		{"HTML line break", pm(`<description><![CDATA[<p>35.8506<br>14.4506</p>]]></description>`),
			pm(`<description><![CDATA[<p>[position removed]</p>]]></description>`)},
		{"HTML entities", pm(`<description><![CDATA[35&deg;51'02&quot;N&nbsp;14&deg;27'01&quot;E]]></description>`),
			pm(`<description><![CDATA[[position removed]]]></description>`)},
		{"HTML table", pm(`<description>&lt;table&gt;&lt;tr&gt;&lt;td&gt;Lat:&lt;/td&gt;&lt;td&gt;35.8506&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Lon:&lt;/td&gt;&lt;td&gt;14.4506&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</description>`),
			pm(`<description>&lt;table&gt;&lt;tr&gt;&lt;td&gt;[position removed]&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</description>`)},
		{"HTML elements as KML", pm(`<description>at <b>35.8506</b>, <i>14.4506</i></description>`),
			pm(`<description>at <b>[position removed]</b><i></i></description>`)},
		{"HTML elements in cells", pm(`<description><table><tr><td>35.8506</td><td>14.4506</td></tr></table></description>`),
			pm(`<description><table><tr><td>[position removed]</td><td></td></tr></table></description>`)},
		{"Snippet DMS", pm(`<Snippet maxLines="2">35°51'02"N 14°27'01"E</Snippet>`), pm(`<Snippet maxLines="2">[position removed]</Snippet>`)},
		{"address", pm(`<address>near 35.8506,14.4506</address>`), pm(`<address>near [position removed]</address>`)},
		{"ExtendedData", pm(`<ExtendedData><Data name="home"><value>35.8506, 14.4506</value></Data><SchemaData><SimpleData name="w">35.8506 14.4506</SimpleData><SimpleData name="n">7</SimpleData></SchemaData></ExtendedData>`),
			pm(`<ExtendedData><Data name="home"><value>[position removed]</value></Data><SchemaData><SimpleData name="w">[position removed]</SimpleData><SimpleData name="n">7</SimpleData></SchemaData></ExtendedData>`)},
		{"balloon in the placemark", pm(`<Style><BalloonStyle><text>$[name] 35.8506 14.4506</text></BalloonStyle></Style>`),
			pm(`<Style><BalloonStyle><text>$[name] [position removed]</text></BalloonStyle></Style>`)},
		{"document name and description", `<name>35.8506, 14.4506</name><description>at 35.8506 14.4506.</description>`,
			`<name>[position removed]</name><description>at [position removed].</description>`},
		{"shared balloon style", `<Style id="s"><BalloonStyle><text><![CDATA[<b>$[name]</b> 35.8506, 14.4506]]></text></BalloonStyle></Style>`,
			`<Style id="s"><BalloonStyle><text><![CDATA[<b>$[name]</b> [position removed]]]></text></BalloonStyle></Style>`},
		{"document ExtendedData", `<ExtendedData><Data name="base"><value>35.8506,14.4506</value></Data></ExtendedData>`,
			`<ExtendedData><Data name="base"><value>[position removed]</value></Data></ExtendedData>`},
		{"folder Snippet and network link description", `<Folder><Snippet>35.8506 14.4506</Snippet></Folder><NetworkLink><description>35.8506,14.4506</description><Link><href>x.kml</href></Link></NetworkLink>`,
			`<Folder><Snippet>[position removed]</Snippet></Folder><NetworkLink><description>[position removed]</description><Link><href>x.kml</href></Link></NetworkLink>`},
		{"track placemark", `<Placemark><description>35.8506 14.4506</description><gx:Track><gx:coord>14.55 35.85</gx:coord></gx:Track></Placemark>`,
			`<Placemark><description>[position removed]</description><gx:Track><gx:coord>14.55 35.85</gx:coord></gx:Track></Placemark>`},
		{"track point array value", `<Placemark><gx:Track><gx:coord>14.55 35.85</gx:coord><gx:coord>14.56 35.86</gx:coord><ExtendedData><SchemaData><gx:SimpleArrayData name="note"><gx:value>x 1.5</gx:value><gx:value>near 35.8506,14.4506</gx:value></gx:SimpleArrayData></SchemaData></ExtendedData></gx:Track></Placemark>`,
			`<Placemark><gx:Track><gx:coord>14.55 35.85</gx:coord><gx:coord>14.56 35.86</gx:coord><ExtendedData><SchemaData><gx:SimpleArrayData name="note"><gx:value>x 1.5</gx:value><gx:value>near [position removed]</gx:value></gx:SimpleArrayData></SchemaData></ExtendedData></gx:Track></Placemark>`},
		{"outside the zone kept", pm(`<description>35.85, 14.55 and 35.8506 14.4506</description>`), pm(`<description>35.85, 14.55 and [position removed]</description>`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, st := sanitize(t, Codec{}, []byte(doc(c.in)), zoneAt, "")
			if want := doc(c.want); string(out) != want {
				t.Errorf("got\n%s\nwant\n%s", out, want)
			}
			if st.Dropped != 0 {
				t.Errorf("%d records dropped", st.Dropped)
			}
		})
	}
}

// TestTextLatin1: in an ISO-8859-1 document, offsets count the decoded
// (UTF-8) text, and the bytes around the position stay as written.
func TestTextLatin1(t *testing.T) {
	in := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><kml><Placemark><description>K\xf6ln \xe9t\xe9 35.8506,14.4506 \xe0</description></Placemark></kml>"
	out, _ := sanitize(t, Codec{}, []byte(in), zoneAt, "")
	if want := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><kml><Placemark><description>K\xf6ln \xe9t\xe9 [position removed] \xe0</description></Placemark></kml>"; string(out) != want {
		t.Errorf("got  %q\nwant %q", out, want)
	}
}

// TestTextModes: refuse refuses the input, keep leaves the text.
func TestTextModes(t *testing.T) {
	in := doc(`<Placemark><description>35.8506,14.4506</description></Placemark>`)
	e := engine(t, zoneAt, "")
	e.Text = geowarden.TextRefuse
	var out bytes.Buffer
	_, err := e.Run(context.Background(), Codec{}, strings.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "in"}})
	var be *pipeline.BlockedError
	if !errors.As(err, &be) || !be.Text {
		t.Errorf("refuse: err = %v", err)
	}
	e.Text = geowarden.TextKeep
	out.Reset()
	if _, err := e.Run(context.Background(), Codec{}, strings.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "in"}}); err != nil || out.String() != in {
		t.Errorf("keep: err = %v, output\n%s", err, out.String())
	}
}

// TestDocumentLookAtReal: GPSBabel writes a Document LookAt at the centre
// of what it converts (bounds-test.kml, kml-points.kml). With a zone over
// it, the sanitized file is the original without that LookAt: the
// placemarks, all outside the zone, are kept byte for byte.
func TestDocumentLookAtReal(t *testing.T) {
	for _, c := range []struct {
		file string
		at   box
	}{
		{"testdata/gpsbabel/bounds-test.kml", box{lon: -117.144015, lat: 36.438270}},
		{"testdata/gpsbabel/kml-points.kml", box{lon: -86.877408, lat: 36.042108}},
	} {
		t.Run(c.file, func(t *testing.T) {
			in, err := os.ReadFile(c.file)
			if err != nil {
				t.Fatal(err)
			}
			out, st := sanitize(t, Codec{}, in, c.at, "")
			la := regexp.MustCompile(`\n\s*<LookAt>[^<]*<longitude>[^<]*</longitude>\s*<latitude>[^<]*</latitude>\s*<range>[^<]*</range>\s*</LookAt>`)
			if want := la.ReplaceAll(in, nil); !bytes.Equal(out, want) || bytes.Equal(want, in) {
				t.Errorf("output is not the input without its Document LookAt")
			}
			if st.Dropped != 1 {
				t.Errorf("dropped %d records, want 1 (the LookAt)", st.Dropped)
			}
		})
	}
}

// TestPlacemarkViewsReal: GPSBabel's track points (LineStyles.kml) are
// placemarks with a LookAt and a description that repeat their position.
// With a zone over one, it goes whole: no copy of its position is left.
func TestPlacemarkViewsReal(t *testing.T) {
	in, err := os.ReadFile("testdata/gpsbabel/LineStyles.kml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(in, []byte("<tr><td>Longitude: -122.292646 </td></tr>")) {
		t.Fatal("the sample changed")
	}
	_, st := sanitize(t, Codec{}, in, box{lon: -122.292646, lat: 37.524989}, "")
	if st.Dropped == 0 {
		t.Errorf("nothing dropped")
	}
}

// TestKMZPositions: the same inside a KMZ archive's KML members.
func TestKMZPositions(t *testing.T) {
	real, err := os.ReadFile("testdata/gpsbabel/kml-points.kml")
	if err != nil {
		t.Fatal(err)
	}
	other := doc(`<Folder><description><![CDATA[<p>35.8506<br>14.4506</p>]]></description><Region><LatLonAltBox><north>35.8516</north><south>35.8496</south><east>14.4516</east><west>14.4496</west></LatLonAltBox></Region></Folder>
<Placemark><Camera>` + inZone + `</Camera><Point><coordinates>` + outside + `</coordinates></Point></Placemark>`)
	in := buildZip(t, "", member{name: "doc.kml", data: real, method: zip.Deflate}, member{name: "more/other.kml", data: []byte(other), method: zip.Deflate})
	zoneReal := box{lon: -86.877408, lat: 36.042108}
	for _, z := range []box{zoneReal, zoneAt} {
		out, st := sanitize(t, KMZCodec{}, in, z, "")
		if st.Dropped == 0 {
			t.Errorf("nothing dropped")
		}
		zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			if h := hidden(b, z); len(h) > 0 {
				t.Errorf("%s: positions inside the zone survive: %v", f.Name, h)
			}
			wellFormed(t, b)
		}
	}
	// The oracle finds them in the input's members.
	if len(hidden(real, zoneReal)) == 0 || len(hidden([]byte(other), zoneAt)) < 3 {
		t.Errorf("the oracle finds nothing in the members")
	}
}

// TestTextManyPositions: a description with a great many positions, as
// HTML, is read and redacted in time linear in its size.
func TestTextManyPositions(t *testing.T) {
	const n = 100000
	in := doc(`<Placemark><description>` + strings.Repeat("35.8506,&lt;br&gt;14.4506 ", n) + `</description></Placemark>`)
	h := &handler{edit: func(_ int, r *geowarden.Record) geowarden.Edit {
		ed := geowarden.Edit{Redact: make([]int, len(r.Text))}
		for i := range ed.Redact {
			ed.Redact[i] = i
		}
		return ed
	}}
	start := time.Now()
	out, err := rewrite(in, h)
	if err != nil {
		t.Fatal(err)
	}
	// Overlapping matches (the last number of one copy and the first of
	// the next make a pair too) are redacted as one.
	if got := strings.Count(out, geowarden.RedactedText); got != 1 || strings.Contains(out, "35.8506") || strings.Contains(out, "14.4506") {
		t.Errorf("%d replacements, numbers left: %v", got, strings.Contains(out, "4506"))
	}
	t.Logf("%d positions in %v", n, time.Since(start))
}
