package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/sanitize"
	"github.com/geowarden/geowarden/verify"
	"github.com/geowarden/geowarden/zone"
)

// Decider is the policy stage: the decision on a classified record.
// policy.Policy provides it.
type Decider interface {
	Decide(c *geowarden.Classified) geowarden.Decision
}

// Engine runs records through the stages one after the other: classify
// (zones and signal classes), decide (the policy), act (the edit that
// carries out the decision) and record (counts and findings). It is safe
// for concurrent use; each run gets its own handler state.
type Engine struct {
	verifyOnce sync.Once
	verify     *verify.Verifier

	Classifier *classify.Classifier
	Policy     Decider
	// Key is the HMAC key for pseudonymise actions; nil when the policy
	// has none.
	Key []byte
	// Text says what happens to a position written in free text that the
	// policy would remove where it lies (the policy's text setting).
	Text geowarden.TextMode
}

// verifier returns the independent check of sanitized outputs: a
// verify.Verifier over the classifier's zones that counts a position
// inside a zone as a leak when the policy removes every kind of record
// there, whatever its attributes (a zone whose rules keep some records,
// say fixes, may hold such positions legitimately, and is left to the
// re-scan, which knows each record). It is nil when no zone is protected
// that way, and when the policy keeps positions written in text (text:
// keep), which the check could not tell from the others.
func (e *Engine) verifier() *verify.Verifier {
	e.verifyOnce.Do(func() {
		if e.Text == geowarden.TextKeep {
			return
		}
		ix := e.Classifier.Index()
		zones := ix.Zones()
		protected := make([]bool, len(zones))
		someProtected := false
		var c geowarden.Classified
		var rec geowarden.Record
		for z := range zones {
			c.Rec, c.Zones, c.Signals = &rec, append(c.Zones[:0], e.Classifier.Hit(int32(z))), nil
			all := true
			for k := geowarden.KindFix; k <= geowarden.KindFeature; k++ {
				rec = geowarden.Record{Shape: geowarden.ShapePoint, Kind: k, Attrs: noAttrs{}}
				if !sanitize.Removes(e.Policy.Decide(&c).Action.Type) {
					all = false
					break
				}
			}
			protected[z] = all
			someProtected = someProtected || all
		}
		if !someProtected {
			return
		}
		v := verify.New(ix)
		v.Filter = func(_ geotext.Match, _ geowarden.Point, z int32) bool {
			return int(z) < len(protected) && protected[z]
		}
		e.verify = v
	})
	return e.verify
}

// noAttrs is a record with no raw attributes.
type noAttrs struct{}

func (noAttrs) Attr(string) (string, bool) { return "", false }

// Options tune one run over one input.
type Options struct {
	Format format.Options
	// KeepGoing: a record that cannot be parsed is counted, reported and
	// dropped, and the run goes on. Otherwise it stops the run with an
	// error.
	KeepGoing bool
	// Finding, when set, is called for every finding in input order. The
	// finding is only valid during the call.
	Finding func(*geowarden.Finding)
	// Progress, when set, is called with the number of records handled
	// since its last call, every ProgressEvery records and at the end of
	// the run. Pieces of one input run at once each call it.
	Progress func(records int64)

	// check, when set, reads the bytes of a sanitized output as they are
	// written for positions inside protected zones, independently of the
	// codec (package verify).
	check *verify.Verifier
}

// ProgressEvery is how many records a run handles between two calls of
// Options.Progress.
const ProgressEvery = 1024

// BlockedError is returned when a rule with the block action matched: the
// whole input is refused.
type BlockedError struct {
	Rule string
	Ref  geowarden.Ref
	// Text: the rule matched a position written in free text, and the
	// policy's text setting is refuse.
	Text bool
}

