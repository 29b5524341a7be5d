package scenario

import (
	"math"
	"math/rand/v2"
	"slices"
)

// planCorridor adds the drive-testers that follow rail lines, and the
// people whose tracks run along or across rail for ordinary reasons:
// commuters, long-distance travellers and drivers whose roads cross the
// lines.
func (g *gen) planCorridor() {
	if len(g.reg.lines) == 0 {
		return
	}
	r := g.rng("corridor", 0)
	for i := range g.count(r, 4, 7, 2) {
		g.driveTester(g.rng("drive-tester", i))
	}
	for i := range g.count(r, 5, 8, 2) {
		g.railCommuter(g.rng("rail-commuter", i))
	}
	for i := range g.count(r, 3, 5, 1) {
		g.longDistance(g.rng("long-distance", i))
	}
	for i := range g.count(r, 4, 6, 2) {
		g.railCrosser(g.rng("rail-crosser", i))
	}
	for i := range g.count(r, 1, 3, 1) {
		g.railTownCourier(g.rng("rail-town-courier", i))
	}
	var parallel [][2]int
	for a := range g.reg.towns {
		for b := a + 1; b < len(g.reg.towns); b++ {
			if g.reg.towns[a].pos.dist(g.reg.towns[b].pos) < 45_000 && g.alongRail(a, b) {
				parallel = append(parallel, [2]int{a, b})
			}
		}
	}
	if len(parallel) > 0 {
		for i := range g.count(r, 1, 3, 1) {
			g.parallelDriver(g.rng("parallel-driver", i), pick(r, parallel))
		}
	}
}

// parallelDriver commutes by car on a road that runs beside a rail line,
// logging fixes (and, for some, the serving cell).
func (g *gen) parallelDriver(r *rand.Rand, towns [2]int) {
	if r.IntN(2) == 0 {
		towns[0], towns[1] = towns[1], towns[0]
	}
	s := g.newSource(role{kind: kindDecoy, name: "driver-parallel-to-rail", detector: Corridor})
	l := g.backgroundLogger(r, 5, 30)
	s.sampling = l.every
	home, work := g.reg.inTown(r, towns[0]), g.reg.inTown(r, towns[1])
	out, back := g.drivePath(r, home, work), g.drivePath(r, work, home)
	v := kmh(uniform(r, 50, 80))
	leave, ret := uniform(r, 6.3, 8.5), uniform(r, 15.8, 18.5)
	for d := range g.cfg.Days {
		if g.workday(d) && r.Float64() > 0.1 {
			s.add(d, moveAct(g.local(d, leave+r.NormFloat64()*0.15), out, v, l))
			s.add(d, moveAct(g.local(d, ret+r.NormFloat64()*0.25), back, v, l))
		}
	}
}

// railTownCourier delivers parcels in the town where most lines meet:
// much of its day is inside rail corridors, none of it follows a line.
func (g *gen) railTownCourier(r *rand.Rand) {
	best, bn := 0, -1
	for ti := range g.reg.towns {
		if n := g.linesThrough(ti)*10 + g.reg.towns[ti].size; n > bn {
			best, bn = ti, n
		}
	}
	s := g.newSource(role{kind: kindDecoy, name: "rail-town-courier", detector: Corridor})
	g.vanDays(r, s, best, best)
}

// trainLeg returns a ride on line l from arc sa to sb (either way), with
// a stop at each station strictly between when regional, else at each
// town.
func trainLeg(l *railLine, sa, sb float64, regional bool) ([]vec, []float64) {
	pts := l.line.slice(sa, sb)
	var stops []float64
	list := l.townAt
	if regional {
		list = l.stations
	}
	for _, st := range list {
		if st > math.Min(sa, sb)+200 && st < math.Max(sa, sb)-200 {
			stops = append(stops, math.Abs(st-sa))
		}
	}
	slices.Sort(stops)
	return pts, stops
}

