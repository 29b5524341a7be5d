package owntracks

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// FuzzDecode: Decode never panics; each message it accepts is one JSON
// object with valid positions, and a Rewrite that moves every position
// reads back with the positions moved and the rest of the record kept.
func FuzzDecode(f *testing.F) {
	pts := []point{{37.2417382, -121.9723242, 104, fixedTime}, {37.2417128, -121.9723278, 104, fixedTime}}
	body, _ := batch(pts, 0, 2)
	f.Add(body)
	f.Add(locationMsg(1, pts[0]))
	f.Add(`[{"_type":"card","name":"at 37.2417, -121.9723"},{"_type":"cmd","waypoints":[{"lat":"1.5","lon":"2.5"},{"latitudeE7":12345678,"longitudeE7":23456789}]}]`)
	f.Add(encrypt(f, "k", locationMsg(0, pts[0]), 3))
	f.Fuzz(func(t *testing.T, body string) {
		p, _ := New(WithKey([]byte("k")))
		msgs, err := p.Decode(post(body, janeWatch), strings.NewReader(body))
		if err != nil {
			return
		}
		for _, m := range msgs {
			var v map[string]any
			if err := json.Unmarshal(m.Raw, &v); err != nil {
				t.Fatalf("message %q is not a JSON object: %v", m.Raw, err)
			}
			rec := m.Record
			if rec.Shape == geowarden.ShapePoint && format.CheckPoint(rec.Pos.Lon, rec.Pos.Lat) != nil {
				t.Fatalf("position %v", rec.Pos)
			}
			move := func(p geowarden.Point) geowarden.Point {
				return geowarden.Point{Lon: math.Round(p.Lon/3*1e5) / 1e5, Lat: math.Round(p.Lat/3*1e5) / 1e5}
			}
			e := geowarden.Edit{Move: true, Pos: move(rec.Pos)}
			for _, q := range rec.More {
				e.More = append(e.More, move(q))
			}
			out, err := p.Rewrite(&m, &e)
			if err != nil {
				t.Fatalf("rewrite of %q: %v", m.Raw, err)
			}
			back, err := p.read(out, identity{user: "jane", device: "watch"})
			if err != nil {
				t.Fatalf("rewritten %q does not read: %v", out, err)
			}
			if rec.Shape == geowarden.ShapePoint && back.rec.Pos != e.Pos {
				t.Fatalf("moved to %v, reads %v", e.Pos, back.rec.Pos)
			}
			if len(back.rec.More) != len(e.More) {
				t.Fatalf("%d other positions, %d after the rewrite (%q → %q)", len(e.More), len(back.rec.More), m.Raw, out)
			}
			for i := range e.More {
				if d := back.rec.More[i]; math.Abs(d.Lat-e.More[i].Lat) > 1e-7 || math.Abs(d.Lon-e.More[i].Lon) > 1e-7 {
					t.Fatalf("other position %d moved to %v, reads %v", i, e.More[i], d)
				}
			}
			if back.pass() != m.Pass || !back.rec.Time.Equal(rec.Time) || back.rec.Source != rec.Source {
				t.Fatalf("record changed by a move: %+v → %+v", rec, back.rec)
			}
		}
	})
}
