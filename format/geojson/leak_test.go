package geojson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/verify"
	"github.com/geowarden/geowarden/zone"
)

// The hidden position of the crafted inputs, and the zone drawn over it.
var (
	hidden  = geowarden.Point{Lon: 14.4506, Lat: 35.8506}
	hiddenR = 300.0 // metres
)

// engine returns a pipeline engine with one circular zone of radius m
// metres around c and one rule with action (drop, or a coarsen).
func engine(t *testing.T, c geowarden.Point, m float64, action string) *pipeline.Engine {
	t.Helper()
	zones := fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"z1","class":"military","buffer_m":%v},"geometry":{"type":"Point","coordinates":[%v,%v]}}]}`, m, c.Lon, c.Lat)
	set, err := zone.ReadGeoJSON("z", "z", strings.NewReader(zones))
	if err != nil {
		t.Fatal(err)
	}
	set.ID = "z"
	p, err := policy.Parse("p.yml", []byte("zones: [{file: z.geojson}]\nrules:\n  - id: r\n    when: {in_zone: true}\n    action: "+action+"\n    severity: high\n"))
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Engine{Classifier: classify.New(zone.NewIndex(set), nil), Policy: p, Text: p.Text}
}

// sanitize runs in through the pipeline engine, then re-scans the output
// as the pipeline does before a release.
func sanitize(t *testing.T, e *pipeline.Engine, in string) (string, geowarden.Stats) {
	t.Helper()
	var out bytes.Buffer
	st, err := e.Run(context.Background(), Codec{}, strings.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "in"}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := e.Verify(context.Background(), Codec{}, bytes.NewReader(out.Bytes()), format.Options{Name: "out"}); err != nil {
		t.Errorf("re-scan: %v", err)
	}
	return out.String(), st
}

// oraclePositions reads every position out of b without this codec: every
// match of geotext in the raw bytes (both readings of an ambiguous one),
// and, when b is JSON, every two adjacent numbers of an array of numbers
// (both orders) and every pair of members of one object whose names hold
// "lat" and "lon" or "lng" (E7 when the name ends so), with numbers or
// numeric strings as values.
func oraclePositions(t *testing.T, b []byte) []geowarden.Point {
	t.Helper()
	var pts []geowarden.Point
	for m := range geotext.All(b) {
		pts = append(pts, m.Point)
		if m.Ambiguous {
			pts = append(pts, m.Swapped())
		}
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	for {
		if err := dec.Decode(&v); err != nil {
			break
		}
		pts = oracleWalk(v, pts)
	}
	return pts
}

func oracleNum(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

func oracleWalk(v any, pts []geowarden.Point) []geowarden.Point {
	switch x := v.(type) {
	case string:
		for m := range geotext.All([]byte(x)) {
			pts = append(pts, m.Point, m.Swapped())
		}
	case []any:
		for i := 0; i+1 < len(x); i++ {
			a, ok1 := x[i].(json.Number)
			b, ok2 := x[i+1].(json.Number)
			if ok1 && ok2 {
				fa, _ := a.Float64()
				fb, _ := b.Float64()
				pts = append(pts, geowarden.Point{Lon: fa, Lat: fb}, geowarden.Point{Lon: fb, Lat: fa})
			}
		}
		for _, e := range x {
			pts = oracleWalk(e, pts)
		}
	case map[string]any:
		if xv, ok := oracleNum(x["x"]); ok {
			if yv, ok := oracleNum(x["y"]); ok {
				pts = append(pts, geowarden.Point{Lon: xv, Lat: yv})
			}
		}
		for kl, vl := range x {
			l := strings.ToLower(kl)
			if !strings.Contains(l, "lat") {
				continue
			}
			for ko, vo := range x {
				o := strings.ToLower(ko)
				if !strings.Contains(o, "lon") && !strings.Contains(o, "lng") {
					continue
				}
				la, ok1 := oracleNum(vl)
				lo, ok2 := oracleNum(vo)
				if ok1 && ok2 {
					if strings.HasSuffix(l, "e7") {
						la /= 1e7
					}
					if strings.HasSuffix(o, "e7") {
						lo /= 1e7
					}
					pts = append(pts, geowarden.Point{Lon: lo, Lat: la})
				}
			}
		}
		for _, e := range x {
			pts = oracleWalk(e, pts)
		}
	}
	return pts
}

// leaks returns the positions in out within m metres of c.
func leaks(t *testing.T, out string, c geowarden.Point, m float64) []geowarden.Point {
	t.Helper()
	var near []geowarden.Point
	for _, p := range oraclePositions(t, []byte(out)) {
		if formattest.Haversine(c, p) <= m {
			near = append(near, p)
		}
	}
	return near
}

// outside is a position well away from the zone, where the crafted
// features stand.
const outside = `[14.5100, 35.9100]`

func feature(props string) string {
	return `{"type":"Feature","geometry":{"type":"Point","coordinates":` + outside + `},"properties":` + props + `}`
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + "\n" + strings.Join(features, ",\n") + "\n]}\n"
}

// TestHiddenPositionsDropped sanitizes, with a drop zone over the hidden
// position, a feature that stands outside the zone but holds the position
// somewhere else: the feature must go, and no representation of the
// position may survive in the output.
func TestHiddenPositionsDropped(t *testing.T) {
	keep := feature(`{"name":"kept"}`)
	tests := []struct {
		name, feature string
	}{
		{"lat/lon", feature(`{"lat":35.8506,"lon":14.4506}`)},
		{"latitude/longitude strings", feature(`{"latitude":"35.8506","longitude":"14.4506"}`)},
		{"lat/lng", feature(`{"lng":14.4506,"name":"x","lat":35.8506}`)},
		{"x/y", feature(`{"x":14.4506,"y":35.8506}`)},
		{"dest_lat/dest_lon", feature(`{"lat":35.91,"lon":14.51,"dest_lat":35.8506,"dest_lon":14.4506}`)},
		{"start_", feature(`{"start_lat":35.8506,"start_lng":14.4506}`)},
		{"end_", feature(`{"end_latitude":35.8506,"end_longitude":14.4506}`)},
		{"home_", feature(`{"home_lat":35.8506,"home_lon":14.4506}`)},
		{"origin_", feature(`{"origin_lat":35.8506,"origin_lon":14.4506}`)},
		{"camel case", feature(`{"homeLat":35.8506,"homeLon":14.4506}`)},
		{"E7", feature(`{"latitudeE7":358506000,"longitudeE7":144506000}`)},
		{"DMS strings", feature(`{"latitude":"35°51'02.16\"N","longitude":"14°27'02.16\"E"}`)},
		{"exiftool strings", feature(`{"GPSLatitude":"35 deg 51' 2.16\" N","GPSLongitude":"14 deg 27' 2.16\" E"}`)},
		{"nested object", feature(`{"place":{"location":{"lat":35.8506,"lng":14.4506}}}`)},
		{"nested Point", feature(`{"target":{"type":"Point","coordinates":[14.4506,35.8506]}}`)},
		{"nested LineString", feature(`{"route":{"type":"LineString","coordinates":[[14.60,35.95],[14.4506,35.8506]]}}`)},
		{"nested Feature", feature(`{"f":{"type":"Feature","geometry":{"type":"Point","coordinates":[14.4506,35.8506]},"properties":{}}}`)},
		{"position list", feature(`{"centre":[14.4506,35.8506]}`)},
		{"nested bbox", feature(`{"extent":{"bbox":[14.4506,35.8506,14.6,36.0]}}`)},
		{"foreign member", `{"type":"Feature","geometry":{"type":"Point","coordinates":` + outside + `},"properties":{},"where":{"lat":35.8506,"lon":14.4506}}`},
		{"geometry foreign member", `{"type":"Feature","geometry":{"type":"Point","coordinates":` + outside + `,"origin":[14.4506,35.8506]},"properties":null}`},
		{"stale feature bbox", `{"type":"Feature","bbox":[14.4506,35.8506,14.51,35.91],"geometry":{"type":"Point","coordinates":` + outside + `},"properties":{}}`},
		{"stale geometry bbox", `{"type":"Feature","geometry":{"type":"Point","bbox":[14.4506,35.8506,14.51,35.91],"coordinates":` + outside + `},"properties":{}}`},
		{"null geometry", `{"type":"Feature","geometry":null,"properties":{"lat":35.8506,"lon":14.4506}}`},
		{"moving features", `{"type":"Feature","temporalGeometry":{"type":"MovingPoint","coordinates":[[14.6,36.0],[14.4506,35.8506]]},"properties":{}}`},
	}
	e := engine(t, hidden, hiddenR, "drop")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := collection(keep, tt.feature)
			// Without the zone's edit, the position is in the output.
			if l := leaks(t, in, hidden, hiddenR); len(l) == 0 {
				t.Fatalf("the oracle finds no hidden position in the input")
			}
			formattest.KeepsBytes(t, Codec{}, "in", []byte(in), nil)
			out, st := sanitize(t, e, in)
			if l := leaks(t, out, hidden, hiddenR); len(l) > 0 {
				t.Errorf("positions inside the zone survive: %v\n%s", l, out)
			}
			if want := collection(keep); out != want {
				t.Errorf("output:\n%s\nwant\n%s", out, want)
			}
			if st.Dropped != 1 {
				t.Errorf("dropped %d records, want 1", st.Dropped)
			}
		})
	}
}

// TestHiddenPositionsMultiPoint: every point record of a MultiPoint
// carries the feature's other positions, so the feature goes whole.
func TestHiddenPositionsMultiPoint(t *testing.T) {
	in := collection(`{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[14.51,35.91],[14.52,35.92]]},"properties":{"home_lat":35.8506,"home_lon":14.4506}}`)
	out, _ := sanitize(t, engine(t, hidden, hiddenR, "drop"), in)
	if want := "{\"type\":\"FeatureCollection\",\"features\":[\n]}\n"; out != want {
		t.Errorf("output:\n%s\nwant\n%s", out, want)
	}
}

// TestHiddenPositionsCoarsened sanitizes with a coarsen zone: every
// position the feature holds outside its geometry is snapped to the grid
// in the type it was written in, the rest of the feature stays as it was,
// and the exact position is nowhere in the output.
func TestHiddenPositionsCoarsened(t *testing.T) {
	in := collection(`{"type":"Feature","id":7,"geometry":null,"properties":{"name":"n","lat":35.8506,"lon":"14.4506","latitudeE7":358506000,"longitudeE7":144506000,"route":{"type":"LineString","coordinates":[[14.4506,35.8506,12.5],[14.4507,35.8507,13]]},"note":"x","GPSLatitude":"35 deg 51' 2.16\" N","GPSLongitude":"14 deg 27' 2.16\" E"}}`)
	out, st := sanitize(t, engine(t, hidden, hiddenR, "{coarsen: 1km}"), in)
	if st.Modified != 1 {
		t.Fatalf("stats %+v, want 1 modified\n%s", st, out)
	}
	if l := leaks(t, out, hidden, 20); len(l) > 0 {
		t.Errorf("exact positions survive: %v\n%s", l, out)
	}
	var v struct {
		Properties map[string]any
	}
	if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.SplitN(out, "\n", 3)[1], "\n")), &v); err != nil {
		t.Fatalf("output feature is not JSON: %v\n%s", err, out)
	}
	p := v.Properties
	if _, ok := p["lat"].(float64); !ok {
		t.Errorf("lat is %T, want a number", p["lat"])
	}
	if _, ok := p["lon"].(string); !ok {
		t.Errorf("lon is %T, want a string", p["lon"])
	}
	if e7, ok := p["latitudeE7"].(float64); !ok || e7 != math.Trunc(e7) {
		t.Errorf("latitudeE7 is %v, want an integer", p["latitudeE7"])
	}
	if v, ok := p["GPSLatitude"].(string); !ok || strings.Contains(v, "deg") {
		t.Errorf("GPSLatitude is %v, want a string holding the snapped latitude", p["GPSLatitude"])
	}
	if p["name"] != "n" || p["note"] != "x" {
		t.Errorf("other properties changed: %v", p)
	}
	if !strings.Contains(out, `12.5]`) || !strings.Contains(out, `,13]`) {
		t.Errorf("the altitudes of the nested line changed:\n%s", out)
	}
}

// TestTextRedacted sanitizes features whose strings hold the hidden
// position in several notations: each is replaced by RedactedText inside
// its JSON string, the feature stays, and every other byte is as it was.
func TestTextRedacted(t *testing.T) {
	tests := []struct {
		name, raw string // raw: the position as written inside the JSON string
	}{
		{"decimal", `35.8506, 14.4506`},
		{"decimal swapped", `14.4506 35.8506`},
		{"DMS", `35°51'02\"N 14°27'02\"E`},
		{"DMS escaped", `35\u00b051'02\"N 14\u00b027'02\"E`},
		{"DM", `N 35°51.036' E 14°27.036'`},
		{"NMEA", `3551.0360,N,01427.0360,E`},
		{"hemisphere letters", `35.8506N 14.4506E`},
	}
	e := engine(t, hidden, hiddenR, "drop")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, member := range []string{"properties", "foreign", "nested", "id"} {
				var f string
				text := `taken at ` + tt.raw + ` \"by the gate\"\n\u00e9t\u00e9`
				switch member {
				case "properties":
					f = feature(`{"name":"n","description":"` + text + `"}`)
				case "foreign":
					f = `{"type":"Feature","title":"` + text + `","geometry":{"type":"Point","coordinates":` + outside + `},"properties":{}}`
				case "nested":
					f = feature(`{"notes":[{"text":"` + text + `"}]}`)
				case "id":
					f = `{"type":"Feature","id":"` + text + `","geometry":{"type":"Point","coordinates":` + outside + `},"properties":{}}`
				}
				in := collection(f)
				if l := leaks(t, in, hidden, hiddenR); len(l) == 0 {
					t.Fatalf("%s: the oracle finds no hidden position in the input", member)
				}
				formattest.KeepsBytes(t, Codec{}, "in", []byte(in), nil)
				out, st := sanitize(t, e, in)
				if l := leaks(t, out, hidden, hiddenR); len(l) > 0 {
					t.Errorf("%s: positions inside the zone survive: %v\n%s", member, l, out)
				}
				want := strings.Replace(in, tt.raw, geowarden.RedactedText, 1)
				if out != want {
					t.Errorf("%s: output\n%s\nwant\n%s", member, out, want)
				}
				if st.Dropped != 0 || st.Modified != 1 {
					t.Errorf("%s: stats %+v, want 1 modified", member, st)
				}
			}
		})
	}
}

