package kml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/geowarden/geowarden/format"
)

// tokKind is the kind of an XML token.
type tokKind uint8

const (
	tkText    tokKind = iota // character data (possibly one chunk of a longer run)
	tkStart                  // <name ...>
	tkEmpty                  // <name .../>
	tkEnd                    // </name>
	tkComment                // <!-- ... -->
	tkCDATA                  // <![CDATA[ ... ]]>
	tkPI                     // <?target ...?>, the XML declaration included
	tkDoctype                // <!DOCTYPE ...>
)

// token is one XML token: its kind and where its bytes lie (absolute
// offsets in the input). name is the qualified name of a tag, a slice of
// the scanner's buffer valid until the next call to next.
type token struct {
	kind       tokKind
	start, end int64
	name       []byte
	ws         bool // text made of white space only
}

// textChunk is the longest text token the scanner returns; longer runs of
// character data come as several tokens.
const textChunk = 32 << 10

// scanner splits an input into XML tokens, streaming, and checks that
// each token is well formed: names, attribute syntax, entity and character
// references, characters allowed by XML 1.0. It keeps the bytes from keep
// onwards in its buffer, so that a caller can capture a whole element.
type scanner struct {
	r    io.Reader
	name string // input name, for errors
	buf  []byte
	base int64 // absolute offset of buf[0]
	pos  int   // next unread byte
	end  int   // end of valid bytes
	keep int64 // absolute offset from which bytes are kept; -1 for none
	eof  bool
	rerr error

	maxTok int  // longest token other than text
	utf8   bool // the input is UTF-8: check the encoding

	// line cursor: line is the 1-based line of offset lnAbs, whose line
	// begins at lnStart.
	lnAbs, lnStart int64
	line           int
}

func newScanner(r io.Reader, name string, maxTok int) *scanner {
	return &scanner{r: r, name: name, buf: make([]byte, 64<<10), keep: -1, maxTok: maxTok, utf8: true, line: 1}
}

// abs returns the absolute offset of buffer index i.
func (s *scanner) abs(i int) int64 { return s.base + int64(i) }

// bytesAt returns the buffered bytes [from, to) (absolute offsets).
func (s *scanner) bytesAt(from, to int64) []byte {
	return s.buf[from-s.base : to-s.base]
}

// more reads more input into the buffer, discarding bytes before the
// current token (pos) and before keep. It returns false at the end of the
// input or on a read error.
func (s *scanner) more() bool {
	if s.eof {
		return false
	}
	drop := s.pos
	if s.keep >= 0 && s.keep-s.base < int64(drop) {
		drop = int(s.keep - s.base)
	}
	if drop > 0 && drop >= len(s.buf)/2 || s.end == len(s.buf) && drop > 0 {
		s.advanceLine(s.abs(drop))
		copy(s.buf, s.buf[drop:s.end])
		s.end -= drop
		s.pos -= drop
		s.base += int64(drop)
	}
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.eof = true
	s.rerr = io.ErrNoProgress
	return false
}

// advanceLine moves the line cursor forward to a (>= lnAbs, buffered).
func (s *scanner) advanceLine(a int64) {
	if a <= s.lnAbs {
		return
	}
	b := s.bytesAt(s.lnAbs, a)
	if n := bytes.Count(b, nl); n > 0 {
		s.line += n
		s.lnStart = s.lnAbs + int64(bytes.LastIndexByte(b, '\n')) + 1
	}
	s.lnAbs = a
}

var nl = []byte{'\n'}

// where returns the 1-based line and column (in bytes) of the buffered
// offset a. The column is 0 when the line's start is no longer buffered.
func (s *scanner) where(a int64) (line, col int) {
	if a >= s.lnAbs {
		s.advanceLine(a)
		return s.line, int(a-s.lnStart) + 1
	}
	if a < s.base {
		return 0, 0
	}
	b := s.bytesAt(a, s.lnAbs)
	n := bytes.Count(b, nl)
	if n == 0 {
		return s.line, int(a-s.lnStart) + 1
	}
	before := s.bytesAt(s.base, a)
	if k := bytes.LastIndexByte(before, '\n'); k >= 0 {
		return s.line - n, int(a-(s.base+int64(k)+1)) + 1
	}
	if s.base == 0 {
		return s.line - n, int(a) + 1
	}
	return s.line - n, 0
}

