package plt

import (
	"bufio"
	"errors"
	"io"
)

// lineReader splits an input into lines, holding at most one line of the
// cap (plus its line end) whatever the length of the input or its lines.
type lineReader struct {
	br   *bufio.Reader
	max  int   // longest line body
	line int   // 1-based number of the line last read
	off  int64 // offset of its first byte
	next int64 // offset of the byte after it
}

func newLineReader(r io.Reader, limit int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, max(4096, limit+2)), max: limit}
}

// read returns the next line: raw holds its body and line end, body is
// the length of the body (raw[body:] is "\n", "\r\n" or empty at the end
// of the input). A line longer than the cap is consumed and returned with
// long set and raw nil. raw is valid until the next call. err is io.EOF
// at the end of the input.
func (lr *lineReader) read() (raw []byte, body int, long bool, err error) {
	lr.off = lr.next
	raw, err = lr.br.ReadSlice('\n')
	n := int64(len(raw))
	if errors.Is(err, bufio.ErrBufferFull) {
		// Too long: skip to the end of the line.
		for errors.Is(err, bufio.ErrBufferFull) {
			raw, err = lr.br.ReadSlice('\n')
			n += int64(len(raw))
		}
		if err != nil && err != io.EOF {
			return nil, 0, false, err
		}
		lr.line++
		lr.next += n
		return nil, 0, true, nil
	}
	if err != nil && (err != io.EOF || len(raw) == 0) {
		return nil, 0, false, err
	}
	err = nil // the last line, without a line end
	lr.line++
	lr.next += n
	body = len(raw)
	if body > 0 && raw[body-1] == '\n' {
		body--
		if body > 0 && raw[body-1] == '\r' {
			body--
		}
	}
	if body > lr.max {
		return nil, 0, true, nil
	}
	return raw, body, false, nil
}
