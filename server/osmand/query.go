package osmand

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/server/internal/protojson"
)

// MaxParams is the most parameters a query-form report may have.
const MaxParams = 256

// param is one name[=value] of a parameter string: its bytes s..e, and eq,
// the index of its '=' (e when it has none).
type param struct{ s, eq, e int }

// splitParams appends the parameters of raw to dst, empty ones (between two
// '&') left out.
func splitParams(raw []byte, dst []param) ([]param, error) {
	for i := 0; i <= len(raw); {
		j := i
		eq := -1
		for j < len(raw) && raw[j] != '&' {
			switch raw[j] {
			case ';':
				return nil, fmt.Errorf("';' at byte %d of the parameters (a separator for some readers, not for others)", j)
			case '=':
				if eq < 0 {
					eq = j
				}
			}
			j++
		}
		if j > i {
			if len(dst) == MaxParams {
				return nil, fmt.Errorf("more than %d parameters", MaxParams)
			}
			if eq < 0 {
				eq = j
			}
			dst = append(dst, param{i, eq, j})
		}
		i = j + 1
	}
	return dst, nil
}

var errEscape = errors.New("malformed percent escape")

// unescape returns b with '+' read as a space and %XX escapes decoded:
// b itself when it has none, else the decoded bytes appended to buf[:0]
// (decoded is then true).
func unescape(buf, b []byte) (out []byte, decoded bool, err error) {
	if !escaped(b) {
		return b, false, nil
	}
	out = buf[:0]
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '+':
			out = append(out, ' ')
		case '%':
			if i+2 >= len(b) || unhex(b[i+1]) < 0 || unhex(b[i+2]) < 0 {
				return nil, false, errEscape
			}
			out = append(out, byte(unhex(b[i+1])<<4|unhex(b[i+2])))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out, true, nil
}

// escaped reports whether b holds a '%' or a '+'.
func escaped[T ~string | ~[]byte](b T) bool {
	for i := 0; i < len(b); i++ {
		if b[i] == '%' || b[i] == '+' {
			return true
		}
	}
	return false
}

