package plt

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// ctxEvery is how many lines pass between checks of the context.
const ctxEvery = 4096

// The fields of a point line.
const (
	fLat = iota
	fLon
	fCode
	fAlt
	fDays
	fDate
	fTime
	nFields
)

var fieldNames = [nFields]string{"latitude", "longitude", "code", "altitude", "days", "date", "time"}

// fieldByName is the field an attribute name designates, -1 for none.
func fieldByName(name string) int {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "lat", "latitude":
		return fLat
	case "lon", "longitude":
		return fLon
	case "code":
		return fCode
	case "alt", "altitude":
		return fAlt
	case "days":
		return fDays
	case "date":
		return fDate
	case "time":
		return fTime
	}
	return -1
}

// unknownAlt is the altitude of a point whose altitude is unknown.
const unknownAlt = "-777"

// feet is one foot in metres.
const feet = 0.3048

// epoch is the origin of the days field, 1899-12-30 00:00 UTC, in Unix
// seconds.
var epoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Unix()

// span is a field's bytes, raw[s:e].
type span struct{ s, e int }

// rewriter is one run of Codec.Rewrite.
type rewriter struct {
	ctx    context.Context
	h      format.Handler
	name   string
	source string
	lr     *lineReader
	out    *bufio.Writer // nil when only scanning

	raw    []byte // the current line and its line end
	body   int    // length of its body
	fields [nFields]span

	rec   geowarden.Record
	attrs attrs
	ebuf  []byte // the edited line
}

func (rw *rewriter) write(b []byte) {
	if rw.out != nil {
		rw.out.Write(b) // a write error sticks and is returned by Flush
	}
}

func (rw *rewriter) run() error {
	if err := rw.header(); err != nil {
		if err == io.EOF {
			return nil
		}
		return err
	}
	for n := 1; ; n++ {
		if n%ctxEvery == 0 {
			if err := rw.ctx.Err(); err != nil {
				return err
			}
		}
		raw, body, long, err := rw.lr.read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("plt: reading %s: %w", rw.name, err)
		}
		if long {
			err := rw.h.Bad(&format.ParseError{File: rw.name, Line: rw.lr.line, Offset: rw.lr.off,
				Err: fmt.Errorf("plt: line longer than %d bytes: %w", rw.lr.max, format.ErrTooLong)})
			if err != nil {
				return err
			}
			continue
		}
		if len(bytes.Trim(raw[:body], " \t\r")) == 0 {
			rw.write(raw)
			continue
		}
		rw.raw, rw.body = raw, body
		if err := rw.point(); err != nil {
			return err
		}
	}
}

// header reads, checks and writes the six header lines. It returns io.EOF
// for an empty input.
func (rw *rewriter) header() error {
	lr := rw.lr
	for i := 1; i <= HeaderLines; i++ {
		raw, body, long, err := lr.read()
		if err == io.EOF {
			if i == 1 {
				return io.EOF
			}
			return &format.ParseError{File: rw.name, Line: i, Offset: lr.next,
				Err: fmt.Errorf("%w: the input ends after %d header lines, want %d", ErrHeader, i-1, HeaderLines)}
		}
		if err != nil {
			return fmt.Errorf("plt: reading %s: %w", rw.name, err)
		}
		if long {
			return &format.ParseError{File: rw.name, Line: lr.line, Offset: lr.off,
				Err: fmt.Errorf("%w: header line longer than %d bytes: %w", ErrHeader, lr.max, format.ErrTooLong)}
		}
		line := raw[:body]
		var want, what string
		switch i {
		case 1:
			line = bytes.TrimPrefix(line, bom)
			want, what = "Geolife trajectory", "the title"
		case 2:
			want, what = "WGS 84", "the datum"
		case 3:
			want, what = "Altitude is in Feet", "the altitude unit"
		}
		if want != "" && !headerIs(line, strings.ToLower(want)) {
			err := fmt.Errorf("%w: %s is %q, want %q", ErrHeader, what, line, want)
			if i == 2 {
				err = fmt.Errorf("%w: positions in another datum are not converted", err)
			}
			return &format.ParseError{File: rw.name, Line: i, Offset: lr.off, Err: err}
		}
		rw.write(raw)
	}
	return nil
}

// bad reports a bad point to the handler, at field f.
func (rw *rewriter) bad(f int, err error) error {
	return rw.badAt(rw.fields[f].s, err)
}

