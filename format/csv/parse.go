package csv

import (
	"math"
	"strconv"
	"time"
)

// trimBlank removes surrounding spaces and tabs.
func trimBlank(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat parses a decimal number. Plain [+-]digits[.digits] with at most
// 15 digits take an exact fast path (one correctly rounded division, the
// result strconv.ParseFloat gives); everything else goes to
// strconv.ParseFloat. With comma set, a decimal comma is accepted instead of
// a point; decComma reports whether one was used.
func parseFloat(b []byte, comma bool) (v float64, decComma, ok bool) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	var m uint64
	d0 := i
	for i < len(b) && b[i]-'0' < 10 {
		m = m*10 + uint64(b[i]-'0')
		i++
	}
	digits, frac, sep := i-d0, 0, -1
	if i < len(b) && (b[i] == '.' || b[i] == ',' && comma) {
		sep = i
		i++
		f0 := i
		for i < len(b) && b[i]-'0' < 10 {
			m = m*10 + uint64(b[i]-'0')
			i++
		}
		frac = i - f0
	}
	if i == len(b) && digits+frac > 0 && digits+frac <= 15 {
		// m < 10^15 < 2^53 and 10^frac are exact.
		v = float64(m) / pow10[frac]
		if neg {
			v = -v
		}
		return v, sep >= 0 && b[sep] == ',', true
	}
	if sep >= 0 && b[sep] == ',' {
		var tmp [64]byte
		if len(b) > len(tmp) {
			return 0, false, false
		}
		c := append(tmp[:0], b...)
		c[sep] = '.'
		v, err := strconv.ParseFloat(string(c), 64)
		return v, true, err == nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, false, err == nil
}

// parseInt parses an integer, also written as a float with no fraction
// ("262.0", as spreadsheets and pandas write them).
func parseInt(b []byte) (int64, bool) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	if i < len(b) && len(b)-i <= 18 {
		var n int64
		for ; i < len(b); i++ {
			c := b[i]
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int64(c-'0')
		}
		if i == len(b) {
			if neg {
				n = -n
			}
			return n, true
		}
	}
	f, _, ok := parseFloat(b, false)
	if !ok || f != math.Trunc(f) || f > 1<<53 || f < -(1<<53) {
		return 0, false
	}
	return int64(f), true
}

// Time layouts. A tlayout records how a time was written, so that a new time
// can be written the same way.
const (
	tlNone      uint8 = iota // no time read
	tlUnix                   // unix seconds
	tlUnixMilli              // unix milliseconds (more than 1e11)
	tlDate                   // YYYY-MM-DD hh:mm:ss and its variants
)

type tlayout struct {
	kind            uint8
	frac            uint8 // digits after the decimal separator; 0 = none
	fracSep         byte  // '.' or ','
	dsep, mid, tsep byte  // date separator, date-time separator, time separator
	zone            byte  // 0 none; 'Z' or 'z'; ':' ±hh:mm; '4' ±hhmm; '2' ±hh
	off             int32 // the zone's offset east of UTC in seconds
}

// parseTime reads a time written in one of the layouts doc.go lists. The
// result is in UTC; times without a zone are taken as UTC.
func parseTime(b []byte) (time.Time, tlayout, bool) {
	var c dayCache
	return c.parseTime(b)
}

// dayCache remembers the day number of the last date read: the rows of a
// table mostly share their dates with their neighbours.
type dayCache struct {
	y, m, d int
	days    int64
}

func (c *dayCache) daysFromCivil(y, m, d int) int64 {
	if y != c.y || m != c.m || d != c.d || c.m == 0 {
		c.y, c.m, c.d, c.days = y, m, d, daysFromCivil(y, m, d)
	}
	return c.days
}

// parseTime is parseTime with the cache.
func (c *dayCache) parseTime(b []byte) (time.Time, tlayout, bool) {
	if len(b) == 0 {
		return time.Time{}, tlayout{}, false
	}
	// Dates have a separator after the year; "2019.12.16_..." is not a
	// unix time with a fraction. A unix time has only digits and one
	// '.', so a '-' or '/' there rules it out.
	if len(b) <= 4 || b[4] != '-' && b[4] != '/' {
		if t, l, ok := parseUnix(b); ok {
			return t, l, true
		}
	}
	return c.parseDate(b)
}

// parseUnix reads digits[.digits]: unix seconds, or milliseconds when the
// integer part is over 1e11 (after 5138 as seconds, after 1973 as ms).
func parseUnix(b []byte) (time.Time, tlayout, bool) {
	var l tlayout
	var n int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if i == 18 {
			return time.Time{}, l, false
		}
		n = n*10 + int64(b[i]-'0')
	}
	if i == 0 {
		return time.Time{}, l, false
	}
	var frac int64 // nanoseconds of the unit
	if i < len(b) {
		if b[i] != '.' || i+1 == len(b) {
			return time.Time{}, l, false
		}
		l.fracSep = '.'
		scale := int64(1e8)
		for i++; i < len(b); i++ {
			c := b[i]
			if c < '0' || c > '9' || l.frac == 18 {
				return time.Time{}, l, false
			}
			frac += int64(c-'0') * scale
			scale /= 10
			l.frac++
		}
	}
	if n > 1e11 {
		l.kind = tlUnixMilli
		return time.Unix(n/1000, (n%1000)*1e6+frac/1e3).UTC(), l, true
	}
	l.kind = tlUnix
	return time.Unix(n, frac).UTC(), l, true
}

func digits2(b []byte, i int) (int, bool) {
	c, d := b[i], b[i+1]
	if c < '0' || c > '9' || d < '0' || d > '9' {
		return 0, false
	}
	return int(c-'0')*10 + int(d-'0'), true
}

