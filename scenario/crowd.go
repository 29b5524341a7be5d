package scenario

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/geowarden/geowarden"
)

// event is a planned crowd at a zone, and what the records really show
// there.
type event struct {
	st      *site
	z       int32
	day     int
	w0, w1  int64
	members []*source
	r       *rand.Rand // draws its members' plans
	// seen[k] holds the sources inside the zone or within the margin in
	// the window's hours k days after the event (k may be negative).
	seen map[int]map[int32]bool
}

// observe notes a row inside the zone or near it during the window's
// hours of any day.
func (e *event) observe(g *gen, rc *rec, p geowarden.Point) {
	q := g.reg.xy(rc.lat, rc.lon)
	if q.dist(e.st.pos) > e.st.radius+convergenceMarginM+300 {
		return
	}
	k := int(math.Floor(float64(rc.t-e.w0) / 86400))
	if rc.t-e.w0-int64(k)*86400 > e.w1-e.w0 {
		return
	}
	if g.zoneEdge(e.st.id, p) > convergenceMarginM {
		return
	}
	m := e.seen[k]
	if m == nil {
		m = map[int32]bool{}
		e.seen[k] = m
	}
	m[rc.src] = true
}

func (e *event) truth(g *gen) Event {
	t := Event{
		Detector: Convergence,
		Zone:     e.st.id,
		Start:    time.Unix(e.w0, 0).UTC(),
		End:      time.Unix(e.w1, 0).UTC(),
		MarginM:  convergenceMarginM,
		Sources:  []string{},
	}
	here := e.seen[0]
	for _, m := range e.members {
		if here[m.idx] {
			t.Sources = append(t.Sources, m.name)
		}
	}
	slices.Sort(t.Sources)
	t.InWindow = len(here)
	t.Background = len(here) - len(t.Sources)
	var other []float64
	for d := range g.cfg.Days {
		if k := d - e.day; k != 0 {
			n := len(e.seen[k])
			other = append(other, float64(n))
			t.OtherDaysMax = max(t.OtherDaysMax, n)
		}
	}
	t.OtherDaysMedian = median(other)
	return t
}

// trafficZone is a site whose road passes within the margin, with the
// vehicles that pass it.
type trafficZone struct {
	st      *site
	road    *polyline
	at      float64 // arc position of the road's point nearest the site
	passers []*source
}

// trafficZones returns the sites a road passes within 150 m of.
func (g *gen) trafficZones() []*trafficZone {
	var out []*trafficZone
	for _, st := range g.reg.sites {
		if st.road < 0 {
			continue
		}
		rd := g.reg.roads[st.road].line
		best, at := math.Inf(1), 0.0
		for i, p := range rd.pts {
			if d := st.edgeDist(p); d < best {
				best, at = d, rd.cum[i]
			}
		}
		if best <= 150 {
			out = append(out, &trafficZone{st: st, road: rd, at: at})
		}
	}
	return out
}

// planTraffic adds the vehicles that pass zones beside roads every day:
// commuters at rush hours and others during the day, many distinct
// vehicles at steady daily rates.
func (g *gen) planTraffic() {
	g.traffic = g.trafficZones()
	r := g.rng("traffic", 0)
	for zi, tz := range g.traffic {
		pool := max(5, int(math.Round(uniform(r, 20, 60)*g.cfg.Scale)))
		for i := 0; i < pool; i++ {
			tz.passers = append(tz.passers, g.passer(g.rng("traffic", zi*1000+i+1), tz))
		}
	}
}

// passes counts the vehicles planned past a traffic zone that set out
// between t0 and t1.
func (tz *trafficZone) passes(d int, t0, t1 int64) int {
	n := 0
	for _, s := range tz.passers {
		for _, a := range s.days[d] {
			if a.t0 >= t0 && a.t0 <= t1 {
				n++
				break
			}
		}
	}
	return n
}

