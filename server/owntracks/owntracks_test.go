package owntracks

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/nacl/secretbox"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/server/proto"
)

var fixedTime = time.Date(2017, 7, 29, 14, 46, 35, 0, time.UTC)

type point struct {
	lat, lon, ele float64
	t             time.Time
}

var trkpt = regexp.MustCompile(`(?s)<trkpt lat="([^"]+)" lon="([^"]+)">\s*<ele>([^<]+)</ele>\s*<time>([^<]+)</time>`)

// track reads the Garmin run in testdata, rounded to 1e-7 degrees as the
// apps send positions.
func track(t testing.TB) []point {
	t.Helper()
	b, err := os.ReadFile("testdata/garmin-activity-150.gpx")
	if err != nil {
		t.Fatal(err)
	}
	var pts []point
	for _, m := range trkpt.FindAllSubmatch(b, -1) {
		lat, _ := strconv.ParseFloat(string(m[1]), 64)
		lon, _ := strconv.ParseFloat(string(m[2]), 64)
		ele, _ := strconv.ParseFloat(string(m[3]), 64)
		tm, err := time.Parse(time.RFC3339, string(m[4]))
		if err != nil {
			t.Fatal(err)
		}
		pts = append(pts, point{math.Round(lat*1e7) / 1e7, math.Round(lon*1e7) / 1e7, ele, tm})
	}
	if len(pts) != 150 {
		t.Fatalf("track has %d points", len(pts))
	}
	return pts
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// locationMsg is the location message the iOS app posts at point p.
func locationMsg(i int, p point) string {
	return fmt.Sprintf(`{"_type":"location","acc":%d,"alt":%d,"batt":%d,"bs":1,"conn":"w","created_at":%d,"lat":%s,"lon":%s,"m":2,"t":"t","tid":"jr","tst":%d,"vac":3,"vel":%d,"SSID":"casual-stroll","BSSID":"a0:ec:f9:1e:32:c1","inregions":["park"],"topic":"owntracks/jane/watch"}`,
		4+i%6, int(p.ele), 90-i/10, p.t.Unix()+2, num(p.lat), num(p.lon), p.t.Unix(), i%12)
}

// transitionMsg is the transition the app posts on leaving a region at p.
func transitionMsg(p point) string {
	return fmt.Sprintf(`{"_type":"transition","acc":5,"desc":"park","event":"leave","lat":%s,"lon":%s,"t":"c","tid":"jr","tst":%d,"wtst":1501300000,"rid":"a1b2c3"}`,
		num(p.lat), num(p.lon), p.t.Unix())
}

// Pass messages: no position.
var (
	cardMsg  = `{"_type":"card","name":"Jane Roe","face":"iVBORw0KGgoAAAANSUhEUgAAACgAAAAoCAYAAACM/rhtAAAAB3RJTUUH3woVDDEo+Dk=","tid":"jr"}`
	lwtMsg   = `{"_type":"lwt","tst":1501336000}`
	stepsMsg = `{"_type":"steps","tst":1501339600,"steps":4211,"from":1501300000,"to":1501339600}`
)

func waypointsMsg(pts []point) string {
	return fmt.Sprintf(`{"_type":"waypoints","waypoints":[{"_type":"waypoint","desc":"park","lat":%s,"lon":%s,"rad":150,"tst":1501300000},{"_type":"waypoint","desc":"home","lat":%s,"lon":%s,"rad":50,"tst":1501200000}]}`,
		num(pts[0].lat), num(pts[0].lon), num(pts[len(pts)-1].lat), num(pts[len(pts)-1].lon))
}

func post(body string, hdr map[string]string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/owntracks", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	return r
}

var janeWatch = map[string]string{"X-Limit-U": "jane", "X-Limit-D": "watch"}

func decode(t testing.TB, p *Protocol, r *http.Request) []proto.Message {
	t.Helper()
	msgs, err := p.Decode(r, r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestDecodeTrackSingle(t *testing.T) {
	p, _ := New()
	for i, pt := range track(t) {
		body := locationMsg(i, pt)
		msgs := decode(t, p, post(body, janeWatch))
		if len(msgs) != 1 {
			t.Fatalf("point %d: %d messages", i, len(msgs))
		}
		m := msgs[0]
		rec := m.Record
		if string(m.Raw) != body || m.Pass {
			t.Fatalf("point %d: raw %s pass %v", i, m.Raw, m.Pass)
		}
		if rec.Shape != geowarden.ShapePoint || rec.Pos != (geowarden.Point{Lon: pt.lon, Lat: pt.lat}) || !rec.Time.Equal(pt.t) {
			t.Errorf("point %d: %v %v", i, rec.Pos, rec.Time)
		}
		if rec.Source != "jane/watch" || rec.Kind != geowarden.KindFix || rec.Signal.SSID != "casual-stroll" || rec.Signal.BSSID != "a0:ec:f9:1e:32:c1" {
			t.Errorf("point %d: %+v", i, rec)
		}
		if !rec.HasAlt || rec.Alt != float64(int(pt.ele)) || rec.Accuracy != float64(4+i%6) {
			t.Errorf("point %d: alt %v acc %v", i, rec.Alt, rec.Accuracy)
		}
		if want := fmt.Sprintf("jane/watch|location|%d", pt.t.Unix()); m.Key != want {
			t.Errorf("point %d: key %q, want %q", i, m.Key, want)
		}
		if string(m.Meta) != "d=watch&u=jane" {
			t.Errorf("meta %q", m.Meta)
		}
		if len(rec.Text) != 0 || len(rec.More) != 0 {
			t.Errorf("point %d: text %v more %v", i, rec.Text, rec.More)
		}
		if v, ok := rec.Attrs.Attr("source"); !ok || v != "jr" {
			t.Errorf("source attribute %q", v)
		}
	}
}

// batch is the body of a queued batch the app posts, and its messages.
func batch(pts []point, from, n int) (string, []string) {
	var msgs []string
	for i := from; i < from+n && i < len(pts); i++ {
		msgs = append(msgs, locationMsg(i, pts[i]))
		if i%7 == 0 {
			msgs = append(msgs, transitionMsg(pts[i]))
		}
	}
	msgs = append(msgs, cardMsg, lwtMsg, stepsMsg, waypointsMsg(pts))
	return "[\n  " + strings.Join(msgs, ",\n  ") + "\n]", msgs
}

func TestDecodeArray(t *testing.T) {
	p, _ := New()
	pts := track(t)
	for from := 0; from < len(pts); from += 25 {
		body, want := batch(pts, from, 25)
		r := post(body, nil)
		r.SetBasicAuth("jane", "gw_token")
		msgs := decode(t, p, r)
		if len(msgs) != len(want) {
			t.Fatalf("%d messages, want %d", len(msgs), len(want))
		}
		for i, m := range msgs {
			if string(m.Raw) != want[i] {
				t.Errorf("message %d: raw %s", i, m.Raw)
			}
			if m.Record.Ref.Feature != i || m.Record.Source != "jane" {
				t.Errorf("message %d: ref %v source %q", i, m.Record.Ref, m.Record.Source)
			}
			typ := struct {
				Type string `json:"_type"`
			}{}
			json.Unmarshal(m.Raw, &typ)
			switch typ.Type {
			case "location", "transition":
				if m.Pass || m.Record.Shape != geowarden.ShapePoint {
					t.Errorf("message %d (%s): pass %v", i, typ.Type, m.Pass)
				}
			case "waypoints":
				if m.Pass || m.Record.Shape != geowarden.ShapeNone || len(m.Record.More) != 2 || m.Record.More[1] != (geowarden.Point{Lon: pts[len(pts)-1].lon, Lat: pts[len(pts)-1].lat}) {
					t.Errorf("waypoints: %+v", m.Record)
				}
			default:
				if !m.Pass || m.Record.Shape != geowarden.ShapeNone || len(m.Record.More) != 0 {
					t.Errorf("message %d (%s): pass %v", i, typ.Type, m.Pass)
				}
			}
		}
	}
}

func TestIdentity(t *testing.T) {
	p, _ := New()
	body := `{"_type":"location","lat":1.5,"lon":2.5,"tst":1501339595,"tid":"jr","topic":"owntracks/jane/phone"}`
	cases := []struct {
		name, target string
		hdr          map[string]string
		auth         string
		source, meta string
	}{
		{"headers", "/owntracks", janeWatch, "", "jane/watch", "d=watch&u=jane"},
		{"query", "/owntracks?u=jane&d=phone&token=x", nil, "", "jane/phone", "d=phone&u=jane"},
		{"basic", "/owntracks", nil, "jane", "jane", "u=jane"},
		{"topic", "/owntracks", nil, "", "owntracks/jane/phone", ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, c.target, strings.NewReader(body))
		for k, v := range c.hdr {
			r.Header.Set(k, v)
		}
		if c.auth != "" {
			r.SetBasicAuth(c.auth, "gw_token")
		}
		m := decode(t, p, r)[0]
		if m.Record.Source != c.source || string(m.Meta) != c.meta {
			t.Errorf("%s: source %q meta %q", c.name, m.Record.Source, m.Meta)
		}
	}
	m := decode(t, p, post(`{"_type":"location","lat":1.5,"lon":2.5,"tst":1,"tid":"jr"}`, nil))[0]
	if m.Record.Source != "jr" {
		t.Errorf("tid: %q", m.Record.Source)
	}
}

func TestEmptyBodies(t *testing.T) {
	p, _ := New()
	for _, b := range []string{"", " \n", "[]", " [ ] "} {
		msgs, err := p.Decode(post(b, nil), strings.NewReader(b))
		if err != nil || len(msgs) != 0 {
			t.Errorf("%q: %d messages, %v", b, len(msgs), err)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	p, _ := New()
	cases := []struct{ body, want string }{
		{`"location"`, "owntracks: the body is a JSON string, want an object or an array of objects"},
		{`[{"_type":"lwt"}, 5]`, "owntracks: message 1: a JSON number, want an object"},
		{`{"lat":1,"lon":2}`, "owntracks: message 0: no _type"},
		{`{"_type":7}`, "owntracks: message 0: _type: number, want string"},
		{`{"_type":"location","lat":1}`, "owntracks: message 0: lat without lon, or lon without lat"},
		{`{"_type":"location","tst":1}`, "owntracks: message 0: a location without lat and lon"},
		{`{"_type":"location","lat":91,"lon":1}`, "coordinate out of range: latitude 91 outside -90..90"},
		{`{"_type":"location","lat":"north","lon":1}`, `owntracks: message 0: lat, lon: "north", 1 are not numbers`},
		{`{"_type":"location","lat":true,"lon":1}`, `owntracks: message 0: lat, lon: true, 1 are not numbers`},
		{`{"_type":"location","lat":1,"lon":2,"tst":-5}`, "owntracks: message 0: tst: -5 is not a unix time in seconds"},
		{`{"_type":"location","lat":1,"lon":2,"tst":1.5}`, "owntracks: message 0: tst: 1.5 is not a unix time in seconds"},
		{`{"_type":"location","lat":1,"lon":2,"alt":"high"}`, `owntracks: message 0: alt: "high" is not a number`},
		{`{"_type":"location","lat":1,"lat":2,"lon":2}`, `owntracks: byte 28: duplicate member "lat"`},
		{`[{"_type":"lwt"},{"_type":"encrypted","data":"AAAA"}]`, "owntracks: message 1: an encrypted payload, and no key is configured (WithKey)"},
		{`{"_type":"location","lat":1,"lon":2} {}`, `owntracks: byte 37: unexpected '{' after the JSON value`},
	}
	for _, c := range cases {
		_, err := p.Decode(post(c.body, nil), strings.NewReader(c.body))
		if err == nil || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %s", c.body, err, c.want)
		}
	}
	big := "[" + strings.Repeat(`{"_type":"lwt"},`, MaxMessages) + `{"_type":"lwt"}]`
	if _, err := p.Decode(post(big, nil), strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "at most 10000") {
		t.Errorf("too many messages: %v", err)
	}
}

func TestTextInPassMessages(t *testing.T) {
	p, _ := New()
	body := `[{"_type":"card","name":"parked at 37.2417, -121.9723","tid":"jr","face":"MzcuMjQxNywgLTEyMS45NzIz"},{"_type":"cmd","action":"setWaypoints","waypoints":{"_type":"waypoints","waypoints":[{"desc":"depot","lat":37.25,"lon":-121.98,"rad":100,"tst":1}]}}]`
	msgs := decode(t, p, post(body, nil))
	card := msgs[0]
	if !card.Pass || len(card.Record.Text) == 0 || card.Record.Text[0].Field != "name" || card.Record.Text[0].Pos != (geowarden.Point{Lon: -121.9723, Lat: 37.2417}) {
		t.Fatalf("card: pass %v text %+v", card.Pass, card.Record.Text)
	}
	out, err := p.Rewrite(&card, &geowarden.Edit{Redact: []int{0}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"_type":"card","name":"parked at [position removed]","tid":"jr","face":"MzcuMjQxNywgLTEyMS45NzIz"}`; string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	cmd := msgs[1]
	if cmd.Pass || len(cmd.Record.More) != 1 || cmd.Record.More[0] != (geowarden.Point{Lon: -121.98, Lat: 37.25}) {
		t.Errorf("cmd with waypoints: pass %v more %v", cmd.Pass, cmd.Record.More)
	}
}

func TestRewriteTrack(t *testing.T) {
	p, _ := New()
	when := time.Date(2017, 7, 29, 14, 0, 0, 0, time.UTC)
	for i, pt := range track(t) {
		body := locationMsg(i, pt)
		m := decode(t, p, post(body, janeWatch))[0]
		to := geowarden.Point{Lon: math.Round(pt.lon*1e3) / 1e3, Lat: math.Round(pt.lat*1e3) / 1e3}
		out, err := p.Rewrite(&m, &geowarden.Edit{Move: true, Pos: to, Retime: true, Time: when})
		if err != nil {
			t.Fatal(err)
		}
		want := strings.NewReplacer(`"lat":`+num(pt.lat)+",", `"lat":`+string(format.AppendCoord(nil, to.Lat))+",",
			`"lon":`+num(pt.lon)+",", `"lon":`+string(format.AppendCoord(nil, to.Lon))+",",
			fmt.Sprintf(`"tst":%d,`, pt.t.Unix()), fmt.Sprintf(`"tst":%d,`, when.Unix())).Replace(body)
		if string(out) != want {
			t.Fatalf("point %d:\n got %s\nwant %s", i, out, want)
		}
	}
	m := decode(t, p, post(locationMsg(0, track(t)[0]), janeWatch))[0]
	out, err := p.Rewrite(&m, &geowarden.Edit{Strip: []string{"ssid", "bssid", "inregions"}, Set: []geowarden.Attr{{Name: "source", Value: "p1"}}})
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	if _, ok := v["SSID"]; ok || v["tid"] != "p1" || v["topic"] != "p1" || v["inregions"] != nil || v["BSSID"] != nil {
		t.Errorf("strip and set: %s", out)
	}
}

func TestRewriteWaypoints(t *testing.T) {
	p, _ := New()
	pts := track(t)
	m := decode(t, p, post(waypointsMsg(pts), nil))[0]
	to := []geowarden.Point{{Lon: -121.9, Lat: 37.2}, {Lon: -121.8, Lat: 37.3}}
	out, err := p.Rewrite(&m, &geowarden.Edit{Move: true, More: to})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_type":"waypoints","waypoints":[{"_type":"waypoint","desc":"park","lat":37.2,"lon":-121.9,"rad":150,"tst":1501300000},{"_type":"waypoint","desc":"home","lat":37.3,"lon":-121.8,"rad":50,"tst":1501200000}]}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

// encrypt is what the app does with a message when it has a secret.
func encrypt(t testing.TB, secret, plain string, nonceByte byte) string {
	var key [32]byte
	copy(key[:], secret)
	var nonce [24]byte
	for i := range nonce {
		nonce[i] = nonceByte + byte(i)
	}
	box := secretbox.Seal(nonce[:], []byte(plain), &nonce, &key)
	return `{"_type":"encrypted","data":"` + base64.StdEncoding.EncodeToString(box) + `"}`
}

func decryptData(t testing.TB, secret string, wrapper []byte) string {
	t.Helper()
	var w struct{ Data string }
	if err := json.Unmarshal(wrapper, &w); err != nil {
		t.Fatal(err)
	}
	box, _ := base64.StdEncoding.DecodeString(w.Data)
	var key [32]byte
	copy(key[:], secret)
	var nonce [24]byte
	copy(nonce[:], box)
	plain, ok := secretbox.Open(nil, box[24:], &nonce, &key)
	if !ok {
		t.Fatal("does not decrypt")
	}
	return string(plain)
}

func TestEncrypted(t *testing.T) {
	const secret = "mysecreTpass01"
	pts := track(t)
	plain := locationMsg(3, pts[3])
	body := "[" + encrypt(t, secret, plain, 1) + "," + encrypt(t, secret, cardMsg, 2) + "]"
	noKey, _ := New()
	if _, err := noKey.Decode(post(body, nil), strings.NewReader(body)); err == nil || !strings.Contains(err.Error(), "no key is configured") {
		t.Errorf("without a key: %v", err)
	}
	wrong, _ := New(WithKey([]byte("another")))
	if _, err := wrong.Decode(post(body, nil), strings.NewReader(body)); err == nil || !strings.Contains(err.Error(), "does not decrypt with the configured key") {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := New(WithKey(bytes.Repeat([]byte("k"), 33))); err == nil {
		t.Error("a 33-byte key accepted")
	}
	p, err := New(WithKey([]byte(secret)))
	if err != nil {
		t.Fatal(err)
	}
	msgs := decode(t, p, post(body, janeWatch))
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	loc := msgs[0]
	if loc.Pass || loc.Record.Pos != (geowarden.Point{Lon: pts[3].lon, Lat: pts[3].lat}) || !strings.HasPrefix(string(loc.Raw), `{"_type":"encrypted"`) {
		t.Fatalf("encrypted location: %+v %s", loc.Record, loc.Raw)
	}
	if want := fmt.Sprintf("jane/watch|location|%d", pts[3].t.Unix()); loc.Key != want {
		t.Errorf("key %q", loc.Key)
	}
	if !msgs[1].Pass {
		t.Error("encrypted card is not a pass message")
	}
	to := geowarden.Point{Lon: -122, Lat: 37}
	out1, err := p.Rewrite(&loc, &geowarden.Edit{Move: true, Pos: to})
	if err != nil {
		t.Fatal(err)
	}
	out2, _ := p.Rewrite(&loc, &geowarden.Edit{Move: true, Pos: to})
	if bytes.Equal(out1, out2) {
		t.Error("two encryptions with the same nonce")
	}
	got := decryptData(t, secret, out1)
	want := strings.NewReplacer(`"lat":`+num(pts[3].lat)+",", `"lat":37,`, `"lon":`+num(pts[3].lon)+",", `"lon":-122,`).Replace(plain)
	if got != want {
		t.Errorf("decrypted rewrite:\n got %s\nwant %s", got, want)
	}
	if strings.Contains(string(out1), num(pts[3].lat)) {
		t.Error("the rewritten message shows the position in clear")
	}
}

type received struct {
	u, d, ct string
	body     []byte
}

func TestForwardArray(t *testing.T) {
	var mu sync.Mutex
	var got []received
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		user, pass, _ := r.BasicAuth()
		if user != "recorder" || pass != "s3cret" || r.Method != http.MethodPost || r.URL.Path != "/pub" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, received{r.Header.Get("X-Limit-U"), r.Header.Get("X-Limit-D"), r.Header.Get("Content-Type"), b})
		mu.Unlock()
		w.Write([]byte("[]"))
	}))
	defer up.Close()
	base, _ := url.Parse(up.URL)
	base.Path, base.User = "/pub", url.UserPassword("recorder", "s3cret")
	p, _ := New()
	body, want := batch(track(t), 0, 30)
	msgs := decode(t, p, post(body, janeWatch))
	var outs []proto.Out
	for _, m := range msgs {
		outs = append(outs, proto.Out{Body: m.Raw, Meta: m.Meta})
	}
	reqs, err := p.Forward(context.Background(), base, outs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("upstream: %s", resp.Status)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("upstream got %d posts, want %d", len(got), len(want))
	}
	for i := range want {
		if g := got[i]; g.u != "jane" || g.d != "watch" || g.ct != "application/json" || string(g.body) != want[i] {
			t.Errorf("post %d: %+v", i, g)
		}
	}
}

func TestReply(t *testing.T) {
	p, _ := New()
	w := httptest.NewRecorder()
	p.Reply(w, post("", nil), proto.Result{})
	if w.Code != 200 || w.Body.String() != "[]" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("reply %d %q %q", w.Code, w.Body.String(), w.Header().Get("Content-Type"))
	}
}

func BenchmarkDecodeArray(b *testing.B) {
	pts := track(b)
	var msgs []string
	for i, p := range pts {
		msgs = append(msgs, locationMsg(i, p))
	}
	body := "[" + strings.Join(msgs, ",") + "]"
	p, _ := New()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Decode(post(body, janeWatch), strings.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}
