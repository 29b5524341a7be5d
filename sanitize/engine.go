package sanitize

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/zone"
)

// Decider is the policy as this stage sees it.
type Decider interface {
	Decide(c *geowarden.Classified) geowarden.Decision
}

// Engine classifies, decides and edits records. It is safe for concurrent
// use; each run gets its own handler state.
type Engine struct {
	Classifier *classify.Classifier
	Policy     Decider
	// Key is the HMAC key for pseudonymise actions; nil when the policy
	// has none.
	Key []byte
}

// Options tune one run over one input.
type Options struct {
	Format format.Options
	// KeepGoing: a record that cannot be parsed is counted, reported and
	// dropped, and the run goes on. Otherwise it stops the run with an
	// error.
	KeepGoing bool
	// Finding, when set, is called for every finding in input order.
	Finding func(*geowarden.Finding)
	// Progress, when set, is called with the number of records handled
	// since its last call, every ProgressEvery records and at the end of
	// the run. Pieces of one input run at once each call it.
	Progress func(records int64)
}

// ProgressEvery is how many records a run handles between two calls of
// Options.Progress.
const ProgressEvery = 1024

// MaxBadReported caps how many bad-record errors a Stats keeps.
const MaxBadReported = 100

// Stats counts what happened to an input's records.
type Stats struct {
	Records  int64 `json:"records"`
	Kept     int64 `json:"kept"`     // written unchanged
	Modified int64 `json:"modified"` // written with edits
	Dropped  int64 `json:"dropped"`
	Bad      int64 `json:"bad"` // unparseable, dropped (KeepGoing only)
	Findings int64 `json:"findings"`
	// BadErrors holds the first MaxBadReported bad-record errors.
	BadErrors []string `json:"bad_errors,omitempty"`
}

// Add adds o's counts to s.
func (s *Stats) Add(o Stats) {
	s.Records += o.Records
	s.Kept += o.Kept
	s.Modified += o.Modified
	s.Dropped += o.Dropped
	s.Bad += o.Bad
	s.Findings += o.Findings
	for _, e := range o.BadErrors {
		if len(s.BadErrors) < MaxBadReported {
			s.BadErrors = append(s.BadErrors, e)
		}
	}
}

// BlockedError is returned when a rule with the block action matched: the
// whole input is refused.
type BlockedError struct {
	Rule string
	Ref  geowarden.Ref
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("%s: input blocked by rule %q", e.Ref, e.Rule)
}

// SurvivedError is returned by Verify when a sanitized output still holds
// something the policy would remove or change.
type SurvivedError struct {
	Ref    geowarden.Ref
	Rule   string
	Action string
}

func (e *SurvivedError) Error() string {
	return fmt.Sprintf("%s: re-scan of the sanitized output: record still matches rule %q (%s)", e.Ref, e.Rule, e.Action)
}

// Run reads r with codec c, calls the policy for every record and writes
// the sanitized input to w (nil to scan only).
func (e *Engine) Run(ctx context.Context, c format.Codec, r io.Reader, w io.Writer, opts Options) (Stats, error) {
	h := e.NewHandler(opts, false)
	err := c.Rewrite(ctx, r, w, h, &opts.Format)
	return h.Finish(err)
}

// Verify re-scans a sanitized output: it fails with a *SurvivedError when a
// record would still be dropped or blocked, and with the parse error when a
// record does not parse.
func (e *Engine) Verify(ctx context.Context, c format.Codec, r io.Reader, opts format.Options) error {
	h := e.NewHandler(Options{Format: opts}, true)
	_, err := h.Finish(c.Rewrite(ctx, r, nil, h, &opts))
	return err
}

// NewHandler returns the handler for one run over one input (or one piece
// of it): a format.Handler and format.Noticer that classifies, decides and
// edits each record. In verify mode it edits nothing and records the first
// record the policy would still drop or block. A Handler is not safe for
// concurrent use.
func (e *Engine) NewHandler(opts Options, verify bool) *Handler {
	return &Handler{e: e, opts: opts, verify: verify}
}