// TestTextKeptOutsideZone: a text position outside the zones stays, and
// the feature is written byte for byte.
func TestTextKeptOutsideZone(t *testing.T) {
	in := collection(feature(`{"description":"taken at 35.9100, 14.5100"}`))
	out, st := sanitize(t, engine(t, hidden, hiddenR, "drop"), in)
	if out != in || st.Kept != 1 {
		t.Errorf("stats %+v, output\n%s", st, out)
	}
}

// scanEach scans in and calls f for each record.
func scanEach(t *testing.T, in string, f func(r *geowarden.Record)) {
	t.Helper()
	h := &handler{edit: func(_ int, r *geowarden.Record) geowarden.Edit {
		f(r)
		return geowarden.Keep
	}}
	if err := scan(in, h); err != nil {
		t.Fatal(err)
	}
}

// TestTextRecords checks what Record.Text holds: the field's path, the
// offsets in the decoded string, and both readings of an ambiguous pair.
func TestTextRecords(t *testing.T) {
	in := `{"type":"Feature","geometry":null,"properties":{"a":{"b":["x \u00e9 35.8506, 14.4506"]}}}`
	var texts []geowarden.TextPos
	scanEach(t, in, func(r *geowarden.Record) { texts = append(texts, r.Text...) })
	want := []geowarden.TextPos{
		{Pos: pt(14.4506, 35.8506), Field: "properties.a.b[]", Start: 5, End: 21},
		{Pos: pt(35.8506, 14.4506), Field: "properties.a.b[]", Start: 5, End: 21},
	}
	if fmt.Sprint(texts) != fmt.Sprint(want) {
		t.Errorf("Text = %v, want %v", texts, want)
	}
}

