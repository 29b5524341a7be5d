package geojson

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

// where is the part of a record a form test checks.
type where struct {
	shape   geowarden.Shape
	pos     geowarden.Point
	line    int
	feature int
	offset  int64
}

func wheres(recs []got) []where {
	var w []where
	for _, r := range recs {
		w = append(w, where{r.Shape, r.Pos, r.Ref.Line, r.Ref.Feature, r.Ref.Offset})
	}
	return w
}

const (
	fA = `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":null}`
	fB = `{"type":"Feature","geometry":{"type":"Point","coordinates":[3,4]},"properties":{}}`
	fC = `{"type":"Feature","geometry":null,"properties":{"k":"v"}}`
)

func TestForms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []where
	}{
		{
			name: "FeatureCollection",
			in:   "{\"type\":\"FeatureCollection\",\"features\":[\n" + fA + ",\n" + fB + "\n]}\n",
			want: []where{
				{geowarden.ShapePoint, pt(1, 2), 2, 0, 41},
				{geowarden.ShapePoint, pt(3, 4), 3, 1, 41 + int64(len(fA)) + 2},
			},
		},
		{
			name: "members after features, type last",
			in:   `{"features":[` + fC + `],"bbox":[0,0,1,1],"x-foo":{"a":[1,"]"]},"type":"FeatureCollection"}`,
			// The bbox tells of positions no feature holds: a record
			// of its own.
			want: []where{{geowarden.ShapeNone, pt(0, 0), 1, 0, 13}, {geowarden.ShapeNone, pt(0, 0), 1, -1, 79}},
		},
		{
			name: "empty FeatureCollection",
			in:   `{"type":"FeatureCollection","features":[]}`,
		},
		{
			name: "empty FeatureCollection with white space",
			in:   "{ \"type\" : \"FeatureCollection\" , \"features\" : [ \n ] }",
		},
		{
			name: "empty input",
			in:   "",
		},
		{
			name: "only white space",
			in:   "\xef\xbb\xbf \r\n\n",
		},
		{
			name: "single Feature",
			in:   fB + "\n",
			want: []where{{geowarden.ShapePoint, pt(3, 4), 1, 0, 0}},
		},
		{
			name: "bare geometry",
			in:   ` {"type":"LineString","coordinates":[[1,1],[2,2]]}`,
			want: []where{{geowarden.ShapeLine, pt(1, 1), 1, 0, 1}},
		},
		{
			name: "BOM and white space",
			in:   "\xef\xbb\xbf\n {\"type\":\"FeatureCollection\",\"features\":[" + fA + "]}\r\n",
			want: []where{{geowarden.ShapePoint, pt(1, 2), 2, 0, 45}},
		},
		{
			name: "newline-delimited",
			in:   fA + "\n\n" + `{"type":"Point","coordinates":[5,6]}` + "\r\n" + fC + "\n",
			want: []where{
				{geowarden.ShapePoint, pt(1, 2), 1, 0, 0},
				{geowarden.ShapePoint, pt(5, 6), 3, 1, int64(len(fA)) + 2},
				{geowarden.ShapeNone, pt(0, 0), 4, 2, int64(len(fA)) + 2 + int64(len(`{"type":"Point","coordinates":[5,6]}`)) + 2},
			},
		},
		{
			name: "newline-delimited without final newline",
			in:   fA + "\n" + fB,
			want: []where{
				{geowarden.ShapePoint, pt(1, 2), 1, 0, 0},
				{geowarden.ShapePoint, pt(3, 4), 2, 1, int64(len(fA)) + 1},
			},
		},
		{
			name: "text sequence",
			in:   "\x1e" + fA + "\n\x1e" + fB + "\n",
			want: []where{
				{geowarden.ShapePoint, pt(1, 2), 1, 0, 1},
				{geowarden.ShapePoint, pt(3, 4), 2, 1, int64(len(fA)) + 3},
			},
		},
		{
			name: "text sequence with empty records and white space",
			in:   "\x1e\x1e \n" + fA + " \n\x1e",
			want: []where{{geowarden.ShapePoint, pt(1, 2), 2, 0, 4}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &handler{}
			out, err := rewrite(tt.in, h, nil)
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if out != tt.in {
				t.Errorf("keep-all output differs:\ngot  %q\nwant %q", out, tt.in)
			}
			if got := wheres(h.recs); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("records:\ngot  %+v\nwant %+v", got, tt.want)
			}
			hs := &handler{}
			if err := scan(tt.in, hs); err != nil {
				t.Fatalf("scan: %v", err)
			}
			if !reflect.DeepEqual(hs.recs, h.recs) {
				t.Errorf("scan records differ from rewrite records")
			}
		})
	}
}

func TestGeometries(t *testing.T) {
	tests := []struct {
		name string
		geom string
		want []got
	}{
		{
			name: "Point",
			geom: `{"type":"Point","coordinates":[1.5,-2.25]}`,
			want: []got{{Shape: geowarden.ShapePoint, Pos: pt(1.5, -2.25)}},
		},
		{
			name: "Point with altitude and extra numbers",
			geom: `{"type":"Point","coordinates":[1,2,300.5,4]}`,
			want: []got{{Shape: geowarden.ShapePoint, Pos: pt(1, 2), Alt: 300.5, HasAlt: true}},
		},
		{
			name: "MultiPoint",
			geom: `{"type":"MultiPoint","coordinates":[[1,2],[3,4,5]]}`,
			want: []got{
				{Shape: geowarden.ShapePoint, Pos: pt(1, 2)},
				{Shape: geowarden.ShapePoint, Pos: pt(3, 4), Alt: 5, HasAlt: true},
			},
		},
		{
			name: "LineString",
			geom: `{"type":"LineString","coordinates":[[1,2],[3,4],[5,6]]}`,
			want: []got{{Shape: geowarden.ShapeLine, Pos: pt(1, 2), Lines: [][]geowarden.Point{{pt(1, 2), pt(3, 4), pt(5, 6)}}}},
		},
		{
			name: "MultiLineString",
			geom: `{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[5,6],[7,8]]]}`,
			want: []got{{Shape: geowarden.ShapeLine, Pos: pt(1, 2), Lines: [][]geowarden.Point{{pt(1, 2), pt(3, 4)}, {pt(5, 6), pt(7, 8)}}}},
		},
		{
			name: "Polygon with hole",
			geom: `{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]}`,
			want: []got{{Shape: geowarden.ShapeArea, Pos: pt(0, 0), Areas: [][][]geowarden.Point{{
				{pt(0, 0), pt(10, 0), pt(10, 10), pt(0, 0)},
				{pt(1, 1), pt(2, 1), pt(2, 2), pt(1, 1)},
			}}}},
		},
		{
			name: "MultiPolygon",
			geom: `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}`,
			want: []got{{Shape: geowarden.ShapeArea, Pos: pt(0, 0), Areas: [][][]geowarden.Point{
				{{pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 0)}},
				{{pt(5, 5), pt(6, 5), pt(6, 6), pt(5, 5)}},
			}}},
		},
		{
			name: "GeometryCollection, nested",
			geom: `{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[9,9]},` +
				`{"type":"LineString","coordinates":[[1,1],[2,2]]},` +
				`{"type":"GeometryCollection","geometries":[{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},` +
				`{"type":"MultiPoint","coordinates":[[3,3],[4,4]]}]}]}`,
			want: []got{{Shape: geowarden.ShapeArea, Pos: pt(9, 9),
				Lines: [][]geowarden.Point{{pt(9, 9)}, {pt(1, 1), pt(2, 2)}, {pt(3, 3)}, {pt(4, 4)}},
				Areas: [][][]geowarden.Point{{{pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 0)}}},
			}},
		},
		{
			name: "empty GeometryCollection",
			geom: `{"type":"GeometryCollection","geometries":[]}`,
			want: []got{{Shape: geowarden.ShapeNone}},
		},
		{
			name: "empty coordinates",
			geom: `{"type":"MultiPolygon","coordinates":[ ]}`,
			want: []got{{Shape: geowarden.ShapeNone}},
		},
		{
			name: "null",
			geom: `null`,
			want: []got{{Shape: geowarden.ShapeNone}},
		},
		{
			name: "foreign members and escaped names",
			geom: `{"t\u0079pe":"Point","x":{"coordinates":[0,0]},"coordinates":[7,8],"bbox":[7,8,7,8]}`,
			want: []got{{Shape: geowarden.ShapePoint, Pos: pt(7, 8)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":` + tt.geom + `}]}`
			h := &handler{}
			out, err := rewrite(in, h, nil)
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if out != in {
				t.Errorf("keep-all output differs:\ngot  %s\nwant %s", out, in)
			}
			for i := range h.recs {
				h.recs[i].Ref = geowarden.Ref{}
				h.recs[i].Kind = 0
			}
			for i := range tt.want {
				tt.want[i].Kind = 0
			}
			if !reflect.DeepEqual(h.recs, tt.want) {
				t.Errorf("records:\ngot  %v\nwant %v", h.recs, tt.want)
			}
		})
	}
}