// errAt is a fatal ParseError at absolute offset a.
func (s *scanner) errAt(a int64, kind error, msg string, args ...any) *format.ParseError {
	line, col := s.where(a)
	return &format.ParseError{File: s.name, Line: line, Column: col, Offset: a, Err: &kmlError{kind: kind, msg: fmt.Sprintf(msg, args...)}}
}

// eofErr is the error for an input that ends inside a token.
func (s *scanner) eofErr(start int64, what string) error {
	if s.rerr != nil {
		return s.readErr()
	}
	return s.errAt(s.abs(s.end), ErrSyntax, "unexpected end of input in %s that begins at %s", what, s.lineColString(start))
}

func (s *scanner) readErr() error {
	return fmt.Errorf("kml: reading %s: %w", s.name, s.rerr)
}

func (s *scanner) lineColString(a int64) string {
	l, c := s.where(a)
	if c > 0 {
		return fmt.Sprintf("line %d, column %d", l, c)
	}
	return fmt.Sprintf("line %d", l)
}

// next returns the next token; io.EOF at the clean end of the input.
func (s *scanner) next() (token, error) {
	if s.pos == s.end && !s.more() {
		if s.rerr != nil {
			return token{}, s.readErr()
		}
		return token{}, io.EOF
	}
	if s.buf[s.pos] != '<' {
		return s.text()
	}
	for s.end-s.pos < 2 {
		if !s.more() {
			return token{}, s.eofErr(s.abs(s.pos), "a tag")
		}
	}
	switch s.buf[s.pos+1] {
	case '/':
		return s.endTag()
	case '?':
		return s.pi()
	case '!':
		return s.bang()
	}
	return s.startTag()
}

// text reads character data up to the next '<', at most textChunk bytes.
func (s *scanner) text() (token, error) {
	off := 0 // relative to s.pos
	found := false
	for {
		if k := bytes.IndexByte(s.buf[s.pos+off:s.end], '<'); k >= 0 {
			off += k
			found = true
			break
		}
		off = s.end - s.pos
		if off >= textChunk {
			break
		}
		if !s.more() {
			if s.rerr != nil {
				return token{}, s.readErr()
			}
			break
		}
	}
	n := off
	if n > textChunk {
		n = textChunk
		n = cutPoint(s.buf[s.pos : s.pos+n])
	} else if !found && !s.eof {
		n = cutPoint(s.buf[s.pos : s.pos+n])
	}
	b := s.buf[s.pos : s.pos+n]
	if err := s.checkText(b, s.abs(s.pos), true); err != nil {
		return token{}, err
	}
	t := token{kind: tkText, start: s.abs(s.pos), end: s.abs(s.pos + n), ws: isWS(b)}
	s.pos += n
	return t, nil
}

// cutPoint returns where a chunk of character data may be cut: before an
// unfinished reference and not inside a UTF-8 sequence.
func cutPoint(b []byte) int {
	n := len(b)
	if k := bytes.LastIndexByte(b, '&'); k > 0 && bytes.IndexByte(b[k:], ';') < 0 {
		n = k
	}
	for j := n - 1; j >= 0 && j >= n-utf8.UTFMax; j-- {
		if utf8.RuneStart(b[j]) {
			if b[j] >= utf8.RuneSelf && !utf8.FullRune(b[j:n]) && j > 0 {
				n = j
			}
			break
		}
	}
	return n
}

