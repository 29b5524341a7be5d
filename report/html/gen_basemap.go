//go:build ignore

// gen_basemap converts the Natural Earth land and country outlines of the
// world-atlas npm package (TopoJSON) into assets/basemap.json, the compact
// GeoJSON base layer that every HTML report embeds:
//
//	npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
//	go run gen_basemap.go -land package/land-50m.json \
//	    -countries package/countries-50m.json -o assets/basemap.json
//
// The output holds two features: "land" (a MultiPolygon, to fill) and
// "borders" (a MultiLineString of the arcs two countries share). Positions
// are rounded to two decimals (about 1 km, finer than the 1:50m source
// draws) and repeated positions are removed. Land that crosses the
// antimeridian is cut there into a part on each side.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
)

type topology struct {
	Type      string `json:"type"`
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Objects map[string]struct {
		Type       string     `json:"type"`
		Geometries []geometry `json:"geometries"`
	} `json:"objects"`
	Arcs [][][2]float64 `json:"arcs"`
}

type geometry struct {
	Type string          `json:"type"`
	Arcs json.RawMessage `json:"arcs"`
}

func read(path string) *topology {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var t topology
	if err := json.Unmarshal(b, &t); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	if t.Type != "Topology" || t.Transform == nil {
		log.Fatalf("%s: not a quantized TopoJSON topology", path)
	}
	return &t
}

// arc returns arc i decoded to lon/lat; a negative i is arc ^i reversed.
func (t *topology) arc(i int) [][2]float64 {
	j := i
	if i < 0 {
		j = ^i
	}
	if j >= len(t.Arcs) {
		log.Fatalf("arc %d of %d", j, len(t.Arcs))
	}
	var x, y float64
	out := make([][2]float64, 0, len(t.Arcs[j]))
	for _, d := range t.Arcs[j] {
		x += d[0]
		y += d[1]
		out = append(out, [2]float64{
			x*t.Transform.Scale[0] + t.Transform.Translate[0],
			y*t.Transform.Scale[1] + t.Transform.Translate[1],
		})
	}
	if i < 0 {
		for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
			out[a], out[b] = out[b], out[a]
		}
	}
	return out
}

// ring joins arcs into one ring: each arc after the first starts where the
// previous ended.
func (t *topology) ring(arcs []int) [][2]float64 {
	var out [][2]float64
	for k, a := range arcs {
		pts := t.arc(a)
		if k > 0 {
			pts = pts[1:]
		}
		out = append(out, pts...)
	}
	return out
}

// polygons returns the polygons (rings of arc indexes) of a Polygon or
// MultiPolygon geometry.
func polygons(g geometry) [][][]int {
	switch g.Type {
	case "Polygon":
		var p [][]int
		if err := json.Unmarshal(g.Arcs, &p); err != nil {
			log.Fatal(err)
		}
		return [][][]int{p}
	case "MultiPolygon":
		var mp [][][]int
		if err := json.Unmarshal(g.Arcs, &mp); err != nil {
			log.Fatal(err)
		}
		return mp
	}
	return nil
}

func round(v float64) float64 { return math.Round(v*100) / 100 }

