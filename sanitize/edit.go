package sanitize

import (
	"cmp"
	"math"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// Classifier is the classify stage as the act stage needs it: to know
// where an edited record would fall and where a line crosses the zones.
// classify.Session provides it.
type Classifier interface {
	// Classify fills out with the zones rec touches and the signal
	// classes it belongs to.
	Classify(rec *geowarden.Record, out *geowarden.Classified)
	// ZoneNumbers appends the numbers of the zones rec touches to dst,
	// sorted and without repeats.
	ZoneNumbers(rec *geowarden.Record, dst []int32) []int32
	// Hit returns the zone with number z.
	Hit(z int32) geowarden.ZoneHit
	// Segment appends the parts of the segment a→b inside each zone,
	// merged per zone and sorted by zone then start.
	Segment(a, b geowarden.Point, dst []zone.Interval) []zone.Interval
}

// Decider is the policy as the act stage sees it.
type Decider interface {
	Decide(c *geowarden.Classified) geowarden.Decision
}

// Editor turns policy decisions into edits of records: drop, cut a line
// at the zones' edges, coarsen, strip, pseudonymise. It holds buffers that
// it reuses between calls and is not safe for concurrent use: take one per
// goroutine.
type Editor struct {
	cl  Classifier
	dec Decider
	key []byte

	// Text says what Edit does with a position written in free text that
	// the policy would remove where it lies.
	Text geowarden.TextMode

	zones   []int32
	one     geowarden.Classified
	moved   geowarden.Classified
	point   geowarden.Record
	iv      []zone.Interval
	rm      []zone.Interval
	texts   []TextHit
	refused *TextHit
}

// TextHit is a position written in free text that the policy would drop
// or block where it lies.
type TextHit struct {
	Index    int // in Record.Text
	Decision geowarden.Decision
	Zones    []geowarden.ZoneHit
}

// NewEditor returns an editor that asks cl and dec about edited records
// and pseudonymises with the HMAC key key (nil when the policy has no
// pseudonymise rule).
func NewEditor(cl Classifier, dec Decider, key []byte) *Editor {
	return &Editor{cl: cl, dec: dec, key: key}
}

// cutMarginM is how far outside a zone a cut line ends, so that the cut
// end does not lie on the zone's boundary (which counts as inside).
const cutMarginM = 0.5

// Edit returns the edit that carries out decision d on the classified
// record c. A block decision gives a drop: refusing the whole input is the
// caller's business. An action it does not know drops the record (fail
// closed).
func (e *Editor) Edit(c *geowarden.Classified, d geowarden.Decision) geowarden.Edit {
	ed := e.edit(c, d)
	e.texts, e.refused = e.texts[:0], nil
	if ed.Drop || len(c.Rec.Text) == 0 {
		return ed
	}
	e.texts = e.TextHits(c.Rec, e.texts)
	if d.Action.Type == geowarden.ActCoarsen && d.Action.GridM > 0 && e.Text != geowarden.TextKeep {
		// A coarsened record keeps no exact position: the positions
		// written in its text, which would give it back, are redacted too.
		for i := range c.Rec.Text {
			ed.Redact = append(ed.Redact, i)
		}
	}
	for i := range e.texts {
		switch e.Text {
		case geowarden.TextRedact:
			if !slices.Contains(ed.Redact, e.texts[i].Index) {
				ed.Redact = append(ed.Redact, e.texts[i].Index)
			}
		case geowarden.TextRefuse:
			if e.refused == nil {
				e.refused = &e.texts[i]
			}
		}
	}
	if e.refused != nil {
		return geowarden.Edit{Drop: true}
	}
	return ed
}

// Texts returns the text positions of the record of the last call of Edit
// that the policy would remove where they lie, whatever became of them.
// The slice is reused by the next call.
func (e *Editor) Texts() []TextHit { return e.texts }

// Refused returns the text position that made the last call of Edit refuse
// its record under TextRefuse, or nil. The caller refuses the whole input,
// as for a block rule.
func (e *Editor) Refused() *TextHit { return e.refused }

// TextHits appends to dst the positions of rec.Text that the policy would
// drop or block if the record stood there.
func (e *Editor) TextHits(rec *geowarden.Record, dst []TextHit) []TextHit {
	for i, tp := range rec.Text {
		e.cl.Classify(e.pointOf(rec, tp.Pos), &e.moved)
		if d := e.dec.Decide(&e.moved); Removes(d.Action.Type) {
			dst = append(dst, TextHit{Index: i, Decision: d, Zones: append([]geowarden.ZoneHit(nil), e.moved.Zones...)})
		}
	}
	return dst
}

// moreRemoves reports whether one of the record's other positions
// (Record.More) lies where the policy would remove a point record.
func (e *Editor) moreRemoves(rec *geowarden.Record) bool {
	for _, p := range rec.More {
		if e.removes(e.pointOf(rec, p)) {
			return true
		}
	}
	return false
}

// pointOf returns rec as a record of the single position p, in a buffer
// the next call reuses.
func (e *Editor) pointOf(rec *geowarden.Record, p geowarden.Point) *geowarden.Record {
	e.point = *rec
	e.point.Shape, e.point.Pos = geowarden.ShapePoint, p
	e.point.Lines, e.point.Areas, e.point.More, e.point.Text = nil, nil, nil, nil
	return &e.point
}

func (e *Editor) edit(c *geowarden.Classified, d geowarden.Decision) geowarden.Edit {
	rec := c.Rec
	a := d.Action
	switch a.Type {
	case geowarden.ActKeep:
		return geowarden.Keep
	case geowarden.ActBlock:
		return geowarden.Edit{Drop: true}
	case geowarden.ActDrop:
		if rec.Shape == geowarden.ShapeLine && len(c.Zones) > 0 && !e.moreRemoves(rec) {
			return e.cut(c)
		}
		return geowarden.Edit{Drop: true}
	case geowarden.ActCoarsen:
		return e.coarsen(rec, a)
	case geowarden.ActStrip:
		return geowarden.Edit{Strip: a.Attrs}
	case geowarden.ActPseudonymise:
		ed := geowarden.Edit{}
		for _, n := range a.Attrs {
			ed.Set = append(ed.Set, geowarden.Attr{Name: n, Value: Pseudonym(e.key, attrValue(rec, n))})
		}
		return ed
	}
	return geowarden.Edit{Drop: true}
}

func (e *Editor) coarsen(rec *geowarden.Record, a geowarden.Action) geowarden.Edit {
	var ed geowarden.Edit
	if a.TimeStep > 0 && !rec.Time.IsZero() {
		if t := CoarsenTime(rec.Time, a.TimeStep); !t.Equal(rec.Time) {
			ed.Retime, ed.Time = true, t
		}
	}
	if a.GridM <= 0 {
		return ed
	}
	var more []geowarden.Point
	for i, p := range rec.More {
		if q := CoarsenPoint(p, a.GridM); q != p {
			if more == nil {
				more = slices.Clone(rec.More)
			}
			more[i] = q
		}
	}
	switch rec.Shape {
	case geowarden.ShapePoint:
		p := CoarsenPoint(rec.Pos, a.GridM)
		if p == rec.Pos && more == nil {
			return ed
		}
		// The snapped position may fall into a zone the original was
		// outside of: if the policy would remove it there, drop it.
		moved := *rec
		moved.Pos = p
		if more != nil {
			moved.More = more
		}
		if e.removes(&moved) {
			return geowarden.Edit{Drop: true}
		}
		ed.Move, ed.Pos, ed.More = true, p, more
	case geowarden.ShapeLine:
		moved := *rec
		moved.Lines = make([][]geowarden.Point, len(rec.Lines))
		for i, l := range rec.Lines {
			nl := make([]geowarden.Point, 0, len(l))
			for _, p := range l {
				q := CoarsenPoint(p, a.GridM)
				if len(nl) == 0 || nl[len(nl)-1] != q {
					nl = append(nl, q)
				}
			}
			if len(nl) < 2 {
				nl = append(nl, nl[0])
			}
			moved.Lines[i] = nl
		}
		moved.Pos = moved.Lines[0][0]
		if more != nil {
			moved.More = more
		}
		if e.removes(&moved) {
			return geowarden.Edit{Drop: true}
		}
		ed.Move, ed.Lines, ed.More = true, moved.Lines, more
	case geowarden.ShapeNone, geowarden.ShapeArea:
		// An area is not coarsened (its shape would change), but its
		// other positions are.
		if more == nil {
			return ed
		}
		moved := *rec
		moved.More = more
		if e.removes(&moved) {
			return geowarden.Edit{Drop: true}
		}
		ed.Move, ed.More = true, more
	}
	return ed
}

// removes reports whether the policy would drop or block rec.
func (e *Editor) removes(rec *geowarden.Record) bool {
	e.cl.Classify(rec, &e.moved)
	return Removes(e.dec.Decide(&e.moved).Action.Type)
}

// Removes reports whether an action takes a record out of the output.
func Removes(t geowarden.ActionType) bool {
	return t == geowarden.ActDrop || t == geowarden.ActBlock
}

// cut removes from a line the parts inside the zones whose own decision is
// drop, leaving the parts outside as separate polylines that end just
// outside the zones.
func (e *Editor) cut(c *geowarden.Classified) geowarden.Edit {
	rec := c.Rec
	e.zones = e.zones[:0]
	for _, zi := range e.cl.ZoneNumbers(rec, nil) {
		e.one.Rec = rec
		e.one.Zones = append(e.one.Zones[:0], e.cl.Hit(zi))
		e.one.Signals = c.Signals
		if Removes(e.dec.Decide(&e.one).Action.Type) {
			e.zones = append(e.zones, zi)
		}
	}
	if len(e.zones) == 0 {
		// The drop comes from the record itself (its kind, signal or
		// attributes), not from where it is: drop it whole.
		return geowarden.Edit{Drop: true}
	}
	var parts [][]geowarden.Point
	for _, l := range rec.Lines {
		parts = e.cutLine(l, parts)
	}
	if len(parts) == 0 {
		return geowarden.Edit{Drop: true}
	}
	return geowarden.Edit{Move: true, Lines: parts}
}

func (e *Editor) cutLine(l []geowarden.Point, parts [][]geowarden.Point) [][]geowarden.Point {
	var cur []geowarden.Point
	flush := func() {
		if len(cur) >= 2 && cur[0] != cur[len(cur)-1] || len(cur) > 2 {
			parts = append(parts, cur)
		}
		cur = nil
	}
	if len(l) == 1 {
		return parts
	}
	for i := 0; i+1 < len(l); i++ {
		a, b := l[i], l[i+1]
		e.rm = e.rm[:0]
		segLen := zone.Distance(a, b)
		margin := 0.0
		if segLen > 0 {
			margin = cutMarginM / segLen
		}
		e.iv = e.cl.Segment(a, b, e.iv[:0])
		for _, iv := range e.iv {
			if slices.Contains(e.zones, iv.Zone) {
				e.rm = append(e.rm, zone.Interval{T0: math.Max(0, iv.T0-margin), T1: math.Min(1, iv.T1+margin)})
			}
		}
		slices.SortFunc(e.rm, func(x, y zone.Interval) int { return cmp.Compare(x.T0, y.T0) })
		at := func(t float64) geowarden.Point { return zone.PointAt(a, b, t) }
		pos := 0.0
		for _, r := range e.rm {
			if r.T1 < pos {
				continue
			}
			if r.T0 > pos {
				if len(cur) == 0 {
					cur = append(cur, at(pos))
				}
				cur = append(cur, at(r.T0))
			}
			flush()
			pos = r.T1
		}
		if pos < 1 {
			if len(cur) == 0 {
				cur = append(cur, at(pos))
			}
			cur = append(cur, b)
		}
	}
	flush()
	return parts
}
