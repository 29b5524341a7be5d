package scenario

import (
	"math"
	"math/rand/v2"

	"github.com/geowarden/geowarden"
)

// rec is one row of output.
type rec struct {
	t        int64 // unix seconds
	src      int32
	lat, lon float64
	acc      float32 // metres; 0 unknown
	radio    uint8
	mcc, mnc int16
	area     int32
	cell     int64
	arfcn    int32 // -1 none
	freq     float32
	rsrp     int16 // 0 none
	rssi     int16 // 0 none
	ap       uint64
}

// gsmrMode is how a device writes a GSM-R measurement.
type gsmrMode uint8

const (
	gsmrARFCN      gsmrMode = iota // radio GSM, the railway's MCC-MNC, ARFCN
	gsmrFreq                       // no radio, the downlink frequency (a scanner)
	gsmrUplink                     // no radio, an uplink frequency 873-880 MHz (a receiver near a train)
	gsmrNetwork                    // radio GSM, the railway's MCC-MNC only: a cab radio's serving cell
	frmcsARFCNOnly                 // radio NR and the FRMCS carrier's NR-ARFCN only (a 5G scanner)
)

// nearBand is a channel just outside the protected bands, written by the
// protected-signal decoys.
type nearBand uint8

const (
	nearNone      nearBand = iota
	nearEGSM               // ARFCN 975-998: 925.2-929.6 MHz, just above the GSM-R downlink
	nearNR8                // NR band n8 at 925.5-929.5 MHz, NR-ARFCN only, just above n100
	nearPGSMLow            // ARFCN 0-6: 935.0-936.2 MHz
	nearLTE8               // LTE band 8 at 925.5-929.5 MHz, frequency written
	nearUplinkGap          // 880.2-884.8 MHz, an E-GSM uplink frequency
)

// logger is how a source's device records: how often, and what.
type logger struct {
	every [2]float64 // seconds between samples
	cell  float64    // share of samples written as a cell measurement (else a fix)
	fixes bool       // write the other samples as plain fixes (else nothing)
	sims  []*operator
	techs [4]float64 // weights of GSM, UMTS, LTE, NR
	freq  bool       // write freq_mhz
	neigh int        // neighbour-cell rows per cell measurement
	wifi  float64    // share of samples that are also a Wi-Fi scan
	wmax  int        // access points per scan
	gsmr  float64    // share of samples near rail that are also a GSM-R measurement
	gmode []gsmrMode
	near  nearBand // protected-signal decoy: also write a near-band channel
	nearP float64  // share of cell samples written on it
	sigma float64  // GPS noise, metres
	bound float64  // cap on the GPS error while standing still, metres
	sim   int      // next SIM to use
}

func (l *logger) interval(r *rand.Rand) int64 {
	lo, hi := l.every[0], l.every[1]
	return max(1, int64(math.Round(lo+r.Float64()*(hi-lo))))
}

func (l *logger) tech(r *rand.Rand) uint8 {
	sum := l.techs[0] + l.techs[1] + l.techs[2] + l.techs[3]
	if sum == 0 {
		return radioLTE
	}
	x := r.Float64() * sum
	for i, w := range l.techs {
		if x < w {
			return radioGSM + uint8(i)
		}
		x -= w
	}
	return radioLTE
}

// actKind is what an activity does.
type actKind uint8

const (
	actMove actKind = iota // follow a path
	actStay                // stand still
)

// activity is one leg of a source's day: a move along a path or a stay.
// A source's activities run one after another: one that is due before the
// previous one has ended starts when it ends.
type activity struct {
	kind  actKind
	t0    int64 // earliest start, unix seconds
	t1    int64 // stay: end
	path  *polyline
	v     float64   // move: mean speed, m/s
	stops []float64 // move: arc positions to dwell at
	dwell [2]float64
	at    vec // stay: where
	log   *logger
	// note, when set, records what a stay really wrote.
	note *stayNote
	// until, when set, ends a move at that time wherever it is: the
	// device stops logging at the end of a shift.
	until int64
}

// wave is a smooth lateral offset along a path: base plus sinusoids, and
// bulges where the road leaves the line for a while.
type wave struct {
	base   float64
	amp    [2]float64
	period [2]float64
	phase  [2]float64
	bulges [][3]float64 // arc start, arc end, extra offset
	length float64      // of the stretch the wave is drawn along
	rev    bool         // the path runs the stretch backwards
}