// unescaped is unescape into a new buffer, for the slow paths.
func unescaped(b []byte) ([]byte, error) {
	out, _, err := unescape(nil, b)
	return out, err
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// escape appends s percent-encoded as a query value ('+' for a space).
func escape(dst []byte, s []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// Indexes in query.at of the parameters Traccar reads.
const (
	pID = iota
	pLat
	pLon
	pLocation
	pTimestamp
	pRadio // cell or wifi
	numKnown
)

// query is a parsed query-form report.
type query struct {
	raw    []byte
	params []param
	at     [numKnown]int // index in params of each known parameter; -1 when absent
	radio  byte          // 'c' cell, 'w' wifi
	source []byte        // the id, unescaped; the caller sets rec.Source
	style  timeStyle

	rec  *geowarden.Record
	more []protojson.Pair // coordinate-named pairs beyond lat/lon (params indexes)
	// text[i] is the parameter of rec.Text[i].
	text []int

	buf, nbuf []byte
	pbuf      [16]param
}

// paramErr is an error about one parameter.
func paramErr(name string, err error) error {
	return fmt.Errorf("parameter %s: %w", name, err)
}

func (q *query) name(i int) []byte  { p := q.params[i]; return q.raw[p.s:p.eq] }
func (q *query) value(i int) []byte { p := q.params[i]; return q.raw[min(p.eq+1, p.e):p.e] }

// decodedName returns parameter i's name unescaped, valid until the next
// call.
func (q *query) decodedName(i int) ([]byte, error) {
	n, dec, err := unescape(q.nbuf, q.name(i))
	if dec {
		q.nbuf = n
	}
	return n, err
}

// decodedValue returns parameter i's value unescaped, valid until the next
// call.
func (q *query) decodedValue(i int) ([]byte, error) {
	v, dec, err := unescape(q.buf, q.value(i))
	if err != nil {
		return nil, paramErr(string(q.name(i)), err)
	}
	if dec {
		q.buf = v
	}
	return v, nil
}

// knownParam returns the index in query.at of a parameter Traccar reads
// once, and whether name is one.
func knownParam(name []byte) (int, bool) {
	switch string(name) {
	case "id", "deviceid":
		return pID, true
	case "lat":
		return pLat, true
	case "lon":
		return pLon, true
	case "location":
		return pLocation, true
	case "timestamp":
		return pTimestamp, true
	case "cell", "wifi":
		return pRadio, true
	}
	return 0, false
}

// numeric reports whether Traccar reads parameter name as a number (and
// refuses the report when it is not one).
func numeric(name []byte) bool {
	switch string(name) {
	case "speed", "bearing", "heading", "altitude", "accuracy", "hdop", "batt":
		return true
	}
	return false
}

// parse reads raw, a parameter string without geowarden's token, into q
// and rec.
func (q *query) parse(raw []byte, rec *geowarden.Record) error {
	*q = query{raw: raw, rec: rec, buf: q.buf[:0], nbuf: q.nbuf[:0], more: q.more[:0], text: q.text[:0]}
	var err error
	if q.params, err = splitParams(raw, q.pbuf[:0]); err != nil {
		return err
	}
	for k := range q.at {
		q.at[k] = -1
	}
	rec.Ref.Feature = 0
	rec.Kind = geowarden.KindFix
	unknown := false
	for i := range q.params {
		name, err := q.decodedName(i)
		if err != nil {
			return paramErr(string(q.name(i)), err)
		}
		k, known := knownParam(name)
		if !known {
			if numeric(name) {
				if err := q.number(i, name); err != nil {
					return err
				}
			} else {
				unknown = true
			}
			continue
		}
		if q.at[k] >= 0 {
			if k == pRadio {
				return fmt.Errorf("more than one cell or wifi parameter (each would be a record of its own; only one is read)")
			}
			return fmt.Errorf("parameter %s given twice (or both id and deviceid)", name)
		}
		q.at[k] = i
		if k == pRadio {
			q.radio = name[0]
		}
	}
	if q.at[pID] < 0 {
		return errors.New("no id or deviceid parameter")
	}
	v, err := q.decodedValue(q.at[pID])
	if err != nil {
		return err
	}
	q.source = v
	if len(v) > 0 && len(q.value(q.at[pID])) > 0 && &v[0] != &q.value(q.at[pID])[0] {
		q.source = bytes.Clone(v) // in q.buf, which the next value overwrites
	}
	if err := q.position(); err != nil {
		return err
	}
	if i := q.at[pTimestamp]; i >= 0 {
		v, err := q.decodedValue(i)
		if err != nil {
			return err
		}
		if rec.Time, q.style, err = parseTime(v); err != nil {
			return paramErr("timestamp", fmt.Errorf("%q: %w", v, err))
		}
	}
	if i := q.at[pRadio]; i >= 0 {
		if err := q.radioParam(i); err != nil {
			return err
		}
	}
	if unknown {
		return q.others()
	}
	return nil
}

// number checks the numeric parameter i, named name, and reads the ones
// the record holds.
func (q *query) number(i int, name []byte) error {
	v, err := q.decodedValue(i)
	if err != nil {
		return err
	}
	switch string(name) {
	case "altitude", "accuracy":
	default:
		if !isNumber(v) {
			return paramErr(string(name), fmt.Errorf("%q is not a number", v))
		}
		return nil
	}
	f, ok := decimal(v)
	if !ok || f != f || f > 1e308 || f < -1e308 {
		return paramErr(string(name), fmt.Errorf("%q is not a number", v))
	}
	if name[1] == 'l' {
		q.rec.Alt, q.rec.HasAlt = f, true
	} else {
		q.rec.Accuracy, q.rec.HasAccuracy = f, true
	}
	return nil
}

// isNumber reports whether b is a decimal number as format.ParseDecimal
// reads them: [+-]digits[.digits][e[+-]digits], at most 400 bytes, without
// converting it.
func isNumber(b []byte) bool {
	i, d := 0, 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	for ; i < len(b) && b[i]-'0' < 10; i++ {
		d++
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && b[i]-'0' < 10; i++ {
			d++
		}
	}
	if d == 0 {
		return false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		e := 0
		for ; i < len(b) && b[i]-'0' < 10; i++ {
			e++
		}
		if e == 0 {
			return false
		}
	}
	return i == len(b) && len(b) <= 400
}

// pow10 are the powers of ten that a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// decimal is format.ParseDecimal with a fast path for the plain decimals
// devices send ([-]digits[.digits], at most 15 significant digits): the
// digits as an integer, exact in a float64, divided by an exact power of
// ten is the correctly rounded value, the one strconv.ParseFloat gives.
func decimal(b []byte) (float64, bool) {
	i, neg := 0, false
	if len(b) > 0 && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	var m uint64
	digits, frac, seenDot := 0, 0, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			if m != 0 || seenDot {
				digits++
			}
			if seenDot {
				frac++
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return format.ParseDecimal(b)
		}
	}
	if digits > 15 || frac >= len(pow10) || i == 0 || len(b) == 1 && seenDot || !hasDigit(b) {
		return format.ParseDecimal(b)
	}
	f := float64(m) / pow10[frac]
	if neg {
		f = -f
	}
	return f, true
}

func hasDigit(b []byte) bool {
	for _, c := range b {
		if c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

// coord reads parameter i as a decimal coordinate.
func (q *query) coord(i int) (float64, error) {
	v, err := q.decodedValue(i)
	if err != nil {
		return 0, err
	}
	f, ok := decimal(v)
	if !ok {
		return 0, paramErr(string(q.name(i)), fmt.Errorf("%q is not a number", v))
	}
	return f, nil
}

// position reads lat and lon, or location.
func (q *query) position() error {
	rec := q.rec
	la, lo, loc := q.at[pLat], q.at[pLon], q.at[pLocation]
	if (la >= 0) != (lo >= 0) {
		return errors.New("lat without lon, or lon without lat")
	}
	if la >= 0 {
		lat, err := q.coord(la)
		if err != nil {
			return err
		}
		lon, err := q.coord(lo)
		if err != nil {
			return err
		}
		if err := format.CheckPoint(lon, lat); err != nil {
			return paramErr("lat/lon", err)
		}
		rec.Shape, rec.Pos = geowarden.ShapePoint, geowarden.Point{Lon: lon, Lat: lat}
	}
	if loc >= 0 {
		p, err := q.location(loc)
		if err != nil {
			return err
		}
		if rec.Shape == geowarden.ShapePoint {
			rec.More = append(rec.More, p)
		} else {
			rec.Shape, rec.Pos = geowarden.ShapePoint, p
		}
	}
	return nil
}

// location reads location=lat,lon.
func (q *query) location(i int) (geowarden.Point, error) {
	v, err := q.decodedValue(i)
	if err != nil {
		return geowarden.Point{}, err
	}
	a, b, ok := bytes.Cut(v, []byte{','})
	lat, ok1 := format.ParseDecimal(a)
	lon, ok2 := format.ParseDecimal(b)
	if !ok || !ok1 || !ok2 {
		return geowarden.Point{}, paramErr("location", fmt.Errorf("%q is not lat,lon", v))
	}
	if err := format.CheckPoint(lon, lat); err != nil {
		return geowarden.Point{}, paramErr("location", err)
	}
	return geowarden.Point{Lon: lon, Lat: lat}, nil
}

// radioParam reads cell=mcc,mnc,lac,cid[,rssi] or wifi=mac,rssi.
func (q *query) radioParam(i int) error {
	v, err := q.decodedValue(i)
	if err != nil {
		return err
	}
	s := &q.rec.Signal
	parts := strings.Split(string(v), ",")
	ints := func(want ...int) ([]int64, bool) {
		if !containsInt(want, len(parts)) {
			return nil, false
		}
		out := make([]int64, len(parts))
		for k, p := range parts {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil || n < -1<<31 || n >= 1<<31 {
				return nil, false
			}
			out[k] = n
		}
		return out, true
	}
	if q.radio == 'c' {
		n, ok := ints(4, 5)
		if !ok {
			return paramErr("cell", fmt.Errorf("%q is not mcc,mnc,lac,cid[,rssi]", v))
		}
		s.MCC, s.MNC, s.HasMNC, s.Area, s.Cell = int(n[0]), int(n[1]), true, n[2], n[3]
		if len(n) == 5 {
			s.Strength, s.HasStrength = float64(n[4]), true
		}
		q.rec.Kind = geowarden.KindCell
		return nil
	}
	if len(parts) != 2 || parts[0] == "" {
		return paramErr("wifi", fmt.Errorf("%q is not mac,rssi", v))
	}
	rssi, err := strconv.ParseInt(parts[1], 10, 32)
	if err != nil {
		return paramErr("wifi", fmt.Errorf("%q is not mac,rssi", v))
	}
	s.BSSID = strings.ReplaceAll(parts[0], "-", ":")
	s.Strength, s.HasStrength = float64(rssi), true
	q.rec.Kind = geowarden.KindWifi
	return nil
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// others reads the parameters Traccar passes through: coordinate-named
// pairs are further positions, other values are read for positions
// written as text.
func (q *query) others() error {
	isKnown := func(i int) bool {
		n, err := unescaped(q.name(i))
		if err != nil {
			return true
		}
		_, known := knownParam(n)
		return known || numeric(n)
	}
	names := func(i int) []byte {
		n, _ := unescaped(q.name(i))
		return n
	}
	q.more = protojson.Pairs(len(q.params), names, isKnown, q.more)
	inPair := func(i int) bool {
		for _, p := range q.more {
			if p.Lat == i || p.Lon == i {
				return true
			}
		}
		return false
	}
	rec := q.rec
	kept := q.more[:0]
	for _, p := range q.more {
		lat, err1 := q.coord(p.Lat)
		lon, err2 := q.coord(p.Lon)
		if err1 != nil || err2 != nil {
			continue // not numbers: not a position
		}
		if p.E7 {
			lat, lon = lat/1e7, lon/1e7
		}
		if format.CheckPoint(lon, lat) != nil {
			continue
		}
		rec.More = append(rec.More, geowarden.Point{Lon: lon, Lat: lat})
		kept = append(kept, p)
	}
	q.more = kept
	for i := range q.params {
		if isKnown(i) || inPair(i) {
			continue
		}
		v, err := q.decodedValue(i)
		if err != nil {
			return err
		}
		if isDecimal(v) {
			continue
		}
		n := len(rec.Text)
		rec.Text = protojson.AppendTexts(rec.Text, string(names(i)), v)
		for range len(rec.Text) - n {
			q.text = append(q.text, i)
		}
	}
	return nil
}

// isDecimal reports whether v is a plain number, which holds no position.
func isDecimal(v []byte) bool {
	_, ok := format.ParseDecimal(v)
	return ok
}

// moreIndex is what Record.More holds, in order: the location parameter
// when lat and lon are there too, then the coordinate-named pairs.
func (q *query) locationInMore() bool {
	return q.at[pLat] >= 0 && q.at[pLocation] >= 0
}

// rewrite returns q's parameters with e applied.
func (q *query) rewrite(e *geowarden.Edit) ([]byte, error) {
	var sp []protojson.Splice
	setValue := func(i int, v []byte) {
		p := q.params[i]
		if p.eq == p.e { // a name without '=': add one
			sp = append(sp, protojson.Splice{Start: p.e, End: p.e, With: append([]byte{'='}, v...)})
			return
		}
		sp = append(sp, protojson.Splice{Start: p.eq + 1, End: p.e, With: v})
	}
	edited := make([]bool, len(q.params))
	if e.Move {
		more := e.More
		if len(more) > 0 && len(more) != len(q.rec.More) {
			return nil, fmt.Errorf("osmand: the edit moves %d other positions, the record has %d", len(more), len(q.rec.More))
		}
		if q.rec.Shape == geowarden.ShapePoint {
			if la := q.at[pLat]; la >= 0 {
				setValue(la, format.AppendCoord(nil, e.Pos.Lat))
				setValue(q.at[pLon], format.AppendCoord(nil, e.Pos.Lon))
				edited[la], edited[q.at[pLon]] = true, true
			} else {
				setValue(q.at[pLocation], appendLatLon(nil, e.Pos))
				edited[q.at[pLocation]] = true
			}
		}
		if len(more) > 0 {
			k := 0
			if q.locationInMore() {
				setValue(q.at[pLocation], appendLatLon(nil, more[0]))
				edited[q.at[pLocation]] = true
				k = 1
			}
			for j, p := range q.more {
				m := more[k+j]
				if p.E7 {
					setValue(p.Lat, strconv.AppendInt(nil, int64(m.Lat*1e7+copysignHalf(m.Lat)), 10))
					setValue(p.Lon, strconv.AppendInt(nil, int64(m.Lon*1e7+copysignHalf(m.Lon)), 10))
				} else {
					setValue(p.Lat, format.AppendCoord(nil, m.Lat))
					setValue(p.Lon, format.AppendCoord(nil, m.Lon))
				}
				edited[p.Lat], edited[p.Lon] = true, true
			}
		}
	}
	if e.Retime {
		if i := q.at[pTimestamp]; i >= 0 {
			setValue(i, escape(nil, appendTime(nil, e.Time, q.style)))
			edited[i] = true
		}
	}
	if len(e.Redact) > 0 {
		byParam := map[int][]protojson.Span{}
		for _, k := range e.Redact {
			if k >= 0 && k < len(q.text) {
				byParam[q.text[k]] = append(byParam[q.text[k]], protojson.Span{Start: q.rec.Text[k].Start, End: q.rec.Text[k].End})
			}
		}
		for i, spans := range byParam {
			v, err := q.decodedValue(i)
			if err != nil {
				return nil, err
			}
			setValue(i, escape(nil, protojson.Redact(v, spans)))
			edited[i] = true
		}
	}
	removed := make([]bool, len(q.params))
	for _, name := range e.Strip {
		for _, i := range q.named(name) {
			removed[i] = true
		}
	}
	for _, a := range e.Set {
		for _, i := range q.named(a.Name) {
			if i == q.at[pRadio] {
				return nil, fmt.Errorf("osmand: %s cannot be set in a %s parameter", a.Name, q.name(i))
			}
			if removed[i] || edited[i] {
				continue
			}
			setValue(i, escape(nil, []byte(a.Value)))
			edited[i] = true
		}
	}
	out, err := protojson.Apply(q.raw, dropEdited(sp, q.params, removed))
	if err != nil {
		return nil, err
	}
	if !anyTrue(removed) {
		return out, nil
	}
	return removeParams(out, removed)
}

// dropEdited leaves out the splices inside removed parameters.
func dropEdited(sp []protojson.Splice, params []param, removed []bool) []protojson.Splice {
	out := sp[:0]
	for _, s := range sp {
		keep := true
		for i, p := range params {
			if removed[i] && s.Start >= p.s && s.End <= p.e {
				keep = false
			}
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

// removeParams removes from raw (whose parameters are, in order, those
// parsed before the value edits, which change no '&') the parameters
// marked removed, with their '&'.
func removeParams(raw []byte, removed []bool) ([]byte, error) {
	params, err := splitParams(raw, nil)
	if err != nil || len(params) != len(removed) {
		return nil, fmt.Errorf("osmand: parameters changed while rewriting")
	}
	var out []byte
	for i, p := range params {
		if removed[i] {
			continue
		}
		if len(out) > 0 {
			out = append(out, '&')
		}
		out = append(out, raw[p.s:p.e]...)
	}
	return out, nil
}

func anyTrue(b []bool) bool {
	for _, x := range b {
		if x {
			return true
		}
	}
	return false
}

func copysignHalf(v float64) float64 {
	if v < 0 {
		return -0.5
	}
	return 0.5
}

func appendLatLon(dst []byte, p geowarden.Point) []byte {
	dst = format.AppendCoord(dst, p.Lat)
	dst = append(dst, ',')
	return format.AppendCoord(dst, p.Lon)
}

// roleParams are the parameters each role names, for Strip and Set.
var roleParams = map[string][]string{
	"source":   {"id", "deviceid"},
	"time":     {"timestamp"},
	"alt":      {"altitude"},
	"accuracy": {"accuracy"},
	"cell":     {"cell"},
	"area":     {"cell"},
	"mcc":      {"cell"},
	"mnc":      {"cell"},
	"bssid":    {"wifi"},
	"strength": {"cell", "wifi"},
}

// named returns the indexes of the parameters that name (a parameter name,
// compared ignoring case, or a role) stands for.
func (q *query) named(name string) []int {
	var out []int
	for i := range q.params {
		n, err := unescaped(q.name(i))
		if err != nil {
			continue
		}
		match := strings.EqualFold(string(n), name)
		for _, rp := range roleParams[strings.ToLower(name)] {
			match = match || string(n) == rp
		}
		if match {
			out = append(out, i)
		}
	}
	return out
}

// attr returns the value of the parameter name stands for.
func (q *query) attr(name string) (string, bool) {
	for _, i := range q.named(name) {
		v, err := unescaped(q.value(i))
		if err == nil {
			return string(v), true
		}
	}
	return "", false
}