func (g *gen) passer(r *rand.Rand, tz *trafficZone) *source {
	s := g.newSource(role{kind: kindDecoy, name: "road-traffic", detector: Convergence})
	s.zone = tz.st.id
	l := g.backgroundLogger(r, 5, 30)
	s.sampling = l.every
	commuter := r.Float64() < 0.6
	pWork, pWeekend := uniform(r, 0.5, 0.9), uniform(r, 0.1, 0.4)
	morning, evening := uniform(r, 6.5, 8.5), uniform(r, 16, 18.5)
	v := kmh(uniform(r, 50, 90))
	L := tz.road.length()
	a := math.Max(0, tz.at-uniform(r, 2000, 6000))
	b := math.Min(L, tz.at+uniform(r, 2000, 6000))
	fwd, back := tz.road.slice(a, b), tz.road.slice(b, a)
	if r.IntN(2) == 0 {
		fwd, back = back, fwd
	}
	for d := range g.cfg.Days {
		p := pWork
		if !g.workday(d) {
			p = pWeekend
		}
		if r.Float64() > p {
			continue
		}
		if commuter && g.workday(d) {
			s.add(d, moveAct(g.local(d, morning+r.NormFloat64()*0.15), fwd, v, l))
			s.add(d, moveAct(g.local(d, evening+r.NormFloat64()*0.25), back, v, l))
		} else {
			s.add(d, moveAct(g.local(d, uniform(r, 8, 20)), pick(r, [][]vec{fwd, back}), v, l))
		}
	}
	return s
}

// planCrowds adds the crowds a bounty pulls to zones: 15 to 80 distinct
// sources within one to four hours of one day, arriving from all sides,
// staying ten minutes to an hour inside the zone or within 200 m of it and
// recording cells and Wi-Fi. Some are regular contributors (background
// drivers living within 30 km); the rest appear only for it.
func (g *gen) planCrowds() {
	if len(g.reg.sites) == 0 || g.cfg.Days < 3 {
		return
	}
	r := g.rng("crowd", 0)
	n := g.count(r, 3, 5, 2)
	for k, i := range r.Perm(len(g.reg.sites)) {
		if k >= n {
			break
		}
		g.crowd(g.rng("crowd", k+1), g.reg.sites[i], k)
	}
	// A crowd planned later may pass an earlier one's zone on its way:
	// top the earlier crowds up so that they still stand out.
	for range 2 {
		for ix, e := range g.events {
			med, most := g.plannedVisits(e.st, e)
			need := min(max(int(math.Ceil(3*med))+5, 2*most+5), 80)
			for len(e.members) < need {
				m := g.newSource(role{kind: kindActor, name: "crowd-collector", detector: Convergence})
				e.members = append(e.members, m)
				g.joinCrowd(e.r, e, m, ix)
			}
		}
	}
}

func (g *gen) crowd(r *rand.Rand, st *site, ix int) {
	e := &event{st: st, z: g.zoneNum[st.id], seen: map[int]map[int32]bool{}, r: r}
	e.day = 1 + r.IntN(g.cfg.Days-2)
	hours := uniform(r, 1, 4)
	var tz *trafficZone
	for _, t := range g.traffic {
		if t.st == st {
			tz = t
		}
	}
	startH := uniform(r, 9, 19-hours)
	if tz != nil {
		// Between the rush hours, as bounty hunters with day jobs
		// cannot; the crowd must stand out from the traffic.
		startH = uniform(r, 9.2, math.Max(9.3, 15.5-hours))
	}
	e.w0 = g.local(e.day, startH)
	e.w1 = e.w0 + int64(hours*3600)
	size := 15 + r.IntN(66)
	if tz != nil {
		// Far above what passes anyway: at least three times the
		// vehicles planned past it in the window.
		size = max(size, 3*tz.passes(e.day, e.w0-1200, e.w1)+10)
	}
	// And far above the sources planned near it in these hours on other
	// days: three times their median, twice their largest number.
	med, most := g.plannedVisits(st, e)
	size = min(max(size, int(math.Ceil(3*med))+5, 2*most+5), 80)
	// Regulars: drivers living within 30 km.
	var locals []*source
	for _, s := range g.bgHomes {
		if s.home.dist(st.pos) < 30_000 && s.usual != nil && !g.crowdBusy[[2]int{int(s.idx), e.day}] && g.bountyFits(s, st) {
			locals = append(locals, s)
		}
	}
	nLocal := min(len(locals), int(math.Round(float64(size)*uniform(r, 0, 0.5))))
	for _, k := range r.Perm(len(locals))[:nLocal] {
		e.members = append(e.members, locals[k])
		g.crowdBusy[[2]int{int(locals[k].idx), e.day}] = true
	}
	for len(e.members) < size {
		e.members = append(e.members, g.newSource(role{kind: kindActor, name: "crowd-collector", detector: Convergence}))
	}
	for _, m := range e.members {
		g.joinCrowd(r, e, m, ix)
	}
	g.events = append(g.events, e)
}

