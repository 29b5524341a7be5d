package scenario

import (
	"math"
	"math/rand/v2"
	"sort"
)

// earthRadius is the sphere zone.Distance uses, in metres.
const earthRadius = 6371008.8

// vec is a point of the region's plane, in metres east (X) and north (Y)
// of its centre.
type vec struct{ X, Y float64 }

func (a vec) add(b vec) vec             { return vec{a.X + b.X, a.Y + b.Y} }
func (a vec) sub(b vec) vec             { return vec{a.X - b.X, a.Y - b.Y} }
func (a vec) scale(k float64) vec       { return vec{a.X * k, a.Y * k} }
func (a vec) dot(b vec) float64         { return a.X*b.X + a.Y*b.Y }
func (a vec) norm() float64             { return math.Hypot(a.X, a.Y) }
func (a vec) dist(b vec) float64        { return math.Hypot(a.X-b.X, a.Y-b.Y) }
func (a vec) perp() vec                 { return vec{-a.Y, a.X} }
func (a vec) lerp(b vec, t float64) vec { return vec{a.X + (b.X-a.X)*t, a.Y + (b.Y-a.Y)*t} }

func (a vec) unit() vec {
	n := a.norm()
	if n == 0 {
		return vec{1, 0}
	}
	return vec{a.X / n, a.Y / n}
}

// polar returns the vector of length r at bearing theta (radians,
// counter-clockwise from east).
func polar(r, theta float64) vec { return vec{r * math.Cos(theta), r * math.Sin(theta)} }

// frame maps the plane to WGS-84 longitude and latitude: an
// equirectangular projection about the region's centre. It is affine in
// longitude and latitude, so a straight segment of the plane is a straight
// segment in longitude/latitude; over a 150 km region its scale is right
// to within 1.5 %.
type frame struct {
	lat0, lon0 float64
	kx, ky     float64 // degrees per metre
}

func newFrame(lat0, lon0 float64) frame {
	ky := 180 / (math.Pi * earthRadius)
	return frame{lat0: lat0, lon0: lon0, ky: ky, kx: ky / math.Cos(lat0*math.Pi/180)}
}

// ll returns the latitude and longitude of v.
func (f frame) ll(v vec) (lat, lon float64) {
	return f.lat0 + v.Y*f.ky, f.lon0 + v.X*f.kx
}

// xy returns the plane position of a latitude and longitude.
func (f frame) xy(lat, lon float64) vec {
	return vec{(lon - f.lon0) / f.kx, (lat - f.lat0) / f.ky}
}

// polyline is a path in the plane with its cumulative length.
type polyline struct {
	pts []vec
	cum []float64 // cum[i]: length from pts[0] to pts[i]
}

func newPolyline(pts []vec) *polyline {
	p := &polyline{pts: pts, cum: make([]float64, len(pts))}
	for i := 1; i < len(pts); i++ {
		p.cum[i] = p.cum[i-1] + pts[i].dist(pts[i-1])
	}
	return p
}

func (p *polyline) length() float64 { return p.cum[len(p.cum)-1] }

// at returns the point at arc length s (clamped to the path) and the unit
// direction of travel there.
func (p *polyline) at(s float64) (vec, vec) {
	n := len(p.pts)
	if n == 1 {
		return p.pts[0], vec{1, 0}
	}
	s = math.Max(0, math.Min(s, p.length()))
	i := sort.SearchFloat64s(p.cum, s) // first cum[i] >= s
	if i == 0 {
		i = 1
	}
	a, b := p.pts[i-1], p.pts[i]
	seg := p.cum[i] - p.cum[i-1]
	t := 0.0
	if seg > 0 {
		t = (s - p.cum[i-1]) / seg
	}
	return a.lerp(b, t), b.sub(a).unit()
}

