package geosubmit

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/server/internal/protojson"
	"github.com/geowarden/geowarden/server/proto"
)

// FuzzDecode: Decode never panics; no message it makes holds a _nomap
// access point or more than one observation; forwarding every message
// gives back the items (byte for byte when nothing was left out), which
// decode to the same messages; a Rewrite that moves the positions reads
// back moved.
func FuzzDecode(f *testing.F) {
	f.Add(`{"items":[{"timestamp":1405602028568,"position":{"latitude":-22.7539192,"longitude":-43.4371081,"accuracy":10.0,"age":1000,"altitude":100.0,"altitudeAccuracy":50.0,"heading":45.0,"pressure":1013.25,"speed":3.6,"source":"gps"},"connection":{"ip":"192.168.1.15"},"bluetoothBeacons":[{"macAddress":"ff:74:27:89:5a:77","age":2000,"name":"beacon","signalStrength":-110}],"cellTowers":[{"radioType":"lte","mobileCountryCode":208,"mobileNetworkCode":1,"locationAreaCode":2,"cellId":12345,"age":3000,"asu":31,"primaryScramblingCode":5,"serving":1,"signalStrength":-51,"timingAdvance":1}],"wifiAccessPoints":[{"macAddress":"01:23:45:67:89:ab","age":5000,"channel":6,"frequency":2437,"radioType":"802.11n","signalToNoiseRatio":13,"signalStrength":-77},{"macAddress":"23:45:67:89:ab:cd"}]}]}`)
	f.Add(`{"items":[{"position":{"latitude":1,"longitude":2},"wifiAccessPoints":[ {"ssid":"x_nomap"} , {"ssid":"at 1.5000, 2.5000"} ],"extra":{"lat":3,"lng":4}}, {}]}`)
	f.Add(`{"items":[{"cellTowers":[],"wifiAccessPoints":[ ]}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/v2/geosubmit", strings.NewReader(body))
		msgs, err := Protocol{}.Decode(r, r.Body)
		if err != nil {
			return
		}
		obs := 0
		for i, m := range msgs {
			var p part
			if err := p.read(m.Raw); err != nil {
				t.Fatalf("message %d %q: %v", i, m.Raw, err)
			}
			for _, a := range p.x.arrays {
				if a >= 0 {
					for c := p.doc.Nodes[a].First; c >= 0; c = p.doc.Nodes[c].Next {
						if noMap(&p.doc, c) {
							t.Fatalf("message %d holds a _nomap access point: %q", i, m.Raw)
						}
					}
				}
			}
			if p.obs >= 0 {
				obs++
			}
			move := func(q geowarden.Point) geowarden.Point {
				return geowarden.Point{Lon: math.Round(q.Lon/2*1e5) / 1e5, Lat: math.Round(q.Lat/2*1e5) / 1e5}
			}
			e := geowarden.Edit{Move: true, Pos: move(m.Record.Pos)}
			for _, q := range m.Record.More {
				e.More = append(e.More, move(q))
			}
			out, err := Protocol{}.Rewrite(&m, &e)
			if err != nil {
				t.Fatalf("rewrite %q: %v", m.Raw, err)
			}
			var back part
			if err := back.read(out); err != nil {
				t.Fatalf("rewritten %q: %v", out, err)
			}
			if m.Record.Shape == geowarden.ShapePoint && back.rec.Pos != e.Pos || len(back.rec.More) != len(e.More) || back.rec.Kind != m.Record.Kind || back.rec.Signal != m.Record.Signal {
				t.Fatalf("moved %q to %q: %+v", m.Raw, out, back.rec)
			}
		}
		var outs []proto.Out
		for _, m := range msgs {
			outs = append(outs, proto.Out{Body: m.Raw, Meta: m.Meta})
		}
		u, _ := url.Parse("http://127.0.0.1:1/v2/geosubmit")
		reqs, err := Protocol{}.Forward(context.Background(), u, outs)
		if err != nil {
			t.Fatalf("forward: %v", err)
		}
		var again []proto.Message
		var items []string
		for _, req := range reqs {
			b, _ := io.ReadAll(req.Body)
			ms, err := Protocol{}.Decode(req, bytes.NewReader(b))
			if err != nil {
				t.Fatalf("forwarded %q does not decode: %v", b, err)
			}
			again = append(again, ms...)
			var d protojson.Doc
			if err := d.Parse(b); err != nil {
				t.Fatal(err)
			}
			it := d.Get(0, "items")
			for c := d.Nodes[it].First; c >= 0; c = d.Nodes[c].Next {
				items = append(items, string(d.Raw(c)))
			}
		}
		if len(again) != len(msgs) {
			t.Fatalf("%d messages, %d after forwarding", len(msgs), len(again))
		}
		for i := range msgs {
			if !bytes.Equal(again[i].Raw, msgs[i].Raw) {
				t.Fatalf("message %d: %q, forwarded %q", i, msgs[i].Raw, again[i].Raw)
			}
		}
		if strings.Contains(strings.ToLower(body), "nomap") {
			return
		}
		var d protojson.Doc
		d.Parse([]byte(body))
		k := 0
		its := d.Get(0, "items")
		for c := d.Nodes[its].First; c >= 0; c, k = d.Nodes[c].Next, k+1 {
			if k >= len(items) || items[k] != string(d.Raw(c)) {
				t.Fatalf("item %d: sent %q, forwarded %q", k, d.Raw(c), items)
			}
		}
	})
}
