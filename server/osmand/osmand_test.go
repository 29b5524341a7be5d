package osmand

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/server/proto"
)

// point is one fix of the test track, with its coordinates as written.
type point struct {
	lat, lon   float64
	latS, lonS string
	altM       float64
	t          time.Time
}

// track reads the GeoLife trajectory in testdata.
func track(t testing.TB) []point {
	t.Helper()
	f, err := os.Open("testdata/geolife-005-20081029184230.plt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pts []point
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if n <= 6 {
			continue
		}
		c := strings.Split(strings.TrimSpace(sc.Text()), ",")
		lat, _ := strconv.ParseFloat(c[0], 64)
		lon, _ := strconv.ParseFloat(c[1], 64)
		ft, _ := strconv.ParseFloat(c[3], 64)
		tm, err := time.Parse("2006-01-02 15:04:05", c[5]+" "+c[6])
		if err != nil {
			t.Fatal(err)
		}
		pts = append(pts, point{lat, lon, c[0], c[1], ft * 0.3048, tm})
	}
	if len(pts) < 100 {
		t.Fatalf("track has %d points", len(pts))
	}
	return pts
}

const device = "353861053849681"

// query is the parameter string a Traccar Client sends for point p (the
// token first, as an app puts it in the server URL).
func queryFor(i int, p point) (withToken, without string) {
	q := fmt.Sprintf("id=%s&timestamp=%d&lat=%s&lon=%s&speed=%d.0&bearing=%d.5&altitude=%.1f&accuracy=%d&batt=%d",
		device, p.t.Unix(), p.latS, p.lonS, i%13, i*7%360, p.altM, 3+i%9, 100-i%50)
	return "token=gw_secret&" + q, q
}

func TestDecodeTrack(t *testing.T) {
	pts := track(t)
	for i, p := range pts {
		withToken, raw := queryFor(i, p)
		reqs := map[string]*http.Request{
			"GET":        httptest.NewRequest(http.MethodGet, "/osmand?"+withToken, nil),
			"POST query": httptest.NewRequest(http.MethodPost, "/osmand?"+withToken, nil),
		}
		form := httptest.NewRequest(http.MethodPost, "/osmand?token=gw_secret", strings.NewReader(raw))
		form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		reqs["POST form"] = form
		for name, r := range reqs {
			msgs, err := Protocol{}.Decode(r, r.Body)
			if err != nil {
				t.Fatalf("point %d, %s: %v", i, name, err)
			}
			if len(msgs) != 1 {
				t.Fatalf("point %d, %s: %d messages", i, name, len(msgs))
			}
			m := msgs[0]
			rec := m.Record
			if string(m.Raw) != raw {
				t.Errorf("point %d, %s: Raw %q, want %q", i, name, m.Raw, raw)
			}
			if rec.Shape != geowarden.ShapePoint || rec.Pos != (geowarden.Point{Lon: p.lon, Lat: p.lat}) {
				t.Errorf("point %d, %s: position %v, want %v,%v", i, name, rec.Pos, p.lat, p.lon)
			}
			if !rec.Time.Equal(p.t) || rec.Source != device || rec.Kind != geowarden.KindFix {
				t.Errorf("point %d, %s: time %v source %q kind %v", i, name, rec.Time, rec.Source, rec.Kind)
			}
			if !rec.HasAlt || fmt.Sprintf("%.1f", p.altM) != strconv.FormatFloat(rec.Alt, 'f', 1, 64) || !rec.HasAccuracy || rec.Accuracy != float64(3+i%9) {
				t.Errorf("point %d, %s: alt %v accuracy %v", i, name, rec.Alt, rec.Accuracy)
			}
			if want := device + "|" + strconv.FormatInt(p.t.UnixMilli(), 10); m.Key != want {
				t.Errorf("point %d, %s: key %q, want %q", i, name, m.Key, want)
			}
			if v, ok := rec.Attrs.Attr("batt"); !ok || v != strconv.Itoa(100-i%50) {
				t.Errorf("point %d, %s: batt %q", i, name, v)
			}
			if v, _ := rec.Attrs.Attr("source"); v != device {
				t.Errorf("point %d, %s: source attribute %q", i, name, v)
			}
			if len(rec.Text) != 0 || len(rec.More) != 0 {
				t.Errorf("point %d, %s: text %v more %v", i, name, rec.Text, rec.More)
			}
		}
	}
}

