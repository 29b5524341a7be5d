package zone

import (
	"math"

	"github.com/geowarden/geowarden"
)

// PointAt returns the point at parameter t (0 at a, 1 at b) along the
// segment a→b, straight in longitude and latitude and the short way across
// the antimeridian, rounded to 7 decimals (about 1 cm). This is the
// parameter of Interval.T0 and T1.
func PointAt(a, b geowarden.Point, t float64) geowarden.Point {
	if t <= 0 {
		return a
	}
	if t >= 1 {
		return b
	}
	dl := b.Lon - a.Lon
	if dl > 180 {
		dl -= 360
	} else if dl < -180 {
		dl += 360
	}
	lon := a.Lon + dl*t
	if lon > 180 {
		lon -= 360
	} else if lon < -180 {
		lon += 360
	}
	return geowarden.Point{Lon: round7(lon), Lat: round7(a.Lat + (b.Lat-a.Lat)*t)}
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }
