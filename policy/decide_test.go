package policy

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
)

// attrs is a Record.Attrs with case-insensitive names; keys are lower case.
type attrs map[string]string

func (a attrs) Attr(name string) (string, bool) {
	v, ok := a[strings.ToLower(name)]
	return v, ok
}

const decidePolicy = `
zones:
  - file: zones/rail.geojson     # id: rail
  - file: zones/sites.geojson    # id: sites
signals:
  - id: gsm-r
    bands: 876-880 MHz
rules:
  - id: a-rail                   # zone conditions hold for one hit
    when: { zone: A, zone_class: rail }
    action: drop
    severity: high
  - id: b-rail
    when: { zone: B, zone_class: rail }
    action: block
    severity: critical
  - id: sites-military
    when: { zone_set: sites, zone_class: [military, energy] }
    action: drop
    severity: critical
  - id: radio-gsmr               # AND across keys, OR within kind
    when: { kind: [cell, rf], signal: gsm-r }
    action: { coarsen: { grid: 1km, time: 5m } }
    severity: medium
  - id: wifi-attr
    when: { kind: wifi, attr: { Radio: [WIFI, WLAN], ssid: Bahn } }
    action: { strip: [ssid, bssid] }
    severity: low
  - id: outside-sources
    when: { in_zone: false, source: [alice, carol] }
    action: { pseudonymise: source }
  - id: anywhere-zone
    when: { in_zone: true }
    action: keep
    severity: info
pseudonymise_key: { env: GEOWARDEN_KEY }
default: drop
`

func hit(id, class, set string) geowarden.ZoneHit {
	return geowarden.ZoneHit{ID: id, Name: id, Class: class, Set: set}
}

