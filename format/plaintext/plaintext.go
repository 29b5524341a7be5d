// Package plaintext reads any text for the positions written in it: a
// README, a NOTICE, a list of labels, a table without coordinate columns.
// It is not in the default codec set (format/all), whose codecs read
// records: pipeline uses it for the files of a folder that none of them
// reads.
//
// # Records
//
// Every line (LF ends a line; a CR before it belongs to the line end)
// that holds a position written as text, as package geotext finds them
// (decimal pairs, degrees and minutes, degrees, minutes and seconds, NMEA,
// WKT, named and E7 keys, JSON lists), is one record: Shape None, Kind
// feature, no attributes, Ref.Line the line's number (from 1), Ref.Offset
// the offset of its first byte, Ref.Feature -1, and in Text every
// position of the line (Field "text"; Start and End are byte offsets in
// the line). A position that reads either way round gives both readings,
// with the same offsets. A line without a position is no record.
//
// # Rewriting
//
// Every byte is written back as it was, except the positions an Edit
// redacts (Edit.Redact; all of the line's when the Edit drops the record,
// since a line of text is not a record that can go), whose text is
// replaced with geowarden.RedactedText; overlapping positions are
// replaced once. Other edits have nothing to act on and are ignored.
//
// # Limits
//
// Detect accepts an input whose first bytes (format.HeadSize) hold no
// NUL and no control byte other than tab, line feed, vertical tab, form
// feed, carriage return and escape: text in UTF-8 or in a single-byte
// encoding. UTF-16 text, with its NULs, is not accepted. Bytes after the
// head are read whatever they are. A line is at most
// format.Options.MaxRecordBytes bytes with its line end (DefaultMaxLine
// when 0): a longer one stops Rewrite with a *format.ParseError wrapping
// format.ErrTooLong, since a position in it could not be checked.
package plaintext

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/geotext"
)

// DefaultMaxLine caps a line when format.Options.MaxRecordBytes is 0.
const DefaultMaxLine = 64 << 20

// Field is the TextPos.Field of every position.
const Field = "text"

// Codec reads plain text. The zero value is ready to use.
type Codec struct{}

var _ format.Codec = Codec{}

// Name returns "text".
func (Codec) Name() string { return "text" }

// textControl holds the control bytes text may hold.
var textControl = [32]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, 0x1b: true}

// Detect reports whether head reads as text: no NUL, no control byte
// but tab, line feed, vertical tab, form feed, carriage return and
// escape. The name is not looked at.
func (Codec) Detect(_ string, head []byte) bool {
	for _, c := range head {
		if c < 32 && !textControl[c] {
			return false
		}
	}
	return true
}

// noAttrs is a record with no attributes.
type noAttrs struct{}

func (noAttrs) Attr(string) (string, bool) { return "", false }

// errLong is returned by readLine for a line over the cap.
var errLong = errors.New("line too long")

// readLine returns the next line with its line end, in buf or in br's
// buffer; it is valid until the next call. At the end of the input it
// returns what is left (maybe nothing) and io.EOF.
func readLine(br *bufio.Reader, buf *[]byte, limit int) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		if len(line) > limit {
			return nil, errLong
		}
		return line, err
	}
	*buf = append((*buf)[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = br.ReadSlice('\n')
		if len(*buf)+len(line) > limit {
			return nil, errLong
		}
		*buf = append(*buf, line...)
	}
	return *buf, err
}

// Rewrite reads r line by line, hands each line that holds a position to
// h and writes r back to w (nil to scan only) with the positions redacted
// that the edits say.
func (Codec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	if opts == nil {
		opts = &format.Options{}
	}
	limit := opts.MaxRecordBytes
	if limit <= 0 {
		limit = DefaultMaxLine
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var bw *bufio.Writer
	if w != nil {
		bw = bufio.NewWriterSize(w, 64<<10)
	}
	var (
		buf, out []byte
		text     []geowarden.TextPos
		all      []int
		off      int64
	)
	for n := 1; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, err := readLine(br, &buf, limit)
		if errors.Is(err, errLong) {
			return &format.ParseError{File: opts.Name, Line: n, Offset: off,
				Err: fmt.Errorf("%w: a line longer than %d bytes", format.ErrTooLong, limit)}
		}
		if err != nil && err != io.EOF {
			return err
		}
		text = text[:0]
		for m := range geotext.All(line) {
			text = append(text, geowarden.TextPos{Pos: m.Point, Field: Field, Start: m.Start, End: m.End})
			if m.Ambiguous {
				text = append(text, geowarden.TextPos{Pos: m.Swapped(), Field: Field, Start: m.Start, End: m.End})
			}
		}
		var redact []int
		if len(text) > 0 {
			rec := geowarden.Record{
				Shape: geowarden.ShapeNone,
				Kind:  geowarden.KindFeature,
				Text:  text,
				Attrs: noAttrs{},
				Ref:   geowarden.Ref{File: opts.Name, Line: n, Offset: off, Feature: -1},
			}
			ed := h.Record(&rec)
			redact = ed.Redact
			if ed.Drop {
				all = all[:0]
				for i := range text {
					all = append(all, i)
				}
				redact = all
			}
		}
		if bw != nil && len(line) > 0 {
			if len(redact) > 0 {
				out = redacted(out[:0], line, text, redact)
				bw.Write(out)
			} else {
				bw.Write(line)
			}
		}
		off += int64(len(line))
		if err == io.EOF {
			break
		}
	}
	if bw != nil {
		return bw.Flush()
	}
	return nil
}

// redacted appends line to dst with the spans of the positions idx of
// text (merged where they overlap) replaced by geowarden.RedactedText.
func redacted(dst, line []byte, text []geowarden.TextPos, idx []int) []byte {
	type span struct{ s, e int }
	spans := make([]span, 0, len(idx))
	for _, i := range idx {
		if i >= 0 && i < len(text) {
			spans = append(spans, span{text[i].Start, text[i].End})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.s - b.s })
	at := 0
	for k := 0; k < len(spans); k++ {
		s, e := spans[k].s, spans[k].e
		for k+1 < len(spans) && spans[k+1].s < e {
			k++
			e = max(e, spans[k].e)
		}
		s, e = max(s, at), min(e, len(line))
		if s >= e {
			continue
		}
		dst = append(dst, line[at:s]...)
		dst = append(dst, geowarden.RedactedText...)
		at = e
	}
	return append(dst, line[at:]...)
}