func isWS(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// checkText checks character data (refs: with references) at offset at.
func (s *scanner) checkText(b []byte, at int64, refs bool) error {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x20:
			if c != '\t' && c != '\n' && c != '\r' {
				return s.errAt(at+int64(i), ErrSyntax, "character U+%04X is not allowed in XML", c)
			}
		case c == '&' && refs:
			n, err := checkRef(b[i:])
			if err != "" {
				return s.errAt(at+int64(i), ErrSyntax, "%s", err)
			}
			i += n - 1
		case c >= utf8.RuneSelf && s.utf8:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				return s.errAt(at+int64(i), ErrSyntax, "invalid UTF-8")
			}
			if !isXMLChar(r) {
				return s.errAt(at+int64(i), ErrSyntax, "character U+%04X is not allowed in XML", r)
			}
			i += n - 1
		}
	}
	return nil
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// checkRef checks the reference at the start of b ("&...;"), returning
// its length or a message.
func checkRef(b []byte) (int, string) {
	end := bytes.IndexByte(b, ';')
	if end < 0 || end > 64 {
		return 0, "'&' not followed by a reference (write &amp;)"
	}
	ref := b[1:end]
	if len(ref) > 0 && ref[0] == '#' {
		if _, ok := charRef(ref[1:]); !ok {
			return 0, fmt.Sprintf("invalid character reference &%s;", ref)
		}
		return end + 1, ""
	}
	switch string(ref) {
	case "amp", "lt", "gt", "apos", "quot":
		return end + 1, ""
	}
	return 0, fmt.Sprintf("unknown entity &%s; (only the five XML entities are defined)", truncate(ref, 20))
}

// charRef decodes the digits of a character reference (after "&#").
func charRef(d []byte) (rune, bool) {
	base := 10
	if len(d) > 0 && d[0] == 'x' {
		base, d = 16, d[1:]
	}
	if len(d) == 0 || len(d) > 8 {
		return 0, false
	}
	var v rune
	for _, c := range d {
		var x rune
		switch {
		case '0' <= c && c <= '9':
			x = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			x = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			x = rune(c-'A') + 10
		default:
			return 0, false
		}
		v = v*rune(base) + x
		if v > 0x10FFFF {
			return 0, false
		}
	}
	return v, isXMLChar(v)
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// until finds pat at or after buffer index pos+off (off relative to the
// token start s.pos), reading more as needed. It returns the index of pat
// relative to s.pos, or -1 at the end of the input, -2 when the token
// grows beyond maxTok.
func (s *scanner) until(off int, pat []byte) int {
	for {
		if k := bytes.Index(s.buf[s.pos+off:s.end], pat); k >= 0 {
			if off+k > s.maxTok {
				return -2
			}
			return off + k
		}
		if s.end-s.pos > s.maxTok {
			return -2
		}
		off = max(off, s.end-s.pos-len(pat)+1)
		if !s.more() {
			return -1
		}
	}
}

func (s *scanner) tooLong(what string) error {
	return s.errAt(s.abs(s.pos), format.ErrTooLong, "%s longer than %d bytes", what, s.maxTok)
}

// need makes sure n bytes from pos are buffered; false at EOF.
func (s *scanner) need(n int) bool {
	for s.end-s.pos < n {
		if !s.more() {
			return false
		}
	}
	return true
}

var (
	commentOpen = []byte("<!--")
	commentEnd  = []byte("-->")
	cdataOpen   = []byte("<![CDATA[")
	cdataEnd    = []byte("]]>")
	doctypeOpen = []byte("<!DOCTYPE")
	piEnd       = []byte("?>")
)

func (s *scanner) bang() (token, error) {
	start := s.abs(s.pos)
	s.need(len(cdataOpen))
	b := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(b, commentOpen):
		k := s.until(4, commentEnd)
		switch k {
		case -1:
			return token{}, s.eofErr(start, "a comment")
		case -2:
			return token{}, s.tooLong("comment")
		}
		body := s.buf[s.pos+4 : s.pos+k]
		if j := bytes.Index(body, []byte("--")); j >= 0 {
			return token{}, s.errAt(start+4+int64(j), ErrSyntax, `"--" is not allowed inside a comment`)
		}
		if len(body) > 0 && body[len(body)-1] == '-' {
			return token{}, s.errAt(start+int64(3+len(body)), ErrSyntax, `"--" is not allowed inside a comment`)
		}
		if err := s.checkText(body, start+4, false); err != nil {
			return token{}, err
		}
		return s.emit(tkComment, k+3), nil
	case bytes.HasPrefix(b, cdataOpen):
		k := s.until(len(cdataOpen), cdataEnd)
		switch k {
		case -1:
			return token{}, s.eofErr(start, "a CDATA section")
		case -2:
			return token{}, s.tooLong("CDATA section")
		}
		if err := s.checkText(s.buf[s.pos+len(cdataOpen):s.pos+k], start+int64(len(cdataOpen)), false); err != nil {
			return token{}, err
		}
		return s.emit(tkCDATA, k+3), nil
	case bytes.HasPrefix(b, doctypeOpen):
		return s.doctype()
	}
	if len(b) < len(cdataOpen) && !s.eof {
		return token{}, s.eofErr(start, "markup")
	}
	return token{}, s.errAt(start, ErrSyntax, "expected a comment, CDATA section or DOCTYPE after '<!'")
}

