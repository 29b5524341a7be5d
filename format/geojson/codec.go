package geojson

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// Codec reads and rewrites GeoJSON (RFC 7946): a FeatureCollection, a single
// Feature or geometry, newline-delimited GeoJSON and GeoJSON text sequences
// (RFC 8142). The zero value is ready to use.
type Codec struct{}

var _ format.Codec = Codec{}

// Name returns "geojson".
func (Codec) Name() string { return "geojson" }

var (
	bom        = []byte{0xEF, 0xBB, 0xBF}
	extensions = []string{".geojson", ".geojsonl", ".geojsons", ".ndjson", ".json"}
	emptyFC    = []byte(`{"type":"FeatureCollection","features":[]}`)
)

// rs is the record separator that begins each record of a text sequence.
const rs = 0x1E

// Detect reports whether head, after an optional UTF-8 byte-order mark and
// white space, begins a text sequence (0x1E) or an object that mentions
// "type" in its first bytes. An object with a GeoJSON-like extension
// (.geojson, .geojsonl, .geojsons, .ndjson, .json) is recognised even without
// "type" in the head.
func (Codec) Detect(name string, head []byte) bool {
	b := bytes.TrimPrefix(head, bom)
	i := skipWS(b, 0)
	if i == len(b) {
		return false
	}
	switch b[i] {
	case rs:
		return true
	case '{':
		if bytes.Contains(b, []byte(`"type"`)) {
			return true
		}
		ext := name
		if k := strings.LastIndexAny(ext, `./\`); k >= 0 && ext[k] == '.' {
			ext = ext[k:]
		} else {
			return false
		}
		for _, e := range extensions {
			if strings.EqualFold(ext, e) {
				return true
			}
		}
	}
	return false
}

// Rewrite reads r and calls h for every record; with a non-nil w it writes
// r back to w with the edits applied. See the package documentation for
// what is read, rewritten and passed through.
func (Codec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	if opts == nil {
		opts = &format.Options{}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s := &state{
		ctx:  ctx,
		h:    h,
		name: opts.Name,
		max:  opts.MaxRecordBytes,
		rt:   newRoleTable(opts.Columns),
		r:    newReader(r, opts.Name),
	}
	if s.max <= 0 {
		s.max = DefaultMaxRecordBytes
	}
	if w != nil {
		s.w = bufio.NewWriterSize(w, 64<<10)
	}
	if err := s.run(); err != nil {
		return err
	}
	if s.w != nil {
		if err := s.w.Flush(); err != nil {
			return fmt.Errorf("geojson: writing: %w", err)
		}
	}
	return nil
}

// recCtx is where a record stands.
type recCtx uint8

const (
	ctxFC  recCtx = iota // an element of a FeatureCollection's "features"
	ctxTop               // the only top-level object
	ctxSeq               // a record of newline-delimited GeoJSON or a text sequence
)

// state is one Rewrite.
type state struct {
	ctx  context.Context
	r    *reader
	w    *bufio.Writer // nil: scan only
	werr error
	h    format.Handler
	name string
	max  int
	rt   *roleTable

	d       decoder
	rec     geowarden.Record
	edits   []geowarden.Edit
	n       int // records read
	eb      editBufs
	lineHdr [][]geowarden.Point
	ringHdr [][]geowarden.Point
	areaHdr [][][]geowarden.Point

	prefix, head, feat, gap0, gap, key []byte
	prevDropped                        bool

	hold      *holdOut // the output held back until the collection's bbox is known
	pendComma bool     // a ',' before the next member after "features" is not yet written
	repls     []repl   // replacements of the record being written (more.go)
	ext       extent   // of the features written so far
	inExt     extent   // of the features read so far
	touched   bool     // a feature was dropped or its geometry changed
}

func (s *state) write(b []byte) {
	if s.w == nil || s.werr != nil {
		return
	}
	if s.hold != nil {
		s.hold.body = append(s.hold.body, b...)
		if len(s.hold.body) > BBoxHoldBytes {
			s.touched = true
			s.ext = extent{}
			s.release()
		}
		return
	}
	if _, err := s.w.Write(b); err != nil {
		s.werr = fmt.Errorf("geojson: writing: %w", err)
	}
}

// fatal is a ParseError that stops the Rewrite.
func (s *state) fatal(at pos, kind error, format string, args ...any) error {
	return parseErr(s.name, at, &gjError{kind: kind, msg: fmt.Sprintf(format, args...)})
}

// eof returns nil at the clean end of the input, else the read error.
func (s *state) eof() error {
	if err := s.r.rerr; err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("geojson: reading %s: %w", s.name, err)
	}
	return s.werr
}

func (s *state) run() error {
	r := s.r
	if !r.fill() {
		return s.eof()
	}
	if r.buf[r.pos] == bom[0] {
		for _, c := range bom {
			if !r.fill() {
				return r.endErr("a byte-order mark")
			}
			if r.buf[r.pos] != c {
				return r.foundErr("a UTF-8 byte-order mark")
			}
			r.pos++
		}
		s.write(bom)
	}
	r.startCapture(s.prefix, s.max, "leading white space")
	more := r.skipWS()
	prefix, err := r.stopCapture()
	s.prefix = prefix
	if err != nil {
		return err
	}
	if !more {
		// Nothing but white space: an empty sequence of records, as left
		// by dropping every line of newline-delimited GeoJSON.
		if r.tooLong {
			return r.tooLongErr()
		}
		s.write(prefix)
		return s.eof()
	}
	switch r.buf[r.pos] {
	case rs:
		s.write(prefix)
		return s.textSeq()
	case '{':
		return s.top(prefix)
	}
	return r.foundErr("'{' or a record separator (0x1E) to begin GeoJSON")
}

// topInfo is what the members of the top-level object said so far.
type topInfo struct {
	has    uint16
	keyAt  [nKnown]pos
	typ    string
	typeAt pos
}

// top reads the top-level object. A "features" array is streamed feature by
// feature; any other object is read whole as one record.
func (s *state) top(prefix []byte) error {
	r := s.r
	start := r.here()
	r.startCapture(s.head, s.max, "top-level object")
	r.pos++ // '{'
	if !r.skipWS() {
		return r.endErr("'\"' or '}'")
	}
	var t topInfo
	streamed := false
	// The FeatureCollection's "bbox": hb in the head (before "features"),
	// tb in the region of the member being read after it.
	hb := fcBBox{next: -1}
	var tb fcBBox
	// The collection's other members: hms in the head, ta in the region
	// of the member being read after "features".
	var hms []headMember
	var ta memberAct
	for r.buf[r.pos] != '}' {
		if r.buf[r.pos] != '"' {
			return r.foundErr("'\"' to begin a member name")
		}
		keyAt := r.here()
		kOff := len(r.captured())
		if hb.ok && hb.next < 0 {
			hb.next = kOff
		}
		if n := len(hms); n > 0 && hms[n-1].next < 0 {
			hms[n-1].next = kOff
		}
		if err := r.scanString(); err != nil {
			return err
		}
		c := r.captured()
		if r.tooLong {
			return r.tooLongErr()
		}
		s.key = unquote(s.key[:0], c[kOff:])
		if !r.skipWS() {
			return r.endErr("':'")
		}
		if r.buf[r.pos] != ':' {
			return r.foundErr("':' after member name")
		}
		r.pos++
		if !r.skipWS() {
			return r.endErr("a value")
		}
		k := knownIndex(s.key)
		if k < 0 {
			if fk := foldedKnown(s.key); fk >= 0 {
				return s.fatal(keyAt, ErrInvalid, "member %q differs from %q only in case", s.key, knownNames[fk])
			}
		} else {
			if t.has&(1<<k) != 0 {
				return s.fatal(keyAt, ErrInvalid, "duplicate member %q", knownNames[k])
			}
			t.has |= 1 << k
			t.keyAt[k] = keyAt
		}
		if k == iFeatures && r.buf[r.pos] == '[' {
			if t.typ != "" && t.typ != "FeatureCollection" {
				return s.typeErr(&t)
			}
			r.pos++
			head, err := r.stopCapture()
			s.head = head
			if err != nil {
				return err
			}
			if head, hb, err = s.collectionHead(head, hms, hb); err != nil {
				return err
			}
			s.write(prefix)
			if hb.ok && s.w != nil {
				s.hold = &holdOut{head: bytes.Clone(head), bbox: hb}
			} else {
				s.write(head)
			}
			if err := s.features(); err != nil {
				return err
			}
			streamed = true
			r.startCapture(s.head, s.max, "FeatureCollection member")
		} else {
			valAt := r.here()
			vOff := len(r.captured())
			if err := r.scanValue(1); err != nil {
				return err
			}
			c := r.captured()
			if r.tooLong {
				return r.tooLongErr()
			}
			if err := s.topMember(&t, k, c[vOff:], valAt); err != nil {
				return err
			}
			switch {
			case k == iBBox:
				b := fcBBox{ok: true, val: span{vOff, len(c)}, next: -1, n: countElements(c[vOff:]),
					raw: bytes.Clone(c[vOff:]), at: valAt}
				if streamed {
					tb = b
					if err := s.staleRecord(&tb); err != nil {
						return err
					}
				} else {
					hb = b
				}
			case k == iType || k == iCRS:
			case streamed:
				ta = memberAct{ok: true, val: span{vOff, len(c)}}
				var err error
				ta.drop, ta.newVal, err = s.collectionMember(string(s.key), c[vOff:], valAt)
				if err != nil {
					return err
				}
			default:
				hms = append(hms, headMember{name: string(s.key), key: kOff, val: span{vOff, len(c)}, at: valAt, next: -1})
			}
		}
		if !r.skipWS() {
			return r.endErr("',' or '}'")
		}
		switch r.buf[r.pos] {
		case ',':
			r.pos++
			if streamed {
				c, err := r.stopCapture()
				if err != nil {
					return err
				}
				s.region(c[:len(c)-1], &tb, &ta)
				s.pendComma = true
				s.head = c
				tb, ta = fcBBox{}, memberAct{}
				r.startCapture(s.head, s.max, "FeatureCollection member")
			}
			if !r.skipWS() {
				return r.endErr("'\"'")
			}
			if r.buf[r.pos] == '}' {
				return r.foundErr("'\"' to begin a member name")
			}
		case '}':
		default:
			return r.foundErr("',' or '}' after object member")
		}
	}
	r.pos++ // '}'
	obj, err := r.stopCapture()
	s.head = obj
	if err != nil {
		return err
	}
	if !streamed {
		return s.single(prefix, obj, start)
	}
	s.region(obj[:len(obj)-1], &tb, &ta)
	s.write(obj[len(obj)-1:])
	if hb.ok {
		if err := s.staleRecord(&hb); err != nil {
			return err
		}
		if s.hold != nil {
			s.hold.bbox.drop, s.hold.bbox.moved = hb.drop, hb.moved
		}
	}
	s.release()
	if t.typ != "FeatureCollection" {
		return s.typeErr(&t)
	}
	return s.trailer()
}

// topMember checks a member of the top-level object: its "type" and "crs",
// and the members a FeatureCollection must not have.
func (s *state) topMember(t *topInfo, k int, val []byte, at pos) error {
	switch k {
	case iType:
		if val[0] != '"' {
			return s.fatal(at, ErrInvalid, `"type" must be a string, found %s`, valueKind(val[0]))
		}
		t.typ = string(unquote(nil, val))
		t.typeAt = at
	case iCRS:
		if msg := crsProblem(val, &s.d.tmp); msg != "" {
			return s.fatal(at, ErrCRS, "%s", msg)
		}
	}
	if t.typ == "FeatureCollection" {
		for _, k := range [...]int{iGeometry, iCoordinates, iGeometries} {
			if t.has&(1<<k) != 0 {
				return s.fatal(t.keyAt[k], ErrInvalid, "a FeatureCollection must not have a %q member", knownNames[k])
			}
		}
	}
	return nil
}

// typeErr explains why an object with a "features" array is not a
// FeatureCollection.
func (s *state) typeErr(t *topInfo) error {
	if t.has&(1<<iType) == 0 {
		return s.fatal(t.keyAt[iFeatures], ErrInvalid, `object with "features" has no "type" member`)
	}
	if _, ok := geomType([]byte(t.typ)); ok || t.typ == "Feature" {
		return s.fatal(t.keyAt[iFeatures], ErrInvalid, `a %s must not have a "features" member`, t.typ)
	}
	return s.fatal(t.typeAt, ErrInvalid, "unknown type %q (types are case-sensitive)", t.typ)
}

// features streams the elements of a FeatureCollection's "features" array;
// the reader stands just past its '['. A dropped feature goes with the
// separator before it (after it, for the first one written), so the output
// keeps the input's layout.
func (s *state) features() error {
	r := s.r
	s.gapStart(&s.gap0)
	more := r.skipWS()
	pre0, err := s.gapEnd(&s.gap0)
	if err != nil {
		return err
	}
	if !more {
		return r.endErr("a feature or ']'")
	}
	if r.buf[r.pos] == ']' {
		r.pos++
		s.write(pre0)
		s.write([]byte{']'})
		return nil
	}
	var pre []byte
	kept := 0
	for {
		at := r.here()
		r.startCapture(s.feat, s.max, "feature")
		if err := r.scanValue(2); err != nil {
			return err
		}
		feat, err := r.stopCapture()
		s.feat = feat
		if err != nil {
			return err
		}
		out, drop, err := s.record(feat, at, ctxFC)
		if err != nil {
			return err
		}
		if !drop {
			if kept == 0 {
				s.write(pre0)
			} else {
				s.write(pre)
			}
			s.write(out)
			kept++
		}
		s.gapStart(&s.gap)
		more := r.skipWS()
		if !more {
			if _, err := s.gapEnd(&s.gap); err != nil {
				return err
			}
			return r.endErr("',' or ']' after feature")
		}
		switch r.buf[r.pos] {
		case ',':
			r.pos++
			if !r.skipWS() {
				if _, err := s.gapEnd(&s.gap); err != nil {
					return err
				}
				return r.endErr("a feature")
			}
			if r.buf[r.pos] == ']' {
				return r.foundErr("a feature after ','")
			}
			if pre, err = s.gapEnd(&s.gap); err != nil {
				return err
			}
		case ']':
			post, err := s.gapEnd(&s.gap)
			if err != nil {
				return err
			}
			r.pos++
			s.write(post)
			s.write([]byte{']'})
			return nil
		default:
			return r.foundErr("',' or ']' after feature")
		}
	}
}

// gapStart and gapEnd capture the bytes between records into *buf when
// writing.
func (s *state) gapStart(buf *[]byte) {
	if s.w != nil {
		s.r.startCapture(*buf, s.max, "white space")
	}
}

func (s *state) gapEnd(buf *[]byte) ([]byte, error) {
	if s.w == nil {
		return nil, nil
	}
	b, err := s.r.stopCapture()
	*buf = b
	return b, err
}

// trailer passes white space after the top-level object through, up to the
// end of the input.
func (s *state) trailer() error {
	r := s.r
	for {
		start := r.pos
		for r.pos < r.end && isWS(r.buf[r.pos]) {
			r.pos++
		}
		s.write(r.buf[start:r.pos])
		if r.pos < r.end {
			return r.foundErr("the end of the input after the FeatureCollection")
		}
		if !r.fill() {
			return s.eof()
		}
	}
}

// single handles a top-level object that is not a streamed
// FeatureCollection: the only record of the input, or the first line of
// newline-delimited GeoJSON.
func (s *state) single(prefix, obj []byte, start pos) error {
	r := s.r
	r.startCapture(s.gap, s.max, "white space")
	more := r.skipWS()
	sep, err := r.stopCapture()
	s.gap = sep
	if err != nil {
		return err
	}
	if !more {
		if err := s.eof(); err != nil {
			return err
		}
		out, drop, err := s.record(obj, start, ctxTop)
		if err != nil {
			return err
		}
		s.write(prefix)
		if drop {
			s.write(emptyFC)
		} else {
			s.write(out)
		}
		s.write(sep)
		return s.werr
	}
	if r.buf[r.pos] != '{' {
		return r.foundErr("the end of the input or a new line with a feature")
	}
	if bytes.IndexByte(sep, '\n') < 0 {
		return r.syntaxErr("expected a line break between records, found '{'")
	}
	return s.lines(prefix, obj, start, sep)
}

// lines reads newline-delimited GeoJSON, one record per line. A dropped
// record goes with its line; blank lines pass through.
func (s *state) lines(prefix, first []byte, at pos, sep []byte) error {
	r := s.r
	tail := s.seqSep(prefix, false)
	out, drop, err := s.record(first, at, ctxSeq)
	if err != nil {
		return err
	}
	s.seqEmit(tail, out, drop)
	for {
		tail = s.seqSep(sep, false)
		at := r.here()
		r.startCapture(s.feat, s.max, "feature")
		if err := r.scanValue(0); err != nil {
			return err
		}
		rec, err := r.stopCapture()
		s.feat = rec
		if err != nil {
			return err
		}
		out, drop, err := s.record(rec, at, ctxSeq)
		if err != nil {
			return err
		}
		s.seqEmit(tail, out, drop)

		r.startCapture(s.gap, s.max, "white space")
		more := r.skipWS()
		sep, err = r.stopCapture()
		s.gap = sep
		if err != nil {
			return err
		}
		if !more {
			s.seqSep(sep, true)
			return s.eof()
		}
		if r.buf[r.pos] != '{' {
			return r.foundErr("'{' to begin a record")
		}
		if bytes.IndexByte(sep, '\n') < 0 {
			return r.syntaxErr("expected a line break between records, found '{'")
		}
	}
}

// seqSep writes the white space between two records of newline-delimited
// GeoJSON up to its last line break and returns the rest, the indentation
// of the next record. After a dropped record, the separator's first line
// break goes with it.
func (s *state) seqSep(sep []byte, last bool) []byte {
	if s.prevDropped {
		if k := bytes.IndexByte(sep, '\n'); k >= 0 {
			sep = sep[k+1:]
		} else {
			sep = sep[len(sep):]
		}
	}
	if last {
		s.write(sep)
		return nil
	}
	k := bytes.LastIndexByte(sep, '\n')
	s.write(sep[:k+1])
	return sep[k+1:]
}

func (s *state) seqEmit(tail, out []byte, drop bool) {
	s.prevDropped = drop
	if !drop {
		s.write(tail)
		s.write(out)
	}
}

// textSeq reads an RFC 8142 GeoJSON text sequence: each record begins with
// 0x1E and ends with a line feed. A dropped record goes whole, up to the
// next 0x1E.
func (s *state) textSeq() error {
	r := s.r
	for {
		r.startCapture(s.gap, s.max, "record")
		r.pos++ // 0x1E
		more := r.skipWS()
		if !more || r.buf[r.pos] == rs {
			grp, err := r.stopCapture()
			s.gap = grp
			if err != nil {
				return err
			}
			s.write(grp) // an empty record
			if !more {
				return s.eof()
			}
			continue
		}
		if r.buf[r.pos] != '{' {
			return r.foundErr("'{' to begin a record")
		}
		at := r.here()
		vOff := len(r.captured())
		if err := r.scanValue(0); err != nil {
			return err
		}
		vEnd := len(r.captured())
		more = r.skipWS()
		grp, err := r.stopCapture()
		s.gap = grp
		if err != nil {
			return err
		}
		if bytes.IndexByte(grp[vEnd:], '\n') < 0 {
			if !more {
				if err := s.eof(); err != nil {
					return err
				}
				return r.syntaxErr("unexpected end of input, expected a line feed to end the record (truncated?)")
			}
			return r.foundErr("a line feed to end the record")
		}
		if more && r.buf[r.pos] != rs {
			return r.foundErr("a record separator (0x1E) to begin the next record")
		}
		out, drop, err := s.record(grp[vOff:vEnd], at, ctxSeq)
		if err != nil {
			return err
		}
		if !drop {
			s.write(grp[:vOff])
			s.write(out)
			s.write(grp[vEnd:])
		}
		if !more {
			return s.eof()
		}
	}
}

// record decodes one record, hands it to the handler and returns the bytes
// to write for it, or drop.
func (s *state) record(raw []byte, at pos, c recCtx) (out []byte, drop bool, err error) {
	idx := s.n
	s.n++
	if idx&1023 == 0 {
		if err := s.ctx.Err(); err != nil {
			return nil, false, err
		}
	}
	if s.werr != nil {
		return nil, false, s.werr
	}
	d := &s.d
	k, b := d.decode(raw, c == ctxFC, s.rt)
	if b != nil {
		msg := fmt.Sprintf("feature %d", idx)
		if b.top && c == ctxTop {
			msg = ""
		}
		if b.msg != "" {
			if msg != "" {
				msg += ": "
			}
			msg += b.msg
		}
		pe := parseErr(s.name, at.advance(raw, b.at), &gjError{kind: b.kind, msg: msg, cause: b.cause})
		if b.kind == ErrCRS || b.top && c == ctxTop {
			return nil, false, pe
		}
		if err := s.h.Bad(pe); err != nil {
			return nil, false, err
		}
		s.touched = true
		return nil, true, nil
	}
	if k == kCollection {
		if c == ctxSeq {
			return nil, false, s.fatal(at, ErrInvalid, "a FeatureCollection inside a sequence of records is not supported")
		}
		if !d.root.ok(iFeatures) {
			return nil, false, s.fatal(at, ErrInvalid, `FeatureCollection has no "features" member`)
		}
		v := d.root.val[iFeatures]
		return nil, false, s.fatal(at.advance(raw, v.s), ErrInvalid, `"features" must be an array, found %s`, valueKind(raw[v.s]))
	}

	s.inExt.addAll(d.pts)
	rec := &s.rec
	ref := geowarden.Ref{File: s.name, Line: at.line, Offset: at.off, Feature: idx}
	s.edits = s.edits[:0]
	if d.gt == gPoint || d.gt == gMultiPoint {
		for i, pi := range d.pinfo {
			d.fill(rec)
			rec.Ref = ref
			rec.Shape = geowarden.ShapePoint
			rec.Pos = d.pts[i]
			rec.Lines, rec.Areas = nil, nil
			if pi.n >= 3 {
				rec.Alt, rec.HasAlt = pi.alt, true
			}
			e := s.h.Record(rec)
			if s.w != nil {
				s.edits = append(s.edits, e)
			}
		}
	} else {
		d.fill(rec)
		rec.Ref = ref
		s.shape(rec)
		e := s.h.Record(rec)
		if s.w != nil {
			s.edits = append(s.edits, e)
		}
	}
	if s.w == nil {
		return nil, false, nil
	}
	out, drop, err = s.apply(s.edits, idx)
	if drop {
		s.touched = true
	}
	return out, drop, err
}

// shape sets the geometry of a line, area or geometry-less record.
func (s *state) shape(rec *geowarden.Record) {
	d := &s.d
	s.lineHdr = s.lineHdr[:0]
	for _, l := range d.lines {
		s.lineHdr = append(s.lineHdr, d.pts[l.s:l.e])
	}
	s.ringHdr = s.ringHdr[:0]
	for _, r := range d.rings {
		s.ringHdr = append(s.ringHdr, d.pts[r.s:r.e])
	}
	s.areaHdr = s.areaHdr[:0]
	for _, p := range d.polys {
		s.areaHdr = append(s.areaHdr, s.ringHdr[p.s:p.e])
	}
	rec.Lines, rec.Areas = nil, nil
	rec.Pos = geowarden.Point{}
	if len(d.pts) > 0 {
		rec.Pos = d.pts[0]
	}
	switch d.gt {
	case gLineString, gMultiLineString:
		rec.Shape = geowarden.ShapeLine
		rec.Lines = s.lineHdr
	case gPolygon, gMultiPolygon:
		rec.Shape = geowarden.ShapeArea
		rec.Areas = s.areaHdr
	case gCollection:
		rec.Shape = geowarden.ShapeArea
		rec.Areas = s.areaHdr
		rec.Lines = s.lineHdr
	default:
		rec.Shape = geowarden.ShapeNone
	}
}
