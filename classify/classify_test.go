package classify

import (
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

func classifier(t *testing.T) *Classifier {
	t.Helper()
	set, err := zone.ReadGeoJSON("z", "z", strings.NewReader(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"site","class":"military","buffer_m":500},"geometry":{"type":"Point","coordinates":[10,50]}},
{"type":"Feature","properties":{"id":"base","class":"military"},"geometry":{"type":"Polygon","coordinates":[[[20,20],[20.1,20],[20.1,20.1],[20,20.1],[20,20]]]}}
]}`))
	if err != nil {
		t.Fatal(err)
	}
	gsmr := geowarden.SignalClass{ID: "gsm-r", Bands: []geowarden.Band{{LoMHz: 921, HiMHz: 925}}}
	net := geowarden.SignalClass{ID: "rail-net", Networks: []geowarden.Network{{MCC: 460, MNC: 20, HasMNC: true}}}
	return New(zone.NewIndex(set), []geowarden.SignalClass{gsmr, net})
}

func ring(minLon, minLat, maxLon, maxLat float64) [][]geowarden.Point {
	return [][]geowarden.Point{{{Lon: minLon, Lat: minLat}, {Lon: maxLon, Lat: minLat}, {Lon: maxLon, Lat: maxLat}, {Lon: minLon, Lat: maxLat}, {Lon: minLon, Lat: minLat}}}
}

func TestClassify(t *testing.T) {
	c := classifier(t)
	cases := []struct {
		name    string
		rec     geowarden.Record
		zones   string
		signals string
	}{
		{"point in circle", geowarden.Record{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 10.001, Lat: 50}}, "site", ""},
		{"point outside", geowarden.Record{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 11, Lat: 50}}, "", ""},
		{"no position", geowarden.Record{Shape: geowarden.ShapeNone}, "", ""},
		{"line passing through circle, vertices outside", geowarden.Record{Shape: geowarden.ShapeLine, Lines: [][]geowarden.Point{{{Lon: 9.9, Lat: 50}, {Lon: 10.1, Lat: 50}}}}, "site", ""},
		{"line passing by", geowarden.Record{Shape: geowarden.ShapeLine, Lines: [][]geowarden.Point{{{Lon: 9.9, Lat: 50.01}, {Lon: 10.1, Lat: 50.01}}}}, "", ""},
		{"polygon around the whole base", geowarden.Record{Shape: geowarden.ShapeArea, Areas: [][][]geowarden.Point{ring(19, 19, 21, 21)}}, "base", ""},
		{"polygon overlapping the base's edge", geowarden.Record{Shape: geowarden.ShapeArea, Areas: [][][]geowarden.Point{ring(20.05, 19.9, 20.2, 20.05)}}, "base", ""},
		{"polygon inside the base", geowarden.Record{Shape: geowarden.ShapeArea, Areas: [][][]geowarden.Point{ring(20.01, 20.01, 20.02, 20.02)}}, "base", ""},
		{"polygon elsewhere", geowarden.Record{Shape: geowarden.ShapeArea, Areas: [][][]geowarden.Point{ring(30, 30, 31, 31)}}, "", ""},
		{"GSM-R downlink", geowarden.Record{Shape: geowarden.ShapeNone, Signal: geowarden.Signal{FreqMHz: 922.4}}, "", "gsm-r"},
		{"ordinary GSM", geowarden.Record{Shape: geowarden.ShapeNone, Signal: geowarden.Signal{FreqMHz: 947.6}}, "", ""},
		{"railway network", geowarden.Record{Shape: geowarden.ShapeNone, Signal: geowarden.Signal{MCC: 460, MNC: 20, HasMNC: true}}, "", "rail-net"},
		{"other network", geowarden.Record{Shape: geowarden.ShapeNone, Signal: geowarden.Signal{MCC: 460, MNC: 0, HasMNC: true}}, "", ""},
	}
	var s Scratch
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out geowarden.Classified
			c.Classify(&tc.rec, &s, &out)
			var zs []string
			for _, z := range out.Zones {
				zs = append(zs, z.ID)
			}
			if got := strings.Join(zs, ","); got != tc.zones {
				t.Errorf("zones = %q, want %q", got, tc.zones)
			}
			if got := strings.Join(out.Signals, ","); got != tc.signals {
				t.Errorf("signals = %q, want %q", got, tc.signals)
			}
		})
	}
}