// plannedVisits estimates, from the plans, how many distinct sources come
// within the margin of a site in the event window's hours on the other
// days: a move whose path passes the site and that sets out up to 90
// minutes before the window or in it, a stay there that overlaps it.
// It returns their median and largest number.
func (g *gen) plannedVisits(st *site, e *event) (float64, int) {
	passes := map[*polyline]bool{}
	reach := st.radius + convergenceMarginM + 50
	near := func(p *polyline) bool {
		v, ok := passes[p]
		if !ok {
			for _, q := range p.pts {
				if q.dist(st.pos) <= reach && st.edgeDist(q) <= convergenceMarginM {
					v = true
					break
				}
			}
			passes[p] = v
		}
		return v
	}
	var counts []float64
	most := 0
	for d := range g.cfg.Days {
		if d == e.day {
			continue
		}
		k := int64(d - e.day)
		w0, w1 := e.w0+k*86400, e.w1+k*86400
		n := 0
		for _, s := range g.sources {
			for _, a := range s.days[d] {
				var hit bool
				if a.kind == actMove {
					hit = a.t0 >= w0-5400 && a.t0 <= w1 && near(a.path)
				} else {
					hit = a.t0 <= w1 && a.t1 >= w0 && st.edgeDist(a.at) <= convergenceMarginM
				}
				if hit {
					n++
					break
				}
			}
		}
		counts = append(counts, float64(n))
		most = max(most, n)
	}
	return median(counts), most
}

// bountyFits reports whether a regular's trip to a site (the longest
// stay, roads half again as long as the straight way) would write no more
// than two and a half times what he writes on a usual day: a bounty must
// not turn his day into a volume spike.
func (g *gen) bountyFits(s *source, st *site) bool {
	every := (s.usual.every[0] + s.usual.every[1]) / 2
	trip := 2*s.home.dist(st.pos)*1.5/kmh(50) + 60*60
	bounty := trip / every
	var days []float64
	for _, acts := range s.days {
		secs := 0.0
		for _, a := range acts {
			if a.kind == actMove {
				secs += a.path.length() / a.v
			}
		}
		if secs > 0 {
			days = append(days, secs/every)
		}
	}
	return len(days) > 0 && bounty <= 2.5*median(days)
}

