package nmea

import (
	"io"
)

// lexer splits an input into lines, holding at most a bounded buffer
// whatever the length of the input or of its lines.
type lexer struct {
	r    io.Reader
	buf  []byte
	s, e int  // unread bytes are buf[s:e]
	eof  bool // r is exhausted (or failed: err)
	err  error
	off  int64 // input offset of buf[s]
	line int   // 1-based line of buf[s]
	col  int   // 1-based column of buf[s]
	bol  bool  // buf[s] starts a line: it follows a line end or nothing
	max  int   // longest line body
}

// chunk is one line, or the first max bytes of a longer one. raw holds the
// body and the terminator; both are valid until the next call of next.
type chunk struct {
	raw  []byte
	body int  // length of the body; raw[body:] is the terminator
	long bool // a line longer than max: raw is its first max bytes, no terminator
	off  int64
	line int
	col  int
	bol  bool // the chunk starts a line
}

func newLexer(r io.Reader, limit int) *lexer {
	n := max(16<<10, 2*(limit+2))
	return &lexer{r: r, buf: make([]byte, n), line: 1, col: 1, bol: true, max: limit}
}

// fill moves the unread bytes to the front of the buffer and reads more.
func (lx *lexer) fill() {
	if lx.eof {
		return
	}
	if lx.s > 0 {
		lx.e = copy(lx.buf, lx.buf[lx.s:lx.e])
		lx.s = 0
	}
	for tries := 0; lx.e < len(lx.buf); tries++ {
		n, err := lx.r.Read(lx.buf[lx.e:])
		lx.e += n
		if err != nil {
			if err != io.EOF {
				lx.err = err
			}
			lx.eof = true
			return
		}
		if n > 0 {
			return
		}
		if tries >= 100 {
			lx.err, lx.eof = io.ErrNoProgress, true
			return
		}
	}
}

// eol returns the index of the first CR or LF in b, or -1.
func eol(b []byte) int {
	for i, c := range b {
		if c == '\n' || c == '\r' {
			return i
		}
	}
	return -1
}

// next reads the next line into c; it returns false at the end of the
// input (lx.err tells a read error from the end).
func (lx *lexer) next(c *chunk) bool {
	for {
		avail := lx.buf[lx.s:lx.e]
		win := avail
		if len(win) > lx.max+2 {
			win = win[:lx.max+2]
		}
		i := eol(win)
		switch {
		case i >= 0 && i <= lx.max:
			t := 1
			if win[i] == '\r' {
				if i+1 >= len(avail) && !lx.eof {
					lx.fill()
					continue
				}
				if i+1 < len(avail) && avail[i+1] == '\n' {
					t = 2
				}
			}
			*c = chunk{raw: avail[:i+t], body: i, off: lx.off, line: lx.line, col: lx.col, bol: lx.bol}
			return true
		case i < 0 && len(avail) < lx.max+2 && !lx.eof:
			lx.fill()
			continue
		case i < 0 && len(avail) <= lx.max:
			// The last line, without a terminator.
			if len(avail) == 0 {
				return false
			}
			*c = chunk{raw: avail, body: len(avail), off: lx.off, line: lx.line, col: lx.col, bol: lx.bol}
			return true
		default:
			*c = chunk{raw: avail[:lx.max], body: lx.max, long: true, off: lx.off, line: lx.line, col: lx.col, bol: lx.bol}
			return true
		}
	}
}

// consume moves past n bytes; eol says they end with a line end, newline
// that it counts as one.
func (lx *lexer) consume(n int, eol, newline bool) {
	lx.s += n
	lx.off += int64(n)
	lx.bol = eol
	if newline {
		lx.line++
		lx.col = 1
	} else {
		lx.col += n
	}
}

// skipLine moves past the rest of the current line and its terminator.
func (lx *lexer) skipLine() {
	for {
		avail := lx.buf[lx.s:lx.e]
		if i := eol(avail); i >= 0 {
			if avail[i] == '\r' && i+1 >= len(avail) && !lx.eof {
				lx.consume(i, false, false)
				lx.fill()
				continue
			}
			t := 1
			if avail[i] == '\r' && i+1 < len(avail) && avail[i+1] == '\n' {
				t = 2
			}
			lx.consume(i+t, true, true)
			return
		}
		lx.consume(len(avail), false, false)
		if lx.eof {
			return
		}
		lx.fill()
	}
}