// Finish returns the run's counts and its outcome: err when the codec
// failed, else the block or the re-scan failure the handler recorded.
func (h *Handler) Finish(err error) (Stats, error) {
	if n := h.stats.Records % ProgressEvery; n > 0 && h.opts.Progress != nil {
		h.opts.Progress(n)
	}
	if err == nil && h.blocked != nil {
		err = h.blocked
	}
	if err == nil && h.survived != nil {
		err = h.survived
	}
	return h.stats, err
}

// cutMarginM is how far outside a zone a cut line ends, so that the cut
// end does not lie on the zone's boundary (which counts as inside).
const cutMarginM = 0.5

// Handler is the act stage for one run; see Engine.NewHandler.
type Handler struct {
	e        *Engine
	opts     Options
	verify   bool
	scratch  classify.Scratch
	cl       geowarden.Classified
	one      geowarden.Classified
	zones    []int32
	stats    Stats
	blocked  *BlockedError
	survived error
	finding  geowarden.Finding
}

// Interface guards.
var (
	_ format.Handler = (*Handler)(nil)
	_ format.Noticer = (*Handler)(nil)
)

// Notice turns a codec's notice into a finding of severity info, with the
// rule "notice:<kind>", so that it is reported and counted like any other.
func (h *Handler) Notice(n *format.Notice) {
	if h.verify {
		return
	}
	h.stats.Findings++
	if h.opts.Finding == nil {
		return
	}
	f := &h.finding
	*f = geowarden.Finding{
		File:     n.Ref.File,
		Line:     n.Ref.Line,
		Offset:   n.Ref.Offset,
		Kind:     "notice",
		Rule:     "notice:" + n.Kind,
		Action:   "report",
		Severity: geowarden.SeverityInfo,
		Zones:    []string{},
		Signals:  []string{},
		Detail:   n.Message,
	}
	if n.Dropped {
		f.Action = "drop"
	}
	if n.Ref.Feature >= 0 {
		i := n.Ref.Feature
		f.Feature = &i
	}
	if n.Pos != nil {
		lat, lon := n.Pos.Lat, n.Pos.Lon
		f.Lat, f.Lon = &lat, &lon
	}
	f.SetFingerprint()
	h.opts.Finding(f)
}

func (h *Handler) Bad(err *format.ParseError) error {
	if h.verify || !h.opts.KeepGoing {
		return err
	}
	h.stats.Bad++
	if len(h.stats.BadErrors) < MaxBadReported {
		h.stats.BadErrors = append(h.stats.BadErrors, err.Error())
	}
	return nil
}

func (h *Handler) Record(rec *geowarden.Record) geowarden.Edit {
	h.stats.Records++
	if h.stats.Records%ProgressEvery == 0 && h.opts.Progress != nil {
		h.opts.Progress(ProgressEvery)
	}
	h.e.Classifier.Classify(rec, &h.scratch, &h.cl)
	d := h.e.Policy.Decide(&h.cl)
	if h.verify {
		h.check(rec, d)
		return geowarden.Keep
	}
	ed := h.edit(rec, d)
	if d.Severity > geowarden.SeverityNone {
		h.stats.Findings++
		if h.opts.Finding != nil {
			h.report(rec, d, &ed)
		}
	}
	switch {
	case ed.Drop:
		h.stats.Dropped++
	case ed.IsKeep():
		h.stats.Kept++
	default:
		h.stats.Modified++
	}
	return ed
}

