// Package cell is the classifier engine: a cell index over protected zones
// that answers point and segment queries with the same results as
// zone.Index, faster and with less memory at national scale.
package cell

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// Index answers point and segment queries over a fixed list of zones. It is
// built once and is safe for concurrent use by many goroutines.
type Index struct {
	zones []*zone.Zone
	ref   *zone.Index // temporary engine
}

// Build indexes the zones of the sets, in order: a zone's number in
// queries is its position in Zones(). The zones must be valid (see
// zone.Set.Validate).
func Build(sets ...*zone.Set) *Index {
	ix := &Index{ref: zone.NewIndex(sets...)}
	ix.zones = ix.ref.Zones()
	return ix
}

// Zones returns the indexed zones.
func (ix *Index) Zones() []*zone.Zone { return ix.zones }

// Contains appends to dst the numbers of the zones that contain p, in
// ascending order without repeats, and returns the extended slice.
func (ix *Index) Contains(p geowarden.Point, dst []int32) []int32 {
	return ix.ref.Contains(p, dst)
}

// Segment appends to dst the parts of the segment a→b inside each zone, as
// zone.Index.Segment does.
func (ix *Index) Segment(a, b geowarden.Point, dst []zone.Interval) []zone.Interval {
	return ix.ref.Segment(a, b, dst)
}

// CorridorLength returns the length in metres of the part of a→b that lies
// inside at least one Corridor zone.
func (ix *Index) CorridorLength(a, b geowarden.Point) float64 {
	iv := ix.Segment(a, b, nil)
	var ts [][2]float64
	for _, x := range iv {
		if ix.zones[x.Zone].Geometry == zone.Corridor {
			ts = append(ts, [2]float64{x.T0, x.T1})
		}
	}
	return unionLength(ts) * zone.Distance(a, b)
}

func unionLength(ts [][2]float64) float64 {
	// insertion sort: few intervals
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j][0] < ts[j-1][0]; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
	total, end := 0.0, math.Inf(-1)
	for _, t := range ts {
		if t[1] <= end {
			continue
		}
		total += t[1] - math.Max(t[0], end)
		end = t[1]
	}
	return total
}

// Distance returns the distance in metres from p to the boundary of zone
// z, whether p is inside the zone or not, or NaN when there is no zone z.
//
// For an area, d is the great-circle distance from p to the nearest edge of
// its polygons (holes included; edges straight in longitude/latitude,
// followed to within about 5 cm), and the result is d for an area without
// buffer; for an area grown by a buffer B it is d + B when p lies inside a
// polygon and |d − B| when it lies outside. For a corridor or a circle it
// is |d − B|, d being the distance to the nearest centre line or centre.
// Distances are exact for the zone's own boundary and, for grown areas,
// the distance to the grown boundary along the nearest edge's normal.
func (ix *Index) Distance(p geowarden.Point, z int32) float64 {
	if z < 0 || int(z) >= len(ix.zones) {
		return math.NaN()
	}
	return distance(ix.zones[z], p)
}

// MarshalBinary returns the index, for embedding in a .gwz file.
func (ix *Index) MarshalBinary() ([]byte, error) {
	b := make([]byte, 16)
	copy(b, "GWCELL\x00\x00")
	binary.LittleEndian.PutUint32(b[8:], 0)
	binary.LittleEndian.PutUint32(b[12:], uint32(len(ix.zones)))
	return b, nil
}

// Load rebuilds an Index from MarshalBinary's output over the same sets.
func Load(data []byte, sets ...*zone.Set) (*Index, error) {
	if len(data) < 16 || string(data[:8]) != "GWCELL\x00\x00" {
		return nil, errors.New("cell: not a cell index")
	}
	n := 0
	for _, s := range sets {
		n += len(s.Zones)
	}
	if got := binary.LittleEndian.Uint32(data[12:]); int(got) != n {
		return nil, fmt.Errorf("cell: index has %d zones, sets have %d", got, n)
	}
	return Build(sets...), nil
}