// compact rounds a line's positions and drops repeated ones.
func compact(pts [][2]float64) [][2]float64 {
	var out [][2]float64
	for _, p := range pts {
		q := [2]float64{round(p[0]), round(p[1])}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	return out
}

// flat reports whether a ring has no extent in latitude or longitude.
func flat(r [][2]float64) bool {
	lon, lat := r[0][0], r[0][1]
	sameLon, sameLat := true, true
	for _, p := range r {
		sameLon = sameLon && p[0] == lon
		sameLat = sameLat && p[1] == lat
	}
	return sameLon || sameLat
}

// unwrap removes the jumps of more than 180° in longitude from a ring that
// crosses the antimeridian and returns it with the shift (±360) that
// brings its copy to the other side of the world; 0 when it does not
// cross. A ring around a pole (Antarctica), which closes only through the
// jump, is returned as it is.
func unwrap(r [][2]float64) ([][2]float64, float64) {
	out := make([][2]float64, len(r))
	off := 0.0
	out[0] = r[0]
	for i := 1; i < len(r); i++ {
		d := r[i][0] - r[i-1][0]
		switch {
		case d > 180:
			off -= 360
		case d < -180:
			off += 360
		}
		out[i] = [2]float64{round(r[i][0] + off), r[i][1]}
	}
	if off != 0 {
		return r, 0 // around a pole
	}
	lo, hi := out[0][0], out[0][0]
	for _, p := range out {
		lo, hi = min(lo, p[0]), max(hi, p[0])
	}
	switch {
	case hi > 180:
		return out, -360
	case lo < -180:
		return out, 360
	}
	return out, 0
}

func shifted(r [][2]float64, d float64) [][2]float64 {
	out := make([][2]float64, len(r))
	for i, p := range r {
		out[i] = [2]float64{round(p[0] + d), p[1]}
	}
	return out
}

// clip returns the part of ring r west of longitude x (west true) or east
// of it (Sutherland-Hodgman against one meridian), closed.
func clip(r [][2]float64, x float64, west bool) [][2]float64 {
	in := func(p [2]float64) bool {
		if west {
			return p[0] <= x
		}
		return p[0] >= x
	}
	cross := func(a, b [2]float64) [2]float64 {
		t := (x - a[0]) / (b[0] - a[0])
		return [2]float64{x, round(a[1] + t*(b[1]-a[1]))}
	}
	var out [][2]float64
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		switch {
		case in(a) && in(b):
			out = append(out, b)
		case in(a):
			out = append(out, cross(a, b))
		case in(b):
			out = append(out, cross(a, b), b)
		}
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	return out
}

// splitAtAntimeridian cuts a line where it jumps more than 180° in
// longitude.
func splitAtAntimeridian(l [][2]float64) [][][2]float64 {
	var out [][][2]float64
	start := 0
	for i := 1; i < len(l); i++ {
		if math.Abs(l[i][0]-l[i-1][0]) > 180 {
			out = append(out, l[start:i])
			start = i
		}
	}
	return append(out, l[start:])
}

func main() {
	landPath := flag.String("land", "", "world-atlas land-50m.json")
	countriesPath := flag.String("countries", "", "world-atlas countries-50m.json")
	outPath := flag.String("o", "assets/basemap.json", "output GeoJSON")
	flag.Parse()
	if *landPath == "" || *countriesPath == "" {
		log.Fatal("need -land and -countries")
	}

	land := read(*landPath)
	var landPolys [][][][2]float64
	for _, g := range land.Objects["land"].Geometries {
		for _, p := range polygons(g) {
			// A polygon that crosses the antimeridian is cut there into a
			// part on each side: Leaflet draws in the plane, where a jump
			// from 180 to -180 would cross the whole world.
			polys := [][][][2]float64{nil, nil}
			for _, r := range p {
				ring := compact(land.ring(r))
				if len(ring) < 4 || flat(ring) {
					continue // collapsed at this precision
				}
				u, shift := unwrap(ring)
				if shift == 0 {
					polys[0] = append(polys[0], u)
					continue
				}
				edge := 180.0
				if shift > 0 {
					edge = -180
				}
				if a := clip(u, edge, shift < 0); len(a) >= 4 {
					polys[0] = append(polys[0], a)
				}
				if b := clip(shifted(u, shift), -edge, shift > 0); len(b) >= 4 {
					polys[1] = append(polys[1], b)
				}
			}
			for _, poly := range polys {
				if len(poly) > 0 {
					landPolys = append(landPolys, poly)
				}
			}
		}
	}

	countries := read(*countriesPath)
	users := make([]map[int]bool, len(countries.Arcs))
	for gi, g := range countries.Objects["countries"].Geometries {
		for _, p := range polygons(g) {
			for _, r := range p {
				for _, a := range r {
					if a < 0 {
						a = ^a
					}
					if users[a] == nil {
						users[a] = map[int]bool{}
					}
					users[a][gi] = true
				}
			}
		}
	}
	var borders [][][2]float64
	for a, u := range users {
		if len(u) < 2 {
			continue // a coastline: drawn as the land's edge
		}
		for _, l := range splitAtAntimeridian(compact(countries.arc(a))) {
			if len(l) >= 2 {
				borders = append(borders, l)
			}
		}
	}

	type feature struct {
		Type       string            `json:"type"`
		Properties map[string]string `json:"properties"`
		Geometry   struct {
			Type        string `json:"type"`
			Coordinates any    `json:"coordinates"`
		} `json:"geometry"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: make([]feature, 2)}
	fc.Features[0].Type, fc.Features[0].Properties = "Feature", map[string]string{"layer": "land"}
	fc.Features[0].Geometry.Type, fc.Features[0].Geometry.Coordinates = "MultiPolygon", landPolys
	fc.Features[1].Type, fc.Features[1].Properties = "Feature", map[string]string{"layer": "borders"}
	fc.Features[1].Geometry.Type, fc.Features[1].Geometry.Coordinates = "MultiLineString", borders
	b, err := json.Marshal(fc)
	if err != nil {
		log.Fatal(err)
	}
	b = append(b, '\n')
	if err := os.WriteFile(*outPath, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d land polygons, %d border lines, %d bytes\n", *outPath, len(landPolys), len(borders), len(b))
}
