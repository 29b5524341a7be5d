package csv

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// ctxEvery is how many records pass between checks of the context.
const ctxEvery = 4096

// rewriter is one run of Codec.Rewrite.
type rewriter struct {
	ctx     context.Context
	h       format.Handler
	name    string
	columns map[string]string
	sp      *splitter
	days    dayCache      // the last date read
	out     *bufio.Writer // nil when only scanning
	comma   bool          // decimal commas allowed: the delimiter is not ','

	header bool                    // the header has been read
	names  []string                // header names as written (unquoted, trimmed)
	index  map[string]int          // lower-case header name -> first column
	col    [format.NumRoles]int    // column of each role, -1 when none
	roles  []role                  // the roles that have a column
	vals   [format.NumRoles][]byte // the current row's trimmed value of each role

	rec     geowarden.Record
	attrs   attrs
	scratch []byte // unquoted values of the current row

	// How the current row wrote what an edit may rewrite.
	tlay                tlayout
	latComma, lonComma  bool
	anyComma            bool // a decimal comma was seen in a coordinate
	radio, source, ssid string
	bssid               string

	// Other positions (more.go, geom.go, text.go).
	pairs    []pair // further coordinate column pairs
	mainPair int    // the pair read as Pos when the header has no lat and lon columns; -1 when it has
	geomCols []int  // columns named as geometry columns
	freeCols []int  // columns scanned for geometry values and positions in text
	more     []geowarden.Point
	srcs     []moreSrc // where each run of more came from
	verts    []vertex
	wkb      []byte
	text     []geowarden.TextPos
	textCol  []int // the column of each text position
	spans    []colSpan
	gbuf     []byte

	// Edit state, reused.
	ebuf []byte
	tmp  []byte
	repl []span // replacement of each column, in ebuf
	has  []bool // whether the column is replaced
}

func (rw *rewriter) run() error {
	rows := 0
	for {
		k, err := rw.sp.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if rows++; rows%ctxEvery == 0 {
			if err := rw.ctx.Err(); err != nil {
				return err
			}
		}
		switch {
		case k == kindEmpty:
			rw.write(rw.sp.rec)
		case !rw.header:
			if err := rw.readHeader(k); err != nil {
				return err
			}
			rw.write(rw.sp.rec)
		case k == kindTooLong:
			err := rw.h.Bad(&format.ParseError{File: rw.name, Line: rw.sp.recLine, Offset: rw.sp.recOff,
				Err: fmt.Errorf("csv: record longer than %d bytes: %w", rw.sp.max, format.ErrTooLong)})
			if err != nil {
				return err
			}
		default:
			if err := rw.row(); err != nil {
				return err
			}
		}
	}
}

func (rw *rewriter) write(b []byte) {
	if rw.out != nil {
		rw.out.Write(b) // a write error sticks and is returned by Flush
	}
}

func (rw *rewriter) readHeader(k kind) error {
	sp := rw.sp
	if k == kindTooLong {
		return &format.ParseError{File: rw.name, Line: sp.recLine, Offset: sp.recOff,
			Err: fmt.Errorf("csv: header longer than %d bytes: %w", sp.max, format.ErrTooLong)}
	}
	n := len(sp.fields)
	rw.names = make([]string, n)
	lower := make([]string, n)
	rw.index = make(map[string]int, n)
	for i := range sp.fields {
		v := bytes.TrimPrefix(trimBlank(rw.field(i)), bom)
		rw.names[i] = string(trimBlank(v))
		lower[i] = strings.ToLower(rw.names[i])
		if _, dup := rw.index[lower[i]]; !dup {
			rw.index[lower[i]] = i
		}
	}
	var err error
	if rw.col, err = resolve(lower, rw.names, rw.columns); err != nil {
		return &format.ParseError{File: rw.name, Line: sp.recLine, Offset: sp.recOff, Err: err}
	}
	if err := rw.readMoreHeader(); err != nil {
		return &format.ParseError{File: rw.name, Line: sp.recLine, Offset: sp.recOff, Err: err}
	}
	for r, c := range rw.col {
		if c >= 0 {
			rw.roles = append(rw.roles, role(r))
		}
	}
	rw.repl = make([]span, n)
	rw.has = make([]bool, n)
	rw.header = true
	rw.attrs.rw = rw
	return nil
}

