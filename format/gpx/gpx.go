package gpx

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// Codec reads and rewrites GPX 1.0 and 1.1. The zero value is ready to
// use.
type Codec struct{}

var _ format.Codec = Codec{}

// Name returns "gpx".
func (Codec) Name() string { return "gpx" }

var bom = []byte{0xEF, 0xBB, 0xBF}

// Detect reports whether head is a GPX document: after an optional
// byte-order mark, XML declaration, comments, processing instructions, a
// DOCTYPE and white space, the root element is <gpx> (with any prefix). An
// input whose name ends in .gpx is recognised as soon as it begins with
// markup, so that a GPX file with a long prologue is still read (and
// refused with a clear error when it is not GPX after all).
func (Codec) Detect(name string, head []byte) bool {
	b := head
	if len(b) >= 2 && (b[0] == 0xFE && b[1] == 0xFF || b[0] == 0xFF && b[1] == 0xFE) {
		// UTF-16: recognised here so that Rewrite can say why it is
		// refused.
		n := len(b) &^ 1
		d, _, err := transform.Bytes(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder(), b[:n])
		if err != nil {
			return false
		}
		b = d
	}
	b = bytes.TrimPrefix(b, bom)
	gpxName := len(name) > 4 && strings.EqualFold(name[len(name)-4:], ".gpx")
	i := 0
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		rest := b[i:]
		if len(rest) == 0 || rest[0] != '<' {
			return false
		}
		skip := func(start int, end string) bool {
			k := bytes.Index(rest[start:], []byte(end))
			if k < 0 {
				return false
			}
			i += start + k + len(end)
			return true
		}
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			if !skip(2, "?>") {
				return gpxName
			}
		case bytes.HasPrefix(rest, []byte("<!--")):
			if !skip(4, "-->") {
				return gpxName
			}
		case bytes.HasPrefix(rest, []byte("<!DOCTYPE")):
			k := format.DoctypeLen(rest)
			if k < 0 {
				return gpxName
			}
			i += k
		default:
			n := scanName(rest[1:], true)
			if n == 0 {
				return gpxName
			}
			if 1+n < len(rest) {
				if c := rest[1+n]; !isSpace(c) && c != '>' && c != '/' {
					return gpxName
				}
			}
			return string(localName(rest[1:1+n])) == "gpx" || gpxName
		}
	}
}

