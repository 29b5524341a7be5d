package csv

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"

	"github.com/geowarden/geowarden/format"
)

// initialBufSize is the splitter's starting buffer. It grows, one doubling at
// a time, only when a single record does not fit, and never beyond the
// record cap plus a line ending.
const initialBufSize = 64 << 10

// kind is what the splitter found.
type kind uint8

const (
	kindRow     kind = iota // a record: fields holds its fields
	kindEmpty               // an empty line ("\n", "\r\n", or a final "\r")
	kindTooLong             // a record over the cap, skipped without being kept
)

// Scanner states.
const (
	stStart  uint8 = iota // at the first byte of a field
	stBare                // in an unquoted field, or after a closing quote
	stQuoted              // inside a quoted field
)

// span is a field's raw bytes, rec[s:e], quotes included.
type span struct{ s, e int }

var bom = []byte{0xEF, 0xBB, 0xBF}

// splitter cuts an input into CSV records without copying them. Each record
// is a slice of its buffer, valid until the next call to next. Its rules:
//
//   - A field that starts with a double quote is quoted: it runs to the next
//     quote that is not doubled, across line breaks. Anything between that
//     quote and the next delimiter or line break belongs to the field too
//     (`"ab"c` is "abc"), as in Python's csv module.
//   - A quote anywhere else is an ordinary byte.
//   - Records end at LF or CRLF outside quotes, or at the end of the input.
//     A CR not followed by LF is an ordinary byte, except last in the input.
//   - A record of one empty, unquoted field is an empty line.
type splitter struct {
	r       io.Reader
	name    string
	buf     []byte
	bufCap  int // the most the buffer may grow to
	max     int // record cap in bytes, line ending excluded
	delim   byte
	eof     bool
	err     error // read error
	bomSkip bool  // the input starts with a BOM that the first record keeps

	rs, p, end int   // record start, scan position, end of data in buf
	le         int   // the first '\n' at or after p, or -1 when unknown
	off        int64 // input offset of buf[0]
	line       int   // physical line of the next record, 1-based

	// The record being scanned.
	fields  []span
	st      uint8
	fs      int   // start of the current field, relative to rs
	nl      int   // line breaks inside the record so far
	qLine   int   // line of the current quoted field's opening quote
	qOff    int64 // and its input offset
	discard bool  // over the cap: scan to its end without keeping it

	// The record just read.
	rec     []byte // raw bytes, line ending included
	recLine int    // physical line where it starts
	recOff  int64  // input offset of its first byte
}

func newSplitter(r io.Reader, name string, max int) *splitter {
	bufCap := max + 2
	size := min(initialBufSize, bufCap)
	if bufCap < initialBufSize {
		bufCap = initialBufSize
		size = initialBufSize
	}
	return &splitter{r: r, name: name, buf: make([]byte, size), bufCap: bufCap, max: max, le: -1, line: 1}
}

