package geojson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/geowarden/geowarden/format"
)

const readBufSize = 64 << 10

// reader is a buffered byte source that knows the line and column of every
// byte it hands out, validates JSON syntax value by value, and can capture
// the bytes it consumes into a caller's buffer.
type reader struct {
	src  io.Reader
	file string
	buf  []byte
	pos  int   // next unread byte in buf
	end  int   // end of valid bytes in buf
	base int64 // input offset of buf[0]
	rerr error // sticky read error; io.EOF at the end

	line      int   // line of buf[counted]
	lineStart int64 // input offset of the first byte of that line
	counted   int   // newlines are counted in buf[:counted]

	capOn    bool
	capFrom  int // buf[capFrom:pos] is consumed but not yet in cap
	cap      []byte
	capMax   int
	capStart pos
	capWhat  string
	tooLong  bool
}

func newReader(src io.Reader, file string) *reader {
	return &reader{src: src, file: file, buf: make([]byte, readBufSize), line: 1}
}

// count advances the line accounting to buf[i].
func (r *reader) count(i int) {
	if i <= r.counted {
		return
	}
	seg := r.buf[r.counted:i]
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		r.line += n
		r.lineStart = r.base + int64(r.counted+bytes.LastIndexByte(seg, '\n')+1)
	}
	r.counted = i
}

// here is the location of the next unread byte.
func (r *reader) here() pos {
	r.count(r.pos)
	off := r.base + int64(r.pos)
	return pos{r.line, int(off-r.lineStart) + 1, off}
}

