package csv

import (
	"bytes"

	"github.com/geowarden/geowarden/format"
)

var _ format.Chunker = Codec{}

// Preamble is the byte order mark, the empty lines before the header and
// the header record: every piece of a CSV input needs them in front.
func (Codec) Preamble(head []byte, atEOF bool, opts *format.Options) (int, bool) {
	start := 0
	if bytes.HasPrefix(head, bom) {
		start = len(bom)
	}
	d := delimiter(head[start:], opts)
	p := start
	for p < len(head) {
		n := boundary(head[p:], d, true)
		if n == 0 {
			return 0, false // the header does not end within head
		}
		rec := bytes.TrimSuffix(bytes.TrimSuffix(head[p:p+n], []byte{'\n'}), []byte{'\r'})
		p += n
		if len(rec) > 0 {
			return p, true
		}
	}
	return 0, false
}

// Boundary returns the end of the last complete record in buf, following
// the reader's own rules: a quote opens a quoted field only at the start
// of a field, a doubled quote inside one is a quote, and a record ends at
// a line feed outside quotes.
func (Codec) Boundary(preamble, buf []byte, opts *format.Options) int {
	if bytes.IndexByte(buf, '"') < 0 {
		return bytes.LastIndexByte(buf, '\n') + 1
	}
	return boundary(buf, delimiter(bytes.TrimPrefix(preamble, bom), opts), false)
}

// delimiter is the delimiter the reader would use: the option, else the
// one sniffed from the first non-empty line of data.
func delimiter(data []byte, opts *format.Options) byte {
	if opts != nil && opts.Delimiter != 0 && opts.Delimiter < 0x80 {
		return byte(opts.Delimiter)
	}
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		line := data
		if i >= 0 {
			line = data[:i]
		}
		if line = bytes.TrimSuffix(line, []byte{'\r'}); len(line) > 0 {
			return sniffLine(line)
		}
		if i < 0 {
			break
		}
		data = data[i+1:]
	}
	return ','
}

// boundary returns the length of the last (first, when first is set)
// complete record in buf, or 0.
func boundary(buf []byte, d byte, first bool) int {
	const (
		start = iota
		bare
		quoted
	)
	last, st, i := 0, start, 0
	for i < len(buf) {
		switch st {
		case start:
			if buf[i] == '"' {
				st = quoted
				i++
				continue
			}
			st = bare
		case bare:
			j := i
			for j < len(buf) && buf[j] != d && buf[j] != '\n' {
				j++
			}
			if j == len(buf) {
				return last
			}
			i, st = j+1, start
			if buf[j] == '\n' {
				last = i
				if first {
					return last
				}
			}
		case quoted:
			k := bytes.IndexByte(buf[i:], '"')
			if k < 0 || i+k+1 >= len(buf) {
				return last // no closing quote yet, or cannot tell if it is doubled
			}
			i += k + 1
			if buf[i] == '"' {
				i++
				continue
			}
			st = bare
		}
	}
	return last
}
