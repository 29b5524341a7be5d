package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/cell"
)

// Rail corridors are this wide on each side of the line.
const railBufferM = 500

type gjCollection struct {
	Type     string      `json:"type"`
	Name     string      `json:"name,omitempty"`
	Features []gjFeature `json:"features"`
}

type gjFeature struct {
	Type       string     `json:"type"`
	Properties gjProps    `json:"properties"`
	Geometry   gjGeometry `json:"geometry"`
}

type gjProps struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Class   string   `json:"class"`
	BufferM *float64 `json:"buffer_m,omitempty"`
}

type gjGeometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// lonLat returns p as a GeoJSON position, rounded to 7 decimals (1 cm).
func (g *gen) lonLat(p vec) []float64 {
	lat, lon := g.reg.ll(p)
	return []float64{round7(lon), round7(lat)}
}

func round7(x float64) float64 { return math.Round(x*1e7) / 1e7 }

func (g *gen) lonLats(pts []vec) [][]float64 {
	out := make([][]float64, len(pts))
	for i, p := range pts {
		out[i] = g.lonLat(p)
	}
	return out
}

// buildZones writes the zone file and reads it back with geowarden's zone
// reader, so the scenario's zones are exactly what geowarden loads.
func (g *gen) buildZones() error {
	fc := gjCollection{Type: "FeatureCollection", Name: "protected zones of " + g.reg.name + " (synthetic)"}
	for _, l := range g.reg.lines {
		b := float64(railBufferM)
		pts := l.line.pts // the very line trains follow
		fc.Features = append(fc.Features, gjFeature{
			Type:       "Feature",
			Properties: gjProps{ID: l.id, Name: l.name, Class: "rail", BufferM: &b},
			Geometry:   gjGeometry{Type: "LineString", Coordinates: g.lonLats(pts)},
		})
	}
	for _, s := range g.reg.sites {
		f := gjFeature{Type: "Feature", Properties: gjProps{ID: s.id, Name: s.name, Class: s.class}}
		if s.kind == siteArea {
			f.Geometry = gjGeometry{Type: "Polygon", Coordinates: [][][]float64{g.lonLats(s.ring)}}
		} else {
			b := math.Round(s.radius)
			s.radius = b
			f.Properties.BufferM = &b
			f.Geometry = gjGeometry{Type: "Point", Coordinates: g.lonLat(s.pos)}
		}
		fc.Features = append(fc.Features, f)
	}
	data, err := marshalIndent(fc)
	if err != nil {
		return err
	}
	set, err := zone.ReadGeoJSON(ZonesFile, "zones", bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("scenario: generated zones do not load: %w", err)
	}
	g.zonesJSON = data
	g.zones = set
	g.ix = cell.Build(set)
	for i, z := range g.ix.Zones() {
		g.zoneNum[z.ID] = int32(i)
	}
	return nil
}

// marshalIndent writes JSON with one feature per line: readable, diffable
// and small.
func marshalIndent(fc gjCollection) ([]byte, error) {
	var b bytes.Buffer
	head, err := json.Marshal(struct {
		Type string `json:"type"`
		Name string `json:"name,omitempty"`
	}{fc.Type, fc.Name})
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	b.Write(head[:len(head)-1])
	b.WriteString(",\"features\":[\n")
	for i, f := range fc.Features {
		d, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("scenario: %w", err)
		}
		b.Write(d)
		if i < len(fc.Features)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]}\n")
	return b.Bytes(), nil
}

// roadsJSON is the scenery that is not a zone: towns and roads.
func (g *gen) roadsJSON() []byte {
	fc := gjCollection{Type: "FeatureCollection", Name: "roads and towns of " + g.reg.name + " (synthetic; not zones)"}
	for i, t := range g.reg.towns {
		fc.Features = append(fc.Features, gjFeature{
			Type:       "Feature",
			Properties: gjProps{ID: fmt.Sprintf("town-%d", i+1), Name: t.name, Class: []string{"village", "town", "city"}[t.size]},
			Geometry:   gjGeometry{Type: "Point", Coordinates: g.lonLat(t.pos)},
		})
	}
	for i, rd := range g.reg.roads {
		var pts []vec
		for k, p := range rd.line.pts {
			if k%3 == 0 || k == len(rd.line.pts)-1 {
				pts = append(pts, p)
			}
		}
		fc.Features = append(fc.Features, gjFeature{
			Type:       "Feature",
			Properties: gjProps{ID: fmt.Sprintf("road-%d", i+1), Name: g.reg.towns[rd.a].name + " – " + g.reg.towns[rd.b].name, Class: "road"},
			Geometry:   gjGeometry{Type: "LineString", Coordinates: g.lonLats(pts)},
		})
	}
	data, _ := marshalIndent(fc) // plain values: cannot fail
	return data
}

// point converts a plane position to a geowarden point.
func (g *gen) point(p vec) geowarden.Point {
	lat, lon := g.reg.ll(p)
	return geowarden.Point{Lon: lon, Lat: lat}
}

// zoneEdge returns the distance in metres from p to zone id's boundary,
// negative inside, as geowarden measures it.
func (g *gen) zoneEdge(id string, p geowarden.Point) float64 {
	z := g.zoneNum[id]
	d := g.ix.Distance(p, z)
	var buf [8]int32
	for _, k := range g.ix.Contains(p, buf[:0]) {
		if k == z {
			return -d
		}
	}
	return d
}

// policyYAML is a policy like the built-in one, over the scenario's zones,
// with the railway's private network as a second signal class.
func (g *gen) policyYAML() []byte {
	return fmt.Appendf(nil, `# Policy of a synthetic geowarden scenario (%s).
version: 1

zones:
  - id: zones
    file: %s

signals:
  - id: gsm-r
    description: Railway radio (GSM-R, E-GSM-R, FRMCS)
    bands: ["876-880 MHz", "921-925 MHz", "873-876 MHz", "918-921 MHz", "874.4-880 MHz", "919.4-925 MHz", "1900-1910 MHz"]
  - id: railway-network
    description: %s, the railway's private mobile network
    networks: ["%d-%02d"]

# First match wins: more specific rules come first.
rules:
  - id: military
    description: Record inside a military zone.
    when: { zone_class: military }
    action: drop
    severity: critical

  - id: rail-signal
    description: Radio measurement (cell, Wi-Fi, IoT or other RF) taken inside a railway zone.
    when: { zone_class: rail, kind: [cell, wifi, iot, rf] }
    action: drop
    severity: high

  - id: rail
    description: Record inside a railway zone.
    when: { zone_class: rail }
    action: drop
    severity: medium

  - id: critical-site
    description: Record inside an energy, government or telecom site.
    when: { zone_class: [energy, government, telecom] }
    action: drop
    severity: high

  - id: gsm-r
    description: Signal in the railway radio bands (GSM-R, FRMCS), wherever it was measured.
    when: { signal: gsm-r }
    action: drop
    severity: high

  - id: railway-network
    description: Cell of the railway's private network, wherever it was measured.
    when: { signal: railway-network }
    action: drop
    severity: high

default: keep
`, g.reg.name, ZonesFile, g.reg.railName, g.reg.mcc, g.reg.railMNC)
}
