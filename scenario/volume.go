package scenario

import (
	"math"
	"math/rand/v2"
)

// volumePlan marks a source whose daily volume the truth reports; spikes
// are the days planned far above its usual volume.
type volumePlan struct {
	spikes []int
}

// Spike days carry at most this many rows.
const maxSpikeRows = 40_000

// planVolume adds sources that record a steady amount each day for weeks
// and then, on a day or a few, ten to a hundred times as much; and
// sources whose volume varies widely for ordinary reasons, or starts big
// and stays so. It needs ten days or more.
func (g *gen) planVolume() {
	if g.cfg.Days < 10 {
		return
	}
	r := g.rng("volume", 0)
	for i := range g.count(r, 4, 6, 2) {
		g.bulkCollector(g.rng("bulk-collector", i))
	}
	for i := range g.count(r, 3, 5, 2) {
		g.variableContributor(g.rng("variable-contributor", i))
	}
	for i := range g.count(r, 1, 2, 1) {
		g.newBigSource(g.rng("new-big-source", i))
	}
}

// tour returns a drive of about length metres from home: through its
// streets when short, else from town to town and back, keeping off roads
// that run beside rail lines.
func (g *gen) tour(r *rand.Rand, home vec, length float64) []vec {
	if length < 15_000 {
		return streets(r, home, length)
	}
	pts := []vec{home}
	at := home
	for newPolyline(pts).length()+1.3*at.dist(home) < length {
		// On to a town nearby, not along a road beside a rail line.
		from := g.reg.nearestTown(at)
		nt := g.reg.nearestTown(at.add(polar(uniform(r, 8000, 25000), r.Float64()*2*math.Pi)))
		for try := 0; try < 20 && g.alongRail(from, nt); try++ {
			nt = g.reg.nearestTown(at.add(polar(uniform(r, 8000, 25000), r.Float64()*2*math.Pi)))
		}
		next := g.reg.inTown(r, nt)
		pts = joinPaths(pts, g.drivePath(r, at, next))
		at = next
	}
	return joinPaths(pts, g.drivePath(r, at, home))
}

// collectorDay adds a day of driving for hours that writes about rows
// rows: a cell measurement per sample, with neighbour cells when one row
// a second is not enough.
func (g *gen) collectorDay(r *rand.Rand, s *source, d int, home vec, hours, rows float64, base *logger) {
	l := *base
	l.neigh = min(6, max(0, int(math.Ceil(rows/(hours*3600)))-1))
	every := math.Max(1, hours*3600*float64(1+l.neigh)/rows)
	l.every = [2]float64{every * 0.9, every * 1.1}
	if every < 1.5 {
		l.every = [2]float64{1, 1}
	}
	v := kmh(uniform(r, 30, 50))
	// Drive on for the planned hours and stop logging then: the tour is
	// long enough even at the fastest.
	p := g.tour(r, home, 1.3*v*hours*3600)
	a := moveAct(g.local(d, uniform(r, 7, 9.5)), p, v, &l)
	a.until = a.t0 + int64(hours*3600)
	s.add(d, a)
}

// collector adds a source that drives from home recording a cell
// measurement each sample, about lo to hi rows on a usual day.
func (g *gen) collector(r *rand.Rand, rl role, lo, hi float64) (*source, vec, float64, *logger) {
	s := g.newSource(rl)
	s.volume = &volumePlan{}
	l := g.surveyLogger(r, 1, 1)
	l.wifi = 0
	ht, ok := g.offRailTown(r)
	if !ok {
		ht = g.homeTown(r)
	}
	return s, g.reg.inTown(r, ht), uniform(r, lo, hi), l
}

func (g *gen) bulkCollector(r *rand.Rand) {
	s, home, base, l := g.collector(r, role{kind: kindActor, name: "bulk-collector", detector: Volume}, 150, 600)
	everyDay := r.IntN(2) == 0
	first := max(7, g.cfg.Days/2)
	n := 1
	if r.Float64() < 0.3 {
		n = 2 + r.IntN(2)
	}
	spikes := randomDays(r, first, g.cfg.Days, n)
	s.volume = &volumePlan{spikes: spikes}
	stopAfter := g.cfg.Days
	if r.Float64() < 0.3 {
		stopAfter = spikes[len(spikes)-1] + 1
	}
	hours := uniform(r, 1.5, 2.5)
	for d := 0; d < stopAfter; d++ {
		spike := false
		for _, x := range spikes {
			spike = spike || x == d
		}
		switch {
		case spike:
			f := uniform(r, 11, 100) // 10 to 100 times, as written: a little margin for the noise
			limit := maxSpikeRows * math.Min(1, math.Pow(g.cfg.Scale, 0.35))
			g.collectorDay(r, s, d, home, uniform(r, 8, 14), math.Min(base*f, limit), l)
		case everyDay || g.workday(d):
			g.collectorDay(r, s, d, home, hours*uniform(r, 0.9, 1.1), base*uniform(r, 0.85, 1.15), l)
		}
	}
	s.sampling = [2]float64{1, math.Round(hours * 3600 / base)}
}

func (g *gen) variableContributor(r *rand.Rand) {
	s, home, base, l := g.collector(r, role{kind: kindDecoy, name: "variable-contributor", detector: Volume}, 100, 500)
	weekend := uniform(r, 0.3, 0.6)
	for d := range g.cfg.Days {
		if r.Float64() < 0.1 {
			continue
		}
		f := math.Exp(uniform(r, math.Log(0.5), math.Log(2)))
		if !g.workday(d) {
			f *= weekend
		}
		g.collectorDay(r, s, d, home, 2*f, base*f, l)
	}
	s.sampling = [2]float64{1, math.Round(7200 / base)}
}

func (g *gen) newBigSource(r *rand.Rand) {
	s, home, base, l := g.collector(r, role{kind: kindDecoy, name: "new-big-source", detector: Volume}, 1000, 3000)
	d0 := 3 + r.IntN(max(1, g.cfg.Days/2-3))
	hours := uniform(r, 5, 9)
	for d := d0; d < g.cfg.Days; d++ {
		g.collectorDay(r, s, d, home, hours*uniform(r, 0.9, 1.1), base*uniform(r, 0.9, 1.1), l)
	}
	s.sampling = [2]float64{1, math.Round(hours * 3600 / base)}
}
