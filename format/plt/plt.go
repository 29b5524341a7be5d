package plt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/geowarden/geowarden/format"
)

// DefaultMaxLine is the longest line, in bytes without its line end, when
// format.Options.MaxRecordBytes is 0. GeoLife points are under 80 bytes.
const DefaultMaxLine = 4096

// HeaderLines is the number of header lines before the first point.
const HeaderLines = 6

// Errors of this package, for errors.Is. Bad points also wrap the format
// errors: format.ErrNaN for a coordinate that is not a number,
// format.ErrRange for one out of range, format.ErrTooLong for a line over
// the cap.
var (
	// ErrHeader: the header is not a GeoLife header in WGS 84 with
	// altitudes in feet, or it is cut short.
	ErrHeader = errors.New("plt: bad header")
	// ErrFieldCount: a point line does not have seven fields.
	ErrFieldCount = errors.New("plt: wrong number of fields")
	// ErrField: a field's value is malformed.
	ErrField = errors.New("plt: malformed field")
	// ErrTimeMismatch: the days field and the date and time fields
	// disagree by more than a second.
	ErrTimeMismatch = errors.New("plt: days field disagrees with date and time")
	// ErrEdit: an edit asks for what a PLT point cannot hold.
	ErrEdit = errors.New("plt: edit not possible")
)

// Codec reads and rewrites GeoLife PLT files. The zero value is ready to
// use.
type Codec struct{}

var _ format.Codec = Codec{}

// Name returns "plt".
func (Codec) Name() string { return "plt" }

var bom = []byte("\xEF\xBB\xBF")

// The header lines this package checks, in lower case.
const (
	magic     = "geolife trajectory"
	datum     = "wgs 84"
	altInFeet = "altitude is in feet"
)

// headerIs reports whether a header line, without its line end, says want
// (lower case), ignoring case and surrounding blanks.
func headerIs(line []byte, want string) bool {
	return strings.EqualFold(string(bytes.Trim(line, " \t\r")), want)
}

// Detect reports whether an input is a GeoLife trajectory: its first line
// is "Geolife trajectory". The name is not looked at.
func (Codec) Detect(_ string, head []byte) bool {
	head = bytes.TrimPrefix(head, bom)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	} else if len(head) >= format.HeadSize-len(bom) {
		return false // a first line of 8 KiB is no GeoLife header
	}
	return headerIs(head, magic)
}

// Rewrite reads a PLT file from r, calls h for each point and, when w is
// not nil, writes r to w with the edits applied. See the package
// documentation.
func (Codec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	if opts == nil {
		opts = &format.Options{}
	}
	limit := opts.MaxRecordBytes
	if limit <= 0 {
		limit = DefaultMaxLine
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rw := &rewriter{
		ctx:    ctx,
		h:      h,
		name:   opts.Name,
		source: User(opts.Name),
		lr:     newLineReader(r, limit),
	}
	rw.attrs.rw = rw
	if w != nil {
		rw.out = bufio.NewWriterSize(w, 32<<10)
	}
	if err := rw.run(); err != nil {
		return err
	}
	if rw.out != nil {
		if err := rw.out.Flush(); err != nil {
			return fmt.Errorf("plt: writing %s: %w", rw.name, err)
		}
	}
	return nil
}

// User returns the GeoLife user of a file from its path: "000" for
// "Data/000/Trajectory/20081023025304.plt" (or with '\' separators, any
// case of "Trajectory" and ".plt", and a ".gz" suffix). It returns "" when
// the path does not end in <user>/Trajectory/<file>.plt.
func User(path string) string {
	path = strings.TrimSuffix(strings.TrimSuffix(path, ".gz"), ".GZ")
	parts := strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '\\' })
	if len(parts) < 3 {
		return ""
	}
	user, dir, file := parts[len(parts)-3], parts[len(parts)-2], parts[len(parts)-1]
	if !strings.EqualFold(dir, "Trajectory") || len(file) <= len(".plt") ||
		!strings.EqualFold(file[len(file)-len(".plt"):], ".plt") || user == "." || user == ".." {
		return ""
	}
	return user
}
