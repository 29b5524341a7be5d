package zone

import (
	"math"
	"sort"

	"github.com/geowarden/geowarden"
)

// polygon is an area with straight edges in longitude/latitude (RFC 7946):
// an outer ring and holes. Edges are kept in horizontal bands so that a
// point test looks only at the edges that cross its latitude.
type polygon struct {
	rings  [][]geowarden.Point // closed rings: first == last
	bb     box
	bandH  float64
	bands  [][]edgeRef
	nedges int
}

type edgeRef struct {
	ring, i int32 // edge from rings[ring][i] to rings[ring][i+1]
}

func newPolygon(rings [][]geowarden.Point) *polygon {
	p := &polygon{rings: rings, bb: boxOf(rings[0]...)}
	for _, r := range rings {
		p.nedges += len(r) - 1
	}
	nb := p.nedges / 8
	nb = max(1, min(nb, 4096))
	h := p.bb.maxLat - p.bb.minLat
	if h <= 0 {
		nb, h = 1, 1
	}
	p.bandH = h / float64(nb)
	p.bands = make([][]edgeRef, nb)
	for ri, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			lo, hi := p.band(math.Min(r[i].Lat, r[i+1].Lat)), p.band(math.Max(r[i].Lat, r[i+1].Lat))
			for b := lo; b <= hi; b++ {
				p.bands[b] = append(p.bands[b], edgeRef{int32(ri), int32(i)})
			}
		}
	}
	return p
}

func (p *polygon) band(lat float64) int {
	b := int((lat - p.bb.minLat) / p.bandH)
	return max(0, min(b, len(p.bands)-1))
}

// contains reports whether pt lies inside the polygon or on its boundary
// (the boundary of a hole included).
func (p *polygon) contains(pt geowarden.Point) bool {
	if pt.Lat < p.bb.minLat || pt.Lat > p.bb.maxLat || pt.Lon < p.bb.minLon || pt.Lon > p.bb.maxLon {
		return false
	}
	// Even-odd crossing count over all rings: inside the outer ring and
	// outside every hole. Boundary points are caught first.
	// Closer than eps counts as on the boundary: floating-point rounding
	// of a point that lies exactly on an edge, about a micrometre.
	const eps = 1e-11 // degrees
	in := false
	for _, e := range p.bands[p.band(pt.Lat)] {
		r := p.rings[e.ring]
		a, b := r[e.i], r[e.i+1]
		lo, hi := a.Lat, b.Lat
		if lo > hi {
			lo, hi = hi, lo
		}
		if pt.Lat < lo || pt.Lat > hi {
			continue
		}
		if lo == hi { // horizontal edge on the point's latitude
			if pt.Lon >= min(a.Lon, b.Lon)-eps && pt.Lon <= max(a.Lon, b.Lon)+eps {
				return true
			}
			continue
		}
		x := a.Lon + (pt.Lat-a.Lat)*(b.Lon-a.Lon)/(b.Lat-a.Lat)
		if d := pt.Lon - x; d <= eps && d >= -eps {
			return true
		}
		// Half-open rule: count the edge when it crosses the latitude with
		// one end strictly above, so that a vertex is counted once.
		if (a.Lat > pt.Lat) != (b.Lat > pt.Lat) && pt.Lon < x {
			in = !in
		}
	}
	return in
}

// onSegment reports whether p lies on the segment a-b in the plane, within
// a tolerance of about a millimetre.
func onSegment(p, a, b geowarden.Point) bool {
	const eps = 1e-8 // degrees
	if p.Lon < math.Min(a.Lon, b.Lon)-eps || p.Lon > math.Max(a.Lon, b.Lon)+eps ||
		p.Lat < math.Min(a.Lat, b.Lat)-eps || p.Lat > math.Max(a.Lat, b.Lat)+eps {
		return false
	}
	dx, dy := b.Lon-a.Lon, b.Lat-a.Lat
	l := math.Hypot(dx, dy)
	if l == 0 {
		return math.Abs(p.Lon-a.Lon) <= eps && math.Abs(p.Lat-a.Lat) <= eps
	}
	return math.Abs(dx*(p.Lat-a.Lat)-dy*(p.Lon-a.Lon))/l <= eps
}

