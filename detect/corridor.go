package detect

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// maxSpeed is the fastest a source may move between two records for the
// step to count as travel (m/s, about 540 km/h): faster steps are jumps
// between unrelated positions and are not joined.
const maxSpeed = 150.0

// gridDeg is the side, in degrees of latitude, of the grid cells that
// measure how much distinct corridor a source covered (about 500 m): a
// stretch counts once however often the source goes over it.
const gridDeg = 0.0045

type corridorTrack struct {
	last      geowarden.Point
	lastT     int64
	lastIn    bool
	has       bool
	inRecords int64 // records inside a followed corridor
	inSignals int64 // of which radio measurements
	corridorM float64
	perZone   map[int32]float64
	coveredM  float64          // distinct corridor covered
	cells     map[uint64]int64 // grid cell → time first entered
	days      map[int32]*trackDay
	first     int64
	last2     int64 // time of the latest record inside a corridor
	examples  []geowarden.Example
}

type trackDay struct {
	trackM, corridorM float64
	coveredM          float64 // distinct corridor covered that day
	freshM            float64 // of which never covered on an earlier day
	inSeconds         int64
	cells             map[uint64]int64
}

func cellKey(p geowarden.Point) uint64 {
	y := math.Floor(p.Lat / gridDeg)
	c := math.Cos((y + 0.5) * gridDeg * math.Pi / 180)
	x := math.Floor(p.Lon * c / gridDeg)
	return uint64(uint32(int32(y)))<<32 | uint64(uint32(int32(x)))
}

// follow extends the source's track with rec and measures the part of the
// step from the previous record that runs inside corridors. e.in holds the
// zones containing rec.
func (e *Engine) follow(s *source, rec *geowarden.Record, t int64, hasT, sig bool) {
	tr := &s.track
	p := rec.Pos
	in := false
	for _, z := range e.in {
		if e.corridor[z] {
			in = true
			break
		}
	}
	if in {
		tr.inRecords++
		if sig {
			tr.inSignals++
		}
		if tr.first == 0 && hasT {
			tr.first = t
		}
		if hasT {
			tr.last2 = t
		}
		tr.examples = addExample(tr.examples, rec)
	}
	prev, prevT, prevIn, had := tr.last, tr.lastT, tr.lastIn, tr.has
	tr.last, tr.lastT, tr.lastIn, tr.has = p, t, in, hasT
	if !had || !hasT {
		return
	}
	dt := t - prevT
	if dt <= 0 || float64(dt) > e.cfg.Corridor.MaxGap.Seconds() {
		return
	}
	d := zone.Distance(prev, p)
	if d == 0 || d/float64(dt) > maxSpeed {
		return
	}
	dy := tr.day(day(t))
	dy.trackM += d
	if !in && !prevIn {
		// A step between two points outside every corridor only crosses
		// one, if at all: crossings are not following.
		return
	}
	e.ivs = e.ix.Segment(prev, p, e.ivs[:0])
	ivs := e.ivs
	var parts [][2]float64
	for _, iv := range ivs {
		if !e.corridor[iv.Zone] {
			continue
		}
		if tr.perZone == nil {
			tr.perZone = map[int32]float64{}
		}
		tr.perZone[iv.Zone] += (iv.T1 - iv.T0) * d
		parts = append(parts, [2]float64{iv.T0, iv.T1})
	}
	inside := unionLength(parts)
	if inside <= 0 {
		return
	}
	m := inside * d
	tr.corridorM += m
	dy.corridorM += m
	if inside >= 0.5 {
		dy.inSeconds += dt
	}
	b := zone.Unwrap(prev, p)
	for _, pt := range parts {
		l := (pt[1] - pt[0]) * d
		n := math.Ceil(l / sampleM)
		w := l / n
		for i := 0.0; i < n; i++ {
			f := pt[0] + (pt[1]-pt[0])*(i+0.5)/n
			k := cellKey(geowarden.Point{Lon: zone.NormLon(prev.Lon + (b.Lon-prev.Lon)*f), Lat: prev.Lat + (b.Lat-prev.Lat)*f})
			fresh := cover(&tr.cells, k, t, w)
			tr.coveredM += fresh
			dy.freshM += fresh
			dy.coveredM += cover(&dy.cells, k, t, w)
		}
	}
}

