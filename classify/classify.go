// Package classify answers, for a record, which protected zones it touches
// and which protected signal classes it belongs to. It is a pure stage: no
// I/O, no policy, no knowledge of formats.
package classify

import (
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// Classifier classifies records against a zone index and signal classes.
// It is safe for concurrent use.
type Classifier struct {
	ix      Index
	signals []geowarden.SignalClass
	hits    []geowarden.ZoneHit // per zone number, precomputed
}

// New returns a classifier over the zones of ix and the given signal
// classes.
func New(ix Index, signals []geowarden.SignalClass) *Classifier {
	c := &Classifier{ix: ix, signals: signals}
	for i, z := range ix.Zones() {
		h := z.Hit()
		h.Num = int32(i)
		c.hits = append(c.hits, h)
	}
	return c
}

// Index returns the zone index.
func (c *Classifier) Index() Index { return c.ix }

// Zone returns the zone with the given number.
func (c *Classifier) Zone(i int32) *zone.Zone { return c.ix.Zones()[i] }

// Hit returns the zone with the given number as a hit of a classified
// record, its number included.
func (c *Classifier) Hit(i int32) geowarden.ZoneHit { return c.hits[i] }

// Scratch holds buffers that Classify reuses between calls. A Scratch must
// not be shared between goroutines.
type Scratch struct {
	zones     []int32
	intervals []zone.Interval
}

// Classify fills out with the zones rec touches and the signal classes it
// belongs to, reusing out's slices. A point touches the zones that contain
// it; a line the zones any part of it passes through; an area the zones
// that overlap it.
func (c *Classifier) Classify(rec *geowarden.Record, s *Scratch, out *geowarden.Classified) {
	out.Rec = rec
	out.Zones = out.Zones[:0]
	out.Signals = out.Signals[:0]
	s.zones = c.ZoneNumbers(rec, s, s.zones[:0])
	for _, z := range s.zones {
		out.Zones = append(out.Zones, c.hits[z])
	}
	if !rec.Signal.IsZero() {
		for i := range c.signals {
			if c.signals[i].Match(&rec.Signal) {
				out.Signals = append(out.Signals, c.signals[i].ID)
			}
		}
	}
}

// ZoneNumbers appends the numbers of the zones rec touches to dst, sorted
// and without repeats: the zones of its shape and of its other positions
// (Record.More). Positions written in text (Record.Text) do not count.
func (c *Classifier) ZoneNumbers(rec *geowarden.Record, s *Scratch, dst []int32) []int32 {
	start := len(dst)
	switch rec.Shape {
	case geowarden.ShapePoint:
		dst = c.ix.Contains(rec.Pos, dst)
		if len(rec.More) == 0 {
			return dst // ascending and without repeats already
		}
	case geowarden.ShapeLine:
		dst = c.lines(rec.Lines, s, dst)
	case geowarden.ShapeArea:
		dst = c.lines(rec.Lines, s, dst)
		for _, poly := range rec.Areas {
			for _, ring := range poly {
				dst = c.lines([][]geowarden.Point{ring}, s, dst)
			}
		}
		// A zone wholly inside the record's polygon touches no edge and
		// holds no vertex of it: test one point of each zone.
		for zi, z := range c.ix.Zones() {
			if slices.Contains(dst[start:], int32(zi)) {
				continue
			}
			p, ok := anyPoint(z)
			if ok && inAreas(rec.Areas, p) {
				dst = append(dst, int32(zi))
			}
		}
	}
	for _, p := range rec.More {
		dst = c.ix.Contains(p, dst)
	}
	if len(dst) == start {
		return dst
	}
	slices.Sort(dst[start:])
	return append(dst[:start], slices.Compact(dst[start:])...)
}

func (c *Classifier) lines(lines [][]geowarden.Point, s *Scratch, dst []int32) []int32 {
	for _, l := range lines {
		if len(l) == 1 {
			dst = c.ix.Contains(l[0], dst)
			continue
		}
		for i := 0; i+1 < len(l); i++ {
			s.intervals = c.ix.Segment(l[i], l[i+1], s.intervals[:0])
			for _, iv := range s.intervals {
				dst = append(dst, iv.Zone)
			}
		}
	}
	return dst
}

// Segment returns the parts of the segment a→b inside each zone (see
// zone.Index.Segment), reusing s.
func (c *Classifier) Segment(a, b geowarden.Point, s *Scratch) []zone.Interval {
	s.intervals = c.ix.Segment(a, b, s.intervals[:0])
	return s.intervals
}

func anyPoint(z *zone.Zone) (geowarden.Point, bool) {
	switch {
	case len(z.Polygons) > 0 && len(z.Polygons[0]) > 0 && len(z.Polygons[0][0]) > 0:
		return z.Polygons[0][0][0], true
	case len(z.Lines) > 0 && len(z.Lines[0]) > 0:
		return z.Lines[0][0], true
	case len(z.Points) > 0:
		return z.Points[0], true
	}
	return geowarden.Point{}, false
}

// inAreas reports whether p lies inside one of the polygons (even-odd rule
// over each polygon's rings).
func inAreas(areas [][][]geowarden.Point, p geowarden.Point) bool {
	for _, poly := range areas {
		in := false
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				a, b := r[i], r[i+1]
				if (a.Lat > p.Lat) != (b.Lat > p.Lat) {
					if p.Lon < a.Lon+(p.Lat-a.Lat)*(b.Lon-a.Lon)/(b.Lat-a.Lat) {
						in = !in
					}
				}
			}
		}
		if in {
			return true
		}
	}
	return false
}