func TestDecide(t *testing.T) {
	p, err := Parse("decide.yml", []byte(decidePolicy))
	if err != nil {
		t.Fatal(err)
	}
	drop := geowarden.Action{Type: geowarden.ActDrop}
	tests := []struct {
		name string
		rec  geowarden.Record
		hits []geowarden.ZoneHit
		sigs []string
		want geowarden.Decision
	}{
		{
			name: "zone and class on the same hit",
			hits: []geowarden.ZoneHit{hit("A", "rail", "rail")},
			want: geowarden.Decision{Rule: "a-rail", Action: drop, Severity: geowarden.SeverityHigh},
		},
		{
			name: "A of class rail and B of class military matches A-rail",
			hits: []geowarden.ZoneHit{hit("A", "rail", "rail"), hit("B", "military", "rail")},
			want: geowarden.Decision{Rule: "a-rail", Action: drop, Severity: geowarden.SeverityHigh},
		},
		{
			name: "A of class military and B of class rail does not match A-rail",
			hits: []geowarden.ZoneHit{hit("A", "military", "rail"), hit("B", "rail", "rail")},
			want: geowarden.Decision{Rule: "b-rail", Action: geowarden.Action{Type: geowarden.ActBlock}, Severity: geowarden.SeverityCritical},
		},
		{
			name: "zone id and class split across hits match nothing specific",
			hits: []geowarden.ZoneHit{hit("A", "military", "rail"), hit("C", "rail", "rail")},
			want: geowarden.Decision{Rule: "anywhere-zone", Severity: geowarden.SeverityInfo},
		},
		{
			name: "zone set and class on the same hit",
			hits: []geowarden.ZoneHit{hit("C", "energy", "sites")},
			want: geowarden.Decision{Rule: "sites-military", Action: drop, Severity: geowarden.SeverityCritical},
		},
		{
			name: "zone set and class on different hits",
			hits: []geowarden.ZoneHit{hit("C", "military", "rail"), hit("D", "airport", "sites")},
			want: geowarden.Decision{Rule: "anywhere-zone", Severity: geowarden.SeverityInfo},
		},
		{
			name: "first match wins",
			hits: []geowarden.ZoneHit{hit("C", "military", "sites"), hit("A", "rail", "rail")},
			want: geowarden.Decision{Rule: "a-rail", Action: drop, Severity: geowarden.SeverityHigh},
		},
		{
			name: "kind and signal both hold",
			rec:  geowarden.Record{Kind: geowarden.KindRF},
			sigs: []string{"other", "gsm-r"},
			want: geowarden.Decision{Rule: "radio-gsmr", Action: geowarden.Action{Type: geowarden.ActCoarsen, GridM: 1000, TimeStep: 5 * time.Minute}, Severity: geowarden.SeverityMedium},
		},
		{
			name: "signal without the kind",
			rec:  geowarden.Record{Kind: geowarden.KindWifi},
			sigs: []string{"gsm-r"},
			want: geowarden.Decision{Action: drop},
		},
		{
			name: "kind without the signal",
			rec:  geowarden.Record{Kind: geowarden.KindCell},
			want: geowarden.Decision{Action: drop},
		},
		{
			name: "attributes match, names case-insensitive",
			rec:  geowarden.Record{Kind: geowarden.KindWifi, Attrs: attrs{"radio": "WLAN", "ssid": "Bahn"}},
			want: geowarden.Decision{Rule: "wifi-attr", Action: geowarden.Action{Type: geowarden.ActStrip, Attrs: []string{"ssid", "bssid"}}, Severity: geowarden.SeverityLow},
		},
		{
			name: "attribute values are exact",
			rec:  geowarden.Record{Kind: geowarden.KindWifi, Attrs: attrs{"radio": "wlan", "ssid": "Bahn"}},
			want: geowarden.Decision{Action: drop},
		},
		{
			name: "missing attribute",
			rec:  geowarden.Record{Kind: geowarden.KindWifi, Attrs: attrs{"radio": "WIFI"}},
			want: geowarden.Decision{Action: drop},
		},
		{
			name: "in no zone, source listed",
			rec:  geowarden.Record{Source: "carol"},
			want: geowarden.Decision{Rule: "outside-sources", Action: geowarden.Action{Type: geowarden.ActPseudonymise, Attrs: []string{"source"}}},
		},
		{
			name: "in a zone, source listed",
			rec:  geowarden.Record{Source: "carol"},
			hits: []geowarden.ZoneHit{hit("Z", "custom", "rail")},
			want: geowarden.Decision{Rule: "anywhere-zone", Severity: geowarden.SeverityInfo},
		},
		{
			name: "no rule matches: default",
			rec:  geowarden.Record{Source: "dave"},
			want: geowarden.Decision{Action: drop},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rec.Attrs == nil {
				tt.rec.Attrs = attrs{}
			}
			got := p.Decide(&geowarden.Classified{Rec: &tt.rec, Zones: tt.hits, Signals: tt.sigs})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecideNilRecord(t *testing.T) {
	p, err := Parse("decide.yml", []byte(decidePolicy))
	if err != nil {
		t.Fatal(err)
	}
	got := p.Decide(&geowarden.Classified{Zones: []geowarden.ZoneHit{hit("A", "rail", "rail")}})
	if got.Rule != "a-rail" {
		t.Errorf("zone rule: got %q, want a-rail", got.Rule)
	}
	got = p.Decide(&geowarden.Classified{Signals: []string{"gsm-r"}})
	if got.Rule != "" {
		t.Errorf("kind rule on nil record: got %q, want the default", got.Rule)
	}
}

func TestDecideEmptyRules(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want geowarden.ActionType
	}{{"default: keep\n", geowarden.ActKeep}, {"default: drop\n", geowarden.ActDrop}, {"rules: []\ndefault: drop\n", geowarden.ActDrop}} {
		p, err := Parse("p.yml", []byte(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Decide(&geowarden.Classified{Rec: &geowarden.Record{Attrs: attrs{}}}); got.Rule != "" || got.Action.Type != tt.want || got.Severity != geowarden.SeverityNone {
			t.Errorf("%q: got %+v, want default %v", tt.src, got, tt.want)
		}
	}
}

func TestAddZoneSet(t *testing.T) {
	p, err := Parse("decide.yml", []byte(decidePolicy))
	if err != nil {
		t.Fatal(err)
	}
	rev, n := p.Revision, len(p.Rules)
	p.AddZoneSet("extra", "more/extra.geojson")
	wantZone := ZoneSet{ID: "extra", File: "more/extra.geojson"}
	if got := p.Zones[len(p.Zones)-1]; got != wantZone {
		t.Errorf("last zone set: got %+v, want %+v", got, wantZone)
	}
	if z, ok := p.ZoneSet("extra"); !ok || z != wantZone {
		t.Errorf("ZoneSet(extra): got %+v %v", z, ok)
	}
	wantRule := Rule{
		ID:          "zones-extra",
		Description: "record inside a zone of more/extra.geojson",
		When:        Cond{ZoneSets: []string{"extra"}},
		Action:      geowarden.Action{Type: geowarden.ActDrop},
		Severity:    geowarden.SeverityHigh,
	}
	if len(p.Rules) != n+1 || !reflect.DeepEqual(p.Rules[0], wantRule) || p.Rules[1].ID != "a-rail" {
		t.Fatalf("rules after AddZoneSet: got %d, first %+v", len(p.Rules), p.Rules[0])
	}
	if p.Revision == rev || len(p.Revision) != 64 {
		t.Errorf("revision %q unchanged or malformed", p.Revision)
	}
	tests := []struct {
		name string
		hits []geowarden.ZoneHit
		want string
	}{
		{"prepended rule wins", []geowarden.ZoneHit{hit("A", "rail", "rail"), hit("X", "custom", "extra")}, "zones-extra"},
		{"other sets still decided by the policy", []geowarden.ZoneHit{hit("A", "rail", "rail")}, "a-rail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Decide(&geowarden.Classified{Rec: &geowarden.Record{Attrs: attrs{}}, Zones: tt.hits})
			if got.Rule != tt.want {
				t.Errorf("got rule %q, want %q", got.Rule, tt.want)
			}
		})
	}
}

func TestCondMatch(t *testing.T) {
	yes, no := true, false
	rec := &geowarden.Record{Kind: geowarden.KindCell, Source: "s1", Attrs: attrs{"mcc": "262"}}
	x := &geowarden.Classified{Rec: rec, Zones: []geowarden.ZoneHit{hit("A", "rail", "set1")}, Signals: []string{"gsm-r"}}
	tests := []struct {
		name string
		c    Cond
		want bool
	}{
		{"zero", Cond{}, true},
		{"in zone", Cond{InZone: &yes}, true},
		{"in no zone", Cond{InZone: &no}, false},
		{"kinds any of", Cond{Kinds: KindSetOf(geowarden.KindWifi, geowarden.KindCell)}, true},
		{"kinds none of", Cond{Kinds: KindSetOf(geowarden.KindWifi)}, false},
		{"zone any of", Cond{Zones: []string{"B", "A"}}, true},
		{"zone class mismatch", Cond{Zones: []string{"A"}, ZoneClasses: []string{"airport"}}, false},
		{"zone set", Cond{ZoneSets: []string{"set1"}}, true},
		{"signal", Cond{Signals: []string{"x", "gsm-r"}}, true},
		{"signal missing", Cond{Signals: []string{"x"}}, false},
		{"source", Cond{Sources: []string{"s1"}}, true},
		{"source missing", Cond{Sources: []string{"s2"}}, false},
		{"attr", Cond{Attrs: []AttrCond{{"mcc", []string{"262"}}}}, true},
		{"attr and source", Cond{Attrs: []AttrCond{{"mcc", []string{"262"}}}, Sources: []string{"s2"}}, false},
		{"attr absent", Cond{Attrs: []AttrCond{{"mnc", []string{"1"}}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Match(x); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if got := tt.c.IsZero(); got != (tt.name == "zero") {
				t.Errorf("IsZero: got %v", got)
			}
		})
	}
}

func TestKindSet(t *testing.T) {
	s := KindSetOf(geowarden.KindRF, geowarden.KindCell, 200)
	if got, want := s.String(), "cell,rf"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !s.Has(geowarden.KindCell) || s.Has(geowarden.KindFix) || s.Has(200) {
		t.Errorf("Has: wrong membership in %v", s)
	}
}

// decideCases are records for the allocation test and the benchmark,
// against the default policy.
func decideCases() []*geowarden.Classified {
	a := attrs{"radio": "GSM"}
	return []*geowarden.Classified{
		// Falls through every rule to the default.
		{Rec: &geowarden.Record{Kind: geowarden.KindFix, Attrs: a}},
		// Matches rail-signal, the second rule.
		{Rec: &geowarden.Record{Kind: geowarden.KindCell, Attrs: a}, Zones: []geowarden.ZoneHit{hit("z1", "airport", "default"), hit("z2", "rail", "default")}},
		// Matches gsm-r, the last rule.
		{Rec: &geowarden.Record{Kind: geowarden.KindCell, Attrs: a}, Signals: []string{"gsm-r"}},
	}
}

func TestDecideAllocs(t *testing.T) {
	p := Default()
	for _, x := range decideCases() {
		if n := testing.AllocsPerRun(100, func() { _ = p.Decide(x) }); n != 0 {
			t.Errorf("Decide allocates %v times per call, want 0", n)
		}
	}
}

func BenchmarkDecide(b *testing.B) {
	p := Default()
	xs := decideCases()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = p.Decide(xs[i%len(xs)])
	}
}