// edit turns a decision into an edit.
func (h *Handler) edit(rec *geowarden.Record, d geowarden.Decision) geowarden.Edit {
	a := d.Action
	switch a.Type {
	case geowarden.ActKeep:
		return geowarden.Keep
	case geowarden.ActBlock:
		if h.blocked == nil {
			h.blocked = &BlockedError{Rule: d.Rule, Ref: rec.Ref}
		}
		return geowarden.Edit{Drop: true}
	case geowarden.ActDrop:
		if rec.Shape == geowarden.ShapeLine && len(h.cl.Zones) > 0 {
			return h.cut(rec)
		}
		return geowarden.Edit{Drop: true}
	case geowarden.ActCoarsen:
		return h.coarsen(rec, a)
	case geowarden.ActStrip:
		return geowarden.Edit{Strip: a.Attrs}
	case geowarden.ActPseudonymise:
		ed := geowarden.Edit{}
		for _, n := range a.Attrs {
			ed.Set = append(ed.Set, geowarden.Attr{Name: n, Value: Pseudonym(h.e.Key, attrValue(rec, n))})
		}
		return ed
	}
	return geowarden.Edit{Drop: true} // unknown action: fail closed
}

func (h *Handler) coarsen(rec *geowarden.Record, a geowarden.Action) geowarden.Edit {
	var ed geowarden.Edit
	if a.TimeStep > 0 && !rec.Time.IsZero() {
		if t := CoarsenTime(rec.Time, a.TimeStep); !t.Equal(rec.Time) {
			ed.Retime, ed.Time = true, t
		}
	}
	if a.GridM <= 0 {
		return ed
	}
	switch rec.Shape {
	case geowarden.ShapePoint:
		p := CoarsenPoint(rec.Pos, a.GridM)
		if p == rec.Pos {
			return ed
		}
		// The snapped position may fall into a zone the original was
		// outside of: if the policy would remove it there, drop it.
		moved := *rec
		moved.Pos = p
		if h.removes(&moved) {
			return geowarden.Edit{Drop: true}
		}
		ed.Move, ed.Pos = true, p
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
		if h.removes(&moved) {
			return geowarden.Edit{Drop: true}
		}
		ed.Move, ed.Lines = true, moved.Lines
	}
	return ed
}

// removes reports whether the policy would drop or block rec.
func (h *Handler) removes(rec *geowarden.Record) bool {
	var c geowarden.Classified
	var s classify.Scratch
	h.e.Classifier.Classify(rec, &s, &c)
	t := h.e.Policy.Decide(&c).Action.Type
	return t == geowarden.ActDrop || t == geowarden.ActBlock
}

// cut removes from a line the parts inside the zones whose own decision is
// drop, leaving the parts outside as separate polylines that end just
// outside the zones.
func (h *Handler) cut(rec *geowarden.Record) geowarden.Edit {
	h.zones = h.zones[:0]
	all := h.e.Classifier.ZoneNumbers(rec, &h.scratch, nil)
	for _, zi := range all {
		h.one.Rec = rec
		h.one.Zones = append(h.one.Zones[:0], h.e.Classifier.Hit(zi))
		h.one.Signals = h.cl.Signals
		if t := h.e.Policy.Decide(&h.one).Action.Type; t == geowarden.ActDrop || t == geowarden.ActBlock {
			h.zones = append(h.zones, zi)
		}
	}
	if len(h.zones) == 0 {
		// The drop comes from the record itself (its kind, signal or
		// attributes), not from where it is: drop it whole.
		return geowarden.Edit{Drop: true}
	}
	var parts [][]geowarden.Point
	for _, l := range rec.Lines {
		parts = h.cutLine(l, parts)
	}
	if len(parts) == 0 {
		return geowarden.Edit{Drop: true}
	}
	return geowarden.Edit{Move: true, Lines: parts}
}