// boundary returns the point of a site's edge in direction theta from its
// centre, and the outward direction there.
func (st *site) boundary(theta float64) (vec, vec) {
	dir := polar(1, theta)
	if st.kind == siteCircle {
		return st.pos.add(dir.scale(st.radius)), dir
	}
	// The ring is star-shaped about its centre: walk out along the ray.
	lo, hi := 0.0, st.radius*1.05
	for range 40 {
		mid := (lo + hi) / 2
		if pointInRing(st.pos.add(dir.scale(mid)), st.ring) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return st.pos.add(dir.scale(lo)), dir
}

func (g *gen) joinCrowd(r *rand.Rand, e *event, m *source, ix int) {
	st := e.st
	theta := r.Float64() * 2 * math.Pi
	edge, out := st.boundary(theta)
	inside := -math.Min(150, 0.6*st.radius)
	if st.kind == siteArea {
		inside = -80
	}
	spot := edge.add(out.scale(uniform(r, inside, 170)))
	// Stay between 10 and 60 minutes, wholly inside the window.
	win := float64(e.w1 - e.w0)
	stay := math.Min(uniform(r, 600, 3600), win)
	arrive := e.w0 + int64(r.Float64()*(win-stay))
	leave := arrive + int64(stay)
	// Come from the side the spot is on, 2 to 25 km away by car, less on
	// foot or by bike.
	var from vec
	var v float64
	switch x := r.Float64(); {
	case m.homed:
		from, v = m.home, kmh(uniform(r, 40, 70))
	case x < 0.7:
		from, v = g.townToward(r, spot, theta, 3000, 30000), kmh(uniform(r, 40, 70))
	case x < 0.9:
		from, v = g.townToward(r, spot, theta, 2000, 9000), kmh(uniform(r, 14, 22))
	default:
		from, v = spot.add(polar(uniform(r, 800, 2500), theta+r.NormFloat64()*0.5)), uniform(r, 1.1, 1.5)
	}
	var in, back []vec
	if v > 10 {
		in, back = g.drivePath(r, from, spot), g.drivePath(r, spot, from)
	} else {
		in, back = curve(r, from, spot, 500, 120, 40), curve(r, spot, from, 500, 120, 40)
	}
	travel := travelTime(newPolyline(in).length(), v)
	on := g.phoneLogger(r, 5, 20, uniform(r, 0, 0.4))
	at := g.phoneLogger(r, 5, 30, uniform(r, 0.6, 1))
	if m.usual != nil {
		// A regular keeps his app and its pace; at the site it records
		// cells too.
		on = m.usual
		c := *m.usual
		at = &c
		at.cell = math.Max(c.cell, 0.6)
	}
	at.every[1] = math.Max(at.every[0], math.Min(at.every[1], stay/8))
	at.wifi, at.wmax = uniform(r, 0.2, 0.6), 2+r.IntN(4)
	at.sigma, at.bound = uniform(r, 4, 8), 30
	// A regular gives the day to it.
	if m.homed {
		m.days[e.day] = nil
	}
	m.add(e.day, moveAct(arrive-travel, in, v, on))
	sa := stayAct(arrive, leave, spot, at)
	m.add(e.day, sa)
	m.add(e.day, moveAct(leave, back, v, on))
	if m.role.kind == kindActor {
		m.zone = st.id
		m.eventIx = ix
		m.sampling = at.every
		m.window = [2]int64{arrive, leave}
		sa.note = &stayNote{zone: st.id, at: spot}
		m.stays = append(m.stays, sa.note)
	}
}

// townToward returns a place in a town lo to hi metres from p, the one
// whose bearing from p is nearest theta; a place on a road when no town
// is in reach.
func (g *gen) townToward(r *rand.Rand, p vec, theta, lo, hi float64) vec {
	best, bi := math.Inf(1), -1
	for i, t := range g.reg.towns {
		d := t.pos.sub(p)
		if n := d.norm(); n >= lo && n <= hi {
			if a := angleDiff(math.Atan2(d.Y, d.X), theta) + r.Float64()*0.8; a < best {
				best, bi = a, i
			}
		}
	}
	if bi >= 0 {
		return g.reg.inTown(r, bi)
	}
	var q vec
	best = math.Inf(1)
	for _, rd := range g.reg.roads {
		for _, x := range rd.line.pts {
			d := x.sub(p)
			if n := d.norm(); n >= lo && n <= hi {
				if a := angleDiff(math.Atan2(d.Y, d.X), theta) + r.Float64()*0.8; a < best {
					best, q = a, x
				}
			}
		}
	}
	if math.IsInf(best, 1) {
		return p.add(polar(uniform(r, lo, hi), theta))
	}
	return q
}

// planMarket adds a weekly market in a town, as far from every zone as
// the map allows (at least 800 m from the nearest edge): 30 to 100 people on the same morning each week, most of them regulars, some
// recording cells and Wi-Fi. Not a zone, so it must not fire.
func (g *gen) planMarket() {
	if g.cfg.Days < 7 {
		return
	}
	r := g.rng("market", 0)
	// The place in a town farthest from every zone: its centre or a
	// square off it. Rail corridors are zones too.
	var square vec
	bestD := 0.0
	for _, t := range g.reg.towns {
		for k := range 9 {
			p := t.pos
			if k > 0 {
				p = p.add(polar(0.6*t.radius, float64(k)*math.Pi/4))
			}
			d := math.Inf(1)
			for _, st := range g.reg.sites {
				d = math.Min(d, st.edgeDist(p))
			}
			rd, _ := g.reg.rail.nearest(p, 3)
			if d = math.Min(d, rd-railBufferM); d > bestD {
				square, bestD = p, d
			}
		}
	}
	if bestD < 800 || !g.onlyIn(square, "") {
		return
	}
	wd := r.IntN(7)
	f := math.Min(1, math.Pow(g.cfg.Scale, 0.35))
	regulars := make([]*source, int(math.Round(uniform(r, 20, 60)*f)))
	for i := range regulars {
		regulars[i] = g.newSource(role{kind: kindDecoy, name: "market-visitor", detector: Convergence})
	}
	for d := range g.cfg.Days {
		if int(g.weekday(d)) != wd {
			continue
		}
		w0 := g.local(d, uniform(r, 7.5, 8.5))
		w1 := w0 + int64(uniform(r, 3, 5)*3600)
		var crowd []*source
		for _, s := range regulars {
			if r.Float64() < 0.8 {
				crowd = append(crowd, s)
			}
		}
		for range int(math.Round(uniform(r, 10, 40) * f)) {
			crowd = append(crowd, g.newSource(role{kind: kindDecoy, name: "market-visitor", detector: Convergence}))
		}
		for _, s := range crowd {
			g.visitMarket(r, s, d, square, w0, w1)
		}
	}
}

func (g *gen) visitMarket(r *rand.Rand, s *source, d int, square vec, w0, w1 int64) {
	stay := uniform(r, 1200, 5400)
	arrive := w0 + int64(r.Float64()*math.Max(0, float64(w1-w0)-stay))
	spot := square.add(polar(80*math.Sqrt(r.Float64()), r.Float64()*2*math.Pi))
	var in []vec
	var v float64
	if r.Float64() < 0.5 {
		// On foot or by bike from the town itself.
		from := spot.add(polar(uniform(r, 400, 2500), r.Float64()*2*math.Pi))
		in, v = curve(r, from, spot, 300, 100, 30), uniform(r, 1.1, 4.5)
	} else {
		from := g.townToward(r, spot, r.Float64()*2*math.Pi, 3000, 20000)
		in, v = g.drivePath(r, from, spot), kmh(uniform(r, 40, 70))
	}
	l := g.phoneLogger(r, 10, 30, 0)
	if r.Float64() < 0.3 {
		l.cell = uniform(r, 0.3, 1)
	}
	if r.Float64() < 0.15 {
		l.wifi, l.wmax = uniform(r, 0.1, 0.3), 3
	}
	l.bound = 30
	s.sampling = l.every
	s.add(d, moveAct(arrive-travelTime(newPolyline(in).length(), v), in, v, l))
	s.add(d, stayAct(arrive, arrive+int64(stay), spot, l))
	s.add(d, moveAct(arrive+int64(stay), reversed(in), v, l))
}
