// Package verify checks a sanitized output, independently of the codec
// that wrote it, for positions inside protected zones.
//
// It reads raw bytes, not records: every position that package geotext
// recognises in the bytes (decimal pairs, DM, DMS, NMEA, named and E7
// keys, WKT vertices, JSON lists) is looked up in the zones, in both
// orders when the text does not say which number is the latitude. The
// first one inside a zone that counts is a leak, reported as a
// *LeakError with its byte offset and text.
//
// A Writer checks a stream while it is written: the release path writes
// the sanitized output through it, and a position split across two
// writes is found all the same. Check checks text the caller has decoded
// (XMP packets, EXIF values, the members of a compressed file). Neither
// uses a format codec; both find in a stream exactly what one Check over
// the whole text would find.
package verify

import (
	"errors"
	"fmt"
	"io"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/zone"
)

// Zones is what the verifier needs of a zone index: zone.Index and the
// classify stage's indexes provide it. It must be safe for concurrent use
// when Writers run in parallel.
type Zones interface {
	// Contains appends the numbers of the zones containing p to dst.
	Contains(p geowarden.Point, dst []int32) []int32
}

var _ Zones = (*zone.Index)(nil)

// named is implemented by indexes that can name their zones.
type named interface {
	Zones() []*zone.Zone
}

// Verifier looks up the positions found in text. Its fields must not be
// changed once it is in use; it is then safe for concurrent use, and each
// Writer it makes is used by one goroutine.
type Verifier struct {
	zones Zones
	names []*zone.Zone
	grid  *grid // nil when the zones are not known

	// Filter, when set, says whether a position found inside zone number
	// zone counts as a leak; nil counts every zone. The match's offsets
	// are offsets in the stream (or base plus the offset in the text
	// given to Check), and p is the reading that fell in the zone (the
	// match's Point or, for an ambiguous match, possibly its Swapped).
	// Use it to count only the zones the policy protects, or to let
	// positions coarser than a policy's grid pass (m.Res).
	Filter func(m geotext.Match, p geowarden.Point, zone int32) bool
}

// New returns a verifier over the zones. When zones also has a
// Zones() []*zone.Zone method, as zone.Index does, leaks name their zone
// and the verifier keeps a bitmap of the cells near zones (8 MB), so that
// positions far from every zone are not looked up.
func New(zones Zones) *Verifier {
	v := &Verifier{zones: zones}
	if n, ok := zones.(named); ok {
		v.names = n.Zones()
		v.grid = newGrid(v.names)
	}
	return v
}

// LeakError is a position inside a protected zone found in an output.
type LeakError struct {
	Offset int64 // offset of the position's first byte in the stream
	Text   string
	Kind   geotext.Kind
	Point  geowarden.Point // the reading inside the zone
	Zone   int32           // the zone's number in the index
	ZoneID string          // the zone's id and name, when the index names its zones
	Name   string
}

// ErrLeak matches every *LeakError with errors.Is.
var ErrLeak = errors.New("verify: position inside a protected zone")

// Is reports whether target is ErrLeak.
func (e *LeakError) Is(target error) bool { return target == ErrLeak }

func (e *LeakError) Error() string {
	z := fmt.Sprintf("zone %d", e.Zone)
	if e.ZoneID != "" {
		z = fmt.Sprintf("zone %q", e.ZoneID)
		if e.Name != "" && e.Name != e.ZoneID {
			z += fmt.Sprintf(" (%s)", e.Name)
		}
	}
	return fmt.Sprintf("verify: byte %d: %s position %q (lat %.6f, lon %.6f) is inside %s",
		e.Offset, e.Kind, e.Text, e.Point.Lat, e.Point.Lon, z)
}

// scratch is the per-caller state of a lookup.
type scratch struct {
	hits []int32
}

// check looks up one match; base is the stream offset of b[0].
func (v *Verifier) check(s *scratch, b []byte, m *geotext.Match, base int64) *LeakError {
	if e := v.lookup(s, b, m, m.Point, base); e != nil {
		return e
	}
	if m.Ambiguous {
		return v.lookup(s, b, m, m.Swapped(), base)
	}
	return nil
}

