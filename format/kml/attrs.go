package kml

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// role is what a value means to geowarden: format's shared vocabulary.
type role = format.Role

// roleByName returns the role named name that an ExtendedData value can
// hold, or format.RoleNone: position and altitude come from the geometry
// only.
func roleByName(name string) role {
	switch r := format.RoleByName(name); r {
	case format.RoleLat, format.RoleLon, format.RoleAlt:
		return format.RoleNone
	default:
		return r
	}
}

// roleTable says where roles are read from (read: Options.Columns replaces
// a role's built-in aliases) and what Strip and Set by role name touch
// (edit: the built-in aliases and the Columns names).
type roleTable struct {
	read, edit map[string]role
}

func newRoleTable(columns map[string]string) *roleTable {
	rt := &roleTable{read: map[string]role{}, edit: map[string]role{}}
	for r := format.RoleTime; r < format.NumRoles; r++ {
		if roleByName(r.String()) == format.RoleNone {
			continue
		}
		for _, a := range r.Aliases() {
			rt.read[a] = r
			rt.edit[a] = r
		}
	}
	for rn, col := range columns {
		if r := roleByName(rn); r != format.RoleNone && col != "" {
			for a, ar := range rt.read {
				if ar == r {
					delete(rt.read, a)
				}
			}
		}
	}
	for rn, col := range columns {
		if r := roleByName(rn); r != format.RoleNone && col != "" {
			rt.read[strings.ToLower(col)] = r
			rt.edit[strings.ToLower(col)] = r
		}
	}
	return rt
}

