package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
)

// FuzzParse checks that Parse never panics, that its errors are *Error
// values prefixed "policy: ", and that a policy it accepts is usable.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range append(files, "default.yml") {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(decidePolicy))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("rules:\n  - &r {id: x, action: drop, when: {kind: *r}}\n"))
	xs := append(decideCases(),
		&geowarden.Classified{Rec: &geowarden.Record{Kind: geowarden.KindWifi, Source: "alice", Attrs: attrs{"ssid": "x", "radio": "GSM"}}},
		&geowarden.Classified{Zones: []geowarden.ZoneHit{hit("A", "rail", "rail")}, Signals: []string{"gsm-r"}},
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yml", data)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) || !strings.HasPrefix(err.Error(), "policy: fuzz.yml") {
				t.Fatalf("error %q (%T) is not a *Error naming the file", err, err)
			}
			return
		}
		if p.Default.Type != geowarden.ActKeep && p.Default.Type != geowarden.ActDrop {
			t.Fatalf("default %v is neither keep nor drop", p.Default.Type)
		}
		for _, r := range p.Rules {
			if r.ID == "" || r.Line == 0 {
				t.Fatalf("rule %+v has no id or line", r)
			}
			if r.Action.Type == geowarden.ActPseudonymise && p.Key.IsZero() {
				t.Fatalf("rule %s pseudonymises without a key source", r.ID)
			}
		}
		for _, x := range xs {
			d := p.Decide(x)
			if d.Rule != "" && p.Rule(d.Rule) == nil {
				t.Fatalf("decision names unknown rule %q", d.Rule)
			}
		}
		p.AddZoneSet("fuzz", "fuzz.geojson")
		if d := p.Decide(&geowarden.Classified{Zones: []geowarden.ZoneHit{hit("z", "c", "fuzz")}}); d.Rule != "zones-fuzz" {
			t.Fatalf("after AddZoneSet got rule %q, want zones-fuzz", d.Rule)
		}
	})
}
