package geojson

import (
	"errors"

	"github.com/geowarden/geowarden/format"
)

// Errors returned inside a *format.ParseError, for errors.Is. Size limits
// use format.ErrTooLong, coordinates out of range format.ErrRange and
// format.ErrNaN.
var (
	// ErrSyntax: the input is not valid JSON. Always fatal.
	ErrSyntax = errors.New("geojson: invalid JSON")
	// ErrInvalid: valid JSON that is not valid GeoJSON (a wrong type, a
	// short ring, a missing member). Fatal at the top level, a bad record
	// (format.Handler.Bad) inside a feature.
	ErrInvalid = errors.New("geojson: invalid GeoJSON")
	// ErrCRS: a "crs" member names a reference system other than WGS-84
	// longitude/latitude. Always fatal: geowarden never guesses a datum.
	ErrCRS = errors.New("geojson: unsupported coordinate reference system")
	// ErrDepth: arrays and objects nest deeper than MaxDepth. Always fatal.
	ErrDepth = errors.New("geojson: nesting too deep")
)

// Limits.
const (
	// MaxDepth is how deeply arrays and objects may nest, counting the
	// top-level object as 1.
	MaxDepth = 512
	// DefaultMaxRecordBytes caps one feature (and the members of a
	// FeatureCollection before "features") when Options.MaxRecordBytes is 0.
	DefaultMaxRecordBytes = 256 << 20
	// BBoxHoldBytes caps the output held back while a FeatureCollection
	// whose "bbox" comes before "features" is rewritten: beyond it, the
	// bbox is removed and the output streams.
	BBoxHoldBytes = 32 << 20
)

// gjError is the Err of a ParseError: its message is "geojson: " + msg
// (+ ": " + cause), and errors.Is matches its kind and its cause.
type gjError struct {
	kind  error
	msg   string
	cause error
}

func (e *gjError) Error() string {
	if e.cause != nil {
		return "geojson: " + e.msg + ": " + e.cause.Error()
	}
	return "geojson: " + e.msg
}

func (e *gjError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
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

func parseErr(file string, p pos, err error) *format.ParseError {
	return &format.ParseError{File: file, Line: p.line, Column: p.col, Offset: p.off, Err: err}
}

// describe names a byte for an error message.
func describe(c byte) string {
	switch {
	case c == '\n':
		return "newline"
	case c == '\'':
		return `"'"`
	case c >= 0x20 && c < 0x7f:
		return "'" + string(c) + "'"
	default:
		const hex = "0123456789ABCDEF"
		return "byte 0x" + string([]byte{hex[c>>4], hex[c&15]})
	}
}
