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

// drivePath returns a road path from a to b: a short way to the nearest
// road, along the roads (the shortest way through the towns), and off the
// road to b. Points less than 3 km apart are joined by a lane.
func (g *gen) drivePath(r *rand.Rand, a, b vec) []vec {
	lane := func(p, q vec) []vec { return curve(r, p, q, 400, math.Min(0.1*p.dist(q), 150), 40) }
	ea, oka := g.reg.accessOf(a)
	eb, okb := g.reg.accessOf(b)
	if !oka || !okb || a.dist(b) < 3000 {
		return lane(a, b)
	}
	ra, rb := g.reg.roads[ea.road], g.reg.roads[eb.road]
	if ea.road == eb.road {
		return joinPaths(lane(a, ea.at), ra.line.slice(ea.s, eb.s), lane(eb.at, b))
	}
	// Leave road A by one of its towns, join road B by one of its.
	best := math.Inf(1)
	var ta, tb int
	var sa, sb float64
	for _, x := range [2]int{ra.a, ra.b} {
		xs := 0.0
		if x == ra.b {
			xs = ra.line.length()
		}
		for _, y := range [2]int{rb.a, rb.b} {
			ys := 0.0
			if y == rb.b {
				ys = rb.line.length()
			}
			if c := math.Abs(ea.s-xs) + g.reg.dist[x][y] + math.Abs(eb.s-ys); c < best {
				best, ta, tb, sa, sb = c, x, y, xs, ys
			}
		}
	}
	if math.IsInf(best, 1) {
		return lane(a, b)
	}
	return joinPaths(lane(a, ea.at), ra.line.slice(ea.s, sa), g.reg.route(ta, tb), rb.line.slice(sb, eb.s), lane(eb.at, b))
}

func moveAct(t0 int64, pts []vec, v float64, l *logger) *activity {
	return &activity{kind: actMove, t0: t0, path: newPolyline(pts), v: v, log: l}
}

func stayAct(t0, t1 int64, at vec, l *logger) *activity {
	return &activity{kind: actStay, t0: t0, t1: t1, at: at, log: l}
}

// trip is a drive to a place, a stay there and the drive back.
type trip struct {
	in, out []vec   // the drives
	v       float64 // their speed
	drive   *logger // how the drives are logged
	at      vec     // where the stay is
	zone    string  // the zone the stay is noted against
	log     *logger // how the stay is logged
}

// visit adds a trip on day d whose stay runs from start for secs seconds:
// the drive sets out early enough to arrive by then. It returns the stay.
func (s *source) visit(d int, tr *trip, start, secs int64) *activity {
	s.add(d, moveAct(start-travelTime(newPolyline(tr.in).length(), tr.v), tr.in, tr.v, tr.drive))
	st := stayAct(start, start+secs, tr.at, tr.log)
	st.note = &stayNote{zone: tr.zone, at: tr.at}
	s.stays = append(s.stays, st.note)
	s.add(d, st)
	s.add(d, moveAct(st.t1, tr.out, tr.v, tr.drive))
	return st
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