// badAt reports a bad point to the handler, at byte col (0-based) of the
// line, or at the whole line when col is -1.
func (rw *rewriter) badAt(col int, err error) error {
	pe := &format.ParseError{File: rw.name, Line: rw.lr.line, Offset: rw.lr.off, Err: err}
	if col >= 0 {
		pe.Column = col + 1
		pe.Offset += int64(col)
	}
	return rw.h.Bad(pe)
}

// value is field f without surrounding blanks.
func (rw *rewriter) value(f int) []byte {
	return bytes.Trim(rw.raw[rw.fields[f].s:rw.fields[f].e], " \t\r")
}

// split finds the fields of the current line. When there are not seven,
// it returns their number and, when there are more, the byte column
// (0-based) of the first one too many; -1 otherwise.
func (rw *rewriter) split() (n, extra int) {
	line := rw.raw[:rw.body]
	n, extra = 1, -1
	s := 0
	for {
		i := bytes.IndexByte(line[s:], ',')
		if n <= nFields {
			e := len(line)
			if i >= 0 {
				e = s + i
			}
			rw.fields[n-1] = span{s, e}
		} else if extra < 0 {
			extra = s
		}
		if i < 0 {
			return n, extra
		}
		n++
		s += i + 1
	}
}

func (rw *rewriter) point() error {
	if n, extra := rw.split(); n != nFields {
		return rw.badAt(extra, fmt.Errorf("%w: the line has %d, want %d (latitude, longitude, code, altitude, days, date, time)",
			ErrFieldCount, n, nFields))
	}

	lat, ok := format.ParseDecimal(rw.value(fLat))
	if !ok {
		return rw.badNumber(fLat)
	}
	lon, ok := format.ParseDecimal(rw.value(fLon))
	if !ok {
		return rw.badNumber(fLon)
	}
	if err := format.CheckPoint(lon, lat); err != nil {
		f := fLon
		if lat < -90 || lat > 90 {
			f = fLat
		}
		return rw.bad(f, fmt.Errorf("plt: %s %q: %w", fieldNames[f], rw.value(f), err))
	}

	r := &rw.rec
	*r = geowarden.Record{
		Shape:  geowarden.ShapePoint,
		Pos:    geowarden.Point{Lon: lon, Lat: lat},
		Kind:   geowarden.KindFix,
		Source: rw.source,
		Attrs:  &rw.attrs,
		Ref:    geowarden.Ref{File: rw.name, Line: rw.lr.line, Offset: rw.lr.off, Feature: -1},
	}

	if v := rw.value(fAlt); len(v) > 0 {
		ft, ok := number(v)
		if !ok {
			return rw.bad(fAlt, fmt.Errorf("%w: altitude %q is not a number", ErrField, v))
		}
		if ft != -777 {
			r.Alt, r.HasAlt = ft*feet, true
		}
	}

	d, ok := parseDate(rw.value(fDate))
	if !ok {
		return rw.bad(fDate, fmt.Errorf("%w: date %q is not a date YYYY-MM-DD", ErrField, rw.value(fDate)))
	}
	tod, ok := parseTime(rw.value(fTime))
	if !ok {
		return rw.bad(fTime, fmt.Errorf("%w: time %q is not a time of day HH:MM:SS", ErrField, rw.value(fTime)))
	}
	r.Time = d.Add(tod)

	if v := rw.value(fDays); len(v) > 0 {
		days, ok := number(v)
		if !ok {
			return rw.bad(fDays, fmt.Errorf("%w: days %q is not a number", ErrField, v))
		}
		if off := days*86400 - float64(r.Time.Unix()-epoch); !(math.Abs(off) <= 1) {
			return rw.bad(fDays, fmt.Errorf("%w: days %q is %.0f seconds away from %s",
				ErrTimeMismatch, v, off, r.Time.Format("2006-01-02 15:04:05")))
		}
	}

	e := rw.h.Record(r)
	switch {
	case rw.out == nil || e.Drop:
		return nil
	case e.IsKeep():
		rw.out.Write(rw.raw)
		return nil
	}
	return rw.writeEdited(&e)
}

func (rw *rewriter) badNumber(f int) error {
	return rw.bad(f, fmt.Errorf("plt: %s %q is not a number: %w", fieldNames[f], rw.value(f), format.ErrNaN))
}

// editError is the error for an edit the point cannot take.
func (rw *rewriter) editError(msg string, args ...any) error {
	return &format.ParseError{File: rw.name, Line: rw.lr.line, Offset: rw.lr.off,
		Err: fmt.Errorf("%w: "+msg, append([]any{ErrEdit}, args...)...)}
}

