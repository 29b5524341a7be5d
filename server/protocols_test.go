package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
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