// traccarTests are requests from Traccar's own decoder test: true when
// Traccar accepts them.
var traccarTests = []struct {
	query string
	ok    bool
}{
	{"id=123456&timestamp=1377177267&cell=257,02,16,2224&cell=257,02,16,2223,-90&wifi=00-14-22-01-23-45,-80&wifi=00-1C-B3-09-85-15,-70", false}, // several radio parameters: refused here
	{"timestamp=1377177267&lat=60.0&lon=30.0", false},
	{"id=902064&lat=42.06288&lon=-88.23412&timestamp=2016-01-27T18%3A55%3A47Z&hdop=6.0&altitude=224.0&speed=0.0", true},
	{"id=902064&lat=42.06288&lon=-88.23412&timestamp=1442068686579&hdop=6.0&altitude=224.0&speed=0.0", true},
	{"lat=49.60688&lon=6.15788&timestamp=2014-06-04+09%3A10%3A11&altitude=384.7&speed=0.0&id=353861053849681", true},
	{"id=123456&timestamp=1377177267&lat=60.0&lon=30.0&speed=0.0&bearing=0.0&altitude=0&hdop=0.0", true},
	{"id=123456&timestamp=1377177267&lat=60.0&lon=30.0", true},
	{"lat=60.0&lon=30.0&speed=0.0&heading=0.0&vacc=0&hacc=0&altitude=0&deviceid=123456", true},
	{"id=861001000719969&lat=41.666667&lon=-0.883333&altitude=350.059479&speed=0.000000&batt=87", true},
	{"id=123456&timestamp=1377177267&location=60.0,30.0", true},
	{"id=123456789012345&timestamp=1504763810&lat=40.7232948571&lon=-74.0061408571&bearing=7.19889788244&speed=40&ignition=true&rpm=933&fuel=24", true},
	{"id=123456&timestamp=1377177267&cell=257,02,16,2224", true},
}