func (rw *rewriter) writeEdited(e *geowarden.Edit) error {
	var repl [nFields]span // in rw.ebuf
	var has [nFields]bool
	b := rw.ebuf[:0]
	set := func(f int, from int) {
		repl[f], has[f] = span{from, len(b)}, true
	}
	for _, name := range e.Strip {
		switch f := fieldByName(name); {
		case f == fAlt:
			n := len(b)
			b = append(b, unknownAlt...)
			set(f, n)
		case f >= 0:
			return rw.editError("cannot strip %q: every point needs its %s; coarsen it or drop the point", name, fieldNames[f])
		}
	}
	for _, a := range e.Set {
		if f := fieldByName(a.Name); f >= 0 {
			return rw.editError("cannot set %q: a point's %s is not text", a.Name, fieldNames[f])
		}
	}
	if e.Move {
		if err := format.CheckPoint(e.Pos.Lon, e.Pos.Lat); err != nil {
			return rw.editError("moving the point to an invalid position: %w", err)
		}
		n := len(b)
		b = format.AppendCoord(b, e.Pos.Lat)
		set(fLat, n)
		n = len(b)
		b = format.AppendCoord(b, e.Pos.Lon)
		set(fLon, n)
	}
	if e.Retime {
		t := e.Time.UTC().Truncate(time.Second)
		if e.Time.IsZero() || t.Year() < 1 || t.Year() > 9999 {
			return rw.editError("retiming to %v: a point needs a time in the years 1 to 9999", e.Time)
		}
		if len(rw.value(fDays)) > 0 {
			n := len(b)
			b = appendDays(b, t.Unix()-epoch)
			set(fDays, n)
		}
		n := len(b)
		b = t.AppendFormat(b, "2006-01-02")
		set(fDate, n)
		n = len(b)
		b = t.AppendFormat(b, "15:04:05")
		set(fTime, n)
	}
	rw.ebuf = b
	out := rw.out
	for f := range nFields {
		if f > 0 {
			out.WriteByte(',')
		}
		if has[f] {
			out.Write(b[repl[f].s:repl[f].e])
		} else {
			out.Write(rw.raw[rw.fields[f].s:rw.fields[f].e])
		}
	}
	out.Write(rw.raw[rw.body:])
	return nil
}

// appendDays writes a time given in seconds since 1899-12-30 as days with
// 15 significant digits, trailing zeros removed, as GeoLife does
// (39744.1201851852).
func appendDays(dst []byte, secs int64) []byte {
	d := float64(secs) / 86400
	digits := 1
	for i := int64(math.Abs(d)); i >= 10; i /= 10 {
		digits++
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, d, 'f', max(0, 15-digits), 64)
	if bytes.IndexByte(dst[n:], '.') >= 0 {
		dst = bytes.TrimRight(dst, "0")
		dst = bytes.TrimSuffix(dst, []byte{'.'})
	}
	return dst
}

// number parses a decimal number that fits a float64.
func number(b []byte) (float64, bool) {
	v, ok := format.ParseDecimal(b)
	return v, ok && !math.IsInf(v, 0)
}

// digits2 parses two ASCII digits.
func digits2(b []byte) (int, bool) {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

// parseDate parses YYYY-MM-DD (years 0001 to 9999) into midnight UTC of
// that day.
func parseDate(b []byte) (time.Time, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return time.Time{}, false
	}
	hi, ok1 := digits2(b[0:2])
	lo, ok2 := digits2(b[2:4])
	m, ok3 := digits2(b[5:7])
	d, ok4 := digits2(b[8:10])
	if !ok1 || !ok2 || !ok3 || !ok4 || hi+lo == 0 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(hi*100+lo, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // February 30th
		return time.Time{}, false
	}
	return t, true
}

// parseTime parses HH:MM:SS into a duration since midnight.
func parseTime(b []byte) (time.Duration, bool) {
	if len(b) != 8 || b[2] != ':' || b[5] != ':' {
		return 0, false
	}
	h, ok1 := digits2(b[0:2])
	m, ok2 := digits2(b[3:5])
	s, ok3 := digits2(b[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || s > 59 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second, true
}

// attrs gives the handler the current point's fields by name.
type attrs struct{ rw *rewriter }

// Attr returns a field of the point, without surrounding blanks: lat, lon,
// code, alt (or altitude, in feet as written), days, date, time.
func (a *attrs) Attr(name string) (string, bool) {
	f := fieldByName(name)
	if f < 0 {
		return "", false
	}
	return string(a.rw.value(f)), true
}
