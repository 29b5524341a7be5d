package osmand

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/server/proto"
)

// jsonFor is the body Traccar Client 9 posts for point p.
func jsonFor(i int, p point) string {
	ts := p.t.UTC().Format("2006-01-02T15:04:05.000Z")
	return fmt.Sprintf(`{"location":{"timestamp":"%s","coords":{"latitude":%s,"longitude":%s,"accuracy":%d,"speed":%d.5,"heading":-1,"altitude":%.1f},"is_moving":true,"odometer":%d,"event":"motionchange","battery":{"level":0.%02d,"is_charging":false},"activity":{"type":"walking"},"extras":{},"_":"&id=%s&lat=%s&lon=%s&timestamp=%s&"},"device_id":"%s"}`,
		ts, p.latS, p.lonS, 3+i%9, i%5, p.altM, i*12, 99-i%50, device, p.latS, p.lonS, ts, device)
}

func decodeJSONBody(t testing.TB, body string) proto.Message {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/osmand", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	msgs, err := Protocol{}.Decode(r, r.Body)
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return msgs[0]
}

func TestDecodeJSONTrack(t *testing.T) {
	for i, p := range track(t) {
		body := jsonFor(i, p)
		m := decodeJSONBody(t, body)
		rec := m.Record
		pos := geowarden.Point{Lon: p.lon, Lat: p.lat}
		if string(m.Raw) != body || rec.Pos != pos || len(rec.More) != 1 || rec.More[0] != pos {
			t.Fatalf("point %d: raw %v, pos %v, more %v", i, string(m.Raw) == body, rec.Pos, rec.More)
		}
		if rec.Source != device || !rec.Time.Equal(p.t) || rec.Accuracy != float64(3+i%9) || !rec.HasAlt {
			t.Errorf("point %d: %+v", i, rec)
		}
		if len(rec.Text) != 0 {
			t.Errorf("point %d: text %+v", i, rec.Text)
		}
		to := geowarden.Point{Lon: p.lon - 0.002, Lat: p.lat + 0.001}
		out, err := Protocol{}.Rewrite(&m, &geowarden.Edit{Move: true, Pos: to, More: []geowarden.Point{to}})
		if err != nil {
			t.Fatal(err)
		}
		la, lo := string(format.AppendCoord(nil, to.Lat)), string(format.AppendCoord(nil, to.Lon))
		want := strings.NewReplacer(`"latitude":`+p.latS, `"latitude":`+la, `"longitude":`+p.lonS, `"longitude":`+lo,
			"&lat="+p.latS, "&lat="+la, "&lon="+p.lonS, "&lon="+lo).Replace(body)
		if string(out) != want {
			t.Fatalf("point %d:\n got %s\nwant %s", i, out, want)
		}
	}
}

// traccarJSON are bodies from Traccar's own decoder test.
var traccarJSON = []string{
	`{"location":{"timestamp":"2025-06-15T13:45:12.862Z","coords":{"latitude":37.4219983,"longitude":-122.084,"accuracy":5,"speed":0,"heading":-1,"altitude":5},"is_moving":false,"odometer":0,"event":"motionchange","battery":{"level":1,"is_charging":false},"activity":{"type":"still"},"extras":{},"_":"&id=48241179&lat=37.4219983&lon=-122.084&timestamp=2025-06-15T13:45:12.862Z&"},"device_id":"48241179"}`,
	`{"location":{"timestamp":"2025-06-15T13:45:12.862Z","coords":{"latitude":37.4219983,"longitude":-122.084,"accuracy":5,"speed":0,"heading":-1,"altitude":5},"is_moving":false,"odometer":0,"event":"motionchange","battery":{"level":1,"is_charging":false},"activity":{"type":"still"},"extras":{"device_string_test":"long_device_id","device_bool_test":true,"device_bool_false_test":false,"device_integer_test":1,"device_double_test":1.345,"device_very_long_double_test":1763636.3442},"_":"&id=48241179&lat=37.4219983&lon=-122.084&timestamp=2025-06-15T13:45:12.862Z&"},"device_id":"48241179"}`,
	`{"location":{"extras":{},"mock":true,"coords":{"speed_accuracy":-1,"speed":-1,"longitude":-122.406417,"ellipsoidal_altitude":0,"floor":null,"heading_accuracy":-1,"latitude":37.785834000000001,"accuracy":5,"altitude_accuracy":-1,"altitude":0,"heading":-1},"is_moving":false,"age":188,"odometer":0,"uuid":"2FB04C65-99CF-42AB-8DD3-EBCB4B108BF8","event":"motionchange","battery":{"level":-1,"is_charging":false},"activity":{"type":"unknown","confidence":100},"timestamp":"2025-05-09T04:11:30.579Z"},"device_id":"658765"}`,
	`{"location":{"event":"motionchange","is_moving":false,"uuid":"0e9a2473-a9a7-4c00-997b-fb97d2154e75","timestamp":"2021-07-21T08:06:34.444Z","odometer":0,"coords":{"latitude":-6.1148096,"longitude":106.6837015,"accuracy":3.8,"speed":18.67,"speed_accuracy":0.26,"heading":63,"heading_accuracy":0.28,"altitude":35.7,"altitude_accuracy":3.8},"activity":{"type":"still","confidence":100},"battery":{"is_charging":false,"level":0.79},"extras":{}},"device_id":"8737767034"}`,
}

