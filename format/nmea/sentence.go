package nmea

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// Errors of this package, for errors.Is. Coordinates out of range also wrap
// format.ErrRange, and lines over the cap format.ErrTooLong.
var (
	// ErrChecksum: a sentence's checksum does not match its content.
	ErrChecksum = errors.New("nmea: checksum mismatch")
	// ErrSyntax: a line that starts like a sentence is not one (no address,
	// a checksum that is not two hex digits).
	ErrSyntax = errors.New("nmea: malformed sentence")
	// ErrField: a field that this package reads (a coordinate, hemisphere,
	// time, date or altitude) does not hold a valid value.
	ErrField = errors.New("nmea: malformed field")
)

// nmeaError is an error with its own message that wraps a sentinel and,
// perhaps, a cause.
type nmeaError struct {
	msg   string
	kind  error
	cause error
}

func (e *nmeaError) Error() string { return e.msg }

func (e *nmeaError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

func errorf(kind error, f string, a ...any) error {
	return &nmeaError{msg: fmt.Sprintf(f, a...), kind: kind}
}

// fieldErr is a problem at a byte index of a sentence's text.
type fieldErr struct {
	at  int
	err error
}

// class says what a sentence type means to this package.
type class uint8

const (
	clOther    class = iota // passed through as it is
	clFix                   // a position fix: a record, and an epoch's anchor
	clWaypoint              // a position that is not the receiver's: a record of its own
	clTimed                 // a time of the epoch (ZDA, GST, ...)
)

// layout says where a sentence type keeps what this package reads. Field
// indices count the address as field 0; 0 means none. A position is the
// latitude at lat, its hemisphere at lat+1, the longitude at lat+2 and its
// hemisphere at lat+3.
type layout struct {
	name    string
	class   class
	time    int  // hhmmss.ss
	lat     int  // ddmm.mmmm
	date    int  // ddmmyy
	zda     bool // fields 2, 3, 4 are day, month and four-digit year
	alt     int  // altitude
	gpsWeek int  // GPS week; gpsWeek+1 is the GPS seconds of the week
	leap    int  // GPS-UTC leap seconds
	altUnit int  // the altitude's unit, M or F; 0: always metres
	attrs   []attrField
}

type attrField struct {
	name  string
	field int
}

var (
	layGGA = &layout{name: "GGA", class: clFix, time: 1, lat: 2, alt: 9, altUnit: 10,
		attrs: []attrField{{"quality", 6}, {"sats", 7}, {"hdop", 8}, {"alt", 9}}}
	layRMC = &layout{name: "RMC", class: clFix, time: 1, lat: 3, date: 9,
		attrs: []attrField{{"status", 2}, {"speed", 7}, {"course", 8}, {"date", 9}, {"mode", 12}}}
	layGLL = &layout{name: "GLL", class: clFix, lat: 1, time: 5,
		attrs: []attrField{{"status", 6}, {"mode", 7}}}
	layGNS = &layout{name: "GNS", class: clFix, time: 1, lat: 2, alt: 9,
		attrs: []attrField{{"mode", 6}, {"sats", 7}, {"hdop", 8}, {"alt", 9}}}
	layWPL = &layout{name: "WPL", class: clWaypoint, lat: 1, attrs: []attrField{{"name", 5}}}
	layRMB = &layout{name: "RMB", class: clWaypoint, lat: 6,
		attrs: []attrField{{"status", 1}, {"name", 5}}}
	layBWC = &layout{name: "BWC", class: clWaypoint, time: 1, lat: 2, attrs: []attrField{{"name", 12}}}
	layBWR = &layout{name: "BWR", class: clWaypoint, time: 1, lat: 2, attrs: []attrField{{"name", 12}}}
	layTLL = &layout{name: "TLL", class: clWaypoint, lat: 2, time: 7,
		attrs: []attrField{{"name", 6}, {"status", 8}}}
	layZDA = &layout{name: "ZDA", class: clTimed, time: 1, zda: true}
	layGST = &layout{name: "GST", class: clTimed, time: 1}
	layGBS = &layout{name: "GBS", class: clTimed, time: 1}
	layGRS = &layout{name: "GRS", class: clTimed, time: 1}

	layPMGNTRK = &layout{name: "PMGNTRK", class: clFix, lat: 1, alt: 5, altUnit: 6, time: 7, date: 10,
		attrs: []attrField{{"status", 8}, {"name", 9}, {"date", 10}}}
	layPMGNWPL = &layout{name: "PMGNWPL", class: clWaypoint, lat: 1, alt: 5, altUnit: 6,
		attrs: []attrField{{"name", 7}}}
	layPASHR = &layout{name: "PASHR,POS", class: clFix, time: 4, lat: 5, alt: 9,
		attrs: []attrField{{"sats", 3}, {"alt", 9}}}
	layPUBX = &layout{name: "PUBX,00", class: clFix, time: 2, lat: 3, alt: 7,
		attrs: []attrField{{"status", 8}, {"alt", 7}}}
	// Garmin PGRMF (GPS fix data): GPS week, GPS seconds, date, time, leap
	// seconds, position, mode, fix type, speed, course, PDOP, TDOP.
	layPGRMF = &layout{name: "PGRMF", class: clFix, date: 3, time: 4, lat: 6, gpsWeek: 1, leap: 5,
		attrs: []attrField{{"mode", 10}, {"quality", 11}, {"speed", 12}, {"course", 13}, {"date", 3}}}
	// Garmin PGRMI (sensor initialisation): position, date, time, command.
	layPGRMI = &layout{name: "PGRMI", class: clWaypoint, lat: 1, date: 5, time: 6}
	// SkyTraq PSTI,030 (RTK fix): time, status, position, altitude,
	// velocity east, north and up, date, mode, RTK age and ratio.
	layPSTI030 = &layout{name: "PSTI,030", class: clFix, time: 2, lat: 4, alt: 8, date: 12,
		attrs: []attrField{{"status", 3}, {"alt", 8}, {"date", 12}, {"mode", 13}}}
	layAIS   = &layout{name: "AIS", class: clOther}
	layOther = &layout{name: "other", class: clOther}
)

// lookup returns the layout of a sentence from its address and first field.
func lookup(addr, f1 []byte) *layout {
	if len(addr) == 5 && addr[0] != 'P' {
		if isAIS(addr) {
			return layAIS
		}
		switch string(addr[2:]) {
		case "GGA":
			return layGGA
		case "RMC":
			return layRMC
		case "GLL":
			return layGLL
		case "GNS":
			return layGNS
		case "WPL":
			return layWPL
		case "RMB":
			return layRMB
		case "BWC":
			return layBWC
		case "BWR":
			return layBWR
		case "TLL":
			return layTLL
		case "ZDA":
			return layZDA
		case "GST":
			return layGST
		case "GBS":
			return layGBS
		case "GRS":
			return layGRS
		}
		return layOther
	}
	switch string(addr) {
	case "PMGNTRK":
		return layPMGNTRK
	case "PMGNWPL":
		return layPMGNWPL
	case "PASHR":
		if string(f1) == "POS" {
			return layPASHR
		}
	case "PUBX":
		if string(f1) == "00" {
			return layPUBX
		}
	case "PGRMF":
		return layPGRMF
	case "PGRMI":
		return layPGRMI
	case "PSTI":
		if string(f1) == "030" {
			return layPSTI030
		}
	}
	return layOther
}

// sentence is one parsed sentence; it refers to the bytes it was parsed
// from.
type sentence struct {
	text  []byte // from '$' or '!' to the end of the checksum
	data  int    // end of the fields: the index of '*', or len(text)
	sum   bool   // has a checksum
	lower bool   // the checksum is written in lower case
	fs    []int  // start of each field; fs[len-1] is data+1
}

// nfields is the number of fields, the address included.
func (s *sentence) nfields() int { return len(s.fs) - 1 }

// field returns field i, or nil when the sentence is shorter.
func (s *sentence) field(i int) []byte {
	if i < 0 || i+1 >= len(s.fs) {
		return nil
	}
	return s.text[s.fs[i] : s.fs[i+1]-1]
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' || 'a' <= c && c <= 'f'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

func xor(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}

// maxAddress caps the length of a sentence's address field.
const maxAddress = 16

// parse checks a sentence's syntax and checksum and splits it into fields.
func (s *sentence) parse(text []byte) *fieldErr {
	s.text, s.sum, s.lower = text, false, false
	s.fs = s.fs[:0]
	end := len(text)
	if star := bytes.LastIndexByte(text, '*'); star > 0 {
		ck := text[star+1:]
		if len(ck) != 2 || !isHex(ck[0]) || !isHex(ck[1]) {
			return &fieldErr{star, errorf(ErrSyntax, "nmea: malformed checksum %q: want * and two hex digits", ck)}
		}
		want := unhex(ck[0])<<4 | unhex(ck[1])
		if got := xor(text[1:star]); got != want {
			return &fieldErr{star, errorf(ErrChecksum, "nmea: checksum %s, computed %02X", ck, got)}
		}
		s.sum = true
		s.lower = ck[0] >= 'a' || ck[1] >= 'a'
		end = star
	}
	s.data = end
	s.fs = append(s.fs, 1)
	for i := 1; i < end; i++ {
		if text[i] == ',' {
			s.fs = append(s.fs, i+1)
		}
	}
	s.fs = append(s.fs, end+1)
	a := s.field(0)
	ok := len(a) > 0 && len(a) <= maxAddress
	for _, c := range a {
		ok = ok && isAlnum(c)
	}
	if !ok {
		if len(a) > 20 {
			a = append(a[:20:20], "..."...)
		}
		return &fieldErr{1, errorf(ErrSyntax, "nmea: malformed address %q: want letters and digits", a)}
	}
	return nil
}

// layout returns the sentence's layout.
func (s *sentence) layout() *layout { return lookup(s.field(0), s.field(1)) }

// talker and typ split the address: "GP" and "GGA"; "P" and "MGNTRK" for
// proprietary sentences; "" and the address for the others.
func (s *sentence) talker() []byte {
	a := s.field(0)
	switch {
	case len(a) > 1 && a[0] == 'P':
		return a[:1]
	case len(a) == 5:
		return a[:2]
	}
	return nil
}

func (s *sentence) typ() []byte { return s.field(0)[len(s.talker()):] }

// civil is a calendar date.
type civil struct {
	y int
	m time.Month
	d int
}

func (c civil) at(tod time.Duration) time.Time {
	return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC).Add(tod)
}

func dateOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// values is what a sentence says, as read by its layout.
type values struct {
	hasPos  bool
	pos     geowarden.Point
	hasTOD  bool
	tod     time.Duration // time of day
	hasDate bool
	date    civil
	hasAlt  bool
	alt     float64
}

// read reads the fields a layout names.
func (s *sentence) read(l *layout, v *values) *fieldErr {
	*v = values{}
	if l.time > 0 {
		if f := s.field(l.time); len(f) > 0 {
			tod, _, _, ok := parseTOD(f)
			if !ok {
				return s.errAt(l.time, errorf(ErrField, "nmea: %s time %q: want hhmmss or hhmmss.ss", l.name, f))
			}
			v.tod, v.hasTOD = tod, true
		}
	}
	if l.date > 0 {
		// Receivers without a date yet write an empty field or zeros.
		if f := s.field(l.date); len(f) > 0 && string(f) != "000000" {
			d, ok := parseDDMMYY(f)
			if !ok {
				return s.errAt(l.date, errorf(ErrField, "nmea: %s date %q: want ddmmyy", l.name, f))
			}
			v.date, v.hasDate = d, true
		}
	}
	if l.zda {
		d, m, y := s.field(2), s.field(3), s.field(4)
		if (len(d) > 0 || len(m) > 0 || len(y) > 0) && !(allZero(d) && allZero(m) && allZero(y)) {
			c, ok := parseZDA(d, m, y)
			if !ok {
				return s.errAt(2, errorf(ErrField, "nmea: %s date %q,%q,%q: want dd,mm,yyyy", l.name, d, m, y))
			}
			v.date, v.hasDate = c, true
		}
	}
	if l.lat > 0 {
		if fe := s.readPos(l, v); fe != nil {
			return fe
		}
	}
	if l.alt > 0 {
		if f := s.field(l.alt); len(f) > 0 {
			a, err := strconv.ParseFloat(string(f), 64)
			if err != nil || math.IsInf(a, 0) || math.IsNaN(a) {
				return s.errAt(l.alt, errorf(ErrField, "nmea: %s altitude %q: not a number", l.name, f))
			}
			if l.altUnit > 0 && string(s.field(l.altUnit)) == "F" {
				a *= 0.3048
			}
			v.alt, v.hasAlt = a, true
		}
	}
	return nil
}

func (s *sentence) errAt(field int, err error) *fieldErr {
	at := s.data
	if field+1 < len(s.fs) {
		at = s.fs[field]
	}
	return &fieldErr{at, err}
}

func (s *sentence) readPos(l *layout, v *values) *fieldErr {
	lat, ns, lon, ew := s.field(l.lat), s.field(l.lat+1), s.field(l.lat+2), s.field(l.lat+3)
	switch {
	case len(lat) == 0 && len(lon) == 0:
		return nil // no position
	case len(lat) == 0:
		return s.errAt(l.lat, errorf(ErrField, "nmea: %s longitude %q without a latitude", l.name, lon))
	case len(lon) == 0:
		return s.errAt(l.lat+2, errorf(ErrField, "nmea: %s latitude %q without a longitude", l.name, lat))
	}
	y, ok := parseCoord(lat)
	if !ok {
		return s.errAt(l.lat, errorf(ErrField, "nmea: %s latitude %q: want ddmm.mmmm", l.name, lat))
	}
	x, ok := parseCoord(lon)
	if !ok {
		return s.errAt(l.lat+2, errorf(ErrField, "nmea: %s longitude %q: want dddmm.mmmm", l.name, lon))
	}
	switch string(ns) {
	case "N":
	case "S":
		y = -y
	default:
		return s.errAt(l.lat+1, errorf(ErrField, "nmea: %s latitude hemisphere %q: want N or S", l.name, ns))
	}
	switch string(ew) {
	case "E":
	case "W":
		x = -x
	default:
		return s.errAt(l.lat+3, errorf(ErrField, "nmea: %s longitude hemisphere %q: want E or W", l.name, ew))
	}
	if err := format.CheckPoint(x, y); err != nil {
		f := l.lat + 2
		if y < -90 || y > 90 {
			f = l.lat
		}
		return s.errAt(f, &nmeaError{msg: fmt.Sprintf("nmea: %s position %s,%s %s,%s: %v", l.name, lat, ns, lon, ew, err), kind: ErrField, cause: err})
	}
	v.pos, v.hasPos = geowarden.Point{Lon: x, Lat: y}, true
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != '0' {
			return false
		}
	}
	return true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// maxFrac is how many fraction digits are read; more are allowed and
// ignored.
const maxFrac = 12

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12}

