package scenario

import (
	"math"
	"math/rand/v2"
)

// planFixedSite adds sources that park near a zone for hours recording
// signals, and those that stay near zones for ordinary reasons: parked
// cars that log only fixes, residents, and people who work at a site.
func (g *gen) planFixedSite() {
	if len(g.reg.sites) == 0 {
		return
	}
	r := g.rng("fixed-site", 0)
	for i := range g.count(r, 4, 6, 2) {
		g.fixedCapture(g.rng("fixed-capture", i))
	}
	for i := range g.count(r, 3, 6, 2) {
		g.parkedCar(g.rng("parked-car", i))
	}
	for i := range g.count(r, 4, 8, 2) {
		g.resident(g.rng("resident", i))
	}
	for i := range g.count(r, 2, 4, 1) {
		g.siteWorker(g.rng("site-worker", i))
	}
}

// spot finds a place dmin to dmax metres from a zone's edge (planar),
// beside a road when it can, and in no other zone. It returns the zone's
// id; ok is false when nothing fits.
func (g *gen) spot(r *rand.Rand, dmin, dmax float64, rail bool) (vec, string, bool) {
	for try := 0; try < 300; try++ {
		var p vec
		var id string
		var edge func(vec) float64
		if rail {
			ln := pick(r, g.reg.lines)
			s := r.Float64() * ln.line.length()
			c, dir := ln.line.at(s)
			side := 1.0
			if r.IntN(2) == 0 {
				side = -1
			}
			p = c.add(dir.perp().scale(side * uniform(r, dmin+railBufferM, dmax+railBufferM)))
			id = ln.id
			edge = func(q vec) float64 { _, d := ln.line.project(q); return d - railBufferM }
		} else {
			st := pick(r, g.reg.sites)
			id = st.id
			p = st.pos.add(polar(st.radius+uniform(r, dmin, dmax), r.Float64()*2*math.Pi))
			edge = st.edgeDist
		}
		if try < 200 {
			if q, ok := g.roadPointNear(r, p, 800); ok {
				p = q
			}
		}
		if e := edge(p); e < dmin || e > dmax {
			continue
		}
		if !g.onlyIn(p, id) {
			continue
		}
		return p, id, true
	}
	return vec{}, "", false
}

// onlyIn reports whether p lies in no zone but (perhaps) zone id.
func (g *gen) onlyIn(p vec, id string) bool {
	var buf [8]int32
	for _, z := range g.ix.Contains(g.point(p), buf[:0]) {
		if g.ix.Zones()[z].ID != id {
			return false
		}
	}
	return true
}

// fromTown returns a start point in the town nearest p.
func (g *gen) fromTown(r *rand.Rand, p vec) vec {
	return g.reg.inTown(r, g.reg.nearestTown(p))
}

func (g *gen) fixedCapture(r *rand.Rand) {
	rail := len(g.reg.lines) > 0 && r.Float64() < 0.25
	p, id, ok := g.spot(r, 50, 2800, rail)
	if !ok {
		return
	}
	s := g.newSource(role{kind: kindActor, name: "fixed-site-capture", detector: FixedSite})
	s.zone = id
	b := float64(1 + r.IntN(10))
	l := g.surveyLogger(r, b, b+float64(r.IntN(3)))
	l.neigh = r.IntN(2)
	l.wifi, l.wmax = uniform(r, 0.05, 0.3), 3+r.IntN(4)
	l.sigma, l.bound = uniform(r, 4, 8), 28
	if rail {
		l.gsmr = uniform(r, 0.1, 0.4)
		l.gmode = []gsmrMode{gsmrARFCN, gsmrFreq, gsmrUplink}
	}
	s.sampling = l.every
	drive := g.phoneLogger(r, 8, 15, 0.3)
	sessions := 1 + r.IntN(3)
	for _, d := range randomDays(r, 0, g.cfg.Days, sessions) {
		if r.Float64() < 0.4 {
			// Another place this time.
			if q, zid, ok := g.spot(r, 50, 2800, rail); ok {
				p, id = q, zid
			}
		}
		start := g.local(d, uniform(r, 7, 19))
		if r.Float64() < 0.2 {
			start = g.local(d, uniform(r, 20, 22.5))
		}
		hours := uniform(r, 2.2, 10)
		// At most about 20,000 rows a session at scale 1: fast
		// samplers stay shorter.
		perHour := 3600 / (b + 0.5) * (1 + float64(l.neigh) + l.wifi*float64(l.wmax)/2)
		hours = math.Max(2.2, math.Min(hours, 20_000*math.Min(1, math.Pow(g.cfg.Scale, 0.35))/perHour))
		from := g.fromTown(r, p)
		tr := &trip{in: g.drivePath(r, from, p), out: g.drivePath(r, p, from), v: kmh(uniform(r, 45, 70)), drive: drive, at: p, zone: id, log: l}
		s.visit(d, tr, start, int64(hours*3600))
	}
}