// Rewrite reads r and calls h for every point; with a non-nil w it writes
// r back to w with the edits applied. See the package documentation for
// what is read, rewritten and passed through.
func (Codec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	if opts == nil {
		opts = &format.Options{}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	max := opts.MaxRecordBytes
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	max = ensureMin(max)
	s := &state{
		ctx:  ctx,
		h:    h,
		file: opts.Name,
		max:  max,
		sc:   newScanner(r, opts.Name, max),
	}
	s.attrs.s, s.attrs.i = s, -1
	if w != nil {
		s.w = bufio.NewWriterSize(w, 64<<10)
	}
	defer func() {
		if s.sp != nil {
			s.sp.close()
		}
	}()
	if err := s.run(); err != nil {
		return err
	}
	if s.w != nil {
		if err := s.w.Flush(); err != nil {
			return fmt.Errorf("gpx: writing: %w", err)
		}
	}
	return s.werr
}

// ensureMin keeps the record limit large enough for the markup geowarden
// itself needs to hold.
func ensureMin(n int) int { return max(n, 256) }

// role is what an element is in the GPX structure.
type role uint8

const (
	rOther role = iota
	rRoot       // <gpx>
	rTrk        // <trk>
	rSeg        // <trkseg>: holds trkpt
	rRte        // <rte>: holds rtept
	rMeta       // <metadata>: holds <bounds>
)

// frame is an open element outside a point.
type frame struct {
	name []byte // qualified name
	role role
	at   pos
}

// container is an open <trkseg> or <rte>, whose output is held back until
// one of its points is kept (so that a segment or route whose points are
// all dropped disappears), and which is split where points were dropped.
type container struct {
	role       role
	depth      int    // its index in the stack
	qname      []byte // its qualified name
	indent     []byte // line break and indentation before its start tag
	start      []byte // its start tag
	headLen    int    // length of the white space and start tag in pending
	header     []byte // <rte>: the children before the first rtept
	headerDone bool
	pending    []byte // output held back
	started    bool   // pending was written: the container is in the output
	seenPoint  bool
	part       int  // points written since the container (or its last split) began
	gap        bool // points were dropped after the last one written
}

// state is one Rewrite.
type state struct {
	ctx  context.Context
	h    format.Handler
	file string
	max  int
	sc   *scanner
	cs   charset
	w    *bufio.Writer // nil: scan only
	werr error

	stack   []frame
	root    bool // the root element began
	done    bool // the root element ended
	doctype bool
	ntok    int

	ws   []byte // white space held back: it goes with the next point
	hold bool

	inCont bool
	c      container

	p     point
	rec   geowarden.Record
	attrs pointAttrs

	tx     texts             // free text of the record being read
	skip   []span            // scratch of pointTexts
	more   []geowarden.Point // Record.More of the point
	moreAt [][2]int          // the lat and lon elements of each
	moreE7 []bool            // whether each is in units of 1e-7 degrees
	coords []coordElems      // scratch of pointMore
	trun   held              // text, CDATA sections and comments outside points
	tag    []byte            // a start tag outside points with positions redacted
	all    []int             // scratch of fileText

	sp      *spool // the output from the first <bounds> on; nil before
	ext     extent // of the positions written
	changed bool   // a point was dropped or moved
}

func (s *state) write(b []byte) {
	if s.w == nil || s.werr != nil || len(b) == 0 {
		return
	}
	if s.sp != nil {
		s.werr = s.sp.write(b)
		return
	}
	if _, err := s.w.Write(b); err != nil {
		s.werr = fmt.Errorf("gpx: writing: %w", err)
	}
}

// Markup written between the pieces of a split container.
var (
	endTagOpen = []byte("</")
	tagClose   = []byte(">")
)

// out writes b, or holds it back while a container waits for a kept point.
func (s *state) out(b []byte) {
	if s.w == nil {
		return
	}
	if s.inCont && !s.c.started {
		s.c.pending = append(s.c.pending, b...)
		if len(s.c.pending) > s.max {
			s.flushPending()
		}
		return
	}
	s.write(b)
}

// startContainer writes the held container: it is in the output to stay.
func (s *state) startContainer() {
	c := &s.c
	if !c.headerDone {
		c.header = append(c.header[:0], c.pending[c.headLen:]...)
		c.headerDone = true
	}
	s.write(c.pending)
	c.pending = c.pending[:0]
	c.started = true
}

// flushPending gives up holding a container back: it is written as it
// stands (it can no longer disappear, and splits no longer repeat a route
// header that was too long to keep).
func (s *state) flushPending() {
	c := &s.c
	if !c.headerDone {
		c.headerDone = true
		c.header = c.header[:0]
	}
	s.write(c.pending)
	c.pending = c.pending[:0]
	c.started = true
}

func (s *state) flushWS() {
	if s.hold {
		s.hold = false
		s.out(s.ws)
		s.ws = s.ws[:0]
	}
}

func (s *state) fatal(at pos, kind error, format string, args ...any) error {
	return parseErr(s.file, at, newErr(kind, format, args...))
}

func (s *state) run() error {
	sc := s.sc
	sc.need(4)
	b := sc.buf[sc.pos:sc.end]
	switch {
	case bytes.HasPrefix(b, bom):
		s.write(bom)
		sc.consume(3)
		s.cs.name = "UTF-8"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0xFF, 0xFE}),
		bytes.HasPrefix(b, []byte{0, '<'}), bytes.HasPrefix(b, []byte{'<', 0}),
		bytes.HasPrefix(b, []byte{0, 0, 0xFE, 0xFF}):
		return s.fatal(sc.at, ErrEncoding, "UTF-16 and UTF-32 input is not read (convert the file to UTF-8)")
	case bytes.HasPrefix(b, []byte{0x4C, 0x6F, 0xA7, 0x94}):
		return s.fatal(sc.at, ErrEncoding, "EBCDIC input is not read (convert the file to UTF-8)")
	}
	for {
		if s.ntok++; s.ntok&1023 == 0 {
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
		err := sc.next()
		if err == io.EOF {
			return s.finish()
		}
		if err != nil {
			return err
		}
		if s.werr != nil {
			return s.werr
		}
		if err := s.token(); err != nil {
			return err
		}
	}
}

