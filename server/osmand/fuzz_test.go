package osmand

import (
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// FuzzDecode: Decode never panics; what it accepts has a valid position,
// no token in Raw, and a Rewrite that moves every position decodes again
// to the moved positions with the rest of the record unchanged.
func FuzzDecode(f *testing.F) {
	for i, c := range traccarTests {
		f.Add(c.query, "", i%2 == 0)
	}
	for _, b := range traccarJSON {
		f.Add("token=abc", b, true)
	}
	f.Add("token=t&id=1&lat=1.5&lon=2.5&note=at+35.8506,14.4506&dest_lat=1&dest_lon=2&location=3,4", "", false)
	f.Add("", "id=1&lat=1&lon=2&timestamp=2008-10-29+18%3A42%3A30", false)
	f.Fuzz(func(t *testing.T, qs, body string, isJSON bool) {
		if strings.ContainsAny(qs, "# \x00\r\n") {
			return // not a request target
		}
		r := httptest.NewRequest(http.MethodPost, "/osmand", strings.NewReader(body))
		r.URL.RawQuery = qs
		if isJSON {
			r.Header.Set("Content-Type", "application/json")
		}
		msgs, err := Protocol{}.Decode(r, r.Body)
		if err != nil {
			return
		}
		m := msgs[0]
		rec := m.Record
		if !isJSON {
			vals, err := url.ParseQuery(string(m.Raw))
			if err == nil && vals.Has(TokenParam) {
				t.Fatalf("token in Raw %q", m.Raw)
			}
		}
		if rec.Shape == geowarden.ShapePoint && format.CheckPoint(rec.Pos.Lon, rec.Pos.Lat) != nil {
			t.Fatalf("position %v", rec.Pos)
		}
		if rec.Attrs == nil {
			t.Fatal("nil Attrs")
		}
		move := func(p geowarden.Point) geowarden.Point {
			return geowarden.Point{Lon: math.Round((p.Lon/2)*1e4) / 1e4, Lat: math.Round((p.Lat/2)*1e4) / 1e4}
		}
		e := geowarden.Edit{Move: true, Pos: move(rec.Pos)}
		for _, p := range rec.More {
			e.More = append(e.More, move(p))
		}
		out, err := Protocol{}.Rewrite(&m, &e)
		if err != nil {
			t.Fatalf("rewrite of %q: %v", m.Raw, err)
		}
		m2 := m
		m2.Raw = out
		var rec2 geowarden.Record
		if isJSON {
			var j jsonReport
			err = j.parse(out)
			rec2 = j.rec
		} else {
			var q query
			err = q.parse(out, &rec2)
			rec2.Source = string(q.source)
		}
		if err != nil {
			t.Fatalf("rewritten %q does not decode: %v (from %q)", out, err, m.Raw)
		}
		if rec.Shape == geowarden.ShapePoint && rec2.Pos != e.Pos {
			t.Fatalf("moved to %v, reads %v (%q)", e.Pos, rec2.Pos, out)
		}
		if len(rec2.More) != len(rec.More) {
			t.Fatalf("%d other positions became %d (%q → %q)", len(rec.More), len(rec2.More), m.Raw, out)
		}
		for i := range rec2.More {
			if rec2.More[i] != e.More[i] {
				t.Fatalf("other position %d moved to %v, reads %v", i, e.More[i], rec2.More[i])
			}
		}
		if rec2.Source != rec.Source || !rec2.Time.Equal(rec.Time) || rec2.Kind != rec.Kind {
			t.Fatalf("record changed: %+v → %+v", rec, rec2)
		}
	})
}
