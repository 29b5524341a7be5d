package zone

import (
	"math"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/tidwall/rtree"
)

// Index answers point and segment queries over a fixed list of zones. It is
// built once and is safe for concurrent use by many goroutines.
type Index struct {
	zones []*Zone
	tree  rtree.RTreeG[*entry]
}

// entry is one thing the R-tree holds: a polygon tested exactly in
// longitude/latitude, or a piece of a buffered geometry (an arc or a point)
// tested by distance.
type entry struct {
	zone int32
	poly *polygon // nil for a piece
	arc  arc
	rad  float64 // radius in radians, for a piece
}

// NewIndex builds an index over the zones of the given sets, in order.
// The zones must be valid (see Set.Validate).
func NewIndex(sets ...*Set) *Index {
	ix := &Index{}
	for _, s := range sets {
		for _, z := range s.Zones {
			ix.add(z)
		}
	}
	return ix
}

// Zones returns the indexed zones; a zone's number in queries is its
// position in this slice.
func (ix *Index) Zones() []*Zone { return ix.zones }

// Len returns the number of zones.
func (ix *Index) Len() int { return len(ix.zones) }

func (ix *Index) insert(b box, e *entry) {
	for _, p := range b.split() {
		ix.tree.Insert([2]float64{p.minLon, p.minLat}, [2]float64{p.maxLon, p.maxLat}, e)
	}
}

func (ix *Index) add(z *Zone) {
	zi := int32(len(ix.zones))
	ix.zones = append(ix.zones, z)
	rad := z.BufferM / EarthRadius
	addPiece := func(a, b geowarden.Point) {
		e := &entry{zone: zi, arc: newArc(toVec(a), toVec(b)), rad: rad}
		ix.insert(boxOf(a, b).grow(z.BufferM+1), e)
	}
	switch z.Geometry {
	case Area:
		for _, rings := range z.Polygons {
			p := newPolygon(rings)
			ix.insert(p.bb, &entry{zone: zi, poly: p})
			if z.BufferM > 0 {
				for _, r := range rings {
					for i := 0; i+1 < len(r); i++ {
						// Ring edges are straight in lon/lat; RFC 7946 takes
						// them literally, so they are not unwrapped.
						Densify(r[i], r[i+1], addPiece)
					}
				}
			}
		}
	case Corridor:
		for _, l := range z.Lines {
			for i := 0; i+1 < len(l); i++ {
				Densify(l[i], Unwrap(l[i], l[i+1]), addPiece)
			}
		}
	case Circle:
		for _, c := range z.Points {
			addPiece(c, c)
		}
	}
}

func (e *entry) contains(p geowarden.Point, v vec3) bool {
	if e.poly != nil {
		return e.poly.contains(p)
	}
	return e.arc.dist(v) <= e.rad
}

// Contains appends to dst the numbers of the zones that contain p, in
// ascending order without repeats, and returns the extended slice.
func (ix *Index) Contains(p geowarden.Point, dst []int32) []int32 {
	if !valid(p) {
		return dst // not a position: in no zone (codecs refuse such records)
	}
	start := len(dst)
	var v vec3
	haveV := false
	ix.tree.Search([2]float64{p.Lon, p.Lat}, [2]float64{p.Lon, p.Lat}, func(_, _ [2]float64, e *entry) bool {
		if slices.Contains(dst[start:], e.zone) {
			return true
		}
		if e.poly == nil && !haveV {
			v, haveV = toVec(p), true
		}
		if e.contains(p, v) {
			dst = append(dst, e.zone)
		}
		return true
	})
	slices.Sort(dst[start:])
	return dst
}

// maxChunk is the longest part, in metres, of a record's segment that is
// searched in one go: short enough that the distance from a point moving
// along it to a zone's arc has a single minimum.
const maxChunk = 2000

// Segment appends to dst the parts of the segment a→b that lie inside each
// zone, merged per zone and sorted by zone then start, and returns the
// extended slice. The segment is straight in longitude/latitude and goes the
// short way across the antimeridian. Parts are exact to about a centimetre.
func (ix *Index) Segment(a, b geowarden.Point, dst []Interval) []Interval {
	if !valid(a) || !valid(b) {
		return dst
	}
	start := len(dst)
	b = Unwrap(a, b)
	d := Distance(a, b)
	n := max(1, int(math.Ceil(d/maxChunk)))
	for i := 0; i < n; i++ {
		t0, t1 := float64(i)/float64(n), float64(i+1)/float64(n)
		dst = ix.chunk(a, b, t0, t1, dst)
	}
	return append(dst[:start], MergeIntervals(dst[start:])...)
}

func lerp(a, b geowarden.Point, t float64) geowarden.Point {
	return geowarden.Point{Lon: a.Lon + (b.Lon-a.Lon)*t, Lat: a.Lat + (b.Lat-a.Lat)*t}
}