// finish checks the end of the input.
func (s *state) finish() error {
	at := s.sc.at
	if s.p.active {
		e := &s.p.elems[s.p.open[len(s.p.open)-1]]
		return s.fatal(at, ErrSyntax, "unexpected end of input: <%s> at %s is not closed", s.p.buf[e.qs:e.qe], e.at)
	}
	if n := len(s.stack); n > 0 {
		f := &s.stack[n-1]
		return s.fatal(at, ErrSyntax, "unexpected end of input: <%s> at %s is not closed", f.name, f.at)
	}
	if !s.root {
		return s.fatal(at, ErrNotGPX, "no root element: expected <gpx>")
	}
	if err := s.endRun(); err != nil {
		return err
	}
	s.flushWS()
	if s.w == nil {
		return nil
	}
	return s.finishBounds()
}

// token handles the scanner's current token.
func (s *state) token() error {
	t := &s.sc.tok
	if t.kind == tPI && strings.EqualFold(string(t.name), "xml") {
		if s.ntok != 1 || string(t.name) != "xml" {
			return s.fatal(t.at, ErrSyntax, "the XML declaration <?xml ...?> may only stand at the very start of the input")
		}
		if err := s.decl(); err != nil {
			return err
		}
		s.out(t.raw)
		return nil
	}
	if s.p.active {
		return s.pointToken()
	}
	switch t.kind {
	case tText:
		if len(s.stack) == 0 && !t.ws {
			k := 0
			for isSpace(t.raw[k]) {
				k++
			}
			return s.fatal(t.at.advance(t.raw, k), ErrSyntax, "text outside the root element")
		}
		if t.ws && t.whole {
			if err := s.endRun(); err != nil {
				return err
			}
			s.flushWS()
			s.ws = append(s.ws[:0], t.raw...)
			s.hold = true
			return nil
		}
		return s.addRun()
	case tCDATA:
		if len(s.stack) == 0 {
			return s.fatal(t.at, ErrSyntax, "CDATA section outside the root element")
		}
		return s.addRun()
	case tComment:
		return s.addRun()
	}
	if err := s.endRun(); err != nil {
		return err
	}
	switch t.kind {
	case tStart:
		return s.startTag()
	case tEnd:
		return s.endTag()
	case tDoctype:
		if s.root || s.doctype {
			return s.fatal(t.at, ErrSyntax, "a DOCTYPE declaration may only stand once, before the root element")
		}
		s.doctype = true
		s.flushWS()
		s.out(t.raw)
	default: // processing instructions
		s.flushWS()
		s.out(t.raw)
	}
	return nil
}

