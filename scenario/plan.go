package scenario

import (
	"math"
	"math/rand/v2"
)

// Helpers the planners share: devices, paths and activities.

// fixLogger is a phone or tracker that writes plain fixes every lo to hi
// seconds.
func fixLogger(lo, hi float64) *logger {
	return &logger{every: [2]float64{lo, hi}, fixes: true, sigma: 4, bound: 25}
}

// phoneLogger is a phone app that writes fixes and, for a share of its
// samples, the serving cell.
func (g *gen) phoneLogger(r *rand.Rand, lo, hi, cellShare float64) *logger {
	l := fixLogger(lo, hi)
	l.cell = cellShare
	l.sims = []*operator{pick(r, g.net.ops)}
	l.techs = [4]float64{0.05, 0.05, 0.75, 0.15}
	l.freq = r.IntN(4) == 0
	l.sigma = uniform(r, 3, 6)
	return l
}

// surveyLogger is a measurement device: a cell row every sample, on one
// to three networks, with neighbours and Wi-Fi scans.
func (g *gen) surveyLogger(r *rand.Rand, lo, hi float64) *logger {
	l := &logger{every: [2]float64{lo, hi}, cell: 1, fixes: true, sigma: uniform(r, 3, 7), bound: 28}
	perm := r.Perm(len(g.net.ops))
	for _, i := range perm[:1+r.IntN(len(perm))] {
		l.sims = append(l.sims, g.net.ops[i])
	}
	l.techs = [4]float64{uniform(r, 0, 0.2), uniform(r, 0, 0.1), 1, uniform(r, 0, 0.4)}
	l.freq = r.IntN(2) == 0
	return l
}

// drivePath returns a road path from a to b: to the nearest town, along
// the roads, and on to b.
func (g *gen) drivePath(r *rand.Rand, a, b vec) []vec {
	ta, tb := g.reg.nearestTown(a), g.reg.nearestTown(b)
	if ta == tb || a.dist(b) < 4000 {
		return curve(r, a, b, 800, math.Min(0.1*a.dist(b), 400), 60)
	}
	pa, pb := g.reg.towns[ta].pos, g.reg.towns[tb].pos
	return joinPaths(
		curve(r, a, pa, 800, math.Min(0.1*a.dist(pa), 400), 60),
		g.reg.route(ta, tb),
		curve(r, pb, b, 800, math.Min(0.1*pb.dist(b), 400), 60),
	)
}

func moveAct(t0 int64, pts []vec, v float64, l *logger) *activity {
	return &activity{kind: actMove, t0: t0, path: newPolyline(pts), v: v, log: l}
}

func stayAct(t0, t1 int64, at vec, l *logger) *activity {
	return &activity{kind: actStay, t0: t0, t1: t1, at: at, log: l}
}

// kmh converts km/h to m/s.
func kmh(v float64) float64 { return v / 3.6 }

// travelTime is a safe upper bound of the seconds a move of length m at
// mean speed v takes (the speed varies down to 0.7 of the mean, and slows
// at stops).
func travelTime(m, v float64) int64 { return int64(m/(0.62*v)) + 60 }

// legTime is about the seconds a ride of m metres at mean speed v with
// stops of mean dwell seconds takes.
func legTime(m, v float64, stops int, dwell float64) int64 {
	return int64(m/(0.97*v) + float64(stops)*(dwell+70))
}

// roadPointNear returns a point beside a road within reach metres of p
// (its nearest road point, off by a few metres), or p when no road is
// that near.
func (g *gen) roadPointNear(r *rand.Rand, p vec, reach float64) (vec, bool) {
	d, ri := g.reg.ways.nearest(p, int(math.Ceil(reach/g.reg.ways.cell)))
	if ri < 0 || d > reach {
		return p, false
	}
	rd := g.reg.roads[ri].line
	s, _ := rd.project(p)
	q, dir := rd.at(s)
	return q.add(dir.perp().scale(uniform(r, -25, 25))), true
}

// randomDays returns n distinct days in [lo, hi), in order.
func randomDays(r *rand.Rand, lo, hi, n int) []int {
	if hi-lo <= 0 {
		return nil
	}
	perm := r.Perm(hi - lo)
	n = min(n, len(perm))
	out := make([]int, n)
	for i := range out {
		out[i] = lo + perm[i]
	}
	for i := 1; i < n; i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