// TestMoreRecords checks what Record.More holds, in order, and what is
// not a position.
func TestMoreRecords(t *testing.T) {
	in := `{"type":"Feature","bbox":[1,2,1,2],"geometry":{"type":"Point","coordinates":[1,2]},"properties":{
		"lat":10.5,"lon":20.5,"dest_lat":"11.5","dest_lon":"21.5","latitudeE7":125000000,"longitudeE7":225000000,
		"lat2":1.5,"lon2":1.5,"flat":3.5,"along":4.5,"x":512,"y":300,"count":[1,2],"size":[1.5],
		"area":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"pair":[30.25,40.25],
		"only_lat":5.5,"bad_lat":"north","bad_lon":3.5}}`
	var more []geowarden.Point
	scanEach(t, in, func(r *geowarden.Record) { more = append(more, r.More...) })
	// Nested values first, then the pairs of the object.
	want := []geowarden.Point{
		pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 0), pt(30.25, 40.25),
		pt(20.5, 10.5), pt(21.5, 11.5), pt(22.5, 12.5), pt(1.5, 1.5),
	}
	if fmt.Sprint(more) != fmt.Sprint(want) {
		t.Errorf("More = %v\nwant   %v", more, want)
	}
}

// TestCollectionBBox checks the FeatureCollection's bbox after features
// are dropped: before "features" or after, recomputed from the features
// that remain, removed when none remains, kept when nothing changed.
func TestCollectionBBox(t *testing.T) {
	in1 := `{"type":"Feature","geometry":{"type":"Point","coordinates":[14.4506,35.8506]},"properties":{}}`
	in2 := `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[14.51,35.91],[14.61,35.95]]},"properties":{}}`
	tests := []outCase{
		{"before, recomputed",
			`{"type":"FeatureCollection","bbox":[14.4506,35.8506,14.61,35.95],"features":[` + in1 + `,` + in2 + `]}`,
			`{"type":"FeatureCollection","bbox":[14.51, 35.91, 14.61, 35.95],"features":[` + in2 + `]}`},
		{"after, recomputed",
			`{"type":"FeatureCollection","features":[` + in1 + `,` + in2 + "],\n \"bbox\" : [14.4506,35.8506,14.61,35.95] ,\"name\":\"n\"}",
			`{"type":"FeatureCollection","features":[` + in2 + "],\n \"bbox\" : [14.51, 35.91, 14.61, 35.95] ,\"name\":\"n\"}"},
		{"before, nothing left",
			`{"type":"FeatureCollection", "bbox": [14.4506,35.8506,14.4506,35.8506], "features":[` + in1 + `]}`,
			`{"type":"FeatureCollection", "features":[]}`},
		{"after, nothing left",
			`{"type":"FeatureCollection","features":[` + in1 + `], "bbox":[14.4506,35.8506,14.4506,35.8506]}`,
			`{"type":"FeatureCollection","features":[]}`},
		{"after and another member, nothing left",
			`{"type":"FeatureCollection","features":[` + in1 + `], "bbox":[14.4506,35.8506,14.4506,35.8506], "name":"n"}`,
			`{"type":"FeatureCollection","features":[], "name":"n"}`},
		{"6 numbers removed",
			`{"type":"FeatureCollection","bbox":[14.4506,35.8506,0,14.61,35.95,0],"features":[` + in1 + `,` + in2 + `]}`,
			`{"type":"FeatureCollection","features":[` + in2 + `]}`},
		{"stale before, nothing dropped",
			`{"type":"FeatureCollection","bbox":[14.4506,35.8506,14.61,35.95],"features":[` + in2 + `]}`,
			`{"type":"FeatureCollection","features":[` + in2 + `]}`},
		{"stale after, nothing dropped",
			`{"type":"FeatureCollection","features":[` + in2 + `],"bbox":[14.4506,35.8506,14.61,35.95]}`,
			`{"type":"FeatureCollection","features":[` + in2 + `]}`},
		{"stale outside the zone, kept",
			`{"type":"FeatureCollection","bbox":[14.5,35.9,14.7,36],"features":[` + in2 + `]}`,
			`{"type":"FeatureCollection","bbox":[14.5,35.9,14.7,36],"features":[` + in2 + `]}`},
		{"nothing dropped",
			`{"type":"FeatureCollection","bbox":[14.51,35.91,14.61,35.95],"features":[` + in2 + `]}`,
			`{"type":"FeatureCollection","bbox":[14.51,35.91,14.61,35.95],"features":[` + in2 + `]}`},
	}
	checkOutputs(t, tests, false)
}

