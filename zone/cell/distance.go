package cell

import (
	"math"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// ZoneDistance returns the distance in metres from p to the boundary of z; see
// Index.Distance.
func ZoneDistance(z *zone.Zone, p geowarden.Point) float64 {
	v := toVec(p)
	d := math.Inf(1)
	piece := func(a, b geowarden.Point) {
		s := newArc(toVec(a), toVec(b))
		d = math.Min(d, s.dist(v))
	}
	switch z.Geometry {
	case zone.Area:
		inside := false
		for _, rings := range z.Polygons {
			for _, r := range rings {
				for i := 0; i+1 < len(r); i++ {
					zone.Densify(r[i], r[i+1], piece)
				}
			}
			if !inside && ringsContain(rings, p) {
				inside = true
			}
		}
		m := d * zone.EarthRadius
		switch {
		case z.BufferM <= 0:
			return m
		case inside:
			return m + z.BufferM
		}
		return math.Abs(m - z.BufferM)
	case zone.Corridor:
		for _, l := range z.Lines {
			for i := 0; i+1 < len(l); i++ {
				zone.Densify(l[i], zone.Unwrap(l[i], l[i+1]), piece)
			}
		}
	case zone.Circle:
		for _, c := range z.Points {
			piece(c, c)
		}
	}
	return math.Abs(d*zone.EarthRadius - z.BufferM)
}