// fill makes room in the buffer and reads more of the input into it. It
// reports whether new data arrived or the end of the input was just found;
// false means there is nothing more to come, or a read error (in s.err).
func (s *splitter) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.rs > 0 {
		n := copy(s.buf, s.buf[s.rs:s.end])
		s.p -= s.rs
		if s.le >= 0 {
			s.le -= s.rs
		}
		s.off += int64(s.rs)
		s.end = n
		s.rs = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.bufCap {
			// Only sniff can get here: next discards first.
			return false
		}
		nb := make([]byte, min(2*len(s.buf), s.bufCap))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		switch {
		case err == io.EOF:
			s.eof = true
			return true
		case err != nil:
			s.err = err
			return false
		case n > 0:
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// more is fill for next: once the unfinished record is over the cap, it
// stops keeping it.
func (s *splitter) more() bool {
	if !s.discard && s.end-s.rs > s.max+1 {
		s.discard = true
	}
	if s.discard {
		s.rs = s.p
	}
	return s.fill()
}

// start reads the first bytes and notes a byte order mark.
func (s *splitter) start() error {
	for s.end < len(bom) && s.fill() {
	}
	if s.err != nil {
		return s.readErr()
	}
	if bytes.HasPrefix(s.buf[:s.end], bom) {
		s.p = len(bom)
		s.bomSkip = true
	}
	return nil
}

func (s *splitter) readErr() error {
	return fmt.Errorf("csv: reading %s: %w", s.name, s.err)
}

// sniff returns the delimiter of the first non-empty line: the most frequent
// of comma, semicolon and tab outside quotes, comma on a tie or when there
// is none. It reads at most the record cap ahead and consumes nothing.
func (s *splitter) sniff() (byte, error) {
	from := s.p // fill does not move the data before the first record
	for {
		data := s.buf[from:s.end]
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if len(data) <= s.max && s.fill() {
				continue
			}
			if s.err != nil {
				return 0, s.readErr()
			}
			if len(data) == 0 {
				return ',', nil
			}
			i = len(data)
		}
		if line := bytes.TrimSuffix(data[:i], []byte{'\r'}); len(line) > 0 {
			return sniffLine(line), nil
		}
		if i == len(data) {
			return ',', nil // only empty lines
		}
		from += i + 1
	}
}

// sniffLine counts the candidate delimiters of a line outside quotes.
func sniffLine(line []byte) byte {
	var comma, semi, tab int
	inQ := false
	for _, c := range line {
		switch c {
		case '"':
			inQ = !inQ
		case ',':
			if !inQ {
				comma++
			}
		case ';':
			if !inQ {
				semi++
			}
		case '\t':
			if !inQ {
				tab++
			}
		}
	}
	switch {
	case semi > comma && semi >= tab:
		return ';'
	case tab > comma && tab > semi:
		return '\t'
	default:
		return ','
	}
}

// next reads the next record. It returns io.EOF at the end of the input, a
// *format.ParseError for an unterminated quote, or a read error.
func (s *splitter) next() (kind, error) {
	s.rs = s.p
	if s.bomSkip {
		s.rs = 0
		s.bomSkip = false
	}
	s.fields = s.fields[:0]
	s.st = stStart
	s.nl = 0
	s.discard = false
	s.recLine = s.line
	s.recOff = s.off + int64(s.rs)
	for !s.scan() {
		if s.more() {
			continue
		}
		if s.err != nil {
			return 0, s.readErr()
		}
		// End of input: finish the record.
		if s.st == stQuoted {
			return 0, &format.ParseError{File: s.name, Line: s.qLine, Column: s.quoteColumn(), Offset: s.qOff,
				Err: fmt.Errorf("%w: the quote opened here is never closed", ErrQuote)}
		}
		if !s.discard && s.p == s.rs {
			return 0, io.EOF
		}
		e := s.end
		if s.st == stBare && e > s.rs+s.fs && s.buf[e-1] == '\r' {
			e--
		}
		s.endField(e)
		s.p = s.end
		break
	}
	s.line += 1 + s.nl
	s.rec = s.buf[s.rs:s.p]
	if s.discard || s.fields[len(s.fields)-1].e > s.max {
		return kindTooLong, nil
	}
	if len(s.fields) == 1 && s.fields[0].s == s.fields[0].e {
		return kindEmpty, nil
	}
	return kindRow, nil
}

// quoteColumn is the 1-based byte column of the open quote, 0 when it is no
// longer in the buffer.
func (s *splitter) quoteColumn() int {
	q := int(s.qOff - s.off)
	if q < s.rs || q >= s.end || s.discard {
		return 0
	}
	return q - (s.rs + bytes.LastIndexByte(s.buf[s.rs:q], '\n') + 1) + 1
}

func (s *splitter) endField(e int) {
	if !s.discard {
		s.fields = append(s.fields, span{s.fs, e - s.rs})
	}
}

// scan advances through the record from p and reports whether it is
// complete. It stops at the end of the data in the buffer; more data, or
// the end of the input, lets it go on.
func (s *splitter) scan() bool {
	buf := s.buf[:s.end]
scan:
	for {
		switch s.st {
		case stStart:
			s.fs = s.p - s.rs
			if s.p >= len(buf) {
				return false
			}
			if buf[s.p] == '"' {
				s.st = stQuoted
				s.qLine = s.recLine + s.nl
				s.qOff = s.off + int64(s.p)
				s.p++
				continue
			}
			s.st = stBare
		case stBare:
			if s.le < s.p {
				s.le = bytes.IndexByte(buf[s.p:], '\n')
				if s.le >= 0 {
					s.le += s.p
				}
			}
			lim := len(buf)
			if s.le >= 0 {
				lim = s.le
			}
			// End the fields in buf[p:lim] up to one that starts with a
			// quote.
			i, d := s.p, s.delim
			for {
				i = indexDelim(buf, i, lim, d)
				if i == lim {
					break
				}
				s.endField(i)
				i++
				if i == lim || buf[i] == '"' {
					s.p = i
					s.st = stStart
					continue scan
				}
				s.fs = i - s.rs
			}
			s.p = i
			if s.le < 0 {
				return false // the line goes on past the data in buf
			}
			e := s.le
			if e > s.rs+s.fs && buf[e-1] == '\r' {
				e--
			}
			s.endField(e)
			s.p = s.le + 1
			return true
		case stQuoted:
			i := bytes.IndexByte(buf[s.p:], '"')
			if i < 0 {
				s.nl += bytes.Count(buf[s.p:], newline)
				s.p = len(buf)
				return false
			}
			if i > 0 {
				s.nl += bytes.Count(buf[s.p:s.p+i], newline)
				s.p += i
			}
			if s.p+1 >= len(buf) && !s.eof {
				return false // is the quote doubled? Wait for the next byte.
			}
			if s.p+1 < len(buf) && buf[s.p+1] == '"' {
				s.p += 2
				continue
			}
			s.p++
			s.st = stBare
		}
	}
}

var newline = []byte{'\n'}

// fieldPos is where field i of the current record starts: physical line,
// 1-based byte column and input offset.
func (s *splitter) fieldPos(i int) (line, col int, off int64) {
	st := s.fields[i].s
	head := s.rec[:st]
	nl := bytes.Count(head, newline)
	return s.recLine + nl, st - (bytes.LastIndexByte(head, '\n') + 1) + 1, s.recOff + int64(st)
}

// unquote appends the value of a raw field to dst: the field without its
// quotes, doubled quotes undone.
func unquote(dst, raw []byte) []byte {
	if len(raw) == 0 || raw[0] != '"' {
		return append(dst, raw...)
	}
	raw = raw[1:]
	for {
		i := bytes.IndexByte(raw, '"')
		if i < 0 {
			return append(dst, raw...) // unterminated: only at the end of input
		}
		dst = append(dst, raw[:i]...)
		if i+1 < len(raw) && raw[i+1] == '"' {
			dst = append(dst, '"')
			raw = raw[i+2:]
			continue
		}
		return append(dst, raw[i+1:]...)
	}
}

// indexDelim returns the index of the first d in buf[i:lim], or lim. It
// looks at eight bytes at a time: fields are short, and bytes.IndexByte
// costs more to set up than it saves on them.
func indexDelim(buf []byte, i, lim int, d byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	dm := lo * uint64(d)
	for ; i+8 <= lim; i += 8 {
		x := binary.LittleEndian.Uint64(buf[i:]) ^ dm
		// The lowest byte of x that is zero has its high bit set here
		// (higher ones may be wrong, and are not looked at).
		if m := (x - lo) &^ x & hi; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < lim && buf[i] != d {
		i++
	}
	return i
}
