package kml

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/geowarden/geowarden/format"
)

// Codec reads and rewrites KML 2.2 and 2.3 (and Google's gx: extensions).
// The zero value is ready to use.
type Codec struct{}

var _ format.Codec = Codec{}

// Name returns "kml".
func (Codec) Name() string { return "kml" }

var (
	bom     = []byte{0xEF, 0xBB, 0xBF}
	utf16BE = []byte{0xFE, 0xFF}
	utf16LE = []byte{0xFF, 0xFE}
)

// Detect reports whether head is KML: after an optional byte-order mark,
// XML declaration, comments, processing instructions and DOCTYPE, the root
// element is <kml> (with or without a prefix). An input named *.kml whose
// head is XML (or UTF-16, which Rewrite then refuses with a clear error)
// is recognised too.
func (Codec) Detect(name string, head []byte) bool {
	isKMLName := strings.EqualFold(extOf(name), ".kml")
	if bytes.HasPrefix(head, utf16BE) || bytes.HasPrefix(head, utf16LE) {
		return isKMLName
	}
	b := bytes.TrimPrefix(head, bom)
	i := 0
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != '<' {
			return false
		}
		rest := b[i:]
		var end []byte
		switch {
		case bytes.HasPrefix(rest, commentOpen):
			end = commentEnd
		case bytes.HasPrefix(rest, []byte("<?")):
			end = piEnd
		case bytes.HasPrefix(rest, doctypeOpen):
			// An internal subset may hold '>' (entity declarations).
			k := format.DoctypeLen(rest)
			if k < 0 {
				return isKMLName
			}
			i += k
			continue
		default:
			n := nameLen(rest[1:])
			if n == 0 {
				return false
			}
			if string(localName(rest[1:1+n])) == "kml" && (1+n == len(rest) || isSpace(rest[1+n]) || rest[1+n] == '>' || rest[1+n] == '/') {
				return true
			}
			return isKMLName
		}
		k := bytes.Index(rest, end)
		if k < 0 {
			// The head ends inside a long comment or declaration.
			return isKMLName
		}
		i += k + len(end)
	}
}