func (v *Verifier) lookup(s *scratch, b []byte, m *geotext.Match, p geowarden.Point, base int64) *LeakError {
	if v.grid != nil && !v.grid.maybe(p) {
		return nil
	}
	s.hits = v.zones.Contains(p, s.hits[:0])
	if len(s.hits) == 0 {
		return nil
	}
	abs := *m
	abs.Start, abs.End, abs.Next = m.Start+int(base), m.End+int(base), m.Next+int(base)
	for _, z := range s.hits {
		if v.Filter != nil && !v.Filter(abs, p, z) {
			continue
		}
		e := &LeakError{Offset: base + int64(m.Start), Text: string(b[m.Start:m.End]), Kind: m.Kind, Point: p, Zone: z}
		if int(z) < len(v.names) {
			e.ZoneID, e.Name = v.names[z].ID, v.names[z].Name
		}
		return e
	}
	return nil
}

// Check checks decoded text: it returns a *LeakError for the first
// position in text inside a zone that counts, or nil. base is added to
// the offsets it reports, so that a caller can give the offset of the
// text in its container.
func (v *Verifier) Check(text []byte, base int64) error {
	var s scratch
	for i := 0; ; {
		m, ok := geotext.Find(text, i)
		if !ok {
			return nil
		}
		if e := v.check(&s, text, &m, base); e != nil {
			return e
		}
		i = m.Next
	}
}

// chunk is the most bytes a Writer scans at once; carry is what it keeps
// of the bytes already scanned, so that a position split across writes
// is found.
const (
	chunk = 64 << 10
	carry = geotext.MaxLen + 2*geotext.Context
)

// Writer checks the bytes written through it and passes them on to the
// underlying writer. It searches them in blocks of 64 KiB, so a leak is
// reported by the Write that completes its block, or by Close: that call
// returns a *LeakError (the bytes of a Write that fails are not passed
// on), and so does every later call. Close must be called at the end of
// the stream, and the output released only when it returns nil.
type Writer struct {
	v      *Verifier
	w      io.Writer
	s      scratch
	buf    []byte // bytes not yet decided, after context bytes
	pos    int    // where the next search starts in buf
	off    int64  // stream offset of buf[0]
	err    error
	closed bool
}

// NewWriter returns a Writer that checks what is written and writes it
// to w; w may be nil to check only.
func (v *Verifier) NewWriter(w io.Writer) *Writer {
	return &Writer{v: v, w: w, buf: make([]byte, 0, chunk+carry)}
}

// Write checks p and writes it to the underlying writer.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.closed {
		return 0, ErrClosed
	}
	for q := p; len(q) > 0; {
		n := min(len(q), chunk-len(w.buf))
		w.buf = append(w.buf, q[:n]...)
		q = q[n:]
		if len(w.buf) < chunk {
			break // small writes are gathered: the carry is searched again at every scan
		}
		if err := w.scan(false); err != nil {
			w.err = err
			return 0, err
		}
	}
	if w.w != nil {
		n, err := w.w.Write(p)
		if err != nil {
			w.err = err
		}
		return n, err
	}
	return len(p), nil
}

// Close checks the last bytes written. It does not close the underlying
// writer. It returns the leak found, if any, or the first error of the
// underlying writer.
func (w *Writer) Close() error {
	if !w.closed {
		w.closed = true
		if w.err == nil {
			w.err = w.scan(true)
		}
	}
	return w.err
}

// ErrClosed is returned by a Write after Close.
var ErrClosed = errors.New("verify: write after close")

// Offset returns the number of bytes written so far.
func (w *Writer) Offset() int64 { return w.off + int64(len(w.buf)) }

// scan searches buf for positions and keeps what is not yet decided.
func (w *Writer) scan(final bool) error {
	b := w.buf
	pos := w.pos
	hold := -1
	for {
		m, ok := geotext.Find(b, pos)
		if !ok {
			break
		}
		if !final && m.End+geotext.Context > len(b) {
			hold = m.Start // more bytes may change this match
			break
		}
		if e := w.v.check(&w.s, b, &m, w.off); e != nil {
			return e
		}
		pos = m.Next
	}
	if final {
		return nil
	}
	// A candidate that starts before len(b)-MaxLen-Context was decided
	// with the bytes at hand; later ones are searched again.
	keep := max(pos, len(b)-geotext.MaxLen-geotext.Context)
	if hold >= 0 {
		keep = max(pos, min(hold, keep))
	}
	from := max(0, keep-geotext.Context)
	n := copy(w.buf, b[from:])
	w.buf = w.buf[:n]
	w.off += int64(from)
	w.pos = keep - from
	return nil
}