// workdaysFrom returns up to n days from d0 on, taking weekends only now
// and then.
func (g *gen) workdaysFrom(r *rand.Rand, d0, n int, weekendP float64) []int {
	var out []int
	for d := d0; d < g.cfg.Days && len(out) < n; d++ {
		if g.workday(d) || r.Float64() < weekendP {
			out = append(out, d)
		}
	}
	return out
}

func (g *gen) driveTester(r *rand.Rand) {
	train := r.Float64() < 0.4
	name := "drive-tester-road"
	if train {
		name = "drive-tester-train"
	}
	s := g.newSource(role{kind: kindActor, name: name, detector: Corridor})
	b := float64(1 + r.IntN(5))
	l := g.surveyLogger(r, b, b+float64(r.IntN(2)))
	if r.Float64() < 0.3 {
		l.neigh = 1
	}
	if r.Float64() < 0.3 {
		l.wifi, l.wmax = uniform(r, 0.02, 0.1), 3
	}
	if r.Float64() < 0.4 {
		l.gsmr = uniform(r, 0.05, 0.3)
		l.gmode = []gsmrMode{gsmrARFCN, gsmrFreq, gsmrNetwork}[:1+r.IntN(3)]
	}
	if train {
		l.sigma = uniform(r, 5, 10) // inside a carriage
	}
	s.sampling = l.every
	// One line, back and forth, or two or three lines on different days.
	backForth := r.IntN(2) == 0
	nl := 1
	if !backForth {
		nl = min(len(g.reg.lines), 2+r.IntN(2))
	}
	var lines []*railLine
	for _, i := range r.Perm(len(g.reg.lines))[:nl] {
		lines = append(lines, g.reg.lines[i])
		s.lines = append(s.lines, g.reg.lines[i].id)
	}
	regional := r.IntN(2) == 0
	// 50 to 400 km a day (up to 250 km at one sample a second), on 3 to
	// 10 days; fewer days when a day's rows are many, so that one tester
	// writes at most about 60,000 rows at scale 1.
	// Distances along the line; a road beside it is some 10 % longer.
	dmax := 400_000.0
	if !train {
		dmax = 360_000
	}
	if b == 1 {
		dmax = 250_000
	}
	vMean := kmh(70)
	if train {
		vMean = kmh(120)
	}
	budget := 60_000 * math.Min(1, math.Pow(g.cfg.Scale, 0.35))
	rowsPerM := 1 / vMean / b * float64(1+l.neigh)
	dmax = clampF(2*budget/(3*rowsPerM)-50_000, 100_000, dmax)
	perDay := (50_000 + dmax) / 2 * rowsPerM
	nd := min(g.cfg.Days, 3+r.IntN(8), max(3, int(budget/perDay)))
	// Room for the weekends the days skip.
	d0 := r.IntN(max(1, g.cfg.Days-nd*7/5-1))
	for k, d := range g.workdaysFrom(r, d0, nd, 0.3) {
		ln := lines[k%len(lines)]
		L := ln.line.length()
		D := uniform(r, 50_000, dmax)
		stretch := math.Min(L, D/2*uniform(r, 0.8, 1.2))
		if !backForth {
			stretch = math.Min(L, D*uniform(r, 0.5, 0.8))
		}
		sa := r.Float64() * (L - stretch)
		if train {
			// Start and end at stations.
			sa = nearestOf(ln.stations, sa)
			stretch = math.Max(nearestOf(ln.stations, sa+stretch)-sa, math.Min(L-sa, 15_000))
		}
		sb := sa + stretch
		if r.IntN(2) == 0 {
			sa, sb = sb, sa
		}
		t := g.local(d, uniform(r, 7, 10))
		stop := g.local(d, 20)
		var v float64
		if train {
			v = math.Min(ln.vmax, kmh(uniform(r, 90, 130)))
			if !regional {
				v = math.Min(ln.vmax, kmh(uniform(r, 140, 190)))
			}
		} else {
			v = kmh(uniform(r, 50, 90))
		}
		// A car drives a road beside the stretch, drawn every 25 m of
		// the line; D is what it drives, and the road's bends and
		// detours make it longer than the line.
		lo := math.Min(sa, sb)
		w := roadWave(r, stretch)
		var road []vec
		if !train {
			D /= w.lengthFactor()
			for x := 0.0; x <= stretch; x += 25 {
				p, dir := ln.line.at(lo + x)
				road = append(road, p.add(dir.perp().scale(w.at(x))))
			}
		}
		onRoad := func(x0, x1 float64) []vec {
			i := min(len(road)-1, int(math.Round((x0-lo)/25)))
			j := min(len(road)-1, int(math.Round((x1-lo)/25)))
			if i <= j {
				return road[i : j+1]
			}
			return reversed(road[j : i+1])
		}
		for leg, done := 0, 0.0; leg < 8 && done < D-5000 && t < stop; leg++ {
			// The last leg goes only as far as the day's distance.
			end := sb
			if left := D - done; left < stretch {
				end = sa + math.Copysign(left, sb-sa)
				if train {
					end = nearestOf(ln.stations, end)
				}
				if math.Abs(end-sa) < 5000 {
					break
				}
			}
			var a *activity
			if train {
				pts, stops := trainLeg(ln, sa, end, regional)
				a = moveAct(t, pts, v, l)
				a.stops = stops
				a.dwell = [2]float64{30, 90}
				if !regional {
					a.dwell = [2]float64{60, 150}
				}
			} else {
				a = moveAct(t, onRoad(sa, end), v, l)
			}
			s.add(d, a)
			done += math.Abs(end - sa)
			t += legTime(math.Abs(end-sa), v, len(a.stops), (a.dwell[0]+a.dwell[1])/2)
			if end != sb {
				break
			}
			// Turn round: a train waits at the terminus, a car turns.
			turn := uniform(r, 120, 900)
			if train {
				turn = uniform(r, 300, 1800)
			}
			at := a.path.pts[len(a.path.pts)-1]
			s.add(d, stayAct(t, t+int64(turn), at, l))
			t += int64(turn)
			sa, sb = sb, sa
		}
	}
}

