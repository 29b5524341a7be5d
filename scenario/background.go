package scenario

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// planBackground adds the ordinary population: commuting drivers,
// pedestrians, delivery vans and people making occasional trips, about
// 220 sources at scale 1. Their daily volume stays within about half and
// twice its usual level, they never record protected bands, and they log
// while moving, not while standing still for hours.
func (g *gen) planBackground() {
	r := g.rng("background", 0)
	n := max(8, int(math.Round(220*g.cfg.Scale)))
	bg := role{kind: kindBackground}
	for i := 0; i < n; i++ {
		s := g.newSource(bg)
		sr := g.rng("background", i+1)
		switch x := r.Float64(); {
		case x < 0.45:
			g.commuterDriver(sr, s)
		case x < 0.7:
			g.pedestrian(sr, s)
		case x < 0.8:
			g.deliveryVan(sr, s)
		default:
			g.tripper(sr, s)
		}
	}
}

// homeTown picks a town, weighted by size.
func (g *gen) homeTown(r *rand.Rand) int {
	for {
		ti := r.IntN(len(g.reg.towns))
		if r.Float64() < []float64{0.3, 0.6, 1}[g.reg.towns[ti].size] {
			return ti
		}
	}
}

// backgroundLogger is an ordinary app: fixes every 5 to 40 s, and for
// about a third of the people the serving cell too.
func (g *gen) backgroundLogger(r *rand.Rand, lo, hi float64) *logger {
	every := uniform(r, lo, hi)
	cell := 0.0
	if r.Float64() < 0.35 {
		cell = uniform(r, 0.2, 1)
	}
	l := g.phoneLogger(r, every*0.8, every*1.2, cell)
	if r.Float64() < 0.05 {
		l.wifi, l.wmax = uniform(r, 0.02, 0.08), 3
	}
	return l
}

func (g *gen) commuterDriver(r *rand.Rand, s *source) {
	ht := g.homeTown(r)
	wt := ht
	if r.Float64() < 0.8 || g.reg.towns[ht].size == 0 {
		// Work in a town 5 to 40 km away.
		for try := 0; try < 20; try++ {
			c := r.IntN(len(g.reg.towns))
			if d := g.reg.towns[c].pos.dist(g.reg.towns[ht].pos); d > 5000 && d < 40000 && !g.alongRail(ht, c) {
				wt = c
				break
			}
		}
	}
	home, work := g.reg.inTown(r, ht), g.reg.inTown(r, wt)
	for try := 0; try < 20 && home.dist(work) < 1500; try++ {
		work = g.reg.inTown(r, wt)
	}
	s.home, s.homed = home, true
	g.bgHomes = append(g.bgHomes, s)
	l := g.backgroundLogger(r, 8, 40)
	s.sampling, s.usual = l.every, l
	out := g.drivePath(r, home, work)
	back := g.drivePath(r, work, home)
	v := kmh(uniform(r, 45, 75))
	leave, ret := uniform(r, 6.3, 8.5), uniform(r, 15.8, 18.5)
	for d := range g.cfg.Days {
		if g.workday(d) {
			if r.Float64() < 0.08 {
				continue // ill, on leave
			}
			s.add(d, moveAct(g.local(d, leave+r.NormFloat64()*0.15), out, v, l))
			s.add(d, moveAct(g.local(d, ret+r.NormFloat64()*0.25), back, v, l))
		} else if r.Float64() < 0.5 {
			// An errand in town, about as long as the way to work.
			p := streets(r, home, clampF(newPolyline(out).length()*uniform(r, 0.5, 1.5), 1500, 6000))
			t := g.local(d, uniform(r, 9, 17))
			s.add(d, moveAct(t, p, kmh(uniform(r, 20, 35)), l))
		}
	}
}

func (g *gen) pedestrian(r *rand.Rand, s *source) {
	ht := g.homeTown(r)
	home := g.reg.inTown(r, ht)
	l := g.backgroundLogger(r, 10, 50)
	l.sigma = uniform(r, 4, 8)
	s.sampling = l.every
	usual := uniform(r, 25, 70) // minutes
	for d := range g.cfg.Days {
		if r.Float64() > 0.7 {
			continue
		}
		mins := usual * uniform(r, 0.6, 1.5)
		v := uniform(r, 1.1, 1.5)
		p := streets(r, home, mins*60*v)
		s.add(d, moveAct(g.local(d, uniform(r, 7, 20)), p, v, l))
	}
}

