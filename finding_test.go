package geowarden

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func findingCases() []Finding {
	return []Finding{
		{File: "a.csv", Kind: "cell", Zones: []string{}, Signals: []string{}, Rule: "r", Action: "drop", Severity: SeverityHigh},
		{File: "dir/b.csv", Line: 12, Offset: 345, Lat: ptr(51.9012345), Lon: ptr(-8.4712345), Time: ptr(time.Date(2024, 5, 1, 10, 0, 0, 5, time.UTC)),
			Kind: "fix", Source: "phone \"1\" <x>&", Zones: []string{"area-0", "ne-airport-ORK"}, Classes: []string{"military"}, Signals: []string{"gsm-r"},
			Rule: "zones-z", Action: "drop", Severity: SeverityCritical, Fingerprint: "abc", Detail: "line\ncut\t\u2028 é \x01"},
		{File: "c.geojson", Feature: ptr(0), Lat: ptr(0.0), Lon: ptr(1e-7), Kind: "feature", Zones: nil, Signals: nil, Rule: "", Action: "cut", Severity: SeverityInfo},
		{File: "d\xff.gpx", Lat: ptr(-1e-9), Lon: ptr(179.99999999), Kind: "fix", Zones: []string{"\x7f"}, Signals: []string{}, Rule: "x", Action: "keep"},
		{File: "e", Lat: ptr(1e21), Lon: ptr(-123456789.125), Kind: "k", Zones: []string{}, Signals: []string{}},
	}
}

// TestAppendJSON: the fast encoder writes exactly what encoding/json writes.
func TestAppendJSON(t *testing.T) {
	for i, f := range findingCases() {
		want, err := json.Marshal(&f)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("case %d:\ngot  %s\nwant %s", i, got, want)
		}
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("a.csv", 3, "src", "zone", "rule", "detail", 51.5, -0.1)
	f.Fuzz(func(t *testing.T, file string, line int, source, zone, rule, detail string, lat, lon float64) {
		if lat != lat || lon != lon || lat > 1e300 || lat < -1e300 || lon > 1e300 || lon < -1e300 {
			return // encoding/json refuses NaN and Inf; findings never hold them
		}
		fd := Finding{File: file, Line: line, Source: source, Zones: []string{zone}, Signals: []string{}, Rule: rule, Detail: detail, Lat: &lat, Lon: &lon, Kind: "fix"}
		want, err := json.Marshal(&fd)
		if err != nil {
			t.Skip()
		}
		if got := fd.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	})
}

// TestFingerprint: the fingerprint is stable (the formula is part of the
// baseline and ignore files' contract), independent of the folder, and
// changes with the rule.
func TestFingerprint(t *testing.T) {
	f := Finding{File: "/data/x/drive.csv", Line: 7, Lat: ptr(50.0), Lon: ptr(10.0), Rule: "military", Zones: []string{"z1"}, Signals: []string{}}
	f.SetFingerprint()
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00\x00%.7f,%.7f\x00%s\x00%s\x00%s", "drive.csv", 7, 50.0, 10.0, "military", "z1", "")))
	if want := hex.EncodeToString(h[:12]); f.Fingerprint != want {
		t.Errorf("fingerprint %s, want %s", f.Fingerprint, want)
	}
	g := f
	g.File = "other/folder/drive.csv"
	g.SetFingerprint()
	if g.Fingerprint != f.Fingerprint {
		t.Error("fingerprint depends on the folder")
	}
	g.Rule = "rail"
	g.SetFingerprint()
	if g.Fingerprint == f.Fingerprint {
		t.Error("fingerprint does not depend on the rule")
	}
}

// TestSeverityJSON checks that severities round-trip through JSON by
// name, as values and as map keys, and that an unknown name is refused.
func TestSeverityJSON(t *testing.T) {
	in := map[Severity]int{SeverityInfo: 1, SeverityHigh: 3}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"high":3,"info":1}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var out map[Severity]int
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[SeverityInfo] != 1 || out[SeverityHigh] != 3 {
		t.Errorf("got %v, want %v", out, in)
	}
	var s Severity
	if err := json.Unmarshal([]byte(`"Critical"`), &s); err != nil || s != SeverityCritical {
		t.Errorf("got %v, %v; want critical", s, err)
	}
	if err := json.Unmarshal([]byte(`"severe"`), &s); err == nil {
		t.Error("unknown severity accepted")
	}
}