func TestAttrs(t *testing.T) {
	tests := []struct {
		name    string
		props   string
		columns map[string]string
		attrs   []string
		want    got
	}{
		{
			name:  "values as text",
			props: `{"Name":"a\"b\u00e9","n":1.50,"b":true,"z":null,"o":{"x":[1, 2]},"a":[1]}`,
			attrs: []string{"name", "N", "b", "z", "o", "a", "missing"},
			want: got{Kind: geowarden.KindFeature, attrOf: map[string]string{
				"name": "a\"bé", "N": "1.50", "b": "true", "z": "null", "o": `{"x":[1, 2]}`, "a": "[1]",
			}, missing: []string{"missing"}},
		},
		{
			name:  "escaped names",
			props: `{"n\u0061me":"x"}`,
			attrs: []string{"NAME"},
			want:  got{Kind: geowarden.KindFeature, attrOf: map[string]string{"NAME": "x"}},
		},
		{
			name:  "cell measurement",
			props: `{"timestamp":"2024-05-06T07:08:09.5+02:00","device_id":"dev-1","Radio":"LTE","mcc":262,"net":"1","tac":4711,"ci":"12345678","frequency":1800.5,"earfcn":1300,"averageSignal":-85,"accuracy":12}`,
			want: got{Kind: geowarden.KindCell, Time: mustTime("2024-05-06T07:08:09.5+02:00"), Source: "dev-1", Acc: 12, HasAcc: true,
				Signal: geowarden.Signal{Radio: "LTE", MCC: 262, MNC: 1, HasMNC: true, Area: 4711, Cell: 12345678, FreqMHz: 1800.5,
					ARFCN: 1300, HasARFCN: true, Strength: -85, HasStrength: true}},
		},
		{
			name:  "wifi observation, unix time",
			props: `{"ts":1700000000.25,"SSID":"home","bssid":"aa:bb:cc:dd:ee:ff","rssi":"-60"}`,
			want: got{Kind: geowarden.KindWifi, Time: time.Unix(1700000000, 250000000).UTC(),
				Signal: geowarden.Signal{SSID: "home", BSSID: "aa:bb:cc:dd:ee:ff", Strength: -60, HasStrength: true}},
		},
		{
			name:  "GSM ARFCN without a frequency gives the downlink carrier",
			props: `{"radio":"GSM","arfcn":"62"}`,
			want:  got{Kind: geowarden.KindCell, Signal: geowarden.Signal{Radio: "GSM", ARFCN: 62, HasARFCN: true, FreqMHz: 947.4}},
		},
		{
			name:  "LTE EARFCN without a frequency gives the carrier (band 20)",
			props: `{"radio":"LTE","dl_earfcn":6300}`,
			want:  got{Kind: geowarden.KindCell, Signal: geowarden.Signal{Radio: "LTE", ARFCN: 6300, HasARFCN: true, FreqMHz: 806}},
		},
		{
			name:  "NR-ARFCN without a frequency gives the carrier (n100, FRMCS)",
			props: `{"radio":"NR","nrarfcn":"184000"}`,
			want:  got{Kind: geowarden.KindCell, Signal: geowarden.Signal{Radio: "NR", ARFCN: 184000, HasARFCN: true, FreqMHz: 920}},
		},
		{
			name:  "aliases shared with CSV",
			props: `{"technology":"LTE","eci":"77","mac":"aa:bb","dbm":-90,"acc":"5","elevation":12}`,
			want: got{Kind: geowarden.KindWifi, Acc: 5, HasAcc: true, Alt: 12, HasAlt: true,
				Signal: geowarden.Signal{Radio: "LTE", Cell: 77, BSSID: "aa:bb", Strength: -90, HasStrength: true}},
		},
		{
			name:  "radio wifi alone is a Wi-Fi record",
			props: `{"radio":"WiFi"}`,
			want:  got{Kind: geowarden.KindWifi, Signal: geowarden.Signal{Radio: "WiFi"}},
		},
		{
			name:  "first parsable alias wins; nulls and junk ignored",
			props: `{"time":"yesterday","created":"2024-01-01 10:00:00Z","user":null,"contributor":"c","mcc":"abc","cell":{}}`,
			want:  got{Kind: geowarden.KindFeature, Time: mustTime("2024-01-01T10:00:00Z"), Source: "c"},
		},
		{
			name:    "Options.Columns replaces the aliases of a role",
			props:   `{"source":"s","uploader":"u","when":"1700000000"}`,
			columns: map[string]string{"source": "Uploader", "time": "when"},
			want:    got{Kind: geowarden.KindFeature, Source: "u", Time: time.Unix(1700000000, 0).UTC()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"type":"Feature","geometry":null,"properties":` + tt.props + `}`
			h := &handler{attrs: tt.attrs}
			if _, err := rewrite(in, h, &format.Options{Name: "in", Columns: tt.columns}); err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if len(h.recs) != 1 {
				t.Fatalf("got %d records, want 1", len(h.recs))
			}
			g := h.recs[0]
			g.Ref = geowarden.Ref{}
			if !g.Time.Equal(tt.want.Time) {
				t.Errorf("Time = %v, want %v", g.Time, tt.want.Time)
			}
			g.Time, tt.want.Time = time.Time{}, time.Time{}
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("record:\ngot  %v\nwant %v", g, tt.want)
			}
		})
	}
}

func TestEdits(t *testing.T) {
	const point = `{"type":"Feature","id":7,"bbox":[1,2,1,2],"geometry":{"type":"Point","bbox":[1,2,1,2],"coordinates":[ 1.5, 2.5, 30 ]},` +
		`"properties":{"name":"a","Device":"d1","ts":"2024-01-02T03:04:05Z","n":1},"x":true}`
	const pretty = "{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}}"
	const multi = `{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[1,1], [2,2,5], [3,3]]},"properties":{}}`
	const line = `{"type":"Feature","bbox":[0,0,1,1],"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]},"properties":{"a":1}}`
	const poly = `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"a":1,"b":2}}`
	const coll = `{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,1]}]},"properties":{"a":1}}`
	fc := func(fs ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
	}
	move := func(lon, lat float64) geowarden.Edit { return geowarden.Edit{Move: true, Pos: pt(lon, lat)} }
	lines := func(ls ...[]geowarden.Point) geowarden.Edit { return geowarden.Edit{Move: true, Lines: ls} }
	retime := func(s string) geowarden.Edit { return geowarden.Edit{Retime: true, Time: mustTime(s)} }
	strip := func(n ...string) geowarden.Edit { return geowarden.Edit{Strip: n} }
	set := func(n, v string) geowarden.Edit { return geowarden.Edit{Set: []geowarden.Attr{{Name: n, Value: v}}} }

	tests := []struct {
		name  string
		in    string
		edits []geowarden.Edit // by record; missing ones keep
		want  string
	}{
		{
			name:  "move point keeps altitude and layout, drops bboxes",
			in:    point,
			edits: []geowarden.Edit{move(10.123456789, -20.5)},
			want: `{"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[ 10.1234568, -20.5, 30 ]},` +
				`"properties":{"name":"a","Device":"d1","ts":"2024-01-02T03:04:05Z","n":1},"x":true}`,
		},
		{
			name:  "move point to negative zero",
			in:    `{"type":"Point","coordinates":[5,5]}`,
			edits: []geowarden.Edit{move(-0.00000001, 0)},
			want:  `{"type":"Point","coordinates":[0,0]}`,
		},
		{
			name:  "retime RFC 3339 string",
			in:    point,
			edits: []geowarden.Edit{retime("2025-06-07T08:09:10.5Z")},
			want: `{"type":"Feature","id":7,"bbox":[1,2,1,2],"geometry":{"type":"Point","bbox":[1,2,1,2],"coordinates":[ 1.5, 2.5, 30 ]},` +
				`"properties":{"name":"a","Device":"d1","ts":"2025-06-07T08:09:10.5Z","n":1},"x":true}`,
		},
		{
			name:  "retime unix seconds number",
			in:    `{"type":"Feature","geometry":null,"properties":{"time":1700000000,"x":1}}`,
			edits: []geowarden.Edit{{Retime: true, Time: time.Unix(1700000123, 0)}},
			want:  `{"type":"Feature","geometry":null,"properties":{"time":1700000123,"x":1}}`,
		},
		{
			name:  "retime unix seconds string with fraction",
			in:    `{"type":"Feature","geometry":null,"properties":{"timestamp":"1700000000"}}`,
			edits: []geowarden.Edit{{Retime: true, Time: time.Unix(1700000123, 500000000)}},
			want:  `{"type":"Feature","geometry":null,"properties":{"timestamp":"1700000123.5"}}`,
		},
		{
			name:  "retime without a time property",
			in:    `{"type":"Feature","geometry":null,"properties":{"x":1}}`,
			edits: []geowarden.Edit{retime("2025-01-01T00:00:00Z")},
			want:  `{"type":"Feature","geometry":null,"properties":{"x":1}}`,
		},
		{
			name:  "strip role source",
			in:    point,
			edits: []geowarden.Edit{strip("source")},
			want: `{"type":"Feature","id":7,"bbox":[1,2,1,2],"geometry":{"type":"Point","bbox":[1,2,1,2],"coordinates":[ 1.5, 2.5, 30 ]},` +
				`"properties":{"name":"a","ts":"2024-01-02T03:04:05Z","n":1},"x":true}`,
		},
		{
			name:  "strip first property by name, ignoring case",
			in:    point,
			edits: []geowarden.Edit{strip("NAME")},
			want: `{"type":"Feature","id":7,"bbox":[1,2,1,2],"geometry":{"type":"Point","bbox":[1,2,1,2],"coordinates":[ 1.5, 2.5, 30 ]},` +
				`"properties":{"Device":"d1","ts":"2024-01-02T03:04:05Z","n":1},"x":true}`,
		},
		{
			name:  "strip every property",
			in:    point,
			edits: []geowarden.Edit{strip("name", "source", "time", "n")},
			want: `{"type":"Feature","id":7,"bbox":[1,2,1,2],"geometry":{"type":"Point","bbox":[1,2,1,2],"coordinates":[ 1.5, 2.5, 30 ]},` +
				`"properties":{},"x":true}`,
		},
		{
			name:  "strip escaped name",
			in:    `{"type":"Feature","geometry":null,"properties":{"n\u0061me":"x","y":2}}`,
			edits: []geowarden.Edit{strip("name")},
			want:  `{"type":"Feature","geometry":null,"properties":{"y":2}}`,
		},
		{
			name:  "strip middle of pretty properties",
			in:    pretty,
			edits: []geowarden.Edit{strip("b")},
			want:  "{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\n  \"a\": 1,\n  \"c\": 3\n}}",
		},
		{
			name:  "strip first of pretty properties",
			in:    pretty,
			edits: []geowarden.Edit{strip("a")},
			want:  "{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\n  \"b\": 2,\n  \"c\": 3\n}}",
		},
		{
			name:  "strip last of pretty properties",
			in:    pretty,
			edits: []geowarden.Edit{strip("c")},
			want:  "{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\n  \"a\": 1,\n  \"b\": 2\n}}",
		},
		{
			name:  "set role source with characters to escape",
			in:    point,
			edits: []geowarden.Edit{set("source", "x\"y\n\x01")},
			want: `{"type":"Feature","id":7,"bbox":[1,2,1,2],"geometry":{"type":"Point","bbox":[1,2,1,2],"coordinates":[ 1.5, 2.5, 30 ]},` +
				`"properties":{"name":"a","Device":"x\"y\n\u0001","ts":"2024-01-02T03:04:05Z","n":1},"x":true}`,
		},
		{
			name:  "set number property to a string",
			in:    point,
			edits: []geowarden.Edit{set("N", "hidden")},
			want: `{"type":"Feature","id":7,"bbox":[1,2,1,2],"geometry":{"type":"Point","bbox":[1,2,1,2],"coordinates":[ 1.5, 2.5, 30 ]},` +
				`"properties":{"name":"a","Device":"d1","ts":"2024-01-02T03:04:05Z","n":"hidden"},"x":true}`,
		},
		{
			name:  "strip wins over set",
			in:    point,
			edits: []geowarden.Edit{{Strip: []string{"name"}, Set: []geowarden.Attr{{Name: "name", Value: "z"}}}},
			want: `{"type":"Feature","id":7,"bbox":[1,2,1,2],"geometry":{"type":"Point","bbox":[1,2,1,2],"coordinates":[ 1.5, 2.5, 30 ]},` +
				`"properties":{"Device":"d1","ts":"2024-01-02T03:04:05Z","n":1},"x":true}`,
		},
		{
			name:  "set absent property changes nothing",
			in:    point,
			edits: []geowarden.Edit{set("ssid", "z")},
			want:  point,
		},
		{
			name:  "move and strip together",
			in:    point,
			edits: []geowarden.Edit{{Move: true, Pos: pt(0.1, 0.2), Strip: []string{"n"}, Retime: true, Time: mustTime("2020-01-01T00:00:00Z")}},
			want: `{"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[ 0.1, 0.2, 30 ]},` +
				`"properties":{"name":"a","Device":"d1","ts":"2020-01-01T00:00:00Z"},"x":true}`,
		},
		{
			name:  "MultiPoint drop middle point",
			in:    multi,
			edits: []geowarden.Edit{{}, {Drop: true}},
			want:  `{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[1,1], [3,3]]},"properties":{}}`,
		},
		{
			name:  "MultiPoint drop first point, move last",
			in:    multi,
			edits: []geowarden.Edit{{Drop: true}, {}, move(9, 8)},
			want:  `{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[2,2,5], [9,8]]},"properties":{}}`,
		},
		{
			name:  "MultiPoint move keeps altitude",
			in:    multi,
			edits: []geowarden.Edit{{}, move(7, 7)},
			want:  `{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[1,1], [7,7,5], [3,3]]},"properties":{}}`,
		},
		{
			name:  "MultiPoint all points dropped drops the feature",
			in:    fc(fA, multi, fB),
			edits: []geowarden.Edit{{}, {Drop: true}, {Drop: true}, {Drop: true}},
			want:  fc(fA, fB),
		},
		{
			name:  "MultiPoint strip from one point record",
			in:    `{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[1,1],[2,2]]},"properties":{"a":1,"b":2}}`,
			edits: []geowarden.Edit{strip("a"), strip("b")},
			want:  `{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[1,1],[2,2]]},"properties":{}}`,
		},
		{
			name:  "move line to one part",
			in:    line,
			edits: []geowarden.Edit{lines([]geowarden.Point{pt(0.5, 0.5), pt(1, 1)})},
			want:  `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0.5,0.5],[1,1]]},"properties":{"a":1}}`,
		},
		{
			name:  "move line to two parts",
			in:    line,
			edits: []geowarden.Edit{lines([]geowarden.Point{pt(0, 0), pt(0.1, 0.1)}, []geowarden.Point{pt(9, 9)}, []geowarden.Point{pt(0.9, 0.9), pt(1, 1)})},
			want:  `{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[0,0],[0.1,0.1]],[[0.9,0.9],[1,1]]]},"properties":{"a":1}}`,
		},
		{
			name:  "MultiLineString moved to one part becomes LineString",
			in:    `{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]]}`,
			edits: []geowarden.Edit{lines([]geowarden.Point{pt(2, 2), pt(3, 3)})},
			want:  `{"type":"LineString","coordinates":[[2,2],[3,3]]}`,
		},
		{
			name:  "move line to nothing drops it",
			in:    fc(line, fA),
			edits: []geowarden.Edit{lines()},
			want:  fc(fA),
		},
		{
			name:  "move polygon fails closed",
			in:    fc(poly, fA),
			edits: []geowarden.Edit{move(1, 1)},
			want:  fc(fA),
		},
		{
			name:  "strip from polygon",
			in:    poly,
			edits: []geowarden.Edit{strip("a")},
			want:  `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"b":2}}`,
		},
		{
			name:  "GeometryCollection strip",
			in:    coll,
			edits: []geowarden.Edit{strip("a")},
			want:  `{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,1]}]},"properties":{}}`,
		},
		{
			name:  "GeometryCollection drop",
			in:    fc(coll, fA),
			edits: []geowarden.Edit{{Drop: true}},
			want:  fc(fA),
		},
		{
			name:  "null geometry ignores move",
			in:    fC,
			edits: []geowarden.Edit{move(1, 1)},
			want:  fC,
		},
		{
			name:  "bare geometry ignores strip",
			in:    `{"type":"Point","coordinates":[1,2]}`,
			edits: []geowarden.Edit{strip("source")},
			want:  `{"type":"Point","coordinates":[1,2]}`,
		},
		{
			name:  "drop single Feature",
			in:    fA + "\n",
			edits: []geowarden.Edit{{Drop: true}},
			want:  `{"type":"FeatureCollection","features":[]}` + "\n",
		},
		{
			name:  "drop bare geometry",
			in:    "\xef\xbb\xbf" + `{"type":"Point","coordinates":[1,2]}`,
			edits: []geowarden.Edit{{Drop: true}},
			want:  "\xef\xbb\xbf" + `{"type":"FeatureCollection","features":[]}`,
		},
		{
			name:  "newline-delimited drop middle",
			in:    fA + "\n" + fB + "\n" + fC + "\n",
			edits: []geowarden.Edit{{}, {Drop: true}},
			want:  fA + "\n" + fC + "\n",
		},
		{
			name:  "newline-delimited drop first, keep blank line",
			in:    fA + "\n\n" + fB + "\n",
			edits: []geowarden.Edit{{Drop: true}},
			want:  "\n" + fB + "\n",
		},
		{
			name:  "newline-delimited drop last without final newline",
			in:    fA + "\r\n" + fB,
			edits: []geowarden.Edit{{}, {Drop: true}},
			want:  fA + "\r\n",
		},
		{
			name:  "newline-delimited drop indented line",
			in:    "  " + fA + "\n  " + fB + "\n  " + fC + "\n",
			edits: []geowarden.Edit{{}, {Drop: true}},
			want:  "  " + fA + "\n  " + fC + "\n",
		},
		{
			name:  "newline-delimited drop all",
			in:    fA + "\n" + fB + "\n",
			edits: []geowarden.Edit{{Drop: true}, {Drop: true}},
			want:  "",
		},
		{
			name:  "newline-delimited move",
			in:    fA + "\n" + fB + "\n",
			edits: []geowarden.Edit{{}, move(5, 5)},
			want:  fA + "\n" + strings.Replace(fB, "[3,4]", "[5,5]", 1) + "\n",
		},
		{
			name:  "text sequence drop first",
			in:    "\x1e" + fA + "\n\x1e" + fB + "\n",
			edits: []geowarden.Edit{{Drop: true}},
			want:  "\x1e" + fB + "\n",
		},
		{
			name:  "text sequence move",
			in:    "\x1e " + fA + "\n\x1e" + fB + "\n",
			edits: []geowarden.Edit{move(5, 5)},
			want:  "\x1e " + strings.Replace(fA, "[1,2]", "[5,5]", 1) + "\n\x1e" + fB + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &handler{edit: func(i int, _ *geowarden.Record) geowarden.Edit {
				if i < len(tt.edits) {
					return tt.edits[i]
				}
				return geowarden.Keep
			}}
			out, err := rewrite(tt.in, h, nil)
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if out != tt.want {
				t.Errorf("output:\ngot  %s\nwant %s", out, tt.want)
			}
			seq := strings.Contains(tt.in, "\x1e") || strings.Count(tt.in, "\n") > 1 || strings.Contains(tt.in, "}\r\n{")
			if !seq && !json.Valid([]byte(strings.TrimPrefix(out, "\xef\xbb\xbf"))) {
				t.Errorf("output is not valid JSON: %s", out)
			}
		})
	}
}

func TestEditErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		edit geowarden.Edit
		want string
	}{
		{"move point out of range", fA, geowarden.Edit{Move: true, Pos: pt(200, 0)}, "geojson: feature 0: edit moves it to an invalid position: coordinate out of range"},
		{"move line to NaN", `{"type":"LineString","coordinates":[[0,0],[1,1]]}`,
			geowarden.Edit{Move: true, Lines: [][]geowarden.Point{{pt(0, 0), {Lon: nan(), Lat: 0}}}}, "coordinate is not a finite number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &handler{edit: func(int, *geowarden.Record) geowarden.Edit { return tt.edit }}
			_, err := rewrite(tt.in, h, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestDropFeatures(t *testing.T) {
	layouts := []struct {
		name       string
		head, tail string
		sep        string // between features
		first      string // between '[' and the first feature
		last       string // between the last feature and ']'
	}{
		{"compact", `{"type":"FeatureCollection","features":[`, `]}`, ",", "", ""},
		{"one per line", "{\n\"type\": \"FeatureCollection\",\n\"features\": [", "]\n}\n", ",\n", "\n", "\n"},
		{"indented", "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [", "]\n}", ",\n    ", "\n    ", "\n  "},
		{"comma first", `{"type":"FeatureCollection","features":[`, "]}", "\n, ", " ", "\n"},
		{"spaces around commas", `{"type":"FeatureCollection","features":[`, "]}", " , ", " ", " "},
	}
	feats := []string{fA, fB, fC, `{"type":"Feature","geometry":{"type":"Point","coordinates":[7,8]},"properties":{"z":[1,2]}}`}
	build := func(l int, keep []bool) string {
		lo := layouts[l]
		var b strings.Builder
		b.WriteString(lo.head)
		n := 0
		for i, f := range feats {
			if !keep[i] {
				continue
			}
			if n == 0 {
				b.WriteString(lo.first)
			} else {
				b.WriteString(lo.sep)
			}
			b.WriteString(f)
			n++
		}
		if n == 0 {
			b.WriteString(lo.last)
		} else {
			b.WriteString(lo.last)
		}
		b.WriteString(lo.tail)
		return b.String()
	}
	drops := []struct {
		name string
		keep []bool
	}{
		{"none", []bool{true, true, true, true}},
		{"first", []bool{false, true, true, true}},
		{"middle", []bool{true, false, true, true}},
		{"last", []bool{true, true, true, false}},
		{"first and last", []bool{false, true, true, false}},
		{"all but one", []bool{false, false, true, false}},
		{"alternate", []bool{false, true, false, true}},
		{"all", []bool{false, false, false, false}},
	}
	all := []bool{true, true, true, true}
	for l, lo := range layouts {
		for _, d := range drops {
			t.Run(lo.name+"/"+d.name, func(t *testing.T) {
				in := build(l, all)
				h := &handler{edit: func(i int, _ *geowarden.Record) geowarden.Edit {
					return geowarden.Edit{Drop: !d.keep[i]}
				}}
				out, err := rewrite(in, h, nil)
				if err != nil {
					t.Fatalf("Rewrite: %v", err)
				}
				if want := build(l, d.keep); out != want {
					t.Errorf("output:\ngot  %q\nwant %q", out, want)
				}
				if !json.Valid([]byte(out)) {
					t.Errorf("output is not valid JSON: %s", out)
				}
			})
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		line, col int
		want      string
	}{
		{"junk after feature", `{"type":"FeatureCollection","features":[` + fC + ` x]}`, 1, 41 + len(fC) + 1,
			"geojson: expected ',' or ']' after feature, found 'x'"},
		{"missing comma between members", "{\n\"type\": \"FeatureCollection\",\n\"features\": [\n{\"type\": \"Feature\" \"geometry\": null}\n]}", 4, 20,
			"geojson: expected ',' or '}' after object member, found '\"'"},
		{"truncated after '['", `{"type":"FeatureCollection","features":[`, 1, 41,
			"geojson: unexpected end of input, expected a feature or ']'"},
		{"truncated in feature", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,`, 1, 103,
			"geojson: unexpected end of input, expected a value"},
		{"truncated in string", `{"type":"Feat`, 1, 14, "geojson: unexpected end of input, expected '\"' to end the string"},
		{"truncated after features", `{"type":"FeatureCollection","features":[]`, 1, 42, "geojson: unexpected end of input, expected ',' or '}'"},
		{"truncated after feature", "{\"type\":\"FeatureCollection\",\"features\":[\n" + fC + ",", 2, len(fC) + 2,
			"geojson: unexpected end of input, expected a feature"},
		{"trailing comma in features", `{"type":"FeatureCollection","features":[` + fC + `,]}`, 1, 41 + len(fC) + 1,
			"geojson: expected a feature after ',', found ']'"},
		{"trailing comma in object", `{"type":"Point","coordinates":[1,2],}`, 1, 37, "geojson: expected '\"' to begin a member name, found '}'"},
		{"trailing comma in array", `{"type":"Point","coordinates":[1,2,]}`, 1, 36, "geojson: expected a value after ',', found ']'"},
		{"bad escape", `{"type":"Feature","geometry":null,"properties":{"a":"\q"}}`, 1, 55, "geojson: invalid escape 'q' in string"},
		{"bad unicode escape", `{"type":"Feature","geometry":null,"properties":{"a":"\u12g4"}}`, 1, 58, "geojson: expected a hexadecimal digit in \\u escape, found 'g'"},
		{"control character", "{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\"a\":\"x\ty\"}}", 1, 55, "geojson: invalid control character byte 0x09 in string"},
		{"number without fraction digits", `{"type":"Point","coordinates":[1.,2]}`, 1, 34, "geojson: expected a digit, found ','"},
		{"number with leading zero", `{"type":"Point","coordinates":[01,2]}`, 1, 33, "geojson: expected ',' or ']' after array element, found '1'"},
		{"lone minus", `{"type":"Point","coordinates":[-,2]}`, 1, 33, "geojson: expected a digit, found ','"},
		{"bad literal", `{"type":"Feature","geometry":nul,"properties":{}}`, 1, 33, "geojson: invalid literal: expected \"null\", found ','"},
		{"missing colon", `{"type" "Feature"}`, 1, 9, "geojson: expected ':' after member name, found '\"'"},
		{"junk after FeatureCollection", `{"type":"FeatureCollection","features":[]} x`, 1, 44,
			"geojson: expected the end of the input after the FeatureCollection, found 'x'"},
		{"junk after single object", `{"type":"Point","coordinates":[1,2]} x`, 1, 38,
			"geojson: expected the end of the input or a new line with a feature, found 'x'"},
		{"top-level array", `[1]`, 1, 1, "geojson: expected '{' or a record separator (0x1E) to begin GeoJSON, found '['"},
		{"top-level null", "\n null", 2, 2, "geojson: expected '{' or a record separator (0x1E) to begin GeoJSON, found 'n'"},
		{"two records on one line", fA + " " + fB, 1, len(fA) + 2, "geojson: expected a line break between records, found '{'"},
		{"truncated second line", fA + "\n{\"type\":", 2, 9, "geojson: unexpected end of input, expected a value"},
		{"second line not an object", fA + "\n[1]", 2, 1, "geojson: expected the end of the input or a new line with a feature, found '['"},
		{"third line not an object", fA + "\n" + fB + "\nnull", 3, 1, "geojson: expected '{' to begin a record, found 'n'"},
		{"text sequence without final line feed", "\x1e" + fA, 1, len(fA) + 2,
			"geojson: unexpected end of input, expected a line feed to end the record (truncated?)"},
		{"text sequence junk after record", "\x1e" + fA + " x\n", 1, len(fA) + 3, "geojson: expected a line feed to end the record, found 'x'"},
		{"text sequence record not an object", "\x1e[1]\n", 1, 2, "geojson: expected '{' to begin a record, found '['"},
		{"broken byte-order mark", "\xef\xbb{}", 1, 3, "geojson: expected a UTF-8 byte-order mark, found '{'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range []bool{true, false} {
				var err error
				if w {
					_, err = rewrite(tt.in, &handler{badNil: true}, nil)
				} else {
					err = scan(tt.in, &handler{badNil: true})
				}
				var pe *format.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("err = %v, want a *format.ParseError", err)
				}
				if !errors.Is(err, ErrSyntax) {
					t.Errorf("err = %v, want it to match ErrSyntax", err)
				}
				if pe.Line != tt.line || pe.Column != tt.col || pe.Err.Error() != tt.want {
					t.Errorf("got %d:%d %q, want %d:%d %q", pe.Line, pe.Column, pe.Err, tt.line, tt.col, tt.want)
				}
				if pe.File != "in" {
					t.Errorf("File = %q, want %q", pe.File, "in")
				}
				if want := offsetOf(tt.in, tt.line, tt.col); pe.Offset != want {
					t.Errorf("Offset = %d, want %d", pe.Offset, want)
				}
			}
		})
	}
}

// offsetOf converts a 1-based line and byte column to a byte offset.
func offsetOf(s string, line, col int) int64 {
	off := 0
	for l := 1; l < line; l++ {
		off += strings.IndexByte(s[off:], '\n') + 1
	}
	return int64(off + col - 1)
}

func TestInvalidTopLevel(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		kind      error
		line, col int
		want      string
	}{
		{"unknown type", `{"type":"FooBar"}`, ErrInvalid, 1, 9, `geojson: unknown type "FooBar" (types are case-sensitive)`},
		{"lower-case FeatureCollection", `{"type":"featurecollection","features":[]}`, ErrInvalid, 1, 9,
			`geojson: unknown type "featurecollection" (types are case-sensitive)`},
		{"no type", `{"features2":[]}`, ErrInvalid, 1, 1, `geojson: object has no "type" member`},
		{"type after features is wrong", `{"features":[],"type":"Feature"}`, ErrInvalid, 1, 2, `geojson: a Feature must not have a "features" member`},
		{"features without type", `{"features":[]}`, ErrInvalid, 1, 2, `geojson: object with "features" has no "type" member`},
		{"type not a string", `{"type":1}`, ErrInvalid, 1, 9, `geojson: "type" must be a string, found a number`},
		{"FeatureCollection without features", `{"type":"FeatureCollection"}`, ErrInvalid, 1, 1, `geojson: FeatureCollection has no "features" member`},
		{"features not an array", `{"type":"FeatureCollection","features":null}`, ErrInvalid, 1, 40, `geojson: "features" must be an array, found null`},
		{"duplicate type", `{"type":"FeatureCollection","type":"Feature","features":[]}`, ErrInvalid, 1, 29, `geojson: duplicate member "type"`},
		{"features in another case", `{"type":"FeatureCollection","Features":[],"features":[]}`, ErrInvalid, 1, 29,
			`geojson: member "Features" differs from "features" only in case`},
		{"FeatureCollection with coordinates", `{"type":"FeatureCollection","coordinates":[1,2],"features":[]}`, ErrInvalid, 1, 29,
			`geojson: a FeatureCollection must not have a "coordinates" member`},
		{"FeatureCollection with geometry after features", `{"type":"FeatureCollection","features":[],"geometry":null}`, ErrInvalid, 1, 43,
			`geojson: a FeatureCollection must not have a "geometry" member`},
		{"Feature with features", `{"type":"Feature","geometry":null,"features":[]}`, ErrInvalid, 1, 35, `geojson: a Feature must not have a "features" member`},
		{"FeatureCollection in a sequence", fA + "\n" + `{"type":"FeatureCollection","features":[]}`, ErrInvalid, 2, 1,
			"geojson: a FeatureCollection inside a sequence of records is not supported"},
		{"FeatureCollection then more", `{"type":"FeatureCollection","features":[]}` + "\n" + fA, ErrSyntax, 2, 1,
			"geojson: expected the end of the input after the FeatureCollection, found '{'"},
		{"CRS EPSG:3857", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}`,
			ErrCRS, 1, 35, `geojson: "crs" {"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}} is not WGS-84 longitude/latitude`},
		{"CRS null", `{"type":"Feature","crs":null,"geometry":null,"properties":{}}`, ErrCRS, 1, 25, `geojson: "crs" null is not WGS-84`},
		{"CRS link", `{"type":"Point","coordinates":[1,2],"crs":{"type":"link","properties":{"href":"x"}}}`, ErrCRS, 1, 43, `geojson: "crs" {"type":"link"`},
		{"CRS after features", `{"type":"FeatureCollection","features":[` + fA + `],"crs":{"type":"name","properties":{"name":"EPSG:2154"}}}`,
			ErrCRS, 1, 41 + len(fA) + 8, `geojson: "crs" {"type":"name","properties":{"name":"EPSG:2154"}} is not WGS-84`},
		{"CRS on a feature", `{"type":"FeatureCollection","features":[{"type":"Feature","crs":{"type":"name","properties":{"name":"EPSG:31467"}},"geometry":null,"properties":{}}]}`,
			ErrCRS, 1, 65, `geojson: feature 0: "crs" {"type":"name","properties":{"name":"EPSG:31467"}} is not WGS-84`},
		{"CRS on a line of a sequence", fA + "\n" + `{"type":"Point","coordinates":[1,2],"crs":{"type":"name","properties":{"name":"EPSG:27700"}}}`,
			ErrCRS, 2, 43, `geojson: feature 1: "crs"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &handler{badNil: true}
			_, err := rewrite(tt.in, h, nil)
			var pe *format.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *format.ParseError", err)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("err = %v, want it to match %v", err, tt.kind)
			}
			if pe.Line != tt.line || pe.Column != tt.col || !strings.HasPrefix(pe.Err.Error(), tt.want) {
				t.Errorf("got %d:%d %q, want %d:%d %q...", pe.Line, pe.Column, pe.Err, tt.line, tt.col, tt.want)
			}
			if len(h.bad) != 0 {
				t.Errorf("Bad was called for a fatal error: %v", h.bad)
			}
		})
	}
}

func TestCRSAccepted(t *testing.T) {
	for _, name := range []string{"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326", "epsg:4326", "urn:ogc:def:crs:OGC::CRS84"} {
		t.Run(name, func(t *testing.T) {
			in := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"` + name + `"}},"features":[` + fA + `]}`
			h := &handler{}
			out, err := rewrite(in, h, nil)
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if out != in || len(h.recs) != 1 {
				t.Errorf("got %d records, output %q", len(h.recs), out)
			}
		})
	}
}

func TestBadRecords(t *testing.T) {
	feat := func(geom string) string {
		return `{"type":"Feature","geometry":` + geom + `,"properties":{}}`
	}
	tests := []struct {
		name   string
		bad    string // the bad feature
		marker string // where in it the error points
		want   string
		is     error
	}{
		{"position with one number", feat(`{"type":"Point","coordinates":[1]}`), "[1]", "position must have at least 2 numbers, found 1", ErrInvalid},
		{"string in position", feat(`{"type":"Point","coordinates":[1,"2"]}`), `"2"`, "position element must be a number, found a string", ErrInvalid},
		{"latitude out of range", feat(`{"type":"LineString","coordinates":[[0,0],[1,91]]}`), "[1,91]", "coordinate out of range: latitude 91 outside -90..90", format.ErrRange},
		{"longitude out of range", feat(`{"type":"Point","coordinates":[-180.5,0]}`), "[-180.5", "coordinate out of range: longitude -180.5 outside -180..180", format.ErrRange},
		{"huge number", feat(`{"type":"Point","coordinates":[1e400,0]}`), "[1e400", "coordinate is not a finite number", format.ErrNaN},
		{"huge altitude", feat(`{"type":"Point","coordinates":[1,0,-1e999]}`), "[1,0", "coordinate is not a finite number: altitude -Inf", format.ErrNaN},
		{"ring not closed", feat(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`), "[[0,0]", "linear ring is not closed", ErrInvalid},
		{"ring closed in 2D only", feat(`{"type":"Polygon","coordinates":[[[0,0,1],[1,0],[1,1],[0,0,2]]]}`), "[[0,0,1]", "linear ring is not closed", ErrInvalid},
		{"short ring", feat(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`), "[[0,0]", "a linear ring must have at least 4 positions, found 3", ErrInvalid},
		{"polygon without rings", feat(`{"type":"MultiPolygon","coordinates":[[]]}`), "[]", "a polygon must have at least one linear ring", ErrInvalid},
		{"short line", feat(`{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2]]]}`), "[[2,2]]", "a line must have at least 2 positions, found 1", ErrInvalid},
		{"line not nested", feat(`{"type":"LineString","coordinates":[0,0]}`), "0,0]", "expected a position (an array of numbers), found a number", ErrInvalid},
		{"MultiPoint not nested", feat(`{"type":"MultiPoint","coordinates":[1,2]}`), "1,2]", "expected a position (an array of numbers), found a number", ErrInvalid},
		{"coordinates not an array", feat(`{"type":"Point","coordinates":"1,2"}`), `"1,2"`, `"coordinates" must be an array, found a string`, ErrInvalid},
		{"no coordinates", feat(`{"type":"Point"}`), `{"type":"Point"}`, `Point has no "coordinates" member`, ErrInvalid},
		{"unknown geometry type", feat(`{"type":"point","coordinates":[1,2]}`), `"point"`, `unknown geometry type "point" (types are case-sensitive)`, ErrInvalid},
		{"geometry without type", feat(`{"coordinates":[1,2]}`), `{"coordinates"`, `geometry has no "type" member`, ErrInvalid},
		{"geometry is a string", feat(`"POINT (1 2)"`), `"POINT`, `"geometry" must be an object or null, found a string`, ErrInvalid},
		{"geometry with geometries", feat(`{"type":"Point","coordinates":[1,2],"geometries":[]}`), `"geometries"`, `a Point must not have a "geometries" member`, ErrInvalid},
		{"geometry with features", feat(`{"type":"Point","coordinates":[1,2],"features":[]}`), `"features"`, `a geometry must not have a "features" member`, ErrInvalid},
		{"collection with coordinates", feat(`{"type":"GeometryCollection","geometries":[],"coordinates":[1,2]}`), `"coordinates"`,
			`a GeometryCollection must not have a "coordinates" member`, ErrInvalid},
		{"collection with null", feat(`{"type":"GeometryCollection","geometries":[null]}`), `null]`, `"geometries" must hold geometry objects, found null`, ErrInvalid},
		{"collection with bad member", feat(`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,200]}]}`), `[1,200]`,
			"coordinate out of range", format.ErrRange},
		{"collections nested too deep", feat(strings.Repeat(`{"type":"GeometryCollection","geometries":[`, 8) +
			`{"x":0,"type":"GeometryCollection","geometries":[]}` + strings.Repeat(`]}`, 8)), `{"x":0`, "GeometryCollections nested more than 8 deep", ErrInvalid},
		{"bbox with 3 numbers", `{"type":"Feature","bbox":[1,2,3],"geometry":null,"properties":{}}`, "[1,2,3]", `"bbox" must have 4 or 6 numbers, found 3`, ErrInvalid},
		{"bbox with a string", feat(`{"type":"Point","coordinates":[1,2],"bbox":[1,2,"3",4]}`), `"3"`, `"bbox" must hold only numbers, found a string`, ErrInvalid},
		{"properties array", `{"type":"Feature","geometry":null,"properties":[]}`, "[]", `"properties" must be an object or null, found an array`, ErrInvalid},
		{"id object", `{"type":"Feature","id":{},"geometry":null,"properties":{}}`, "{},", `feature "id" must be a string or a number, found an object`, ErrInvalid},
		{"feature with coordinates", `{"type":"Feature","coordinates":[1,2],"geometry":null,"properties":{}}`, `"coordinates"`,
			`a Feature must not have a "coordinates" member`, ErrInvalid},
		{"duplicate geometry", `{"type":"Feature","geometry":null,"geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}`, `"geometry":{`,
			`duplicate member "geometry"`, ErrInvalid},
		{"geometry in another case", `{"type":"Feature","geometry":null,"Geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}`, `"Geometry"`,
			`member "Geometry" differs from "geometry" only in case`, ErrInvalid},
		{"escaped duplicate coordinates", feat(`{"type":"Point","coordinates":[1,2],"co\u006frdinates":[3,4]}`), `"co\u006f`,
			`duplicate member "coordinates"`, ErrInvalid},
		{"feature is null", `null`, "null", "expected a Feature object, found null", ErrInvalid},
		{"feature is a geometry", `{"type":"Point","coordinates":[1,2]}`, `"Point"`, `"features" must hold Feature objects, found type "Point"`, ErrInvalid},
		{"feature without type", `{"geometry":null,"properties":{}}`, `{"geometry"`, `object has no "type" member`, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := "{\"type\":\"FeatureCollection\",\"features\":[\n" + fA + ",\n"
			in := head + tt.bad + ",\n" + fB + "\n]}"
			h := &handler{badNil: true}
			out, err := rewrite(in, h, nil)
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if want := "{\"type\":\"FeatureCollection\",\"features\":[\n" + fA + ",\n" + fB + "\n]}"; out != want {
				t.Errorf("output:\ngot  %s\nwant %s", out, want)
			}
			if len(h.recs) != 2 {
				t.Errorf("got %d records, want 2", len(h.recs))
			}
			if len(h.bad) != 1 {
				t.Fatalf("Bad called %d times, want 1", len(h.bad))
			}
			pe := h.bad[0]
			k := strings.Index(tt.bad, tt.marker)
			if k < 0 {
				t.Fatalf("marker %q not in %q", tt.marker, tt.bad)
			}
			if pe.Line != 3 || pe.Column != k+1 || pe.Offset != int64(len(head)+k) {
				t.Errorf("location %d:%d @%d, want 3:%d @%d", pe.Line, pe.Column, pe.Offset, k+1, len(head)+k)
			}
			if want := "geojson: feature 1: " + tt.want; !strings.HasPrefix(pe.Err.Error(), want) {
				t.Errorf("error %q, want %q...", pe.Err, want)
			}
			if !errors.Is(pe, tt.is) {
				t.Errorf("error %v does not match %v", pe, tt.is)
			}

			// A handler whose Bad returns the error stops there.
			_, err = rewrite(in, &handler{}, nil)
			if !errors.Is(err, tt.is) || err.Error() != pe.Error() {
				t.Errorf("with Bad returning it: err = %v, want %v", err, pe)
			}
		})
	}
}

func TestBadSingle(t *testing.T) {
	in := `{"type":"Point","coordinates":[1,100]}` + "\n"
	h := &handler{badNil: true}
	out, err := rewrite(in, h, nil)
	if err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	if want := `{"type":"FeatureCollection","features":[]}` + "\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if len(h.bad) != 1 || !errors.Is(h.bad[0], format.ErrRange) {
		t.Errorf("Bad calls: %v", h.bad)
	}
}