// chunk finds the inside parts of a→b between parameters t0 and t1.
func (ix *Index) chunk(a, b geowarden.Point, t0, t1 float64, dst []Interval) []Interval {
	p0, p1 := lerp(a, b, t0), lerp(a, b, t1)
	// b may have been moved past ±180 by unwrap: cut the chunk where it
	// crosses the antimeridian, and shift a part that lies beyond it back
	// by 360°, so that every point tested is a normal longitude.
	for _, m := range [2]float64{180, -180} {
		if (p0.Lon-m)*(p1.Lon-m) < 0 {
			tm := t0 + (t1-t0)*(m-p0.Lon)/(p1.Lon-p0.Lon)
			dst = ix.chunk(a, b, t0, tm, dst)
			return ix.chunk(a, b, tm, t1, dst)
		}
	}
	if mid := (p0.Lon + p1.Lon) / 2; mid > 180 || mid < -180 {
		s := -360.0
		if mid < -180 {
			s = 360
		}
		a.Lon += s
		b.Lon += s
		p0.Lon += s
		p1.Lon += s
	}
	sb := boxOf(p0, p1)
	ix.tree.Search([2]float64{sb.minLon, sb.minLat}, [2]float64{sb.maxLon, sb.maxLat}, func(_, _ [2]float64, e *entry) bool {
		if e.poly != nil {
			dst = polyIntervals(e, a, b, t0, t1, dst)
		} else {
			dst = arcIntervals(e, a, b, t0, t1, dst)
		}
		return true
	})
	return dst
}

func norm(p geowarden.Point) geowarden.Point {
	p.Lon = NormLon(p.Lon)
	return p
}

// polyIntervals finds where a→b, between t0 and t1, is inside a polygon:
// it cuts the chunk where it crosses an edge and tests each piece's middle.
func polyIntervals(e *entry, a, b geowarden.Point, t0, t1 float64, dst []Interval) []Interval {
	q0, q1 := lerp(a, b, t0), lerp(a, b, t1)
	ts := e.poly.crossings(q0, q1, []float64{0, 1})
	slices.Sort(ts)
	at := func(t float64) float64 { return t0 + (t1-t0)*t }
	for i := 0; i+1 < len(ts); i++ {
		if ts[i+1]-ts[i] < 1e-12 {
			continue
		}
		if e.poly.contains(lerp(q0, q1, (ts[i]+ts[i+1])/2)) {
			dst = append(dst, Interval{e.zone, at(ts[i]), at(ts[i+1])})
		}
	}
	// A chunk that only touches the boundary is inside where it touches.
	for _, t := range ts {
		if e.poly.contains(lerp(q0, q1, t)) {
			dst = append(dst, Interval{e.zone, at(t), at(t)})
		}
	}
	return dst
}

// arcIntervals finds where a→b, between t0 and t1, is within e.rad of an
// arc.
func arcIntervals(e *entry, a, b geowarden.Point, t0, t1 float64, dst []Interval) []Interval {
	f := func(t float64) float64 { return e.arc.dist(toVec(lerp(a, b, t))) - e.rad }
	if enter, exit, ok := InsideInterval(f, t0, t1); ok {
		dst = append(dst, Interval{e.zone, enter, exit})
	}
	return dst
}

// InsideInterval finds the part [enter, exit] of [t0, t1] where f(t) <= 0,
// for an f with a single minimum on the interval (the distance from a
// point moving along a short chunk to an arc, less the buffer): the
// minimum by golden-section search, the part's ends by bisection. ok is
// false when f stays above 0.
func InsideInterval(f func(t float64) float64, t0, t1 float64) (enter, exit float64, ok bool) {
	const phi = 0.6180339887498949
	lo, hi := t0, t1
	x1, x2 := hi-phi*(hi-lo), lo+phi*(hi-lo)
	f1, f2 := f(x1), f(x2)
	for i := 0; i < 60 && hi-lo > 1e-10; i++ {
		if f1 <= 0 || f2 <= 0 {
			break
		}
		if f1 < f2 {
			hi, x2, f2 = x2, x1, f1
			x1 = hi - phi*(hi-lo)
			f1 = f(x1)
		} else {
			lo, x1, f1 = x1, x2, f2
			x2 = lo + phi*(hi-lo)
			f2 = f(x2)
		}
	}
	tm, fm := x1, f1
	if f2 < f1 {
		tm, fm = x2, f2
	}
	if f0 := f(t0); f0 < fm {
		tm, fm = t0, f0
	}
	if fe := f(t1); fe < fm {
		tm, fm = t1, fe
	}
	if fm > 0 {
		return 0, 0, false
	}
	// Bisect for the entry in [t0, tm] and the exit in [tm, t1].
	enter, exit = t0, t1
	if f(t0) > 0 {
		l, h := t0, tm
		for h-l > 1e-12 && h-l > (t1-t0)*1e-9 {
			m := (l + h) / 2
			if f(m) <= 0 {
				h = m
			} else {
				l = m
			}
		}
		enter = h
	}
	if f(t1) > 0 {
		l, h := tm, t1
		for h-l > 1e-12 && h-l > (t1-t0)*1e-9 {
			m := (l + h) / 2
			if f(m) <= 0 {
				l = m
			} else {
				h = m
			}
		}
		exit = l
	}
	return enter, exit, true
}

// valid reports whether p is a finite WGS-84 position.
func valid(p geowarden.Point) bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}