func (w *wave) at(s float64) float64 {
	o := w.base
	for i := range w.amp {
		o += w.amp[i] * math.Sin(2*math.Pi*s/w.period[i]+w.phase[i])
	}
	for _, b := range w.bulges {
		if s > b[0] && s < b[1] {
			o += b[2] * math.Sin(math.Pi*(s-b[0])/(b[1]-b[0]))
		}
	}
	return o
}

// emitter writes the rows of one source.
type emitter struct {
	net  *radioNet
	fr   frame
	src  int32
	r    *rand.Rand
	out  []rec
	ex   float64 // GPS error, metres
	ey   float64
	scan []apSeen
}

// gps advances the correlated GPS error by dt seconds and returns the
// measured position and the accuracy estimate.
func (e *emitter) gps(p vec, dt float64, l *logger, still bool) (vec, float32) {
	a := math.Exp(-dt / 40)
	k := math.Sqrt(1-a*a) * l.sigma
	e.ex = a*e.ex + k*e.r.NormFloat64()
	e.ey = a*e.ey + k*e.r.NormFloat64()
	if still && l.bound > 0 {
		if n := math.Hypot(e.ex, e.ey); n > l.bound {
			e.ex, e.ey = e.ex*l.bound/n, e.ey*l.bound/n
		}
	}
	acc := l.sigma * (1.3 + 0.5*e.r.Float64())
	return p.add(vec{e.ex, e.ey}), float32(math.Round(acc*10) / 10)
}

// sample writes the rows of one sample: a fix or cell measurement,
// neighbour cells, a Wi-Fi scan, a GSM-R measurement.
func (e *emitter) sample(t int64, truePos, p vec, acc float32, l *logger) {
	lat, lon := e.fr.ll(p)
	base := rec{t: t, src: e.src, lat: lat, lon: lon, acc: acc, arfcn: -1}
	wrote := false
	if len(l.sims) > 0 && e.r.Float64() < l.cell {
		op := l.sims[l.sim%len(l.sims)]
		l.sim++
		tech := l.tech(e.r)
		rc := base
		e.net.cellRow(e.r, op, tech, truePos, false, l.freq, &rc)
		if l.near != nearNone && e.r.Float64() < l.nearP {
			e.nearBandRow(&rc, l.near)
		}
		e.out = append(e.out, rc)
		for range l.neigh {
			rc := base
			e.net.cellRow(e.r, op, tech, truePos, true, l.freq, &rc)
			e.out = append(e.out, rc)
		}
		wrote = true
	}
	if l.gsmr > 0 && e.r.Float64() < l.gsmr {
		if m, d, ok := e.net.nearMast(truePos); ok {
			rc := base
			e.gsmrRow(&rc, m, d, l.gmode[e.r.IntN(len(l.gmode))])
			e.out = append(e.out, rc)
			wrote = true
		}
	}
	if l.wifi > 0 && e.r.Float64() < l.wifi {
		e.scan = e.net.scan(e.r, truePos, l.wmax, e.scan)
		for _, a := range e.scan {
			rc := base
			rc.radio = radioWiFi
			rc.ap = a.id
			rc.rssi = a.rssi
			e.out = append(e.out, rc)
			wrote = true
		}
	}
	if !wrote && l.fixes {
		e.out = append(e.out, base)
	}
}

func (e *emitter) gsmrRow(rc *rec, m mast, d float64, mode gsmrMode) {
	level := int16(clampF(-45-30*math.Log10(math.Max(d, 30)/100)+e.r.NormFloat64()*4, -110, -40))
	switch mode {
	case gsmrARFCN, gsmrNetwork:
		rc.radio = radioGSM
		rc.mcc, rc.mnc = int16(e.net.railMCC), int16(e.net.railMNC)
		rc.area, rc.cell = int32(m.lac), int64(m.ci)
		if mode == gsmrARFCN {
			rc.arfcn = int32(m.arfcn)
		}
		rc.rssi = level
	case gsmrFreq:
		rc.freq = float32(downlink(radioGSM, m.arfcn))
		rc.rssi = level
	case frmcsARFCNOnly:
		rc.radio, rc.arfcn = radioNR, frmcsARFCN
		rc.rsrp = level - 20
	case gsmrUplink:
		// A cab radio's uplink, heard near the line.
		f, _ := geowarden.UplinkMHz("GSM", m.arfcn)
		rc.freq = float32(f)
		rc.rssi = level - 15
	}
}