// decl reads the XML declaration and sets the character encoding.
func (s *state) decl() error {
	t := &s.sc.tok
	raw := t.raw
	body := raw[5 : len(raw)-2]
	order := [...]string{"version", "encoding", "standalone"}
	vals := map[string]string{}
	next := 0 // the first name in order still allowed
	i := 0
	for {
		j := i
		for j < len(body) && isSpace(body[j]) {
			j++
		}
		if j == len(body) {
			break
		}
		if j == i {
			return s.fatal(t.at.advance(raw, 5+j), ErrSyntax, "expected white space in the XML declaration, found %s", describe(body[j]))
		}
		i = j
		n := scanName(body[i:], true)
		name := string(body[i : i+n])
		idx := -1
		for k := next; k < len(order); k++ {
			if name == order[k] {
				idx = k
			}
		}
		if idx < 0 || idx > 0 && len(vals) == 0 {
			return s.fatal(t.at.advance(raw, 5+i), ErrSyntax, "expected version, encoding or standalone (in that order) in the XML declaration")
		}
		next = idx + 1
		i += n
		for i < len(body) && isSpace(body[i]) {
			i++
		}
		if i == len(body) || body[i] != '=' {
			return s.fatal(t.at.advance(raw, 5+i), ErrSyntax, "expected '=' after %s in the XML declaration", name)
		}
		i++
		for i < len(body) && isSpace(body[i]) {
			i++
		}
		if i == len(body) || body[i] != '"' && body[i] != '\'' {
			return s.fatal(t.at.advance(raw, 5+i), ErrSyntax, "expected a quoted value for %s in the XML declaration", name)
		}
		q := body[i]
		e := bytes.IndexByte(body[i+1:], q)
		if e < 0 {
			return s.fatal(t.at.advance(raw, 5+i), ErrSyntax, "%s in the XML declaration has no closing quote", name)
		}
		vals[name] = string(body[i+1 : i+1+e])
		i += e + 2
	}
	v, ok := vals["version"]
	if !ok {
		return s.fatal(t.at, ErrSyntax, "the XML declaration has no version")
	}
	if !strings.HasPrefix(v, "1.") || len(v) < 3 {
		return s.fatal(t.at, ErrSyntax, "unsupported XML version %q", v)
	}
	if sa, ok := vals["standalone"]; ok && sa != "yes" && sa != "no" {
		return s.fatal(t.at, ErrSyntax, "standalone must be \"yes\" or \"no\", found %q", sa)
	}
	enc, ok := vals["encoding"]
	if !ok {
		return nil
	}
	cs, err := lookupCharset(enc)
	if err != nil {
		return parseErr(s.file, t.at, &gpxError{kind: ErrEncoding, msg: err.Error()})
	}
	if s.cs.name == "UTF-8" && !cs.utf8() {
		return s.fatal(t.at, ErrEncoding, "the byte-order mark says UTF-8 but the XML declaration says %q", enc)
	}
	s.cs = cs
	s.sc.utf = cs.utf8()
	return nil
}

func (s *state) startTag() error {
	t := &s.sc.tok
	depth := len(s.stack)
	if depth >= MaxDepth {
		return s.fatal(t.at, ErrDepth, "elements nest deeper than %d", MaxDepth)
	}
	if depth == 0 {
		if s.done {
			return s.fatal(t.at, ErrSyntax, "a second root element <%s>: a document has one root element", t.name)
		}
		if string(localName(t.name)) != "gpx" {
			return s.fatal(t.at, ErrNotGPX, "the root element is <%s>, not <gpx>", t.name)
		}
		s.root = true
		raw := s.tagTexts()
		s.flushWS()
		s.out(raw)
		if t.empty {
			s.done = true
			return nil
		}
		s.push(rRoot)
		return nil
	}
	parent := s.stack[depth-1].role
	local := string(localName(t.name))
	structural := parent == rRoot && local == "wpt" || parent == rRte && local == "rtept" || parent == rSeg && local == "trkpt"
	if structural || hasLatLon(t) {
		return s.beginPoint(structural, parent)
	}
	raw := s.tagTexts()
	r := rOther
	switch {
	case parent == rRoot && local == "rte":
		r = rRte
	case parent == rRoot && local == "trk":
		r = rTrk
	case parent == rTrk && local == "trkseg":
		r = rSeg
	case parent == rRoot && local == "metadata":
		r = rMeta
	}
	switch {
	case (r == rRte || r == rSeg) && !t.empty && s.w != nil:
		s.openContainer(r, raw)
	case local == "bounds" && (parent == rRoot || parent == rMeta) && s.w != nil:
		if err := s.beginBounds(raw); err != nil {
			return err
		}
	default:
		s.flushWS()
		s.out(raw)
	}
	if !t.empty {
		s.push(r)
	}
	return nil
}

