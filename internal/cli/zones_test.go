package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Zone files of the zone packages' tests.
const (
	tinyOSM     = "../../zone/osm/testdata/tiny.osm"
	monacoPBF   = "../../zone/osm/testdata/monaco-latest.osm.pbf"
	featuresKML = "../../zone/kmlzone/testdata/features.kml"
	maltaKMZ    = "../../zone/kmlzone/testdata/malta_protected_zones.kmz"
)

var tinySelects = []string{"--select", "railway=rail", "--select", "railway=*", "--select", "military=*",
	"--select", "landuse=military", "--select", "aeroway=aerodrome", "--select", "power=*"}

type infoJSON struct {
	Format     string         `json:"format"`
	Set        string         `json:"set"`
	Version    int            `json:"version"`
	Size       int64          `json:"size"`
	Checksum   string         `json:"checksum"`
	Zones      int            `json:"zones"`
	Vertices   int            `json:"vertices"`
	Classes    map[string]int `json:"classes"`
	Geometries map[string]int `json:"geometries"`
	Extent     *[4]float64    `json:"extent"`
}

func zonesInfo(t *testing.T, file string) infoJSON {
	t.Helper()
	r := gw(t, "", "zones", "info", "--json", file)
	if r.code != 0 {
		t.Fatalf("zones info %s: exit %d: %s", file, r.code, r.stderr)
	}
	var info infoJSON
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
		t.Fatalf("zones info --json: %v\n%s", err, r.stdout)
	}
	return info
}