// splitNum splits "iii.fff" into its integer and fraction digits; dot says
// whether there is a decimal point.
func splitNum(b []byte) (ip, fp []byte, dot, ok bool) {
	ip = b
	if i := bytes.IndexByte(b, '.'); i >= 0 {
		ip, fp, dot = b[:i], b[i+1:], true
	}
	return ip, fp, dot, allDigits(ip) && allDigits(fp)
}

// parseCoord reads degrees and minutes, ddmm.mmmm or dddmm.mmmm, as
// degrees. The minutes must be below 60.
func parseCoord(b []byte) (float64, bool) {
	ip, fp, _, ok := splitNum(b)
	if !ok || len(ip) < 2 || len(ip) > 7 {
		return 0, false
	}
	deg := 0
	for _, c := range ip[:len(ip)-2] {
		deg = deg*10 + int(c-'0')
	}
	min := float64(int(ip[len(ip)-2]-'0')*10 + int(ip[len(ip)-1]-'0'))
	if len(fp) > maxFrac {
		fp = fp[:maxFrac]
	}
	var f int64
	for _, c := range fp {
		f = f*10 + int64(c-'0')
	}
	min += float64(f) / pow10[len(fp)]
	if min >= 60 {
		return 0, false
	}
	return float64(deg) + min/60, true
}

