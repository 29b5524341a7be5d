package kml

import "errors"

// Errors inside a *format.ParseError, for errors.Is. Size limits use
// format.ErrTooLong, coordinates out of range format.ErrRange and
// format.ErrNaN.
var (
	// ErrSyntax: the input is not well-formed XML (or is truncated).
	// Always fatal.
	ErrSyntax = errors.New("kml: invalid XML")
	// ErrNotKML: well-formed XML whose root element is not <kml>, or an
	// encoding geowarden does not read (UTF-16, UTF-32). Always fatal.
	ErrNotKML = errors.New("kml: not KML")
	// ErrEntity: a DOCTYPE declares entities. Always fatal: entity
	// expansion is how XML bombs work, and no KML needs it.
	ErrEntity = errors.New("kml: entity declarations refused")
	// ErrDepth: elements nest deeper than MaxDepth. Always fatal.
	ErrDepth = errors.New("kml: nesting too deep")
	// ErrInvalid: well-formed KML whose geometry cannot be read (a bad
	// number, a coordinate tuple with one number, a Polygon without an
	// outer ring). A bad record (format.Handler.Bad): the feature is
	// dropped when Bad returns nil.
	ErrInvalid = errors.New("kml: invalid geometry")
)

// Limits.
const (
	// MaxDepth is how deeply elements may nest, counting <kml> as 1.
	MaxDepth = 256
	// DefaultMaxRecordBytes caps one feature (a Placemark with everything
	// in it, its leading white space included) and any one comment, CDATA
	// section or tag, when Options.MaxRecordBytes is 0.
	DefaultMaxRecordBytes = 64 << 20
	// MaxElements caps the elements inside one feature.
	MaxElements = 4 << 20
)

// kmlError is the Err of a ParseError: its message is "kml: " + msg, and
// errors.Is matches its kind.
type kmlError struct {
	kind error
	msg  string
}

func (e *kmlError) Error() string { return "kml: " + e.msg }
func (e *kmlError) Unwrap() error { return e.kind }