func TestZonesImportOSM(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "tiny.gwz")
	r := gw(t, "", append([]string{"zones", "import", tinyOSM, "-o", out}, tinySelects...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		`relation 202: military=* selects it, but a relation of type "site" is not an area`,
		"way 220: area ring crosses itself",
		"relation 201: no ring of the multipolygon closes; left out",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "13 zones (military 6, rail 4, energy 2, airport 1)") {
		t.Errorf("stdout = %q, want a summary of 13 zones", r.stdout)
	}
	info := zonesInfo(t, out)
	if info.Format != "gwz" || info.Version != 1 || info.Set != "tiny" || info.Zones != 13 || !strings.HasPrefix(info.Checksum, "crc32c:") {
		t.Errorf("info = %+v", info)
	}
	wantClasses := map[string]int{"military": 6, "rail": 4, "energy": 2, "airport": 1}
	for k, v := range wantClasses {
		if info.Classes[k] != v {
			t.Errorf("class %s: %d zones, want %d (%v)", k, info.Classes[k], v, info.Classes)
		}
	}
	wantGeom := map[string]int{"area": 6, "corridor": 5, "circle": 2}
	for k, v := range wantGeom {
		if info.Geometries[k] != v {
			t.Errorf("geometry %s: %d zones, want %d (%v)", k, info.Geometries[k], v, info.Geometries)
		}
	}
	st, _ := os.Stat(out)
	if info.Size != st.Size() {
		t.Errorf("size %d, file has %d bytes", info.Size, st.Size())
	}
	if e := info.Extent; e == nil || e[0] > 10 || e[0] < 9.99 || e[3] < 50.04 || e[3] > 50.05 {
		t.Errorf("extent %v", info.Extent)
	}

	// The compiled zones answer as OSM says: the hole of relation 200 is
	// not in it, its outer ring is.
	r = gw(t, "", "zones", "test", "--zones", out, "50.0115,10.0015")
	if r.code != 0 || !strings.Contains(r.stdout, "inside 0 zone(s)") || !strings.Contains(r.stdout, "near  osm-relation-200") {
		t.Errorf("in the hole: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = gw(t, "", "zones", "test", "--zones", out, "50.013,10.003")
	if r.code != 1 || !strings.Contains(r.stdout, "in    osm-relation-200") || !strings.Contains(r.stdout, "Base") {
		t.Errorf("in the outer ring: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestZonesImportMonaco(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "monaco.gwz")
	r := gw(t, "", "zones", "import", monacoPBF, "-o", out,
		"--select", "railway=rail", "--select", "landuse=military", "--select", "military=*", "--select", "aeroway=aerodrome",
		"--buffer", "railway=500", "--class", "military=defence")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	info := zonesInfo(t, out)
	if info.Zones != 12 || info.Classes["rail"] != 11 || info.Classes["defence"] != 1 || info.Geometries["corridor"] != 11 || info.Geometries["area"] != 1 {
		t.Errorf("info = %+v", info)
	}
	// On the railway; 400 m from it (inside the 500 m corridor).
	r = gw(t, "", "zones", "test", "--json", "--zones", out, "43.7415765,7.4228139")
	var ans struct {
		Inside []struct {
			ID, Class, Set string
			Distance       float64 `json:"distance_m"`
		} `json:"inside"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ans); err != nil || r.code != 1 {
		t.Fatalf("zones test: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if len(ans.Inside) == 0 || ans.Inside[0].Class != "rail" || ans.Inside[0].Set != "monaco" || ans.Inside[0].Distance < 499 || ans.Inside[0].Distance > 501 {
		t.Errorf("on the railway: %+v", ans)
	}
	// Inside the barracks.
	r = gw(t, "", "zones", "test", "--zones", out, "43.73645,7.41795")
	if r.code != 1 || !strings.Contains(r.stdout, "osm-way-94252428") || !strings.Contains(r.stdout, "defence") {
		t.Errorf("in the barracks: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestZonesImportMerge(t *testing.T) {
	dir := t.TempDir()
	gj := write(t, dir, "site.geojson", testZones)
	out := filepath.Join(dir, "all.gwz")
	r := gw(t, "", "zones", "import", gj, featuresKML, maltaKMZ, gj, "-o", out, "--set-id", "merged")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{`zone id "site" of ` + gj + ` is already used by ` + gj + `; renamed "site:site"`, `zone id "line"`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	info := zonesInfo(t, out)
	if info.Zones != 2+7+14+2 || info.Set != "merged" {
		t.Errorf("info = %+v", info)
	}
	r = gw(t, "", "zones", "test", "--zones", out, "50,10")
	if r.code != 1 || !strings.Contains(r.stdout, "in    site ") || !strings.Contains(r.stdout, "in    site:site") || !strings.Contains(r.stdout, "merged") {
		t.Errorf("zones test: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A compiled file is a source too, and --zones takes several files.
	again := filepath.Join(dir, "again.gwz")
	r = gw(t, "", "zones", "import", out, tinyOSM, "-o", again, "--select", "military=*")
	if r.code != 0 {
		t.Fatalf("import of a .gwz: exit %d: %s", r.code, r.stderr)
	}
	if info := zonesInfo(t, again); info.Zones != 25+2 || info.Set != "again" {
		t.Errorf("info = %+v", info)
	}
	r = gw(t, "", "zones", "test", "--zones", out, "--zones", gj, "50,10")
	if r.code != 1 || !strings.Contains(r.stdout, "inside 4 zone(s) of 27") {
		t.Errorf("zones test with two files: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestZonesImportErrors(t *testing.T) {
	dir := t.TempDir()
	gj := write(t, dir, "z.geojson", testZones)
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"no output", []string{gj}, "name the output with -o"},
		{"osm without select", []string{tinyOSM, "-o", "OUT"}, "is an OpenStreetMap extract: say what to take from it with --select"},
		{"select without osm", []string{gj, "-o", "OUT", "--select", "railway=rail"}, "no SRC is one"},
		{"bad select", []string{tinyOSM, "-o", "OUT", "--select", "railway="}, `--select "railway=": osm: selection "railway=": no value after '='`},
		{"buffer of no selection", []string{tinyOSM, "-o", "OUT", "--select", "railway=rail", "--buffer", "power=10"}, `no --select names the key "power"`},
		{"bad buffer", []string{tinyOSM, "-o", "OUT", "--select", "railway=rail", "--buffer", "railway=wide"}, `"wide" is not a number of metres`},
		{"bad class flag", []string{tinyOSM, "-o", "OUT", "--select", "railway=rail", "--class", "railway"}, "want KEY=VALUE"},
		{"strict", []string{tinyOSM, "-o", "OUT", "--strict", "--select", "military=*"}, "could not be made into zones as they are (--strict)"},
		{"missing source", []string{filepath.Join(dir, "nope.geojson"), "-o", "OUT"}, "no such file"},
		{"bad geojson", []string{write(t, dir, "bad.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}]}`), "-o", "OUT"}, "a line zone needs a positive buffer_m"},
		{"output folder missing", []string{gj, "-o", filepath.Join(dir, "no", "such", "dir", "z.gwz")}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.gwz")
			// An earlier output must survive a failed import untouched.
			if err := os.WriteFile(out, []byte("earlier"), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"zones", "import"}, tt.args...)
			for i, a := range args {
				if a == "OUT" {
					args[i] = out
				}
			}
			r := gw(t, "", args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.err) {
				t.Fatalf("exit %d, stderr %q; want exit 2 and %q", r.code, r.stderr, tt.err)
			}
			if b, _ := os.ReadFile(out); string(b) != "earlier" {
				t.Errorf("the earlier output was changed")
			}
			entries, _ := os.ReadDir(filepath.Dir(out))
			if len(entries) != 1 {
				t.Errorf("left behind in the output folder: %v", entries)
			}
		})
	}
}

