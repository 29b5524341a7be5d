//go:build ignore

// gen builds default.geojson, the built-in zone set, from the public data in
// src/. Run with: go generate ./zone/builtin
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strings"
)

type feature struct {
	Type       string         `json:"type"`
	Properties map[string]any `json:"properties"`
	Geometry   map[string]any `json:"geometry"`
}

type collection struct {
	Features []feature `json:"features"`
}

func read(path string) collection {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var c collection
	if err := json.Unmarshal(b, &c); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	return c
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func main() {
	var out []feature
	seen := map[string]int{}
	add := func(id, name, class, source string, buf float64, g map[string]any) {
		base := id
		for n := 2; seen[id] > 0; n++ {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		seen[id]++
		p := map[string]any{"id": id, "name": name, "class": class, "source": source}
		if buf > 0 {
			p["buffer_m"] = buf
		}
		out = append(out, feature{Type: "Feature", Properties: p, Geometry: g})
	}
	for _, f := range read("src/ne_10m_airports.json").Features {
		p := f.Properties
		code := str(p["iata_code"])
		if code == "" {
			code = str(p["gps_code"])
		}
		if code == "" {
			code = str(p["abbrev"])
		}
		if code == "" {
			code = strings.ToLower(strings.Join(strings.Fields(str(p["name"])), "-"))
		}
		class := "airport"
		if strings.Contains(str(p["type"]), "military") {
			class = "military"
		}
		add("ne-airport-"+code, str(p["name"]), class, "Natural Earth", 3000, f.Geometry)
	}
	for _, f := range read("src/malta_protected_zones.geojson").Features {
		p := f.Properties
		id := "osm-relation-" + str(p["osm_id"])
		if str(p["osm_id"]) == "" {
			id = "osm-way-" + str(p["osm_way_id"])
		}
		class := "military"
		if str(p["zone_class"]) == "aerodrome" {
			class = "airport"
		}
		name := str(p["name"])
		if name == "" {
			name = class + " area " + id
		}
		add(id, name, class, "© OpenStreetMap contributors (ODbL)", 0, f.Geometry)
	}
	for _, f := range read("src/monaco_railways.geojson").Features {
		p := f.Properties
		if str(p["railway"]) != "rail" {
			continue
		}
		name := str(p["name"])
		if name == "" {
			name = "railway " + str(p["osm_id"])
		}
		add("osm-way-"+str(p["osm_id"]), name, "rail", "© OpenStreetMap contributors (ODbL)", 50, f.Geometry)
	}
	f, err := os.Create("default.geojson")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(f, `{"type":"FeatureCollection","features":[`)
	for i, ft := range out {
		b, err := json.Marshal(ft)
		if err != nil {
			log.Fatal(err)
		}
		sep := ","
		if i == len(out)-1 {
			sep = ""
		}
		fmt.Fprintf(f, "%s%s\n", b, sep)
	}
	fmt.Fprintln(f, "]}")
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("default.geojson: %d zones", len(out))
}
