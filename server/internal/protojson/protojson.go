// Package protojson reads the JSON bodies of the gateway's device protocols
// (OwnTracks, geosubmit, OsmAnd's JSON form) strictly, keeping the byte span
// of every value, so that a protocol forwards a kept message byte for byte
// and writes an edit back by splicing only the bytes it changes.
//
// Strict means that what one JSON reader could take differently from another
// is refused: duplicate member names (compared after unescaping), invalid
// UTF-8, control characters in strings, numbers outside the JSON grammar or
// longer than MaxNumber bytes, nesting deeper than MaxDepth, anything but
// blanks after the value. Such bytes would let a device send a position that
// geowarden reads one way and the upstream another.
package protojson

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/geowarden/geowarden/format"
)

// Limits of the reader.
const (
	MaxDepth  = 32  // nesting of arrays and objects
	MaxNumber = 400 // bytes of one number
)

// Kind is the type of a JSON value.
type Kind uint8

// Kinds.
const (
	Null Kind = iota + 1
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"", "null", "boolean", "number", "string", "array", "object"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Node is one value of a document. Nodes are numbered in document order;
// the root is node 0.
type Node struct {
	Kind Kind
	// Start and End are the value's bytes in Doc.Src (quotes included for
	// a string).
	Start, End int
	// KeyStart and KeyEnd are the member name's bytes, quotes included,
	// when the node is a member of an object; KeyStart is -1 otherwise.
	KeyStart, KeyEnd int
	// Parent is the enclosing array or object (-1 for the root); First the
	// first child and Next the next sibling (-1 when there is none); Len
	// the number of children; Pos the node's place among its parent's
	// children.
	Parent, First, Next, Len, Pos int
	// Esc: the string (or the member name, KeyEsc) holds escapes.
	Esc, KeyEsc bool
}

// Doc is a parsed document. Its nodes point into Src, which the caller must
// not change while the Doc is in use.
type Doc struct {
	Src   []byte
	Nodes []Node
	buf   []byte
}

// Error is a syntax error, at a byte offset of the document.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("byte %d: %s", e.Offset, e.Msg) }

// Parse reads src, which must hold exactly one JSON value with optional
// blanks around it. d's buffers are reused.
func (d *Doc) Parse(src []byte) error {
	d.Src, d.Nodes = src, d.Nodes[:0]
	if want := len(src)/12 + 4; cap(d.Nodes) < want {
		d.Nodes = make([]Node, 0, want) // about one node per dozen bytes
	}
	p := parser{d: d, src: src}
	i := p.ws(0)
	if i == len(src) {
		return &Error{i, "no JSON value"}
	}
	end, err := p.value(i, -1, -1, -1, 0)
	if err != nil {
		return err
	}
	if end = p.ws(end); end != len(src) {
		return &Error{end, "unexpected " + quoteByte(src[end]) + " after the JSON value"}
	}
	return nil
}

// Parse parses src into a new Doc.
func Parse(src []byte) (*Doc, error) {
	d := &Doc{}
	if err := d.Parse(src); err != nil {
		return nil, err
	}
	return d, nil
}

type parser struct {
	d   *Doc
	src []byte
}

func (p *parser) ws(i int) int {
	for i < len(p.src) {
		switch p.src[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// value parses the value at i (not a blank) as a child of parent, whose
// member name (when parent is an object) is at ks..ke. It returns the end
// of the value.
func (p *parser) value(i, parent, ks, ke, depth int) (int, error) {
	src := p.src
	n := len(p.d.Nodes)
	p.d.Nodes = append(p.d.Nodes, Node{Start: i, KeyStart: ks, KeyEnd: ke, Parent: parent, First: -1, Next: -1})
	if ks >= 0 {
		p.d.Nodes[n].KeyEsc = bytes.IndexByte(src[ks:ke], '\\') >= 0
	}
	var end int
	var err error
	switch c := src[i]; {
	case c == '{':
		p.d.Nodes[n].Kind = Object
		end, err = p.container(i, n, depth+1, '}')
	case c == '[':
		p.d.Nodes[n].Kind = Array
		end, err = p.container(i, n, depth+1, ']')
	case c == '"':
		p.d.Nodes[n].Kind = String
		var esc bool
		end, esc, err = p.str(i)
		p.d.Nodes[n].Esc = esc
	case c == '-' || c >= '0' && c <= '9':
		p.d.Nodes[n].Kind = Number
		end, err = p.number(i)
	case c == 't':
		p.d.Nodes[n].Kind = Bool
		end, err = p.literal(i, "true")
	case c == 'f':
		p.d.Nodes[n].Kind = Bool
		end, err = p.literal(i, "false")
	case c == 'n':
		p.d.Nodes[n].Kind = Null
		end, err = p.literal(i, "null")
	default:
		return 0, &Error{i, "unexpected " + quoteByte(c) + ", want a JSON value"}
	}
	if err != nil {
		return 0, err
	}
	p.d.Nodes[n].End = end
	return end, nil
}

func (p *parser) literal(i int, lit string) (int, error) {
	if !bytes.HasPrefix(p.src[i:], []byte(lit)) {
		return 0, &Error{i, "invalid literal, want " + lit}
	}
	return i + len(lit), nil
}

func (p *parser) number(i int) (int, error) {
	src, start := p.src, i
	digits := func() int {
		k := i
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		return i - k
	}
	if src[i] == '-' {
		i++
	}
	switch nd := digits(); {
	case nd == 0:
		return 0, &Error{start, "invalid number"}
	case nd > 1 && src[i-nd] == '0':
		return 0, &Error{start, "invalid number: leading zero"}
	}
	if i < len(src) && src[i] == '.' {
		i++
		if digits() == 0 {
			return 0, &Error{start, "invalid number: no digit after '.'"}
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, &Error{start, "invalid number: no digit in the exponent"}
		}
	}
	if i-start > MaxNumber {
		return 0, &Error{start, fmt.Sprintf("number of %d bytes (at most %d)", i-start, MaxNumber)}
	}
	return i, nil
}

// str reads the string whose opening quote is at i, and returns its end
// (after the closing quote) and whether it holds escapes.
func (p *parser) str(i int) (int, bool, error) {
	src, start := p.src, i
	esc := false
	i++
	for i < len(src) {
		c := src[i]
		switch {
		case c == '"':
			return i + 1, esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(src) {
				return 0, false, &Error{start, "unterminated string"}
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(src) || !isHex4(src[i+2:i+6]) {
					return 0, false, &Error{i, `invalid \u escape`}
				}
				i += 6
			default:
				return 0, false, &Error{i, "invalid escape " + quoteByte(src[i+1])}
			}
		case c < 0x20:
			return 0, false, &Error{i, "control character " + quoteByte(c) + " in a string"}
		case c < 0x80:
			i++
		default:
			r, w := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && w <= 1 {
				return 0, false, &Error{i, "invalid UTF-8 in a string"}
			}
			i += w
		}
	}
	return 0, false, &Error{start, "unterminated string"}
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// container reads the elements of the array, or the members of the
// object (close '}'), node n, whose opening bracket is at i.
func (p *parser) container(i, n, depth int, close byte) (int, error) {
	what := "array"
	if close == '}' {
		what = "object"
	}
	if depth > MaxDepth {
		return 0, &Error{i, fmt.Sprintf("nesting deeper than %d", MaxDepth)}
	}
	src := p.src
	i = p.ws(i + 1)
	if i < len(src) && src[i] == close {
		return i + 1, nil
	}
	prev := -1
	for {
		if i >= len(src) {
			return 0, &Error{i, "unterminated " + what}
		}
		ks, ke := -1, -1
		if close == '}' {
			if src[i] != '"' {
				return 0, &Error{i, "unexpected " + quoteByte(src[i]) + ", want a member name"}
			}
			var err error
			if ke, _, err = p.str(i); err != nil {
				return 0, err
			}
			ks, i = i, p.ws(ke)
			if i >= len(src) || src[i] != ':' {
				return 0, &Error{i, "want ':' after a member name"}
			}
			if i = p.ws(i + 1); i >= len(src) {
				return 0, &Error{i, "unterminated object"}
			}
		}
		c := len(p.d.Nodes)
		end, err := p.value(i, n, ks, ke, depth)
		if err != nil {
			return 0, err
		}
		p.link(n, prev, c)
		prev = c
		i = p.ws(end)
		if i >= len(src) {
			return 0, &Error{i, "unterminated " + what}
		}
		switch src[i] {
		case ',':
			i = p.ws(i + 1)
		case close:
			if close == '}' {
				return i + 1, p.unique(n)
			}
			return i + 1, nil
		default:
			return 0, &Error{i, "unexpected " + quoteByte(src[i]) + " in an " + what + ", want ',' or '" + string(close) + "'"}
		}
	}
}

func (p *parser) link(parent, prev, c int) {
	if prev < 0 {
		p.d.Nodes[parent].First = c
	} else {
		p.d.Nodes[prev].Next = c
	}
	p.d.Nodes[c].Pos = p.d.Nodes[parent].Len
	p.d.Nodes[parent].Len++
}

// unique refuses an object with two members of the same name.
func (p *parser) unique(n int) error {
	d := p.d
	if d.Nodes[n].Len <= 16 {
		for a := d.Nodes[n].First; a >= 0; a = d.Nodes[a].Next {
			for b := d.Nodes[a].Next; b >= 0; b = d.Nodes[b].Next {
				if d.sameKey(a, b) {
					return d.dupError(b)
				}
			}
		}
		return nil
	}
	seen := make(map[string]struct{}, d.Nodes[n].Len)
	for a := d.Nodes[n].First; a >= 0; a = d.Nodes[a].Next {
		k := string(d.Key(a, nil))
		if _, ok := seen[k]; ok {
			return d.dupError(a)
		}
		seen[k] = struct{}{}
	}
	return nil
}

func (d *Doc) dupError(a int) error {
	return &Error{d.Nodes[a].KeyStart, fmt.Sprintf("duplicate member %s", strconv.Quote(string(d.Key(a, nil))))}
}

func (d *Doc) sameKey(a, b int) bool {
	na, nb := &d.Nodes[a], &d.Nodes[b]
	if !na.KeyEsc && !nb.KeyEsc {
		return bytes.Equal(d.Src[na.KeyStart:na.KeyEnd], d.Src[nb.KeyStart:nb.KeyEnd])
	}
	ka := d.Key(a, nil)
	return bytes.Equal(ka, d.Key(b, nil))
}

// Key returns the decoded name of member n, appended to buf when it holds
// escapes (else a slice of Src). It is nil when n is not a member.
func (d *Doc) Key(n int, buf []byte) []byte {
	nd := &d.Nodes[n]
	if nd.KeyStart < 0 {
		return nil
	}
	q := d.Src[nd.KeyStart:nd.KeyEnd]
	if !nd.KeyEsc {
		return q[1 : len(q)-1]
	}
	return Unquote(buf[:0], q)
}

// Get returns the member of object n named name, or -1.
func (d *Doc) Get(n int, name string) int {
	if n < 0 || d.Nodes[n].Kind != Object {
		return -1
	}
	for c := d.Nodes[n].First; c >= 0; c = d.Nodes[c].Next {
		nd := &d.Nodes[c]
		if !nd.KeyEsc {
			if string(d.Src[nd.KeyStart+1:nd.KeyEnd-1]) == name {
				return c
			}
			continue
		}
		d.buf = d.Key(c, d.buf)
		if string(d.buf) == name {
			return c
		}
	}
	return -1
}

// Raw returns the bytes of node n.
func (d *Doc) Raw(n int) []byte { return d.Src[d.Nodes[n].Start:d.Nodes[n].End] }

// Text returns the decoded content of string n, appended to buf when it
// holds escapes (else a slice of Src). For any other kind it returns the
// node's bytes.
func (d *Doc) Text(n int, buf []byte) []byte {
	nd := &d.Nodes[n]
	raw := d.Src[nd.Start:nd.End]
	if nd.Kind != String {
		return raw
	}
	if !nd.Esc {
		return raw[1 : len(raw)-1]
	}
	return Unquote(buf[:0], raw)
}

// Float returns the value of number n.
func (d *Doc) Float(n int) (float64, bool) {
	if d.Nodes[n].Kind != Number {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(d.Raw(n)), 64)
	return f, err == nil
}

// Int returns the value of number n when it is an integer (no fraction,
// no exponent) that fits in an int64.
func (d *Doc) Int(n int) (int64, bool) {
	if d.Nodes[n].Kind != Number {
		return 0, false
	}
	v, err := strconv.ParseInt(string(d.Raw(n)), 10, 64)
	return v, err == nil
}

// Children appends the children of n to dst.
func (d *Doc) Children(n int, dst []int) []int {
	for c := d.Nodes[n].First; c >= 0; c = d.Nodes[c].Next {
		dst = append(dst, c)
	}
	return dst
}

// End returns the index after the last node within n (n's descendants
// follow it in the node list).
func (d *Doc) End(n int) int {
	e := n + 1
	for e < len(d.Nodes) && d.Nodes[e].Start < d.Nodes[n].End {
		e++
	}
	return e
}

// Index returns the position of n among its parent's children.
func (d *Doc) Index(n int) int { return d.Nodes[n].Pos }

// start returns where node n's bytes begin, its member name included.
func (d *Doc) start(n int) int {
	if d.Nodes[n].KeyStart >= 0 {
		return d.Nodes[n].KeyStart
	}
	return d.Nodes[n].Start
}

// Removal returns the bytes to cut to remove n (a member with its name, or
// an element) from its parent, with one comma: the one before it, else the
// one after it.
func (d *Doc) Removal(n int) Splice {
	p := d.Nodes[n].Parent
	prev := -1
	for c := d.Nodes[p].First; c != n; c = d.Nodes[c].Next {
		prev = c
	}
	switch {
	case prev >= 0:
		return Splice{Start: d.Nodes[prev].End, End: d.Nodes[n].End}
	case d.Nodes[n].Next >= 0:
		return Splice{Start: d.start(n), End: d.start(d.Nodes[n].Next)}
	}
	return Splice{Start: d.start(n), End: d.Nodes[n].End}
}

// Inner returns the bytes between the brackets of array or object n.
func (d *Doc) Inner(n int) Splice {
	return Splice{Start: d.Nodes[n].Start + 1, End: d.Nodes[n].End - 1}
}

// Unquote appends the decoded content of the JSON string q (quotes
// included, already checked by Parse) to dst. A lone surrogate escape
// decodes to U+FFFD.
func Unquote(dst, q []byte) []byte { return format.AppendUnquoted(dst, q) }

// AppendQuote appends s as a JSON string (format.AppendQuoted).
func AppendQuote(dst []byte, s []byte) []byte { return format.AppendQuoted(dst, string(s)) }

// Splice replaces the bytes Start..End of a document with With.
type Splice struct {
	Start, End int
	With       []byte
}

// Apply returns a copy of src with the splices made. Splices must not
// overlap (two insertions at one offset are made in the order given).
func Apply(src []byte, sp []Splice) ([]byte, error) {
	sp = slices.Clone(sp)
	slices.SortStableFunc(sp, func(a, b Splice) int { return a.Start - b.Start })
	n := len(src)
	for i, s := range sp {
		if s.Start < 0 || s.End < s.Start || s.End > len(src) {
			return nil, fmt.Errorf("protojson: splice %d..%d outside the document of %d bytes", s.Start, s.End, len(src))
		}
		if i > 0 && s.Start < sp[i-1].End {
			return nil, fmt.Errorf("protojson: splices %d..%d and %d..%d overlap", sp[i-1].Start, sp[i-1].End, s.Start, s.End)
		}
		n += len(s.With) - (s.End - s.Start)
	}
	out := make([]byte, 0, n)
	at := 0
	for _, s := range sp {
		out = append(out, src[at:s.Start]...)
		out = append(out, s.With...)
		at = s.End
	}
	return append(out, src[at:]...), nil
}
