package scenario

import (
	"math"
	"math/rand/v2"
)

// planSignal adds sources that record the railway's protected radio (a
// scanner driving near the lines, a phone that logs the railway network's
// cells, a receiver listening to cab radios beside a line) and sources
// that measure ordinary channels just outside the protected bands.
func (g *gen) planSignal() {
	if len(g.reg.lines) == 0 {
		return
	}
	r := g.rng("signal", 0)
	for i := range g.count(r, 4, 6, 2) {
		sr := g.rng("protected-signal", i)
		switch i % 3 {
		case 0:
			g.gsmrScanner(sr)
		case 1:
			g.networkLogger(sr)
		default:
			g.sdrListener(sr)
		}
	}
	for i := range g.count(r, 4, 6, 2) {
		g.nearBandDecoy(g.rng("near-band", i))
	}
}

// lineTowns returns the towns some rail line passes through.
func (g *gen) lineTowns() []int {
	var out []int
	seen := map[int]bool{}
	for _, l := range g.reg.lines {
		for _, t := range l.towns {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// railDrive is a road trip between two towns of the same rail line: the
// road runs near the line at both ends and crosses or meets it on the way.
func (g *gen) railDrive(r *rand.Rand) []vec {
	ln := pick(r, g.reg.lines)
	i := r.IntN(len(ln.towns))
	j := (i + 1 + r.IntN(len(ln.towns)-1)) % len(ln.towns)
	a, b := g.reg.inTown(r, ln.towns[i]), g.reg.inTown(r, ln.towns[j])
	return g.drivePath(r, a, b)
}

func (g *gen) gsmrScanner(r *rand.Rand) {
	s := g.newSource(role{kind: kindActor, name: "gsm-r-scanner", detector: ProtectedSignal})
	l := g.surveyLogger(r, 2, 6)
	l.cell = uniform(r, 0.3, 0.8)
	l.gsmr = uniform(r, 0.3, 0.7)
	l.gmode = []gsmrMode{gsmrFreq, gsmrARFCN, frmcsARFCNOnly}
	s.sampling = l.every
	for _, d := range randomDays(r, 0, g.cfg.Days, 1+r.IntN(5)) {
		t := g.local(d, uniform(r, 8, 14))
		for k := 0; k < 1+r.IntN(3); k++ {
			p := g.railDrive(r)
			v := kmh(uniform(r, 45, 75))
			s.add(d, moveAct(t, p, v, l))
			t += legTime(newPolyline(p).length(), v, 0, 0) + int64(uniform(r, 600, 3600))
		}
	}
}

// networkLogger is a phone whose app logs every cell it camps on or
// sees, the railway's GSM-R cells among them, around a town on a line.
func (g *gen) networkLogger(r *rand.Rand) {
	s := g.newSource(role{kind: kindActor, name: "railway-network-logger", detector: ProtectedSignal})
	towns := g.lineTowns()
	ht := pick(r, towns)
	home := g.reg.inTown(r, ht)
	l := g.phoneLogger(r, 5, 20, uniform(r, 0.5, 1))
	l.gsmr = uniform(r, 0.05, 0.25)
	l.gmode = []gsmrMode{gsmrNetwork, gsmrARFCN}
	s.sampling = l.every
	for _, d := range randomDays(r, 0, g.cfg.Days, 2+r.IntN(6)) {
		p := streets(r, home, uniform(r, 3000, 12000))
		s.add(d, moveAct(g.local(d, uniform(r, 8, 18)), p, kmh(uniform(r, 15, 40)), l))
	}
}

// sdrListener sits beside a line, outside its corridor, with a receiver
// tuned to the GSM-R bands.
func (g *gen) sdrListener(r *rand.Rand) {
	p, id, ok := g.spot(r, 100, 2500, true)
	if !ok {
		return
	}
	s := g.newSource(role{kind: kindActor, name: "gsm-r-receiver", detector: ProtectedSignal})
	s.zone = id
	every := uniform(r, 5, 30)
	l := fixLogger(every*0.8, every*1.2)
	l.gsmr = uniform(r, 0.5, 0.9)
	l.gmode = []gsmrMode{gsmrUplink, gsmrFreq}
	l.sigma, l.bound = uniform(r, 4, 8), 28
	s.sampling = l.every
	from := g.fromTown(r, p)
	tr := &trip{in: g.drivePath(r, from, p), out: g.drivePath(r, p, from), v: kmh(uniform(r, 45, 70)), drive: fixLogger(10, 20), at: p, zone: id, log: l}
	for _, d := range randomDays(r, 0, g.cfg.Days, 1+r.IntN(4)) {
		s.visit(d, tr, g.local(d, uniform(r, 8, 18)), int64(uniform(r, 1, 4)*3600))
	}
}

// nearBandDecoy measures ordinary GSM 900 and LTE 900 channels next to the
// protected bands, driving near and away from the lines.
func (g *gen) nearBandDecoy(r *rand.Rand) {
	s := g.newSource(role{kind: kindDecoy, name: "near-band-measurements", detector: ProtectedSignal})
	l := g.surveyLogger(r, 2, 8)
	l.near = []nearBand{nearEGSM, nearNR8, nearPGSMLow, nearLTE8, nearUplinkGap}[r.IntN(5)]
	l.nearP = uniform(r, 0.3, 0.8)
	s.sampling = l.every
	// Two survey routes, one near a line, driven in turn.
	routes := [][]vec{g.railDrive(r)}
	a := g.reg.inTown(r, r.IntN(len(g.reg.towns)))
	routes = append(routes, g.drivePath(r, a, g.reg.inTown(r, g.reg.nearestTown(a.add(polar(25000, r.Float64()*2*math.Pi))))))
	for k, d := range randomDays(r, 0, g.cfg.Days, 2+r.IntN(7)) {
		s.add(d, moveAct(g.local(d, uniform(r, 8, 15)), routes[k%2], kmh(uniform(r, 45, 75)), l))
	}
}
