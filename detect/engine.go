package detect

import (
	"slices"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// Index is what the detectors need of the zone index the records were
// classified against: its zones, numbered as in the records' zone hits
// (geowarden.ZoneHit.Num), and the geometry they measure themselves, which
// no classified record holds: the zones containing a point that is not a
// record's (a stay's centre) and the parts of the step between two records
// inside each zone (the distance a source covers in corridors). zone.Index,
// the cell index of zone/cell and several indexes queried as one (classify)
// provide it. Implementations must be safe for concurrent use.
type Index interface {
	// Zones returns the indexed zones; a zone's number is its position.
	Zones() []*zone.Zone
	// Contains appends the numbers of the zones containing p, ascending.
	Contains(p geowarden.Point, dst []int32) []int32
	// Segment appends the parts of a→b inside each zone, merged per zone
	// and sorted by zone then start.
	Segment(a, b geowarden.Point, dst []zone.Interval) []zone.Interval
}

var _ Index = (*zone.Index)(nil)

// Engine watches a stream of classified records and raises alerts at the
// end. Feed it every record with Observe, then call Alerts. An Engine is not safe for
// concurrent use.
//
// Memory grows with the number of sources, zones, days and visits of a
// source to a zone, not with the number of records. The detectors assume
// that each source's records arrive in time order (as a device logs them);
// records of different sources may interleave freely.
type Engine struct {
	cfg   Config
	ix    Index
	zones []*zone.Zone

	corridor []bool     // per zone number: a corridor the corridor detector follows
	convZone []bool     // per zone number: watched by convergence
	fixZone  []bool     // per zone number: watched by fixed_site
	near     *nearIndex // the zones either site detector watches

	byName  map[string]int32
	sources []*source
	conv    map[int32]*zoneConv

	minT, maxT int64   // unix seconds of the earliest and latest timed record
	in         []int32 // the zones containing the record being observed
	buf        []int32
	near2      []zoneDist
	ivs        []zone.Interval
}

// source is what the engine keeps of one source.
type source struct {
	id               int32 // position in Engine.sources
	name             string
	records, signals int64
	first, last      int64 // unix seconds; 0 when no timed record
	track            corridorTrack
	stay             stay
	fixed            map[int32]*fixedAgg
	protected        map[string]*protAgg
	days             map[int32]*dayVolume
}

// New returns an engine over the zones of ix, the index the records given
// to Observe are classified against. cfg must be valid (Config.Validate).
func New(cfg Config, ix Index) *Engine {
	e := &Engine{
		cfg: cfg, ix: ix, zones: ix.Zones(),
		byName: map[string]int32{}, conv: map[int32]*zoneConv{},
	}
	n := len(e.zones)
	e.corridor = make([]bool, n)
	e.convZone = make([]bool, n)
	e.fixZone = make([]bool, n)
	for i, z := range e.zones {
		e.corridor[i] = z.Geometry == zone.Corridor && classIn(z.Class, cfg.Corridor.Classes)
		e.convZone[i] = site(z, cfg.Convergence.Classes)
		e.fixZone[i] = classIn(z.Class, cfg.FixedSite.Classes)
	}
	if cfg.Convergence.Enabled || cfg.FixedSite.Enabled {
		e.near = newNearIndex(e.zones, func(i int) bool {
			return cfg.Convergence.Enabled && e.convZone[i] || cfg.FixedSite.Enabled && e.fixZone[i]
		})
	}
	return e
}

// site reports whether convergence watches z: areas and circles of the
// listed classes (all when none are listed), and corridors only when their
// class is listed by name: a line hundreds of kilometres long, with its
// trains, is not a place a crowd converges on.
func site(z *zone.Zone, classes []string) bool {
	if z.Geometry == zone.Corridor && len(classes) == 0 {
		return false
	}
	return classIn(z.Class, classes)
}

func classIn(c string, classes []string) bool {
	return len(classes) == 0 || slices.ContainsFunc(classes, func(x string) bool { return strings.EqualFold(x, c) })
}

func (e *Engine) source(name string) *source {
	if i, ok := e.byName[name]; ok {
		return e.sources[i]
	}
	name = strings.Clone(name)
	e.byName[name] = int32(len(e.sources))
	s := &source{id: int32(len(e.sources)), name: name}
	e.sources = append(e.sources, s)
	return s
}

// Observe takes one classified record: its zone hits from a classifier
// over the engine's index, its protected signal classes from the policy's.
// size is the record's size in bytes in its input (0 when unknown); the
// volume detector sums it. c.Rec.Source names the source; the caller fills
// it in when the input has none (the file, a folder). Observe keeps
// nothing c points to.
func (e *Engine) Observe(c *geowarden.Classified, size int64) {
	rec := c.Rec
	s := e.source(rec.Source)
	s.records++
	sig := isSignal(rec.Kind)
	if sig {
		s.signals++
	}
	hasT := !rec.Time.IsZero()
	var t int64
	if hasT {
		t = rec.Time.Unix()
		if e.minT == 0 && e.maxT == 0 || t < e.minT {
			e.minT = t
		}
		if t > e.maxT {
			e.maxT = t
		}
		if s.first == 0 || t < s.first {
			s.first = t
		}
		if t > s.last {
			s.last = t
		}
		if e.cfg.Volume.Enabled {
			s.addVolume(t, size)
		}
	}
	if e.cfg.ProtectedSignal.Enabled && len(c.Signals) > 0 {
		e.protectedSignal(s, rec, c.Signals)
	}
	if rec.Shape == geowarden.ShapeNone || len(e.zones) == 0 {
		return
	}
	e.in = e.at(c, e.in[:0])
	if e.cfg.Corridor.Enabled {
		e.follow(s, rec, t, hasT, sig)
	}
	if !hasT {
		return
	}
	if e.cfg.Convergence.Enabled {
		e.converge(s, rec, t)
	}
	if e.cfg.FixedSite.Enabled {
		e.stayPut(s, rec, t, sig)
	}
}

// at appends the numbers of the zones containing the record's position,
// where the detectors place it: the zones of its hits for a point; for a
// line or an area, whose hits are the zones of its whole shape, the zones
// containing its representative vertex Pos.
func (e *Engine) at(c *geowarden.Classified, dst []int32) []int32 {
	if c.Rec.Shape != geowarden.ShapePoint {
		return e.ix.Contains(c.Rec.Pos, dst)
	}
	for i := range c.Zones {
		dst = append(dst, c.Zones[i].Num)
	}
	return dst
}

// Alerts finishes the run: it closes what is still open and returns the
// alerts, ordered by detector, then by score (highest first), then by
// fingerprint.
func (e *Engine) Alerts() []geowarden.Alert {
	var out []geowarden.Alert
	if e.cfg.Corridor.Enabled {
		out = append(out, e.corridorAlerts()...)
	}
	if e.cfg.Convergence.Enabled {
		out = append(out, e.convergenceAlerts()...)
	}
	if e.cfg.FixedSite.Enabled {
		out = append(out, e.fixedSiteAlerts()...)
	}
	if e.cfg.ProtectedSignal.Enabled {
		out = append(out, e.protectedAlerts()...)
	}
	if e.cfg.Volume.Enabled {
		out = append(out, e.volumeAlerts()...)
	}
	order := map[string]int{}
	for i, d := range Detectors {
		order[d] = i
	}
	slices.SortStableFunc(out, func(a, b geowarden.Alert) int {
		if c := order[a.Detector] - order[b.Detector]; c != 0 {
			return c
		}
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.Fingerprint, b.Fingerprint)
	})
	return out
}

// Zones returns the zones the engine watches, numbered as in its index.
func (e *Engine) Zones() []*zone.Zone { return e.zones }

// Sources returns the number of distinct sources seen.
func (e *Engine) Sources() int { return len(e.sources) }

func unix(t int64) time.Time { return time.Unix(t, 0).UTC() }

// day numbers days since 1970-01-01 UTC.
func day(t int64) int32 {
	if t < 0 {
		return int32((t - 86399) / 86400)
	}
	return int32(t / 86400)
}

func (e *Engine) zoneFields(a *geowarden.Alert, z int32) {
	zz := e.zones[z]
	a.Zone, a.ZoneName, a.ZoneClass = zz.ID, zz.Name, zz.Class
}