// lookup returns the role of name in m, ignoring case.
func lookup(m map[string]role, name []byte) role {
	var b [32]byte
	if len(name) > len(b) {
		return m[strings.ToLower(string(name))]
	}
	l := b[:len(name)]
	for i, c := range name {
		if c >= utf8.RuneSelf {
			return m[strings.ToLower(string(name))]
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l[i] = c
	}
	return m[string(l)]
}

// entryKind is where an attribute lives.
type entryKind uint8

const (
	eDirect entryKind = iota // a child element of the feature: name, description, ...
	eData                    // ExtendedData/Data[@name]/value
	eSimple                  // ExtendedData/SchemaData/SimpleData[@name]
	eArray                   // gx:Track/ExtendedData/SchemaData/gx:SimpleArrayData[@name]/gx:value
)

// entry is one named attribute of a feature.
type entry struct {
	kind   entryKind
	name   []byte // as written (decoded)
	elem   int32  // the element Strip removes
	val    int32  // the element whose content is the value; -1 when none
	valsAt int32  // eArray: the value elements are attrs.vals[valsAt:valsAt+valsN]
	valsN  int32
	track  int32 // eArray: the track
}

// attrs are the attributes of the feature being read; it implements
// geowarden.Attrs for its records. entries[:nBase] are the feature's own
// (child elements, ExtendedData); each track's array values follow, the
// current record's in entries[arrFrom:arrTo].
type attrs struct {
	f       *feature
	latin1  bool
	entries []entry
	nBase   int
	arena   []byte
	vals    []int32
	track   int32 // the track of the current record, -1 when none
	point   int   // the index of the current track point
	timeVal int32 // the element the record's time was read from by fill, -1 when none

	// arrs are the current track's array entries, longest first: those
	// with a value for point i come first, so that the work per point is
	// the number of values it has.
	arrs    []int32
	index   map[string]int32 // lower-cased name -> first base entry, for many entries
	indexed bool
}

// pointArrays calls fn for the array entries with a value for the current
// point.
func (a *attrs) pointArrays(fn func(k int32, e *entry)) {
	for _, k := range a.arrs {
		e := &a.entries[k]
		if int(e.valsN) <= a.point {
			return
		}
		fn(k, e)
	}
}

var _ geowarden.Attrs = (*attrs)(nil)

// Attr returns a feature's attribute: a child element (name, description,
// Snippet, address, phoneNumber) or an ExtendedData value, by name,
// ignoring case, with surrounding white space trimmed; for a track point,
// also its values of the track's arrays.
func (a *attrs) Attr(name string) (string, bool) {
	best := int32(-1)
	for _, k := range a.arrs {
		e := &a.entries[k]
		if int(e.valsN) <= a.point {
			break
		}
		if (best < 0 || k < best) && equalFold(e.name, name) {
			best = k
		}
	}
	if best >= 0 {
		return a.value(&a.entries[best]), true
	}
	if a.nBase <= 16 {
		for i := 0; i < a.nBase; i++ {
			if e := &a.entries[i]; equalFold(e.name, name) {
				return a.value(e), true
			}
		}
		return "", false
	}
	if !a.indexed {
		if a.index == nil {
			a.index = map[string]int32{}
		}
		clear(a.index)
		for i := a.nBase - 1; i >= 0; i-- {
			a.index[strings.ToLower(string(a.entries[i].name))] = int32(i)
		}
		a.indexed = true
	}
	if i, ok := a.index[strings.ToLower(name)]; ok {
		return a.value(&a.entries[i]), true
	}
	for i := 0; i < a.nBase; i++ { // names that fold other than by ToLower
		if e := &a.entries[i]; !isASCII(e.name) && equalFold(e.name, name) {
			return a.value(e), true
		}
	}
	return "", false
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// valueNode returns the element holding e's value for the current record.
func (a *attrs) valueNode(e *entry) int32 {
	if e.kind != eArray {
		return e.val
	}
	if a.point < 0 || a.point >= int(e.valsN) {
		return -1
	}
	return a.vals[int(e.valsAt)+a.point]
}

func (a *attrs) value(e *entry) string {
	v := a.valueNode(e)
	if v < 0 {
		return ""
	}
	c := a.f.content(v)
	if plain(c) && !a.latin1 {
		return string(bytes.TrimSpace(c))
	}
	out, _ := text(nil, c, a.latin1)
	return string(bytes.TrimSpace(out))
}

func equalFold(b []byte, s string) bool {
	if len(b) == len(s) {
		ascii := true
		for i := 0; i < len(b); i++ {
			c, d := b[i], s[i]
			if c >= utf8.RuneSelf || d >= utf8.RuneSelf {
				ascii = false
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if 'A' <= d && d <= 'Z' {
				d += 'a' - 'A'
			}
			if c != d {
				return false
			}
		}
		if ascii {
			return true
		}
	}
	return strings.EqualFold(string(b), s)
}

// collect gathers the attributes of feature element root.
func (a *attrs) collect(f *feature, root int32, latin1 bool) {
	a.f, a.latin1 = f, latin1
	a.entries, a.arena, a.vals = a.entries[:0], a.arena[:0], a.vals[:0]
	a.track, a.point, a.arrs, a.indexed = -1, -1, nil, false
	for k := f.nodes[root].first; k >= 0; k = f.nodes[k].next {
		switch f.nodes[k].code {
		case cName, cDescription, cSnippet, cAddress, cPhoneNumber:
			a.entries = append(a.entries, entry{kind: eDirect, name: localName(f.qname(k)), elem: k, val: k})
		case cExtendedData:
			a.extended(k, -1)
		}
	}
	a.nBase = len(a.entries)
}

// extended gathers the values of an ExtendedData element (of a track when
// track >= 0).
func (a *attrs) extended(ed, track int32) {
	f := a.f
	for k := f.nodes[ed].first; k >= 0; k = f.nodes[k].next {
		switch f.nodes[k].code {
		case cData:
			if track >= 0 {
				continue
			}
			name, ok := a.name(k)
			if !ok {
				continue
			}
			a.entries = append(a.entries, entry{kind: eData, name: name, elem: k, val: f.child(k, cValue)})
		case cSchemaData:
			for j := f.nodes[k].first; j >= 0; j = f.nodes[j].next {
				switch f.nodes[j].code {
				case cSimpleData:
					if track >= 0 {
						continue
					}
					if name, ok := a.name(j); ok {
						a.entries = append(a.entries, entry{kind: eSimple, name: name, elem: j, val: j})
					}
				case cSimpleArrayData:
					if track < 0 {
						continue
					}
					name, ok := a.name(j)
					if !ok {
						continue
					}
					at := int32(len(a.vals))
					for v := f.nodes[j].first; v >= 0; v = f.nodes[v].next {
						if f.nodes[v].code == cValue {
							a.vals = append(a.vals, v)
						}
					}
					a.entries = append(a.entries, entry{kind: eArray, name: name, elem: j, val: -1, valsAt: at, valsN: int32(len(a.vals)) - at, track: track})
				}
			}
		}
	}
}

// name returns the decoded name attribute of element k.
func (a *attrs) name(k int32) ([]byte, bool) {
	v, ok := a.f.attrValue(k, "name", a.latin1)
	if !ok {
		return nil, false
	}
	at := len(a.arena)
	a.arena = append(a.arena, v...)
	return a.arena[at:len(a.arena):len(a.arena)], true
}

// fill sets the record's source, signal, accuracy and (when it has none
// yet) time from the values of entries[lo:hi] that hold a role not seen
// yet.
func (a *attrs) fill(rec *geowarden.Record, rt *roleTable, lo, hi int, seen *[format.NumRoles]bool) {
	for i := lo; i < hi; i++ {
		if e := &a.entries[i]; e.kind != eDirect {
			a.fillOne(rec, rt, e, seen)
		}
	}
}

// fillPoint is fill for the current track point's array values, in
// document order.
func (a *attrs) fillPoint(rec *geowarden.Record, rt *roleTable, seen *[format.NumRoles]bool) {
	var first [format.NumRoles]int32
	found := false
	a.pointArrays(func(k int32, e *entry) {
		if r := lookup(rt.read, e.name); r != format.RoleNone && !seen[r] && (first[r] == 0 || k+1 < first[r]) {
			first[r], found = k+1, true
		}
	})
	if !found {
		return
	}
	var ks []int32
	for _, k := range first {
		if k > 0 {
			ks = append(ks, k-1)
		}
	}
	slices.Sort(ks)
	for _, k := range ks {
		a.fillOne(rec, rt, &a.entries[k], seen)
	}
}

// fillOne sets the record field of entry e's role, unless seen.
func (a *attrs) fillOne(rec *geowarden.Record, rt *roleTable, e *entry, seen *[format.NumRoles]bool) {
	r := lookup(rt.read, e.name)
	if r == format.RoleNone || seen[r] {
		return
	}
	v := a.value(e)
	if v == "" {
		return
	}
	seen[r] = true
	s := &rec.Signal
	switch r {
	case format.RoleTime:
		if rec.Time.IsZero() {
			if t, ok := parseTime(v); ok {
				rec.Time, a.timeVal = t, a.valueNode(e)
			} else if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 && n < 1e11 {
				sec, frac := math.Modf(n)
				rec.Time, a.timeVal = time.Unix(int64(sec), int64(frac*1e9)).UTC(), a.valueNode(e)
			}
		}
	case format.RoleSource:
		rec.Source = v
	case format.RoleRadio:
		s.Radio = v
	case format.RoleMCC:
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n < 1000 {
			s.MCC = n
		}
	case format.RoleMNC:
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < 1000 {
			s.MNC, s.HasMNC = n, true
		}
	case format.RoleArea:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			s.Area = n
		}
	case format.RoleCell:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			s.Cell = n
		}
	case format.RoleFreq:
		if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 && !math.IsInf(n, 0) {
			s.FreqMHz = n
		}
	case format.RoleARFCN:
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			s.ARFCN, s.HasARFCN = n, true
		}
	case format.RoleStrength:
		if n, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(n, 0) && !math.IsNaN(n) {
			s.Strength, s.HasStrength = n, true
		}
	case format.RoleSSID:
		s.SSID = v
	case format.RoleBSSID:
		s.BSSID = v
	case format.RoleAccuracy:
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 && !math.IsInf(n, 0) {
			rec.Accuracy, rec.HasAccuracy = n, true
		}
	}
}

// setKind fills the frequency from a channel number and makes a record
// with Wi-Fi values KindWifi, one with cellular values KindCell.
func setKind(rec *geowarden.Record) {
	format.FillFreq(&rec.Signal)
	if k, ok := format.SignalKind(&rec.Signal); ok {
		rec.Kind = k
	}
}

// parseTime reads a KML time (xsd:dateTime, xsd:date, gYearMonth, gYear);
// a date and time without a zone is taken as UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if len(s) > 10 && s[10] == ' ' {
		return parseTime(s[:10] + "T" + s[11:])
	}
	return time.Time{}, false
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

// formatTime writes a time as KML does: xsd:dateTime in UTC.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}
