package jpeg

import (
	"errors"
	"fmt"

	"github.com/geowarden/geowarden/format"
)

// Errors returned inside a *format.ParseError, for errors.Is. Size limits
// use format.ErrTooLong, coordinates out of range format.ErrRange and
// format.ErrNaN.
var (
	// ErrNotJPEG: the input does not start with a JPEG SOI marker. Fatal.
	ErrNotJPEG = errors.New("jpeg: not a JPEG file")
	// ErrTruncated: the input ends inside a segment or before the EOI
	// marker that ends the image. Fatal.
	ErrTruncated = errors.New("jpeg: truncated")
	// ErrStructure: the marker structure is broken (a byte that is not a
	// marker where one must be, a segment length under 2, a segment that
	// an edit made too long). Fatal.
	ErrStructure = errors.New("jpeg: invalid marker structure")
	// ErrEXIF: the EXIF data is corrupt so that the photo's position cannot
	// be read reliably (no TIFF header, an unreadable IFD0 or GPS IFD, a
	// zero denominator, a missing hemisphere). A bad record.
	ErrEXIF = errors.New("jpeg: corrupt EXIF")
	// ErrXMP: an XMP packet that holds GPS properties does not parse, or a
	// GPS value in it does not. A bad record.
	ErrXMP = errors.New("jpeg: corrupt XMP")
	// ErrMismatch: an image embedded after the photo (an MPF secondary
	// image, a preview) holds a position more than MaxDisagreementM from
	// every position of the photo's record, which was decided before it
	// was read. A bad record. (Positions in the photo itself that differ
	// are its Record.More.)
	ErrMismatch = errors.New("jpeg: positions disagree")
	// ErrEdit: an edit cannot be written without breaking the file (a value
	// that does not fit in an embedded image). Fatal.
	ErrEdit = errors.New("jpeg: cannot apply edit")
	// ErrHEIC: HEIC/HEIF images are recognised but not rewritten (see
	// HEICCodec).
	ErrHEIC = fmt.Errorf("heic: HEIC/HEIF images are not supported (%w)", format.ErrUnsupported)
)

// jError is the Err of a ParseError: its text is the kind's text + ": " +
// msg, and errors.Is matches the kind and the cause.
type jError struct {
	kind  error
	msg   string
	cause error
}

func (e *jError) Error() string {
	s := e.kind.Error() + ": " + e.msg
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

func (e *jError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

func errorf(kind error, format string, a ...any) error {
	return &jError{kind: kind, msg: fmt.Sprintf(format, a...)}
}

func wrapf(kind, cause error, format string, a ...any) error {
	return &jError{kind: kind, msg: fmt.Sprintf(format, a...), cause: cause}
}
