package geosubmit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/server/proto"
)

func TestDecodeErrors(t *testing.T) {
	cases := []struct{ body, want string }{
		{`[]`, "geosubmit: the body is a JSON array, want an object with items"},
		{`{"item":[]}`, `geosubmit: no "items" array`},
		{`{"items":{}}`, `geosubmit: no "items" array`},
		{`{"items":[5]}`, "geosubmit: items[0]: a JSON number, want an object"},
		{`{"items":[{"position":[1,2]}]}`, "geosubmit: items[0].position: array, want object"},
		{`{"items":[{"position":{"latitude":1}}]}`, "geosubmit: items[0].position: latitude without longitude, or longitude without latitude"},
		{`{"items":[{"position":{"latitude":"1","longitude":2}}]}`, "geosubmit: items[0].position.latitude: string, want number"},
		{`{"items":[{"position":{"latitude":-91,"longitude":2}}]}`, "geosubmit: items[0].position: coordinate out of range: latitude -91 outside -90..90"},
		{`{"items":[{"position":{"latitude":1,"longitude":2,"speed":"fast"}}]}`, "geosubmit: items[0].position.speed: string, want number"},
		{`{"items":[{"position":{"latitude":1,"longitude":2,"altitude":1e999}}]}`, "geosubmit: items[0].position.altitude: 1e999 is not a finite number"},
		{`{"items":[{"timestamp":-1}]}`, "geosubmit: items[0].timestamp: -1 is not a time in milliseconds since 1970"},
		{`{"items":[{"timestamp":1.5e12}]}`, "geosubmit: items[0].timestamp: 1.5e12 is not a time in milliseconds since 1970"},
		{`{"items":[{},{"cellTowers":{}}]}`, "geosubmit: items[1].cellTowers: object, want array"},
		{`{"items":[{"cellTowers":[[]]}]}`, "geosubmit: items[0].cellTowers[0]: a JSON array, want an object"},
		{`{"items":[{"cellTowers":[{"cellId":1.5}]}]}`, "geosubmit: items[0].cellTowers[0].cellId: 1.5 is not an integer between -1 and 2^40"},
		{`{"items":[{"cellTowers":[{"mobileCountryCode":-2}]}]}`, "geosubmit: items[0].cellTowers[0].mobileCountryCode: -2 is not an integer between -1 and 2^40"},
		{`{"items":[{"cellTowers":[{"radioType":3}]}]}`, "geosubmit: items[0].cellTowers[0].radioType: number, want string"},
		{`{"items":[{"wifiAccessPoints":[{"macAddress":1}]}]}`, "geosubmit: items[0].wifiAccessPoints[0].macAddress: number, want string"},
		{`{"items":[{"wifiAccessPoints":[{"ssid":"x","frequency":"2437"}]}]}`, "geosubmit: items[0].wifiAccessPoints[0].frequency: string, want number"},
		{`{"items":[{"bluetoothBeacons":[{"name":5}]}]}`, "geosubmit: items[0].bluetoothBeacons[0].name: number, want string"},
		{`{"items":[{"a":1,"a":2}]}`, `geosubmit: byte 17: duplicate member "a"`},
		{`{"items":[{"wifiAccessPoints":[` + strings.Repeat(`{},`, MaxObservations) + `{}]}]}`, "geosubmit: items[0]: more than 2000 observations"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "/v2/geosubmit", strings.NewReader(c.body))
		_, err := Protocol{}.Decode(r, r.Body)
		if err == nil || err.Error() != c.want {
			t.Errorf("%.80s:\n got %v\nwant %s", c.body, err, c.want)
		}
	}
}

func TestNoMap(t *testing.T) {
	b := `{"items":[{"position":{"latitude":51.9,"longitude":-8.4},"wifiAccessPoints":[
		{"macAddress":"02:00:00:00:00:01","ssid":"a_nomap"},
		{"macAddress":"02:00:00:00:00:02","ssid":"b_NOMAP"},
		{"macAddress":"02:00:00:00:00:03","ssid":"c\u005fnomap"},
		{"macAddress":"02:00:00:00:00:04","ssid":"d_nomap_not"},
		{"macAddress":"02:00:00:00:00:05"}]}]}`
	msgs := decode(t, b)
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want the fix and two access points", len(msgs))
	}
	for _, m := range msgs {
		for _, mac := range []string{":01", ":02", ":03"} {
			if strings.Contains(string(m.Raw), "00:00:00:00"+mac) {
				t.Errorf("a _nomap access point in %s", m.Raw)
			}
		}
	}
	up := newUpstream(t)
	up.forward(t, outsOf(msgs))
	want := `{"position":{"latitude":51.9,"longitude":-8.4},"wifiAccessPoints":[{"macAddress":"02:00:00:00:00:04","ssid":"d_nomap_not"},{"macAddress":"02:00:00:00:00:05"}]}`
	if len(up.items) != 1 || up.items[0] != want {
		t.Errorf("upstream got %q", up.items)
	}
}