func (g *gen) parkedCar(r *rand.Rand) {
	p, id, ok := g.spot(r, 30, 2900, false)
	if !ok {
		return
	}
	s := g.newSource(role{kind: kindDecoy, name: "parked-car", detector: FixedSite})
	s.zone = id
	every := uniform(r, 10, 120)
	l := fixLogger(every*0.9, every*1.1)
	l.sigma = uniform(r, 4, 8)
	s.sampling = l.every
	from := g.fromTown(r, p)
	tr := &trip{in: g.drivePath(r, from, p), out: g.drivePath(r, p, from), v: kmh(uniform(r, 45, 70)), drive: fixLogger(5, 15), at: p, zone: id, log: l}
	for _, d := range randomDays(r, 0, g.cfg.Days, 3+r.IntN(8)) {
		s.visit(d, tr, g.local(d, uniform(r, 6.5, 10)), int64(uniform(r, 2, 10)*3600))
	}
}

// resident lives 0.5 to 3 km from a zone: home at night, sparse fixes, a
// Wi-Fi scan now and then; away by day.
func (g *gen) resident(r *rand.Rand) {
	home, id, ok := g.spot(r, 500, 3000, len(g.reg.lines) > 0 && r.Float64() < 0.2)
	if !ok {
		return
	}
	s := g.newSource(role{kind: kindDecoy, name: "resident-near-zone", detector: FixedSite})
	s.zone = id
	s.home, s.homed = home, true
	g.net.addHomeAPs(r, home)
	every := uniform(r, 120, 600)
	night := fixLogger(every*0.8, every*1.2)
	night.sims = []*operator{pick(r, g.net.ops)}
	night.wifi, night.wmax = every/(uniform(r, 1, 3)*3600), 4
	night.sigma = uniform(r, 5, 10)
	s.sampling = night.every
	day := g.backgroundLogger(r, 10, 30)
	ht := g.reg.nearestTown(home)
	wt := g.reg.nearestTown(home.add(polar(uniform(r, 5000, 20000), r.Float64()*2*math.Pi)))
	for try := 0; try < 20 && g.alongRail(ht, wt); try++ {
		wt = g.reg.nearestTown(home.add(polar(uniform(r, 5000, 20000), r.Float64()*2*math.Pi)))
	}
	work := g.reg.inTown(r, wt)
	toWork, fromWork := g.drivePath(r, home, work), g.drivePath(r, work, home)
	v := kmh(uniform(r, 45, 70))
	leave, back := uniform(r, 6.5, 8.5), uniform(r, 16.5, 19)
	sleep := uniform(r, 10, 14)
	for d := range g.cfg.Days {
		if g.workday(d) {
			s.add(d, moveAct(g.local(d, leave), toWork, v, day))
			s.add(d, moveAct(g.local(d, back), fromWork, v, day))
		} else {
			town := g.reg.inTown(r, g.reg.nearestTown(home))
			t := g.local(d, uniform(r, 9, 14))
			p := g.drivePath(r, home, town)
			s.add(d, moveAct(t, p, v, day))
			s.add(d, moveAct(t+int64(uniform(r, 1, 4)*3600), reversed(p), v, day))
		}
		// Night at home, from the evening to the next morning.
		evening := math.Max(back+0.8, 21.5) + r.NormFloat64()*0.3
		st := stayAct(g.local(d, evening), g.local(d, evening+sleep+r.NormFloat64()*0.3), home, night)
		st.note = &stayNote{zone: id, at: home}
		s.stays = append(s.stays, st.note)
		s.add(d, st)
	}
}

// siteWorker works inside a site by day and logs only fixes.
func (g *gen) siteWorker(r *rand.Rand) {
	st := pick(r, g.reg.sites)
	var desk vec
	found := false
	for try := 0; try < 100 && !found; try++ {
		desk = st.pos.add(polar(st.radius*0.6*math.Sqrt(r.Float64()), r.Float64()*2*math.Pi))
		found = st.edgeDist(desk) < -30 && g.onlyIn(desk, st.id)
	}
	if !found {
		return
	}
	s := g.newSource(role{kind: kindDecoy, name: "site-worker", detector: FixedSite})
	s.zone = st.id
	every := uniform(r, 60, 300)
	l := fixLogger(every*0.8, every*1.2)
	l.sigma = uniform(r, 6, 12) // indoors
	s.sampling = l.every
	home := g.reg.inTown(r, g.reg.nearestTown(desk.add(polar(uniform(r, 5000, 25000), r.Float64()*2*math.Pi))))
	tr := &trip{in: g.drivePath(r, home, desk), out: g.drivePath(r, desk, home), v: kmh(uniform(r, 45, 75)), drive: fixLogger(10, 30), at: desk, zone: st.id, log: l}
	start := uniform(r, 7, 9)
	for d := range g.cfg.Days {
		if !g.workday(d) || r.Float64() < 0.08 {
			continue
		}
		s.visit(d, tr, g.local(d, start+r.NormFloat64()*0.15), int64(uniform(r, 7, 9.5)*3600))
	}
}
