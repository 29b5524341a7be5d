package kmlzone

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/zone"
)

func pt(lon, lat float64) geowarden.Point { return geowarden.Point{Lon: lon, Lat: lat} }

func TestLoadFeatures(t *testing.T) {
	set, err := LoadFile("testdata/features.kml")
	if err != nil {
		t.Fatal(err)
	}
	want := []*zone.Zone{
		{ID: "depot-1", Name: "Depot", Class: "military", Set: "features", Geometry: zone.Area,
			Polygons: [][][]geowarden.Point{{
				{pt(10, 50), pt(10.1, 50), pt(10.1, 50.1), pt(10, 50.1), pt(10, 50)},
				{pt(10.04, 50.04), pt(10.06, 50.04), pt(10.06, 50.06), pt(10.04, 50.06), pt(10.04, 50.04)}, // closed for the zone
			}}},
		{ID: "features#1", Name: "Twin sites", Class: "energy", Set: "features", Geometry: zone.Area, BufferM: 200,
			Polygons: [][][]geowarden.Point{
				{{pt(11, 50), pt(11.01, 50), pt(11.01, 50.01), pt(11, 50.01), pt(11, 50)}},
				{{pt(11.1, 50), pt(11.11, 50), pt(11.11, 50.01), pt(11.1, 50.01), pt(11.1, 50)}},
			}},
		{ID: "features#2", Name: "Airfield photo", Class: "airport", Set: "features", Geometry: zone.Area,
			Polygons: [][][]geowarden.Point{{{pt(12, 51), pt(12.1, 51), pt(12.1, 51.1), pt(12, 51.1), pt(12, 51)}}}},
		{ID: "features#3", Name: "Main line", Class: "rail", Set: "features", Geometry: zone.Corridor, BufferM: 50,
			Lines: [][]geowarden.Point{{pt(13, 50), pt(13.1, 50.05), pt(13.2, 50.05)}}},
		{ID: "features#4", Name: "Recorded corridor", Class: "rail", Set: "features", Geometry: zone.Corridor, BufferM: 30,
			Lines: [][]geowarden.Point{{pt(14, 50), pt(14.01, 50.01), pt(14.02, 50.01)}}},
		{ID: "features#5", Name: "Mast", Class: "telecom", Set: "features", Geometry: zone.Circle, BufferM: 150.5,
			Points: []geowarden.Point{pt(15, 50)}},
		{ID: "features#6", Name: "features#6", Class: "custom", Set: "features", Geometry: zone.Circle, BufferM: 100,
			Points: []geowarden.Point{pt(16, 50), pt(16.1, 50)}},
	}
	if len(set.Zones) != len(want) {
		t.Fatalf("%d zones, want %d", len(set.Zones), len(want))
	}
	for i, w := range want {
		if g := set.Zones[i]; !reflect.DeepEqual(g, w) {
			t.Errorf("zone %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	// The hole is a hole.
	ix := zone.NewIndex(set)
	if got := ix.Contains(pt(10.05, 50.05), nil); len(got) != 0 {
		t.Errorf("zones in the depot's hole: %v, want none", got)
	}
	if got := ix.Contains(pt(10.02, 50.02), nil); len(got) != 1 {
		t.Errorf("zones in the depot: %v, want one", got)
	}
}

// TestSameAsGeoJSON loads zone files that GDAL's ogr2ogr converted from
// GeoJSON to KML (OSM-derived Malta zones: military areas, railways,
// masts), and the GeoJSON they came from: the zones are the same.
func TestSameAsGeoJSON(t *testing.T) {
	for _, name := range []string{"malta_protected_zones", "malta_railways", "malta_masts_antennas"} {
		t.Run(name, func(t *testing.T) {
			want, err := zone.LoadFile(filepath.Join("testdata", name+".geojson"))
			if err != nil {
				t.Fatal(err)
			}
			files := []string{name + ".kml"}
			if name == "malta_protected_zones" {
				files = append(files, name+".kmz")
			}
			for _, f := range files {
				got, err := LoadFile(filepath.Join("testdata", f))
				if err != nil {
					t.Fatal(err)
				}
				compareSets(t, f, got, want)
			}
		})
	}
}

func compareSets(t *testing.T, what string, got, want *zone.Set) {
	t.Helper()
	if got.ID != want.ID {
		t.Errorf("%s: set id %q, want %q", what, got.ID, want.ID)
	}
	if len(got.Zones) != len(want.Zones) {
		t.Fatalf("%s: %d zones, want %d", what, len(got.Zones), len(want.Zones))
	}
	for i := range want.Zones {
		g, w := *got.Zones[i], *want.Zones[i]
		if g.Name == g.ID && w.Name == w.ID {
			g.Name, w.Name = "", "" // both unnamed
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: zone %d:\n got %+v\nwant %+v", what, i, g, w)
		}
	}
}

// TestOGRConversion converts the GeoJSON files to KML again with the
// installed ogr2ogr and loads the result.
func TestOGRConversion(t *testing.T) {
	ogr := formattest.Tool(t, "ogr2ogr")
	for _, name := range []string{"malta_protected_zones", "malta_railways", "malta_masts_antennas"} {
		src := filepath.Join("testdata", name+".geojson")
		out := filepath.Join(t.TempDir(), name+".kml")
		if b, err := exec.Command(ogr, "-f", "KML", out, src).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr: %v\n%s", err, b)
		}
		want, err := zone.LoadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := LoadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		compareSets(t, out, got, want)
	}
}

func TestGzip(t *testing.T) {
	raw, err := os.ReadFile("testdata/features.kml")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	path := filepath.Join(t.TempDir(), "features.kml.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if !Detect(path, buf.Bytes()) {
		t.Error("Detect(features.kml.gz) = false")
	}
	got, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := LoadFile("testdata/features.kml")
	compareSets(t, "features.kml.gz", got, want)
}

func TestDetect(t *testing.T) {
	kmz, _ := os.ReadFile("testdata/malta_protected_zones.kmz")
	tests := []struct {
		name string
		head []byte
		want bool
	}{
		{"a.kml", []byte(`<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2">`), true},
		{"noext", []byte(`<kml>`), true},
		{"a.kmz", kmz, true},
		{"a.zip", kmz, true}, // its first member is a .kml
		{"a.geojson", []byte(`{"type":"FeatureCollection"}`), false},
		{"a.gpx", []byte(`<?xml version="1.0"?><gpx version="1.1">`), false},
		{"a.kml.gz", []byte{0x1f, 0x8b, 0, 0}, false},
	}
	for _, tt := range tests {
		if got := Detect(tt.name, tt.head); got != tt.want {
			t.Errorf("Detect(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func kmlDoc(placemarks string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
` + placemarks + `
</Document></kml>
`
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, doc, err string
	}{
		{"line without buffer", kmlDoc(`<Placemark><name>L</name><LineString><coordinates>1,2 3,4</coordinates></LineString></Placemark>`),
			`x.kml:3: feature 0 (id "x#0"): a line zone needs a positive buffer_m`},
		{"point without buffer", kmlDoc(`<Placemark><Point><coordinates>1,2</coordinates></Point></Placemark>`),
			"a point zone needs a positive buffer_m"},
		{"bad buffer", kmlDoc(`<Placemark><ExtendedData><Data name="buffer_m"><value>wide</value></Data></ExtendedData><Point><coordinates>1,2</coordinates></Point></Placemark>`),
			`buffer_m "wide" is not a number`},
		{"negative buffer", kmlDoc(`<Placemark><ExtendedData><Data name="buffer_m"><value>-5</value></Data></ExtendedData><Point><coordinates>1,2</coordinates></Point></Placemark>`),
			"buffer_m -5 must be a finite number >= 0"},
		{"NaN buffer", kmlDoc(`<Placemark><ExtendedData><Data name="buffer_m"><value>NaN</value></Data></ExtendedData><Point><coordinates>1,2</coordinates></Point></Placemark>`),
			`buffer_m "NaN" is not a number`},
		{"mixed", kmlDoc(`<Placemark><ExtendedData><Data name="buffer_m"><value>5</value></Data></ExtendedData><MultiGeometry><Point><coordinates>1,2</coordinates></Point><LineString><coordinates>1,2 3,4</coordinates></LineString></MultiGeometry></Placemark>`),
			"geometry mixes 0 polygons, 1 lines and 1 points"},
		{"no geometry", kmlDoc(`<Placemark><name>Nothing</name></Placemark>`),
			`feature 0 (id "x#0"): no geometry`},
		{"crossing ring", kmlDoc(`<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 2,2 2,0 0,2 0,0</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>`),
			"polygon 0 ring 0 crosses itself"},
		{"duplicate id", kmlDoc(`<Placemark><ExtendedData><Data name="id"><value>a</value></Data><Data name="buffer_m"><value>5</value></Data></ExtendedData><Point><coordinates>1,2</coordinates></Point></Placemark>
<Placemark><ExtendedData><Data name="id"><value>a</value></Data><Data name="buffer_m"><value>5</value></Data></ExtendedData><Point><coordinates>1,3</coordinates></Point></Placemark>`),
			`id "a" is already used`},
		{"network link", kmlDoc(`<NetworkLink><name>more</name><Link><href>http://example.com/z.kml</href></Link></NetworkLink>`),
			"x.kml:3: NetworkLink \"more\" loads \"http://example.com/z.kml\""},
		{"empty document", kmlDoc(``), "no Placemark with a geometry"},
		{"out of range", kmlDoc(`<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 200,0 2,2 0,0</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>`),
			"x.kml:3:67: kml: feature 0: coordinate out of range"},
		{"malformed", kmlDoc(`<Placemark><name>A</Placemark>`), "x.kml:3:19: kml: expected </name>"},
		{"not kml", `{"type":"FeatureCollection","features":[]}`, "not KML or KMZ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(context.Background(), "x.kml", "x", strings.NewReader(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("Read error = %v, want one containing %q", err, tt.err)
			}
			if !strings.HasPrefix(err.Error(), "kmlzone: x.kml") {
				t.Errorf("error %q does not start with kmlzone: and the file's name", err)
			}
		})
	}
}

func TestKMZErrors(t *testing.T) {
	kmz, err := os.ReadFile("testdata/malta_protected_zones.kmz")
	if err != nil {
		t.Fatal(err)
	}
	broken := slices.Clone(kmz[:len(kmz)-30])
	_, err = Read(context.Background(), "x.kmz", "x", bytes.NewReader(broken))
	if err == nil || !strings.Contains(err.Error(), "x.kmz") {
		t.Errorf("truncated KMZ: error %v, want one naming x.kmz", err)
	}
}
