package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// gwIn runs geowarden in the folder dir.
func gwIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return gwDir(t, dir, "", args...)
}

// copyFile copies a file of the repository into dir.
func copyFile(t *testing.T, src, dir, name string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, name, string(b))
}

// sarifSchema compiles the official SARIF 2.1.0 schema, asserting formats
// (uri, uri-reference, date-time) as well.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateSARIF(t *testing.T, s *jsonschema.Schema, out []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	return s.Validate(inst)
}

// ciFolder lays out a data folder with findings in CSV (lines), GeoJSON,
// a JPEG photo (a byte offset, no line) and a HEIC photo (a notice), and
// the zones that catch them.
func ciFolder(t *testing.T) string {
	dir := t.TempDir()
	write(t, dir, "zones.geojson", testZones)
	write(t, dir, "data/drive log.csv", "id,lat,lon,mcc,mnc\n1,50,10,262,1\n2,45,3,262,1\n3,50.001,10.001,262,2\n")
	write(t, dir, "data/points.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[11,50]}},
{"type":"Feature","properties":{"n":2},"geometry":{"type":"Point","coordinates":[3,45]}}
]}
`)
	write(t, dir, "world.geojson", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"photo-area","class":"custom"},"geometry":{"type":"Polygon","coordinates":[[[7,51],[8,51],[8,51.1],[7,51.1],[7,51]]]}}]}`)
	copyFile(t, "../../format/jpeg/testdata/exif-samples/67-0_length_string.jpg", dir, "data/photo.jpg")
	copyFile(t, "../../format/jpeg/testdata/exif-samples/IMG_5195-head8k.HEIC", dir, "data/phone.heic")
	return dir
}

type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name, Version, InformationURI string
				Rules                         []struct {
					ID, Name             string
					ShortDescription     struct{ Text string }
					FullDescription      struct{ Text string }
					Help                 struct{ Text string }
					DefaultConfiguration struct{ Level string }
					Properties           map[string]any
				}
			}
		}
		Invocations []struct {
			ExitCode                       int
			ExecutionSuccessful            bool
			ToolConfigurationNotifications []struct {
				Level   string
				Message struct{ Text string }
			}
		}
		Results []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           map[string]int
				}
			}
			PartialFingerprints map[string]string
			Suppressions        []struct{ Kind, Status, Justification string }
		}
		Properties struct {
			Geowarden struct {
				Findings   int
				Suppressed *struct{ Total int }
			}
		}
	}
}