// outCase is an input and the output sanitizing it with a drop zone over
// the hidden position must give.
type outCase struct {
	name, in, want string
}

// checkOutputs sanitizes each case with a drop zone over the hidden
// position: the input round-trips byte for byte with a keep-all handler,
// the output is the one wanted and holds no position inside the zone.
// hiddenIn: the oracle must find the position in the input.
func checkOutputs(t *testing.T, tests []outCase, hiddenIn bool) {
	e := engine(t, hidden, hiddenR, "drop")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if l := leaks(t, tt.in, hidden, hiddenR); hiddenIn && len(l) == 0 {
				t.Fatalf("the oracle finds no hidden position in the input")
			}
			formattest.KeepsBytes(t, Codec{}, "in", []byte(tt.in), nil)
			out, _ := sanitize(t, e, tt.in)
			if out != tt.want {
				t.Errorf("output\n%s\nwant\n%s", out, tt.want)
			}
			if l := leaks(t, out, hidden, hiddenR); len(l) > 0 {
				t.Errorf("positions inside the zone survive: %v", l)
			}
		})
	}
}

// TestCollectionBBoxBeyondHold: when the output after a bbox that comes
// before "features" outgrows BBoxHoldBytes, the bbox is removed and the
// rest streams.
func TestCollectionBBoxBeyondHold(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","bbox":[14.4506,35.8506,14.61,35.95],"features":[`)
	b.WriteString(`{"type":"Feature","geometry":{"type":"Point","coordinates":[14.61,35.95]},"properties":{}}`)
	pad := strings.Repeat("p", 1<<20)
	for range BBoxHoldBytes>>20 + 1 {
		b.WriteString(`,{"type":"Feature","geometry":null,"properties":{"p":"` + pad + `"}}`)
	}
	b.WriteString("]}")
	var out bytes.Buffer
	h := &handler{}
	if err := (Codec{}).Rewrite(context.Background(), strings.NewReader(b.String()), &out, h, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), `{"type":"FeatureCollection","features":[{"type"`) || out.Len() != b.Len()-len(`"bbox":[14.4506,35.8506,14.61,35.95],`) {
		t.Errorf("output begins %q, %d bytes of %d", out.String()[:80], out.Len(), b.Len())
	}
}