func TestRewriteObservation(t *testing.T) {
	b := `{"items":[{"timestamp":1576318590000,"position":{"latitude":51.935604,"longitude":-8.388186},"note":"near 51.9401, -8.3902",
		"wifiAccessPoints":[{"macAddress":"02:1a:11:f0:00:01","ssid":"Cork-Guest","frequency":2437},{"macAddress":"02:1a:11:f0:00:02","ssid":"cafe at 51.9350, -8.3880"}]}]}`
	msgs := decode(t, b)
	if len(msgs) != 3 {
		t.Fatalf("%d messages", len(msgs))
	}
	ap := msgs[1]
	if v, _ := ap.Record.Attrs.Attr("bssid"); v != "02:1a:11:f0:00:01" {
		t.Errorf("bssid attribute %q", v)
	}
	if v, _ := ap.Record.Attrs.Attr("time"); v != "1576318590000" {
		t.Errorf("time attribute %q", v)
	}
	out, err := Protocol{}.Rewrite(&ap, &geowarden.Edit{Strip: []string{"ssid", "frequency"}, Set: []geowarden.Attr{{Name: "bssid", Value: "ps_1"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"timestamp":1576318590000,"position":{"latitude":51.935604,"longitude":-8.388186},"note":"near 51.9401, -8.3902",
		"wifiAccessPoints":[{"macAddress":"ps_1"}]}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	cafe := msgs[2]
	// Both readings of each ambiguous pair.
	if len(cafe.Record.Text) != 4 || cafe.Record.Text[0].Field != "note" || cafe.Record.Text[2].Field != "wifiAccessPoints[0].ssid" {
		t.Fatalf("text %+v", cafe.Record.Text)
	}
	out, err = Protocol{}.Rewrite(&cafe, &geowarden.Edit{Redact: []int{0, 3}, Move: true, Pos: geowarden.Point{Lon: -8.39, Lat: 51.94}})
	if err != nil {
		t.Fatal(err)
	}
	want = `{"timestamp":1576318590000,"position":{"latitude":51.94,"longitude":-8.39},"note":"near [position removed]",
		"wifiAccessPoints":[{"macAddress":"02:1a:11:f0:00:02","ssid":"cafe at [position removed]"}]}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

// TestForwardApart: an item's messages forwarded in separate calls go as
// items of their own, each complete; two copies of an item in one call
// make two items.
func TestForwardApart(t *testing.T) {
	its := items(t)[:3]
	msgs := decode(t, body(its))
	up := newUpstream(t)
	for _, m := range msgs {
		up.forward(t, outsOf([]proto.Message{m}))
	}
	if len(up.items) != len(msgs) {
		t.Fatalf("%d items, want %d", len(up.items), len(msgs))
	}
	for _, it := range up.items {
		var v struct {
			Position struct{ Latitude, Longitude float64 }
		}
		if err := json.Unmarshal([]byte(it), &v); err != nil || v.Position.Latitude == 0 {
			t.Errorf("item %s: %v", it, err)
		}
	}
	up2 := newUpstream(t)
	one := decode(t, `{"items":[`+its[1].text+`]}`)
	up2.forward(t, outsOf(append(one, one...)))
	if len(up2.items) != 2 || up2.items[0] != its[1].text || up2.items[1] != its[1].text {
		t.Errorf("two copies: %d items", len(up2.items))
	}
}

func TestBadMeta(t *testing.T) {
	for _, m := range []string{"", "g1", "g2 abc f", "g1 abc o", "g1 abc o x:1:", "g1 abc o w:1:zz", "g1 abc o w:1:41", "g1 abc f c:1:0"} {
		if _, err := parseMeta([]byte(m)); err == nil {
			t.Errorf("%q accepted", m)
		}
	}
	if _, err := (Protocol{}).Forward(t.Context(), nil, []proto.Out{{Body: []byte(`{}`), Meta: []byte("g1 x f")}, {Body: []byte(`{"wifiAccessPoints":[{},{}]}`), Meta: []byte("g1 x o w:0:")}}); err == nil {
		t.Error("a message with two observations forwarded")
	}
}
