package gpx

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
	tText    tokKind = iota // character data (maybe a chunk of a long run)
	tStart                  // a start tag or an empty-element tag
	tEnd                    // an end tag
	tComment                // <!-- ... -->
	tPI                     // <? ... ?>, the XML declaration included
	tCDATA                  // <![CDATA[ ... ]]>
	tDoctype                // <!DOCTYPE ...> without an internal subset
)

// attr is one attribute of a start tag.
type attr struct {
	name   []byte // qualified name
	val    []byte // raw value, between the quotes, references not resolved
	valAt  int    // offset of val in the token
	nameAt int    // offset of name in the token
	quote  byte
}

// token is one XML token. Its slices point into the scanner's buffer and
// are valid until the next call to next.
type token struct {
	kind  tokKind
	raw   []byte // the token's bytes, exactly as in the input
	at    pos    // where raw starts
	name  []byte // tags: the qualified name; PI: the target
	empty bool   // an empty-element tag <x/>
	attrs []attr
	ws    bool // text: only white space
	whole bool // text: the whole run between two pieces of markup
}

// textChunk is the most text returned in one token; longer runs come in
// several tokens.
const textChunk = 64 << 10

// scanner splits an input into XML tokens, checking that each is well
// formed on its own (names, attributes, references, characters). The
// nesting of elements is checked by its caller.
type scanner struct {
	r     io.Reader
	file  string
	buf   []byte
	pos   int // buf[pos:end] is unread
	end   int
	at    pos // location of buf[pos]
	rerr  error
	max   int // longest token
	limit int // largest buffer
	chunk int // longest text token
	utf   bool
	tok   token
	cont  bool // the last text token was cut short
	seen  map[string]struct{}
}

func newScanner(r io.Reader, file string, max int) *scanner {
	s := &scanner{r: r, file: file, max: max, utf: true, at: pos{line: 1, col: 1}}
	s.limit = max + 64
	s.chunk = min(textChunk, max)
	s.buf = make([]byte, min(64<<10, s.limit))
	return s
}