// TestZonesImportEmpty: an extract without what is selected (Andorra has
// no railway, military area or aerodrome) gives an empty zone set, with a
// warning.
func TestZonesImportEmpty(t *testing.T) {
	out := filepath.Join(t.TempDir(), "none.gwz")
	r := gw(t, "", "zones", "import", tinyOSM, "-o", out, "--select", "shop=*")
	if r.code != 0 || !strings.Contains(r.stderr, "the sources hold no zone") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if info := zonesInfo(t, out); info.Zones != 0 || info.Extent != nil {
		t.Errorf("info = %+v", info)
	}
	r = gw(t, "", "zones", "test", "--zones", out, "50,10")
	if r.code != 0 || !strings.Contains(r.stdout, "inside 0 zone(s) of 0") {
		t.Errorf("zones test on an empty set: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestZonesInfo(t *testing.T) {
	dir := t.TempDir()
	gj := write(t, dir, "z.geojson", testZones)
	info := zonesInfo(t, gj)
	if info.Format != "geojson" || info.Set != "z" || info.Zones != 2 || info.Vertices != 3 ||
		info.Classes["military"] != 1 || info.Classes["rail"] != 1 || info.Geometries["circle"] != 1 || info.Geometries["corridor"] != 1 ||
		!strings.HasPrefix(info.Checksum, "sha256:") || info.Size != int64(len(testZones)) {
		t.Errorf("info = %+v", info)
	}
	// The extent holds the buffers: 1 km around (10, 50), 200 m around the line.
	if e := info.Extent; e == nil || e[0] > 9.9861 || e[0] < 9.985 || e[1] > 49.899 || e[2] < 11.002 || e[3] < 50.101 {
		t.Errorf("extent = %v", info.Extent)
	}
	r := gw(t, "", "zones", "info", featuresKML)
	if r.code != 0 || !strings.Contains(r.stdout, "format:     kml") || !strings.Contains(r.stdout, "zones:      7") {
		t.Errorf("zones info features.kml: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, bad := range []struct{ file, err string }{
		{write(t, dir, "bad.gwz", "\x89GWZ\r\n\x1a\ntruncated"), "gwz:"},
		{tinyOSM, "is an OpenStreetMap extract"},
		{filepath.Join(dir, "none.gwz"), "no such file"},
	} {
		r := gw(t, "", "zones", "info", bad.file)
		if r.code != 2 || !strings.Contains(r.stderr, bad.err) {
			t.Errorf("zones info %s: exit %d, stderr %q; want exit 2 and %q", bad.file, r.code, r.stderr, bad.err)
		}
	}
}

func TestZonesTest(t *testing.T) {
	dir := t.TempDir()
	gj := write(t, dir, "z.geojson", testZones)
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"inside the circle", []string{"--zones", gj, "50.001,10"}, 1, []string{"inside 1 zone(s) of 2", "in    site", "military", "(edge 888.8 m away)", "near  line"}},
		{"outside", []string{"--zones", gj, "50,10.5"}, 0, []string{"inside 0 zone(s) of 2", "near  line", "near  site"}},
		{"nearest one", []string{"--zones", gj, "--nearest", "1", "50,10.5"}, 0, []string{"near  site"}},
		{"kml zones", []string{"--zones", featuresKML, "50.05,10.02"}, 1, []string{"in    depot-1", "Depot"}},
		{"built-in zones", []string{"0,0"}, 0, []string{"inside 0 zone(s)", "near  "}},
		{"default policy", []string{"--policy", "default", "0,0"}, 0, []string{"inside 0 zone(s)"}},
		{"bad point", []string{"--zones", gj, "north,east"}, 2, nil},
		{"out of range", []string{"--zones", gj, "91,0"}, 2, nil},
		{"lon lat swapped hint", []string{"--zones", gj, "10"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gw(t, "", append([]string{"zones", "test"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			if tt.name == "nearest one" && strings.Contains(r.stdout, "near  line") {
				t.Errorf("--nearest 1 listed two zones:\n%s", r.stdout)
			}
			if tt.code == 2 && !strings.Contains(r.stderr, "want LAT,LON") && !strings.Contains(r.stderr, "latitude must be") {
				t.Errorf("stderr %q does not say what a point looks like", r.stderr)
			}
		})
	}
}