func TestTraccarRequests(t *testing.T) {
	for _, c := range traccarTests {
		r := httptest.NewRequest(http.MethodGet, "/?"+c.query, nil)
		msgs, err := Protocol{}.Decode(r, r.Body)
		if (err == nil) != c.ok {
			t.Errorf("%s: error %v, want ok=%v", c.query, err, c.ok)
			continue
		}
		if err != nil {
			continue
		}
		if string(msgs[0].Raw) != c.query {
			t.Errorf("%s: Raw %q", c.query, msgs[0].Raw)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/?id=123456&timestamp=1377177267&location=60.0,30.0", nil)
	msgs, _ := Protocol{}.Decode(r, nil)
	if got := msgs[0].Record.Pos; got != (geowarden.Point{Lon: 30, Lat: 60}) {
		t.Errorf("location: %v", got)
	}
	r = httptest.NewRequest(http.MethodGet, "/?id=123456&timestamp=1377177267&cell=257,02,16,2224,-90", nil)
	msgs, _ = Protocol{}.Decode(r, nil)
	rec := msgs[0].Record
	if rec.Kind != geowarden.KindCell || rec.Signal.MCC != 257 || rec.Signal.MNC != 2 || rec.Signal.Area != 16 || rec.Signal.Cell != 2224 || rec.Signal.Strength != -90 || rec.Shape != geowarden.ShapeNone {
		t.Errorf("cell: %+v", rec)
	}
	r = httptest.NewRequest(http.MethodGet, "/?id=1&wifi=00-14-22-01-23-45,-80", nil)
	msgs, _ = Protocol{}.Decode(r, nil)
	if s := msgs[0].Record.Signal; msgs[0].Record.Kind != geowarden.KindWifi || s.BSSID != "00:14:22:01:23:45" || s.Strength != -80 {
		t.Errorf("wifi: %+v", msgs[0].Record)
	}
	if k := msgs[0].Key; !strings.HasPrefix(k, "sha256:") {
		t.Errorf("key of a report without a time: %q", k)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct{ query, want string }{
		{"lat=1.5&lon=2.5", "osmand: no id or deviceid parameter"},
		{"id=1&deviceid=2&lat=1&lon=2", "osmand: parameter deviceid given twice (or both id and deviceid)"},
		{"id=1&lat=1&lat=2&lon=2", "osmand: parameter lat given twice (or both id and deviceid)"},
		{"id=1&lat=1.5", "osmand: lat without lon, or lon without lat"},
		{"id=1&lat=NaN&lon=2", `osmand: parameter lat: "NaN" is not a number`},
		{"id=1&lat=0x10&lon=2", `osmand: parameter lat: "0x10" is not a number`},
		{"id=1&lat=&lon=2", `osmand: parameter lat: "" is not a number`},
		{"id=1&lat=91&lon=2", "osmand: parameter lat/lon: coordinate out of range: latitude 91 outside -90..90"},
		{"id=1&lat=1&lon=-180.5", "osmand: parameter lat/lon: coordinate out of range: longitude -180.5 outside -180..180"},
		{"id=1&location=1", `osmand: parameter location: "1" is not lat,lon`},
		{"id=1&speed=fast", `osmand: parameter speed: "fast" is not a number`},
		{"id=1&altitude=Infinity", `osmand: parameter altitude: "Infinity" is not a number`},
		{"id=1&timestamp=yesterday", `osmand: parameter timestamp: "yesterday": not a time (want unix seconds or milliseconds, ISO 8601 or yyyy-MM-dd HH:mm:ss)`},
		{"id=1&timestamp=1.5", `osmand: parameter timestamp: "1.5": not a time (want unix seconds or milliseconds, ISO 8601 or yyyy-MM-dd HH:mm:ss)`},
		{"id=1&timestamp=99999999999999999", `osmand: parameter timestamp: "99999999999999999": not a time (want unix seconds or milliseconds, ISO 8601 or yyyy-MM-dd HH:mm:ss)`},
		{"id=1&note=a%zz", "osmand: parameter note: malformed percent escape"},
		{"id=1&lat=1;lon=2", "osmand: ';' at byte 10 of the parameters (a separator for some readers, not for others)"},
		{"id=1&cell=1,2,3", `osmand: parameter cell: "1,2,3" is not mcc,mnc,lac,cid[,rssi]`},
		{"id=1&wifi=aa,bb", `osmand: parameter wifi: "aa,bb" is not mac,rssi`},
		{"id=1&cell=1,2,3,4&wifi=aa,-5", "osmand: more than one cell or wifi parameter (each would be a record of its own; only one is read)"},
		{"token=x", "osmand: no parameters in the query string or the body"},
		{strings.Repeat("a=1&", MaxParams) + "id=1", "osmand: more than 256 parameters"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodGet, "/?"+c.query, nil)
		_, err := Protocol{}.Decode(r, r.Body)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.query, err, c.want)
		}
	}
}

func TestStripToken(t *testing.T) {
	cases := []struct{ in, want string }{
		{"token=a&id=1", "id=1"},
		{"id=1&token=a", "id=1"},
		{"id=1&token=a&lat=2", "id=1&lat=2"},
		{"id=1&%74oken=a&lat=2", "id=1&lat=2"},
		{"id=1&tokens=a", "id=1&tokens=a"},
		{"id=1&note=token", "id=1&note=token"},
		{"id=1&&lat=2&", "id=1&&lat=2&"},
		{"token=x&&a=1", "&a=1"},
		{"a=1&&token=x", "a=1&"},
		{"a=1&token=x&token=y&b=2", "a=1&b=2"},
	}
	for _, c := range cases {
		if got := string(stripToken(c.in)); got != c.want {
			t.Errorf("%s: got %s, want %s", c.in, got, c.want)
		}
	}
}

// decodeOne decodes a GET with query q.
func decodeOne(t testing.TB, q string) proto.Message {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/?"+q, nil)
	msgs, err := Protocol{}.Decode(r, r.Body)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return msgs[0]
}

// params splits a parameter string.
func params(s string) []string { return strings.Split(s, "&") }

func TestRewriteMoveTrack(t *testing.T) {
	pts := track(t)
	for i, p := range pts {
		_, raw := queryFor(i, p)
		m := decodeOne(t, raw)
		to := geowarden.Point{Lon: p.lon + 0.01, Lat: p.lat - 0.01}
		out, err := Protocol{}.Rewrite(&m, &geowarden.Edit{Move: true, Pos: to})
		if err != nil {
			t.Fatal(err)
		}
		a, b := params(raw), params(string(out))
		if len(a) != len(b) {
			t.Fatalf("point %d: %q became %q", i, raw, out)
		}
		for k := range a {
			switch {
			case strings.HasPrefix(a[k], "lat="):
				if b[k] != "lat="+string(format.AppendCoord(nil, to.Lat)) {
					t.Errorf("point %d: %s", i, b[k])
				}
			case strings.HasPrefix(a[k], "lon="):
				if b[k] != "lon="+string(format.AppendCoord(nil, to.Lon)) {
					t.Errorf("point %d: %s", i, b[k])
				}
			case a[k] != b[k]:
				t.Errorf("point %d: %s became %s", i, a[k], b[k])
			}
		}
		back := decodeOne(t, string(out))
		if d := back.Record.Pos; abs(d.Lat-to.Lat) > 1e-7 || abs(d.Lon-to.Lon) > 1e-7 {
			t.Errorf("point %d: rewritten position reads %v, want %v", i, d, to)
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestRewrite(t *testing.T) {
	when := time.Date(2008, 10, 29, 18, 40, 0, 0, time.UTC)
	cases := []struct {
		name, in string
		edit     geowarden.Edit
		want     string
	}{
		{"location", "id=1&location=60.0%2C30.0&x=1", geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 30.5, Lat: 60.25}}, "id=1&location=60.25,30.5&x=1"},
		{"lat lon and location", "id=1&lat=60.0&lon=30.0&location=60.0,30.0", geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 31, Lat: 61}, More: []geowarden.Point{{Lon: 32, Lat: 62}}}, "id=1&lat=61&lon=31&location=62,32"},
		{"named pair", "id=1&lat=1.5&lon=2.5&dest_lat=40.1234&dest_lon=116.5", geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 2.5, Lat: 1.5}, More: []geowarden.Point{{Lon: 116, Lat: 40}}}, "id=1&lat=1.5&lon=2.5&dest_lat=40&dest_lon=116"},
		{"e7 pair", "id=1&latitudeE7=401234567&longitudeE7=1165000000", geowarden.Edit{Move: true, More: []geowarden.Point{{Lon: 116.1, Lat: 40.2}}}, "id=1&latitudeE7=402000000&longitudeE7=1161000000"},
		{"retime seconds", "id=1&timestamp=1225305750&lat=1&lon=2", geowarden.Edit{Retime: true, Time: when}, "id=1&timestamp=1225305600&lat=1&lon=2"},
		{"retime millis", "id=1&timestamp=1225305750123&lat=1&lon=2", geowarden.Edit{Retime: true, Time: when}, "id=1&timestamp=1225305600000&lat=1&lon=2"},
		{"retime iso", "id=1&timestamp=2008-10-29T18%3A42%3A30Z", geowarden.Edit{Retime: true, Time: when}, "id=1&timestamp=2008-10-29T18%3A40%3A00Z"},
		{"retime iso fraction", "id=1&timestamp=2008-10-29T18:42:30.250Z", geowarden.Edit{Retime: true, Time: when}, "id=1&timestamp=2008-10-29T18%3A40%3A00.000Z"},
		{"retime space", "id=1&timestamp=2008-10-29+18%3A42%3A30", geowarden.Edit{Retime: true, Time: when}, "id=1&timestamp=2008-10-29+18%3A40%3A00"},
		{"strip source", "id=1&lat=1&lon=2&batt=5", geowarden.Edit{Strip: []string{"source"}}, "lat=1&lon=2&batt=5"},
		{"strip names", "id=1&lat=1&lon=2&Batt=5&fuel=3", geowarden.Edit{Strip: []string{"BATT", "fuel"}}, "id=1&lat=1&lon=2"},
		{"strip cell role", "id=1&cell=262,1,2,3", geowarden.Edit{Strip: []string{"mcc"}}, "id=1"},
		{"set source", "deviceid=353861053849681&lat=1&lon=2", geowarden.Edit{Set: []geowarden.Attr{{Name: "source", Value: "ps/ab cd"}}}, "deviceid=ps%2Fab+cd&lat=1&lon=2"},
		{"set after move", "id=1&lat=1&lon=2", geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 3, Lat: 4}, Set: []geowarden.Attr{{Name: "lat", Value: "x"}}}, "id=1&lat=4&lon=3"},
		{"redact", "id=1&note=meet+at+35.8506%2C14.4506+ok&lat=1&lon=2", geowarden.Edit{Redact: []int{0}}, "id=1&note=meet+at+%5Bposition+removed%5D+ok&lat=1&lon=2"},
		{"empty segments kept", "id=1&&lat=1&lon=2&", geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 3, Lat: 4}}, "id=1&&lat=4&lon=3&"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := decodeOne(t, c.in)
			out, err := Protocol{}.Rewrite(&m, &c.edit)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != c.want {
				t.Errorf("got  %s\nwant %s", out, c.want)
			}
			if _, err := url.ParseQuery(string(out)); err != nil {
				t.Errorf("not a query string: %v", err)
			}
		})
	}
	m := decodeOne(t, "id=1&cell=262,1,2,3")
	if _, err := (Protocol{}).Rewrite(&m, &geowarden.Edit{Set: []geowarden.Attr{{Name: "cell", Value: "x"}}}); err == nil {
		t.Error("a pseudonym written into a cell parameter")
	}
}

