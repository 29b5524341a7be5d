// Package zone holds protected zones and answers, for a point or a
// segment, which zones contain it.
//
// A zone is an area (a polygon or multipolygon with holes, optionally grown
// by a buffer), a corridor (polylines and a half-width) or a circle (points
// and a radius). Polygon edges are straight lines in longitude/latitude, as
// RFC 7946 says; buffers, corridors and circles are great-circle distances
// in metres on a sphere of radius EarthRadius, correct at any latitude,
// near the poles and across the antimeridian.
//
// Points on a zone's boundary are inside it: on a polygon's edge (a hole's
// edge included), or at exactly the buffer distance.
//
// The package knows nothing about formats or policies.
package zone

import (
	"fmt"
	"math"
	"slices"

	"github.com/geowarden/geowarden"
)

// Geometry is the shape of a zone.
type Geometry uint8

// Zone geometries.
const (
	Area     Geometry = iota // polygons, grown by BufferM when it is positive
	Corridor                 // polylines with half-width BufferM
	Circle                   // points with radius BufferM
)

func (g Geometry) String() string {
	switch g {
	case Area:
		return "area"
	case Corridor:
		return "corridor"
	case Circle:
		return "circle"
	}
	return fmt.Sprintf("geometry(%d)", g)
}

// Zone is one protected zone.
type Zone struct {
	ID       string
	Name     string
	Class    string // military, rail, energy, government, airport, telecom, custom, ...
	Set      string // the zone set (file) it belongs to
	Geometry Geometry
	BufferM  float64 // metres; grows an Area, is the half-width of a Corridor and the radius of a Circle

	Polygons [][][]geowarden.Point // Area: polygons, each an outer ring and holes, rings closed
	Lines    [][]geowarden.Point   // Corridor: centre lines
	Points   []geowarden.Point     // Circle: centres
}

// Hit returns the zone as a geowarden.ZoneHit.
func (z *Zone) Hit() geowarden.ZoneHit {
	return geowarden.ZoneHit{ID: z.ID, Name: z.Name, Class: z.Class, Set: z.Set}
}

// Vertices returns the number of vertices of the zone's geometry.
func (z *Zone) Vertices() int {
	n := len(z.Points)
	for _, l := range z.Lines {
		n += len(l)
	}
	for _, p := range z.Polygons {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

// Validate checks the zone's geometry: finite, in-range coordinates, rings
// closed with at least four positions and not crossing themselves, lines of
// at least two positions, and a positive buffer for corridors and circles.
func (z *Zone) Validate() error {
	if z.BufferM < 0 || math.IsNaN(z.BufferM) || math.IsInf(z.BufferM, 0) {
		return fmt.Errorf("buffer_m %v must be a finite number >= 0", z.BufferM)
	}
	if z.BufferM > 2e6 {
		return fmt.Errorf("buffer_m %v is larger than 2000 km", z.BufferM)
	}
	checkPts := func(what string, pts []geowarden.Point) error {
		for i, p := range pts {
			if math.IsNaN(p.Lon) || math.IsNaN(p.Lat) || math.IsInf(p.Lon, 0) || math.IsInf(p.Lat, 0) {
				return fmt.Errorf("%s position %d is not a finite number", what, i)
			}
			if p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
				return fmt.Errorf("%s position %d [%v, %v] is out of range", what, i, p.Lon, p.Lat)
			}
		}
		return nil
	}
	switch z.Geometry {
	case Area:
		if len(z.Polygons) == 0 {
			return fmt.Errorf("area has no polygon")
		}
		for pi, poly := range z.Polygons {
			if len(poly) == 0 {
				return fmt.Errorf("polygon %d has no rings", pi)
			}
			for ri, r := range poly {
				what := fmt.Sprintf("polygon %d ring %d", pi, ri)
				if len(r) < 4 {
					return fmt.Errorf("%s has %d positions; a ring needs at least 4", what, len(r))
				}
				if r[0] != r[len(r)-1] {
					return fmt.Errorf("%s is not closed (first position %v, last %v)", what, r[0], r[len(r)-1])
				}
				if err := checkPts(what, r); err != nil {
					return err
				}
				if i, j, ok := selfIntersection(r); ok {
					return fmt.Errorf("%s crosses itself: edge %d (%v–%v) meets edge %d (%v–%v)",
						what, i, r[i], r[i+1], j, r[j], r[j+1])
				}
			}
		}
	case Corridor:
		if z.BufferM <= 0 {
			return fmt.Errorf("a line zone needs a positive buffer_m (the corridor's half-width)")
		}
		if len(z.Lines) == 0 {
			return fmt.Errorf("corridor has no line")
		}
		for li, l := range z.Lines {
			if len(l) < 2 {
				return fmt.Errorf("line %d has %d positions; a line needs at least 2", li, len(l))
			}
			if err := checkPts(fmt.Sprintf("line %d", li), l); err != nil {
				return err
			}
		}
	case Circle:
		if z.BufferM <= 0 {
			return fmt.Errorf("a point zone needs a positive buffer_m (the circle's radius)")
		}
		if len(z.Points) == 0 {
			return fmt.Errorf("circle has no point")
		}
		if err := checkPts("point", z.Points); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown geometry %d", z.Geometry)
	}
	return nil
}

// Set is a named list of zones, as loaded from one file.
type Set struct {
	ID    string
	Zones []*Zone
}

// Validate checks every zone and that zone ids are unique within the set.
func (s *Set) Validate() error {
	if err := s.checkIDs(); err != nil {
		return err
	}
	for i, z := range s.Zones {
		if err := z.Validate(); err != nil {
			return fmt.Errorf("zone %d (%q): %w", i, z.ID, err)
		}
	}
	return nil
}

// checkIDs refuses a set in which two zones have the same id.
func (s *Set) checkIDs() error {
	seen := make(map[string]int, len(s.Zones))
	for i, z := range s.Zones {
		if j, dup := seen[z.ID]; dup {
			return fmt.Errorf("zone %d: id %q is already used by zone %d", i, z.ID, j)
		}
		seen[z.ID] = i
	}
	return nil
}

// Interval is a part of a segment, from parameter T0 to T1 (0 ≤ T0 ≤ T1 ≤ 1),
// that lies inside a zone.
type Interval struct {
	Zone   int32
	T0, T1 float64
}

// MergeIntervals sorts intervals by zone and start, and merges overlapping
// ones of the same zone.
func MergeIntervals(iv []Interval) []Interval {
	slices.SortFunc(iv, func(a, b Interval) int {
		if a.Zone != b.Zone {
			return int(a.Zone - b.Zone)
		}
		switch {
		case a.T0 < b.T0:
			return -1
		case a.T0 > b.T0:
			return 1
		}
		return 0
	})
	out := iv[:0]
	for _, x := range iv {
		if n := len(out); n > 0 && out[n-1].Zone == x.Zone && x.T0 <= out[n-1].T1+1e-12 {
			out[n-1].T1 = math.Max(out[n-1].T1, x.T1)
			continue
		}
		out = append(out, x)
	}
	return out
}