// TestMovingFeaturesReal sanitizes a real OGC Moving Features JSON file
// (movingpandas' sample), whose positions are in a "temporalGeometry"
// member rather than "geometry", with a drop zone over one of them and
// with a coarsen zone.
func TestMovingFeaturesReal(t *testing.T) {
	raw, err := os.ReadFile("testdata/movingpandas/movingfeatures.json")
	if err != nil {
		t.Fatal(err)
	}
	in := string(raw)
	c := geowarden.Point{Lon: 108.0, Lat: 6.2}
	out, st := sanitize(t, engine(t, c, 5000, "drop"), in)
	if st.Dropped != 1 || strings.TrimSpace(out) != `{"type":"FeatureCollection","features":[]}` {
		t.Errorf("stats %+v, output %q", st, out)
	}
	out, st = sanitize(t, engine(t, c, 5000, "{coarsen: 50km}"), in)
	if st.Modified != 1 {
		t.Fatalf("stats %+v", st)
	}
	if l := leaks(t, out, c, 1000); len(l) > 0 {
		t.Errorf("positions survive: %v", l)
	}
	if !json.Valid([]byte(out)) || !strings.Contains(out, `"datetimes" : [ "2018-12-31T06:00:00Z"`) {
		t.Errorf("output:\n%s", out)
	}
}