func nearestOf(xs []float64, x float64) float64 {
	best := xs[0]
	for _, v := range xs {
		if math.Abs(v-x) < math.Abs(best-x) {
			best = v
		}
	}
	return best
}

// roadWave is a drive-tester's road beside the line: mostly 50 to 450 m
// off it, leaving it for a kilometre or more now and then.
func roadWave(r *rand.Rand, length float64) *wave {
	w := &wave{
		amp:    [2]float64{uniform(r, 30, 120), uniform(r, 10, 50)},
		period: [2]float64{uniform(r, 1500, 4000), uniform(r, 300, 900)},
		phase:  [2]float64{r.Float64() * 2 * math.Pi, r.Float64() * 2 * math.Pi},
	}
	room := 440 - w.amp[0] - w.amp[1]
	w.base = uniform(r, 50, math.Max(60, room))
	if r.IntN(2) == 0 {
		w.base = -w.base
	}
	for s := uniform(r, 3000, 25000); s < length; s += uniform(r, 6000, 30000) {
		a := uniform(r, 500, 1300)
		l := uniform(r, math.Max(1500, 2.5*a), 5000)
		w.bulges = append(w.bulges, [3]float64{s, s + l, math.Copysign(a, w.base)})
	}
	w.length = length
	return w
}

// lengthFactor is how much longer a path offset by the wave is than the
// stretch it follows (on a straight stretch).
func (w *wave) lengthFactor() float64 {
	const ds = 25.0
	l, prev := 0.0, w.at(0)
	for s := ds; s <= w.length; s += ds {
		o := w.at(s)
		l += math.Hypot(ds, o-prev)
		prev = o
	}
	return math.Max(1, l/w.length)
}