func (s *scanner) emit(k tokKind, n int) token {
	t := token{kind: k, start: s.abs(s.pos), end: s.abs(s.pos + n)}
	s.pos += n
	return t
}

// doctype reads a document type declaration, with its internal subset.
func (s *scanner) doctype() (token, error) {
	start := s.abs(s.pos)
	i := len(doctypeOpen)
	var quote byte
	depth := 0 // inside the internal subset
	for {
		for ; s.pos+i < s.end; i++ {
			c := s.buf[s.pos+i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '[':
				depth++
			case c == ']':
				depth--
			case c == '>' && depth <= 0:
				if i > s.maxTok {
					return token{}, s.tooLong("DOCTYPE")
				}
				t := s.emit(tkDoctype, i+1)
				body := s.bytesAt(t.start, t.end)
				if err := s.checkText(body, t.start, false); err != nil {
					return token{}, err
				}
				if bytes.Contains(body, []byte("<!ENTITY")) {
					return token{}, s.errAt(t.start, ErrEntity, "a DOCTYPE that declares entities is refused (entity expansion)")
				}
				return t, nil
			}
		}
		if i > s.maxTok {
			return token{}, s.tooLong("DOCTYPE")
		}
		if !s.more() {
			return token{}, s.eofErr(start, "a DOCTYPE")
		}
	}
}

// pi reads a processing instruction or the XML declaration.
func (s *scanner) pi() (token, error) {
	start := s.abs(s.pos)
	k := s.until(2, piEnd)
	switch k {
	case -1:
		return token{}, s.eofErr(start, "a processing instruction")
	case -2:
		return token{}, s.tooLong("processing instruction")
	}
	body := s.buf[s.pos+2 : s.pos+k]
	n := nameLen(body)
	if n == 0 {
		return token{}, s.errAt(start+2, ErrSyntax, "expected a name after '<?'")
	}
	if n < len(body) && !isSpace(body[n]) {
		return token{}, s.errAt(start+2+int64(n), ErrSyntax, "expected white space after the processing instruction's target")
	}
	if err := s.checkText(body, start+2, false); err != nil {
		return token{}, err
	}
	t := s.emit(tkPI, k+2)
	t.name = s.buf[s.pos-k : s.pos-k+n]
	return t, nil
}

// nameLen returns the length of the XML name at the start of b (0 when
// there is none). Names are checked loosely for non-ASCII letters.
func nameLen(b []byte) int {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if isNameByte(c) && (i > 0 || !(c >= '0' && c <= '9' || c == '-' || c == '.')) {
				i++
				continue
			}
			return i
		}
		r, n := utf8.DecodeRune(b[i:])
		if !isNameRune(r, i == 0) {
			return i
		}
		i += n
	}
	return len(b)
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == ':' || c == '-' || c == '.'
}

// isNameRune reports whether a non-ASCII rune may appear in an XML name
// (XML 1.0 fifth edition ranges).
func isNameRune(r rune, first bool) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r >= 0x200C && r <= 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return true
	case !first && (r == 0xB7 || r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040):
		return true
	}
	return false
}

// endTag reads "</name>".
func (s *scanner) endTag() (token, error) {
	start := s.abs(s.pos)
	k := s.until(2, []byte{'>'})
	switch k {
	case -1:
		return token{}, s.eofErr(start, "an end tag")
	case -2:
		return token{}, s.tooLong("end tag")
	}
	body := s.buf[s.pos+2 : s.pos+k]
	n := nameLen(body)
	if n == 0 {
		return token{}, s.errAt(start+2, ErrSyntax, "expected a name after '</'")
	}
	if !isWS(body[n:]) {
		return token{}, s.errAt(start+2+int64(n), ErrSyntax, "expected '>' to end the end tag </%s>", truncate(body[:n], 40))
	}
	t := s.emit(tkEnd, k+1)
	t.name = s.buf[s.pos-k-1+2 : s.pos-k-1+2+n]
	return t, nil
}

