package builtin

import (
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

func TestDefaultLoads(t *testing.T) {
	s, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string]int{}
	for _, z := range s.Zones {
		classes[z.Class]++
	}
	for _, c := range []string{"airport", "military", "rail"} {
		if classes[c] == 0 {
			t.Errorf("no %s zones in the default set (classes %v)", c, classes)
		}
	}
	ix := zone.NewIndex(s)
	// Malta International Airport's terminal, and a point at sea far away.
	cases := []struct {
		name string
		p    geowarden.Point
		want bool
	}{
		{"Luqa terminal", geowarden.Point{Lon: 14.4953, Lat: 35.8489}, true},
		{"Monaco station rail corridor", geowarden.Point{Lon: 7.4197, Lat: 43.7389}, true},
		{"mid-Atlantic", geowarden.Point{Lon: -40, Lat: 30}, false},
	}
	for _, c := range cases {
		if got := len(ix.Contains(c.p, nil)) > 0; got != c.want {
			t.Errorf("%s: inside = %v, want %v", c.name, got, c.want)
		}
	}
	if _, err := Load("nope"); err == nil {
		t.Error("Load(nope): no error")
	}
}
