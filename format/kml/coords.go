package kml

import (
	"fmt"
	"math"
	"strconv"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// tuple is one position of a <coordinates> list.
type tuple struct {
	p     geowarden.Point
	alt   []byte // the altitude as written; nil when the tuple has two numbers
	at    int    // offset of the tuple in the parsed text
	empty bool   // an empty gx:coord (a gap marker some trackers write): no position
}

// coordError is a problem in coordinates text, at byte at of the text.
type coordError struct {
	at   int
	kind error
	msg  string
}

func (e *coordError) Error() string { return e.msg }

// parseCoords appends the tuples of a KML <coordinates> text to dst:
// tuples separated by white space, numbers within a tuple by commas (white
// space after a comma is tolerated), two or three numbers per tuple.
func parseCoords(dst []tuple, b []byte) ([]tuple, *coordError) {
	i := skipSpace(b, 0)
	for i < len(b) {
		t := tuple{at: i}
		var v [3]float64
		n := 0
		for {
			j := numEnd(b, i)
			if j == i {
				return dst, &coordError{at: i, kind: ErrInvalid, msg: fmt.Sprintf("expected a number in coordinates, found %q", clip(b[i:]))}
			}
			x, err := strconv.ParseFloat(string(b[i:j]), 64)
			if err != nil || math.IsInf(x, 0) {
				return dst, &coordError{at: i, kind: format.ErrNaN, msg: fmt.Sprintf("%q is not a finite number", clip(b[i:j]))}
			}
			if n == 3 {
				return dst, &coordError{at: i, kind: ErrInvalid, msg: "a coordinate tuple has more than 3 numbers"}
			}
			if n == 2 {
				t.alt = b[i:j]
			}
			v[n] = x
			n++
			k := skipSpace(b, j)
			if k < len(b) && b[k] == ',' {
				i = skipSpace(b, k+1)
				if i == len(b) {
					return dst, &coordError{at: k, kind: ErrInvalid, msg: "coordinates end with a comma"}
				}
				continue
			}
			if k < len(b) && k == j {
				return dst, &coordError{at: k, kind: ErrInvalid, msg: fmt.Sprintf("expected ',' or white space after a number, found %q", clip(b[k:]))}
			}
			i = k
			break
		}
		if n < 2 {
			return dst, &coordError{at: t.at, kind: ErrInvalid, msg: "a coordinate tuple has only one number (want lon,lat[,alt])"}
		}
		t.p = geowarden.Point{Lon: v[0], Lat: v[1]}
		if err := format.CheckPoint(t.p.Lon, t.p.Lat); err != nil {
			return dst, &coordError{at: t.at, kind: err, msg: err.Error()}
		}
		dst = append(dst, t)
	}
	return dst, nil
}

// parseGxCoord reads a gx:coord text: "lon lat [alt]" separated by white
// space.
func parseGxCoord(b []byte) (tuple, *coordError) {
	var t tuple
	var v [3]float64
	n := 0
	i := skipSpace(b, 0)
	t.at = i
	for i < len(b) {
		j := numEnd(b, i)
		if j == i {
			return t, &coordError{at: i, kind: ErrInvalid, msg: fmt.Sprintf("expected a number in gx:coord, found %q", clip(b[i:]))}
		}
		x, err := strconv.ParseFloat(string(b[i:j]), 64)
		if err != nil || math.IsInf(x, 0) {
			return t, &coordError{at: i, kind: format.ErrNaN, msg: fmt.Sprintf("%q is not a finite number", clip(b[i:j]))}
		}
		if n == 3 {
			return t, &coordError{at: i, kind: ErrInvalid, msg: "gx:coord has more than 3 numbers"}
		}
		if n == 2 {
			t.alt = b[i:j]
		}
		v[n] = x
		n++
		k := skipSpace(b, j)
		if k == j && k < len(b) {
			return t, &coordError{at: k, kind: ErrInvalid, msg: fmt.Sprintf("expected white space between the numbers of gx:coord, found %q", clip(b[k:]))}
		}
		i = k
	}
	if n == 0 {
		t.empty = true
		return t, nil
	}
	if n < 2 {
		return t, &coordError{at: t.at, kind: ErrInvalid, msg: "gx:coord has 1 number (want lon lat [alt])"}
	}
	t.p = geowarden.Point{Lon: v[0], Lat: v[1]}
	if err := format.CheckPoint(t.p.Lon, t.p.Lat); err != nil {
		return t, &coordError{at: t.at, kind: err, msg: err.Error()}
	}
	return t, nil
}

// parseNumber reads one number (a <longitude>, <north>, ...).
func parseNumber(b []byte) (float64, *coordError) {
	i := skipSpace(b, 0)
	j := numEnd(b, i)
	if j == i || skipSpace(b, j) != len(b) {
		return 0, &coordError{at: i, kind: ErrInvalid, msg: fmt.Sprintf("expected a number, found %q", clip(b[i:]))}
	}
	x, err := strconv.ParseFloat(string(b[i:j]), 64)
	if err != nil || math.IsInf(x, 0) {
		return 0, &coordError{at: i, kind: format.ErrNaN, msg: fmt.Sprintf("%q is not a finite number", clip(b[i:j]))}
	}
	return x, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// numEnd returns the end of the number-like run at i: digits, signs, '.',
// 'e' and 'E' only (so "NaN", "Inf" and hex floats are not numbers).
func numEnd(b []byte, i int) int {
	for i < len(b) {
		c := b[i]
		if '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			i++
			continue
		}
		break
	}
	return i
}

func clip(b []byte) string {
	if len(b) > 20 {
		return string(b[:20]) + "..."
	}
	return string(b)
}

// round7 rounds to 7 decimals (about 1 cm), as the other codecs write.
func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

func appendNum(dst []byte, v float64) []byte {
	v = round7(v)
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.AppendFloat(dst, v, 'f', -1, 64)
}

// appendTuple writes lon,lat[,alt].
func appendTuple(dst []byte, p geowarden.Point, alt []byte) []byte {
	dst = appendNum(dst, p.Lon)
	dst = append(dst, ',')
	dst = appendNum(dst, p.Lat)
	if alt != nil {
		dst = append(dst, ',')
		dst = append(dst, alt...)
	}
	return dst
}
