package geosubmit

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/sanitize"
	"github.com/geowarden/geowarden/server/proto"
	"github.com/geowarden/geowarden/zone"
)

// stages is what the gateway does to each message: classify, decide, edit.
type stages struct {
	cl  *classify.Session
	pol *policy.Policy
	ed  *sanitize.Editor
}

func newStages(t *testing.T, zonesJSON, policyYAML string) *stages {
	t.Helper()
	set, err := zone.ReadGeoJSON("zones.geojson", "test", strings.NewReader(zonesJSON))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("policy.yml", []byte(policyYAML))
	if err != nil {
		t.Fatal(err)
	}
	cl := classify.New(zone.NewIndex(set), p.Signals).Session()
	return &stages{cl: cl, pol: p, ed: sanitize.NewEditor(cl, p, nil)}
}

func (s *stages) edit(rec *geowarden.Record) geowarden.Edit {
	var c geowarden.Classified
	s.cl.Classify(rec, &c)
	return s.ed.Edit(&c, s.pol.Decide(&c))
}

func (s *stages) inside(p geowarden.Point) bool {
	var c geowarden.Classified
	s.cl.Classify(&geowarden.Record{Shape: geowarden.ShapePoint, Pos: p, Attrs: noAttrs{}}, &c)
	return len(c.Zones) > 0
}

type noAttrs struct{}

func (noAttrs) Attr(string) (string, bool) { return "", false }

// run takes msgs through the stages as the gateway does: kept messages go
// as they are, edited ones rewritten, dropped ones not at all.
func (s *stages) run(t *testing.T, msgs []proto.Message) []proto.Out {
	t.Helper()
	var outs []proto.Out
	for i := range msgs {
		m := &msgs[i]
		e := s.edit(&m.Record)
		switch {
		case e.Drop:
		case e.IsKeep():
			outs = append(outs, proto.Out{Body: m.Raw, Meta: m.Meta})
		default:
			b, err := Protocol{}.Rewrite(m, &e)
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			outs = append(outs, proto.Out{Body: b, Meta: m.Meta})
		}
	}
	return outs
}

// box is a zone around the middle third of the drive.
func box(its []testItem) string {
	lo, hi := its[40], its[80]
	minLon, maxLon := math.Min(lo.lon, hi.lon)-0.0002, math.Max(lo.lon, hi.lon)+0.0002
	minLat, maxLat := math.Min(lo.lat, hi.lat)-0.0002, math.Max(lo.lat, hi.lat)+0.0002
	return fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"barracks","class":"military"},"geometry":{"type":"Polygon","coordinates":[[[%[1]v,%[3]v],[%[2]v,%[3]v],[%[2]v,%[4]v],[%[1]v,%[4]v],[%[1]v,%[3]v]]]}}]}`,
		minLon, maxLon, minLat, maxLat)
}

const dropPolicy = `
signals:
  - id: gsm-r
    description: GSM-R railway radio
    bands: ["921-925 MHz"]
rules:
  - id: military
    when: { zone_class: military }
    action: drop
    severity: critical
  - id: gsm-r
    when: { signal: [gsm-r] }
    action: drop
    severity: high
default: keep
`

// TestZonesAndSignals: through the gateway's stages, an item whose
// position is in a military zone does not go upstream at all; a GSM-R
// neighbour cell is removed from its item and the rest of the item goes;
// items with nothing protected go byte for byte.
func TestZonesAndSignals(t *testing.T) {
	its := items(t)
	s := newStages(t, box(its), dropPolicy)
	up := newUpstream(t)
	up.forward(t, s.run(t, decode(t, body(its))))
	var want []string
	inside := 0
	for _, it := range its {
		if s.inside(geowarden.Point{Lon: it.lon, Lat: it.lat}) {
			inside++
			continue
		}
		switch {
		case it.gsmr:
			want = append(want, it.noGSMR)
		case it.noMap:
			want = append(want, makeItemKeepingCells(it))
		default:
			want = append(want, it.text)
		}
	}
	if inside < 20 || inside > 100 {
		t.Fatalf("%d items inside the zone", inside)
	}
	if len(up.items) != len(want) {
		t.Fatalf("upstream got %d items, want %d", len(up.items), len(want))
	}
	for i := range want {
		if up.items[i] != want[i] {
			t.Errorf("item %d:\n got %s\nwant %s", i, up.items[i], want[i])
		}
		if strings.Contains(up.items[i], `"arfcn": 960`) {
			t.Errorf("item %d: the GSM-R cell went upstream", i)
		}
	}
}

// TestCoarsenFix: a policy that coarsens fixes and keeps radio records
// sends each item's fix, moved, as an item of its own, and its
// observations together at the position they were kept at.
func TestCoarsenFix(t *testing.T) {
	its := items(t)[:12]
	s := newStages(t, box(items(t)), `
rules:
  - id: fixes
    when: { kind: fix }
    action: { coarsen: 1km }
default: keep
`)
	up := newUpstream(t)
	up.forward(t, s.run(t, decode(t, body(its))))
	if len(up.items) != 2*len(its) {
		t.Fatalf("upstream got %d items, want %d", len(up.items), 2*len(its))
	}
	for i, it := range its {
		fix, obs := up.items[2*i], up.items[2*i+1]
		if strings.Contains(fix, it.r.lat) || !strings.Contains(fix, `"cellTowers": []`) || !strings.Contains(fix, `"wifiAccessPoints": []`) {
			t.Errorf("item %d: fix %s", i, fix)
		}
		if !strings.Contains(obs, it.r.lat) || strings.Count(obs, `"macAddress"`) != it.wifis || strings.Count(obs, `"radioType"`) != it.cells {
			t.Errorf("item %d: observations %s", i, obs)
		}
	}
}
