package verify

import (
	"math"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// grid is a bitmap of cells of 1/gridRes degree: a cell is set when the
// bounding box of some zone, the same box the zone index files the zone
// under, reaches into it. A position in a clear cell is in no zone and is
// not looked up: most positions of a sanitized output are far from every
// zone, and a bit test is much cheaper than an index search.
type grid struct {
	bits []uint64
}

const (
	gridRes  = 32 // cells per degree: about 3.5 km
	gridCols = 360 * gridRes
	gridRows = 180 * gridRes
	// margin, in degrees, added around every box against rounding
	gridMargin = 1e-6
	// positions this close to the antimeridian or a pole are always
	// looked up
	gridEdge = 0.5
)

// newGrid returns the grid of the zones.
func newGrid(zones []*zone.Zone) *grid {
	g := &grid{bits: make([]uint64, (gridCols*gridRows+63)/64)}
	for _, z := range zones {
		g.addZone(z)
	}
	return g
}

func (g *grid) addZone(z *zone.Zone) {
	piece := func(a, b geowarden.Point) {
		lat := math.Max(math.Abs(a.Lat), math.Abs(b.Lat))
		g.addBox(math.Min(a.Lon, b.Lon), math.Min(a.Lat, b.Lat), math.Max(a.Lon, b.Lon), math.Max(a.Lat, b.Lat), z.BufferM+1, lat)
	}
	switch z.Geometry {
	case zone.Area:
		for _, rings := range z.Polygons {
			if len(rings) == 0 {
				continue
			}
			minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
			for _, p := range rings[0] {
				minLon, maxLon = math.Min(minLon, p.Lon), math.Max(maxLon, p.Lon)
				minLat, maxLat = math.Min(minLat, p.Lat), math.Max(maxLat, p.Lat)
			}
			g.addBox(minLon, minLat, maxLon, maxLat, 0, 0)
			if z.BufferM > 0 {
				for _, r := range rings {
					for i := 0; i+1 < len(r); i++ {
						zone.Densify(r[i], r[i+1], piece)
					}
				}
			}
		}
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
}

// addBox sets the cells of a box grown by m metres; lat is the largest
// absolute latitude of the box, for the growth in longitude. Longitudes
// may lie beyond ±180 and wrap.
func (g *grid) addBox(minLon, minLat, maxLon, maxLat, m, lat float64) {
	if m > 0 {
		d := m / zone.EarthRadius * 180 / math.Pi * 1.001
		minLat, maxLat = minLat-d, maxLat+d
		c := math.Cos((math.Min(90, lat+d)) * math.Pi / 180)
		if c < 1e-3 {
			minLon, maxLon = -180, 180
		} else {
			minLon, maxLon = minLon-d/c, maxLon+d/c
		}
	}
	minLon, minLat, maxLon, maxLat = minLon-gridMargin, minLat-gridMargin, maxLon+gridMargin, maxLat+gridMargin
	r0 := max(0, int(math.Floor((minLat+90)*gridRes)))
	r1 := min(gridRows-1, int(math.Floor((maxLat+90)*gridRes)))
	c0 := int(math.Floor((minLon + 180) * gridRes))
	c1 := int(math.Floor((maxLon + 180) * gridRes))
	if c1-c0 >= gridCols-1 {
		c0, c1 = 0, gridCols-1
	}
	for r := r0; r <= r1; r++ {
		for c := c0; c <= c1; c++ {
			k := r*gridCols + (c%gridCols+gridCols)%gridCols
			g.bits[k>>6] |= 1 << (k & 63)
		}
	}
}

// maybe reports whether p may lie in a zone.
func (g *grid) maybe(p geowarden.Point) bool {
	if !(p.Lon > -180+gridEdge && p.Lon < 180-gridEdge && p.Lat > -90+gridEdge && p.Lat < 90-gridEdge) {
		return true
	}
	k := int((p.Lat+90)*gridRes)*gridCols + int((p.Lon+180)*gridRes)
	return g.bits[k>>6]&(1<<(k&63)) != 0
}