// TestCLISARIF validates the SARIF of a real scan against the official
// schema, and checks what GitHub code scanning needs of it: relative
// forward-slash URIs, lines (or byte offsets), rules with descriptions,
// levels and security-severity, fingerprints, suppressions and the exit
// code.
func TestCLISARIF(t *testing.T) {
	schema := sarifSchema(t)
	dir := ciFolder(t)
	// One accepted finding (line 4 of the CSV), one expired entry.
	r := gwIn(t, dir, "scan", "-q", "--zones", "zones.geojson", "--zones", "world.geojson", "--format", "ndjson", "data")
	if r.code != 1 {
		t.Fatalf("scan: exit %d: %s", r.code, r.stderr)
	}
	var accept, expire string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var f struct {
			Line        int
			File        string
			Fingerprint string
		}
		json.Unmarshal([]byte(l), &f)
		switch {
		case f.File == filepath.Join("data", "drive log.csv") && f.Line == 4:
			accept = f.Fingerprint
		case f.File == filepath.Join("data", "points.geojson"):
			expire = f.Fingerprint
		}
	}
	write(t, dir, ".geowardenignore", accept+" expires=2999-12-31 # survey contractor, DPO ticket 4411\n"+expire+" expires=2001-01-01 # old\n")

	r = gwIn(t, dir, "scan", "--zones", "zones.geojson", "--zones", "world.geojson", "--format", "sarif", "--show-suppressed", "-o", "out.sarif", "data")
	if r.code != 1 {
		t.Fatalf("scan --format sarif: exit %d, want 1: %s", r.code, r.stderr)
	}
	out, err := os.ReadFile(filepath.Join(dir, "out.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if err := validateSARIF(t, schema, out); err != nil {
		t.Fatalf("SARIF output does not validate against the SARIF 2.1.0 schema:\n%v", err)
	}
	var doc sarifDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(doc.Runs))
	}
	run := doc.Runs[0]
	d := run.Tool.Driver
	if d.Name != "geowarden" || d.Version == "" || !strings.HasPrefix(d.InformationURI, "https://") {
		t.Errorf("driver %q %q %q", d.Name, d.Version, d.InformationURI)
	}
	if len(run.Invocations) != 1 || run.Invocations[0].ExitCode != 1 || !run.Invocations[0].ExecutionSuccessful {
		t.Errorf("invocations %+v, want one with exitCode 1, executionSuccessful", run.Invocations)
	}
	if n := run.Invocations[0].ToolConfigurationNotifications; len(n) != 1 || n[0].Level != "warning" || !strings.Contains(n[0].Message.Text, "expired on 2001-01-01") {
		t.Errorf("configuration notifications %+v, want the expired ignore entry", n)
	}
	for _, rule := range d.Rules {
		if rule.ID == "" || rule.Name == "" || rule.ShortDescription.Text == "" || !strings.Contains(rule.FullDescription.Text, "Action: ") || rule.Help.Text == "" {
			t.Errorf("rule %+v lacks an id, name, description or help", rule)
		}
		ss, _ := rule.Properties["security-severity"].(string)
		switch rule.ID {
		case "zones-zones", "zones-world":
			if rule.DefaultConfiguration.Level != "error" || ss != "8.0" {
				t.Errorf("rule %s: level %q, security-severity %q; want error, 8.0 (high)", rule.ID, rule.DefaultConfiguration.Level, ss)
			}
		case "notice:unsupported":
			if rule.DefaultConfiguration.Level != "note" || ss != "" {
				t.Errorf("rule %s: level %q, security-severity %q; want note and none", rule.ID, rule.DefaultConfiguration.Level, ss)
			}
		}
	}
	// csv: lines 2 and 4 (4 suppressed); geojson: feature 1 on line 2;
	// photo; HEIC notice.
	want := map[string]string{
		"data/drive%20log.csv:2": "zones-zones",
		"data/drive%20log.csv:4": "zones-zones suppressed",
		"data/points.geojson:2":  "zones-zones",
		"data/photo.jpg@0":       "zones-world",
		"data/phone.heic@0":      "notice:unsupported",
	}
	got := map[string]string{}
	for _, res := range run.Results {
		if res.RuleIndex < 0 || res.RuleIndex >= len(d.Rules) || d.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex %d does not name its rule", res.RuleID, res.RuleIndex)
		}
		if len(res.PartialFingerprints["geowardenFingerprint/v1"]) != 24 || res.Message.Text == "" {
			t.Errorf("result %+v: no fingerprint or message", res)
		}
		loc := res.Locations[0].PhysicalLocation
		al := loc.ArtifactLocation
		if al.URIBaseID != "%SRCROOT%" || strings.Contains(al.URI, `\`) || strings.HasPrefix(al.URI, "/") || strings.Contains(al.URI, ":") {
			t.Errorf("artifact location %+v: want a relative forward-slash URI under %%SRCROOT%%", al)
		}
		key := al.URI
		if l, ok := loc.Region["startLine"]; ok {
			key += ":" + itoa(l)
		} else if o, ok := loc.Region["byteOffset"]; ok {
			key += "@" + itoa(o)
		}
		val := res.RuleID
		if len(res.Suppressions) > 0 {
			s := res.Suppressions[0]
			if s.Kind != "external" || s.Status != "accepted" || !strings.Contains(s.Justification, "survey contractor, DPO ticket 4411") {
				t.Errorf("suppression %+v", s)
			}
			val += " suppressed"
		}
		got[key] = val
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("result at %s: %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("results %v, want %v", got, want)
	}
	if g := run.Properties.Geowarden; g.Suppressed == nil || g.Suppressed.Total != 1 || g.Findings != 4 {
		t.Errorf("run properties: %d findings, suppressed %+v; want 4 and 1", g.Findings, g.Suppressed)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestSARIFSchemaRejects: the schema check is strict, so that
// TestCLISARIF fails when the output breaks.
func TestSARIFSchemaRejects(t *testing.T) {
	schema := sarifSchema(t)
	good := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"geowarden"}},"results":[{"ruleId":"r","level":"error","message":{"text":"m"},
"locations":[{"physicalLocation":{"artifactLocation":{"uri":"data/a.csv"},"region":{"startLine":3}}}]}]}]}`
	if err := validateSARIF(t, schema, []byte(good)); err != nil {
		t.Fatalf("minimal log rejected: %v", err)
	}
	for name, bad := range map[string]string{
		"no message":     strings.Replace(good, `"message":{"text":"m"},`, "", 1),
		"bad level":      strings.Replace(good, `"level":"error"`, `"level":"high"`, 1),
		"line 0":         strings.Replace(good, `"startLine":3`, `"startLine":0`, 1),
		"unknown member": strings.Replace(good, `"ruleId":"r"`, `"ruleId":"r","fingerprint":"x"`, 1),
		"wrong version":  strings.Replace(good, `"2.1.0"`, `"2.0.0"`, 1),
		"schema not uri": strings.Replace(good, `{"version"`, `{"$schema":"sarif-2.1.0.json","version"`, 1),
		"kind unknown":   strings.Replace(good, `"ruleId":"r"`, `"ruleId":"r","kind":"finding"`, 1),
	} {
		if validateSARIF(t, schema, []byte(bad)) == nil {
			t.Errorf("%s: accepted by the schema", name)
		}
	}
}

// findingsOf parses ndjson findings into "file:line rule" keys, with
// " suppressed" for suppressed ones.
func findingsOf(t *testing.T, ndjson string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(ndjson))
	for sc.Scan() {
		var f struct {
			File       string
			Line       int
			Rule       string
			Suppressed *struct{ Kind, Reason string }
		}
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("bad ndjson line %q: %v", sc.Text(), err)
		}
		k := filepath.Base(f.File) + ":" + itoa(f.Line) + " " + f.Rule
		if f.Suppressed != nil {
			k += " suppressed:" + f.Suppressed.Kind
		}
		out = append(out, k)
	}
	return out
}

// TestCLIBaseline: a JSON report of a previous scan (or its NDJSON
// findings) accepts the findings it lists; a new finding, and a changed
// record at the same line, are reported; the exit code counts only what
// is reported.
func TestCLIBaseline(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "zones.geojson", testZones)
	write(t, dir, "log.csv", "id,lat,lon\n1,50,10\n2,45,3\n3,50.001,10.001\n")
	r := gwIn(t, dir, "scan", "--zones", "zones.geojson", "--format", "json", "-o", "baseline.json", "log.csv")
	if r.code != 1 {
		t.Fatalf("first scan: exit %d: %s", r.code, r.stderr)
	}
	r = gwIn(t, dir, "scan", "--zones", "zones.geojson", "--format", "ndjson", "-o", "baseline.ndjson", "log.csv")
	if r.code != 1 {
		t.Fatalf("first scan: exit %d: %s", r.code, r.stderr)
	}
	for _, base := range []string{"baseline.json", "baseline.ndjson"} {
		t.Run(base, func(t *testing.T) {
			write(t, dir, "log.csv", "id,lat,lon\n1,50,10\n2,45,3\n3,50.001,10.001\n")
			r := gwIn(t, dir, "scan", "--zones", "zones.geojson", "--baseline", base, "--format", "json", "log.csv")
			if r.code != 0 {
				t.Fatalf("same data against its baseline: exit %d, want 0: %s", r.code, r.stderr)
			}
			var rep struct {
				Findings []json.RawMessage
				Summary  struct {
					Suppressed struct{ Total, Baseline int }
				}
			}
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != 0 || rep.Summary.Suppressed.Total != 2 || rep.Summary.Suppressed.Baseline != 2 {
				t.Errorf("report %s, want no findings and 2 suppressed by baseline", r.stdout)
			}

			// Line 3 changes (a record moved, still inside the zone), a
			// new record at line 5.
			write(t, dir, "log.csv", "id,lat,lon\n1,50,10\n2,50.002,10.002\n3,50.001,10.001\n4,50.003,10\n")
			r = gwIn(t, dir, "scan", "--zones", "zones.geojson", "--baseline", base, "--format", "ndjson", "log.csv")
			got := findingsOf(t, r.stdout)
			if r.code != 1 || strings.Join(got, ",") != "log.csv:3 zones-zones,log.csv:5 zones-zones" {
				t.Errorf("changed data: exit %d, findings %v; want exit 1, lines 3 and 5", r.code, got)
			}
			// A record changed at line 2: the same line, another position.
			write(t, dir, "log.csv", "id,lat,lon\n1,50.0001,10\n2,45,3\n3,50.001,10.001\n")
			r = gwIn(t, dir, "scan", "--zones", "zones.geojson", "--baseline", base, "--format", "ndjson", "--show-suppressed", "log.csv")
			got = findingsOf(t, r.stdout)
			if r.code != 1 || strings.Join(got, ",") != "log.csv:2 zones-zones,log.csv:4 zones-zones suppressed:baseline" {
				t.Errorf("record changed at line 2: exit %d, findings %v; want it reported, line 4 suppressed", r.code, got)
			}
		})
	}
}