// sampleM is the spacing, in metres, of the samples that measure distinct
// coverage.
const sampleM = 200

// passGap is how long a pass through one grid cell may last: a sample in
// a cell first entered longer ago than this is going over old ground.
const passGap = 10 * 60

// cover counts w metres of new coverage when the cell k was never
// entered, or entered during the current pass.
func cover(cells *map[uint64]int64, k uint64, t int64, w float64) float64 {
	if *cells == nil {
		*cells = map[uint64]int64{}
	}
	first, ok := (*cells)[k]
	if !ok {
		(*cells)[k] = t
		return w
	}
	if t-first <= passGap {
		return w
	}
	return 0
}

func (tr *corridorTrack) day(d int32) *trackDay {
	if tr.days == nil {
		tr.days = map[int32]*trackDay{}
	}
	x := tr.days[d]
	if x == nil {
		x = &trackDay{}
		tr.days[d] = x
	}
	return x
}

// unionLength returns the total length of the union of intervals.
func unionLength(iv [][2]float64) float64 {
	if len(iv) == 0 {
		return 0
	}
	slices.SortFunc(iv, func(a, b [2]float64) int {
		switch {
		case a[0] < b[0]:
			return -1
		case a[0] > b[0]:
			return 1
		}
		return 0
	})
	total, lo, hi := 0.0, iv[0][0], iv[0][1]
	for _, x := range iv[1:] {
		if x[0] > hi {
			total += hi - lo
			lo, hi = x[0], x[1]
		} else if x[1] > hi {
			hi = x[1]
		}
	}
	return total + hi - lo
}

// corridorFeatures are the measures the corridor score is made of.
type corridorFeatures struct {
	corridorKm, coveredKm, share, signalShare   float64
	density, recordDensity, passes, hoursPerDay float64
	days, repeatDays                            int
	lines                                       []int32
}

func (e *Engine) corridorFeatures(tr *corridorTrack) corridorFeatures {
	var f corridorFeatures
	f.corridorKm = tr.corridorM / 1000
	f.coveredKm = tr.coveredM / 1000
	var trackM, corrM, covered float64
	var secs int64
	for _, d := range tr.days {
		if d.corridorM < 1000 {
			continue
		}
		f.days++
		trackM += d.trackM
		corrM += d.corridorM
		covered += d.coveredM / 1000
		secs += d.inSeconds
		if d.freshM < 0.2*d.coveredM {
			f.repeatDays++
		}
	}
	if trackM > 0 {
		f.share = corrM / trackM
	}
	if covered > 0 {
		f.passes = corrM / 1000 / covered
	}
	if f.days > 0 {
		f.hoursPerDay = float64(secs) / 3600 / float64(f.days)
	}
	if tr.inRecords > 0 {
		f.signalShare = float64(tr.inSignals) / float64(tr.inRecords)
	}
	if f.corridorKm > 0 {
		f.density = float64(tr.inSignals) / f.corridorKm
		f.recordDensity = float64(tr.inRecords) / f.corridorKm
	}
	minLine := math.Min(5000, e.cfg.Corridor.MinKm*1000/4)
	for z, m := range tr.perZone {
		if m >= minLine {
			f.lines = append(f.lines, z)
		}
	}
	slices.SortFunc(f.lines, func(a, b int32) int { return int(a - b) })
	return f
}