// parseDate reads YYYY-MM-DD?hh:mm:ss[.frac][zone] where the date separator
// is '-', '/' or '.', the middle one 'T', ' ' or '_', the time separator ':'
// or '.', and the zone Z, ±hh:mm, ±hhmm or ±hh.
func (c *dayCache) parseDate(b []byte) (time.Time, tlayout, bool) {
	var l tlayout
	if len(b) < 19 {
		return time.Time{}, l, false
	}
	y1, ok1 := digits2(b, 0)
	y2, ok2 := digits2(b, 2)
	mo, ok3 := digits2(b, 5)
	d, ok4 := digits2(b, 8)
	h, ok5 := digits2(b, 11)
	mi, ok6 := digits2(b, 14)
	s, ok7 := digits2(b, 17)
	l.dsep, l.mid, l.tsep = b[4], b[10], b[13]
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) ||
		(l.dsep != '-' && l.dsep != '/' && l.dsep != '.') || b[7] != l.dsep ||
		(l.mid != 'T' && l.mid != 't' && l.mid != ' ' && l.mid != '_') ||
		(l.tsep != ':' && l.tsep != '.') || b[16] != l.tsep {
		return time.Time{}, l, false
	}
	y := y1*100 + y2
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, l, false
	}
	i := 19
	var nsec int64
	if i+1 < len(b) && (b[i] == '.' || b[i] == ',') && b[i+1] >= '0' && b[i+1] <= '9' {
		l.fracSep = b[i]
		scale := int64(1e8)
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if l.frac == 18 {
				return time.Time{}, l, false
			}
			nsec += int64(b[i]-'0') * scale
			scale /= 10
			l.frac++
		}
	}
	if i < len(b) {
		switch c := b[i]; c {
		case 'Z', 'z':
			l.zone = c
			i++
		case '+', '-':
			zh, ok := 0, false
			if i+3 <= len(b) {
				zh, ok = digits2(b, i+1)
			}
			if !ok || zh > 23 {
				return time.Time{}, l, false
			}
			zm := 0
			switch {
			case i+3 == len(b):
				l.zone = '2'
				i += 3
			case i+6 == len(b) && b[i+3] == ':':
				zm, ok = digits2(b, i+4)
				l.zone = ':'
				i += 6
			case i+5 == len(b):
				zm, ok = digits2(b, i+3)
				l.zone = '4'
				i += 5
			default:
				ok = false
			}
			if !ok || zm > 59 {
				return time.Time{}, l, false
			}
			l.off = int32(zh*3600 + zm*60)
			if c == '-' {
				l.off = -l.off
			}
		}
	}
	if i != len(b) {
		return time.Time{}, l, false
	}
	l.kind = tlDate
	sec := c.daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+s) - int64(l.off)
	return time.Unix(sec, nsec).UTC(), l, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to a date of the
// proleptic Gregorian calendar (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// appendTime writes t in layout l; a time never read (tlNone) is written as
// RFC 3339 in UTC.
func appendTime(dst []byte, t time.Time, l tlayout) []byte {
	switch l.kind {
	case tlUnix, tlUnixMilli:
		if l.kind == tlUnixMilli {
			dst = strconv.AppendInt(dst, t.UnixMilli(), 10)
			if l.frac > 0 {
				dst = append(dst, '.')
				dst = appendFrac(dst, int64(t.Nanosecond()%1e6)*1000, l.frac)
			}
			return dst
		}
		dst = strconv.AppendInt(dst, t.Unix(), 10)
		if l.frac > 0 {
			dst = append(dst, '.')
			dst = appendFrac(dst, int64(t.Nanosecond()), l.frac)
		}
		return dst
	case tlDate:
		u := t.UTC().Add(time.Duration(l.off) * time.Second)
		y, mo, d := u.Date()
		h, mi, s := u.Clock()
		if y >= 0 && y <= 9999 {
			dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10))
			dst = appendTwo(dst, y%100)
		} else {
			dst = strconv.AppendInt(dst, int64(y), 10)
		}
		dst = append(dst, l.dsep)
		dst = appendTwo(dst, int(mo))
		dst = append(dst, l.dsep)
		dst = appendTwo(dst, d)
		dst = append(dst, l.mid)
		dst = appendTwo(dst, h)
		dst = append(dst, l.tsep)
		dst = appendTwo(dst, mi)
		dst = append(dst, l.tsep)
		dst = appendTwo(dst, s)
		if l.frac > 0 {
			dst = append(dst, l.fracSep)
			dst = appendFrac(dst, int64(u.Nanosecond()), l.frac)
		}
		switch l.zone {
		case 'Z', 'z':
			dst = append(dst, l.zone)
		case ':', '4', '2':
			off := int(l.off)
			sign := byte('+')
			if off < 0 {
				sign, off = '-', -off
			}
			dst = append(dst, sign)
			dst = appendTwo(dst, off/3600)
			if l.zone == ':' {
				dst = append(dst, ':')
			}
			if l.zone != '2' {
				dst = appendTwo(dst, off/60%60)
			}
		}
		return dst
	}
	return t.UTC().AppendFormat(dst, time.RFC3339Nano)
}

func appendTwo(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// appendFrac writes the first n digits of a nanosecond count (n up to 18:
// digits past the ninth are zeros).
func appendFrac(dst []byte, ns int64, n uint8) []byte {
	var d [9]byte
	for i := 8; i >= 0; i-- {
		d[i] = byte('0' + ns%10)
		ns /= 10
	}
	for i := range n {
		if i < 9 {
			dst = append(dst, d[i])
		} else {
			dst = append(dst, '0')
		}
	}
	return dst
}