// startTag reads "<name attr='v' ...>" or "<name .../>".
func (s *scanner) startTag() (token, error) {
	start := s.abs(s.pos)
	i := 1
	var quote byte
	for {
		for ; s.pos+i < s.end; i++ {
			c := s.buf[s.pos+i]
			if quote != 0 {
				if c == quote {
					quote = 0
				}
				continue
			}
			if c == '"' || c == '\'' {
				quote = c
			} else if c == '>' {
				if i > s.maxTok {
					return token{}, s.tooLong("start tag")
				}
				return s.finishStart(start, i+1)
			}
		}
		if i > s.maxTok {
			return token{}, s.tooLong("start tag")
		}
		if !s.more() {
			return token{}, s.eofErr(start, "a start tag")
		}
	}
}

// finishStart checks the start tag of n bytes at pos.
func (s *scanner) finishStart(start int64, n int) (token, error) {
	b := s.buf[s.pos : s.pos+n]
	nl := nameLen(b[1:])
	if nl == 0 {
		return token{}, s.errAt(start+1, ErrSyntax, "expected a name after '<'")
	}
	i := 1 + nl
	kind := tkStart
	for {
		j := i
		for j < n && isSpace(b[j]) {
			j++
		}
		if b[j] == '>' {
			break
		}
		if b[j] == '/' {
			if j+1 != n-1 {
				return token{}, s.errAt(start+int64(j), ErrSyntax, "expected '>' after '/' in a tag")
			}
			kind = tkEmpty
			break
		}
		if j == i {
			return token{}, s.errAt(start+int64(j), ErrSyntax, "expected white space, '>' or '/>' in the tag <%s>", truncate(b[1:1+nl], 40))
		}
		an := nameLen(b[j:])
		if an == 0 {
			return token{}, s.errAt(start+int64(j), ErrSyntax, "expected an attribute name in the tag <%s>", truncate(b[1:1+nl], 40))
		}
		j += an
		for j < n && isSpace(b[j]) {
			j++
		}
		if b[j] != '=' {
			return token{}, s.errAt(start+int64(j), ErrSyntax, "expected '=' after the attribute name %s", truncate(b[j-an:j], 40))
		}
		j++
		for j < n && isSpace(b[j]) {
			j++
		}
		q := b[j]
		if q != '"' && q != '\'' {
			return token{}, s.errAt(start+int64(j), ErrSyntax, "expected a quoted attribute value")
		}
		e := bytes.IndexByte(b[j+1:], q) + j + 1
		v := b[j+1 : e]
		if k := bytes.IndexByte(v, '<'); k >= 0 {
			return token{}, s.errAt(start+int64(j+1+k), ErrSyntax, "'<' is not allowed in an attribute value")
		}
		if err := s.checkText(v, start+int64(j+1), true); err != nil {
			return token{}, err
		}
		i = e + 1
	}
	t := s.emit(kind, n)
	t.name = s.buf[s.pos-n+1 : s.pos-n+1+nl]
	return t, nil
}

// attr returns the raw value of attribute name in start tag b (nil when
// absent). The tag is known to be well formed.
func attr(b []byte, name string) ([]byte, bool) {
	i := 1 + nameLen(b[1:])
	for i < len(b) {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] == '>' || b[i] == '/' {
			return nil, false
		}
		an := nameLen(b[i:])
		if an == 0 {
			return nil, false
		}
		a := b[i : i+an]
		i += an
		for i < len(b) && b[i] != '"' && b[i] != '\'' {
			i++
		}
		if i >= len(b) {
			return nil, false
		}
		q := b[i]
		e := bytes.IndexByte(b[i+1:], q)
		if e < 0 {
			return nil, false
		}
		v := b[i+1 : i+1+e]
		i += e + 2
		if string(a) == name {
			return v, true
		}
	}
	return nil, false
}

// localName strips the prefix of a qualified name.
func localName(q []byte) []byte {
	if k := bytes.IndexByte(q, ':'); k >= 0 {
		return q[k+1:]
	}
	return q
}

// prefixOf returns "p:" for "p:name", "" for "name".
func prefixOf(q []byte) []byte {
	if k := bytes.IndexByte(q, ':'); k >= 0 {
		return q[:k+1]
	}
	return nil
}