func TestTraccarJSON(t *testing.T) {
	want := []geowarden.Point{{Lon: -122.084, Lat: 37.4219983}, {Lon: -122.084, Lat: 37.4219983}, {Lon: -122.406417, Lat: 37.785834000000001}, {Lon: 106.6837015, Lat: -6.1148096}}
	for i, b := range traccarJSON {
		m := decodeJSONBody(t, b)
		if m.Record.Pos != want[i] {
			t.Errorf("body %d: %v", i, m.Record.Pos)
		}
		out, err := Protocol{}.Rewrite(&m, &geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 1, Lat: 2}, Strip: []string{"uuid", "extras"}, Set: []geowarden.Attr{{Name: "source", Value: "pseudo"}}})
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(out) || strings.Contains(string(out), "uuid") || strings.Contains(string(out), "extras") || !strings.Contains(string(out), `"device_id":"pseudo"`) {
			t.Errorf("body %d: %s", i, out)
		}
		back := decodeJSONBody(t, string(out))
		if back.Record.Pos != (geowarden.Point{Lon: 1, Lat: 2}) {
			t.Errorf("body %d: moved to %v", i, back.Record.Pos)
		}
	}
}

func TestJSONErrors(t *testing.T) {
	cases := []struct{ body, want string }{
		{`[]`, "osmand: the body is a JSON array, want an object"},
		{`{"location":{}}`, "osmand: no device_id"},
		{`{"device_id":5,"location":{}}`, "osmand: device_id: number, want string"},
		{`{"device_id":"5"}`, "osmand: no location object"},
		{`{"device_id":"5","location":{"coords":{}}}`, "osmand: no location.timestamp"},
		{`{"device_id":"5","location":{"timestamp":"now"}}`, `osmand: location.timestamp: "now" is not an ISO 8601 time`},
		{`{"device_id":"5","location":{"timestamp":"2025-06-15T13:45:12Z","coords":{"latitude":95,"longitude":1}}}`, "osmand: location.coords: coordinate out of range: latitude 95 outside -90..90"},
		{`{"device_id":"5","location":{"timestamp":"2025-06-15T13:45:12Z","coords":{"latitude":"45","longitude":1}}}`, "osmand: location.coords.latitude: string, want number"},
		{`{"device_id":"5","location":{"timestamp":"2025-06-15T13:45:12Z","coords":{"latitude":45}}}`, "osmand: location.coords without latitude and longitude"},
		{`{"device_id":"5","device_id":"6","location":{}}`, `osmand: byte 17: duplicate member "device_id"`},
		{`{"device_id":"5","location":{"timestamp":"2025-06-15T13:45:12Z","_":"&lat=1&lon=x"}}`, "osmand: location._: lon=x is not a number"},
		{`{"device_id":"5","location":{"timestamp":"2025-06-15T13:45:12Z","_":"&lat=1&lon=200"}}`, "osmand: location._: coordinate out of range: longitude 200 outside -180..180"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "/osmand", strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/json")
		_, err := Protocol{}.Decode(r, r.Body)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.body, err, c.want)
		}
	}
}

func TestJSONTextRedactRetime(t *testing.T) {
	body := `{"location":{"timestamp":"2021-07-21T08:06:34.444Z","coords":{"latitude":-6.1148096,"longitude":106.6837015},"extras":{"note":"depot at -6.2001, 106.8166","home":{"lat":-6.3,"lng":106.9}}},"device_id":"8737767034"}`
	m := decodeJSONBody(t, body)
	rec := m.Record
	if len(rec.More) != 1 || rec.More[0] != (geowarden.Point{Lon: 106.9, Lat: -6.3}) {
		t.Fatalf("more %v", rec.More)
	}
	if len(rec.Text) == 0 || rec.Text[0].Field != "location.extras.note" {
		t.Fatalf("text %+v", rec.Text)
	}
	when := time.Date(2021, 7, 21, 8, 0, 0, 0, time.UTC)
	out, err := Protocol{}.Rewrite(&m, &geowarden.Edit{Redact: []int{0}, Retime: true, Time: when, Move: true, Pos: rec.Pos, More: []geowarden.Point{{Lon: 107, Lat: -6}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"location":{"timestamp":"2021-07-21T08:00:00.000Z","coords":{"latitude":-6.1148096,"longitude":106.6837015},"extras":{"note":"depot at [position removed]","home":{"lat":-6,"lng":107}}},"device_id":"8737767034"}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}
