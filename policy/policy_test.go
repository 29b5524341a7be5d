package policy

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"go.yaml.in/yaml/v3"
)

// fixtures returns the testdata files whose names end in suffix.
func fixtures(t testing.TB, suffix string) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*" + suffix)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no testdata/*%s files", suffix)
	}
	for i, f := range files {
		files[i] = filepath.ToSlash(f)
	}
	return files
}

func TestLoadGood(t *testing.T) {
	for _, file := range fixtures(t, ".good.yml") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			p, err := Load(file)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if p.Name != file || p.Dir != "testdata" || len(p.Revision) != 64 {
				t.Errorf("got Name %q Dir %q Revision %q, want %q, testdata and 64 hex digits", p.Name, p.Dir, p.Revision, file)
			}
		})
	}
}

// TestLoadBad loads each testdata/*.bad.yml, whose first line is
// "# error: " followed by the exact error Load must return.
func TestLoadBad(t *testing.T) {
	for _, file := range fixtures(t, ".bad.yml") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := bytes.Cut(data, []byte("\n"))
			want, ok := strings.CutPrefix(string(first), "# error: ")
			if !ok {
				t.Fatalf("first line %q does not start with %q", first, "# error: ")
			}
			p, err := Load(file)
			if err == nil {
				t.Fatalf("Load succeeded (%d rules), want error %q", len(p.Rules), want)
			}
			if got := err.Error(); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Errorf("got error of type %T, want *Error", err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"zero bytes", "", "policy: p.yml: policy is empty"},
		{"null document", "~\n", "policy: p.yml: policy is empty"},
		{"document marker only", "---\n", "policy: p.yml: policy is empty"},
		{"scalar document", "drop\n", "policy: p.yml:1: expected a mapping, got a string"},
		{"rules null, no default", "rules:\n", "policy: p.yml:1: rules: no rules and no default: give rules, or a default of keep or drop"},
		{"action null", "rules:\n  - id: x\n    action:\n", `policy: p.yml:3: rule "x": action: missing value`},
		{"when null", "rules:\n  - id: x\n    when:\n    action: drop\n", `policy: p.yml:3: rule "x": when: missing value`},
		{"zone list of maps", "rules:\n  - id: x\n    when: { zone: [{a: 1}] }\n    action: drop\n", `policy: p.yml:3: rule "x": when.zone[0]: expected a string, got a mapping`},
		{"empty zone id", "rules:\n  - id: x\n    when: { zone: \"\" }\n    action: drop\n", `policy: p.yml:3: rule "x": when.zone: empty string`},
		{"key not a string", "[a]: 1\n", "policy: p.yml:1: keys must be strings, got a list"},
		{"unknown key in key", "pseudonymise_key: { path: k }\ndefault: keep\n", `policy: p.yml:1: pseudonymise_key: unknown key "path"`},
		{"literal key, any case", "pseudonymise_key: { Secret: abcdefabcdefabcdef }\ndefault: keep\n", "policy: p.yml:1: pseudonymise_key: a literal key is not allowed: the key must come from an environment variable (env: NAME) or a file (file: PATH)"},
		{"key empty mapping", "pseudonymise_key: {}\ndefault: keep\n", "policy: p.yml:1: pseudonymise_key: missing env or file"},
		{"zone set no file", "zones:\n  - id: x\ndefault: keep\n", "policy: p.yml:2: zones[0]: missing file or builtin"},
		{"zone set unusable name", "zones:\n  - file: /\ndefault: keep\n", `policy: p.yml:2: zones[0]: cannot take an id from file "/": give an id`},
		{"strip scalar name", "rules:\n  - id: x\n    action: strip\n", `policy: p.yml:3: rule "x": action: strip needs attribute names, such as {strip: [ssid]}`},
		{"action list", "rules:\n  - id: x\n    action: [drop]\n", `policy: p.yml:3: rule "x": action: expected an action name or a mapping, got a list`},
		{"coarsen nothing", "rules:\n  - id: x\n    action: { coarsen: { time: 0s } }\n", `policy: p.yml:3: rule "x": action.coarsen: changes nothing: give a grid, or a time step above zero`},
		{"coarsen empty mapping", "rules:\n  - id: x\n    action: { coarsen: {} }\n", `policy: p.yml:3: rule "x": action.coarsen: give grid, time or both`},
		{"coarsen too large", "rules:\n  - id: x\n    action: { coarsen: 30000 km }\n", `policy: p.yml:3: rule "x": action.coarsen: "30000 km": grid must be at most 20000 km`},
		{"signal without id", "signals:\n  - bands: 935 MHz\ndefault: keep\n", "policy: p.yml:2: signals[0]: missing id"},
		{"band zero", "signals:\n  - id: s\n    bands: 0-1 MHz\ndefault: keep\n", `policy: p.yml:3: signals[0].bands: "0-1 MHz": frequency must be above zero`},
		{"merge key", "base: &b { action: drop }\nrules:\n  - id: x\n    <<: *b\n", `policy: p.yml:1: unknown key "base"`},
		{"alias to rule twice", "rules:\n  - &r { id: x, action: drop, when: { kind: fix } }\n  - *r\n", `policy: p.yml:2: rule "x": id already used by the rule at line 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yml", []byte(tt.data))
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	data := bytes.Repeat([]byte("#\n"), maxSize/2+1)
	_, err := Parse("big.yml", data)
	if want := "policy: big.yml: policy too large (1048578 bytes; at most 1048576)"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestAliasBudget checks that aliases cannot make a small file expensive
// to decode: each use of an alias counts against maxNodes.
// aliasBomb is a policy whose 1,000 rules each reuse, through a YAML alias,
// a list of 2,000 networks: two million nodes from a file of under 100 kB.
func aliasBomb() []byte {
	var b strings.Builder
	b.WriteString("signals:\n  - id: s\n    bands: 935 MHz\n    networks: &v [")
	for i := range 2000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("262")
	}
	b.WriteString("]\nrules:\n")
	for i := range 1000 {
		b.WriteString("  - { id: r" + strconv.Itoa(i) + ", when: { source: *v, zone: *v }, action: drop }\n")
	}
	return []byte(b.String())
}

func TestAliasBudget(t *testing.T) {
	_, err := Parse("bomb.yml", aliasBomb())
	if err == nil || !strings.Contains(err.Error(), "policy too complex: more than 1000000 YAML nodes") {
		t.Errorf("got %v, want policy too complex", err)
	}
}

// BenchmarkAliasBudget measures how long refusing the alias bomb takes.
func BenchmarkAliasBudget(b *testing.B) {
	bomb := aliasBomb()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("bomb.yml", bomb); err == nil {
			b.Fatal("the alias bomb parsed")
		}
	}
}

func TestParseFull(t *testing.T) {
	p, err := Load("testdata/full.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	in, out := true, false
	wantZones := []ZoneSet{
		{ID: "rail", File: filepath.Join("testdata", "zones", "rail.geojson"), Line: 4},
		{ID: "sites", File: filepath.Join("testdata", "zones", "sites.geojson.gz"), Line: 6},
		{ID: "default", Builtin: "default", Line: 7},
	}
	if !reflect.DeepEqual(p.Zones, wantZones) {
		t.Errorf("Zones:\ngot  %+v\nwant %+v", p.Zones, wantZones)
	}
	wantSignals := []geowarden.SignalClass{
		{
			ID: "gsm-r",
			Bands: []geowarden.Band{
				{LoMHz: 876, HiMHz: 880}, {LoMHz: 921, HiMHz: 925}, {LoMHz: 1800, HiMHz: 1900},
				{LoMHz: 935, HiMHz: 935}, {LoMHz: 900, HiMHz: 1200},
			},
			Networks: []geowarden.Network{{MCC: 460, MNC: 20, HasMNC: true}, {MCC: 262}},
		},
		{ID: "tetra", Bands: []geowarden.Band{{LoMHz: 380, HiMHz: 400}}},
	}
	if !reflect.DeepEqual(p.Signals, wantSignals) {
		t.Errorf("Signals:\ngot  %+v\nwant %+v", p.Signals, wantSignals)
	}
	if want := map[string]string{"gsm-r": "GSM-R railway radio"}; !reflect.DeepEqual(p.SignalDescriptions, want) {
		t.Errorf("SignalDescriptions: got %v, want %v", p.SignalDescriptions, want)
	}
	drop := geowarden.Action{Type: geowarden.ActDrop}
	wantRules := []Rule{
		{ID: "military-drop", Description: "Inside a military site.", When: Cond{ZoneClasses: []string{"military"}}, Action: drop, Severity: geowarden.SeverityCritical, Line: 16},
		{ID: "rail-radio", When: Cond{ZoneSets: []string{"rail", "default"}, ZoneClasses: []string{"rail", "railway"}, Kinds: KindSetOf(geowarden.KindCell, geowarden.KindRF)},
			Action: geowarden.Action{Type: geowarden.ActBlock}, Severity: geowarden.SeverityHigh, Line: 22},
		{ID: "wifi-names", When: Cond{InZone: &in, Kinds: KindSetOf(geowarden.KindWifi), Attrs: []AttrCond{{"ssid", []string{"Bahn WLAN", ""}}, {"radio", []string{"WIFI"}}}},
			Action: geowarden.Action{Type: geowarden.ActStrip, Attrs: []string{"ssid", "bssid"}}, Severity: geowarden.SeverityLow, Line: 29},
		{ID: "contributors", When: Cond{Sources: []string{"alice", "bob"}, Signals: []string{"gsm-r"}},
			Action: geowarden.Action{Type: geowarden.ActPseudonymise, Attrs: []string{"source"}}, Severity: geowarden.SeverityInfo, Line: 36},
		{ID: "outside", When: Cond{InZone: &out, Kinds: KindSetOf(geowarden.KindFix)}, Action: geowarden.Action{}, Line: 42},
		{ID: "coarse", When: Cond{Zones: []string{"A", "B"}}, Action: geowarden.Action{Type: geowarden.ActCoarsen, GridM: 500, TimeStep: 5 * time.Minute}, Severity: geowarden.SeverityMedium, Line: 45},
		{ID: "coarse-time", When: Cond{Kinds: KindSetOf(geowarden.KindImage)}, Action: geowarden.Action{Type: geowarden.ActCoarsen, TimeStep: time.Hour}, Line: 49},
		{ID: "everything-else", Action: geowarden.Action{Type: geowarden.ActCoarsen, GridM: 100}, Line: 52},
	}
	if len(p.Rules) != len(wantRules) {
		t.Fatalf("got %d rules, want %d", len(p.Rules), len(wantRules))
	}
	for i := range wantRules {
		if !reflect.DeepEqual(p.Rules[i], wantRules[i]) {
			t.Errorf("rule %d:\ngot  %+v\nwant %+v", i, p.Rules[i], wantRules[i])
		}
	}
	if p.Export == nil || p.Export.Kind != yaml.MappingNode || p.Export.Line != 55 {
		t.Errorf("Export: got %+v, want the mapping at line 55", p.Export)
	}
	if !reflect.DeepEqual(p.Default, drop) {
		t.Errorf("Default: got %v, want drop", p.Default)
	}
	if want := (KeySource{Env: "GEOWARDEN_KEY", Line: 58}); p.Key != want {
		t.Errorf("Key: got %+v, want %+v", p.Key, want)
	}
	for _, tt := range []struct {
		t    geowarden.ActionType
		want bool
	}{{geowarden.ActBlock, true}, {geowarden.ActPseudonymise, true}, {geowarden.ActDrop, true}, {geowarden.ActKeep, true}} {
		if got := p.Uses(tt.t); got != tt.want {
			t.Errorf("Uses(%v): got %v, want %v", tt.t, got, tt.want)
		}
	}
	if r := p.Rule("coarse"); r == nil || r.Line != 45 {
		t.Errorf("Rule(coarse): got %+v", r)
	}
	if r := p.Rule("nope"); r != nil {
		t.Errorf("Rule(nope): got %+v, want nil", r)
	}
}

func TestParseKeepsPaths(t *testing.T) {
	p, err := Parse("x/p.yml", []byte("zones:\n  - file: zones/a.geojson\n  - file: /abs/b.geojson\ndefault: keep\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Dir != "" || p.Zones[0].File != "zones/a.geojson" || p.Zones[1].File != "/abs/b.geojson" {
		t.Errorf("got Dir %q, files %q %q; want them as written", p.Dir, p.Zones[0].File, p.Zones[1].File)
	}
}

func TestLoadAbsoluteZoneFile(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(dir, "elsewhere", "z.geojson")
	path := filepath.Join(dir, "p.yml")
	data := "zones:\n  - file: '" + filepath.ToSlash(abs) + "'\n  - file: rel/y.geojson\ndefault: keep\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Zones[0].File, abs; got != want {
		t.Errorf("absolute file: got %q, want %q", got, want)
	}
	if got, want := p.Zones[1].File, filepath.Join(dir, "rel", "y.geojson"); got != want {
		t.Errorf("relative file: got %q, want %q", got, want)
	}
	if p.Zones[0].ID != "z" || p.Zones[1].ID != "y" {
		t.Errorf("got ids %q %q, want z y", p.Zones[0].ID, p.Zones[1].ID)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yml")
	if err == nil || !strings.HasPrefix(err.Error(), "policy: open testdata/does-not-exist.yml:") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want a wrapped not-exist error", err)
	}
}

func TestRevision(t *testing.T) {
	a, _ := Parse("a.yml", []byte("default: keep\n"))
	b, _ := Parse("b.yml", []byte("default: keep\n"))
	c, _ := Parse("a.yml", []byte("default: keep # changed\n"))
	if a.Revision != b.Revision {
		t.Errorf("same bytes, different revisions %s %s", a.Revision, b.Revision)
	}
	if a.Revision == c.Revision {
		t.Errorf("different bytes, same revision %s", a.Revision)
	}
	sum := sha256.Sum256([]byte("default: keep\n"))
	if want := hex.EncodeToString(sum[:]); a.Revision != want {
		t.Errorf("got revision %s, want %s", a.Revision, want)
	}
}

func TestDefault(t *testing.T) {
	p := Default()
	if p.Name != "default" || p.Dir != "" {
		t.Errorf("got Name %q Dir %q, want default and empty", p.Name, p.Dir)
	}
	if want := []ZoneSet{{ID: "default", Builtin: "default", Line: 9}}; !reflect.DeepEqual(p.Zones, want) {
		t.Errorf("Zones: got %+v, want %+v", p.Zones, want)
	}
	wantSignal := geowarden.SignalClass{ID: "gsm-r", Bands: []geowarden.Band{
		{LoMHz: 876, HiMHz: 880}, {LoMHz: 921, HiMHz: 925}, // GSM-R
		{LoMHz: 873, HiMHz: 876}, {LoMHz: 918, HiMHz: 921}, // E-GSM-R
		{LoMHz: 874.4, HiMHz: 880}, {LoMHz: 919.4, HiMHz: 925}, // FRMCS n100
		{LoMHz: 1900, HiMHz: 1910}, // FRMCS n101
	}}
	if len(p.Signals) != 1 || !reflect.DeepEqual(p.Signals[0], wantSignal) {
		t.Errorf("Signals: got %+v, want [%+v]", p.Signals, wantSignal)
	}
	if got, want := p.SignalDescriptions["gsm-r"], "Railway radio (GSM-R, E-GSM-R, FRMCS)"; got != want {
		t.Errorf("gsm-r description: got %q, want %q", got, want)
	}
	rail := []string{"rail"}
	want := []struct {
		id       string
		when     Cond
		severity geowarden.Severity
	}{
		{"military", Cond{ZoneClasses: []string{"military"}}, geowarden.SeverityCritical},
		{"rail-signal", Cond{ZoneClasses: rail, Kinds: KindSetOf(geowarden.KindCell, geowarden.KindWifi, geowarden.KindIoT, geowarden.KindRF)}, geowarden.SeverityHigh},
		{"rail", Cond{ZoneClasses: rail}, geowarden.SeverityMedium},
		{"airport", Cond{ZoneClasses: []string{"airport"}}, geowarden.SeverityMedium},
		{"critical-site", Cond{ZoneClasses: []string{"energy", "government", "telecom"}}, geowarden.SeverityHigh},
		{"gsm-r", Cond{Signals: []string{"gsm-r"}}, geowarden.SeverityHigh},
	}
	if len(p.Rules) != len(want) {
		t.Fatalf("got %d rules, want %d", len(p.Rules), len(want))
	}
	for i, w := range want {
		r := p.Rules[i]
		if r.ID != w.id || !reflect.DeepEqual(r.When, w.when) || r.Severity != w.severity || r.Action.Type != geowarden.ActDrop {
			t.Errorf("rule %d: got %s %+v %v %v, want %s %+v %v drop", i, r.ID, r.When, r.Severity, r.Action.Type, w.id, w.when, w.severity)
		}
		if r.Description == "" || strings.Contains(r.Description, "\n") {
			t.Errorf("rule %s: description %q is not one line", r.ID, r.Description)
		}
	}
	if p.Default.Type != geowarden.ActKeep {
		t.Errorf("Default: got %v, want keep", p.Default.Type)
	}
	// Each call returns a fresh copy.
	p.AddZoneSet("x", "x.geojson")
	if q := Default(); len(q.Rules) != len(want) || len(q.Zones) != 1 {
		t.Errorf("AddZoneSet on one Default() changed another")
	}
	if !bytes.Equal(DefaultSource(), defaultSource) {
		t.Errorf("DefaultSource differs from default.yml")
	}
}

func TestDefaultFileOnDisk(t *testing.T) {
	p, err := Load("default.yml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Revision != Default().Revision {
		t.Errorf("default.yml on disk and embedded differ")
	}
}

func TestParseBand(t *testing.T) {
	tests := []struct {
		in      string
		want    geowarden.Band
		wantErr string
	}{
		{"876-880 MHz", geowarden.Band{LoMHz: 876, HiMHz: 880}, ""},
		{"876 - 880 MHz", geowarden.Band{LoMHz: 876, HiMHz: 880}, ""},
		{"876–880 MHz", geowarden.Band{LoMHz: 876, HiMHz: 880}, ""},
		{"876—880MHz", geowarden.Band{LoMHz: 876, HiMHz: 880}, ""},
		{"1.8-1.9 GHz", geowarden.Band{LoMHz: 1800, HiMHz: 1900}, ""},
		{"935 MHz", geowarden.Band{LoMHz: 935, HiMHz: 935}, ""},
		{"935mhz", geowarden.Band{LoMHz: 935, HiMHz: 935}, ""},
		{"900 MHz-1.2 GHz", geowarden.Band{LoMHz: 900, HiMHz: 1200}, ""},
		{"868100-868300 kHz", geowarden.Band{LoMHz: 868.1, HiMHz: 868.3}, ""},
		{"2400000000-2483500000 Hz", geowarden.Band{LoMHz: 2400, HiMHz: 2483.5}, ""},
		{".5-1 GHz", geowarden.Band{LoMHz: 500, HiMHz: 1000}, ""},
		{"88x-889 MHz", geowarden.Band{}, `"88x-889 MHz" is not a frequency range`},
		{"935", geowarden.Band{}, `"935" is not a frequency range`},
		{"876 MHz-880", geowarden.Band{}, `"876 MHz-880" is not a frequency range`},
		{"876-880 MHz-890 MHz", geowarden.Band{}, `"876-880 MHz-890 MHz" is not a frequency range`},
		{"1e3 MHz", geowarden.Band{}, `"1e3 MHz" is not a frequency range`},
		{"1.2.3 MHz", geowarden.Band{}, `"1.2.3 MHz" is not a frequency range`},
		{"-5 MHz", geowarden.Band{}, `"-5 MHz" is not a frequency range`},
		{"880-876 MHz", geowarden.Band{}, `"880-876 MHz": low end is above high end`},
		{"0 MHz", geowarden.Band{}, `"0 MHz": frequency must be above zero`},
		{"", geowarden.Band{}, `"" is not a frequency range`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, msg := parseBand(tt.in)
			if got != tt.want || msg != tt.wantErr {
				t.Errorf("got %+v %q, want %+v %q", got, msg, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseNetwork(t *testing.T) {
	tests := []struct {
		in   string
		want geowarden.Network
		ok   bool
	}{
		{"262", geowarden.Network{MCC: 262}, true},
		{"460-20", geowarden.Network{MCC: 460, MNC: 20, HasMNC: true}, true},
		{"310-410", geowarden.Network{MCC: 310, MNC: 410, HasMNC: true}, true},
		{"001-01", geowarden.Network{MCC: 1, MNC: 1, HasMNC: true}, true},
		{"000", geowarden.Network{}, false},
		{"26", geowarden.Network{}, false},
		{"2620", geowarden.Network{}, false},
		{"262-1", geowarden.Network{}, false},
		{"262-1234", geowarden.Network{}, false},
		{"262-", geowarden.Network{}, false},
		{"26a", geowarden.Network{}, false},
		{"", geowarden.Network{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseNetwork(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %+v %v, want %+v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBaseID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"zones/rail.geojson", "rail"},
		{"rail.geojson.gz", "rail"},
		{"a.b.kml", "a.b"},
		{`C:\zones\rail.geojson`, "rail"},
		{"rail", "rail"},
		{"zones/", "zones"},
		{"/", ""},
	}
	for _, tt := range tests {
		if got := baseID(tt.in); got != tt.want {
			t.Errorf("baseID(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorPosition(t *testing.T) {
	_, err := Parse("rules.yml", []byte("rules:\n  - id: x\n    acton: drop\n"))
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("got %T, want *Error", err)
	}
	if want := (Error{File: "rules.yml", Line: 3, Msg: `rule "x": unknown key "acton"`}); *perr != want {
		t.Errorf("got %+v, want %+v", *perr, want)
	}
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.yml", Line: 2, Msg: "m"}, "policy: a.yml:2: m"},
		{Error{File: "a.yml", Msg: "m"}, "policy: a.yml: m"},
		{Error{Line: 2, Msg: "m"}, "policy: line 2: m"},
		{Error{Msg: "m"}, "policy: m"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// TestBadFixturesNameTheirFile guards against a fixture copied without
// updating its expected error.
func TestBadFixturesNameTheirFile(t *testing.T) {
	for _, file := range fixtures(t, ".bad.yml") {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		s := bufio.NewScanner(f)
		s.Scan()
		f.Close()
		if !strings.HasPrefix(s.Text(), "# error: policy: "+file+":") && !strings.HasPrefix(s.Text(), "# error: policy: "+file+": ") {
			t.Errorf("%s: first line %q does not name the file", file, s.Text())
		}
	}
}

func TestBinary(t *testing.T) {
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"default: keep\n", true},
		{"binary: drop\ndefault: keep\n", true},
		{"binary: keep\ndefault: keep\n", false},
	} {
		p, err := Parse("p.yml", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if p.DropBinary != c.want {
			t.Errorf("%q: DropBinary = %v, want %v", c.src, p.DropBinary, c.want)
		}
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct {
		src  string
		want geowarden.TextMode
	}{
		{"default: keep\n", geowarden.TextRedact},
		{"text: redact\ndefault: keep\n", geowarden.TextRedact},
		{"text: Refuse\ndefault: keep\n", geowarden.TextRefuse},
		{"text: keep\ndefault: keep\n", geowarden.TextKeep},
	} {
		p, err := Parse("p.yml", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if p.Text != c.want {
			t.Errorf("%q: Text = %v, want %v", c.src, p.Text, c.want)
		}
	}
}

func TestUnreadable(t *testing.T) {
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"default: keep\n", false},
		{"unreadable: drop\ndefault: keep\n", false},
		{"unreadable: KEEP\ndefault: keep\n", true},
	} {
		p, err := Parse("p.yml", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if p.KeepUnreadable != c.want {
			t.Errorf("%q: KeepUnreadable = %v, want %v", c.src, p.KeepUnreadable, c.want)
		}
	}
}

// TestSectionsPassedThrough checks that the policy keeps its detect and
// export sections as written, for packages detect and review to decode,
// whatever they hold.
func TestSectionsPassedThrough(t *testing.T) {
	p, err := Parse("p.yml", []byte("default: keep\ndetect:\n  crowds: { window: soon }\nexport:\n  - abroad\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Detect == nil || p.Detect.Kind != yaml.MappingNode || p.Detect.Line != 3 {
		t.Errorf("got detect section %+v, want the mapping at line 3", p.Detect)
	}
	if p.Export == nil || p.Export.Kind != yaml.SequenceNode || p.Export.Line != 5 {
		t.Errorf("got export section %+v, want the list at line 5", p.Export)
	}
	if d := Default(); d.Detect != nil || d.Export != nil {
		t.Errorf("default policy's detect section %+v, export section %+v, want none", d.Detect, d.Export)
	}
}