// score weighs a candidate. Its intensity is how much of what it logs in
// corridors is radio measurements, and how densely (five or more a
// kilometre counts as a drive-test's rate): a traveller's phone noting the
// serving cell now and then is not surveying. Its reach is how far it goes
// beyond one trip: distinct corridor covered, passes a day over the same
// stretch, hours a day in corridors, several lines. A commute (the same
// stretch, at most there and back a day, on most days ground already
// covered) is halved.
func (c *CorridorConfig) score(f corridorFeatures) (score float64, commute bool) {
	minKm := math.Max(c.MinKm, 1)
	cover := clamp01((f.coveredKm - minKm) / (4 * minKm))
	repeat := clamp01((f.passes - 2) / 2)
	hours := clamp01((f.hoursPerDay - 2) / 2)
	lines := clamp01(float64(len(f.lines)-1) / 2)
	reach := max(cover, repeat, hours, lines)
	intensity := f.signalShare * clamp01(f.density/5)
	if c.MinSignalShare == 0 {
		// Plain fixes count: how densely the source logged anything.
		intensity = clamp01(f.recordDensity / 5)
	}
	score = intensity * (0.5 + 0.5*reach)
	commute = f.days >= 3 && f.passes <= 2.5 && float64(f.repeatDays) >= 0.6*float64(f.days) && f.coveredKm < 4*minKm
	if commute {
		score *= 0.5
	}
	return score, commute
}

func (e *Engine) corridorAlerts() []geowarden.Alert {
	c := &e.cfg.Corridor
	var out []geowarden.Alert
	for _, s := range e.sources {
		tr := &s.track
		if tr.corridorM == 0 {
			continue
		}
		f := e.corridorFeatures(tr)
		if f.coveredKm < c.MinKm || f.share < c.MinShare || f.signalShare < c.MinSignalShare {
			continue
		}
		score, _ := c.score(f)
		if score < c.MinScore {
			continue
		}
		a := geowarden.Alert{
			Detector: Corridor, Sources: []string{s.name},
			Start: unix(tr.first), End: unix(tr.last2),
			Score: round(score, 0.001), Severity: c.Severity,
			Evidence: geowarden.Evidence{
				Records: tr.inRecords, SignalRecords: tr.inSignals, Days: f.days,
				CorridorKm: round(f.corridorKm, 0.1), CoveredKm: round(f.coveredKm, 0.1),
				CorridorShare: round(f.share, 0.001), PassesPerDay: round(f.passes, 0.01),
				Examples: tr.examples,
			},
		}
		var names []string
		for _, z := range f.lines {
			a.Evidence.Lines = append(a.Evidence.Lines, e.zones[z].ID)
			names = append(names, zoneLabel(e.zones[z]))
		}
		if len(f.lines) == 1 {
			e.zoneFields(&a, f.lines[0])
		}
		what := "mostly plain position fixes"
		if f.signalShare >= 0.5 {
			what = "radio measurements"
		}
		a.Reason = fmt.Sprintf("source %s travelled %.0f km inside corridors (%.0f km of distinct corridor, %.0f%% of its track on those days) over %d day(s) along %s, logging %s (%d of %d records inside corridors are measurements)",
			s.name, f.corridorKm, f.coveredKm, 100*f.share, f.days, lineList(names), what, tr.inSignals, tr.inRecords)
		if f.passes > 2.5 {
			a.Reason += fmt.Sprintf("; it passed the same stretch %.1f times a day", f.passes)
		}
		a.Fingerprint = fingerprint(Corridor, s.name)
		out = append(out, a)
	}
	return out
}

func zoneLabel(z *zone.Zone) string {
	if z.Name != "" {
		return z.Name
	}
	return z.ID
}

func lineList(names []string) string {
	switch len(names) {
	case 0:
		return "no single line for long"
	case 1:
		return names[0]
	}
	if len(names) > 4 {
		return fmt.Sprintf("%d lines (%s, ...)", len(names), strings.Join(names[:4], ", "))
	}
	return fmt.Sprintf("%d lines (%s)", len(names), strings.Join(names, ", "))
}
