package cli_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A circle of 1 km around (10, 50) and a corridor along lon 11 from lat 49.9 to 50.1.
const testZones = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"site","class":"military","buffer_m":1000},"geometry":{"type":"Point","coordinates":[10,50]}},
{"type":"Feature","properties":{"id":"line","class":"rail","buffer_m":200},"geometry":{"type":"LineString","coordinates":[[11,49.9],[11,50.1]]}}
]}`

func TestCLIVersion(t *testing.T) {
	r := gw(t, "", "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "geowarden ") {
		t.Errorf("version: exit %d, output %q", r.code, r.stdout)
	}
}

func TestCLIMalformed(t *testing.T) {
	dir := t.TempDir()
	zones := write(t, dir, "zones.geojson", testZones)
	cases := []struct {
		name, file, content, want string
	}{
		{"csv bad latitude", "bad.csv", "id,lat,lon\n1,50.5,10.5\n2,abc,10.5\n3,50.6,10.6\n", "bad.csv:3"},
		{"csv out of range", "range.csv", "id,lat,lon\n1,50.5,10.5\n2,95,10.5\n", "range.csv:3"},
		{"csv NaN", "nan.csv", "id,lat,lon\n1,NaN,10.5\n", "nan.csv:2"},
		{"csv unterminated quote", "quote.csv", "id,lat,lon\n1,50.5,10.5\n\"2,50.5,10.5\n", "quote.csv:3"},
		{"geojson syntax", "bad.geojson", "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[10,50]}},\n{\"type\":\"Feature\",,}\n]}\n", "bad.geojson:3"},
		{"geojson truncated", "trunc.geojson", "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[10,5", "trunc.geojson"},
		{"geojson bad coordinate", "coord.geojson", "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[10,500]}}\n]}\n", "coord.geojson"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := write(t, dir, c.file, c.content)
			r := gw(t, "", "scan", "--zones", zones, in)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("scan: exit %d (want 2), stderr %q (want it to name %q)", r.code, r.stderr, c.want)
			}
			out := filepath.Join(dir, "out-"+c.file)
			r = gw(t, "", "sanitize", "--zones", zones, "-o", out, in)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("sanitize: exit %d (want 2), stderr %q (want it to name %q)", r.code, r.stderr, c.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("sanitize left something at %s", out)
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if strings.Contains(e.Name(), ".geowarden-") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

func TestCLIKeepGoing(t *testing.T) {
	dir := t.TempDir()
	zones := write(t, dir, "zones.geojson", testZones)
	in := write(t, dir, "mixed.csv", "id,lat,lon\n1,50,10\n2,abc,10.5\n3,45,3\n")
	r := gw(t, "", "scan", "--keep-going", "--zones", zones, "--format", "ndjson", in)
	if r.code != 1 {
		t.Fatalf("scan --keep-going: exit %d, want 1 (one finding); %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "mixed.csv:3") || !strings.Contains(r.stderr, "1 record(s) could not be parsed") {
		t.Errorf("scan --keep-going stderr does not report the bad record: %q", r.stderr)
	}
	out := filepath.Join(dir, "clean.csv")
	r = gw(t, "", "sanitize", "--keep-going", "--zones", zones, "-o", out, in)
	if r.code != 0 {
		t.Fatalf("sanitize --keep-going: exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(out)
	if want := "id,lat,lon\n3,45,3\n"; string(got) != want {
		t.Errorf("sanitize --keep-going wrote %q, want %q", got, want)
	}
}

func TestCLIFailOn(t *testing.T) {
	dir := t.TempDir()
	zones := write(t, dir, "zones.geojson", testZones)
	in := write(t, dir, "in.csv", "id,lat,lon\n1,50,10\n")
	for _, c := range []struct {
		failOn string
		want   int
	}{{"info", 1}, {"high", 1}, {"critical", 0}, {"never", 0}} {
		if r := gw(t, "", "scan", "--zones", zones, "--fail-on", c.failOn, in); r.code != c.want {
			t.Errorf("--fail-on %s: exit %d, want %d", c.failOn, r.code, c.want)
		}
	}
	if r := gw(t, "", "scan", "--fail-on", "bogus", in); r.code != 2 {
		t.Errorf("--fail-on bogus: exit %d, want 2", r.code)
	}
}

func TestCLIStdin(t *testing.T) {
	dir := t.TempDir()
	zones := write(t, dir, "zones.geojson", testZones)
	r := gw(t, "id,lat,lon\n1,50,10\n2,45,3\n", "scan", "--zones", zones, "--format", "ndjson", "-")
	if r.code != 1 || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, `"line":2`) {
		t.Errorf("scan -: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestCLIPolicyActions runs a policy with every record action through
// sanitize and checks the exact output.
func TestCLIPolicyActions(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "zones.geojson", testZones)
	write(t, dir, "key.txt", "0123456789abcdef0123\n")
	pol := write(t, dir, "policy.yml", `