// TestCLIIgnoreScope: the fingerprint includes the rule, so accepting a
// finding does not hide a new finding at the same place under another
// rule.
func TestCLIIgnoreScope(t *testing.T) {
	dir := t.TempDir()
	// The same zone in two files: the same record matches rule
	// zones-site with one, zones-site2 with the other.
	write(t, dir, "site.geojson", testZones)
	write(t, dir, "site2.geojson", testZones)
	write(t, dir, "log.csv", "id,lat,lon\n1,50,10\n")
	r := gwIn(t, dir, "scan", "--zones", "site.geojson", "--format", "ndjson", "log.csv")
	var f struct{ Fingerprint, Rule string }
	if err := json.Unmarshal([]byte(r.stdout), &f); err != nil || f.Rule != "zones-site" {
		t.Fatalf("scan: %q, %v", r.stdout, err)
	}
	write(t, dir, ".geowardenignore", f.Fingerprint+"  # accepted under rule zones-site\n")
	if r := gwIn(t, dir, "scan", "--zones", "site.geojson", "log.csv"); r.code != 0 {
		t.Errorf("accepted finding: exit %d, want 0: %s", r.code, r.stdout)
	}
	r = gwIn(t, dir, "scan", "--zones", "site2.geojson", "--format", "ndjson", "log.csv")
	if got := findingsOf(t, r.stdout); r.code != 1 || len(got) != 1 || got[0] != "log.csv:2 zones-site2" {
		t.Errorf("same record, other rule: exit %d, findings %v; want it reported", r.code, got)
	}
}