// field is the value of column i of the current record: its raw bytes, or
// for a quoted field its unquoted value in rw.scratch.
func (rw *rewriter) field(i int) []byte {
	f := rw.sp.fields[i]
	raw := rw.sp.rec[f.s:f.e]
	if len(raw) > 0 && raw[0] == '"' {
		return rw.unquote(raw)
	}
	return raw
}

func (rw *rewriter) unquote(raw []byte) []byte {
	n := len(rw.scratch)
	rw.scratch = unquote(rw.scratch, raw)
	return rw.scratch[n:]
}

// value is the trimmed value of a role's column; nil when the role has no
// column.
func (rw *rewriter) value(r role) []byte { return rw.vals[r] }

// bad reports a bad row to the handler; col is the column at fault, -1 for
// the whole row.
func (rw *rewriter) bad(col int, err error) error {
	sp := rw.sp
	pe := &format.ParseError{File: rw.name, Line: sp.recLine, Offset: sp.recOff, Err: err}
	if col >= 0 {
		pe.Line, pe.Column, pe.Offset = sp.fieldPos(col)
	}
	return rw.h.Bad(pe)
}

// cached returns b as a string, reusing the previous one when equal so that
// a column that repeats its value (a radio type, a device) costs nothing.
func cached(prev *string, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if string(b) != *prev {
		*prev = string(b)
	}
	return *prev
}

func (rw *rewriter) row() error {
	sp := rw.sp
	if n := len(sp.fields); n != len(rw.names) {
		col := -1
		if n > len(rw.names) {
			col = len(rw.names)
		}
		return rw.bad(col, fmt.Errorf("%w: the row has %d, the header %d", ErrFieldCount, n, len(rw.names)))
	}
	rw.scratch = rw.scratch[:0]
	for _, ro := range rw.roles {
		f := sp.fields[rw.col[ro]]
		raw := sp.rec[f.s:f.e]
		if len(raw) > 0 && raw[0] == '"' {
			raw = rw.unquote(raw)
		}
		rw.vals[ro] = trimBlank(raw)
	}
	r := &rw.rec
	*r = geowarden.Record{
		Attrs: &rw.attrs,
		Ref:   geowarden.Ref{File: rw.name, Line: sp.recLine, Offset: sp.recOff, Feature: -1},
	}

	// Position.
	lat, lon := rw.value(format.RoleLat), rw.value(format.RoleLon)
	rw.latComma, rw.lonComma = false, false
	switch {
	case rw.col[format.RoleLat] < 0:
		// No lat and lon columns: readMore reads the main pair.
	case len(lat) == 0 && len(lon) == 0:
		r.Shape = geowarden.ShapeNone
	case len(lat) == 0:
		return rw.bad(rw.col[format.RoleLat], fmt.Errorf("%w: column %q is empty, column %q is %q",
			ErrHalfPosition, rw.names[rw.col[format.RoleLat]], rw.names[rw.col[format.RoleLon]], lon))
	case len(lon) == 0:
		return rw.bad(rw.col[format.RoleLon], fmt.Errorf("%w: column %q is empty, column %q is %q",
			ErrHalfPosition, rw.names[rw.col[format.RoleLon]], rw.names[rw.col[format.RoleLat]], lat))
	default:
		y, yc, ok := parseFloat(lat, rw.comma)
		if !ok {
			return rw.badNumber(format.RoleLat, lat)
		}
		x, xc, ok := parseFloat(lon, rw.comma)
		if !ok {
			return rw.badNumber(format.RoleLon, lon)
		}
		if err := format.CheckPoint(x, y); err != nil {
			c := format.RoleLon
			if y != y || y < -90 || y > 90 {
				c = format.RoleLat
			}
			return rw.bad(rw.col[c], fmt.Errorf("csv: column %q: %w", rw.names[rw.col[c]], err))
		}
		r.Shape = geowarden.ShapePoint
		r.Pos = geowarden.Point{Lon: x, Lat: y}
		rw.latComma, rw.lonComma = yc, xc
		if yc || xc {
			rw.anyComma = true
		}
	}

	if bad, err := rw.readMore(r); bad {
		return err
	}

	// Time: a value that does not parse leaves Time zero.
	rw.tlay = tlayout{}
	if v := rw.value(format.RoleTime); len(v) > 0 {
		if t, l, ok := rw.days.parseTime(v); ok {
			r.Time, rw.tlay = t, l
		}
	}

	// Signal.
	s := &r.Signal
	cellish := false
	if v := rw.value(format.RoleRadio); len(v) > 0 {
		s.Radio = cached(&rw.radio, v)
		cellish = true
	}
	if v := rw.value(format.RoleMCC); len(v) > 0 {
		cellish = true
		if n, ok := parseInt(v); ok && n > 0 && n < 1000 {
			s.MCC = int(n)
		}
	}
	if v := rw.value(format.RoleMNC); len(v) > 0 {
		if n, ok := parseInt(v); ok && n >= 0 && n < 1000 {
			s.MNC, s.HasMNC = int(n), true
		}
	}
	if v := rw.value(format.RoleArea); len(v) > 0 {
		if n, ok := parseInt(v); ok && n > 0 {
			s.Area = n
		}
	}
	if v := rw.value(format.RoleCell); len(v) > 0 {
		cellish = true
		if n, ok := parseInt(v); ok && n > 0 {
			s.Cell = n
		}
	}
	if v := rw.value(format.RoleFreq); len(v) > 0 {
		cellish = true
		if f, _, ok := parseFloat(v, rw.comma); ok && f > 0 && f < 1e7 {
			s.FreqMHz = f
		}
	}
	if v := rw.value(format.RoleARFCN); len(v) > 0 {
		cellish = true
		if n, ok := parseInt(v); ok && n >= 0 && n <= math.MaxInt32 {
			s.ARFCN, s.HasARFCN = int(n), true
		}
	}
	if v := rw.value(format.RoleStrength); len(v) > 0 {
		if f, _, ok := parseFloat(v, rw.comma); ok && f == f && f > -1e6 && f < 1e6 {
			s.Strength, s.HasStrength = f, true
		}
	}
	if v := rw.value(format.RoleSSID); len(v) > 0 {
		s.SSID = cached(&rw.ssid, v)
	}
	if v := rw.value(format.RoleBSSID); len(v) > 0 {
		s.BSSID = cached(&rw.bssid, v)
	}
	format.FillFreq(s)
	if k, ok := format.SignalKind(s); ok {
		r.Kind = k
	} else if cellish {
		// An mcc, cell, freq or arfcn value that does not parse still makes
		// a cell record.
		r.Kind = geowarden.KindCell
	} else {
		r.Kind = geowarden.KindFix
	}

	if v := rw.value(format.RoleAlt); len(v) > 0 {
		if f, _, ok := parseFloat(v, rw.comma); ok && f == f && math.Abs(f) < 1e8 {
			r.Alt, r.HasAlt = f, true
		}
	}
	if v := rw.value(format.RoleAccuracy); len(v) > 0 {
		if f, _, ok := parseFloat(v, rw.comma); ok && f >= 0 && f < 1e8 {
			r.Accuracy, r.HasAccuracy = f, true
		}
	}
	if v := rw.value(format.RoleSource); len(v) > 0 {
		r.Source = cached(&rw.source, v)
	}

	e := rw.h.Record(r)
	switch {
	case rw.out == nil || e.Drop:
		return nil
	case e.IsKeep():
		rw.out.Write(sp.rec)
		return nil
	}
	return rw.writeEdited(&e)
}

