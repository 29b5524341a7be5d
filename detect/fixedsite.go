package detect

import (
	"fmt"
	"math"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// stayGap is the longest silence inside one stay.
const stayGap = 30 * 60

// stayOutliers is how many records in a row may stray beyond the radius
// (GPS noise) before the stay ends.
const stayOutliers = 3

// stay is a source's current stay point: records within the radius of
// their running centre.
type stay struct {
	n, sig     int64
	lat, lon   float64 // running centre
	start, end int64
	out        int
	has        bool
	ex         geowarden.Example
}

// fixedAgg gathers a source's qualifying stays near one zone.
type fixedAgg struct {
	stays       int
	seconds     int64
	records     int64
	signals     int64
	first, last int64
	distM       float64
	examples    []geowarden.Example
}

func (e *Engine) stayPut(s *source, rec *geowarden.Record, t int64, sig bool) {
	st := &s.stay
	p := rec.Pos
	if st.has && t-st.end <= stayGap && t >= st.end {
		if zone.Distance(geowarden.Point{Lon: st.lon, Lat: st.lat}, p) <= e.cfg.FixedSite.RadiusM {
			st.n++
			if sig {
				st.sig++
			}
			st.lat += (p.Lat - st.lat) / float64(st.n)
			st.lon += (p.Lon - st.lon) / float64(st.n)
			st.end = t
			st.out = 0
			return
		}
		st.out++
		if st.out < stayOutliers {
			return
		}
	}
	if st.has {
		e.closeStay(s)
	}
	*st = stay{n: 1, lat: p.Lat, lon: p.Lon, start: t, end: t, has: true, ex: example(rec)}
	if sig {
		st.sig = 1
	}
}

// closeStay ends the source's current stay and keeps it when it is long,
// busy with signals and near a watched zone.
func (e *Engine) closeStay(s *source) {
	st := &s.stay
	c := &e.cfg.FixedSite
	st.has = false
	dur := st.end - st.start
	if dur < int64(c.MinDuration.Seconds()) || st.n == 0 {
		return
	}
	if float64(st.sig)/float64(st.n) < c.MinSignalShare || float64(st.sig)/(float64(dur)/3600) < c.MinSignalRate {
		return
	}
	p := geowarden.Point{Lon: st.lon, Lat: st.lat}
	best, bestD := int32(-1), math.Inf(1)
	e.buf = e.ix.Contains(p, e.buf[:0])
	e.near2 = e.near.within(p, e.buf, c.MaxDistanceM, e.fixZone, e.near2[:0])
	for _, nz := range e.near2 {
		if nz.d < bestD {
			best, bestD = nz.z, nz.d
		}
	}
	if best < 0 {
		return
	}
	if s.fixed == nil {
		s.fixed = map[int32]*fixedAgg{}
	}
	a := s.fixed[best]
	if a == nil {
		a = &fixedAgg{first: st.start, distM: bestD}
		s.fixed[best] = a
	}
	a.stays++
	a.seconds += dur
	a.records += st.n
	a.signals += st.sig
	a.last = st.end
	a.distM = math.Min(a.distM, bestD)
	ex := st.ex
	ex.Lat, ex.Lon = st.lat, st.lon
	if len(a.examples) < maxExamples {
		a.examples = append(a.examples, ex)
	}
}

func (e *Engine) fixedSiteAlerts() []geowarden.Alert {
	c := &e.cfg.FixedSite
	var out []geowarden.Alert
	for _, s := range e.sources {
		if s.stay.has {
			e.closeStay(s)
		}
		zs := make([]int32, 0, len(s.fixed))
		for z := range s.fixed {
			zs = append(zs, z)
		}
		slices.Sort(zs)
		for _, z := range zs {
			f := s.fixed[z]
			hours := float64(f.seconds) / 3600
			minH := c.MinDuration.Hours()
			score := clamp01(0.5 + 0.25*math.Log2(hours/minH) + 0.25*(1-f.distM/math.Max(c.MaxDistanceM, 1)))
			a := geowarden.Alert{
				Detector: FixedSite, Sources: []string{s.name},
				Start: unix(f.first), End: unix(f.last),
				Score: round(score, 0.001), Severity: c.Severity,
				Evidence: geowarden.Evidence{
					Records: f.records, SignalRecords: f.signals, DurationH: round(hours, 0.01),
					ZoneDistanceM: round(f.distM, 1), Stays: f.stays, Examples: f.examples,
				},
			}
			e.zoneFields(&a, z)
			where := fmt.Sprintf("%.0f m from", f.distM)
			if f.distM == 0 {
				where = "inside"
			}
			a.Reason = fmt.Sprintf("source %s stayed within %.0f m of one spot %s %s (%s) for %.1f h in %d stay(s), logging %d radio measurements (%.0f an hour)",
				s.name, c.RadiusM, where, zoneLabel(e.zones[z]), e.zones[z].Class, hours, f.stays, f.signals, float64(f.signals)/hours)
			a.Fingerprint = fingerprint(FixedSite, s.name, e.zones[z].Set, e.zones[z].ID)
			out = append(out, a)
		}
	}
	return out
}