// slice returns the points of the path from arc length s0 to s1; when s1 <
// s0 the points run backwards.
func (p *polyline) slice(s0, s1 float64) []vec {
	rev := s1 < s0
	if rev {
		s0, s1 = s1, s0
	}
	a, _ := p.at(s0)
	out := []vec{a}
	for i, c := range p.cum {
		if c > s0 && c < s1 {
			out = append(out, p.pts[i])
		}
	}
	b, _ := p.at(s1)
	out = append(out, b)
	if rev {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// project returns the arc length of the point of the path nearest to q and
// the distance to it.
func (p *polyline) project(q vec) (s, d float64) {
	d = math.Inf(1)
	for i := 1; i < len(p.pts); i++ {
		x, t := nearestOnSegment(q, p.pts[i-1], p.pts[i])
		if dd := q.dist(x); dd < d {
			d = dd
			s = p.cum[i-1] + t*(p.cum[i]-p.cum[i-1])
		}
	}
	return s, d
}

// nearestOnSegment returns the point of segment ab nearest to q and its
// parameter along ab.
func nearestOnSegment(q, a, b vec) (vec, float64) {
	ab := b.sub(a)
	l2 := ab.dot(ab)
	if l2 == 0 {
		return a, 0
	}
	t := math.Max(0, math.Min(1, q.sub(a).dot(ab)/l2))
	return a.lerp(b, t), t
}

// joinPaths concatenates point lists, dropping a repeated joint.
func joinPaths(parts ...[]vec) []vec {
	var out []vec
	for _, p := range parts {
		for i, v := range p {
			if i == 0 && len(out) > 0 && out[len(out)-1].dist(v) < 1 {
				continue
			}
			out = append(out, v)
		}
	}
	return out
}

// curve returns a smooth path from a to b through control points displaced
// sideways by up to wiggle metres (a Catmull-Rom spline, sampled about
// every step metres). Paths between the same places with different
// random draws differ, as two roads between two towns do.
func curve(r *rand.Rand, a, b vec, spacing, wiggle, step float64) []vec {
	d := b.sub(a)
	l := d.norm()
	n := max(1, int(math.Round(l/spacing)))
	ctrl := make([]vec, 0, n+3)
	side := d.unit().perp()
	ctrl = append(ctrl, a)
	for i := 1; i < n; i++ {
		t := float64(i) / float64(n)
		// Taper the displacement towards the ends so the path leaves and
		// meets its towns head on.
		taper := math.Sin(math.Pi * t)
		off := (r.Float64()*2 - 1) * wiggle * taper
		along := (r.Float64() - 0.5) * 0.2 * spacing
		ctrl = append(ctrl, a.add(d.scale(t)).add(side.scale(off)).add(d.unit().scale(along)))
	}
	ctrl = append(ctrl, b)
	return catmullRom(ctrl, step)
}

// catmullRom samples a uniform Catmull-Rom spline through ctrl about
// every step metres.
func catmullRom(ctrl []vec, step float64) []vec {
	if len(ctrl) < 3 {
		return densify(ctrl, step)
	}
	ext := make([]vec, 0, len(ctrl)+2)
	ext = append(ext, ctrl[0].scale(2).sub(ctrl[1]))
	ext = append(ext, ctrl...)
	ext = append(ext, ctrl[len(ctrl)-1].scale(2).sub(ctrl[len(ctrl)-2]))
	out := []vec{ctrl[0]}
	for i := 1; i+2 < len(ext); i++ {
		p0, p1, p2, p3 := ext[i-1], ext[i], ext[i+1], ext[i+2]
		n := max(1, int(math.Ceil(p1.dist(p2)/step)))
		for k := 1; k <= n; k++ {
			t := float64(k) / float64(n)
			t2, t3 := t*t, t*t*t
			x := 0.5 * (2*p1.X + (-p0.X+p2.X)*t + (2*p0.X-5*p1.X+4*p2.X-p3.X)*t2 + (-p0.X+3*p1.X-3*p2.X+p3.X)*t3)
			y := 0.5 * (2*p1.Y + (-p0.Y+p2.Y)*t + (2*p0.Y-5*p1.Y+4*p2.Y-p3.Y)*t2 + (-p0.Y+3*p1.Y-3*p2.Y+p3.Y)*t3)
			out = append(out, vec{x, y})
		}
	}
	return out
}

// densify returns pts with points added so no segment is longer than step.
func densify(pts []vec, step float64) []vec {
	out := []vec{pts[0]}
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		n := max(1, int(math.Ceil(a.dist(b)/step)))
		for k := 1; k <= n; k++ {
			out = append(out, a.lerp(b, float64(k)/float64(n)))
		}
	}
	return out
}

// segGrid answers "how far is the nearest of these polylines" quickly: the
// segments of a set of polylines bucketed in square cells.
type segGrid struct {
	cell float64
	m    map[[2]int32][]gridSeg
}

type gridSeg struct {
	a, b vec
	line int // which polyline
}

func newSegGrid(cell float64) *segGrid { return &segGrid{cell: cell, m: map[[2]int32][]gridSeg{}} }

func (g *segGrid) key(v vec) [2]int32 {
	return [2]int32{int32(math.Floor(v.X / g.cell)), int32(math.Floor(v.Y / g.cell))}
}

func (g *segGrid) add(line int, pts []vec) {
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		k0, k1 := g.key(vec{math.Min(a.X, b.X), math.Min(a.Y, b.Y)}), g.key(vec{math.Max(a.X, b.X), math.Max(a.Y, b.Y)})
		for x := k0[0]; x <= k1[0]; x++ {
			for y := k0[1]; y <= k1[1]; y++ {
				g.m[[2]int32{x, y}] = append(g.m[[2]int32{x, y}], gridSeg{a, b, line})
			}
		}
	}
}

// nearest returns the distance from q to the nearest segment within
// radius cells, and the segment's line; +Inf and -1 when there is none.
func (g *segGrid) nearest(q vec, radius int) (float64, int) {
	k := g.key(q)
	best, line := math.Inf(1), -1
	for x := k[0] - int32(radius); x <= k[0]+int32(radius); x++ {
		for y := k[1] - int32(radius); y <= k[1]+int32(radius); y++ {
			for _, s := range g.m[[2]int32{x, y}] {
				p, _ := nearestOnSegment(q, s.a, s.b)
				if d := q.dist(p); d < best {
					best, line = d, s.line
				}
			}
		}
	}
	return best, line
}