// more reads at least one more byte into the buffer. It returns false at
// the end of the input, on a read error, or when the buffer holds limit
// unread bytes.
func (s *scanner) more() bool {
	if s.rerr != nil {
		return false
	}
	if s.end == len(s.buf) || s.pos > len(s.buf)/2 {
		if s.pos > 0 {
			copy(s.buf, s.buf[s.pos:s.end])
			s.end -= s.pos
			s.pos = 0
		}
		if s.end == len(s.buf) {
			if len(s.buf) >= s.limit {
				return false
			}
			nb := make([]byte, min(2*len(s.buf), s.limit))
			copy(nb, s.buf[:s.end])
			s.buf = nb
		}
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.rerr = io.ErrNoProgress
	return false
}

// need reads until n bytes are unread, and reports whether they are.
func (s *scanner) need(n int) bool {
	for s.end-s.pos < n && s.more() {
	}
	return s.end-s.pos >= n
}

// consume moves past n bytes.
func (s *scanner) consume(n int) {
	s.at = s.at.advance(s.buf[s.pos:s.end], n)
	s.pos += n
}

// errAt is a syntax error at offset k of the current token.
func (s *scanner) errAt(k int, kind error, format string, args ...any) error {
	p := s.at.advance(s.buf[s.pos:s.end], k)
	return parseErr(s.file, p, newErr(kind, format, args...))
}

// stopped is the error for a token that does not end: a read error, the
// end of the input, or the size limit.
func (s *scanner) stopped(what string) error {
	switch {
	case s.rerr == nil || s.end-s.pos >= s.max:
		return parseErr(s.file, s.at, &gpxError{kind: format.ErrTooLong, msg: fmt.Sprintf("%s longer than %d bytes", what, s.max)})
	case errors.Is(s.rerr, io.EOF):
		return parseErr(s.file, s.at, newErr(ErrSyntax, "unexpected end of input in %s", what))
	}
	return s.readErr()
}

func (s *scanner) readErr() error {
	return fmt.Errorf("gpx: reading %s: %w", s.file, s.rerr)
}

// find returns the offset of pat in the current token, searching from
// offset from and reading as needed.
func (s *scanner) find(from int, pat string, what string) (int, error) {
	for {
		if k := bytes.Index(s.buf[s.pos+from:s.end], []byte(pat)); k >= 0 {
			return from + k, nil
		}
		if n := s.end - s.pos - len(pat) + 1; n > from {
			from = n
		}
		if s.end-s.pos > s.max || !s.more() {
			return -1, s.stopped(what)
		}
	}
}

// next reads the next token into s.tok. It returns io.EOF at the end of
// the input.
func (s *scanner) next() error {
	if n := len(s.tok.raw); n > 0 {
		s.consume(n)
		s.tok.raw = nil
	}
	if s.pos == s.end && !s.more() {
		if s.rerr != nil && !errors.Is(s.rerr, io.EOF) {
			return s.readErr()
		}
		return io.EOF
	}
	t := &s.tok
	t.at = s.at
	t.name, t.empty, t.attrs, t.ws, t.whole = nil, false, t.attrs[:0], false, false
	if s.buf[s.pos] != '<' {
		return s.text()
	}
	s.cont = false
	if !s.need(2) {
		return s.stopped("markup")
	}
	var err error
	switch s.buf[s.pos+1] {
	case '/':
		err = s.endTag()
	case '?':
		err = s.pi()
	case '!':
		err = s.bang()
	default:
		err = s.startTag()
	}
	if err != nil {
		return err
	}
	if k, msg := checkChars(t.raw, s.utf); k >= 0 {
		return s.errAt(k, ErrSyntax, "%s", msg)
	}
	return nil
}

func (s *scanner) text() error {
	t := &s.tok
	t.kind = tText
	t.whole = !s.cont
	n := 0
	for {
		b := s.buf[s.pos:s.end]
		if j := bytes.IndexByte(b[n:], '<'); j >= 0 {
			n += j
			s.cont = false
			break
		}
		n = len(b)
		if n >= s.chunk {
			n = s.cut(b[:s.chunk])
			t.whole = false
			s.cont = true
			break
		}
		if !s.more() {
			if s.rerr != nil && !errors.Is(s.rerr, io.EOF) {
				return s.readErr()
			}
			s.cont = false
			n = s.end - s.pos
			break
		}
	}
	t.raw = s.buf[s.pos : s.pos+n]
	t.ws = allSpace(t.raw)
	if t.ws {
		return nil
	}
	if k, msg := checkChars(t.raw, s.utf); k >= 0 {
		return s.errAt(k, ErrSyntax, "%s", msg)
	}
	if k, msg := checkRefs(t.raw); k >= 0 {
		return s.errAt(k, ErrSyntax, "%s", msg)
	}
	if k := bytes.Index(t.raw, []byte("]]>")); k >= 0 {
		return s.errAt(k, ErrSyntax, "']]>' is not allowed in text")
	}
	return nil
}

// cut returns where to end a chunk of text b: before an unfinished
// reference, a partial UTF-8 character or a trailing ']'.
func (s *scanner) cut(b []byte) int {
	n := len(b)
	if j := bytes.LastIndexByte(b, '&'); j > 0 && n-j < maxRefLen && bytes.IndexByte(b[j:], ';') < 0 {
		n = j
	}
	for n > 1 && b[n-1] == ']' {
		n--
	}
	if s.utf {
		for k := n; k > 1 && k > n-4; k-- {
			if b[k-1] < 0x80 {
				break
			}
			if b[k-1] >= 0xC0 { // a lead byte: cut before it
				n = k - 1
				break
			}
		}
	}
	if n == 0 {
		n = len(b)
	}
	return n
}

func (s *scanner) endTag() error {
	t := &s.tok
	t.kind = tEnd
	e, err := s.find(2, ">", "end tag")
	if err != nil {
		return err
	}
	raw := s.buf[s.pos : s.pos+e+1]
	n := scanName(raw[2:], s.utf)
	if n == 0 {
		return s.errAt(2, ErrSyntax, "expected an element name after '</', found %s", describe(raw[2]))
	}
	if n > MaxNameBytes {
		return s.errAt(2, format.ErrTooLong, "element name longer than %d bytes", MaxNameBytes)
	}
	t.name = raw[2 : 2+n]
	i := 2 + n
	for isSpace(raw[i]) {
		i++
	}
	if raw[i] != '>' {
		return s.errAt(i, ErrSyntax, "expected '>' to end </%s, found %s", t.name, describe(raw[i]))
	}
	t.raw = raw
	return nil
}

func (s *scanner) pi() error {
	t := &s.tok
	t.kind = tPI
	e, err := s.find(2, "?>", "processing instruction")
	if err != nil {
		return err
	}
	raw := s.buf[s.pos : s.pos+e+2]
	n := scanName(raw[2:], s.utf)
	if n == 0 {
		return s.errAt(2, ErrSyntax, "expected a processing-instruction target after '<?', found %s", describe(raw[2]))
	}
	t.name = raw[2 : 2+n]
	if i := 2 + n; i < e && !isSpace(raw[i]) {
		return s.errAt(i, ErrSyntax, "expected white space or '?>' after <?%s, found %s", t.name, describe(raw[i]))
	}
	t.raw = raw
	return nil
}

func (s *scanner) bang() error {
	t := &s.tok
	s.need(9)
	b := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(b, []byte("<!--")):
		t.kind = tComment
		e, err := s.find(4, "-->", "comment")
		if err != nil {
			return err
		}
		raw := s.buf[s.pos : s.pos+e+3]
		body := raw[4:e]
		if k := bytes.Index(body, []byte("--")); k >= 0 {
			return s.errAt(4+k, ErrSyntax, "'--' is not allowed inside a comment")
		}
		if len(body) > 0 && body[len(body)-1] == '-' {
			return s.errAt(e-1, ErrSyntax, "a comment must not end with '--->'")
		}
		t.raw = raw
	case bytes.HasPrefix(b, []byte("<![CDATA[")):
		t.kind = tCDATA
		e, err := s.find(9, "]]>", "CDATA section")
		if err != nil {
			return err
		}
		t.raw = s.buf[s.pos : s.pos+e+3]
	case bytes.HasPrefix(b, []byte("<!DOCTYPE")):
		t.kind = tDoctype
		return s.doctype()
	default:
		if len(b) < 9 && s.rerr != nil {
			return s.stopped("markup")
		}
		return s.errAt(0, ErrSyntax, "expected '<!--', '<![CDATA[' or '<!DOCTYPE' after '<!'")
	}
	return nil
}