// parseTOD reads hhmmss or hhmmss.s...; it returns the time of day, the
// number of fraction digits and whether there was a decimal point.
func parseTOD(b []byte) (tod time.Duration, decimals int, dot, ok bool) {
	ip, fp, dot, ok := splitNum(b)
	if !ok || len(ip) != 6 {
		return 0, 0, false, false
	}
	h := int(ip[0]-'0')*10 + int(ip[1]-'0')
	m := int(ip[2]-'0')*10 + int(ip[3]-'0')
	sec := int(ip[4]-'0')*10 + int(ip[5]-'0')
	if h > 23 || m > 59 || sec > 60 {
		return 0, 0, false, false
	}
	var ns int64
	for i := 0; i < 9; i++ {
		ns *= 10
		if i < len(fp) {
			ns += int64(fp[i] - '0')
		}
	}
	tod = time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ns)
	return tod, len(fp), dot, true
}

func two(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }

func validDate(y int, m time.Month, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d && t.Month() == m
}

// parseDDMMYY reads an RMC date; two-digit years 80-99 are 1980-1999, the
// others 2000-2079.
func parseDDMMYY(b []byte) (civil, bool) {
	if len(b) != 6 || !allDigits(b) {
		return civil{}, false
	}
	d, m, y := two(b), time.Month(two(b[2:])), two(b[4:])
	if y >= 80 {
		y += 1900
	} else {
		y += 2000
	}
	return civil{y, m, d}, validDate(y, m, d)
}

