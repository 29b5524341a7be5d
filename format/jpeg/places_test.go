package jpeg

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/sanitize"
	"github.com/geowarden/geowarden/zone"
)

// zoneHalf is half the side, in degrees, of the square zone drawn over a
// hidden position (about 220 m north to south).
const zoneHalf = 0.002

// box is a square zone around a point.
type box struct{ c geowarden.Point }

func (b box) has(p geowarden.Point) bool {
	return math.Abs(p.Lat-b.c.Lat) <= zoneHalf && math.Abs(p.Lon-b.c.Lon) <= zoneHalf
}

// engineAround builds a sanitize engine whose one zone is the square
// around c, with a rule that applies action inside it.
func engineAround(t *testing.T, c geowarden.Point, action string) *pipeline.Engine {
	t.Helper()
	gj := fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"z1"},"geometry":{"type":"Polygon","coordinates":[[[%[1]f,%[2]f],[%[3]f,%[2]f],[%[3]f,%[4]f],[%[1]f,%[4]f],[%[1]f,%[2]f]]]}}]}`,
		c.Lon-zoneHalf, c.Lat-zoneHalf, c.Lon+zoneHalf, c.Lat+zoneHalf)
	set, err := zone.ReadGeoJSON("z", "z", strings.NewReader(gj))
	if err != nil {
		t.Fatal(err)
	}
	set.ID = "z"
	p, err := policy.Parse("p.yml", []byte("zones: [{file: z.geojson}]\nrules:\n  - id: r\n    when: {in_zone: true}\n    action: "+action+"\n    severity: high\n"))
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Engine{Classifier: classify.New(zone.NewIndex(set), nil), Policy: p, Text: geowarden.TextRedact}
}

// exifToolPositions is the oracle: every position ExifTool reads from a
// file (-ee, every group), as latitude/longitude tag pairs with the same
// name before "Latitude"/"Longitude" (GPS: tags signed by their Ref), and
// every position written in a text value.
func exifToolPositions(t *testing.T, path string) []geowarden.Point {
	t.Helper()
	m := exifTool(t, path, "-ee")
	var ps []geowarden.Point
	for k, v := range m {
		if s, ok := v.(string); ok {
			for mt := range geotext.All([]byte(s)) {
				ps = append(ps, mt.Point)
				if mt.Ambiguous {
					ps = append(ps, mt.Swapped())
				}
			}
		}
		base, ok := strings.CutSuffix(k, "Latitude")
		if !ok {
			continue
		}
		lat, ok1 := v.(float64)
		lon, ok2 := m[base+"Longitude"].(float64)
		if !ok2 {
			lon, ok2 = m[base+"Longtitude"].(float64)
		}
		if !ok1 || !ok2 {
			continue
		}
		if m[base+"LatitudeRef"] == "S" {
			lat = -lat
		}
		if m[base+"LongitudeRef"] == "W" {
			lon = -lon
		}
		ps = append(ps, geowarden.Point{Lon: lon, Lat: lat})
	}
	return ps
}

// hidden lists the positions of testdata/derived/many-places.jpg (see
// PROVENANCE.md), one in each hiding place, each far from the others.
var hidden = []struct {
	where string
	p     geowarden.Point
	text  bool // written in free text: redacted under a drop rule only
}{
	{where: "EXIF GPSLatitude/GPSLongitude and XMP exif:GPSLatitude/GPSLongitude", p: geowarden.Point{Lon: -1.9141667, Lat: 54.9896667}},
	{where: "EXIF GPSDestLatitude/GPSDestLongitude", p: geowarden.Point{Lon: 14.4506, Lat: 35.8506}},
	{where: "XMP exif:GPSDestLatitude/GPSDestLongitude", p: geowarden.Point{Lon: 14.2511944, Lat: 36.0443056}},
	{where: "XMP Iptc4xmpExt:LocationShown", p: geowarden.Point{Lon: 12.4534, Lat: 41.9029}},
	{where: "XMP Iptc4xmpExt:LocationCreated", p: geowarden.Point{Lon: 2.2945, Lat: 48.8584}},
	{where: "XMP drone-dji:GpsLatitude/GpsLongtitude", p: geowarden.Point{Lon: -0.1246, Lat: 51.5007}},
	{where: "XMP dc:description text", p: geowarden.Point{Lon: -74.0445, Lat: 40.6892}, text: true},
}

// TestHidingPlaces draws a zone over each position of a photo that holds
// seven, in seven places, and sanitizes it through the pipeline: under a
// drop rule no position is left (ExifTool reads none; the bytes hold none
// inside the zone); under a coarsen rule every position is snapped, and
// none is left inside the zone. The image data stays bit for bit, and the
// engine's re-scan passes.
func TestHidingPlaces(t *testing.T) {
	formattest.Tool(t, "exiftool")
	in := read(t, "testdata/derived/many-places.jpg")
	before := exifToolPositions(t, "testdata/derived/many-places.jpg")
	for _, h := range hidden {
		found := false
		for _, p := range before {
			found = found || box{h.p}.has(p)
		}
		if !found {
			t.Fatalf("the oracle does not see %s at %v in the input", h.where, h.p)
		}
	}
	ctx := context.Background()
	for _, h := range hidden {
		for _, action := range []string{"drop", "{coarsen: 1km}"} {
			if h.text && action != "drop" {
				continue // a text position is redacted where the policy removes records
			}
			t.Run(h.where+"/"+action, func(t *testing.T) {
				e := engineAround(t, h.p, action)
				var out bytes.Buffer
				st, err := e.Run(ctx, Codec{}, bytes.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "x"}})
				if err != nil {
					t.Fatal(err)
				}
				if st.Records != 1 || st.Kept != 0 {
					t.Errorf("stats %+v: the photo is not acted on", st)
				}
				if err := e.Verify(ctx, Codec{}, bytes.NewReader(out.Bytes()), format.Options{Name: "x"}); err != nil {
					t.Fatalf("re-scan: %v", err)
				}
				if !bytes.Equal(afterSOS(out.Bytes()), afterSOS(in)) {
					t.Error("image data changed")
				}
				z := box{h.p}
				for m := range geotext.All(out.Bytes()) {
					if z.has(m.Point) || m.Ambiguous && z.has(m.Swapped()) {
						t.Errorf("the output's bytes hold %q at byte %d, inside the zone", out.Bytes()[m.Start:m.End], m.Start)
					}
				}
				after := exifToolPositions(t, writeTemp(t, "out.jpg", out.Bytes()))
				if action == "drop" {
					for _, p := range after {
						if z.has(p) {
							t.Errorf("ExifTool reads %v, inside the zone", p)
						}
					}
					if !h.text && len(after) > 0 {
						t.Errorf("a drop leaves positions: %v", after)
					}
					return
				}
				// Coarsened: every position snapped to the 1 km grid, the
				// hidden one among them; none left where it was.
				snapped := false
				for _, p := range after {
					if z.has(p) && formattest.Haversine(p, sanitize.CoarsenPoint(h.p, 1000)) > 1 {
						t.Errorf("ExifTool reads %v, inside the zone and not on the grid", p)
					}
					snapped = snapped || formattest.Haversine(p, sanitize.CoarsenPoint(h.p, 1000)) < 1
					for _, q := range before {
						if tp := hidden[len(hidden)-1].p; (box{tp}).has(q) || (box{geowarden.Point{Lon: tp.Lat, Lat: tp.Lon}}).has(q) {
							continue // the text position stays: it is not in this zone
						}
						if formattest.Haversine(p, q) < 1 {
							t.Errorf("ExifTool still reads %v, as before", p)
						}
					}
				}
				// The readings of the position written in text go too: a
				// coarsened photo's text is redacted, so that it does not
				// give the exact position back.
				textReadings := 0
				tp := hidden[len(hidden)-1].p
				for _, q := range before {
					if (box{tp}).has(q) || (box{geowarden.Point{Lon: tp.Lat, Lat: tp.Lon}}).has(q) {
						textReadings++
					}
				}
				if !snapped || len(after) < len(before)-1-textReadings {
					t.Errorf("ExifTool reads %v after coarsening, %v before", after, before)
				}
			})
		}
	}
}

// TestRedactText: a position written in XMP text is redacted in place, the
// rest of the text and of the photo unchanged; where the packet has no
// padding and sizes must not change, a position shorter than RedactedText
// is overwritten with blanks.
func TestRedactText(t *testing.T) {
	in := read(t, "testdata/derived/many-places.jpg")
	c := scan(t, in)
	if len(c.recs) != 1 || len(c.recs[0].Text) != 2 || c.recs[0].Text[0].Field != "XMP dc:description" {
		t.Fatalf("scan: %s", summary(c))
	}
	out, err := rewrite(in, &collector{edit: geowarden.Edit{Redact: []int{1}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Errorf("the photo's size changed: %d, was %d (the packet's padding takes it)", len(out), len(in))
	}
	if !bytes.Contains(out, []byte("taken at "+geowarden.RedactedText+" from the ferry")) {
		t.Error("the description is not redacted in place")
	}
	s := scan(t, out)
	if len(s.recs[0].Text) != 0 || len(s.recs[0].More) != len(c.recs[0].More) || s.recs[0].Pos != c.recs[0].Pos {
		t.Errorf("after redacting: %s", summary(s))
	}

	// No padding, sizes fixed: the same length.
	pkt := xmpPacket("", "<dc:title><rdf:Alt><rdf:li>at 35.8506N 14.4506E &amp; more</rdf:li></rdf:Alt></dc:title>")
	x := &xmpBlock{sameLen: true}
	props, err := scanXMP([]byte(pkt))
	if err != nil {
		t.Fatal(err)
	}
	x.props = props
	img := &image{}
	img.xmpPositions([]byte(pkt), &x.xmpData, 0, "XMP packet")
	if len(img.textPos) != 1 {
		t.Fatalf("texts %v", img.textPos)
	}
	img.redact(&geowarden.Edit{Redact: []int{0}})
	np, changed, err := rewritePacket([]byte(pkt), &x.xmpData, &xmpEdit{}, true, false)
	if err != nil || !changed {
		t.Fatal(changed, err)
	}
	if want := strings.Replace(pkt, "35.8506N 14.4506E", strings.Repeat(" ", 17), 1); string(np) != want {
		t.Errorf("got  %s\nwant %s", np, want)
	}
}

// TestDJI: a real DJI drone photo (testdata/dji, the metadata of a Zenmuse
// H20T R-JPEG) holds its position in EXIF and in drone-dji:GpsLatitude/
// GpsLongitude; both are read, and both go under a drop or a coarsen rule.
func TestDJI(t *testing.T) {
	formattest.Tool(t, "exiftool")
	const path = "testdata/dji/DJI_H20T-meta.jpg"
	in := read(t, path)
	c := scan(t, in)
	p := geowarden.Point{Lon: -79.7649628, Lat: 40.5637811}
	if len(c.recs) != 1 || len(c.recs[0].More) != 1 || formattest.Haversine(c.recs[0].Pos, p) > 1 || formattest.Haversine(c.recs[0].More[0], p) > 1 {
		t.Fatalf("scan: %s", summary(c))
	}
	for _, action := range []string{"drop", "{coarsen: 1km}"} {
		t.Run(action, func(t *testing.T) {
			e := engineAround(t, p, action)
			var out bytes.Buffer
			if _, err := e.Run(context.Background(), Codec{}, bytes.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "x"}}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(afterSOS(out.Bytes()), afterSOS(in)) {
				t.Error("image data changed")
			}
			m := exifTool(t, writeTemp(t, "out.jpg", out.Bytes()), "-ee")
			after := exifToolPositions(t, writeTemp(t, "out.jpg", out.Bytes()))
			if action == "drop" && len(after) > 0 || action != "drop" && len(after) < 3 { // GPS, XMP-drone-dji, Composite
				t.Errorf("ExifTool reads %v", after)
			}
			grid := sanitize.CoarsenPoint(p, 1000)
			for _, q := range after {
				if formattest.Haversine(q, grid) > 1 && formattest.Haversine(geowarden.Point{Lon: q.Lat, Lat: q.Lon}, grid) > 1 {
					t.Errorf("ExifTool reads %v, not on the grid", q)
				}
			}
			if v, ok := m["XMP-drone-dji:GPSLatitude"]; ok != (action != "drop") {
				t.Errorf("drone-dji:GpsLatitude = %v", v)
			}
		})
	}
}

// TestEXIFText: positions written in EXIF ImageDescription (DMS) and
// UserComment (decimal) are the record's Text, redacted in place when the
// policy removes what lies there; the rest of each value stays.
func TestEXIFText(t *testing.T) {
	formattest.Tool(t, "exiftool")
	const path = "testdata/derived/text-exif.jpg"
	in := read(t, path)
	c := scan(t, in)
	if len(c.recs) != 1 || len(c.recs[0].Text) != 3 || c.recs[0].Text[0].Field != "EXIF ImageDescription" || c.recs[0].Text[1].Field != "EXIF UserComment" {
		t.Fatalf("scan: %s", summary(c))
	}
	p := geowarden.Point{Lon: 14.4506, Lat: 35.8506}
	e := engineAround(t, p, "drop")
	var out bytes.Buffer
	if _, err := e.Run(context.Background(), Codec{}, bytes.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "x"}}); err != nil {
		t.Fatal(err)
	}
	if len(out.Bytes()) != len(in) || !bytes.Equal(afterSOS(out.Bytes()), afterSOS(in)) {
		t.Error("the photo's size or image data changed")
	}
	o := writeTemp(t, "out.jpg", out.Bytes())
	for _, q := range exifToolPositions(t, o) {
		if (box{p}).has(q) {
			t.Errorf("ExifTool reads %v, inside the zone", q)
		}
	}
	m := exifTool(t, o)
	if d := m["IFD0:ImageDescription"]; d != "Shot from "+geowarden.RedactedText+"      at dawn" {
		t.Errorf("ImageDescription %q", d)
	}
	if d := m["ExifIFD:UserComment"]; d != "near" { // (ExifTool trims the blanks)
		t.Errorf("UserComment %q", d)
	}
}

// TestXMPPositions reads the forms of XMP positions one by one: each is one
// entry of More (or Pos), in order, and a drop removes every one of them
// and keeps the names beside them.
func TestXMPPositions(t *testing.T) {
	exif := exifSegment(tiffSpec{bo: bigEndian, ifd0: ifd0Fields(bigEndian), gps: gpsFields(bigEndian)}.build())
	cases := []struct {
		name       string
		attrs, els string
		pos        []geowarden.Point // Pos (the EXIF one) then More
	}{
		{"LocationShown, two items as attributes", "",
			"<Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li exif:GPSLatitude='41,54.174N' exif:GPSLongitude='12,27.204E' Iptc4xmpExt:City='Rome'/><rdf:li><rdf:Description exif:GPSLatitude='48.8584' exif:GPSLongitude='2.2945'/></rdf:li></rdf:Bag></Iptc4xmpExt:LocationShown>",
			[]geowarden.Point{{Lon: 12.4534, Lat: 41.9029}, {Lon: 2.2945, Lat: 48.8584}}},
		{"DJI GpsLongtitude (sic) and Latitude/Longitude", " drone-dji:GpsLatitude='+51.5007000' drone-dji:GpsLongtitude='-0.1246000' drone-dji:Latitude='51.6' drone-dji:Longitude='-0.2'", "",
			[]geowarden.Point{{Lon: -0.1246, Lat: 51.5007}, {Lon: -0.2, Lat: 51.6}}},
		{"GPSDest in XMP, DMS form", "", "<exif:GPSDestLatitude>36,2,39.5N</exif:GPSDestLatitude><exif:GPSDestLongitude>14,15,4.3E</exif:GPSDestLongitude>",
			[]geowarden.Point{{Lon: 14.2511944, Lat: 36.0443056}}},
		{"a namespace geowarden has not seen", " xmlns:autel='http://www.autelrobotics.cn/' autel:HomeLatitude='22.6' autel:HomeLongitude='113.9'", "",
			[]geowarden.Point{{Lon: 113.9, Lat: 22.6}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := jpegOf(exif, xmpSegment(xmpPacket(" xmlns:Iptc4xmpExt='http://iptc.org/std/Iptc4xmpExt/2008-02-29/'"+c.attrs, c.els)))
			s := scan(t, in)
			if len(s.bads) > 0 || len(s.recs) != 1 || len(s.recs[0].More) != len(c.pos) {
				t.Fatalf("scan: %s", summary(s))
			}
			for i, p := range c.pos {
				if distance(s.recs[0].More[i], p) > 1 {
					t.Errorf("More[%d] = %v, want %v", i, s.recs[0].More[i], p)
				}
			}
			out, err := rewrite(in, &collector{edit: geowarden.Edit{Drop: true}})
			if err != nil {
				t.Fatal(err)
			}
			if s := scan(t, out); len(s.bads) > 0 || s.recs[0].Shape != geowarden.ShapeNone || len(s.recs[0].More) > 0 {
				t.Errorf("after Drop: %s", summary(s))
			}
			if len(out) != len(in) {
				t.Errorf("the photo's size changed: %d, was %d", len(out), len(in))
			}
			if bytes.Contains(in, []byte("City='Rome'")) && !bytes.Contains(out, []byte("City='Rome'")) {
				t.Error("the City went with the coordinates")
			}
		})
	}
}
