package classify

import (
	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// Session is a Classifier with its own scratch buffers: the classify stage
// as one goroutine uses it. Its methods have the shapes that the later
// stages declare in their consumer-side interfaces. A Session is not safe
// for concurrent use; take one per goroutine.
type Session struct {
	c *Classifier
	s Scratch
}

// Session returns a new session over c.
func (c *Classifier) Session() *Session { return &Session{c: c} }

// Classify fills out with the zones rec touches and the signal classes it
// belongs to (see Classifier.Classify).
func (s *Session) Classify(rec *geowarden.Record, out *geowarden.Classified) {
	s.c.Classify(rec, &s.s, out)
}

// ZoneNumbers appends the numbers of the zones rec touches to dst, sorted
// and without repeats.
func (s *Session) ZoneNumbers(rec *geowarden.Record, dst []int32) []int32 {
	return s.c.ZoneNumbers(rec, &s.s, dst)
}

// Hit returns the zone with number z as a hit.
func (s *Session) Hit(z int32) geowarden.ZoneHit { return s.c.Hit(z) }

// Segment appends to dst the parts of the segment a→b inside each zone
// (see zone.Index.Segment).
func (s *Session) Segment(a, b geowarden.Point, dst []zone.Interval) []zone.Interval {
	return s.c.ix.Segment(a, b, dst)
}
