package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"golang.org/x/crypto/nacl/secretbox"
)

// TestProtocolsRealTrack sends the points of a real track through each
// device protocol of the built-in table, one report a point, against a
// zone over part of them: the upstream receives, in the protocol's own
// form, exactly the reports outside the zone (byte for byte, less the
// token), and none inside.
func TestProtocolsRealTrack(t *testing.T) {
	tr := csvTrack(t)
	zone, _, inside := zoneOver(t, tr, 75, 170)
	type report struct {
		method, path, query, ctype string
		header                     http.Header
		body                       string
	}
	for _, tc := range []struct {
		name string
		// report is point i's request; want is what the upstream gets of
		// it (the query, or the body).
		report func(i int, p geowarden.Point) (report, string)
		// got reads what the upstream received as the reports it holds.
		got func(t *testing.T, r received) []string
	}{
		{"osmand", func(i int, p geowarden.Point) (report, string) {
			q := fmt.Sprintf("id=353861053849681&timestamp=%d&lat=%v&lon=%v&speed=%d.5&batt=87", 1576318590+i, p.Lat, p.Lon, i%30)
			return report{method: "GET", path: "/osmand", query: q}, q
		}, func(t *testing.T, r received) []string {
			if r.method != "GET" {
				t.Errorf("upstream got %s, want GET", r.method)
			}
			return []string{r.query}
		}},
		{"owntracks", func(i int, p geowarden.Point) (report, string) {
			b := fmt.Sprintf(`{"_type":"location","tid":"p7","lat":%v,"lon":%v,"tst":%d,"acc":5,"batt":80}`, p.Lat, p.Lon, 1576318590+i)
			h := http.Header{"X-Limit-U": {"alice"}, "X-Limit-D": {"phone"}}
			return report{method: "POST", path: "/owntracks", ctype: "application/json", header: h, body: b}, b
		}, func(t *testing.T, r received) []string {
			return []string{string(r.body)}
		}},
		{"geosubmit", func(i int, p geowarden.Point) (report, string) {
			item := fmt.Sprintf(`{"timestamp":%d,"position":{"latitude":%v,"longitude":%v,"accuracy":10}}`, int64(1576318590+i)*1000, p.Lat, p.Lon)
			return report{method: "POST", path: "/v2/geosubmit", ctype: "application/json", body: `{"items":[` + item + `]}`}, item
		}, func(t *testing.T, r received) []string {
			var b struct{ Items []json.RawMessage }
			if err := json.Unmarshal(r.body, &b); err != nil {
				t.Fatalf("upstream body %s: %v", r.body, err)
			}
			var out []string
			for _, it := range b.Items {
				out = append(out, string(it))
			}
			return out
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := newUpstream(t)
			g := startGateway(t, up, gwOptions{zone: zone, protocols: Protocols()})
			tok := g.token(t, "phone-17", RoleIngest)
			var want []string
			for i, p := range tr.points {
				rep, w := tc.report(i, p)
				url := g.url + rep.path + "?token=" + tok
				if rep.query != "" {
					url = g.url + rep.path + "?" + rep.query + "&token=" + tok
				}
				req, _ := http.NewRequest(rep.method, url, strings.NewReader(rep.body))
				for k, v := range rep.header {
					req.Header[k] = v
				}
				if rep.ctype != "" {
					req.Header.Set("Content-Type", rep.ctype)
				}
				resp, err := g.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("report %d: %d", i, resp.StatusCode)
				}
				if !zone.inside(t, p) {
					want = append(want, w)
				}
			}
			waitFor(t, "every report outside the zone upstream", func() bool {
				n := 0
				for _, r := range up.received() {
					n += len(tc.got(t, r))
				}
				return n >= len(want)
			})
			time.Sleep(100 * time.Millisecond)
			var got []string
			for _, r := range up.received() {
				if strings.Contains(r.query, tok) || strings.Contains(string(r.body), tok) {
					t.Fatal("the token was forwarded")
				}
				got = append(got, tc.got(t, r)...)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("upstream got %d reports, want the %d outside the zone (%d inside)", len(got), len(want), inside)
				for i := range min(3, len(got)) {
					t.Logf("got  %s", got[i])
				}
				for i := range min(3, len(want)) {
					t.Logf("want %s", want[i])
				}
			}
		})
	}
}

// encryptOwnTracks is what the OwnTracks app does with a message when it
// has a secret (libsodium's secretbox, the key padded with zero bytes).
func encryptOwnTracks(secret, plain string) string {
	var key [32]byte
	copy(key[:], secret)
	var nonce [24]byte
	rand.Read(nonce[:])
	box := secretbox.Seal(nonce[:], []byte(plain), &nonce, &key)
	return `{"_type":"encrypted","data":"` + base64.StdEncoding.EncodeToString(box) + `"}`
}

// TestOwnTracksKey: encrypted OwnTracks payloads are refused unless the
// route has a key (routes.owntracks.key); with one they are decrypted and
// decided like any other: one inside the zone never leaves. A key on a
// route whose protocol takes none is an error.
func TestOwnTracksKey(t *testing.T) {
	const secret = "correct horse battery staple"
	in := encryptOwnTracks(secret, `{"_type":"location","tid":"p7","lat":50.001,"lon":10.001,"tst":1576318590}`)
	out := encryptOwnTracks(secret, `{"_type":"location","tid":"p7","lat":45,"lon":3,"tst":1576318600}`)
	post := func(g *gateway, tok, body string) (int, string) {
		req, _ := http.NewRequest("POST", g.url+"/owntracks", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := g.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	t.Run("no key", func(t *testing.T) {
		g := startGateway(t, newUpstream(t), gwOptions{protocols: Protocols()})
		if code, b := post(g, g.token(t, "p", RoleIngest), out); code != 400 || !strings.Contains(b, "no key") {
			t.Errorf("encrypted payload without a key: %d %s, want 400", code, b)
		}
	})
	t.Run("key", func(t *testing.T) {
		t.Setenv("GW_TEST_OWNTRACKS_KEY", secret)
		up := newUpstream(t)
		g := startGateway(t, up, gwOptions{protocols: Protocols(), config: func(c *Config) {
			c.Routes["owntracks"] = RouteConfig{Key: &KeySource{Env: "GW_TEST_OWNTRACKS_KEY"}}
		}})
		tok := g.token(t, "p", RoleIngest)
		for _, b := range []string{in, out} {
			if code, body := post(g, tok, b); code != 200 {
				t.Fatalf("%d %s", code, body)
			}
		}
		waitFor(t, "delivery", func() bool { return up.count.Load() >= 1 })
		time.Sleep(100 * time.Millisecond)
		got := up.received()
		if len(got) != 1 || string(got[0].body) != out {
			t.Errorf("upstream got %d messages, want only the encrypted one outside the zone, as sent", len(got))
		}
	})
	for _, route := range []string{"osmand", RouteIngest} {
		cfg := DefaultConfig()
		cfg.Upstream, _ = ParseUpstream("http://127.0.0.1:1/")
		cfg.Routes[route] = RouteConfig{Key: &KeySource{Env: "X"}}
		_, err := New(t.Context(), Options{Config: cfg, Store: nil, Load: testPolicy(t, writeZones(t)), Protocols: Protocols()})
		if err == nil || !strings.Contains(err.Error(), "takes no key") {
			t.Errorf("a key on route %s: %v, want an error", route, err)
		}
	}
}

func writeZones(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "zones.geojson")
	os.WriteFile(p, []byte(circle{geowarden.Point{Lon: 10, Lat: 50}, 5000}.geojson()), 0o600)
	return p
}
