// Package builtin holds the zone sets built into geowarden, made from
// public data that ships with it (see src/PROVENANCE.md): Natural Earth
// airports, and OpenStreetMap military areas, aerodromes and railways
// (© OpenStreetMap contributors, ODbL 1.0).
package builtin

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"

	"github.com/geowarden/geowarden/zone"
)

//go:generate go run gen.go

//go:embed default.geojson
var defaultGeoJSON []byte

var sets = map[string][]byte{
	"default": defaultGeoJSON,
}

// Names returns the names of the built-in zone sets.
func Names() []string {
	var n []string
	for k := range sets {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Load returns the built-in zone set with the given name. Its id is
// "builtin:" + name.
func Load(name string) (*zone.Set, error) {
	b, ok := sets[name]
	if !ok {
		return nil, fmt.Errorf("zone: no built-in zone set %q (have %v)", name, Names())
	}
	return zone.ReadGeoJSON("builtin:"+name, "builtin:"+name, bytes.NewReader(b))
}
