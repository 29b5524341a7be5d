package csv

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/geowarden/geowarden/format"
)

// DefaultMaxRecordBytes caps one record when format.Options.MaxRecordBytes
// is 0.
const DefaultMaxRecordBytes = 1 << 20

// Errors of this package, for errors.Is. Rows that fail also wrap the
// format errors: format.ErrNaN for a coordinate that is not a finite number,
// format.ErrRange for one out of range, format.ErrTooLong for a record over
// the cap, format.ErrNoPosition for a header without coordinates.
var (
	// ErrQuote: a quoted field is still open at the end of the input.
	ErrQuote = errors.New("csv: unterminated quoted field")
	// ErrFieldCount: a row has more or fewer fields than the header.
	ErrFieldCount = errors.New("csv: wrong number of fields")
	// ErrHalfPosition: a row has a latitude but no longitude, or the
	// reverse.
	ErrHalfPosition = errors.New("csv: only one of latitude and longitude is set")
)

// Codec reads and rewrites delimited text: CSV, semicolon-separated values
// and TSV. The zero value is ready to use.
type Codec struct{}

var _ format.Codec = Codec{}

// Name returns "csv".
func (Codec) Name() string { return "csv" }

// Detect reports whether an input looks like a CSV file this codec can read:
// either its name ends in .csv, .tsv or .txt and its first line looks like a
// header (two or more fields, none of them a number), or its first line
// names a latitude and a longitude column, or a pair of coordinate columns
// by the rules of further pairs (doc.go). Inputs that start with '{', '[',
// '<' or the record separator 0x1E (JSON, XML, GeoJSON text sequences) are
// never CSV.
func (Codec) Detect(name string, head []byte) bool {
	head = bytes.TrimPrefix(head, bom)
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 {
		return false
	}
	switch t[0] {
	case '{', '[', '<', 0x1E:
		return false
	}
	line := bytes.TrimLeft(head, "\r\n")
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if !isText(line) {
		return false
	}
	d := sniffLine(line)
	if bytes.IndexByte(line, d) < 0 {
		return false
	}
	names, _ := splitLine(line, d)
	if hasAlias(names, format.RoleLat) && hasAlias(names, format.RoleLon) {
		return true
	}
	if pairs, err := findPairs(names, -1, -1, make([]bool, len(names))); err == nil && len(pairs) > 0 {
		return true // stop_lat and stop_lon, latitudeE7 and longitudeE7
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".txt":
		return looksLikeHeader(line, names)
	}
	return false
}

// isText reports whether a line is text: no control bytes but tab, and
// valid UTF-8 except perhaps for a rune cut off at the end.
func isText(line []byte) bool {
	for _, c := range line {
		if c < 0x20 && c != '\t' || c == 0x7F {
			return false
		}
	}
	for len(line) > 0 {
		r, n := utf8.DecodeRune(line)
		if r == utf8.RuneError && n == 1 {
			return len(line) < utf8.UTFMax && !utf8.FullRune(line)
		}
		line = line[n:]
	}
	return true
}

// splitLine splits one line into normalised header names.
func splitLine(line []byte, d byte) ([]string, error) {
	s := &splitter{r: bytes.NewReader(nil), buf: line, end: len(line), eof: true, delim: d, max: len(line), bufCap: len(line), le: -1, line: 1}
	if _, err := s.next(); err != nil {
		return nil, err
	}
	names := make([]string, len(s.fields))
	var v []byte
	for i, f := range s.fields {
		v = unquote(v[:0], s.rec[f.s:f.e])
		names[i] = headerName(v)
	}
	return names, nil
}

func hasAlias(names []string, r role) bool {
	for _, n := range names {
		for _, a := range aliases[r] {
			if n == a {
				return true
			}
		}
	}
	return false
}

// looksLikeHeader: two or more fields, none a number, and not an NMEA
// sentence.
func looksLikeHeader(line []byte, names []string) bool {
	if len(names) < 2 || line[0] == '$' || line[0] == '!' {
		return false
	}
	for _, n := range names {
		if _, _, ok := parseFloat([]byte(n), false); ok {
			return false
		}
	}
	return true
}

// Rewrite reads CSV from r, calls h for each row and, when w is not nil,
// writes r to w with the edits applied. See the package documentation.
func (Codec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	if opts == nil {
		opts = &format.Options{}
	}
	max := opts.MaxRecordBytes
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	var delim byte
	if d := opts.Delimiter; d != 0 {
		if d >= utf8.RuneSelf || d == '"' || d == '\r' || d == '\n' {
			return fmt.Errorf("csv: invalid delimiter %q: want one ASCII character other than a quote or line break", d)
		}
		delim = byte(d)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rw := &rewriter{
		ctx:     ctx,
		h:       h,
		name:    opts.Name,
		columns: opts.Columns,
		sp:      newSplitter(r, opts.Name, max),
	}
	rw.attrs.rw = rw
	if w != nil {
		rw.out = bufio.NewWriterSize(w, 64<<10)
	}
	if err := rw.sp.start(); err != nil {
		return err
	}
	if delim == 0 {
		var err error
		if delim, err = rw.sp.sniff(); err != nil {
			return err
		}
	}
	rw.sp.delim = delim
	rw.comma = delim != ','
	if err := rw.run(); err != nil {
		return err
	}
	if rw.out != nil {
		if err := rw.out.Flush(); err != nil {
			return fmt.Errorf("csv: writing %s: %w", rw.name, err)
		}
	}
	return nil
}