// crossings appends to ts the parameters t in (0, 1) at which the segment
// a→b crosses an edge of the polygon.
func (p *polygon) crossings(a, b geowarden.Point, ts []float64) []float64 {
	sb := boxOf(a, b)
	if sb.maxLat < p.bb.minLat || sb.minLat > p.bb.maxLat || sb.maxLon < p.bb.minLon || sb.minLon > p.bb.maxLon {
		return ts
	}
	lo, hi := p.band(sb.minLat), p.band(sb.maxLat)
	seen := map[edgeRef]bool{}
	for bi := lo; bi <= hi; bi++ {
		for _, e := range p.bands[bi] {
			if hi > lo {
				if seen[e] {
					continue
				}
				seen[e] = true
			}
			r := p.rings[e.ring]
			if t, ok := segIntersect(a, b, r[e.i], r[e.i+1]); ok {
				ts = append(ts, t)
			}
		}
	}
	return ts
}

// segIntersect returns the parameter t along a→b where it meets c-d.
func segIntersect(a, b, c, d geowarden.Point) (float64, bool) {
	rx, ry := b.Lon-a.Lon, b.Lat-a.Lat
	sx, sy := d.Lon-c.Lon, d.Lat-c.Lat
	den := rx*sy - ry*sx
	if den == 0 {
		return 0, false // parallel: endpoints of the other edges catch overlaps
	}
	qx, qy := c.Lon-a.Lon, c.Lat-a.Lat
	t := (qx*sy - qy*sx) / den
	u := (qx*ry - qy*rx) / den
	if t < 0 || t > 1 || u < 0 || u > 1 {
		return 0, false
	}
	return t, true
}

// selfIntersection returns the first pair of non-adjacent edges of a ring
// that cross or touch, as indices of their first vertices, using a sweep
// over longitude.
func selfIntersection(r []geowarden.Point) (int, int, bool) {
	n := len(r) - 1
	if n < 3 {
		return 0, 0, false
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	minX := func(i int) float64 { return math.Min(r[i].Lon, r[i+1].Lon) }
	maxX := func(i int) float64 { return math.Max(r[i].Lon, r[i+1].Lon) }
	sort.Slice(idx, func(a, b int) bool { return minX(idx[a]) < minX(idx[b]) })
	var active []int
	for _, i := range idx {
		x := minX(i)
		k := 0
		for _, j := range active {
			if maxX(j) >= x {
				active[k] = j
				k++
			}
		}
		active = active[:k]
		for _, j := range active {
			if adjacent(i, j, n) {
				continue
			}
			if segmentsTouch(r[i], r[i+1], r[j], r[j+1]) {
				return min(i, j), max(i, j), true
			}
		}
		active = append(active, i)
	}
	return 0, 0, false
}

func adjacent(i, j, n int) bool {
	d := i - j
	if d < 0 {
		d = -d
	}
	return d <= 1 || d == n-1
}

func orient(a, b, c geowarden.Point) float64 {
	return (b.Lon-a.Lon)*(c.Lat-a.Lat) - (b.Lat-a.Lat)*(c.Lon-a.Lon)
}

func segmentsTouch(a, b, c, d geowarden.Point) bool {
	if math.Max(a.Lat, b.Lat) < math.Min(c.Lat, d.Lat) || math.Max(c.Lat, d.Lat) < math.Min(a.Lat, b.Lat) {
		return false
	}
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)) {
		return true
	}
	return (o1 == 0 && onSegment(c, a, b)) || (o2 == 0 && onSegment(d, a, b)) ||
		(o3 == 0 && onSegment(a, c, d)) || (o4 == 0 && onSegment(b, c, d))
}
