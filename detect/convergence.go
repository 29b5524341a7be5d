package detect

import (
	"fmt"
	"math"
	"slices"

	"github.com/geowarden/geowarden"
)

// zoneConv counts the distinct sources at one zone per sliding window.
// Windows are identified by the step (a quarter window) they end in.
type zoneConv struct {
	counts map[int32]int32 // window end step → distinct sources
	last   map[int32]int32 // source → index in visits of its latest visit
	visits []visit
}

// visit is a source's presence at a zone during one step.
type visit struct {
	src         int32
	step        int32
	records     int32
	first, last int64 // unix seconds of its first and last record
	ex          geowarden.Example
}

// minDwell is how long a source must be at a zone during a convergence to
// be named in the alert: passers-by are counted, not named.
const minDwell = 5 * 60

func (e *Engine) step() int64 {
	st := int64(e.cfg.Convergence.Window.Seconds()) / 4
	return max(st, 60)
}

func (e *Engine) converge(s *source, rec *geowarden.Record, t int64) {
	e.near2 = e.near.within(rec.Pos, e.in, e.cfg.Convergence.MarginM, e.convZone, e.near2[:0])
	if len(e.near2) == 0 {
		return
	}
	st := e.step()
	b := int32(floorDiv(t, st))
	k := int32(4)
	si := s.id
	for _, nz := range e.near2 {
		z := nz.z
		zc := e.conv[z]
		if zc == nil {
			zc = &zoneConv{counts: map[int32]int32{}, last: map[int32]int32{}}
			e.conv[z] = zc
		}
		from := b
		if vi, ok := zc.last[si]; ok {
			v := &zc.visits[vi]
			if v.step == b {
				v.records++
				v.last = max(v.last, t)
				continue
			}
			if v.step > b {
				// Out of time order for this source: count the record in
				// its visit list, but do not recount windows.
				continue
			}
			from = max(b, v.step+k)
		}
		for w := from; w < b+k; w++ {
			zc.counts[w]++
		}
		zc.last[si] = int32(len(zc.visits))
		zc.visits = append(zc.visits, visit{src: si, step: b, records: 1, first: t, last: t, ex: example(rec)})
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// background returns the zone's usual count for the window ending at step
// w: the 90th percentile of its counts at the same time of day (± half a
// window) on the other days of the data.
func (e *Engine) background(zc *zoneConv, w int32, lo, hi int32) float64 {
	st := e.step()
	perDay := int32(86400 / st)
	if perDay < 1 {
		return 0
	}
	var vals []float64
	for d := int32(1); ; d++ {
		done := true
		for _, sign := range []int32{-1, 1} {
			c := w + sign*d*perDay
			if c < lo || c > hi {
				continue
			}
			done = false
			best := int32(0)
			for j := int32(-2); j <= 2; j++ {
				best = max(best, zc.counts[c+j])
			}
			vals = append(vals, float64(best))
		}
		if done {
			break
		}
	}
	if len(vals) == 0 {
		return 0
	}
	slices.Sort(vals)
	return vals[int(math.Ceil(0.9*float64(len(vals))))-1]
}

func (e *Engine) convergenceAlerts() []geowarden.Alert {
	c := &e.cfg.Convergence
	st := e.step()
	k := int32(4)
	lo := int32(floorDiv(e.minT, st))
	hi := int32(floorDiv(e.maxT, st)) + k - 1
	zones := make([]int32, 0, len(e.conv))
	for z := range e.conv {
		zones = append(zones, z)
	}
	slices.Sort(zones)
	var out []geowarden.Alert
	for _, z := range zones {
		zc := e.conv[z]
		var firing []int32
		for w, n := range zc.counts {
			if int(n) >= c.MinSources {
				firing = append(firing, w)
			}
		}
		slices.Sort(firing)
		type run struct {
			first, last, peakW int32
			peak               int32
			bg                 float64
		}
		var runs []run
		for _, w := range firing {
			n := zc.counts[w]
			bg := e.background(zc, w, lo, hi)
			if float64(n) < c.Factor*bg {
				continue
			}
			if len(runs) > 0 && w <= runs[len(runs)-1].last+k {
				r := &runs[len(runs)-1]
				r.last = w
				if n > r.peak {
					r.peak, r.peakW, r.bg = n, w, bg
				}
				continue
			}
			runs = append(runs, run{first: w, last: w, peakW: w, peak: n, bg: bg})
		}
		for _, r := range runs {
			from, to := r.first-k+1, r.last
			// The crowd is the sources that came and stayed: regulars of the
			// zone (seen there on two or more other days) and sources there
			// for less than minDwell are counted in the window, not named.
			otherDays := map[int32]map[int32]bool{}
			for _, v := range zc.visits {
				if v.step >= from && v.step <= to {
					continue
				}
				if otherDays[v.src] == nil {
					otherDays[v.src] = map[int32]bool{}
				}
				otherDays[v.src][int32(floorDiv(int64(v.step)*st, 86400))] = true
			}
			type presence struct {
				first, last int64
				ex          geowarden.Example
			}
			at := map[int32]*presence{}
			var order []int32
			var records int64
			for _, v := range zc.visits {
				if v.step < from || v.step > to {
					continue
				}
				records += int64(v.records)
				p := at[v.src]
				if p == nil {
					p = &presence{first: v.first, last: v.last, ex: v.ex}
					at[v.src] = p
					order = append(order, v.src)
				}
				p.first, p.last = min(p.first, v.first), max(p.last, v.last)
			}
			var srcs []string
			var ex []geowarden.Example
			regulars, passers := 0, 0
			for _, si := range order {
				p := at[si]
				switch {
				case len(otherDays[si]) >= 2:
					regulars++
					continue
				case p.last-p.first < minDwell:
					passers++
					continue
				}
				srcs = append(srcs, e.sources[si].name)
				if len(ex) < maxExamples {
					ex = append(ex, p.ex)
				}
			}
			slices.Sort(srcs)
			thr := math.Max(float64(c.MinSources), c.Factor*r.bg)
			score := clamp01(0.5 + 0.5*(float64(r.peak)-thr)/thr)
			a := geowarden.Alert{
				Detector: Convergence, Sources: srcs,
				Start: unix(int64(from) * st), End: unix(int64(to+1) * st),
				Score: round(score, 0.001), Severity: c.Severity,
				Evidence: geowarden.Evidence{
					Records: records, Sources: int(r.peak), Background: &r.bg, Regulars: regulars, Examples: ex,
				},
			}
			e.zoneFields(&a, z)
			a.Reason = fmt.Sprintf("%d distinct sources were at %s (%s) within %s, against a usual %.0f at that time of day; %d newcomers in all between %s and %s",
				r.peak, zoneLabel(e.zones[z]), e.zones[z].Class, c.Window, r.bg, len(srcs),
				a.Start.Format("2006-01-02 15:04"), a.End.Format("15:04 MST"))
			if regulars+passers > 0 {
				a.Reason += fmt.Sprintf(", besides %d regular(s) of the zone and %d passing through", regulars, passers)
			}
			a.Fingerprint = fingerprint(Convergence, e.zones[z].Set, e.zones[z].ID, a.Start.Format("2006-01-02T15"))
			out = append(out, a)
		}
	}
	return out
}