zones:
  - file: zones.geojson
signals:
  - id: gsm-r
    bands: ["921-925 MHz"]
rules:
  - id: military
    when: { zone_class: military }
    action: drop
    severity: critical
  - id: gsm-r
    when: { signal: gsm-r }
    action: drop
    severity: high
  - id: hide-ssid
    when: { kind: wifi }
    action: { strip: [ssid] }
  - id: devices
    when: { attr: { device: [phone-1] } }
    action: { pseudonymise: [device] }
  - id: precision
    action: { coarsen: { grid: 1000m, time: 1h } }
pseudonymise_key: { file: key.txt }
`)
	if r := gw(t, "", "check", pol); r.code != 0 || !strings.Contains(r.stdout, "ok: 5 rule(s)") {
		t.Fatalf("check: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	in := write(t, dir, "in.csv", strings.Join([]string{
		"device,lat,lon,time,freq_mhz,ssid",
		"phone-1,50.0001,10.0001,2024-05-01T10:00:00Z,,",      // in the site: dropped
		"phone-1,48.2,9.1,2024-05-01T10:00:00Z,,",             // pseudonymised
		"phone-2,48.2,9.1,2024-05-01T10:00:00Z,922.4,",        // GSM-R: dropped
		"phone-2,48.1234567,9.7654321,2024-05-01T10:47:13Z,,", // coarsened
		"phone-2,48.2,9.1,2024-05-01T10:00:00Z,,home-net",     // ssid stripped
	}, "\n")+"\n")
	out := filepath.Join(dir, "out.csv")
	findings := filepath.Join(dir, "findings.ndjson")
	report := filepath.Join(dir, "report.json")
	r := gw(t, "", "sanitize", "--policy", pol, "--findings", findings, "--report", report, "-o", out, in)
	if r.code != 0 {
		t.Fatalf("sanitize: exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("sanitized output has %d lines, want 4:\n%s", len(lines), got)
	}
	if lines[0] != "device,lat,lon,time,freq_mhz,ssid" {
		t.Errorf("header changed: %q", lines[0])
	}
	if strings.Contains(lines[1], "phone-1") || !strings.HasSuffix(lines[1], ",48.2,9.1,2024-05-01T10:00:00Z,,") || len(strings.Split(lines[1], ",")[0]) != 32 {
		t.Errorf("pseudonymised line = %q", lines[1])
	}
	f := strings.Split(lines[2], ",")
	if f[0] != "phone-2" || f[1] == "48.1234567" || f[2] == "9.7654321" || f[3] != "2024-05-01T10:00:00Z" {
		t.Errorf("coarsened line = %q (want position snapped to 1 km, time to the hour)", lines[2])
	}
	if lines[3] != "phone-2,48.2,9.1,2024-05-01T10:00:00Z,," {
		t.Errorf("stripped line = %q", lines[3])
	}
	fb, _ := os.ReadFile(findings)
	if n := strings.Count(string(fb), "\n"); n != 2 {
		t.Errorf("findings file has %d lines, want 2 (military, gsm-r):\n%s", n, fb)
	}
	var rep struct {
		Stats struct{ Records, Kept, Modified, Dropped int } `json:"stats"`
	}
	rb, _ := os.ReadFile(report)
	if err := json.Unmarshal(rb, &rep); err != nil || rep.Stats.Records != 5 || rep.Stats.Dropped != 2 || rep.Stats.Modified != 3 {
		t.Errorf("report = %s (err %v), want 5 records, 2 dropped, 3 modified", rb, err)
	}
	// The sanitized output passes the same policy clean.
	if r := gw(t, "", "scan", "--policy", pol, out); r.code != 0 {
		t.Errorf("re-scan: exit %d: %s", r.code, r.stdout)
	}
	// Without the key the policy cannot run.
	os.Remove(filepath.Join(dir, "key.txt"))
	if r := gw(t, "", "sanitize", "--policy", pol, "-o", out+"2", in); r.code != 2 || !strings.Contains(r.stderr, "key") {
		t.Errorf("missing key: exit %d, %s", r.code, r.stderr)
	}
}

func TestCLIBlock(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "zones.geojson", testZones)
	pol := write(t, dir, "policy.yml", "zones: [{file: zones.geojson}]\nrules:\n  - id: no-site-data\n    when: {zone: site}\n    action: block\n    severity: critical\n")
	in := write(t, dir, "in.csv", "lat,lon\n45,3\n50,10\n")
	out := filepath.Join(dir, "out.csv")
	r := gw(t, "", "sanitize", "--policy", pol, "-o", out, in)
	if r.code != 1 || !strings.Contains(r.stderr, "no-site-data") {
		t.Errorf("blocked sanitize: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("blocked sanitize wrote an output")
	}
}

func TestCLIBadPolicy(t *testing.T) {
	dir := t.TempDir()
	pol := write(t, dir, "policy.yml", "rules:\n  - id: a\n    acton: drop\n")
	r := gw(t, "", "check", pol)
	if r.code != 2 || !strings.Contains(r.stderr, "policy.yml:3") {
		t.Errorf("check of a bad policy: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := gw(t, "", "check", "default"); r.code != 0 {
		t.Errorf("check default: exit %d: %s", r.code, r.stderr)
	}
}

// TestCLIGeoJSONShapes: a line through the site is cut, a polygon touching
// the corridor is dropped whole, a point outside is kept byte for byte.
func TestCLIGeoJSONShapes(t *testing.T) {
	dir := t.TempDir()
	zones := write(t, dir, "zones.geojson", testZones)
	keep := `{"type":"Feature","properties":{"name":"far"},"geometry":{"type":"Point","coordinates":[ 3.0, 45.0 ]}}`
	in := write(t, dir, "in.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"track"},"geometry":{"type":"LineString","coordinates":[[9.95,50],[10.05,50]]}},
{"type":"Feature","properties":{"name":"field"},"geometry":{"type":"Polygon","coordinates":[[[10.99,50],[11.2,50],[11.2,50.05],[10.99,50.05],[10.99,50]]]}},
`+keep+`
]}
`)
	out := filepath.Join(dir, "out.geojson")
	r := gw(t, "", "sanitize", "--zones", zones, "--findings", filepath.Join(dir, "f.ndjson"), "-o", out, in)
	if r.code != 0 {
		t.Fatalf("sanitize: exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(out)
	if !strings.Contains(string(got), keep) {
		t.Errorf("kept feature not byte for byte in output:\n%s", got)
	}
	var fc struct {
		Features []struct {
			Properties map[string]string `json:"properties"`
			Geometry   struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(got, &fc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	if len(fc.Features) != 2 {
		t.Fatalf("%d features, want 2 (cut track, far point):\n%s", len(fc.Features), got)
	}
	tr := fc.Features[0]
	if tr.Properties["name"] != "track" || tr.Geometry.Type != "MultiLineString" {
		t.Fatalf("first feature = %s %s, want the track cut into a MultiLineString", tr.Properties["name"], tr.Geometry.Type)
	}
	var parts [][][2]float64
	json.Unmarshal(tr.Geometry.Coordinates, &parts)
	// The site is 1 km around (10, 50): at lat 50 that is ±0.013987° of longitude.
	if len(parts) != 2 || parts[0][1][0] > 10-0.01398 || parts[1][0][0] < 10+0.01398 {
		t.Errorf("cut parts = %v, want two parts ending just outside lon 10±0.013987", parts)
	}
	// The output re-scans clean.
	if r := gw(t, "", "scan", "--zones", zones, out); r.code != 0 {
		t.Errorf("re-scan: exit %d: %s", r.code, r.stdout)
	}
}

func TestCLIFolder(t *testing.T) {
	dir := t.TempDir()
	zones := write(t, dir, "zones.geojson", testZones)
	in := filepath.Join(dir, "in")
	write(t, in, "a/one.csv", "lat,lon\n50,10\n45,3\n")
	write(t, in, "b/two.geojson", `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[3,45]}}`+"\n")
	write(t, in, "notes.txt", "nothing to see\n")
	out := filepath.Join(dir, "out")
	r := gw(t, "", "sanitize", "--zones", zones, "-o", out, in)
	if r.code != 0 {
		t.Fatalf("sanitize folder: exit %d: %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "a/one.csv")); string(b) != "lat,lon\n45,3\n" {
		t.Errorf("a/one.csv = %q", b)
	}
	if _, err := os.Stat(filepath.Join(out, "b/two.geojson")); err != nil {
		t.Error(err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "notes.txt")); string(b) != "nothing to see\n" {
		t.Errorf("notes.txt, text that no codec reads, copied as %q", b)
	}
	if !strings.Contains(r.stderr, "skipped "+filepath.Join(in, "notes.txt")+": holds no records") {
		t.Errorf("notes.txt not listed: %s", r.stderr)
	}
	// A bad file anywhere in the folder leaves no output folder at all.
	write(t, in, "c/bad.csv", "lat,lon\n1,x\n")
	out2 := filepath.Join(dir, "out2")
	if r := gw(t, "", "sanitize", "--zones", zones, "-o", out2, in); r.code != 2 {
		t.Errorf("folder with a bad file: exit %d, want 2", r.code)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Error("failed folder sanitize left an output folder")
	}
	// Scan of the folder reports the skipped file and the finding.
	r = gw(t, "", "scan", "--zones", zones, "--keep-going", filepath.Join(in, "a"), filepath.Join(in, "b"))
	if r.code != 1 {
		t.Errorf("scan folder: exit %d, want 1: %s", r.code, r.stderr)
	}
}

func TestCLIGzip(t *testing.T) {
	dir := t.TempDir()
	zones := write(t, dir, "zones.geojson", testZones)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("lat,lon\n50,10\n45,3\n"))
	zw.Close()
	in := write(t, dir, "in.csv.gz", buf.String())
	out := filepath.Join(dir, "out.csv.gz")
	if r := gw(t, "", "sanitize", "--zones", zones, "-o", out, in); r.code != 0 {
		t.Fatalf("sanitize: exit %d: %s", r.code, r.stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("output is not gzip: %v", err)
	}
	got, _ := io.ReadAll(zr)
	if string(got) != "lat,lon\n45,3\n" {
		t.Errorf("decompressed output = %q", got)
	}
}

// TestCLIBinaryPolicy: binary frames in an NMEA log are removed by
// default, since geowarden cannot read the positions they carry, and kept
// with "binary: keep".
func TestCLIBinaryPolicy(t *testing.T) {
	in := "../../format/nmea/testdata/gpsd/binary-or-mixed/ac12_binary.log"
	src, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out.log")
	r := gw(t, "", "sanitize", "--findings", filepath.Join(dir, "f.ndjson"), "-o", out, in)
	if r.code != 0 {
		t.Fatalf("sanitize: exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(out)
	if len(got) >= len(src) || bytes.ContainsAny(got, "\x00\x01\x02\x03\x10") {
		t.Errorf("binary data not removed: %d bytes in, %d out", len(src), len(got))
	}
	if f, _ := os.ReadFile(filepath.Join(dir, "f.ndjson")); !bytes.Contains(f, []byte(`"rule":"notice:binary","action":"drop"`)) {
		t.Errorf("binary data not reported as dropped: %s", f)
	}
	pol := write(t, dir, "keep.yml", "binary: keep\ndefault: keep\n")
	r = gw(t, "", "sanitize", "--policy", pol, "-o", out+".kept", in)
	if r.code != 0 {
		t.Fatalf("sanitize with binary: keep: exit %d: %s", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(out + ".kept"); !bytes.Equal(got, src) {
		t.Errorf("binary: keep changed the log (%d bytes in, %d out)", len(src), len(got))
	}
}

// TestCLIHEIC: a HEIC photo is reported by scan and refused by sanitize,
// alone or in a folder, never passed as clean.
func TestCLIHEIC(t *testing.T) {
	heic, err := os.ReadFile("../../format/jpeg/testdata/exif-samples/IMG_5195-head8k.HEIC")
	if err != nil {
		t.Fatal(err)
	}
	jpg, err := os.ReadFile("../../format/jpeg/testdata/acceptance/jpeg-set/photos/DSCN0029.jpg")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	write(t, in, "a.heic", string(heic))
	write(t, in, "b.jpg", string(jpg))
	r := gw(t, "", "scan", "--format", "ndjson", filepath.Join(in, "a.heic"))
	if r.code != 1 || !strings.Contains(r.stdout, `"rule":"notice:unsupported"`) {
		t.Errorf("scan of a HEIC: exit %d, %s", r.code, r.stdout)
	}
	r = gw(t, "", "sanitize", "-o", filepath.Join(dir, "one.heic"), filepath.Join(in, "a.heic"))
	if r.code != 2 {
		t.Errorf("sanitize of a HEIC: exit %d, want 2", r.code)
	}
	// In a folder, a file a codec recognises and then refuses is an error
	// of the run, not a skip: nothing is written.
	out := filepath.Join(dir, "out")
	r = gw(t, "", "sanitize", "-o", out, in)
	if r.code != 2 || !strings.Contains(r.stderr, "a.heic") {
		t.Fatalf("sanitize of a folder with a HEIC: exit %d, want 2 naming a.heic: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("the output folder was made")
	}
}

// TestCLICheckExport: check validates the export section with the file
// and line of the error, says which export rules are in effect, and every
// command refuses a policy whose export section is wrong.
func TestCLICheckExport(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.yml", "default: keep\nexport:\n  home: [de]\n  rules:\n    - name: embargo\n      destinations: [KP, IR]\n      action: refuse\n    - name: rest\n      action: review\n")
	if r := gw(t, "", "check", good); r.code != 0 || !strings.Contains(r.stdout, "2 export rule(s)") {
		t.Errorf("check of a good export section: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := gw(t, "", "check", "default"); r.code != 0 || !strings.Contains(r.stdout, "built-in export rules") {
		t.Errorf("check default: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	bad := write(t, dir, "bad.yml", "default: keep\nexport:\n  rules:\n    - name: abroad\n      destinations: [DE, XK]\n      action: review\n")
	want := `bad.yml:5: export rule "abroad": destinations[1]: "XK" is not an assigned ISO 3166-1 country code, nor any, home or foreign`
	if r := gw(t, "", "check", bad); r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Errorf("check of a bad export section: exit %d, stderr %q, want %q", r.code, r.stderr, want)
	}
	csv := write(t, dir, "in.csv", "lat,lon\n48.1,11.5\n")
	if r := gw(t, "", "scan", "--policy", bad, csv); r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Errorf("scan with a bad export section: exit %d, stderr %q", r.code, r.stderr)
	}
}