// doctype reads a DOCTYPE declaration, refusing one with an internal
// subset.
func (s *scanner) doctype() error {
	var q byte
	i := 9
	for {
		b := s.buf[s.pos:s.end]
		for ; i < len(b); i++ {
			c := b[i]
			if q != 0 {
				if c == q {
					q = 0
				}
				continue
			}
			switch c {
			case '"', '\'':
				q = c
			case '[':
				return s.errAt(i, ErrDTD, "a DOCTYPE with an internal subset (entity or attribute declarations) is refused")
			case '>':
				s.tok.raw = b[:i+1]
				if i == 9 || !isSpace(b[9]) {
					return s.errAt(9, ErrSyntax, "expected white space and a name after '<!DOCTYPE'")
				}
				return nil
			}
		}
		if len(b) > s.max || !s.more() {
			return s.stopped("DOCTYPE declaration")
		}
	}
}

// describeRune names the character at the start of b for an error
// message.
func (s *scanner) describeRune(b []byte) string {
	if b[0] < utf8.RuneSelf || !s.utf {
		return describe(b[0])
	}
	r, n := utf8.DecodeRune(b)
	if r == utf8.RuneError && n <= 1 {
		return describe(b[0])
	}
	return fmt.Sprintf("character %q (U+%04X)", r, r)
}

// tagEnd finds the '>' that ends a start tag, skipping quoted attribute
// values; it stops at a '<', which no tag may hold.
func (s *scanner) tagEnd() (int, error) {
	var q byte
	i := 1
	for {
		b := s.buf[s.pos:s.end]
		for ; i < len(b); i++ {
			c := b[i]
			switch {
			case c == '<':
				if q != 0 {
					return -1, s.errAt(i, ErrSyntax, "'<' is not allowed in an attribute value (write &lt;)")
				}
				return -1, s.errAt(i, ErrSyntax, "expected '>' or '/>' to end the tag, found '<'")
			case q != 0:
				if c == q {
					q = 0
				}
			case c == '"' || c == '\'':
				q = c
			case c == '>':
				return i, nil
			}
		}
		if len(b) > s.max || !s.more() {
			return -1, s.stopped("start tag")
		}
	}
}

