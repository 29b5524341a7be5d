package policy_test

import (
	"fmt"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/policy"
)

func ExampleParse() {
	_, err := policy.Parse("rules.yml", []byte(`
rules:
  - id: x
    when: { zone_class: rail }
    acton: drop
`))
	fmt.Println(err)
	// Output: policy: rules.yml:5: rule "x": unknown key "acton"
}

func ExamplePolicy_Decide() {
	p := policy.Default()
	rec := &geowarden.Record{Kind: geowarden.KindCell}
	d := p.Decide(&geowarden.Classified{
		Rec:   rec,
		Zones: []geowarden.ZoneHit{{ID: "hbf", Class: "rail", Set: "default"}},
	})
	fmt.Println(d.Rule, d.Action.Type, d.Severity)
	fmt.Println(p.Rule(d.Rule).Description)
	// Output:
	// rail-signal drop high
	// Radio measurement (cell, Wi-Fi, IoT or other RF) taken inside a railway zone, where it can reveal railway radio infrastructure.
}

func ExamplePolicy_AddZoneSet() {
	p := policy.Default()
	p.AddZoneSet("depots", "depots.geojson")
	r := p.Rules[0]
	fmt.Println(r.ID, r.When.ZoneSets, r.Action.Type, r.Severity)
	fmt.Println(r.Description)
	// Output:
	// zones-depots [depots] drop high
	// record inside a zone of depots.geojson
}
