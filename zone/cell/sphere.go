package cell

import (
	"math"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// The spherical and planar primitives below repeat zone's (sphere.go and
// polygon.go) expression for expression: the index must give the very same
// floating-point answers as zone.Index, so these must not be "improved"
// without changing zone too.

const degToRad = math.Pi / 180

// vec3 is a unit vector on the sphere.
type vec3 struct{ x, y, z float64 }

func toVec(p geowarden.Point) vec3 {
	lat, lon := p.Lat*degToRad, p.Lon*degToRad
	cl := math.Cos(lat)
	return vec3{cl * math.Cos(lon), cl * math.Sin(lon), math.Sin(lat)}
}

func (a vec3) dot(b vec3) float64 { return a.x*b.x + a.y*b.y + a.z*b.z }

func (a vec3) cross(b vec3) vec3 {
	return vec3{a.y*b.z - a.z*b.y, a.z*b.x - a.x*b.z, a.x*b.y - a.y*b.x}
}

func (a vec3) norm() float64 { return math.Sqrt(a.dot(a)) }

func angle(a, b vec3) float64 {
	return math.Atan2(a.cross(b).norm(), a.dot(b))
}

// arc is a great-circle arc between two unit vectors; a point when n is
// zero.
type arc struct {
	a, b vec3
	n    vec3
}

func newArc(a, b vec3) arc {
	n := a.cross(b)
	l := n.norm()
	if l < 1e-15 {
		return arc{a: a, b: a}
	}
	return arc{a: a, b: b, n: vec3{n.x / l, n.y / l, n.z / l}}
}

// dist returns the angular distance in radians from p to the arc.
func (s *arc) dist(p vec3) float64 {
	if s.n != (vec3{}) {
		if s.a.cross(p).dot(s.n) >= 0 && p.cross(s.b).dot(s.n) >= 0 {
			return math.Abs(math.Asin(math.Max(-1, math.Min(1, p.dot(s.n)))))
		}
	}
	return math.Min(angle(p, s.a), angle(p, s.b))
}

// box is a longitude/latitude rectangle.
type box struct{ minLon, minLat, maxLon, maxLat float64 }

func (b box) grow(m float64) box {
	if m <= 0 {
		return b
	}
	dlat := m / zone.EarthRadius / degToRad * 1.0001
	b.minLat -= dlat
	b.maxLat += dlat
	if b.minLat <= -90 || b.maxLat >= 90 {
		b.minLat = math.Max(b.minLat, -90)
		b.maxLat = math.Min(b.maxLat, 90)
		b.minLon, b.maxLon = -180, 180
		return b
	}
	c := math.Cos(math.Max(math.Abs(b.minLat), math.Abs(b.maxLat)) * degToRad)
	dlon := dlat / c
	if b.maxLon-b.minLon+2*dlon >= 360 {
		b.minLon, b.maxLon = -180, 180
		return b
	}
	b.minLon -= dlon
	b.maxLon += dlon
	return b
}

// split cuts the box at the antimeridian into one or two boxes with
// longitudes inside [-180, 180]; it returns their number.
func (b box) split() ([2]box, int) {
	switch {
	case b.maxLon-b.minLon >= 360:
		return [2]box{{-180, b.minLat, 180, b.maxLat}}, 1
	case b.minLon < -180:
		return [2]box{{-180, b.minLat, b.maxLon, b.maxLat}, {b.minLon + 360, b.minLat, 180, b.maxLat}}, 2
	case b.maxLon > 180:
		return [2]box{{b.minLon, b.minLat, 180, b.maxLat}, {-180, b.minLat, b.maxLon - 360, b.maxLat}}, 2
	}
	return [2]box{b}, 1
}

func boxOf2(a, b geowarden.Point) box {
	return box{math.Min(a.Lon, b.Lon), math.Min(a.Lat, b.Lat), math.Max(a.Lon, b.Lon), math.Max(a.Lat, b.Lat)}
}

func (b box) containsPt(p geowarden.Point) bool {
	return p.Lon >= b.minLon && p.Lon <= b.maxLon && p.Lat >= b.minLat && p.Lat <= b.maxLat
}

func (b box) intersects(o box) bool {
	return b.minLon <= o.maxLon && o.minLon <= b.maxLon && b.minLat <= o.maxLat && o.minLat <= b.maxLat
}

func (b box) inside(o box) bool {
	return b.minLon >= o.minLon && b.maxLon <= o.maxLon && b.minLat >= o.minLat && b.maxLat <= o.maxLat
}

// polyEps is zone's boundary tolerance for polygon edges, in degrees.
const polyEps = 1e-11

// ringsContain is zone's polygon test over all edges, without its band
// index: inside the bounding box of the outer ring, and on an edge (within
// polyEps) or inside by the even-odd rule.
func ringsContain(rings [][]geowarden.Point, pt geowarden.Point) bool {
	bb := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range rings[0] {
		bb.minLon = math.Min(bb.minLon, p.Lon)
		bb.maxLon = math.Max(bb.maxLon, p.Lon)
		bb.minLat = math.Min(bb.minLat, p.Lat)
		bb.maxLat = math.Max(bb.maxLat, p.Lat)
	}
	if pt.Lat < bb.minLat || pt.Lat > bb.maxLat || pt.Lon < bb.minLon || pt.Lon > bb.maxLon {
		return false
	}
	in := false
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			switch edgeTest(r[i], r[i+1], pt) {
			case edgeOn:
				return true
			case edgeCross:
				in = !in
			}
		}
	}
	return in
}

const (
	edgeNone = iota
	edgeCross
	edgeOn
)

// edgeTest is the body of zone's polygon.contains loop for one edge a→b:
// edgeOn when pt lies on it (within polyEps), edgeCross when it crosses the
// ray from pt towards +longitude under the half-open rule.
func edgeTest(a, b, pt geowarden.Point) int {
	lo, hi := a.Lat, b.Lat
	if lo > hi {
		lo, hi = hi, lo
	}
	if pt.Lat < lo || pt.Lat > hi {
		return edgeNone
	}
	if lo == hi {
		if pt.Lon >= min(a.Lon, b.Lon)-polyEps && pt.Lon <= max(a.Lon, b.Lon)+polyEps {
			return edgeOn
		}
		return edgeNone
	}
	x := a.Lon + (pt.Lat-a.Lat)*(b.Lon-a.Lon)/(b.Lat-a.Lat)
	if d := pt.Lon - x; d <= polyEps && d >= -polyEps {
		return edgeOn
	}
	if (a.Lat > pt.Lat) != (b.Lat > pt.Lat) && pt.Lon < x {
		return edgeCross
	}
	return edgeNone
}