func TestTextAndMore(t *testing.T) {
	m := decodeOne(t, "id=1&lat=1.5&lon=2.5&note=parked+at+35.8506,14.4506&dest_lat=40.1&dest_lon=116.3&plain=12.345")
	rec := m.Record
	if len(rec.More) != 1 || rec.More[0] != (geowarden.Point{Lon: 116.3, Lat: 40.1}) {
		t.Errorf("more %v", rec.More)
	}
	if len(rec.Text) == 0 || rec.Text[0].Field != "note" || rec.Text[0].Pos != (geowarden.Point{Lon: 14.4506, Lat: 35.8506}) {
		t.Errorf("text %+v", rec.Text)
	}
}

// upstream is a test server that records what it receives.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
}

type received struct {
	method, query, contentType string
	body                       []byte
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, received{r.Method, r.URL.RawQuery, r.Header.Get("Content-Type"), b})
		u.mu.Unlock()
	}))
	t.Cleanup(u.Close)
	return u
}

func send(t *testing.T, reqs []*http.Request) {
	t.Helper()
	for _, r := range reqs {
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("upstream answered %s", resp.Status)
		}
	}
}

func TestForwardTrack(t *testing.T) {
	up := newUpstream(t)
	pts := track(t)[:40]
	base, _ := url.Parse(up.URL + "/?key=upstream")
	var outs []proto.Out
	var want []received
	for i, p := range pts {
		withToken, raw := queryFor(i, p)
		var r *http.Request
		switch i % 4 {
		case 0:
			r = httptest.NewRequest(http.MethodGet, "/osmand?"+withToken, nil)
			want = append(want, received{"GET", "key=upstream&" + raw, "", nil})
		case 1:
			r = httptest.NewRequest(http.MethodPost, "/osmand?"+withToken, nil)
			want = append(want, received{"POST", "key=upstream&" + raw, "", nil})
		case 2:
			r = httptest.NewRequest(http.MethodPost, "/osmand?token=x", strings.NewReader(raw))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			want = append(want, received{"POST", "key=upstream", "application/x-www-form-urlencoded", []byte(raw)})
		case 3:
			body := jsonFor(i, p)
			r = httptest.NewRequest(http.MethodPost, "/osmand?token=x", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json; charset=utf-8")
			want = append(want, received{"POST", "key=upstream", "application/json; charset=utf-8", []byte(body)})
		}
		msgs, err := Protocol{}.Decode(r, r.Body)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, proto.Out{Body: msgs[0].Raw, Meta: msgs[0].Meta})
	}
	reqs, err := Protocol{}.Forward(context.Background(), base, outs)
	if err != nil {
		t.Fatal(err)
	}
	send(t, reqs)
	if len(up.reqs) != len(want) {
		t.Fatalf("upstream got %d requests, want %d", len(up.reqs), len(want))
	}
	for i, w := range want {
		g := up.reqs[i]
		if g.method != w.method || g.query != w.query || g.contentType != w.contentType || !bytes.Equal(g.body, w.body) {
			t.Errorf("request %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestReply(t *testing.T) {
	w := httptest.NewRecorder()
	Protocol{}.Reply(w, httptest.NewRequest(http.MethodGet, "/", nil), proto.Result{Received: 1, Kept: 1})
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("reply %d %q", w.Code, w.Body.String())
	}
}

func BenchmarkDecodeGET(b *testing.B) {
	r := httptest.NewRequest(http.MethodGet, "/osmand?token=gw_abcdefghijklmnopqrstuvwxyz012345&id=353861053849681&timestamp=1225305750&lat=40.000094&lon=116.327037&speed=0.0&bearing=12.5&altitude=34.4&accuracy=5&batt=87", nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Protocol{}).Decode(r, nil); err != nil {
			b.Fatal(err)
		}
	}
}