func parseZDA(d, m, y []byte) (civil, bool) {
	if len(d) != 2 || len(m) != 2 || len(y) != 4 || !allDigits(d) || !allDigits(m) || !allDigits(y) {
		return civil{}, false
	}
	c := civil{two(y)*100 + two(y[2:]), time.Month(two(m)), two(d)}
	return c, validDate(c.y, c.m, c.d)
}

// appendPadded appends n in decimal, zero-padded to width digits.
func appendPadded(dst []byte, n int64, width int) []byte {
	var tmp [24]byte
	b := strconv.AppendInt(tmp[:0], n, 10)
	for i := len(b); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, b...)
}

// maxWriteFrac is how many fraction digits of minutes are computed; more
// are written as zeros.
const maxWriteFrac = 10

// appendCoord writes v (degrees, v >= 0) as degrees (padded to degDigits)
// and minutes with the given number of decimals.
func appendCoord(dst []byte, v float64, degDigits, decimals int, dot bool) []byte {
	d := min(decimals, maxWriteFrac)
	scale := int64(1)
	for range d {
		scale *= 10
	}
	total := int64(math.Round(v * 60 * float64(scale)))
	deg := total / (60 * scale)
	rem := total % (60 * scale)
	dst = appendPadded(dst, deg, degDigits)
	dst = appendPadded(dst, rem/scale, 2)
	if dot || decimals > 0 {
		dst = append(dst, '.')
	}
	if d > 0 {
		dst = appendPadded(dst, rem%scale, d)
	}
	for i := d; i < decimals; i++ {
		dst = append(dst, '0')
	}
	return dst
}

// appendTOD writes a time of day as hhmmss with the given number of
// decimals (truncated).
func appendTOD(dst []byte, t time.Time, decimals int, dot bool) []byte {
	dst = appendPadded(dst, int64(t.Hour()), 2)
	dst = appendPadded(dst, int64(t.Minute()), 2)
	dst = appendPadded(dst, int64(t.Second()), 2)
	if dot || decimals > 0 {
		dst = append(dst, '.')
	}
	ns := int64(t.Nanosecond())
	for i := 0; i < decimals; i++ {
		if i < 9 {
			ns *= 10
			dst = append(dst, byte('0'+ns/1e9))
			ns %= 1e9
		} else {
			dst = append(dst, '0')
		}
	}
	return dst
}