// TestCLIIgnoreFile: .geowardenignore in the current folder (or
// --ignore-file) accepts findings with a reason; an expired entry
// suppresses nothing and is warned of; a malformed line is an error
// naming the file and line.
func TestCLIIgnoreFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "zones.geojson", testZones)
	write(t, dir, "log.csv", "id,lat,lon\n1,50,10\n2,45,3\n3,50.001,10.001\n")
	r := gwIn(t, dir, "scan", "--zones", "zones.geojson", "--format", "ndjson", "log.csv")
	var fps []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var f struct{ Fingerprint string }
		json.Unmarshal([]byte(l), &f)
		fps = append(fps, f.Fingerprint)
	}
	if len(fps) != 2 {
		t.Fatalf("want 2 findings, got %q", r.stdout)
	}
	write(t, dir, ".geowardenignore", "# accepted\n"+fps[0]+"  expires=2999-01-31  # survey contractor, approved by DPO ticket 4411\n\n"+fps[1]+" expires=2020-06-30 # trial\n")

	t.Run("table", func(t *testing.T) {
		r := gwIn(t, dir, "scan", "--zones", "zones.geojson", "log.csv")
		if r.code != 1 {
			t.Errorf("exit %d, want 1: the expired entry's finding counts", r.code)
		}
		for _, w := range []string{"1 finding(s) (1 high)", "1 finding(s) suppressed (0 by baseline, 1 by ignore file)", "expired: .geowardenignore:4: ignore entry " + fps[1] + " expired on 2020-06-30 (trial); its finding is reported again"} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("table output lacks %q:\n%s", w, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "log.csv:2 ") || !strings.Contains(r.stdout, "log.csv:4 ") {
			t.Errorf("table lists the wrong findings:\n%s", r.stdout)
		}
		if !strings.Contains(r.stderr, "geowarden: warning: .geowardenignore:4: ignore entry "+fps[1]+" expired on 2020-06-30") {
			t.Errorf("no warning of the expired entry on stderr: %q", r.stderr)
		}
		r = gwIn(t, dir, "scan", "--zones", "zones.geojson", "--show-suppressed", "log.csv")
		if !strings.Contains(r.stdout, "[suppressed: accepted in .geowardenignore:2 until 2999-01-31: survey contractor, approved by DPO ticket 4411]") {
			t.Errorf("--show-suppressed table does not mark the finding:\n%s", r.stdout)
		}
	})
	t.Run("json", func(t *testing.T) {
		r := gwIn(t, dir, "scan", "--zones", "zones.geojson", "--format", "json", "--show-suppressed", "log.csv")
		var rep struct {
			Findings []struct {
				Line       int
				Suppressed *struct{ Kind, Source, Expires, Reason string }
			}
			Summary struct {
				FindingsBySeverity map[string]int `json:"findings_by_severity"`
				Suppressed         struct {
					Total   int
					Ignore  int `json:"ignore_file"`
					Expired []struct {
						Fingerprint, Expires, Reason, Source string
						Found                                bool
					} `json:"expired_ignores"`
				}
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 2 || rep.Findings[0].Suppressed == nil || rep.Findings[1].Suppressed != nil {
			t.Fatalf("findings %+v: want line 2 suppressed, line 4 not", rep.Findings)
		}
		if s := rep.Findings[0].Suppressed; s.Kind != "ignore" || s.Source != ".geowardenignore:2" || s.Expires != "2999-01-31" || s.Reason != "survey contractor, approved by DPO ticket 4411" {
			t.Errorf("suppression %+v", s)
		}
		sum := rep.Summary
		if sum.FindingsBySeverity["high"] != 1 || sum.Suppressed.Total != 1 || sum.Suppressed.Ignore != 1 {
			t.Errorf("summary %+v: want 1 high reported, 1 suppressed by the ignore file", sum)
		}
		if x := sum.Suppressed.Expired; len(x) != 1 || x[0].Fingerprint != fps[1] || x[0].Expires != "2020-06-30" || x[0].Reason != "trial" || x[0].Source != ".geowardenignore:4" || !x[0].Found {
			t.Errorf("expired entries %+v", x)
		}
	})
	t.Run("all accepted", func(t *testing.T) {
		write(t, dir, "ok.ignore", fps[0]+"\n"+fps[1]+" # both\n")
		r := gwIn(t, dir, "scan", "--zones", "zones.geojson", "--ignore-file", "ok.ignore", "log.csv")
		if r.code != 0 || strings.Contains(r.stderr, "expired") {
			t.Errorf("every finding accepted: exit %d, want 0; stderr %q", r.code, r.stderr)
		}
	})
}

// TestCLISuppressErrors: a baseline or ignore file that cannot be read is
// an error (exit 2) naming the file, and the line when it is malformed.
func TestCLISuppressErrors(t *testing.T) {
	for _, c := range []struct {
		name, flag, file, content, want string
	}{
		{"baseline not a report", "--baseline", "table.txt", "SEVERITY RULE\n", "table.txt:1: malformed line"},
		{"baseline missing", "--baseline", "missing.json", "", "missing.json"},
		{"ignore malformed", "--ignore-file", "bad.ignore", "0123456789abcdef01234567\n0123456789abcdef01234568 expires=31/01/2027\n",
			`bad.ignore:2: malformed line: expires="31/01/2027": want a date YYYY-MM-DD`},
		{"ignore missing", "--ignore-file", "none.ignore", "", "none.ignore"},
		{"default ignore file malformed", "", ".geowardenignore", "# ok\nfingerprint\n", ".geowardenignore:2: malformed line"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "zones.geojson", testZones)
			write(t, dir, "log.csv", "id,lat,lon\n1,50,10\n")
			args := []string{"scan", "--zones", "zones.geojson"}
			if c.content != "" {
				write(t, dir, c.file, c.content)
			}
			if c.flag != "" {
				args = append(args, c.flag, c.file)
			}
			r := gwIn(t, dir, append(args, "log.csv")...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, c.want)
			}
		})
	}
}

// TestCLINoProgressOffTerminal: with stderr not a terminal, no progress
// bar is drawn, only the summary.
func TestCLINoProgressOffTerminal(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "zones.geojson", testZones)
	in := write(t, dir, "log.csv", "id,lat,lon\n1,50,10\n2,45,3\n")
	r := gw(t, "", "scan", "--zones", filepath.Join(dir, "zones.geojson"), "--format", "ndjson", in)
	if strings.ContainsAny(r.stderr, "\r\x1b") {
		t.Errorf("control characters on a stderr that is not a terminal: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, "1 finding(s)") {
		t.Errorf("no summary on stderr: %q", r.stderr)
	}
}
