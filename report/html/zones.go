package html

import (
	"encoding/json"
	"math"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// DefaultMaxVertices is the vertex budget DisplayZones uses when given 0:
// about 3 MB of zone geometry in the page.
const DefaultMaxVertices = 150_000

// tolerances are the Douglas-Peucker tolerances DisplayZones tries, in
// degrees, from exact (0) to about 3 km.
var tolerances = []float64{0, 1e-5, 5e-5, 2e-4, 1e-3, 5e-3, 2.5e-2}

// DisplayZones converts zones for drawing, within a budget of maxVertices
// vertices in all (0: DefaultMaxVertices). It simplifies every outline
// with the smallest tolerance that fits the budget; if even the largest
// does not, it leaves out zones, in order, keeping every zone for which
// keep returns true (keep may be nil). Rings keep at least four positions.
func DisplayZones(zs []*zone.Zone, maxVertices int, keep func(id string) bool) *ZoneLayer {
	if maxVertices <= 0 {
		maxVertices = DefaultMaxVertices
	}
	out := &ZoneLayer{}
	conv := make([]Zone, len(zs))
	drawn := make([]int, len(zs))
	for _, tol := range tolerances {
		total := 0
		for i, z := range zs {
			c := convertZone(z, tol)
			conv[i], drawn[i] = c.Zone, c.drawn
			total += c.drawn
		}
		out.Tolerance = tol
		if total <= maxVertices {
			out.Zones = conv
			return out
		}
	}
	// Over budget at the largest tolerance: keep the zones items refer to,
	// then the others in order while they fit.
	used := 0
	take := make([]bool, len(zs))
	for i, z := range zs {
		if keep != nil && keep(z.ID) {
			take[i] = true
			used += drawn[i]
		}
	}
	for i := range zs {
		if !take[i] && used+drawn[i] <= maxVertices {
			take[i] = true
			used += drawn[i]
		}
	}
	for i := range zs {
		if take[i] {
			out.Zones = append(out.Zones, conv[i])
		} else {
			out.Omitted++
		}
	}
	return out
}

type converted struct {
	Zone
	drawn int // vertices in Geometry
}

// convertZone returns z as a report Zone with its outline simplified by
// tol degrees (0: as it is).
func convertZone(z *zone.Zone, tol float64) converted {
	c := converted{Zone: Zone{
		ID: z.ID, Name: z.Name, Class: z.Class, Set: z.Set,
		Shape: z.Geometry.String(), BufferM: z.BufferM, Vertices: z.Vertices(),
	}}
	var g struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}
	switch z.Geometry {
	case zone.Area:
		polys := make([][][][2]float64, 0, len(z.Polygons))
		for _, p := range z.Polygons {
			rings := make([][][2]float64, 0, len(p))
			for _, r := range p {
				s := simplifyRing(r, tol)
				c.drawn += len(s)
				rings = append(rings, s)
			}
			polys = append(polys, rings)
		}
		if len(polys) == 1 {
			g.Type, g.Coordinates = "Polygon", polys[0]
		} else {
			g.Type, g.Coordinates = "MultiPolygon", polys
		}
	case zone.Corridor:
		lines := make([][][2]float64, 0, len(z.Lines))
		for _, l := range z.Lines {
			s := simplifyLine(l, tol)
			c.drawn += len(s)
			lines = append(lines, s)
		}
		if len(lines) == 1 {
			g.Type, g.Coordinates = "LineString", lines[0]
		} else {
			g.Type, g.Coordinates = "MultiLineString", lines
		}
	default:
		pts := make([][2]float64, len(z.Points))
		for i, p := range z.Points {
			pts[i] = pos(p)
		}
		c.drawn = len(pts)
		if len(pts) == 1 {
			g.Type, g.Coordinates = "Point", pts[0]
		} else {
			g.Type, g.Coordinates = "MultiPoint", pts
		}
	}
	c.Geometry, _ = json.Marshal(g) // finite numbers only: zones are validated
	return c
}