func (s *state) push(r role) {
	t := &s.sc.tok
	n := len(s.stack)
	if n < cap(s.stack) {
		s.stack = s.stack[:n+1]
	} else {
		s.stack = append(s.stack, frame{})
	}
	f := &s.stack[n]
	f.name = append(f.name[:0], t.name...)
	f.role = r
	f.at = t.at
}

func (s *state) endTag() error {
	t := &s.sc.tok
	n := len(s.stack)
	if n == 0 {
		return s.fatal(t.at, ErrSyntax, "end tag </%s> without a start tag", t.name)
	}
	f := &s.stack[n-1]
	if !bytes.Equal(f.name, t.name) {
		return s.fatal(t.at, ErrSyntax, "end tag </%s> does not match <%s> at %s", t.name, f.name, f.at)
	}
	s.stack = s.stack[:n-1]
	if s.inCont && s.c.depth == n-1 {
		s.closeContainer()
	} else {
		s.flushWS()
		s.out(t.raw)
		s.endBounds(n - 1)
	}
	if n == 1 {
		s.done = true
	}
	return nil
}

func hasLatLon(t *token) bool {
	lat, lon := false, false
	for _, a := range t.attrs {
		switch string(a.name) {
		case "lat":
			lat = true
		case "lon":
			lon = true
		}
	}
	return lat && lon
}

// openContainer begins holding a <trkseg> or <rte> back.
func (s *state) openContainer(r role, raw []byte) {
	t := &s.sc.tok
	c := &s.c
	c.role = r
	c.depth = len(s.stack)
	c.qname = append(c.qname[:0], t.name...)
	c.start = append(c.start[:0], raw...)
	c.indent = c.indent[:0]
	c.pending = c.pending[:0]
	if s.hold {
		c.indent = indentOf(c.indent, s.ws)
		c.pending = append(c.pending, s.ws...)
		s.hold = false
		s.ws = s.ws[:0]
	}
	c.pending = append(c.pending, raw...)
	c.headLen = len(c.pending)
	c.header = c.header[:0]
	c.headerDone = r != rRte
	c.started, c.seenPoint, c.gap, c.part = false, false, false, 0
	s.inCont = true
	if len(c.pending) > s.max {
		s.flushPending()
	}
}

// indentOf appends to dst the last line break of ws and the indentation
// after it, or ws itself when it holds no line break.
func indentOf(dst, ws []byte) []byte {
	k := bytes.LastIndexByte(ws, '\n')
	if k < 0 {
		return append(dst, ws...)
	}
	if k > 0 && ws[k-1] == '\r' {
		k--
	}
	return append(dst, ws[k:]...)
}

// closeContainer ends a <trkseg> or <rte>: it disappears when it had
// points and all were dropped.
func (s *state) closeContainer() {
	t := &s.sc.tok
	c := &s.c
	s.flushWS()
	if !c.started && c.seenPoint {
		c.pending = c.pending[:0]
		s.inCont = false
		return
	}
	s.out(t.raw)
	s.inCont = false
	if !c.started {
		s.write(c.pending)
		c.pending = c.pending[:0]
	}
}

// placed writes a point's bytes (nil when it was dropped), splitting the
// segment or route it stands in where points were dropped.
func (s *state) placed(body []byte, inCont bool) {
	if s.w == nil {
		return
	}
	c := &s.c
	if !inCont || !s.inCont {
		if body == nil {
			return
		}
		if s.inCont && !c.started {
			// A kept position elsewhere in a segment or route (a
			// misplaced point): the container can no longer disappear.
			s.startContainer()
		}
		s.out(body)
		return
	}
	if !c.headerDone {
		c.header = append(c.header[:0], c.pending[c.headLen:]...)
		c.headerDone = true
	}
	c.seenPoint = true
	if body == nil {
		if c.started && c.part > 0 {
			c.gap = true
		}
		return
	}
	if !c.started {
		s.startContainer()
	} else if c.gap {
		s.write(c.indent)
		s.write(endTagOpen)
		s.write(c.qname)
		s.write(tagClose)
		s.write(c.indent)
		s.write(c.start)
		s.write(c.header)
		c.gap = false
		c.part = 0
	}
	s.write(body)
	c.part++
}