func (g *gen) railCommuter(r *rand.Rand) {
	// A line with two stations 15 to 60 km apart.
	var ln *railLine
	var sa, sb float64
	for try := 0; try < 50 && ln == nil; try++ {
		c := pick(r, g.reg.lines)
		i, j := r.IntN(len(c.stations)), r.IntN(len(c.stations))
		if d := math.Abs(c.stations[i] - c.stations[j]); d >= 15000 && d <= 60000 {
			ln, sa, sb = c, c.stations[i], c.stations[j]
		}
	}
	if ln == nil {
		return
	}
	s := g.newSource(role{kind: kindDecoy, name: "rail-commuter", detector: Corridor})
	s.lines = []string{ln.id}
	every := uniform(r, 5, 60)
	cell := 0.0
	if r.Float64() < 0.3 {
		cell = uniform(r, 0.5, 1) // apps that log the serving cell
	}
	l := g.phoneLogger(r, every*0.9, every*1.1, cell)
	l.sigma = uniform(r, 5, 12)
	s.sampling = l.every
	pa, _ := ln.line.at(sa)
	pb, _ := ln.line.at(sb)
	home := pa.add(polar(uniform(r, 300, 1500), r.Float64()*2*math.Pi))
	work := pb.add(polar(uniform(r, 300, 1500), r.Float64()*2*math.Pi))
	toStation := curve(r, home, pa, 300, 100, 40)
	fromStation := curve(r, pb, work, 300, 100, 40)
	out, outStops := trainLeg(ln, sa, sb, true)
	back, backStops := trainLeg(ln, sb, sa, true)
	v := math.Min(ln.vmax, kmh(uniform(r, 80, 120)))
	walk := uniform(r, 1.2, 1.5)
	morning, evening := uniform(r, 6, 8.5), uniform(r, 16, 18.5)
	holiday := -1
	if r.Float64() < 0.3 {
		holiday = r.IntN(g.cfg.Days)
	}
	for d := range g.cfg.Days {
		if !g.workday(d) || r.Float64() < 0.08 || (holiday >= 0 && d >= holiday && d < holiday+5) {
			continue
		}
		t := g.local(d, morning+r.NormFloat64()*0.1)
		for _, leg := range []struct {
			walk1, walk2 []vec
			ride         []vec
			stops        []float64
		}{{toStation, fromStation, out, outStops}, {reversed(fromStation), reversed(toStation), back, backStops}} {
			w1 := moveAct(t, leg.walk1, walk, l)
			t += travelTime(w1.path.length(), walk)
			wait := int64(uniform(r, 120, 480))
			at := leg.ride[0]
			s.add(d, w1)
			s.add(d, stayAct(t, t+wait, at, l))
			t += wait
			ride := moveAct(t, leg.ride, v, l)
			ride.stops, ride.dwell = leg.stops, [2]float64{30, 60}
			s.add(d, ride)
			t += legTime(ride.path.length(), v, len(leg.stops), 45)
			s.add(d, moveAct(t, leg.walk2, walk, l))
			t = g.local(d, evening+r.NormFloat64()*0.2)
		}
	}
}