// alongRail reports whether the road route between two towns runs
// within 700 m of a rail line for more than a quarter of its length (roads
// and lines between neighbouring towns are sometimes parallel). Such
// routes are left to the corridor decoys.
func (g *gen) alongRail(a, b int) bool {
	if a == b {
		return false
	}
	p := g.reg.route(a, b)
	return len(p) > 1 && g.reg.railShare(p, 1500, 1500) > 0.25
}

// linesThrough counts the rail lines that stop in town ti.
func (g *gen) linesThrough(ti int) int {
	n := 0
	for _, l := range g.reg.lines {
		if slices.Contains(l.towns, ti) {
			n++
		}
	}
	return n
}

// offRail reports whether town ti is one no rail line passes, or a city
// one line crosses: a day of driving in it stays mostly out of rail
// corridors.
func (g *gen) offRail(ti int) bool {
	n := g.linesThrough(ti)
	return n == 0 || (n == 1 && g.reg.towns[ti].size == 2)
}

// offRailTown picks a home town, weighted by size, that is off rail.
func (g *gen) offRailTown(r *rand.Rand) (int, bool) {
	for range 200 {
		if ti := g.homeTown(r); g.offRail(ti) {
			return ti, true
		}
	}
	return 0, false
}

// deliveryVan works from a town no rail line passes, or a city one line
// crosses: in smaller rail towns much of a van's day runs inside the rail
// corridor, which makes it a corridor decoy (railTownCourier), not
// background.
func (g *gen) deliveryVan(r *rand.Rand, s *source) {
	vanTown := g.offRail
	ht, ok := g.offRailTown(r)
	if !ok {
		return
	}
	other := g.reg.nearestTown(g.reg.towns[ht].pos.add(polar(15000, r.Float64()*2*math.Pi)))
	if !vanTown(other) || g.alongRail(ht, other) {
		other = ht
	}
	g.vanDays(r, s, ht, other)
}

func (g *gen) vanDays(r *rand.Rand, s *source, ht, other int) {
	depot := g.reg.inTown(r, ht)
	l := g.backgroundLogger(r, 30, 90)
	l.cell = uniform(r, 0.3, 1) // telematics modems log their cell
	s.sampling = l.every
	for d := range g.cfg.Days {
		if !g.workday(d) || r.Float64() < 0.05 {
			continue
		}
		t := g.local(d, uniform(r, 7.5, 8.5))
		at := depot
		stops := 8 + r.IntN(12)
		for k := 0; k < stops; k++ {
			town := ht
			if k > stops/2 && r.IntN(2) == 0 {
				town = other
			}
			next := g.reg.inTown(r, town)
			p := g.drivePath(r, at, next)
			v := kmh(uniform(r, 30, 55))
			s.add(d, moveAct(t, p, v, l))
			t += int64(newPolyline(p).length()/v) + int64(uniform(r, 180, 600))
			at = next
		}
		s.add(d, moveAct(t, g.drivePath(r, at, depot), kmh(45), l))
	}
}

// tripper drives to another town now and then.
func (g *gen) tripper(r *rand.Rand, s *source) {
	ht := g.homeTown(r)
	home := g.reg.inTown(r, ht)
	s.home, s.homed = home, true
	g.bgHomes = append(g.bgHomes, s)
	l := g.backgroundLogger(r, 8, 40)
	s.sampling, s.usual = l.every, l
	// A few favourite destinations about as far away by road: the town
	// nearest a reach of 12 to 40 km, and others within a third of it.
	reach := uniform(r, 12000, 40000)
	var cands []int
	for c := range g.reg.towns {
		if c != ht && !math.IsInf(g.reg.dist[ht][c], 1) && !g.alongRail(ht, c) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return
	}
	slices.SortFunc(cands, func(a, b int) int {
		return cmp.Compare(math.Abs(g.reg.dist[ht][a]-reach), math.Abs(g.reg.dist[ht][b]-reach))
	})
	first := g.reg.dist[ht][cands[0]]
	var dests []int
	for _, c := range cands {
		if d := g.reg.dist[ht][c]; d >= 0.75*first && d <= 1.33*first && len(dests) < 3 {
			dests = append(dests, c)
		}
	}
	for d := range g.cfg.Days {
		p := 0.25
		if !g.workday(d) {
			p = 0.5
		}
		if r.Float64() > p {
			continue
		}
		dt := pick(r, dests)
		there := g.reg.inTown(r, dt)
		v := kmh(uniform(r, 50, 80))
		t := g.local(d, uniform(r, 8, 13))
		out := g.drivePath(r, home, there)
		s.add(d, moveAct(t, out, v, l))
		t += int64(newPolyline(out).length()/v) + int64(uniform(r, 1, 5)*3600)
		s.add(d, moveAct(t, g.drivePath(r, there, home), v, l))
	}
}
