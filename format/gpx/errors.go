package gpx

import (
	"errors"
	"fmt"

	"github.com/geowarden/geowarden/format"
)

// Errors returned inside a *format.ParseError, for errors.Is. Size limits
// use format.ErrTooLong, coordinates out of range format.ErrRange and
// format.ErrNaN.
var (
	// ErrSyntax: the input is not well-formed XML (a mismatched end tag, a
	// bad character, an undefined entity, truncated input). Always fatal.
	ErrSyntax = errors.New("gpx: malformed XML")
	// ErrNotGPX: well-formed XML whose root element is not <gpx>. Fatal.
	ErrNotGPX = errors.New("gpx: not a GPX document")
	// ErrDTD: a DOCTYPE with an internal subset. Entity and attribute
	// declarations could expand without bound (billion laughs) or add
	// default lat/lon attributes that a validating reader would see;
	// geowarden refuses them, and never fetches external entities. Fatal.
	ErrDTD = errors.New("gpx: DOCTYPE declarations refused")
	// ErrEncoding: a character encoding geowarden cannot read byte for
	// byte (UTF-16, UTF-32, EBCDIC, stateful ISO-2022 encodings) or does
	// not know. Fatal.
	ErrEncoding = errors.New("gpx: unsupported character encoding")
	// ErrDepth: elements nest deeper than MaxDepth. Fatal.
	ErrDepth = errors.New("gpx: nesting too deep")
	// ErrPoint: a point element without a usable lat or lon attribute. A
	// bad record (format.Handler.Bad).
	ErrPoint = errors.New("gpx: invalid point")
)

// Limits.
const (
	// MaxDepth is how deeply elements may nest, the root being 1.
	MaxDepth = 256
	// DefaultMaxRecordBytes caps one point element (wpt, rtept, trkpt or
	// any element with lat and lon attributes, with everything inside
	// it), and any other single token (a start tag, a comment, a CDATA
	// section), when Options.MaxRecordBytes is 0.
	DefaultMaxRecordBytes = 1 << 20
	// MaxNameBytes caps an element or attribute name.
	MaxNameBytes = 1024
	// MaxAttrs caps the attributes of one element.
	MaxAttrs = 512
	// MaxPointElements caps the elements inside one point element.
	MaxPointElements = 16384
)

// gpxError is the Err of a ParseError: its message is "gpx: " + msg, and
// errors.Is matches its kind (and its cause, when there is one).
type gpxError struct {
	kind  error
	msg   string
	cause error
}

func (e *gpxError) Error() string {
	if e.cause != nil {
		return "gpx: " + e.msg + ": " + e.cause.Error()
	}
	return "gpx: " + e.msg
}

func (e *gpxError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

func newErr(kind error, format string, args ...any) *gpxError {
	return &gpxError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// pos is a location in the input.
type pos struct {
	line, col int
	off       int64
}

// advance returns the location of b[k] when b starts at p.
func (p pos) advance(b []byte, k int) pos {
	if k > len(b) {
		k = len(b)
	}
	seg := b[:k]
	n := 0
	last := -1
	for i, c := range seg {
		if c == '\n' {
			n++
			last = i
		}
	}
	if n == 0 {
		return pos{p.line, p.col + k, p.off + int64(k)}
	}
	return pos{p.line + n, k - last, p.off + int64(k)}
}

func (p pos) String() string { return fmt.Sprintf("%d:%d", p.line, p.col) }

func parseErr(file string, p pos, err error) *format.ParseError {
	return &format.ParseError{File: file, Line: p.line, Column: p.col, Offset: p.off, Err: err}
}

// describe names a byte for an error message.
func describe(c byte) string {
	switch {
	case c == '\n':
		return "newline"
	case c == '\r':
		return "carriage return"
	case c == '\t':
		return "tab"
	case c == '\'':
		return `"'"`
	case c >= 0x20 && c < 0x7f:
		return "'" + string(c) + "'"
	default:
		return fmt.Sprintf("byte 0x%02X", c)
	}
}
