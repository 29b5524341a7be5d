package zone

import (
	"math"

	"github.com/geowarden/geowarden"
)

// EarthRadius is the mean Earth radius in metres (IUGG R1). Distances are
// great-circle distances on a sphere of this radius; they differ from
// distances on the WGS-84 ellipsoid by at most about 0.5 %.
const EarthRadius = 6371008.8

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

// angle returns the angle between two unit vectors in radians, accurate for
// small and large angles alike.
func angle(a, b vec3) float64 {
	return math.Atan2(a.cross(b).norm(), a.dot(b))
}

// arc is a great-circle arc between two unit vectors, with its normal
// precomputed. A degenerate arc (a == b) is a point.
type arc struct {
	a, b vec3
	n    vec3 // unit normal of the great circle through a and b; zero for a point
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
		// p projects inside the arc when it lies on the inner side of the
		// planes through a and b perpendicular to the arc.
		if s.a.cross(p).dot(s.n) >= 0 && p.cross(s.b).dot(s.n) >= 0 {
			return math.Abs(math.Asin(math.Max(-1, math.Min(1, p.dot(s.n)))))
		}
	}
	return math.Min(angle(p, s.a), angle(p, s.b))
}

// Distance returns the great-circle distance in metres between two points.
func Distance(a, b geowarden.Point) float64 {
	return angle(toVec(a), toVec(b)) * EarthRadius
}

// MaxPieceLen returns the longest piece, in metres, into which an edge that
// is straight in longitude/latitude may be cut so that a great-circle arc
// between the piece's ends strays from it by under about 5 cm, for an edge
// that reaches latitude lat.
func MaxPieceLen(absLat float64) float64 {
	t := math.Tan(math.Min(absLat, 89.999) * degToRad)
	if t < 1 {
		t = 1
	}
	return math.Max(1, math.Sqrt(0.4*EarthRadius/t))
}

// Densify cuts the edge a→b (straight in longitude/latitude, b already
// unwrapped next to a) into pieces short enough to be taken as great-circle
// arcs, and calls fn for each piece.
func Densify(a, b geowarden.Point, fn func(p, q geowarden.Point)) {
	absLat := math.Max(math.Abs(a.Lat), math.Abs(b.Lat))
	dy := (b.Lat - a.Lat) * degToRad * EarthRadius
	dx := (b.Lon - a.Lon) * degToRad * EarthRadius * math.Cos(math.Min(absLat, 90)*degToRad)
	l := math.Hypot(dx, dy)
	n := int(math.Ceil(l / MaxPieceLen(absLat)))
	if n < 1 {
		n = 1
	}
	if n > 100000 {
		n = 100000
	}
	prev := a
	for i := 1; i <= n; i++ {
		t := float64(i) / float64(n)
		q := geowarden.Point{Lon: a.Lon + (b.Lon-a.Lon)*t, Lat: a.Lat + (b.Lat-a.Lat)*t}
		if i == n {
			q = b
		}
		fn(prev, q)
		prev = q
	}
}

// Unwrap returns b's longitude moved by ±360 so that it lies within 180°
// of a's: the short way across the antimeridian.
func Unwrap(a, b geowarden.Point) geowarden.Point {
	switch d := b.Lon - a.Lon; {
	case d > 180:
		b.Lon -= 360
	case d < -180:
		b.Lon += 360
	}
	return b
}

// NormLon brings a longitude into [-180, 180].
func NormLon(lon float64) float64 {
	for lon > 180 {
		lon -= 360
	}
	for lon < -180 {
		lon += 360
	}
	return lon
}

// box is a longitude/latitude rectangle.
type box struct{ minLon, minLat, maxLon, maxLat float64 }

// grow returns the box grown by m metres on every side, on the sphere.
// Longitudes may leave [-180, 180]; near a pole the box spans every
// longitude.
func (b box) grow(m float64) box {
	if m <= 0 {
		return b
	}
	dlat := m / EarthRadius / degToRad * 1.0001
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

// split returns the box cut at the antimeridian into one or two boxes with
// longitudes inside [-180, 180].
func (b box) split() []box {
	switch {
	case b.maxLon-b.minLon >= 360:
		return []box{{-180, b.minLat, 180, b.maxLat}}
	case b.minLon < -180:
		return []box{{-180, b.minLat, b.maxLon, b.maxLat}, {b.minLon + 360, b.minLat, 180, b.maxLat}}
	case b.maxLon > 180:
		return []box{{b.minLon, b.minLat, 180, b.maxLat}, {-180, b.minLat, b.maxLon - 360, b.maxLat}}
	}
	return []box{b}
}

func boxOf(pts ...geowarden.Point) box {
	b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range pts {
		b.minLon = math.Min(b.minLon, p.Lon)
		b.maxLon = math.Max(b.maxLon, p.Lon)
		b.minLat = math.Min(b.minLat, p.Lat)
		b.maxLat = math.Max(b.maxLat, p.Lat)
	}
	return b
}