// TestCollectionMembers: the FeatureCollection's own members (before and
// after "features") are read as records of their own: a text position is
// redacted, a member holding a position inside a drop zone is removed, and
// the collection's bbox moves with the head.
func TestCollectionMembers(t *testing.T) {
	f := feature(`{}`)
	tests := []outCase{
		{"text before",
			`{"type":"FeatureCollection","description":"survey at 35.8506, 14.4506 (gate)","features":[` + f + `]}`,
			`{"type":"FeatureCollection","description":"survey at [position removed] (gate)","features":[` + f + `]}`},
		{"text after",
			`{"type":"FeatureCollection","features":[` + f + `],"description":"survey at 35.8506, 14.4506"}`,
			`{"type":"FeatureCollection","features":[` + f + `],"description":"survey at [position removed]"}`},
		{"pair before, with a bbox after it",
			`{"type":"FeatureCollection", "home": {"lat": 35.8506, "lon": 14.4506}, "bbox": [14.51,35.91,14.51,35.91], "features":[` + f + `]}`,
			`{"type":"FeatureCollection", "bbox": [14.51, 35.91, 14.51, 35.91], "features":[` + f + `]}`},
		{"pair before a bbox, removed",
			`{"type":"FeatureCollection","bbox":[14.4506,35.8506,14.51,35.91],"origin":[14.4506,35.8506],"features":[]}`,
			`{"type":"FeatureCollection","features":[]}`},
		{"pair of members before",
			`{"type":"FeatureCollection","home_lat":35.8506, "name":"n", "home_lon":"14.4506","features":[` + f + `]}`,
			`{"type":"FeatureCollection","name":"n", "features":[` + f + `]}`},
		{"pair after",
			`{"type":"FeatureCollection","features":[` + f + `], "home": {"lat": 35.8506, "lon": 14.4506}, "name": "n"}`,
			`{"type":"FeatureCollection","features":[` + f + `], "name": "n"}`},
	}
	checkOutputs(t, tests, true)
}

