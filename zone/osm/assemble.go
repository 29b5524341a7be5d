package osm

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/paulmach/osm"
)

// MaxRings caps the rings of one multipolygon relation.
const MaxRings = 100_000

// dedup returns pts without consecutive repeated positions.
func dedup(pts []geowarden.Point) []geowarden.Point {
	out := make([]geowarden.Point, 0, len(pts))
	for _, p := range pts {
		if n := len(out); n > 0 && out[n-1] == p {
			continue
		}
		out = append(out, p)
	}
	return out
}

// fixRing makes a closed ring of pts that zone.Validate accepts: repeated
// positions removed, closed; a ring that crosses or touches itself is
// replaced by its convex hull, which covers all of it (for a firewall, a
// zone that is too large is the safe mistake). It returns nil when no ring
// can be made, and a message saying what was wrong or changed.
func fixRing(pts []geowarden.Point) ([]geowarden.Point, string) {
	r := dedup(pts)
	if len(r) > 1 && r[0] == r[len(r)-1] {
		r = r[:len(r)-1]
	}
	if len(r) < 3 {
		return nil, fmt.Sprintf("ring has %d distinct positions; a ring needs 3", len(r))
	}
	r = append(r, r[0])
	err := ringError(r)
	if err == nil {
		return r, ""
	}
	h := hull(r)
	if len(h) < 4 {
		return nil, fmt.Sprintf("ring %v, and its convex hull is a line", err)
	}
	return h, fmt.Sprintf("ring %v; replaced by its convex hull", err)
}

// ringError returns what zone.Validate finds wrong with a ring.
func ringError(r []geowarden.Point) error {
	z := zone.Zone{Geometry: zone.Area, Polygons: [][][]geowarden.Point{{r}}}
	if err := z.Validate(); err != nil {
		msg := err.Error()
		if _, rest, ok := strings.Cut(msg, "polygon 0 ring 0 "); ok {
			return fmt.Errorf("%s", rest)
		}
		return err
	}
	return nil
}

