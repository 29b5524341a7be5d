package csv

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

func TestCoordNames(t *testing.T) {
	tests := []struct {
		name string
		want coordName
	}{
		{"dest_lat", coordName{axisLat, false, "dest|"}},
		{"destLat", coordName{axisLat, false, "dest|"}},
		{"DEST-LON", coordName{axisLon, false, "dest|"}},
		{"pickup_longitude", coordName{axisLon, false, "pickup|"}},
		{"start lng", coordName{axisLon, false, "start|"}},
		{"home.lat", coordName{axisLat, false, "home|"}},
		{"latitude_origin", coordName{axisLat, false, "|origin"}},
		{"lat1", coordName{axisLat, false, "|1"}},
		{"shape_pt_lon", coordName{axisLon, false, "shape_pt|"}},
		{"GPSLatitude", coordName{axisLat, false, "gps|"}},
		{"latitudeE7", coordName{axisLat, true, "||e7"}},
		{"latitudee7", coordName{axisLat, true, "||e7"}},
		{"lat_e7", coordName{axisLat, true, "||e7"}},
		{"destinationLongitudeE7", coordName{axisLon, true, "destination||e7"}},
		{"LATITUDE N/S", coordName{axisLat, false, "|n_s"}},
		{"x", coordName{axisLon, false, "xy"}},
		{" Y ", coordName{axisLat, false, "xy"}},
		{"latlon", coordName{}},
		{"lat_lon", coordName{}},
		{"plate", coordName{}},
		{"latency", coordName{}},
		{"along", coordName{}},
		{"dest_x", coordName{}},
		{"geometry", coordName{}},
	}
	for _, tt := range tests {
		if got := readCoordName(tt.name); got != tt.want {
			t.Errorf("readCoordName(%q) = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	for name, want := range map[string]bool{
		"wkt": true, "the_geom": true, "WKB_GEOMETRY": true, "geom4326": true, "geom_4326": true,
		"startGeom": true, "geometry_type": false, "geom_id": false, "geography": true, "shape": false, "geometric_mean": false, "EWKT": true,
	} {
		if got := isGeometryName(name); got != want {
			t.Errorf("isGeometryName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestFindPairs(t *testing.T) {
	tests := []struct {
		header string
		want   string // pairs as "lat/lon[e7]" column numbers, or an error fragment
	}{
		{"lat,lon,dest_lat,dest_lon", "2/3"},
		{"dest_lon,dest_lat,lat,lon,home_lat,homeLng", "1/0 4/5"},
		{"lat,lon,start_lat,start_lng,end_lat,end_lng", "2/3 4/5"},
		{"latitudeE7,longitudeE7,accuracy", "0/1e7"},
		{"lat,lon,lat,lon", "2/3"},
		{"lat,lon,latitude,longitude,lat,lon", "2/3 4/5"},
		{"lat,lon,x,y", "3/2"},
		{"lat,lon,x", ""},
		{"lat,lon,lat_err", ""},         // a latitude alone is no position
		{"lat,lon,dest_lat,dest_x", ""}, // x counts only alone
		{"lat,lon,lat", `repeats the latitude column: "lat" (column 1) and "lat" (column 3)`},
		{"lat,lon,dest_lat,dest_lon,dest_lng", `"dest_lon" (column 4) and "dest_lng" (column 5)`},
	}
	for _, tt := range tests {
		names := strings.Split(tt.header, ",")
		lower := make([]string, len(names))
		for i, n := range names {
			lower[i] = strings.ToLower(n)
		}
		col, err := resolve(lower, names, nil)
		if err != nil {
			t.Fatal(err)
		}
		pairs, err := findPairs(names, col[format.RoleLat], col[format.RoleLon], make([]bool, len(names)))
		var got []string
		for _, p := range pairs {
			s := fmt.Sprintf("%d/%d", p.lat, p.lon)
			if p.e7 {
				s += "e7"
			}
			got = append(got, s)
		}
		if err != nil {
			got = []string{err.Error()}
		}
		if g := strings.Join(got, " "); !strings.Contains(g, tt.want) || tt.want == "" && g != "" {
			t.Errorf("%s: got %q, want %q", tt.header, g, tt.want)
		}
	}
}

func TestGeometryValues(t *testing.T) {
	tests := []struct {
		v    string
		want []geowarden.Point // nil: an error
		err  string
	}{
		{v: "POINT(14.4506 35.8506)", want: []geowarden.Point{{Lon: 14.4506, Lat: 35.8506}}},
		{v: " point z ( 14.4506  35.8506 12 ) ", want: []geowarden.Point{{Lon: 14.4506, Lat: 35.8506}}},
		{v: "SRID=4326;POINT(1 2)", want: []geowarden.Point{{Lon: 1, Lat: 2}}},
		{v: "POINT EMPTY", want: []geowarden.Point{}},
		{v: "LINESTRING(1 2,3 4, 5 6)", want: []geowarden.Point{{Lon: 1, Lat: 2}, {Lon: 3, Lat: 4}, {Lon: 5, Lat: 6}}},
		{v: "POLYGON((0 0,1 0,1 1,0 0),(0.2 0.2,0.3 0.2,0.2 0.3,0.2 0.2))", want: pts(0, 0, 1, 0, 1, 1, 0, 0, 0.2, 0.2, 0.3, 0.2, 0.2, 0.3, 0.2, 0.2)},
		{v: "MULTIPOINT(1 2,3 4)", want: pts(1, 2, 3, 4)},
		{v: "MULTIPOINT((1 2),(3 4))", want: pts(1, 2, 3, 4)},
		{v: "MULTILINESTRING((1 2,3 4),(5 6,7 8))", want: pts(1, 2, 3, 4, 5, 6, 7, 8)},
		{v: "MULTIPOLYGON(((0 0,1 0,1 1,0 0)),EMPTY)", want: pts(0, 0, 1, 0, 1, 1, 0, 0)},
		{v: "GEOMETRYCOLLECTION(POINT(1 2),LINESTRING ZM(3 4 5 6,7 8 9 10))", want: pts(1, 2, 3, 4, 7, 8)},
		{v: "0101000000bb270f0bb5e62c4022fdf675e0ec4140", want: []geowarden.Point{{Lon: 14.4506, Lat: 35.8506}}},
		{v: "0020000001000010E6402CE6B50B0F27BB4041ECE075F6FD22", want: []geowarden.Point{{Lon: 14.4506, Lat: 35.8506}}},
		{v: "0102000000020000000000000000002740cdcccccccc0c4840bb270f0bb5e62c4022fdf675e0ec4140", want: []geowarden.Point{{Lon: 11.5, Lat: 48.1}, {Lon: 14.4506, Lat: 35.8506}}},
		{v: "01ee0300000100000001eb0300000100000004000000e17a14ae47e12c40ec51b81e85eb4140000000000000f03fec51b81e85eb2c40ec51b81e85eb4140000000000000f03f6666666666e62c40ae47e17a14ee4140000000000000f03fe17a14ae47e12c40ec51b81e85eb4140000000000000f03f",
			want: pts(14.44, 35.84, 14.46, 35.84, 14.45, 35.86, 14.44, 35.84)},
		{v: "SRID=3857;POINT(1608000 4278000)", err: "not in WGS 84 (SRID 4326): SRID=3857"},
		{v: "0101000020110f0000000000004089384100000000bc515041", err: "SRID=3857"},
		{v: "POINT(200 10)", err: "longitude 200"},
		{v: "POINT(1 2", err: "want ',' or ')'"},
		{v: "POINT(1 2, 3 4)", err: "want ',' or ')'"},
		{v: "POINT(1)", err: "want two numbers"},
		{v: "POINT(a b)", err: "want a number"},
		{v: "POINT(1 2) x", err: "after the geometry"},
		{v: "LINESTRING(1 2,3 4", err: "want ',' or ')'"},
		{v: "POLYGON(1 2,3 4)", err: "want '('"},
		{v: "010200000002000000bb270f0bb5e62c4022fdf675e0ec4140", err: "2 points do not fit"},
		{v: "0101000000bb270f0bb5e62c4022fdf675e0ec414000", err: "bytes after the geometry"},
		{v: "0102000000ffffff7f" + strings.Repeat("0", 40), err: "do not fit"},
		{v: "0107000000010000000101000000bb270f0bb5e62c4022fdf675e0ec4140", want: []geowarden.Point{{Lon: 14.4506, Lat: 35.8506}}},
		{v: "01040000000100000001020000000100000000000000000000000000000000000000", err: "unexpected geometry type 2"},
	}
	for _, tt := range tests {
		k := sniffGeom([]byte(tt.v))
		var vs []vertex
		var err error
		switch k {
		case geomWKT:
			vs, err = parseWKT(trimBlank([]byte(tt.v)), nil)
		case geomWKB:
			vs, _, err = parseHexWKB([]byte(tt.v), nil, nil)
		default:
			t.Errorf("%s: not sniffed as a geometry", tt.v)
			continue
		}
		if tt.want == nil {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one with %q", tt.v, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.v, err)
			continue
		}
		got := []geowarden.Point{}
		for _, v := range vs {
			got = append(got, v.p)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\ngot  %v\nwant %v", tt.v, got, tt.want)
		}
	}
	for _, v := range []string{"", "Point of interest", "POINTLESS", "0102", "deadbeef", "12.5", "GEOMETRY"} {
		if k := sniffGeom([]byte(v)); k != geomNone {
			t.Errorf("sniffGeom(%q) = %d, want none", v, k)
		}
	}
}

func TestMoreRecords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		more [][]geowarden.Point
		text [][]geowarden.TextPos
		pos  []bool // whether each record has a Pos
	}{
		{
			name: "prefixed pairs and an E7 pair",
			in:   "lat,lon,dest_lat,dest_lon,homeLatitudeE7,homeLongitudeE7\n1,2,3,4,358506000,144506000\n1,2,,,,\n",
			more: [][]geowarden.Point{{{Lon: 4, Lat: 3}, {Lon: 14.4506, Lat: 35.8506}}, nil},
			text: [][]geowarden.TextPos{nil, nil},
			pos:  []bool{true, true},
		},
		{
			name: "no lat and lon columns: the first pair is the position",
			in:   "stop_id,stop_lat,stop_lon,end_lat,end_lon\na,35.7643,-5.8340,1,2\nb,,,3,4\n",
			more: [][]geowarden.Point{{{Lon: 2, Lat: 1}}, {{Lon: 4, Lat: 3}}},
			text: [][]geowarden.TextPos{nil, nil},
			pos:  []bool{true, false},
		},
		{
			name: "geometry columns only",
			in:   "id,WKT\n1,\"LINESTRING(1 2,3 4)\"\n2,\n",
			more: [][]geowarden.Point{{{Lon: 1, Lat: 2}, {Lon: 3, Lat: 4}}, nil},
			text: [][]geowarden.TextPos{nil, nil},
			pos:  []bool{false, false},
		},
		{
			name: "geometry values and text in other columns",
			in:   "lat,lon,note,blob\n1,2,\"seen at 35.8506, 14.4506\",0101000000bb270f0bb5e62c4022fdf675e0ec4140\n1,2,POINT(3 4),x\n",
			more: [][]geowarden.Point{{{Lon: 14.4506, Lat: 35.8506}}, {{Lon: 3, Lat: 4}}},
			text: [][]geowarden.TextPos{{
				{Pos: geowarden.Point{Lon: 14.4506, Lat: 35.8506}, Field: "note", Start: 8, End: 24},
				{Pos: geowarden.Point{Lon: 35.8506, Lat: 14.4506}, Field: "note", Start: 8, End: 24},
			}, nil},
			pos: []bool{true, true},
		},
		{
			name: "role columns are scanned, numbers and time are not",
			in:   "lat,lon,time,device,rsrp\n1,2,2020-01-02 03:04:05,\"35°51'02\"\"N 14°27'01\"\"E\",-100.125\n",
			more: [][]geowarden.Point{nil},
			text: [][]geowarden.TextPos{{{Pos: geowarden.Point{Lon: 14.450277777777776, Lat: 35.85055555555556}, Field: "device", Start: 0, End: 23}}},
			pos:  []bool{true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &testHandler{}
			out, err := rewrite(t, tt.in, h, &format.Options{Name: "t.csv"})
			if err != nil {
				t.Fatal(err)
			}
			if out != tt.in {
				t.Errorf("keep-all output differs:\n%s", out)
			}
			if len(h.recs) != len(tt.more) {
				t.Fatalf("%d records, want %d", len(h.recs), len(tt.more))
			}
			for i, r := range h.recs {
				if !reflect.DeepEqual(r.More, tt.more[i]) {
					t.Errorf("record %d: More %v, want %v", i, r.More, tt.more[i])
				}
				if !reflect.DeepEqual(r.Text, tt.text[i]) {
					t.Errorf("record %d: Text %+v, want %+v", i, r.Text, tt.text[i])
				}
				if got := r.Shape == geowarden.ShapePoint; got != tt.pos[i] {
					t.Errorf("record %d: has a position %v, want %v", i, got, tt.pos[i])
				}
			}
		})
	}
}

func TestMoreBadRows(t *testing.T) {
	tests := []struct {
		name, in string
		is       error
		want     string
	}{
		{"half a further pair", "lat,lon,dest_lat,dest_lon\n1,2,3,\n", ErrHalfPosition, `t.csv:2:7: csv: only one of latitude and longitude is set: column "dest_lon" is empty`},
		{"further pair not a number", "lat,lon,dest_lat,dest_lon\n1,2,x,4\n", format.ErrNaN, `t.csv:2:5: csv: column "dest_lat": value "x"`},
		{"further pair out of range", "lat,lon,dest_lat,dest_lon\n1,2,3,400\n", format.ErrRange, `column "dest_lon"`},
		{"E7 out of range", "latitudeE7,longitudeE7\n958506000,0\n", format.ErrRange, `column "latitudeE7"`},
		{"geometry column not a geometry", "lat,lon,geom\n1,2,hello\n", nil, `t.csv:2:5: csv: column "geom": value "hello" is not WKT, EWKT or hex WKB`},
		{"geometry column with a bad WKT", "lat,lon,geom\n1,2,POINT(1 2\n", nil, `column "geom": csv: WKT at byte 9`},
		{"another SRID", "lat,lon,geom\n1,2,SRID=3857;POINT(1 2)\n", errSRID, `column "geom"`},
		{"another SRID in a free column", "lat,lon,shape\n1,2,0101000020110f0000000000004089384100000000bc515041\n", errSRID, `t.csv:2:5: csv: column "shape"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &testHandler{bad: dropBad}
			out, err := rewrite(t, tt.in, h, &format.Options{Name: "t.csv"})
			if err != nil {
				t.Fatal(err)
			}
			if len(h.bads) != 1 || len(h.recs) != 0 {
				t.Fatalf("%d bad rows and %d records, want 1 and 0", len(h.bads), len(h.recs))
			}
			if strings.Count(out, "\n") != 1 {
				t.Errorf("the bad row is not left out: %q", out)
			}
			e := h.bads[0]
			if tt.is != nil && !errors.Is(e, tt.is) {
				t.Errorf("%v does not wrap %v", e, tt.is)
			}
			if !strings.Contains(e.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", e, tt.want)
			}
		})
	}
}

// TestMoreEdits checks that an edit's More and Redact are written into
// the cells they were read from, in their style, and nothing else changes.
func TestMoreEdits(t *testing.T) {
	// move doubles each further position's coordinates' distance from
	// (0, 0) by adding a fixed offset.
	move := func(r *geowarden.Record) geowarden.Edit {
		more := make([]geowarden.Point, len(r.More))
		for i, p := range r.More {
			more[i] = geowarden.Point{Lon: p.Lon + 0.25, Lat: p.Lat - 0.5}
		}
		e := geowarden.Edit{Move: true, Pos: r.Pos, More: more}
		for i := range r.Text {
			e.Redact = append(e.Redact, i)
		}
		return e
	}
	tests := []struct {
		name, in, want string
	}{
		{
			"pairs keep their decimals and E7 stays integer",
			"lat,lon,dest_lat,dest_lon,home_latE7,home_lonE7\n1.5,2.5,35.850600,14.4506,358506000,144506000\n",
			"lat,lon,dest_lat,dest_lon,home_latE7,home_lonE7\n1.5,2.5,35.350600,14.7006,353506000,147006000\n",
		},
		{
			"decimal commas",
			"lat;lon;dest_lat;dest_lon\n1,5;2,5;\"35,8506\";14,45\n",
			"lat;lon;dest_lat;dest_lon\n1,5;2,5;\"35,3506\";14,70\n",
		},
		{
			"no position of its own",
			"lat,lon,dest_lat,dest_lon\n,,3,4\n",
			"lat,lon,dest_lat,dest_lon\n,,2.5,4.25\n",
		},
		{
			"WKT numbers rewritten in place",
			"lat,lon,wkt\n1,2,\"SRID=4326;LINESTRING Z (14.4506 35.8506 10, 1.000 2.000 20)\"\n",
			"lat,lon,wkt\n1,2,\"SRID=4326;LINESTRING Z (14.7006 35.3506 10, 1.250 1.500 20)\"\n",
		},
		{
			"WKB doubles rewritten in their byte order and case",
			"lat,lon,geom\n1,2,0020000001000010E6402CE6B50B0F27BB4041ECE075F6FD22\n",
			"lat,lon,geom\n1,2,0020000001000010E6402D66B50B0F27BB4041ACE075F6FD22\n",
		},
		{
			"text redacted in place, quoting kept valid",
			"lat,lon,note\n1,2,\"at 35.8506, 14.4506 and \"\"35.8501 14.4501\"\"\"\n1,2,x 35.8506;14.4506 y\n",
			"lat,lon,note\n1,2,\"at [position removed] and \"\"[position removed]\"\"\"\n1,2,x [position removed] y\n",
		},
		{
			"overlapping text positions redacted once",
			"lat,lon,note\n1,2,35.8501 14.4502 35.8503\n",
			"lat,lon,note\n1,2,[position removed]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := rewrite(t, tt.in, &testHandler{edit: move}, &format.Options{Name: "t.csv"})
			if err != nil {
				t.Fatal(err)
			}
			if out != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out, tt.want)
			}
			// The output reads back with the moved positions.
			h := &testHandler{}
			if _, err := rewrite(t, out, h, &format.Options{Name: "t.csv"}); err != nil {
				t.Fatal(err)
			}
			for _, r := range h.recs {
				if len(r.Text) > 0 {
					t.Errorf("text positions left: %+v", r.Text)
				}
			}
		})
	}

	// An edit with the wrong number of other positions is an error.
	_, err := rewrite(t, "lat,lon,dest_lat,dest_lon\n1,2,3,4\n", &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
		return geowarden.Edit{Move: true, Pos: r.Pos, More: []geowarden.Point{{}, {}}}
	}}, &format.Options{Name: "t.csv"})
	if err == nil || !strings.Contains(err.Error(), "edit gives 2 other positions, the record has 1") {
		t.Errorf("error %v", err)
	}
	// So is a position for a file with only geometry columns.
	_, err = rewrite(t, "id,wkt\n1,POINT(1 2)\n", &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
		return geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 1, Lat: 2}}
	}}, &format.Options{Name: "t.csv"})
	if err == nil || !strings.Contains(err.Error(), "t.csv:2: edit moves a record to a position, and the header has no columns for one") {
		t.Errorf("error %v", err)
	}
}

// pts makes points of longitude, latitude pairs.
func pts(lonLat ...float64) []geowarden.Point {
	var p []geowarden.Point
	for i := 0; i+1 < len(lonLat); i += 2 {
		p = append(p, geowarden.Point{Lon: lonLat[i], Lat: lonLat[i+1]})
	}
	return p
}