// fill makes sure that an unread byte is buffered; it reports false at the
// end of the input, on a read error, or when a capture grew too long.
func (r *reader) fill() bool {
	if r.pos < r.end {
		return true
	}
	if r.rerr != nil || r.tooLong {
		return false
	}
	r.count(r.end)
	if r.capOn {
		r.cap = append(r.cap, r.buf[r.capFrom:r.end]...)
		r.capFrom = 0
		if len(r.cap) > r.capMax {
			r.tooLong = true
			return false
		}
	}
	r.base += int64(r.end)
	r.pos, r.end, r.counted = 0, 0, 0
	for range 100 {
		n, err := r.src.Read(r.buf)
		r.end = n
		if err != nil {
			r.rerr = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	r.rerr = io.ErrNoProgress
	return false
}

// startCapture appends every byte consumed from now on to dst (reset to
// length 0), up to max bytes; what names the captured thing for errors.
func (r *reader) startCapture(dst []byte, max int, what string) {
	r.capOn = true
	r.cap = dst[:0]
	r.capFrom = r.pos
	r.capMax = max
	r.capStart = r.here()
	r.capWhat = what
	r.tooLong = false
}

// captured returns the bytes captured so far (valid until the next read).
func (r *reader) captured() []byte {
	r.cap = append(r.cap, r.buf[r.capFrom:r.pos]...)
	r.capFrom = r.pos
	if len(r.cap) > r.capMax {
		r.tooLong = true
	}
	return r.cap
}

// stopCapture ends the capture and returns what it holds, or an error when
// it grew beyond its limit.
func (r *reader) stopCapture() ([]byte, error) {
	c := r.captured()
	r.capOn = false
	if r.tooLong {
		return c, r.tooLongErr()
	}
	return c, nil
}

func (r *reader) tooLongErr() error {
	return parseErr(r.file, r.capStart, &gjError{
		kind: format.ErrTooLong,
		msg:  fmt.Sprintf("%s longer than %d bytes (Options.MaxRecordBytes)", r.capWhat, r.capMax),
	})
}

// endErr explains why fill failed: a capture that grew too long, a read
// error, or the end of the input where want was expected.
func (r *reader) endErr(want string) error {
	if r.tooLong {
		return r.tooLongErr()
	}
	if r.rerr != nil && !errors.Is(r.rerr, io.EOF) {
		return fmt.Errorf("geojson: reading %s: %w", r.file, r.rerr)
	}
	return r.syntaxErr("unexpected end of input, expected " + want)
}

func (r *reader) syntaxErr(msg string) error {
	return parseErr(r.file, r.here(), &gjError{kind: ErrSyntax, msg: msg})
}

// foundErr reports the unread byte where want was expected.
func (r *reader) foundErr(want string) error {
	return r.syntaxErr("expected " + want + ", found " + describe(r.buf[r.pos]))
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipWS consumes whitespace; it reports false at the end of the input.
func (r *reader) skipWS() bool {
	for {
		for r.pos < r.end {
			if !isWS(r.buf[r.pos]) {
				return true
			}
			r.pos++
		}
		if !r.fill() {
			return false
		}
	}
}

// scanValue consumes one JSON value, checking its syntax. depth is the
// nesting depth of the container the value is in (0 at the top level).
func (r *reader) scanValue(depth int) error {
	if !r.fill() {
		return r.endErr("a value")
	}
	switch c := r.buf[r.pos]; {
	case c == '{':
		return r.scanObject(depth + 1)
	case c == '[':
		return r.scanArray(depth + 1)
	case c == '"':
		return r.scanString()
	case c == '-' || c >= '0' && c <= '9':
		return r.scanNumber()
	case c == 't':
		return r.scanLiteral("true")
	case c == 'f':
		return r.scanLiteral("false")
	case c == 'n':
		return r.scanLiteral("null")
	}
	return r.foundErr("a value")
}

func (r *reader) depthErr() error {
	return parseErr(r.file, r.here(), &gjError{kind: ErrDepth, msg: "arrays and objects nested more than " + strconv.Itoa(MaxDepth) + " deep"})
}

func (r *reader) scanObject(depth int) error {
	if depth > MaxDepth {
		return r.depthErr()
	}
	r.pos++ // '{'
	if !r.skipWS() {
		return r.endErr("'\"' or '}'")
	}
	if r.buf[r.pos] == '}' {
		r.pos++
		return nil
	}
	for {
		if r.buf[r.pos] != '"' {
			return r.foundErr("'\"' to begin a member name")
		}
		if err := r.scanString(); err != nil {
			return err
		}
		if !r.skipWS() {
			return r.endErr("':'")
		}
		if r.buf[r.pos] != ':' {
			return r.foundErr("':' after member name")
		}
		r.pos++
		if !r.skipWS() {
			return r.endErr("a value")
		}
		if err := r.scanValue(depth); err != nil {
			return err
		}
		if !r.skipWS() {
			return r.endErr("',' or '}'")
		}
		switch r.buf[r.pos] {
		case ',':
			r.pos++
			if !r.skipWS() {
				return r.endErr("'\"'")
			}
		case '}':
			r.pos++
			return nil
		default:
			return r.foundErr("',' or '}' after object member")
		}
	}
}

func (r *reader) scanArray(depth int) error {
	if depth > MaxDepth {
		return r.depthErr()
	}
	r.pos++ // '['
	if !r.skipWS() {
		return r.endErr("a value or ']'")
	}
	if r.buf[r.pos] == ']' {
		r.pos++
		return nil
	}
	for {
		if err := r.scanValue(depth); err != nil {
			return err
		}
		if !r.skipWS() {
			return r.endErr("',' or ']'")
		}
		switch r.buf[r.pos] {
		case ',':
			r.pos++
			if !r.skipWS() {
				return r.endErr("a value")
			}
			if r.buf[r.pos] == ']' {
				return r.foundErr("a value after ','")
			}
		case ']':
			r.pos++
			return nil
		default:
			return r.foundErr("',' or ']' after array element")
		}
	}
}

// plainStr marks the bytes that may appear unescaped in a JSON string and
// need no attention: not '"', not '\\', not a control character.
var plainStr = func() (t [256]bool) {
	for i := 0x20; i < 256; i++ {
		t[i] = i != '"' && i != '\\'
	}
	return t
}()

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func (r *reader) scanString() error {
	r.pos++ // '"'
	for {
		for r.pos < r.end {
			c := r.buf[r.pos]
			if plainStr[c] {
				r.pos++
				continue
			}
			switch {
			case c == '"':
				r.pos++
				return nil
			case c == '\\':
				r.pos++
				if !r.fill() {
					return r.endErr("an escape character")
				}
				switch r.buf[r.pos] {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					r.pos++
				case 'u':
					r.pos++
					for range 4 {
						if !r.fill() {
							return r.endErr("a hexadecimal digit")
						}
						if !isHex(r.buf[r.pos]) {
							return r.foundErr("a hexadecimal digit in \\u escape")
						}
						r.pos++
					}
				default:
					return r.syntaxErr("invalid escape " + describe(r.buf[r.pos]) + " in string")
				}
			default:
				return r.syntaxErr("invalid control character " + describe(c) + " in string")
			}
		}
		if !r.fill() {
			return r.endErr("'\"' to end the string")
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (r *reader) digits() {
	for {
		for r.pos < r.end {
			if !isDigit(r.buf[r.pos]) {
				return
			}
			r.pos++
		}
		if !r.fill() {
			return
		}
	}
}

// digit consumes one required digit.
func (r *reader) digit() error {
	if !r.fill() {
		return r.endErr("a digit")
	}
	if !isDigit(r.buf[r.pos]) {
		return r.foundErr("a digit")
	}
	r.pos++
	return nil
}

func (r *reader) scanNumber() error {
	if r.buf[r.pos] == '-' {
		r.pos++
		if !r.fill() {
			return r.endErr("a digit")
		}
	}
	switch c := r.buf[r.pos]; {
	case c == '0':
		r.pos++
	case c >= '1' && c <= '9':
		r.pos++
		r.digits()
	default:
		return r.foundErr("a digit")
	}
	if r.fill() && r.buf[r.pos] == '.' {
		r.pos++
		if err := r.digit(); err != nil {
			return err
		}
		r.digits()
	}
	if r.fill() && (r.buf[r.pos] == 'e' || r.buf[r.pos] == 'E') {
		r.pos++
		if !r.fill() {
			return r.endErr("a digit")
		}
		if c := r.buf[r.pos]; c == '+' || c == '-' {
			r.pos++
		}
		if err := r.digit(); err != nil {
			return err
		}
		r.digits()
	}
	return nil
}

func (r *reader) scanLiteral(lit string) error {
	for i := range len(lit) {
		if !r.fill() {
			return r.endErr(strconv.Quote(lit))
		}
		if r.buf[r.pos] != lit[i] {
			return r.syntaxErr("invalid literal: expected " + strconv.Quote(lit) + ", found " + describe(r.buf[r.pos]))
		}
		r.pos++
	}
	return nil
}