func (h *Handler) cutLine(l []geowarden.Point, parts [][]geowarden.Point) [][]geowarden.Point {
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
	var rm []zone.Interval
	for i := 0; i+1 < len(l); i++ {
		a, b := l[i], l[i+1]
		rm = rm[:0]
		segLen := zone.Distance(a, b)
		margin := 0.0
		if segLen > 0 {
			margin = cutMarginM / segLen
		}
		for _, iv := range h.e.Classifier.Segment(a, b, &h.scratch) {
			if slices.Contains(h.zones, iv.Zone) {
				rm = append(rm, zone.Interval{T0: math.Max(0, iv.T0-margin), T1: math.Min(1, iv.T1+margin)})
			}
		}
		slices.SortFunc(rm, func(x, y zone.Interval) int { return cmpFloat(x.T0, y.T0) })
		at := func(t float64) geowarden.Point { return pointAt(a, b, t) }
		pos := 0.0
		for _, r := range rm {
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

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pointAt returns the point at parameter t along a→b, straight in
// longitude/latitude and the short way across the antimeridian.
func pointAt(a, b geowarden.Point, t float64) geowarden.Point {
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

// check is Record in verify mode: no record of a sanitized output may be
// one the policy drops or blocks. Transformations (coarsen, strip,
// pseudonymise) are not re-checked: an edited record may fall through to a
// later rule (a pseudonymised source no longer matches its rule), and
// first-match-wins makes that later rule's verdict meaningless for it.
func (h *Handler) check(rec *geowarden.Record, d geowarden.Decision) {
	if h.survived != nil {
		return
	}
	switch d.Action.Type {
	case geowarden.ActDrop, geowarden.ActBlock:
		h.survived = &SurvivedError{Ref: rec.Ref, Rule: d.Rule, Action: d.Action.Type.String()}
	}
}

// report builds the finding for a record and hands it to opts.Finding.
func (h *Handler) report(rec *geowarden.Record, d geowarden.Decision, ed *geowarden.Edit) {
	f := &h.finding
	*f = geowarden.Finding{
		File:     rec.Ref.File,
		Line:     rec.Ref.Line,
		Offset:   rec.Ref.Offset,
		Kind:     rec.Kind.String(),
		Source:   rec.Source,
		Rule:     d.Rule,
		Action:   d.Action.Type.String(),
		Severity: d.Severity,
		Zones:    []string{},
		Signals:  append([]string{}, h.cl.Signals...),
	}
	if rec.Ref.Feature >= 0 {
		n := rec.Ref.Feature
		f.Feature = &n
	}
	if rec.Shape != geowarden.ShapeNone {
		p := rec.Pos
		if rec.Shape == geowarden.ShapeLine {
			p = h.firstInside(rec, p)
		}
		lat, lon := p.Lat, p.Lon
		f.Lat, f.Lon = &lat, &lon
	}
	if !rec.Time.IsZero() {
		t := rec.Time.UTC()
		f.Time = &t
	}
	for _, z := range h.cl.Zones {
		f.Zones = append(f.Zones, z.ID)
		if !slices.Contains(f.Classes, z.Class) {
			f.Classes = append(f.Classes, z.Class)
		}
	}
	switch {
	case rec.Shape == geowarden.ShapeLine && ed.Move && !ed.Drop && d.Action.Type == geowarden.ActDrop:
		f.Action = "cut"
		f.Detail = fmt.Sprintf("line cut at the zone edges; %d part(s) outside kept", len(ed.Lines))
	case rec.Shape == geowarden.ShapeArea && ed.Drop:
		f.Detail = "polygon touches a protected zone and is dropped whole"
	case ed.Drop && d.Action.Type == geowarden.ActCoarsen:
		f.Action = "drop"
		f.Detail = "coarsened position would fall inside a protected zone"
	}
	f.SetFingerprint()
	h.opts.Finding(f)
}

// firstInside returns the first point of a line inside one of the zones it
// touches, or def.
func (h *Handler) firstInside(rec *geowarden.Record, def geowarden.Point) geowarden.Point {
	for _, l := range rec.Lines {
		for i := 0; i+1 < len(l); i++ {
			if iv := h.e.Classifier.Segment(l[i], l[i+1], &h.scratch); len(iv) > 0 {
				t := iv[0].T0
				for _, x := range iv {
					t = math.Min(t, x.T0)
				}
				return pointAt(l[i], l[i+1], t)
			}
		}
		if len(l) == 1 {
			return l[0]
		}
	}
	return def
}

// IsSurvived reports whether err says a sanitized output failed its re-scan.
func IsSurvived(err error) bool {
	var s *SurvivedError
	return errors.As(err, &s)
}