// TestHiddenPositionsRunner sanitizes one collection holding every hiding
// place through pipeline.Runner, whose release path also reads the output
// bytes with the independent verifier (package verify): the release must
// succeed, keep the clean feature, and hold no position inside the zone.
func TestHiddenPositionsRunner(t *testing.T) {
	keep := feature(`{"name":"kept","note":"parked at 35.8506, 14.4506 overnight"}`)
	in := `{"type":"FeatureCollection","bbox":[14.4506,35.8506,14.6,36.0],"description":"survey from 35.8506, 14.4506","features":[` + "\n" + strings.Join([]string{
		keep,
		feature(`{"dest_lat":35.8506,"dest_lon":14.4506}`),
		feature(`{"latitudeE7":358506000,"longitudeE7":144506000}`),
		feature(`{"route":{"type":"LineString","coordinates":[[14.60,35.95],[14.4506,35.8506]]}}`),
		feature(`{"centre":[14.4506,35.8506]}`),
		`{"type":"Feature","bbox":[14.4506,35.8506,14.51,35.91],"geometry":{"type":"Point","coordinates":` + outside + `},"properties":{}}`,
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[14.6,36.0]},"properties":{}}`,
	}, ",\n") + "\n]}\n"
	r := &pipeline.Runner{Engine: engine(t, hidden, hiddenR, "drop"), Formats: format.NewRegistry(format.Entry{Codec: Codec{}}), PieceWorkers: 1}
	var out bytes.Buffer
	st, err := r.SanitizeStream(context.Background(), "in.geojson", strings.NewReader(in), &out)
	if err != nil {
		t.Fatalf("SanitizeStream: %v", err)
	}
	if l := leaks(t, out.String(), hidden, hiddenR); len(l) > 0 {
		t.Errorf("positions inside the zone survive: %v\n%s", l, out.String())
	}
	// Dropped: 5 features and the collection's bbox, whose corner lies
	// where no feature stands; modified: the kept feature's note and the
	// collection's description.
	if st.Dropped != 6 || st.Modified != 2 {
		t.Errorf("stats %+v, want 6 dropped, 2 modified", st)
	}
	if !strings.Contains(out.String(), `"bbox":[14.51, 35.91, 14.6, 36]`) {
		t.Errorf("the collection's bbox is not the extent of what remains:\n%s", out.String())
	}
}

// TestNameRefused: a position written as a member name is not read (names
// are not read for positions); the release verifier finds it in the
// output bytes and refuses the release.
func TestNameRefused(t *testing.T) {
	in := `{"type":"FeatureCollection","features":[` + feature(`{"35.8506, 14.4506":true}`) + "]}\n"
	r := &pipeline.Runner{Engine: engine(t, hidden, hiddenR, "drop"), Formats: format.NewRegistry(format.Entry{Codec: Codec{}}), PieceWorkers: 1}
	var out bytes.Buffer
	_, err := r.SanitizeStream(context.Background(), "in.geojson", strings.NewReader(in), &out)
	if !errors.Is(err, verify.ErrLeak) || out.Len() != 0 {
		t.Errorf("SanitizeStream: %v, %d bytes written; want a leak refused", err, out.Len())
	}
}

// TestCollectionBBoxCoarsened: a collection bbox that is not the extent of
// its features, with a corner in a coarsen zone, has its corners snapped
// when nothing else changes.
func TestCollectionBBoxCoarsened(t *testing.T) {
	f := `{"type":"Feature","geometry":{"type":"Point","coordinates":[14.61,35.95]},"properties":{}}`
	in := `{"type":"FeatureCollection","bbox":[14.4506,35.8506,14.61,35.95],"features":[` + f + `]}`
	out, st := sanitize(t, engine(t, hidden, hiddenR, "{coarsen: 1km}"), in)
	if l := leaks(t, out, hidden, 20); len(l) > 0 || st.Modified != 1 {
		t.Errorf("stats %+v; exact positions survive: %v\n%s", st, l, out)
	}
	var fc struct{ BBox []float64 }
	if err := json.Unmarshal([]byte(out), &fc); err != nil || len(fc.BBox) != 4 || !strings.HasSuffix(out, `"features":[`+f+`]}`) {
		t.Errorf("output (%v):\n%s", err, out)
	}
}

// TestCollectionPairCoarsened: a latitude and a longitude member of the
// collection itself, in a coarsen zone, are snapped in place.
func TestCollectionPairCoarsened(t *testing.T) {
	f := feature(`{}`)
	in := `{"type":"FeatureCollection","home_lat":35.8506,"home_lon":"14.4506","features":[` + f + `]}`
	out, st := sanitize(t, engine(t, hidden, hiddenR, "{coarsen: 1km}"), in)
	if l := leaks(t, out, hidden, 20); len(l) > 0 || st.Modified != 1 {
		t.Errorf("stats %+v; exact positions survive: %v\n%s", st, l, out)
	}
	var fc struct {
		Lat float64 `json:"home_lat"`
		Lon string  `json:"home_lon"`
	}
	if err := json.Unmarshal([]byte(out), &fc); err != nil || fc.Lat == 0 || fc.Lon == "" {
		t.Errorf("output (%v):\n%s", err, out)
	}
}
