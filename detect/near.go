package detect

import (
	"math"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/tidwall/rtree"
)

// nearIndex finds the zones within a distance of a point: the zones'
// edges (and circle centres) in an R-tree, each boxed with its zone's
// buffer, searched with a box of the distance around the point; then the
// distance to each candidate edge. Containment comes from the zone index,
// through the caller.
type nearIndex struct {
	zones []*zone.Zone
	edges []nearEdge
	tree  rtree.RTreeG[int32]
}

type nearEdge struct {
	z    int32
	a, b geowarden.Point
}

// newNearIndex indexes the zones for which watch is true; a zone's number
// is its position in zones.
func newNearIndex(zones []*zone.Zone, watch func(int) bool) *nearIndex {
	n := &nearIndex{zones: zones}
	add := func(z int32, a, b geowarden.Point, buf float64) {
		i := int32(len(n.edges))
		n.edges = append(n.edges, nearEdge{z, a, b})
		dLat := buf / 110540
		c := math.Cos(math.Min(89.9, math.Max(math.Abs(a.Lat), math.Abs(b.Lat))+dLat) * math.Pi / 180)
		dLon := buf / (111320 * c)
		n.tree.Insert([2]float64{math.Min(a.Lon, b.Lon) - dLon, math.Min(a.Lat, b.Lat) - dLat},
			[2]float64{math.Max(a.Lon, b.Lon) + dLon, math.Max(a.Lat, b.Lat) + dLat}, i)
	}
	for i, z := range n.zones {
		if !watch(i) {
			continue
		}
		zi := int32(i)
		for _, poly := range z.Polygons {
			for _, r := range poly {
				for k := 0; k+1 < len(r); k++ {
					add(zi, r[k], r[k+1], z.BufferM)
				}
			}
		}
		for _, l := range z.Lines {
			for k := 0; k+1 < len(l); k++ {
				add(zi, l[k], zone.Unwrap(l[k], l[k+1]), z.BufferM)
			}
		}
		for _, c := range z.Points {
			add(zi, c, c, z.BufferM)
		}
	}
	return n
}

type zoneDist struct {
	z int32
	d float64
}

// within appends to dst the zones for which watch is true that contain p
// (distance 0; in lists the zones containing p, from the zone index) or
// whose boundary lies within limit metres of it, ordered by zone number. Distances are planar in a local projection centred on
// p: within a fraction of a percent of the great-circle distance at the
// few kilometres the site detectors look.
func (n *nearIndex) within(p geowarden.Point, in []int32, limit float64, watch []bool, dst []zoneDist) []zoneDist {
	start := len(dst)
	for _, z := range in {
		if watch[z] {
			dst = append(dst, zoneDist{z, 0})
		}
	}
	kx := 111320 * math.Cos(p.Lat*math.Pi/180)
	const ky = 110540
	dLat := limit / ky
	dLon := limit / math.Max(kx, 1e-6)
	proj := func(q geowarden.Point) (float64, float64) {
		dl := q.Lon - p.Lon
		if dl > 180 {
			dl -= 360
		} else if dl < -180 {
			dl += 360
		}
		return dl * kx, (q.Lat - p.Lat) * ky
	}
	n.tree.Search([2]float64{p.Lon - dLon, p.Lat - dLat}, [2]float64{p.Lon + dLon, p.Lat + dLat}, func(_, _ [2]float64, i int32) bool {
		e := &n.edges[i]
		if !watch[e.z] || slices.Contains(in, e.z) {
			return true
		}
		ax, ay := proj(e.a)
		bx, by := proj(e.b)
		dx, dy := bx-ax, by-ay
		t := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			t = min(max(-(ax*dx+ay*dy)/l, 0), 1)
		}
		d := math.Hypot(ax+t*dx, ay+t*dy) - n.zones[e.z].BufferM
		if d > limit {
			return true
		}
		d = max(d, 0)
		for k := start; k < len(dst); k++ {
			if dst[k].z == e.z {
				dst[k].d = min(dst[k].d, d)
				return true
			}
		}
		dst = append(dst, zoneDist{e.z, d})
		return true
	})
	slices.SortFunc(dst[start:], func(a, b zoneDist) int { return int(a.z - b.z) })
	return dst
}