// hull returns the convex hull of pts in longitude/latitude, closed,
// counter-clockwise (Andrew's monotone chain).
func hull(pts []geowarden.Point) []geowarden.Point {
	p := slices.Clone(pts)
	slices.SortFunc(p, func(a, b geowarden.Point) int {
		switch {
		case a.Lon < b.Lon:
			return -1
		case a.Lon > b.Lon:
			return 1
		case a.Lat < b.Lat:
			return -1
		case a.Lat > b.Lat:
			return 1
		}
		return 0
	})
	p = slices.Compact(p)
	if len(p) < 3 {
		return nil
	}
	cross := func(o, a, b geowarden.Point) float64 {
		return (a.Lon-o.Lon)*(b.Lat-o.Lat) - (a.Lat-o.Lat)*(b.Lon-o.Lon)
	}
	h := make([]geowarden.Point, 0, 2*len(p))
	for _, q := range p {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	lo := len(h) + 1
	for i := len(p) - 2; i >= 0; i-- {
		q := p[i]
		for len(h) >= lo && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	if len(h) < 4 || ringError(h) != nil {
		return nil
	}
	return h
}

// ring is one closed ring of a multipolygon being assembled.
type ring struct {
	nodes []osm.NodeID
	pts   []geowarden.Point // NaN for missing nodes, until fixRing
	ways  []osm.WayID
	inner bool   // its role
	hull  bool   // replaced by its convex hull
	msg   string // why
	area  float64
	bb    [4]float64 // minLon, minLat, maxLon, maxLat
	depth int
	holes [][]geowarden.Point
}

// part is a member way, or a chain of member ways joined end to end: its
// nodes and their positions (NaN for a node missing from the file).
type part struct {
	nodes []osm.NodeID
	pts   []geowarden.Point
	ways  []osm.WayID
}

// assemble builds the polygons of a multipolygon relation: it joins its
// member ways end to end into closed rings (outer and inner members
// apart), then nests them by geometry: a ring inside an even number of
// others is an outer ring, inside an odd number a hole of the smallest
// ring that holds it. Rings that do not close are reported and left out.
// It returns nil (after reporting why) when no polygon can be made.
func (rd *reading) assemble(rel *relRec, ways map[osm.WayID]*wayRec, lookup func(osm.NodeID) (geowarden.Point, bool)) [][][]geowarden.Point {
	id := int64(rel.id)
	var outer, inner []part
	var missing []osm.WayID
	for _, m := range rel.members {
		w, ok := ways[osm.WayID(m.Ref)]
		if !ok {
			missing = append(missing, osm.WayID(m.Ref))
			continue
		}
		if len(w.nodes) < 2 {
			continue
		}
		p := part{nodes: w.nodes, pts: w.positions(lookup), ways: []osm.WayID{osm.WayID(m.Ref)}}
		switch m.Role {
		case "inner":
			inner = append(inner, p)
		case "outer", "":
			outer = append(outer, p)
		default:
			rd.problem(osm.TypeRelation, id, false, "member way %d has role %q, neither outer nor inner; not used", m.Ref, m.Role)
		}
	}
	if len(missing) > 0 {
		rd.problem(osm.TypeRelation, id, false, "%d member ways are not in the file (%s)", len(missing), wayList(missing))
	}
	var rings []*ring
	broken := 0
	for gi, group := range [][]part{outer, inner} {
		isInner := gi == 1
		closed, open := joinRings(group)
		for _, o := range open {
			broken++
			rd.problem(osm.TypeRelation, id, false, "ring of way%s %s does not close: node %d at one end and node %d at the other meet no other member way; that ring is left out",
				plural(len(o.ways)), wayList(o.ways), o.nodes[0], o.nodes[len(o.nodes)-1])
		}
		for _, c := range closed {
			if len(rings) >= MaxRings {
				rd.problem(osm.TypeRelation, id, true, "more than %d rings", MaxRings)
				return nil
			}
			rings = append(rings, &ring{nodes: c.nodes, pts: c.pts, ways: c.ways, inner: isInner})
		}
	}
	// Positions, checks and fixes.
	kept := rings[:0]
	for _, r := range rings {
		pts := make([]geowarden.Point, 0, len(r.pts))
		miss := 0
		for _, p := range r.pts {
			if math.IsNaN(p.Lon) {
				miss++
				continue
			}
			pts = append(pts, p)
		}
		if miss > 0 {
			rd.problem(osm.TypeRelation, id, false, "ring of way%s %s: %d nodes are missing from the file; made of the others", plural(len(r.ways)), wayList(r.ways), miss)
		}
		fixed, msg := fixRing(pts)
		if fixed == nil {
			rd.problem(osm.TypeRelation, id, false, "ring of way%s %s: %s; that ring is left out", plural(len(r.ways)), wayList(r.ways), msg)
			continue
		}
		if msg != "" {
			r.hull, r.msg = true, msg
		}
		r.pts = fixed
		r.area = math.Abs(signedArea(fixed))
		r.bb = bbox(fixed)
		kept = append(kept, r)
	}
	rings = kept
	// Nesting: largest first, so that a ring's containers come before it.
	slices.SortStableFunc(rings, func(a, b *ring) int {
		switch {
		case a.area > b.area:
			return -1
		case a.area < b.area:
			return 1
		}
		return 0
	})
	parent := make([]int, len(rings))
	for i, r := range rings {
		parent[i] = -1
		for j := i - 1; j >= 0; j-- {
			c := rings[j]
			if !bbInside(r.bb, c.bb) || !ringInside(r.pts, c.pts) {
				continue
			}
			if parent[i] < 0 || rings[j].depth > rings[parent[i]].depth {
				parent[i] = j
				r.depth = c.depth + 1
			}
		}
	}
	var polys [][][]geowarden.Point
	index := make([]int, len(rings)) // polygon of an outer ring
	for i, r := range rings {
		if r.depth%2 == 0 {
			if r.hull {
				rd.problem(osm.TypeRelation, id, false, "ring of way%s %s: %s", plural(len(r.ways)), wayList(r.ways), r.msg)
			}
			index[i] = len(polys)
			polys = append(polys, [][]geowarden.Point{r.pts})
			continue
		}
		if r.hull {
			// A hole that crosses itself is left out: the zone then
			// covers it, the safe mistake.
			msg, _, _ := strings.Cut(r.msg, "; replaced")
			rd.problem(osm.TypeRelation, id, false, "inner ring of way%s %s: %s; the hole is left out (the zone covers it)", plural(len(r.ways)), wayList(r.ways), msg)
			continue
		}
		p := index[parent[i]]
		polys[p] = append(polys[p], r.pts)
	}
	if len(polys) == 0 {
		msg := "the multipolygon has no usable ring"
		if broken > 0 {
			msg = "no ring of the multipolygon closes"
		}
		rd.problem(osm.TypeRelation, id, true, "%s", msg)
		return nil
	}
	return polys
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func wayList(ws []osm.WayID) string {
	var b strings.Builder
	for i, w := range ws {
		if i == 8 {
			fmt.Fprintf(&b, ", … (%d in all)", len(ws))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, int64(w))
	}
	return b.String()
}

// joinRings joins parts end to end, by their end nodes, into closed
// rings. Parts that cannot be closed are returned as open chains.
func joinRings(parts []part) (closed, open []part) {
	ends := map[osm.NodeID][]int{}
	used := make([]bool, len(parts))
	for i, p := range parts {
		if p.nodes[0] == p.nodes[len(p.nodes)-1] {
			continue
		}
		ends[p.nodes[0]] = append(ends[p.nodes[0]], i)
		ends[p.nodes[len(p.nodes)-1]] = append(ends[p.nodes[len(p.nodes)-1]], i)
	}
	take := func(n osm.NodeID) (int, bool) {
		for _, i := range ends[n] {
			if !used[i] {
				return i, true
			}
		}
		return 0, false
	}
	for i, p := range parts {
		if used[i] {
			continue
		}
		used[i] = true
		if p.nodes[0] == p.nodes[len(p.nodes)-1] {
			closed = append(closed, p)
			continue
		}
		chain := part{nodes: slices.Clone(p.nodes), pts: slices.Clone(p.pts), ways: slices.Clone(p.ways)}
		for chain.nodes[0] != chain.nodes[len(chain.nodes)-1] {
			end := chain.nodes[len(chain.nodes)-1]
			j, ok := take(end)
			if !ok {
				// Try to grow the chain at its start instead.
				slices.Reverse(chain.nodes)
				slices.Reverse(chain.pts)
				end = chain.nodes[len(chain.nodes)-1]
				if j, ok = take(end); !ok {
					break
				}
			}
			used[j] = true
			q, qp := parts[j].nodes, parts[j].pts
			if q[0] == end {
				chain.nodes = append(chain.nodes, q[1:]...)
				chain.pts = append(chain.pts, qp[1:]...)
			} else {
				for k := len(q) - 2; k >= 0; k-- {
					chain.nodes = append(chain.nodes, q[k])
					chain.pts = append(chain.pts, qp[k])
				}
			}
			chain.ways = append(chain.ways, parts[j].ways...)
		}
		if chain.nodes[0] == chain.nodes[len(chain.nodes)-1] {
			closed = append(closed, chain)
		} else {
			open = append(open, chain)
		}
	}
	return closed, open
}

func signedArea(r []geowarden.Point) float64 {
	var a float64
	for i := 0; i+1 < len(r); i++ {
		a += r[i].Lon*r[i+1].Lat - r[i+1].Lon*r[i].Lat
	}
	return a / 2
}

func bbox(r []geowarden.Point) [4]float64 {
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range r {
		b[0], b[1] = math.Min(b[0], p.Lon), math.Min(b[1], p.Lat)
		b[2], b[3] = math.Max(b[2], p.Lon), math.Max(b[3], p.Lat)
	}
	return b
}

func bbInside(a, b [4]float64) bool {
	return a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3]
}

// ringInside reports whether ring a lies inside ring b: the first vertex
// of a that is not on b's boundary is inside b. Rings that share all
// their vertices are not inside each other.
func ringInside(a, b []geowarden.Point) bool {
	for _, p := range a[:len(a)-1] {
		switch pointInRing(p, b) {
		case 1:
			return true
		case -1:
			return false
		}
	}
	return false
}

// pointInRing returns 1 when p is inside the closed ring r, -1 outside, 0
// on its boundary (exactly).
func pointInRing(p geowarden.Point, r []geowarden.Point) int {
	in := false
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if a == p {
			return 0
		}
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) {
			x := a.Lon + (p.Lat-a.Lat)*(b.Lon-a.Lon)/(b.Lat-a.Lat)
			if x == p.Lon {
				return 0
			}
			if p.Lon < x {
				in = !in
			}
		} else if a.Lat == p.Lat && b.Lat == p.Lat && p.Lon >= math.Min(a.Lon, b.Lon) && p.Lon <= math.Max(a.Lon, b.Lon) {
			return 0
		}
	}
	if in {
		return 1
	}
	return -1
}
