package classify

import (
	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// Index is what the classifier needs of a zone index: zone.Index and the
// cell index of zone/cell both provide it. Implementations must be safe
// for concurrent use.
type Index interface {
	// Zones returns the indexed zones; a zone's number is its position.
	Zones() []*zone.Zone
	// Contains appends the numbers of the zones containing p, ascending.
	Contains(p geowarden.Point, dst []int32) []int32
	// Segment appends the parts of a→b inside each zone, merged per zone
	// and sorted by zone then start.
	Segment(a, b geowarden.Point, dst []zone.Interval) []zone.Interval
}

var _ Index = (*zone.Index)(nil)

// Multi is several indexes queried as one, their zones numbered one after
// the other in order: the zone sets of a policy, each with its own index
// (a compiled .gwz file brings one ready-made).
type Multi struct {
	parts []Index
	base  []int32
	zones []*zone.Zone
}

var _ Index = (*Multi)(nil)

// NewMulti returns the indexes as one. With a single index, use it
// directly instead.
func NewMulti(parts ...Index) *Multi {
	m := &Multi{parts: parts}
	for _, p := range parts {
		m.base = append(m.base, int32(len(m.zones)))
		m.zones = append(m.zones, p.Zones()...)
	}
	return m
}

// Zones returns the zones of every part, in order.
func (m *Multi) Zones() []*zone.Zone { return m.zones }

// Contains queries every part.
func (m *Multi) Contains(p geowarden.Point, dst []int32) []int32 {
	for i, part := range m.parts {
		start := len(dst)
		dst = part.Contains(p, dst)
		for k := start; k < len(dst); k++ {
			dst[k] += m.base[i]
		}
	}
	return dst
}

// Segment queries every part; results stay sorted by zone because parts
// number their zones in order.
func (m *Multi) Segment(a, b geowarden.Point, dst []zone.Interval) []zone.Interval {
	for i, part := range m.parts {
		start := len(dst)
		dst = part.Segment(a, b, dst)
		for k := start; k < len(dst); k++ {
			dst[k].Zone += m.base[i]
		}
	}
	return dst
}
