package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/internal/cli"
	"github.com/geowarden/geowarden/report/html/browsertest"
)

// TestCLIDetectFixedSite runs detect on a real G-NetTrack log of a phone
// left logging for 17 minutes about 1 km from a zone: with fixed_site's
// min_duration lowered to 10 minutes it alerts, with the default of 2 h it
// does not.
func TestCLIDetectFixedSite(t *testing.T) {
	dir := "testdata/detect"
	r := gw(t, "", "detect", "--policy", filepath.Join(dir, "policy.yml"), "--format", "ndjson", filepath.Join(dir, "gnettrack-static.csv"))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", r.code, r.stderr)
	}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	var alerts []map[string]any
	for sc.Scan() {
		var a map[string]any
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		alerts = append(alerts, a)
	}
	if len(alerts) != 1 {
		t.Fatalf("%d alerts, want 1:\n%s", len(alerts), r.stdout)
	}
	a := alerts[0]
	for _, k := range []string{"detector", "sources", "zone", "start", "end", "score", "severity", "reason", "evidence", "fingerprint"} {
		if _, ok := a[k]; !ok {
			t.Errorf("alert has no %q: %v", k, a)
		}
	}
	if a["detector"] != "fixed_site" || a["zone"] != "mast-1" || a["start"] != "2020-02-14T13:21:26Z" {
		t.Errorf("alert %v", a)
	}
	ev := a["evidence"].(map[string]any)
	if d := ev["zone_distance_m"].(float64); d < 850 || d > 950 {
		t.Errorf("distance to the zone %.0f m, want about 900 (1 km to the centre, 100 m radius)", d)
	}
	if srcs := a["sources"].([]any); len(srcs) != 1 || !strings.HasSuffix(srcs[0].(string), "gnettrack-static.csv") {
		t.Errorf("sources %v, want the file", srcs)
	}

	// --source-by dir names the folder instead.
	r = gw(t, "", "detect", "--policy", filepath.Join(dir, "policy.yml"), "--source-by", "dir", "--format", "json", filepath.Join(dir, "gnettrack-static.csv"))
	var rep struct {
		Alerts []struct {
			Sources []string `json:"sources"`
		} `json:"alerts"`
		Summary struct {
			Records int `json:"records"`
			Sources int `json:"sources"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("json report: %v\n%s", err, r.stdout)
	}
	if len(rep.Alerts) != 1 || rep.Alerts[0].Sources[0] != "detect" || rep.Summary.Records != 1013 || rep.Summary.Sources != 1 {
		t.Errorf("json report %+v", rep)
	}

	// Defaults: a 17-minute stay is not a fixed-site capture.
	r = gw(t, "", "detect", "--zones", filepath.Join(dir, "site.geojson"), filepath.Join(dir, "gnettrack-static.csv"))
	if r.code != 0 || !strings.Contains(r.stdout, "0 alert(s)") {
		t.Errorf("defaults: exit %d, stdout %s", r.code, r.stdout)
	}
}

// TestCLIDetectProtectedSignal reads records from standard input: one
// source logs GSM-R frequencies, another the GSM-900 channel just above.
func TestCLIDetectProtectedSignal(t *testing.T) {
	in := "source,time,lat,lon,radio,mcc,mnc,cell,freq_mhz\n" +
		"survey-7,2026-05-01T10:00:00Z,48.1,11.5,GSM,262,10,101,922.4\n" +
		"phone-1,2026-05-01T10:00:01Z,48.1,11.5,GSM,262,1,102,925.4\n" +
		"survey-7,2026-05-01T10:00:05Z,48.1,11.5,GSM,262,10,101,923.0\n"
	r := gw(t, in, "detect", "--policy", "testdata/detect/policy.yml", "--format", "json", "-")
	var rep struct {
		Alerts []struct {
			Detector string   `json:"detector"`
			Sources  []string `json:"sources"`
			Evidence struct {
				Records int       `json:"records"`
				Freq    []float64 `json:"freq_mhz"`
			} `json:"evidence"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("json report: %v\n%s%s", err, r.stdout, r.stderr)
	}
	if r.code != 1 || len(rep.Alerts) != 1 || rep.Alerts[0].Detector != "protected_signal" ||
		rep.Alerts[0].Sources[0] != "survey-7" || rep.Alerts[0].Evidence.Records != 2 {
		t.Errorf("exit %d, alerts %+v", r.code, rep.Alerts)
	}
}

func TestCLIDetectErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("version: 1\ndefault: keep\ndetect:\n  corridor:\n    min_distance: far\n"), 0o644)
	r := gw(t, "", "detect", "--policy", bad, "testdata/detect/gnettrack-static.csv")
	if r.code != 2 || !strings.Contains(r.stderr, "bad.yml:5") || !strings.Contains(r.stderr, "detect.corridor.min_distance") {
		t.Errorf("bad setting: exit %d, stderr %q", r.code, r.stderr)
	}
	os.WriteFile(bad, []byte("version: 1\ndefault: keep\ndetect:\n  corridors: {}\n"), 0o644)
	r = gw(t, "", "detect", "--policy", bad, "testdata/detect/gnettrack-static.csv")
	if r.code != 2 || !strings.Contains(r.stderr, "corridors") {
		t.Errorf("unknown detector: exit %d, stderr %q", r.code, r.stderr)
	}
	// A malformed record stops the run: no alerts from half the data.
	csv := filepath.Join(dir, "broken.csv")
	os.WriteFile(csv, []byte("source,time,lat,lon\na,2026-01-01T00:00:00Z,48.1,11.5\nb,2026-01-01T00:00:01Z,north,11.5\n"), 0o644)
	r = gw(t, "", "detect", "--format", "ndjson", csv)
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "broken.csv:3") {
		t.Errorf("malformed record: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = gw(t, "", "detect", "--source-by", "device", csv)
	if r.code != 2 || !strings.Contains(r.stderr, "--source-by") {
		t.Errorf("bad --source-by: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestCLIDetectSuppress accepts known alerts by baseline and ignore file,
// as scan accepts known findings.
func TestCLIDetectSuppress(t *testing.T) {
	dir := t.TempDir()
	policy, _ := filepath.Abs("testdata/detect/policy.yml")
	log, _ := filepath.Abs("testdata/detect/gnettrack-static.csv")
	r := gwDir(t, dir, "", "detect", "--policy", policy, "--format", "json", "-o", "base.json", log)
	if r.code != 1 {
		t.Fatalf("first run: exit %d, stderr %s", r.code, r.stderr)
	}
	var rep struct {
		Alerts []struct {
			Fingerprint string          `json:"fingerprint"`
			Suppressed  json.RawMessage `json:"suppressed"`
		} `json:"alerts"`
		Summary struct {
			Alerts     int `json:"alerts"`
			Suppressed *struct {
				Total int `json:"total"`
			} `json:"suppressed"`
		} `json:"summary"`
	}
	r = gwDir(t, dir, "", "detect", "--policy", policy, "--format", "json", "--baseline", "base.json", log)
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if r.code != 0 || len(rep.Alerts) != 0 || rep.Summary.Suppressed == nil || rep.Summary.Suppressed.Total != 1 {
		t.Fatalf("with the baseline: exit %d, %s", r.code, r.stdout)
	}
	// The ignore file, listed with --show-suppressed; then expired.
	b, _ := os.ReadFile(filepath.Join(dir, "base.json"))
	json.Unmarshal(b, &rep)
	fp := rep.Alerts[0].Fingerprint
	os.WriteFile(filepath.Join(dir, ".geowardenignore"), []byte(fp+" expires=2999-12-31 # survey approved\n"), 0o644)
	r = gwDir(t, dir, "", "detect", "--policy", policy, "--format", "json", "--show-suppressed", log)
	rep.Alerts = nil
	json.Unmarshal([]byte(r.stdout), &rep)
	if r.code != 0 || len(rep.Alerts) != 1 || rep.Alerts[0].Suppressed == nil || rep.Summary.Alerts != 0 {
		t.Errorf("ignored, shown: exit %d, %s", r.code, r.stdout)
	}
	os.WriteFile(filepath.Join(dir, ".geowardenignore"), []byte(fp+" expires=2020-01-31 # survey approved\n"), 0o644)
	r = gwDir(t, dir, "", "detect", "--policy", policy, log)
	if r.code != 1 || !strings.Contains(r.stderr, "expired") {
		t.Errorf("expired ignore: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestDetectHTMLReport writes detect's alerts on the real G-NetTrack log
// as an HTML page and opens it in headless Chromium: the page shows and
// draws the one alert, both zones of the policy, and logs no error.
func TestDetectHTMLReport(t *testing.T) {
	browsertest.Chromium(t)
	out := filepath.Join(t.TempDir(), "alerts.html")
	var stdout, stderr bytes.Buffer
	code := cli.Main([]string{"detect", "--policy", "testdata/detect/policy.yml", "--format", "html", "-o", out, "testdata/detect/gnettrack-static.csv"}, nil, &stdout, &stderr)
	if code != cli.ExitFindings {
		t.Fatalf("detect --format html: exit %d: %s", code, stderr.String())
	}
	page := browsertest.Open(t, out, 1200, 900)
	if got := page.Body("itemsShown"); got != "1" {
		t.Errorf("page shows %s alerts, want 1", got)
	}
	if got := page.Body("mapDrawn"); got != "1" {
		t.Errorf("map draws %s alerts, want 1", got)
	}
	if got := page.Body("zones"); got != "2" {
		t.Errorf("page has %s zones, want 2", got)
	}
	if got := page.Eval(`document.body.innerText.includes("fixed_site") ? "yes" : "no"`); got != "yes" {
		t.Error("the page does not name the fixed_site detector")
	}
	page.Screenshot("detect-gnettrack.png")
	if c := page.Console(); len(c) > 0 {
		t.Errorf("console errors: %v", c)
	}
	if r := page.Requests(); len(r) > 0 {
		t.Errorf("the page made requests: %v", r)
	}
}

// TestCLIDetectGeoLife runs detect on real GeoLife trajectories (plain GPS
// fixes) against the worst case: corridors drawn along each user's own
// longest track, which the users then follow day after day. With the
// defaults no corridor alert is raised, because they record no signals;
// letting plain fixes count (min_signal_share: 0) shows that the pattern
// is seen, and that the signal gate is what spares them.
func TestCLIDetectGeoLife(t *testing.T) {
	dir := t.TempDir()
	var feats []string
	for _, user := range []string{"000", "004"} {
		files, _ := filepath.Glob(filepath.Join("testdata/detect/geolife", user, "Trajectory", "*.plt"))
		var best []string
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")[6:]
			if len(lines) > len(best) {
				best = lines
			}
		}
		var coords []string
		for i := 0; i < len(best); i += 20 {
			p := strings.Split(strings.TrimSpace(best[i]), ",")
			coords = append(coords, "["+p[1]+","+p[0]+"]")
		}
		feats = append(feats, `{"type":"Feature","properties":{"id":"track-`+user+`","class":"rail","buffer_m":300},"geometry":{"type":"LineString","coordinates":[`+strings.Join(coords, ",")+`]}}`)
	}
	zones := filepath.Join(dir, "zones.geojson")
	os.WriteFile(zones, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(feats, ",")+`]}`), 0o644)

	r := gw(t, "", "detect", "--zones", zones, "--format", "json", "testdata/detect/geolife")
	var rep struct {
		Alerts []struct {
			Detector string   `json:"detector"`
			Sources  []string `json:"sources"`
		} `json:"alerts"`
		Summary struct {
			Files   int `json:"files"`
			Sources int `json:"sources"`
			Records int `json:"records"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v: %s %s", err, r.stdout, r.stderr)
	}
	if r.code != 0 || len(rep.Alerts) != 0 || rep.Summary.Sources != 2 || rep.Summary.Records < 7000 {
		t.Fatalf("defaults: exit %d, %+v", r.code, rep)
	}

	policy := filepath.Join(dir, "fixes.yml")
	os.WriteFile(policy, []byte("version: 1\nzones:\n  - file: zones.geojson\ndefault: keep\ndetect:\n  corridor:\n    min_signal_share: 0\n    min_distance: 5 km\n"), 0o644)
	r = gw(t, "", "detect", "--policy", policy, "--format", "json", "testdata/detect/geolife")
	rep.Alerts = nil
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v: %s %s", err, r.stdout, r.stderr)
	}
	corridor := 0
	for _, a := range rep.Alerts {
		if a.Detector == "corridor" {
			corridor++
		}
	}
	if corridor == 0 {
		t.Errorf("min_signal_share 0: no corridor alert for users following their own tracks: %s", r.stdout)
	}
}
