package kml

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"testing"

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

// hidden is the oracle: the positions written anywhere in b (in any form
// geotext knows, either order) that lie inside z, and the centres and
// corners of boxes written as north, south, east and west elements (which
// geotext does not read), found with a regular expression.
func hidden(b []byte, z box) []string {
	var found []string
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
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.RawToken()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("output is not well-formed XML: %v\n%s", err, b)
		}
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