// pos returns p as a GeoJSON position rounded to 1e-6 degrees (0.1 m).
func pos(p geowarden.Point) [2]float64 {
	return [2]float64{math.Round(p.Lon*1e6) / 1e6, math.Round(p.Lat*1e6) / 1e6}
}

// simplifyLine returns the Douglas-Peucker simplification of l with
// tolerance tol (degrees), as GeoJSON positions. The ends are kept.
func simplifyLine(l []geowarden.Point, tol float64) [][2]float64 {
	if len(l) <= 2 || tol <= 0 {
		return positions(l)
	}
	keepIdx := make([]bool, len(l))
	keepIdx[0], keepIdx[len(l)-1] = true, true
	douglasPeucker(l, 0, len(l)-1, tol*tol, keepIdx)
	return kept(l, keepIdx)
}

// simplifyRing simplifies a closed ring, keeping it closed with at least
// four positions (three distinct corners) so that it stays a polygon.
func simplifyRing(r []geowarden.Point, tol float64) [][2]float64 {
	if len(r) <= 4 || tol <= 0 {
		return positions(r)
	}
	last := len(r) - 1 // r[last] == r[0]
	far, _ := farthest(r, 0, last, func(p geowarden.Point) float64 { return dist2(p, r[0]) })
	keepIdx := make([]bool, len(r))
	keepIdx[0], keepIdx[far], keepIdx[last] = true, true, true
	douglasPeucker(r, 0, far, tol*tol, keepIdx)
	douglasPeucker(r, far, last, tol*tol, keepIdx)
	n := 0
	for _, k := range keepIdx {
		if k {
			n++
		}
	}
	if n < 4 {
		// A ring smaller than the tolerance: keep the corner farthest from
		// the line through the two it has.
		third, _ := farthest(r, 0, last, func(p geowarden.Point) float64 { return segDist2(p, r[0], r[far]) })
		keepIdx[third] = true
	}
	return kept(r, keepIdx)
}

// douglasPeucker marks in keep the points of l[a..b] that the
// simplification with squared tolerance tol2 keeps (iteratively, so that
// long lines cannot exhaust the stack).
func douglasPeucker(l []geowarden.Point, a, b int, tol2 float64, keep []bool) {
	stack := [][2]int{{a, b}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s[1]-s[0] < 2 {
			continue
		}
		i, d := farthest(l, s[0]+1, s[1]-1, func(p geowarden.Point) float64 { return segDist2(p, l[s[0]], l[s[1]]) })
		if d > tol2 {
			keep[i] = true
			stack = append(stack, [2]int{s[0], i}, [2]int{i, s[1]})
		}
	}
}

// farthest returns the index in l[a..b] with the largest d, and that d.
func farthest(l []geowarden.Point, a, b int, d func(geowarden.Point) float64) (int, float64) {
	best, bd := a, -1.0
	for i := a; i <= b; i++ {
		if v := d(l[i]); v > bd {
			best, bd = i, v
		}
	}
	return best, bd
}

func dist2(p, q geowarden.Point) float64 {
	dx, dy := p.Lon-q.Lon, p.Lat-q.Lat
	return dx*dx + dy*dy
}

// segDist2 is the squared planar distance, in degrees, from p to segment ab.
func segDist2(p, a, b geowarden.Point) float64 {
	dx, dy := b.Lon-a.Lon, b.Lat-a.Lat
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return dist2(p, a)
	}
	t := ((p.Lon-a.Lon)*dx + (p.Lat-a.Lat)*dy) / l2
	t = max(0, min(1, t))
	return dist2(p, geowarden.Point{Lon: a.Lon + t*dx, Lat: a.Lat + t*dy})
}

func positions(l []geowarden.Point) [][2]float64 {
	out := make([][2]float64, len(l))
	for i, p := range l {
		out[i] = pos(p)
	}
	return out
}

func kept(l []geowarden.Point, keep []bool) [][2]float64 {
	var out [][2]float64
	for i, k := range keep {
		if k {
			out = append(out, pos(l[i]))
		}
	}
	return out
}