func (rw *rewriter) badNumber(r role, v []byte) error {
	c := rw.col[r]
	return rw.bad(c, fmt.Errorf("csv: column %q: value %q is not a number: %w", rw.names[c], v, format.ErrNaN))
}

// column resolves an edit's attribute name: a role name first, then a header
// name (case-insensitively). -1 when neither names a column.
func (rw *rewriter) column(name string) int {
	if r, ok := roleByName(name); ok && rw.col[r] >= 0 {
		return rw.col[r]
	}
	if i, ok := rw.index[name]; ok {
		return i
	}
	if i, ok := rw.index[strings.ToLower(strings.TrimSpace(name))]; ok {
		return i
	}
	return -1
}

// quoted reports whether column c of the current record is quoted.
func (rw *rewriter) quoted(c int) bool {
	f := rw.sp.fields[c]
	return f.e > f.s && rw.sp.rec[f.s] == '"'
}

// replace sets column c's replacement to v, quoted when it must be or when
// the original was.
func (rw *rewriter) replace(c int, v []byte) {
	start := len(rw.ebuf)
	rw.ebuf = appendField(rw.ebuf, v, rw.sp.delim, len(v) > 0 && rw.quoted(c))
	rw.repl[c] = span{start, len(rw.ebuf)}
	rw.has[c] = true
}

