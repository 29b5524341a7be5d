package detect

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/cell"
)

// A test world: a 100 km east-west rail line at latitude 48 with a 500 m
// corridor, a military site (a 500 m circle) and a plant (a 1 km square).
var (
	railStart = geowarden.Point{Lon: 10.0, Lat: 48.0}
	railEnd   = geowarden.Point{Lon: 11.35, Lat: 48.0} // about 100 km
	siteC     = geowarden.Point{Lon: 10.5, Lat: 48.3}
	plantSW   = geowarden.Point{Lon: 10.8, Lat: 48.3}
	t0        = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday
)

func world(t testing.TB) *zone.Set {
	t.Helper()
	ne := geowarden.Point{Lon: plantSW.Lon + 0.0135, Lat: plantSW.Lat + 0.009}
	s := &zone.Set{ID: "test", Zones: []*zone.Zone{
		{ID: "rail-1", Name: "Test Line", Class: "rail", Geometry: zone.Corridor, BufferM: 500,
			Lines: [][]geowarden.Point{{railStart, railEnd}}},
		{ID: "site-1", Name: "Test Barracks", Class: "military", Geometry: zone.Circle, BufferM: 500,
			Points: []geowarden.Point{siteC}},
		{ID: "plant-1", Name: "Test Plant", Class: "energy", Geometry: zone.Area,
			Polygons: [][][]geowarden.Point{{{plantSW, {Lon: ne.Lon, Lat: plantSW.Lat}, ne, {Lon: plantSW.Lon, Lat: ne.Lat}, plantSW}}}},
	}}
	for _, z := range s.Zones {
		z.Set = s.ID
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

var gsmR = geowarden.SignalClass{ID: "gsm-r", Bands: []geowarden.Band{{LoMHz: 876, HiMHz: 880}, {LoMHz: 921, HiMHz: 925}}}

func newEngine(t testing.TB, mod func(*Config)) *Engine {
	cfg := Defaults()
	if mod != nil {
		mod(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return New(cfg, cell.Build(world(t)))
}

var _ Index = (*cell.Index)(nil)

// observe classifies a record as package classify does (the zones
// containing a point, the protected signal classes: gsm-r) and feeds it to
// e.
func observe(e *Engine, rec *geowarden.Record, size int64) {
	c := geowarden.Classified{Rec: rec}
	if rec.Shape == geowarden.ShapePoint {
		for _, z := range e.ix.Contains(rec.Pos, nil) {
			h := e.zones[z].Hit()
			h.Num = z
			c.Zones = append(c.Zones, h)
		}
	}
	if !rec.Signal.IsZero() && gsmR.Match(&rec.Signal) {
		c.Signals = []string{gsmR.ID}
	}
	e.Observe(&c, size)
}

// rec is one observation to feed.
type rec struct {
	src  string
	t    time.Time
	p    geowarden.Point
	kind geowarden.Kind
	freq float64
	size int64
}

func feed(e *Engine, recs []rec) {
	slices.SortStableFunc(recs, func(a, b rec) int { return a.t.Compare(b.t) })
	for i, r := range recs {
		g := geowarden.Record{Shape: geowarden.ShapePoint, Pos: r.p, Time: r.t, Kind: r.kind, Source: r.src,
			Ref: geowarden.Ref{File: "test.csv", Line: i + 2}}
		if r.kind == geowarden.KindCell {
			g.Signal = geowarden.Signal{Radio: "LTE", MCC: 262, MNC: 1, HasMNC: true, Cell: 1234, FreqMHz: r.freq}
		}
		size := r.size
		if size == 0 {
			size = 80
		}
		observe(e, &g, size)
	}
}

func lerp(a, b geowarden.Point, f float64) geowarden.Point {
	return geowarden.Point{Lon: a.Lon + (b.Lon-a.Lon)*f, Lat: a.Lat + (b.Lat-a.Lat)*f}
}

// travel appends records of src moving from a to b at speed m/s from
// start, one every step.
func travel(recs []rec, src string, a, b geowarden.Point, start time.Time, speed float64, step time.Duration, kind geowarden.Kind) ([]rec, time.Time) {
	d := zone.Distance(a, b)
	dur := time.Duration(d / speed * float64(time.Second))
	for at := time.Duration(0); at <= dur; at += step {
		recs = append(recs, rec{src: src, t: start.Add(at), p: lerp(a, b, float64(at)/float64(dur)), kind: kind})
	}
	return recs, start.Add(dur)
}

// stayAt appends records of src around p (GPS noise of sd metres) for dur.
func stayAt(recs []rec, rng *rand.Rand, src string, p geowarden.Point, start time.Time, dur, step time.Duration, sd float64, kind geowarden.Kind) []rec {
	for at := time.Duration(0); at <= dur; at += step {
		q := geowarden.Point{
			Lon: p.Lon + rng.NormFloat64()*sd/(111320*math.Cos(p.Lat*math.Pi/180)),
			Lat: p.Lat + rng.NormFloat64()*sd/110540,
		}
		recs = append(recs, rec{src: src, t: start.Add(at), p: q, kind: kind})
	}
	return recs
}

func alertsOf(as []geowarden.Alert, detector string) []geowarden.Alert {
	var out []geowarden.Alert
	for _, a := range as {
		if a.Detector == detector {
			out = append(out, a)
		}
	}
	return out
}

func sourcesOf(as []geowarden.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Sources...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestCorridor(t *testing.T) {
	var recs []rec
	// A drive-tester: the whole line and back, twice a day, three days,
	// a cell measurement every 2 s.
	for d := range 3 {
		at := t0.Add(time.Duration(d)*24*time.Hour + 8*time.Hour)
		for range 2 {
			recs, at = travel(recs, "drive-test", railStart, railEnd, at, 30, 2*time.Second, geowarden.KindCell)
			recs, at = travel(recs, "drive-test", railEnd, railStart, at.Add(10*time.Minute), 30, 2*time.Second, geowarden.KindCell)
		}
	}
	// A commuter: 25 km of the line twice a workday for two weeks,
	// logging the serving cell every 5 s.
	home, work := lerp(railStart, railEnd, 0.2), lerp(railStart, railEnd, 0.45)
	for d := range 14 {
		if wd := t0.AddDate(0, 0, d).Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		day := t0.AddDate(0, 0, d)
		recs, _ = travel(recs, "commuter-cell", home, work, day.Add(7*time.Hour+30*time.Minute), 25, 5*time.Second, geowarden.KindCell)
		recs, _ = travel(recs, "commuter-cell", work, home, day.Add(17*time.Hour+10*time.Minute), 25, 5*time.Second, geowarden.KindCell)
		recs, _ = travel(recs, "commuter-fix", home, work, day.Add(7*time.Hour+30*time.Minute), 25, 2*time.Second, geowarden.KindFix)
		recs, _ = travel(recs, "commuter-fix", work, home, day.Add(17*time.Hour+10*time.Minute), 25, 2*time.Second, geowarden.KindFix)
	}
	// A plain traveller along the whole line, fixes only.
	recs, _ = travel(recs, "traveller", railStart, railEnd, t0.Add(30*time.Hour), 50, time.Second, geowarden.KindFix)
	// A driver on a road that crosses the line, logging cells.
	recs, _ = travel(recs, "crossing", geowarden.Point{Lon: 10.4, Lat: 47.5}, geowarden.Point{Lon: 10.45, Lat: 48.5}, t0.Add(9*time.Hour), 20, 2*time.Second, geowarden.KindCell)
	// A drive-tester 2 km beside the line: near is not inside.
	off := geowarden.Point{Lon: 0, Lat: 0.018}
	recs, _ = travel(recs, "beside", geowarden.Point{Lon: railStart.Lon, Lat: railStart.Lat + off.Lat}, geowarden.Point{Lon: railEnd.Lon, Lat: railEnd.Lat + off.Lat}, t0.Add(8*time.Hour), 30, 2*time.Second, geowarden.KindCell)

	e := newEngine(t, nil)
	feed(e, recs)
	got := alertsOf(e.Alerts(), Corridor)
	if srcs := sourcesOf(got); !slices.Equal(srcs, []string{"drive-test"}) {
		for _, a := range got {
			t.Logf("%s %.2f %s", a.Sources, a.Score, a.Reason)
		}
		t.Fatalf("corridor alerts for %v, want [drive-test]", srcs)
	}
	a := got[0]
	if a.Zone != "rail-1" || a.Evidence.CorridorKm < 1000 || a.Evidence.CoveredKm < 80 || a.Evidence.CoveredKm > 120 {
		t.Errorf("evidence: zone %q, corridor %.0f km, covered %.0f km; want rail-1, ≥ 1000 km, about 100 km", a.Zone, a.Evidence.CorridorKm, a.Evidence.CoveredKm)
	}
	if a.Start.Before(t0) || !a.End.After(a.Start) || a.Score < 0.5 || a.Score > 1 || len(a.Evidence.Examples) == 0 {
		t.Errorf("alert fields: %+v", a)
	}

	// Plain fixes may count when the policy says so: the traveller's one
	// long trip then alerts, the fix-only commuter still does not.
	e = newEngine(t, func(c *Config) { c.Corridor.MinSignalShare = 0 })
	feed(e, recs)
	srcs := sourcesOf(alertsOf(e.Alerts(), Corridor))
	if slices.Contains(srcs, "commuter-fix") || !slices.Contains(srcs, "drive-test") {
		t.Errorf("with min_signal_share 0: alerts for %v", srcs)
	}
}

func TestConvergence(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var recs []rec
	// Background at the site: 3 passers-by a day, for 14 days.
	n := 0
	for d := range 14 {
		for k := range 3 {
			at := t0.AddDate(0, 0, d).Add(time.Duration(8+4*k) * time.Hour)
			recs = stayAt(recs, rng, fmt.Sprintf("pass-%d", n), siteC, at, 10*time.Minute, time.Minute, 80, geowarden.KindFix)
			n++
		}
	}
	// Steady heavy traffic at the plant: 30 distinct vehicles an hour
	// from 6 to 20 h, every day.
	for d := range 14 {
		for h := 6; h < 20; h++ {
			for k := range 30 {
				at := t0.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + time.Duration(k*2)*time.Minute)
				recs = stayAt(recs, rng, fmt.Sprintf("car-%d-%d-%d", d, h, k), plantSW, at, 3*time.Minute, time.Minute, 30, geowarden.KindFix)
			}
		}
	}
	// The crowd: 25 sources reach the site between 14:00 and 15:30 on day
	// 9, stay 20 minutes each, 150 m outside the circle for some.
	crowdDay := t0.AddDate(0, 0, 9)
	var crowd []string
	for k := range 25 {
		src := fmt.Sprintf("crowd-%02d", k)
		crowd = append(crowd, src)
		at := crowdDay.Add(14*time.Hour + time.Duration(rng.IntN(90))*time.Minute)
		p := siteC
		if k%3 == 0 {
			p = geowarden.Point{Lon: siteC.Lon, Lat: siteC.Lat + 650/110540.0}
		}
		recs = stayAt(recs, rng, src, p, at, 20*time.Minute, 30*time.Second, 20, geowarden.KindCell)
	}
	e := newEngine(t, nil)
	feed(e, recs)
	got := alertsOf(e.Alerts(), Convergence)
	if len(got) != 1 {
		for _, a := range got {
			t.Logf("%s %s %s", a.Zone, a.Start, a.Reason)
		}
		t.Fatalf("%d convergence alerts, want 1 (the crowd at site-1)", len(got))
	}
	a := got[0]
	if a.Zone != "site-1" || a.Start.Before(crowdDay.Add(13*time.Hour)) || a.End.After(crowdDay.Add(17*time.Hour)) {
		t.Errorf("alert at %s from %s to %s", a.Zone, a.Start, a.End)
	}
	missing := 0
	for _, c := range crowd {
		if !slices.Contains(a.Sources, c) {
			missing++
		}
	}
	if missing > 2 || len(a.Sources) > len(crowd)+2 {
		t.Errorf("alert sources %v: %d of the crowd missing", a.Sources, missing)
	}
	if a.Evidence.Sources < 15 {
		t.Errorf("peak %d distinct sources, want ≥ 15", a.Evidence.Sources)
	}
}

func TestFixedSite(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	near := geowarden.Point{Lon: siteC.Lon + 0.02, Lat: siteC.Lat} // about 1.5 km east
	far := geowarden.Point{Lon: siteC.Lon + 0.1, Lat: siteC.Lat}   // about 7.4 km east
	var recs []rec
	recs = stayAt(recs, rng, "capture", near, t0.Add(9*time.Hour), 3*time.Hour, 5*time.Second, 12, geowarden.KindCell)
	recs = stayAt(recs, rng, "parked", near, t0.Add(9*time.Hour), 8*time.Hour, 10*time.Second, 12, geowarden.KindFix)
	recs = stayAt(recs, rng, "far-capture", far, t0.Add(9*time.Hour), 5*time.Hour, 5*time.Second, 12, geowarden.KindCell)
	recs = stayAt(recs, rng, "short-capture", near, t0.Add(9*time.Hour), 70*time.Minute, 5*time.Second, 12, geowarden.KindCell)
	// A resident: home for the night with sparse fixes and a Wi-Fi scan
	// now and then.
	for d := range 5 {
		at := t0.AddDate(0, 0, d).Add(-3 * time.Hour)
		recs = stayAt(recs, rng, "resident", near, at, 12*time.Hour, 5*time.Minute, 12, geowarden.KindFix)
		recs = stayAt(recs, rng, "resident", near, at.Add(150*time.Second), 12*time.Hour, time.Hour, 12, geowarden.KindWifi)
	}
	e := newEngine(t, nil)
	feed(e, recs)
	got := alertsOf(e.Alerts(), FixedSite)
	if srcs := sourcesOf(got); !slices.Equal(srcs, []string{"capture"}) {
		t.Fatalf("fixed_site alerts for %v, want [capture]", srcs)
	}
	a := got[0]
	if a.Zone != "site-1" || a.Evidence.ZoneDistanceM < 800 || a.Evidence.ZoneDistanceM > 1300 || a.Evidence.DurationH < 2.9 {
		t.Errorf("alert: zone %s, %.0f m away, %.1f h", a.Zone, a.Evidence.ZoneDistanceM, a.Evidence.DurationH)
	}
}

func TestProtectedSignal(t *testing.T) {
	var recs []rec
	for k := range 4 {
		recs = append(recs, rec{src: "gsmr", t: t0.Add(time.Duration(k) * time.Minute), p: siteC, kind: geowarden.KindCell, freq: 922.4})
		recs = append(recs, rec{src: "gsm900", t: t0.Add(time.Duration(k) * time.Minute), p: siteC, kind: geowarden.KindCell, freq: 925.4})
	}
	e := newEngine(t, nil)
	feed(e, recs)
	got := alertsOf(e.Alerts(), ProtectedSignal)
	if len(got) != 1 || got[0].Sources[0] != "gsmr" || got[0].Evidence.Records != 4 || !slices.Equal(got[0].Evidence.Signals, []string{"gsm-r"}) {
		t.Fatalf("protected_signal alerts: %+v", got)
	}
}

func TestVolume(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var recs []rec
	perDay := func(src string, d, n int) {
		for k := range n {
			recs = append(recs, rec{src: src, t: t0.AddDate(0, 0, d).Add(time.Duration(k) * 86400 * time.Second / time.Duration(n)), p: siteC, kind: geowarden.KindFix, size: 100})
		}
	}
	for d := range 20 {
		perDay("steady-then-spike", d, 1500)
		if d == 15 {
			perDay("steady-then-spike", d, 30000)
		}
		perDay("noisy", d, 750+rng.IntN(2250)) // 0.5x..2x of 1500
		if d > 10 {
			perDay("newcomer", d, 20000) // starts big, stays steady
		}
	}
	e := newEngine(t, nil)
	feed(e, recs)
	got := alertsOf(e.Alerts(), Volume)
	if srcs := sourcesOf(got); !slices.Equal(srcs, []string{"steady-then-spike"}) {
		t.Fatalf("volume alerts for %v, want [steady-then-spike]", srcs)
	}
	if d := got[0].Start; !d.Equal(t0.AddDate(0, 0, 15)) {
		t.Errorf("spike starts %s, want day 15", d)
	}

	// A monthly limit in bytes.
	e = newEngine(t, func(c *Config) { c.Volume.MonthlyLimitBytes = 20_000 * 100 * 8 })
	feed(e, recs)
	srcs := sourcesOf(alertsOf(e.Alerts(), Volume))
	if !slices.Contains(srcs, "newcomer") {
		t.Errorf("monthly limit: alerts for %v, want newcomer among them", srcs)
	}
}

func TestFingerprintsStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var recs []rec
	recs = stayAt(recs, rng, "capture", siteC, t0, 3*time.Hour, 5*time.Second, 10, geowarden.KindCell)
	for k := range 3 {
		recs = append(recs, rec{src: "gsmr", t: t0.Add(time.Duration(k) * time.Minute), p: siteC, kind: geowarden.KindCell, freq: 922.4})
	}
	e1 := newEngine(t, nil)
	feed(e1, recs)
	// The same records with an unrelated source mixed in.
	more := append(slices.Clone(recs), rec{src: "other", t: t0.Add(time.Minute), p: railStart, kind: geowarden.KindFix})
	e2 := newEngine(t, nil)
	feed(e2, more)
	a1, a2 := e1.Alerts(), e2.Alerts()
	if len(a1) != 2 || len(a1) != len(a2) {
		t.Fatalf("%d and %d alerts, want 2 and 2", len(a1), len(a2))
	}
	for i := range a1 {
		if a1[i].Fingerprint != a2[i].Fingerprint || len(a1[i].Fingerprint) != 24 {
			t.Errorf("fingerprint %q vs %q", a1[i].Fingerprint, a2[i].Fingerprint)
		}
	}
	if a1[0].Fingerprint == a1[1].Fingerprint {
		t.Error("two alerts share a fingerprint")
	}
}

func TestConfigValidate(t *testing.T) {
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.Convergence.Factor = 0.5
	if err := c.Validate(); err == nil {
		t.Error("factor 0.5 accepted")
	}
}

// TestObserveAt checks where the detectors place a record: a point in the
// zones of its hits; a line at its representative vertex, whatever zones
// its whole shape touches.
func TestObserveAt(t *testing.T) {
	e := newEngine(t, nil)
	rail := e.zones[0].Hit() // zone 0, Num 0
	onRail := lerp(railStart, railEnd, 0.5)
	away := geowarden.Point{Lon: onRail.Lon, Lat: onRail.Lat + 0.1} // about 11 km north
	tests := []struct {
		name string
		rec  geowarden.Record
		want int64 // records inside a corridor
	}{
		// The hits decide, not the position: detect does not classify again.
		{"point, by its hits", geowarden.Record{Shape: geowarden.ShapePoint, Pos: away}, 1},
		{"line across, vertex away", geowarden.Record{Shape: geowarden.ShapeLine, Pos: away,
			Lines: [][]geowarden.Point{{away, {Lon: away.Lon, Lat: onRail.Lat - 0.1}}}}, 0},
		{"line along, vertex on", geowarden.Record{Shape: geowarden.ShapeLine, Pos: onRail,
			Lines: [][]geowarden.Point{{onRail, lerp(railStart, railEnd, 0.6)}}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rec.Source = tt.name
			e.Observe(&geowarden.Classified{Rec: &tt.rec, Zones: []geowarden.ZoneHit{rail}}, 0)
			if got := e.sources[e.byName[tt.name]].track.inRecords; got != tt.want {
				t.Errorf("got %d record(s) inside a corridor, want %d", got, tt.want)
			}
		})
	}
}