func (s *scanner) startTag() error {
	t := &s.tok
	t.kind = tStart
	e, err := s.tagEnd()
	if err != nil {
		return err
	}
	raw := s.buf[s.pos : s.pos+e+1]
	n := scanName(raw[1:], s.utf)
	if n == 0 {
		return s.errAt(1, ErrSyntax, "expected an element name after '<', found %s", describe(raw[1]))
	}
	if n > MaxNameBytes {
		return s.errAt(1, format.ErrTooLong, "element name longer than %d bytes", MaxNameBytes)
	}
	t.name = raw[1 : 1+n]
	i := 1 + n
	for {
		j := i
		for isSpace(raw[j]) {
			j++
		}
		c := raw[j]
		if c == '>' {
			break
		}
		if c == '/' {
			if raw[j+1] != '>' {
				return s.errAt(j+1, ErrSyntax, "expected '>' after '/' in <%s", t.name)
			}
			t.empty = true
			break
		}
		if j == i {
			if i == 1+len(t.name) && c != '"' && c != '\'' && c != '=' {
				return s.errAt(j, ErrSyntax, "%s is not allowed in a name (in <%s)", s.describeRune(raw[j:]), t.name)
			}
			return s.errAt(j, ErrSyntax, "expected white space, '/>' or '>' in <%s, found %s", t.name, describe(c))
		}
		i = j
		n := scanName(raw[i:], s.utf)
		if n == 0 {
			return s.errAt(i, ErrSyntax, "expected an attribute name, '/>' or '>' in <%s, found %s", t.name, describe(c))
		}
		if n > MaxNameBytes {
			return s.errAt(i, format.ErrTooLong, "attribute name longer than %d bytes", MaxNameBytes)
		}
		nameAt := i
		name := raw[i : i+n]
		i += n
		for isSpace(raw[i]) {
			i++
		}
		if raw[i] != '=' {
			return s.errAt(i, ErrSyntax, "expected '=' after attribute %s in <%s, found %s", name, t.name, describe(raw[i]))
		}
		i++
		for isSpace(raw[i]) {
			i++
		}
		q := raw[i]
		if q != '"' && q != '\'' {
			return s.errAt(i, ErrSyntax, "expected a quoted value for attribute %s in <%s, found %s", name, t.name, describe(q))
		}
		k := bytes.IndexByte(raw[i+1:], q)
		if k < 0 {
			return s.errAt(i, ErrSyntax, "attribute %s in <%s has no closing quote", name, t.name)
		}
		val := raw[i+1 : i+1+k]
		if r, msg := checkRefs(val); r >= 0 {
			return s.errAt(i+1+r, ErrSyntax, "%s", msg)
		}
		if s.duplicate(name) {
			return s.errAt(nameAt, ErrSyntax, "duplicate attribute %s in <%s", name, t.name)
		}
		if len(t.attrs) >= MaxAttrs {
			return s.errAt(i, format.ErrTooLong, "more than %d attributes in <%s", MaxAttrs, t.name)
		}
		t.attrs = append(t.attrs, attr{name: name, val: val, valAt: i + 1, nameAt: nameAt, quote: q})
		i += k + 2
	}
	t.raw = raw
	return nil
}

// duplicate reports whether the current start tag already has an attribute
// with this name.
func (s *scanner) duplicate(name []byte) bool {
	t := &s.tok
	const linear = 16
	if len(t.attrs) < linear {
		for _, a := range t.attrs {
			if bytes.Equal(a.name, name) {
				return true
			}
		}
		return false
	}
	if len(t.attrs) == linear {
		if s.seen == nil {
			s.seen = map[string]struct{}{}
		}
		clear(s.seen)
		for _, a := range t.attrs {
			s.seen[string(a.name)] = struct{}{}
		}
	}
	if _, ok := s.seen[string(name)]; ok {
		return true
	}
	s.seen[string(name)] = struct{}{}
	return false
}