// appendField appends v as a field: quoted, with quotes doubled, when force
// is set or v holds the delimiter, a quote or a line break.
func appendField(dst, v []byte, delim byte, force bool) []byte {
	if !force && bytes.IndexByte(v, delim) < 0 && bytes.IndexAny(v, "\"\r\n") < 0 {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for {
		i := bytes.IndexByte(v, '"')
		if i < 0 {
			break
		}
		dst = append(dst, v[:i+1]...)
		dst = append(dst, '"')
		v = v[i+1:]
	}
	dst = append(dst, v...)
	return append(dst, '"')
}

// appendCoord formats a coordinate rounded to 7 decimals (about 1 cm).
func appendCoord(dst []byte, v float64, comma bool) []byte {
	v = math.Round(v*1e7) / 1e7
	if v == 0 {
		v = 0 // no "-0"
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, v, 'f', -1, 64)
	if comma {
		if i := bytes.IndexByte(dst[n:], '.'); i >= 0 {
			dst[n+i] = ','
		}
	}
	return dst
}

func (rw *rewriter) writeEdited(e *geowarden.Edit) error {
	sp := rw.sp
	rw.ebuf = rw.ebuf[:0]
	clear(rw.has)
	// A Move that gives More replaces Pos only when the record has one
	// and it changes.
	movePos := e.Move && !(len(e.More) > 0 && (rw.rec.Shape != geowarden.ShapePoint || e.Pos == rw.rec.Pos))
	if movePos && rw.mainPair >= 0 {
		if err := rw.movePair(rw.mainPair, e.Pos); err != nil {
			return err
		}
	}
	if e.Move && len(e.More) > 0 {
		if err := rw.moveMore(e.More); err != nil {
			return err
		}
	}
	if len(e.Redact) > 0 {
		rw.redact(e.Redact)
	}
	if movePos && rw.mainPair < 0 {
		if rw.col[format.RoleLat] < 0 {
			return fmt.Errorf("csv: %s:%d: edit moves a record to a position, and the header has no columns for one", rw.name, sp.recLine)
		}
		if err := format.CheckPoint(e.Pos.Lon, e.Pos.Lat); err != nil {
			return fmt.Errorf("csv: %s:%d: edit moves the record to an invalid position: %w", rw.name, sp.recLine, err)
		}
		c := rw.col[format.RoleLat]
		rw.tmp = appendCoord(rw.tmp[:0], e.Pos.Lat, rw.latComma || rw.anyComma && len(rw.field(c)) == 0)
		rw.replace(c, rw.tmp)
		c = rw.col[format.RoleLon]
		rw.tmp = appendCoord(rw.tmp[:0], e.Pos.Lon, rw.lonComma || rw.anyComma && len(rw.field(c)) == 0)
		rw.replace(c, rw.tmp)
	}
	if c := rw.col[format.RoleTime]; e.Retime && c >= 0 {
		rw.tmp = rw.tmp[:0]
		if !e.Time.IsZero() {
			rw.tmp = appendTime(rw.tmp, e.Time, rw.tlay)
		}
		rw.replace(c, rw.tmp)
	}
	for _, name := range e.Strip {
		if c := rw.column(name); c >= 0 {
			rw.repl[c] = span{}
			rw.has[c] = true
		}
	}
	for _, a := range e.Set {
		if c := rw.column(a.Name); c >= 0 {
			rw.tmp = append(rw.tmp[:0], a.Value...)
			rw.replace(c, rw.tmp)
		}
	}
	out, rec := rw.out, sp.rec
	for i, f := range sp.fields {
		if i > 0 {
			out.WriteByte(sp.delim)
		}
		if rw.has[i] {
			out.Write(rw.ebuf[rw.repl[i].s:rw.repl[i].e])
		} else {
			out.Write(rec[f.s:f.e])
		}
	}
	out.Write(rec[sp.fields[len(sp.fields)-1].e:])
	return nil
}

// attrs gives the handler the current row's fields by header name.
type attrs struct{ rw *rewriter }

// Attr returns the unquoted value of the first column with this header name
// (case-insensitive).
func (a *attrs) Attr(name string) (string, bool) {
	rw := a.rw
	i, ok := rw.index[name]
	if !ok {
		i, ok = rw.index[strings.ToLower(strings.TrimSpace(name))]
	}
	if !ok || i >= len(rw.sp.fields) {
		return "", false
	}
	return string(rw.field(i)), true
}