func (e *emitter) nearBandRow(rc *rec, nb nearBand) {
	switch nb {
	case nearEGSM:
		rc.radio, rc.arfcn, rc.freq = radioGSM, int32(975+e.r.IntN(24)), 0
	case nearNR8:
		rc.radio, rc.arfcn, rc.freq = radioNR, int32(185100+20*e.r.IntN(41)), 0
	case nearPGSMLow:
		rc.radio, rc.arfcn, rc.freq = radioGSM, int32(e.r.IntN(7)), 0
	case nearLTE8:
		n := 3455 + e.r.IntN(41)
		rc.radio, rc.arfcn, rc.freq = radioLTE, int32(n), float32(downlink(radioLTE, n))
	case nearUplinkGap:
		rc.radio, rc.arfcn = radioGSM, int32(975+e.r.IntN(24))
		f, _ := geowarden.UplinkMHz("GSM", int(rc.arfcn))
		rc.freq = float32(f)
	}
	if rc.radio == radioGSM && rc.rssi == 0 {
		rc.rssi, rc.rsrp = rc.rsrp+20, 0
	}
	if rc.radio == radioNR && rc.rsrp == 0 {
		rc.rsrp, rc.rssi = rc.rssi-20, 0
	}
}

// run executes a day's activities from time start (the end of what the
// source did before) and returns when the last ended.
func (e *emitter) run(acts []*activity, start, end int64) int64 {
	t := start
	for _, a := range acts {
		if a.t0 > t {
			t = a.t0
		}
		if t >= end {
			break
		}
		switch a.kind {
		case actMove:
			t = e.move(a, t, end)
		case actStay:
			t = e.stay(a, t, end)
		}
	}
	return t
}

func (e *emitter) move(a *activity, t, end int64) int64 {
	l := a.log
	L := a.path.length()
	s := 0.0
	f := 1.0 // speed factor, AR(1)
	stop := 0
	for stop < len(a.stops) && a.stops[stop] <= 0 {
		stop++
	}
	var dwell float64
	last := t
	if a.until > 0 {
		end = min(end, a.until)
	}
	for t < end {
		p, _ := a.path.at(s)
		q, acc := e.gps(p, float64(t-last), l, dwell > 0)
		e.sample(t, p, q, acc, l)
		last = t
		if s >= L {
			return t + 1 // what follows starts after the last sample
		}
		dt := l.interval(e.r)
		t += dt
		if dwell > 0 {
			dwell -= float64(dt)
			continue
		}
		f += (1-f)*0.05*float64(dt) + e.r.NormFloat64()*0.04*math.Sqrt(float64(dt))
		f = clampF(f, 0.7, 1.25)
		v := a.v * f
		// Slow down near stops.
		if stop < len(a.stops) {
			if d := a.stops[stop] - s; d < 1000 {
				v *= 0.35 + 0.65*d/1000
			}
		}
		if stop > 0 {
			if d := s - a.stops[stop-1]; d < 800 {
				v *= 0.35 + 0.65*d/800
			}
		}
		s += v * float64(dt)
		if stop < len(a.stops) && s >= a.stops[stop] {
			s = a.stops[stop]
			stop++
			dwell = a.dwell[0] + e.r.Float64()*(a.dwell[1]-a.dwell[0])
		}
		s = math.Min(s, L)
	}
	return t
}

func (e *emitter) stay(a *activity, t, end int64) int64 {
	l := a.log
	stop := min(a.t1, end)
	last := t
	for t < stop {
		q, acc := e.gps(a.at, float64(t-last), l, true)
		n0 := len(e.out)
		e.sample(t, a.at, q, acc, l)
		if n := a.note; n != nil && len(e.out) > n0 {
			if n.rows == 0 {
				n.first = t
			}
			n.last = t
			n.rows += len(e.out) - n0
			for _, rc := range e.out[n0:] {
				if rc.radio != radioNone || rc.freq != 0 {
					n.signalRows++
				}
			}
			n.maxDev = math.Max(n.maxDev, q.dist(a.at))
		}
		last = t
		t += l.interval(e.r)
	}
	return max(t, a.t1)
}