// extOf returns the extension of a name, with its dot ("" when none).
func extOf(name string) string {
	k := strings.LastIndexAny(name, `./\`)
	if k < 0 || name[k] != '.' {
		return ""
	}
	return name[k:]
}

// Rewrite reads r and calls h for every record; with a non-nil w it writes
// r back to w with the edits applied. See the package documentation for
// what is read, rewritten and passed through.
func (Codec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	if opts == nil {
		opts = &format.Options{}
	}
	rw := newRewriter(ctx, r, w, h, opts, opts.Name)
	return rw.run()
}

// rewriter is one KML rewrite.
type rewriter struct {
	ctx    context.Context
	s      *scanner
	w      *bufio.Writer // nil: scan only
	werr   error
	h      format.Handler
	name   string
	maxRec int
	roles  *roleTable

	stack    []open // open elements outside features
	names    []byte // their qualified names
	rootSeen bool
	rootDone bool
	latin1   bool
	nFeat    int
	ntok     int

	pendStart, pendEnd int64 // white space held back before a feature; pendStart < 0: none

	f   feature
	rec recState

	// hrefs, when set, is told the text of every <href> in the output
	// (kept) and of those in dropped features (dropped), for KMZ.
	hrefs  func(href string, dropped bool)
	inHref bool
	href   []byte
}

// open is an element open outside features.
type open struct {
	nameAt, nameEnd int
	line            int
}

func newRewriter(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options, name string) *rewriter {
	max := opts.MaxRecordBytes
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	if max > 1<<30 {
		max = 1 << 30
	}
	rw := &rewriter{
		ctx:       ctx,
		s:         newScanner(r, name, max),
		h:         h,
		name:      name,
		maxRec:    max,
		roles:     newRoleTable(opts.Columns),
		pendStart: -1,
	}
	if w != nil {
		rw.w = bufio.NewWriterSize(w, 64<<10)
	}
	return rw
}

func (rw *rewriter) write(b []byte) {
	if rw.w == nil || rw.werr != nil {
		return
	}
	if _, err := rw.w.Write(b); err != nil {
		rw.werr = fmt.Errorf("kml: writing: %w", err)
	}
}

// writeTok writes a token's bytes.
func (rw *rewriter) writeTok(t token) {
	if rw.w != nil {
		rw.write(rw.s.bytesAt(t.start, t.end))
	}
}

// flushPending writes the white space held back.
func (rw *rewriter) flushPending() {
	if rw.pendStart < 0 {
		return
	}
	if rw.w != nil {
		rw.write(rw.s.bytesAt(rw.pendStart, rw.pendEnd))
	}
	rw.pendStart = -1
	rw.s.keep = -1
}

func (rw *rewriter) run() error {
	if err := rw.ctx.Err(); err != nil {
		return err
	}
	if err := rw.prolog(); err != nil {
		return err
	}
	for {
		t, err := rw.s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if rw.ntok++; rw.ntok&1023 == 0 {
			if err := rw.ctx.Err(); err != nil {
				return err
			}
		}
		if err := rw.token(t); err != nil {
			return err
		}
		if rw.werr != nil {
			return rw.werr
		}
	}
	if !rw.rootDone {
		if n := len(rw.stack); n > 0 {
			top := rw.stack[n-1]
			return rw.s.errAt(rw.s.abs(rw.s.end), ErrSyntax, "unexpected end of input: <%s> opened at line %d is not closed", rw.names[top.nameAt:top.nameEnd], top.line)
		}
		return rw.s.errAt(rw.s.abs(rw.s.end), ErrNotKML, "no <kml> element")
	}
	rw.flushPending()
	if rw.w != nil && rw.werr == nil {
		if err := rw.w.Flush(); err != nil {
			return fmt.Errorf("kml: writing: %w", err)
		}
	}
	return rw.werr
}

// prolog handles a byte-order mark and refuses UTF-16.
func (rw *rewriter) prolog() error {
	s := rw.s
	s.need(4)
	b := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(b, bom):
		rw.write(bom)
		s.pos += len(bom)
	case bytes.HasPrefix(b, utf16BE), bytes.HasPrefix(b, utf16LE),
		len(b) >= 4 && (b[0] == 0 && b[1] == '<' || b[0] == '<' && b[1] == 0):
		return s.errAt(0, ErrNotKML, "UTF-16 and UTF-32 input is not supported (convert it to UTF-8)")
	}
	return nil
}

func (rw *rewriter) token(t token) error {
	s := rw.s
	switch t.kind {
	case tkText:
		if len(rw.stack) == 0 {
			if !t.ws {
				return s.errAt(t.start, ErrSyntax, "text outside the root element")
			}
			rw.writeTok(t)
			return nil
		}
		if t.ws {
			if rw.pendStart >= 0 && rw.pendEnd == t.start && t.end-rw.pendStart <= 64<<10 {
				rw.pendEnd = t.end
				return nil
			}
			rw.flushPending()
			rw.pendStart, rw.pendEnd = t.start, t.end
			s.keep = t.start
			return nil
		}
		rw.flushPending()
		if rw.inHref {
			rw.addHref(s.bytesAt(t.start, t.end))
		}
		rw.writeTok(t)
	case tkPI:
		if strings.EqualFold(string(t.name), "xml") {
			if t.start != 0 && !(t.start == int64(len(bom)) && rw.bomSeen()) {
				return s.errAt(t.start, ErrSyntax, "the XML declaration must come first")
			}
			if err := rw.decl(t); err != nil {
				return err
			}
		}
		rw.flushPending()
		rw.writeTok(t)
	case tkDoctype:
		if rw.rootSeen {
			return s.errAt(t.start, ErrSyntax, "DOCTYPE after the root element")
		}
		rw.writeTok(t)
	case tkComment:
		rw.flushPending()
		rw.writeTok(t)
	case tkCDATA:
		if len(rw.stack) == 0 {
			return s.errAt(t.start, ErrSyntax, "CDATA section outside the root element")
		}
		rw.flushPending()
		if rw.inHref {
			rw.addHref(s.bytesAt(t.start, t.end))
		}
		rw.writeTok(t)
	case tkStart, tkEmpty:
		if rw.rootDone {
			return s.errAt(t.start, ErrSyntax, "a second root element <%s>", truncate(t.name, 40))
		}
		local := localName(t.name)
		if !rw.rootSeen {
			if string(local) != "kml" {
				return s.errAt(t.start, ErrNotKML, "the root element is <%s>, not <kml>", truncate(t.name, 40))
			}
			rw.rootSeen = true
		} else if c := codeOf(local); isFeature(c) || isGeometry(c) || isFileElement(c) {
			return rw.capture(t, c)
		}
		rw.flushPending()
		rw.writeTok(t)
		if t.kind == tkEmpty {
			if len(rw.stack) == 0 {
				rw.rootDone = true
			}
			return nil
		}
		if err := rw.push(t); err != nil {
			return err
		}
		if rw.hrefs != nil && string(local) == "href" {
			rw.inHref, rw.href = true, rw.href[:0]
		}
	case tkEnd:
		if err := rw.pop(t); err != nil {
			return err
		}
		if rw.inHref {
			rw.inHref = false
			rw.hrefs(decodeHref(rw.href, rw.latin1), false)
		}
		rw.flushPending()
		rw.writeTok(t)
		if len(rw.stack) == 0 {
			rw.rootDone = true
		}
	}
	return nil
}

func (rw *rewriter) bomSeen() bool {
	return rw.s.base == 0 && rw.s.end >= 3 && bytes.Equal(rw.s.buf[:3], bom)
}

func (rw *rewriter) addHref(b []byte) {
	if len(rw.href)+len(b) <= 4096 {
		rw.href = append(rw.href, b...)
	}
}

// push records an open element outside features.
func (rw *rewriter) push(t token) error {
	if len(rw.stack) >= MaxDepth {
		return rw.s.errAt(t.start, ErrDepth, "elements nested more than %d deep", MaxDepth)
	}
	line, _ := rw.s.where(t.start)
	at := len(rw.names)
	rw.names = append(rw.names, t.name...)
	rw.stack = append(rw.stack, open{nameAt: at, nameEnd: len(rw.names), line: line})
	return nil
}

// pop checks an end tag against the innermost open element.
func (rw *rewriter) pop(t token) error {
	n := len(rw.stack)
	if n == 0 {
		return rw.s.errAt(t.start, ErrSyntax, "end tag </%s> without a start tag", truncate(t.name, 40))
	}
	top := rw.stack[n-1]
	if want := rw.names[top.nameAt:top.nameEnd]; !bytes.Equal(want, t.name) {
		return rw.s.errAt(t.start, ErrSyntax, "expected </%s> to close the element opened at line %d, found </%s>", truncate(want, 40), top.line, truncate(t.name, 40))
	}
	rw.stack = rw.stack[:n-1]
	rw.names = rw.names[:top.nameAt]
	return nil
}

// decl reads the encoding of the XML declaration.
func (rw *rewriter) decl(t token) error {
	b := rw.s.bytesAt(t.start, t.end)
	enc, ok := attr(b[1:len(b)-1], "encoding")
	if !ok {
		return nil
	}
	e := strings.ToLower(string(enc))
	switch {
	case e == "utf-8" || e == "utf8" || e == "us-ascii" || e == "ascii":
	case strings.HasPrefix(e, "utf-16") || strings.HasPrefix(e, "utf-32") || strings.HasPrefix(e, "ucs-") || strings.HasPrefix(e, "utf16") || strings.HasPrefix(e, "utf32") || strings.Contains(e, "ebcdic") || strings.HasPrefix(e, "ibm0") || strings.HasPrefix(e, "cp0"):
		return rw.s.errAt(t.start, ErrNotKML, "encoding %q is not supported (convert the file to UTF-8)", enc)
	default:
		// An ASCII-compatible single- or multi-byte encoding: markup and
		// numbers read the same; only text values differ.
		rw.s.utf8 = false
		rw.latin1 = e == "iso-8859-1" || e == "latin1" || e == "latin-1" || e == "windows-1252" || e == "cp1252" || e == "iso8859-1"
	}
	return nil
}

// isFeature reports whether elements of code c are features read whole.
func isFeature(c code) bool {
	return c == cPlacemark || c == cGroundOverlay || c == cPhotoOverlay || c == cNetworkLink
}

// isGeometry reports whether elements of code c are geometries. One
// outside any feature (in an Update's Change) is read as a feature of its
// own, so that its positions are checked too.
func isGeometry(c code) bool {
	switch c {
	case cPoint, cLineString, cLinearRing, cPolygon, cMultiGeometry, cMultiPolygon, cMultiLineString, cMultiPoint, cTrack, cMultiTrack, cModel:
		return true
	}
	return false
}