func TestDepth(t *testing.T) {
	nest := func(n int) string {
		return `{"type":"Feature","geometry":null,"properties":{"deep":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}}`
	}
	// The top-level object is depth 1, "features" 2, a feature 3, its
	// properties 4: a property value may add MaxDepth-4 levels.
	for _, tt := range []struct {
		name string
		n    int
		ok   bool
	}{
		{"at the limit", MaxDepth - 4, true},
		{"one too deep", MaxDepth - 3, false},
		{"far too deep", 100000, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"type":"FeatureCollection","features":[` + nest(tt.n) + `]}`
			out, err := rewrite(in, &handler{}, nil)
			if tt.ok {
				if err != nil || out != in {
					t.Errorf("err = %v, output same = %v", err, out == in)
				}
				return
			}
			var pe *format.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrDepth) {
				t.Fatalf("err = %v, want ErrDepth", err)
			}
			if want := 40 + len(`{"type":"Feature","geometry":null,"properties":{"deep":`) + MaxDepth - 4 + 1; pe.Column != want {
				t.Errorf("column %d, want %d", pe.Column, want)
			}
		})
	}
}

func TestMaxRecordBytes(t *testing.T) {
	big := `{"type":"Feature","geometry":null,"properties":{"x":"` + strings.Repeat("a", 200<<10) + `"}}`
	tests := []struct {
		name string
		in   string
	}{
		{"feature", "{\"type\":\"FeatureCollection\",\"features\":[\n" + fA + ",\n" + big + "]}"},
		{"single", "\n" + big},
		{"line", fA + "\n" + big + "\n"},
		{"text sequence", "\x1e" + fA + "\n\x1e" + big + "\n"},
		{"head", `{"type":"FeatureCollection","x":"` + strings.Repeat("a", 200<<10) + `","features":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rewrite(tt.in, &handler{}, &format.Options{Name: "in", MaxRecordBytes: 100 << 10})
			var pe *format.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, format.ErrTooLong) {
				t.Fatalf("err = %v, want ErrTooLong", err)
			}
			if !strings.Contains(err.Error(), "longer than 102400 bytes") {
				t.Errorf("err = %v", err)
			}
			if _, err := rewrite(tt.in, &handler{}, nil); err != nil {
				t.Errorf("with the default limit: %v", err)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, file, head string
		want             bool
	}{
		{"FeatureCollection", "x.txt", `{"type":"FeatureCollection","features":[]}`, true},
		{"BOM and white space", "-", "\xef\xbb\xbf \n {\"type\": \"Point\"}", true},
		{"text sequence", "-", "\x1e{", true},
		{"object without type, .geojson", "a/b.GeoJSON", `{"features":[]}`, true},
		{"object without type, .ndjson", "b.ndjson", `{"x":1}`, true},
		{"object without type, .json", `c:\d\e.json`, " {", true},
		{"object without type, other extension", "b.txt", `{"features":[]}`, false},
		{"object without type, no extension", "geojson", `{"features":[]}`, false},
		{"CSV", "b.csv", "lat,lon,type\n1,2,\"type\"\n", false},
		{"CSV with .json name", "b.json", "lat,lon\n1,2\n", false},
		{"XML", "b.geojson", `<?xml version="1.0"?><gpx "type">`, false},
		{"empty", "b.geojson", "", false},
		{"array", "b.json", `[{"type":"Feature"}]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Codec{}).Detect(tt.file, []byte(tt.head)); got != tt.want {
				t.Errorf("Detect(%q, %q) = %v, want %v", tt.file, tt.head, got, tt.want)
			}
		})
	}
	if n := (Codec{}).Name(); n != "geojson" {
		t.Errorf("Name() = %q", n)
	}
}

func TestReaders(t *testing.T) {
	in := "{\"type\":\"FeatureCollection\",\"bbox\":[0,0,9,9],\"features\":[\n" + fA + ",\n" + fB + ",\n" + fC + "\n],\"x\":\"\\u00e9\"}\n"
	readers := []struct {
		name string
		r    func(io.Reader) io.Reader
	}{
		{"one byte", iotest.OneByteReader},
		{"half", iotest.HalfReader},
		{"data with EOF", iotest.DataErrReader},
	}
	for _, rd := range readers {
		t.Run(rd.name, func(t *testing.T) {
			var out strings.Builder
			h := &handler{edit: func(i int, _ *geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: i == 1} }}
			err := Codec{}.Rewrite(context.Background(), rd.r(strings.NewReader(in)), &out, h, &format.Options{Name: "in"})
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			// The collection's bbox is the extent of what remains.
			want := strings.Replace(strings.Replace(in, fB+",\n", "", 1), "[0,0,9,9]", "[1, 2, 1, 2]", 1)
			if out.String() != want {
				t.Errorf("output:\ngot  %q\nwant %q", out.String(), want)
			}
			// The collection's bbox is not the extent of its
			// features: a fourth record, its corners, at its line.
			if len(h.recs) != 4 || h.recs[2].Ref.Line != 4 || h.recs[3].Ref.Line != 1 || h.recs[3].Ref.Feature != -1 {
				t.Errorf("records: %v", h.recs)
			}
		})
	}
}

func TestIOErrors(t *testing.T) {
	boom := errors.New("boom")
	t.Run("read error", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader(`{"type":"FeatureCollection","features":[`+fA), iotest.ErrReader(boom))
		err := Codec{}.Rewrite(context.Background(), r, nil, &handler{}, &format.Options{Name: "in"})
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want boom", err)
		}
		var pe *format.ParseError
		if errors.As(err, &pe) {
			t.Errorf("a read error is not a parse error: %v", err)
		}
	})
	t.Run("read error after single object", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader(fA), iotest.ErrReader(boom))
		err := Codec{}.Rewrite(context.Background(), r, nil, &handler{}, &format.Options{Name: "in"})
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want boom", err)
		}
	})
	t.Run("write error", func(t *testing.T) {
		in := `{"type":"FeatureCollection","features":[` + strings.Repeat(fA+",", 5000) + fA + `]}`
		err := Codec{}.Rewrite(context.Background(), strings.NewReader(in), errWriter{}, &handler{}, &format.Options{Name: "in"})
		if !errors.Is(err, io.ErrShortWrite) {
			t.Errorf("err = %v, want ErrShortWrite", err)
		}
	})
	t.Run("context canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		h := &handler{edit: func(int, *geowarden.Record) geowarden.Edit {
			n++
			if n == 10 {
				cancel()
			}
			return geowarden.Keep
		}}
		in := `{"type":"FeatureCollection","features":[` + strings.Repeat(fA+",", 3000) + fA + `]}`
		err := Codec{}.Rewrite(ctx, strings.NewReader(in), nil, h, nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if n > 1100 {
			t.Errorf("read %d records after cancel", n)
		}
	})
}

func TestAllocs(t *testing.T) {
	in := benchInput(2000)
	h := &formattest.KeepAll{}
	allocs := testing.AllocsPerRun(5, func() {
		if err := (Codec{}).Rewrite(context.Background(), strings.NewReader(in), io.Discard, h, nil); err != nil {
			t.Fatal(err)
		}
	})
	if per := allocs / 2000; per > 0.5 {
		t.Errorf("%.2f allocations per feature, want at most 0.5", per)
	}
}

func TestEditsWithColumns(t *testing.T) {
	in := `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"uploader":"u","device":"d","when":"2024-01-01T00:00:00Z","h":12.5,"x":1}}`
	opts := &format.Options{Name: "in", Columns: map[string]string{"source": "Uploader", "time": "when", "alt": "h"}}
	h := &handler{edit: func(int, *geowarden.Record) geowarden.Edit {
		return geowarden.Edit{Strip: []string{"source"}, Retime: true, Time: mustTime("2025-01-01T00:00:00Z")}
	}}
	out, err := rewrite(in, h, opts)
	if err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	if want := `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"when":"2025-01-01T00:00:00Z","h":12.5,"x":1}}`; out != want {
		t.Errorf("output:\ngot  %s\nwant %s", out, want)
	}
	r := h.recs[0]
	if r.Source != "u" || !r.HasAlt || r.Alt != 12.5 || !r.Time.Equal(mustTime("2024-01-01T00:00:00Z")) {
		t.Errorf("record %v", r)
	}
}

// genReader produces a FeatureCollection of n features without holding it.
type genReader struct {
	n, i int
	buf  []byte
	done bool
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.done:
			return 0, io.EOF
		case g.i == 0 && g.buf == nil:
			g.buf = []byte(`{"type":"FeatureCollection","features":[` + "\n")
		case g.i < g.n:
			g.buf = g.buf[:0]
			if g.i > 0 {
				g.buf = append(g.buf, ",\n"...)
			}
			g.buf = append(g.buf, `{"type":"Feature","properties":{"i":`...)
			g.buf = strconv.AppendInt(g.buf, int64(g.i), 10)
			g.buf = append(g.buf, `,"pad":"`...)
			g.buf = append(g.buf, strings.Repeat("x", 100)...)
			g.buf = append(g.buf, `"},"geometry":{"type":"Point","coordinates":[1.5,2.5]}}`...)
			g.i++
		default:
			g.buf = append(g.buf[:0], "\n]}\n"...)
			g.done = true
		}
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// countingWriter counts bytes and keeps nothing.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func TestStreaming(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 50 MB")
	}
	const n = 300000
	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	w := &countingWriter{}
	count := 0
	err := Codec{}.Rewrite(context.Background(), &genReader{n: n}, w, recordFunc(func(r *geowarden.Record) geowarden.Edit {
		if count%50000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		count++
		return geowarden.Edit{Drop: count%2 == 0}
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Errorf("%d records, want %d", count, n)
	}
	if peak > 4<<20 {
		t.Errorf("live heap reached %d KB while streaming %d MB", peak>>10, w.n>>19)
	}
	t.Logf("wrote %d bytes, live heap at most %d KB", w.n, peak>>10)
}

// recordFunc is a handler from a function; it refuses bad records.
type recordFunc func(*geowarden.Record) geowarden.Edit

func (f recordFunc) Record(r *geowarden.Record) geowarden.Edit { return f(r) }
func (recordFunc) Bad(err *format.ParseError) error            { return err }