// longDistance rides one long trip on one line, or two joined at a town,
// and sometimes the trip back a few days later.
func (g *gen) longDistance(r *rand.Rand) {
	type piece struct {
		ln     *railLine
		sa, sb float64
	}
	var route []piece
	target := uniform(r, 80_000, 250_000)
	a := pick(r, g.reg.lines)
	// Join a second line at a shared town when the first is short.
	var b *railLine
	var ja, jb float64
	for _, c := range g.reg.lines {
		if c == a {
			continue
		}
		for i, ti := range a.towns {
			if k := slices.Index(c.towns, ti); k >= 0 && b == nil && a.line.length() < target {
				b, ja, jb = c, a.townAt[i], c.townAt[k]
			}
		}
	}
	if b != nil {
		// Ride a from its far end to the junction, then b away from it.
		startA := 0.0
		if ja < a.line.length()/2 {
			startA = a.line.length()
		}
		endB := b.line.length()
		if jb > endB/2 {
			endB = 0
		}
		route = []piece{{a, nearestOf(a.townAt, startA), ja}, {b, jb, nearestOf(b.townAt, endB)}}
	} else {
		L := a.line.length()
		sa := nearestOf(a.townAt, r.Float64()*math.Max(0, L-target))
		route = []piece{{a, sa, nearestOf(a.townAt, math.Min(L, sa+target))}}
	}
	if len(route) == 1 && math.Abs(route[0].sb-route[0].sa) < 20_000 {
		return
	}
	s := g.newSource(role{kind: kindDecoy, name: "long-distance-traveller", detector: Corridor})
	every := uniform(r, 10, 60)
	cell := 0.0
	if r.Float64() < 0.3 {
		cell = uniform(r, 0.3, 1)
	}
	l := g.phoneLogger(r, every*0.9, every*1.1, cell)
	l.sigma = uniform(r, 6, 12)
	s.sampling = l.every
	var pts []vec
	var stops []float64
	for _, p := range route {
		s.lines = append(s.lines, p.ln.id)
		leg, st := trainLeg(p.ln, p.sa, p.sb, false)
		base := 0.0
		if len(pts) > 0 {
			base = newPolyline(pts).length()
			stops = append(stops, base)
		}
		for _, x := range st {
			stops = append(stops, base+x)
		}
		pts = joinPaths(pts, leg)
	}
	v := kmh(uniform(r, 130, 190))
	d := r.IntN(g.cfg.Days)
	ride := func(d int, path []vec, stops []float64) {
		t := g.local(d, uniform(r, 7, 16))
		walk := curve(r, path[0].add(polar(uniform(r, 300, 1200), r.Float64()*6.3)), path[0], 300, 80, 40)
		s.add(d, moveAct(t, walk, 1.3, l))
		t += travelTime(newPolyline(walk).length(), 1.3) + int64(uniform(r, 300, 900))
		a := moveAct(t, path, v, l)
		a.stops, a.dwell = stops, [2]float64{60, 180}
		s.add(d, a)
	}
	ride(d, pts, stops)
	if r.Float64() < 0.4 && d+2 < g.cfg.Days {
		back := reversed(pts)
		L := newPolyline(pts).length()
		var bs []float64
		for _, x := range stops {
			bs = append(bs, L-x)
		}
		slices.Sort(bs)
		ride(min(g.cfg.Days-1, d+2+r.IntN(5)), back, bs)
	}
}

// railCrosser drives between two towns whose road crosses rail lines.
func (g *gen) railCrosser(r *rand.Rand) {
	var best []vec
	bestN := -1
	var home, there vec
	for try := 0; try < 30; try++ {
		a, b := r.IntN(len(g.reg.towns)), r.IntN(len(g.reg.towns))
		if a == b {
			continue
		}
		h, t := g.reg.inTown(r, a), g.reg.inTown(r, b)
		p := g.drivePath(r, h, t)
		if n := g.railCrossings(p); n > bestN && newPolyline(p).length() < 60_000 {
			best, bestN, home, there = p, n, h, t
		}
	}
	if bestN < 1 {
		return
	}
	s := g.newSource(role{kind: kindDecoy, name: "driver-crossing-rail", detector: Corridor})
	l := g.backgroundLogger(r, 5, 30)
	s.sampling = l.every
	back := g.drivePath(r, there, home)
	v := kmh(uniform(r, 50, 80))
	for _, d := range randomDays(r, 0, g.cfg.Days, 5+r.IntN(11)) {
		t := g.local(d, uniform(r, 7, 10))
		s.add(d, moveAct(t, best, v, l))
		t += travelTime(newPolyline(best).length(), v) + int64(uniform(r, 1, 8)*3600)
		s.add(d, moveAct(t, back, v, l))
	}
}

// railCrossings counts how often a path enters a rail corridor.
func (g *gen) railCrossings(p []vec) int {
	n, in := 0, false
	for _, q := range p {
		d, _ := g.reg.rail.nearest(q, 1)
		now := d < railBufferM
		if now && !in {
			n++
		}
		in = now
	}
	return n
}