func (e *BlockedError) Error() string {
	if e.Text {
		return fmt.Sprintf("%s: input refused: a position written in text matches rule %q (text: refuse)", e.Ref, e.Rule)
	}
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

// IsSurvived reports whether err says a sanitized output failed its re-scan.
func IsSurvived(err error) bool {
	var s *SurvivedError
	return errors.As(err, &s)
}

// Run reads r with codec c, takes every record through the stages and
// writes the sanitized input to w (nil to scan only).
func (e *Engine) Run(ctx context.Context, c format.Codec, r io.Reader, w io.Writer, opts Options) (geowarden.Stats, error) {
	h := e.newHandler(opts, false)
	err := c.Rewrite(ctx, r, w, h, &opts.Format)
	return h.finish(err)
}

// Verify re-scans a sanitized output: it fails with a *SurvivedError when a
// record would still be dropped or blocked, and with the parse error when a
// record does not parse.
func (e *Engine) Verify(ctx context.Context, c format.Codec, r io.Reader, opts format.Options) error {
	h := e.newHandler(Options{Format: opts}, true)
	_, err := h.finish(c.Rewrite(ctx, r, nil, h, &opts))
	return err
}

// handler is the record stages for one run over one input (or one piece
// of it): a format.Handler and format.Noticer that classifies, decides,
// edits and records each record. In verify mode it edits nothing and
// records the first record the policy would still drop or block. A handler
// is not safe for concurrent use.
type handler struct {
	e        *Engine
	opts     Options
	verify   bool
	cl       *classify.Session
	editor   *sanitize.Editor
	c        geowarden.Classified
	iv       []zone.Interval
	stats    geowarden.Stats
	blocked  *BlockedError
	survived error
	finding  geowarden.Finding
}

// Interface guards.
var (
	_ format.Handler      = (*handler)(nil)
	_ format.Noticer      = (*handler)(nil)
	_ sanitize.Classifier = (*classify.Session)(nil)
	_ sanitize.Decider    = Decider(nil)
)

func (e *Engine) newHandler(opts Options, verify bool) *handler {
	cl := e.Classifier.Session()
	ed := sanitize.NewEditor(cl, e.Policy, e.Key)
	ed.Text = e.Text
	return &handler{e: e, opts: opts, verify: verify, cl: cl, editor: ed}
}

// finish returns the run's counts and its outcome: err when the codec
// failed, else the block or the re-scan failure the handler recorded.
func (h *handler) finish(err error) (geowarden.Stats, error) {
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

// Notice turns a codec's notice into a finding of severity info, with the
// rule "notice:<kind>", so that it is reported and counted like any other.
func (h *handler) Notice(n *format.Notice) {
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

func (h *handler) Bad(err *format.ParseError) error {
	if h.verify || !h.opts.KeepGoing {
		return err
	}
	h.stats.Bad++
	if len(h.stats.BadErrors) < geowarden.MaxBadReported {
		h.stats.BadErrors = append(h.stats.BadErrors, err.Error())
	}
	return nil
}

func (h *handler) Record(rec *geowarden.Record) geowarden.Edit {
	h.stats.Records++
	if h.stats.Records%ProgressEvery == 0 && h.opts.Progress != nil {
		h.opts.Progress(ProgressEvery)
	}
	h.cl.Classify(rec, &h.c)
	d := h.e.Policy.Decide(&h.c)
	if h.verify {
		h.check(rec, d)
		return geowarden.Keep
	}
	ed := h.editor.Edit(&h.c, d)
	if d.Action.Type == geowarden.ActBlock && h.blocked == nil {
		h.blocked = &BlockedError{Rule: d.Rule, Ref: rec.Ref}
	}
	if t := h.editor.Refused(); t != nil && h.blocked == nil {
		h.blocked = &BlockedError{Rule: t.Decision.Rule, Ref: rec.Ref, Text: true}
	}
	if d.Severity > geowarden.SeverityNone {
		h.stats.Findings++
		if h.opts.Finding != nil {
			h.report(rec, d, &ed)
		}
	}
	for _, t := range h.editor.Texts() {
		h.stats.Findings++
		if h.opts.Finding != nil {
			h.reportText(rec, &t)
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

// check is Record in verify mode: no record of a sanitized output may be
// one the policy drops or blocks. Transformations (coarsen, strip,
// pseudonymise) are not re-checked: an edited record may fall through to a
// later rule (a pseudonymised source no longer matches its rule), and
// first-match-wins makes that later rule's verdict meaningless for it.
func (h *handler) check(rec *geowarden.Record, d geowarden.Decision) {
	if h.survived != nil {
		return
	}
	if sanitize.Removes(d.Action.Type) {
		h.survived = &SurvivedError{Ref: rec.Ref, Rule: d.Rule, Action: d.Action.Type.String()}
		return
	}
	if len(rec.Text) == 0 || h.e.Text == geowarden.TextKeep {
		return
	}
	if t := h.editor.TextHits(rec, nil); len(t) > 0 {
		h.survived = &SurvivedError{Ref: rec.Ref, Rule: t[0].Decision.Rule, Action: "text position in " + rec.Text[t[0].Index].Field}
	}
}

// reportText builds the finding for a position written in free text that
// the policy would remove where it lies.
func (h *handler) reportText(rec *geowarden.Record, t *sanitize.TextHit) {
	tp := rec.Text[t.Index]
	f := h.newFinding(rec, t.Decision, t.Zones)
	f.Signals = []string{}
	f.Detail = "position written in " + tp.Field
	switch h.e.Text {
	case geowarden.TextRedact:
		f.Action = "redact"
	case geowarden.TextRefuse:
		f.Action = "block"
	default:
		f.Action = "report"
	}
	if f.Severity == geowarden.SeverityNone {
		f.Severity = geowarden.SeverityInfo
	}
	lat, lon := tp.Pos.Lat, tp.Pos.Lon
	f.Lat, f.Lon = &lat, &lon
	f.SetFingerprint()
	h.opts.Finding(f)
}

// newFinding fills the handler's finding with what every finding of rec
// says: where it stands, its kind, source and time, the rule and its
// action and severity, and the zones.
func (h *handler) newFinding(rec *geowarden.Record, d geowarden.Decision, zones []geowarden.ZoneHit) *geowarden.Finding {
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
	}
	if rec.Ref.Feature >= 0 {
		n := rec.Ref.Feature
		f.Feature = &n
	}
	if !rec.Time.IsZero() {
		t := rec.Time.UTC()
		f.Time = &t
	}
	for _, z := range zones {
		f.Zones = append(f.Zones, z.ID)
		if !slices.Contains(f.Classes, z.Class) {
			f.Classes = append(f.Classes, z.Class)
		}
	}
	return f
}

// report builds the finding for a record and hands it to opts.Finding.
func (h *handler) report(rec *geowarden.Record, d geowarden.Decision, ed *geowarden.Edit) {
	f := h.newFinding(rec, d, h.c.Zones)
	f.Signals = append([]string{}, h.c.Signals...)
	if rec.Shape != geowarden.ShapeNone {
		p := rec.Pos
		if rec.Shape == geowarden.ShapeLine {
			p = h.firstInside(rec, p)
		}
		lat, lon := p.Lat, p.Lon
		f.Lat, f.Lon = &lat, &lon
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
func (h *handler) firstInside(rec *geowarden.Record, def geowarden.Point) geowarden.Point {
	for _, l := range rec.Lines {
		for i := 0; i+1 < len(l); i++ {
			if h.iv = h.cl.Segment(l[i], l[i+1], h.iv[:0]); len(h.iv) > 0 {
				t := h.iv[0].T0
				for _, x := range h.iv {
					t = math.Min(t, x.T0)
				}
				return zone.PointAt(l[i], l[i+1], t)
			}
		}
		if len(l) == 1 {
			return l[0]
		}
	}
	return def
}
