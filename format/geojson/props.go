package geojson

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// role is what a value means to geowarden: format's shared vocabulary.
type role = format.Role

// roleByName returns the role named name that a property can hold, or
// format.RoleNone: latitude and longitude come from the geometry only.
func roleByName(name string) role {
	if r := format.RoleByName(name); r != format.RoleLat && r != format.RoleLon {
		return r
	}
	return format.RoleNone
}

// aliasTable maps lower-cased property names to roles. first and lens
// (bit n: some alias has n bytes) let most names skip the map.
type aliasTable struct {
	m     map[string]role
	first [256]bool
	lens  uint64
}

func (t *aliasTable) add(name string, r role) {
	name = strings.ToLower(name)
	t.m[name] = r
	if len(name) > 0 {
		t.first[name[0]] = true
	}
	if len(name) < 64 {
		t.lens |= 1 << len(name)
	} else {
		t.lens |= 1 << 63
	}
}

func (t *aliasTable) del(r role) {
	for a, ar := range t.m {
		if ar == r {
			delete(t.m, a)
		}
	}
	t.first = [256]bool{}
	t.lens = 0
	for a, ar := range t.m {
		t.add(a, ar)
	}
}

func (t *aliasTable) lookup(name []byte, scratch *[]byte) role {
	if len(name) == 0 {
		return format.RoleNone
	}
	n := len(name)
	if n > 63 {
		n = 63
	}
	c0 := name[0]
	if 'A' <= c0 && c0 <= 'Z' {
		c0 += 'a' - 'A'
	}
	if c0 < 0x80 && (t.lens&(1<<n) == 0 || !t.first[c0]) {
		// Unicode folding can map non-ASCII bytes later in the name to
		// ASCII, but never changes an ASCII name's length.
		ascii := true
		for _, c := range name {
			if c >= 0x80 {
				ascii = false
				break
			}
		}
		if ascii {
			return format.RoleNone
		}
	}
	l := (*scratch)[:0]
	for _, c := range name {
		if c >= 0x80 {
			for a, r := range t.m {
				if equalFold(name, a) {
					return r
				}
			}
			return format.RoleNone
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l = append(l, c)
	}
	*scratch = l
	return t.m[string(l)]
}

// roleTable holds the aliases of one Rewrite: read says where each role is
// read from (Options.Columns replaces the built-in aliases of a role);
// edit, for Strip and Set by role, adds the built-in aliases back, so that
// stripping "source" removes every property that may hold it.
type roleTable struct {
	read, edit aliasTable
}

func newRoleTable(columns map[string]string) *roleTable {
	rt := &roleTable{read: aliasTable{m: map[string]role{}}, edit: aliasTable{m: map[string]role{}}}
	for r := format.RoleTime; r < format.NumRoles; r++ {
		for _, a := range r.Aliases() {
			rt.read.add(a, r)
			rt.edit.add(a, r)
		}
	}
	for rn, col := range columns {
		if r := roleByName(rn); r != format.RoleNone && col != "" {
			rt.read.del(r)
		}
	}
	for rn, col := range columns {
		if r := roleByName(rn); r != format.RoleNone && col != "" {
			rt.read.add(col, r)
			rt.edit.add(col, r)
		}
	}
	return rt
}

// properties reads the members of the properties object and the roles
// they hold.
func (d *decoder) properties(rt *roleTable) {
	raw := d.raw
	open := d.props.s
	i := skipWS(raw, open+1)
	for raw[i] != '}' {
		ke := stringEnd(raw, i)
		vs := skipWS(raw, skipWS(raw, ke)+1)
		ve := valueEnd(raw, vs)
		p := prop{member: member{span{i, ke}, span{vs, ve}}, name: span{i + 1, ke - 1}}
		if c := raw[i+1 : ke-1]; hasEscape(c) {
			s := len(d.pkeys)
			d.pkeys = unquote(d.pkeys, raw[i:ke])
			p.name, p.esc = span{s, len(d.pkeys)}, true
		}
		d.pm = append(d.pm, p)
		i = skipWS(raw, ve)
		if raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	for k := range d.pm {
		if r := rt.read.lookup(d.propName(k), &d.lower); r != format.RoleNone && d.set&(1<<r) == 0 {
			d.setRole(r, k)
		}
	}
}

func (d *decoder) propName(k int) []byte {
	p := &d.pm[k]
	if p.esc {
		return d.pkeys[p.name.s:p.name.e]
	}
	return d.raw[p.name.s:p.name.e]
}

// propText returns a property value as text: a string's content (in a
// scratch buffer, valid until the next call), anything else as written.
func (d *decoder) propText(k int) (text []byte, isString bool) {
	v := d.raw[d.pm[k].val.s:d.pm[k].val.e]
	if v[0] != '"' {
		return v, false
	}
	if c := v[1 : len(v)-1]; !hasEscape(c) {
		return c, true
	}
	d.val = unquote(d.val[:0], v)
	return d.val, true
}

// Attr implements geowarden.Attrs over the properties.
func (d *decoder) Attr(name string) (string, bool) {
	for k := range d.pm {
		if equalFold(d.propName(k), name) {
			t, _ := d.propText(k)
			return string(t), true
		}
	}
	return "", false
}

// setRole reads property k as role r; a value that does not parse (or is
// null, an object or an array) is ignored.
func (d *decoder) setRole(r role, k int) {
	text, isStr := d.propText(k)
	if len(text) == 0 || !isStr && (text[0] == 'n' || text[0] == '{' || text[0] == '[' || text[0] == 't' || text[0] == 'f') {
		return
	}
	s := &d.sig
	ok := true
	switch r {
	case format.RoleTime:
		if t, tok := parseTime(text, isStr); tok {
			d.time, d.timeProp, d.timeStr = t, k, isStr
		} else {
			ok = false
		}
	case format.RoleSource:
		d.source = string(text)
	case format.RoleRadio:
		s.Radio = string(text)
	case format.RoleSSID:
		s.SSID = string(text)
	case format.RoleBSSID:
		s.BSSID = string(text)
	case format.RoleMCC:
		var v int64
		if v, ok = parseInt(text); ok {
			s.MCC = int(v)
		}
	case format.RoleMNC:
		var v int64
		if v, ok = parseInt(text); ok {
			s.MNC, s.HasMNC = int(v), true
		}
	case format.RoleArea:
		s.Area, ok = parseInt(text)
	case format.RoleCell:
		s.Cell, ok = parseInt(text)
	case format.RoleARFCN:
		var v int64
		if v, ok = parseInt(text); ok {
			s.ARFCN, s.HasARFCN = int(v), true
		}
	case format.RoleFreq:
		s.FreqMHz, ok = parseFloat(text)
	case format.RoleStrength:
		if s.Strength, ok = parseFloat(text); ok {
			s.HasStrength = true
		}
	case format.RoleAccuracy:
		d.acc, ok = parseFloat(text)
	case format.RoleAlt:
		d.alt, ok = parseFloat(text)
	}
	if ok {
		d.set |= 1 << r
	}
}

// looksNumeric reports whether b holds only characters of a number, so
// that failing parses (whose errors allocate) are rare.
func looksNumeric(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			return false
		}
	}
	return true
}

func parseFloat(b []byte) (float64, bool) {
	if !looksNumeric(b) {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

// parseInt parses an integer, also written as a float with no fraction
// ("262.0").
func parseInt(b []byte) (int64, bool) {
	if !looksNumeric(b) {
		return 0, false
	}
	if v, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return v, true
	}
	v, ok := parseFloat(b)
	if !ok || v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return 0, false
	}
	return int64(v), true
}

// parseTime reads RFC 3339 (also with a space for the 'T') or unix
// seconds, as a number or a numeric string.
func parseTime(b []byte, isStr bool) (time.Time, bool) {
	if v, ok := parseFloat(b); ok {
		if math.Abs(v) > 1e13 {
			return time.Time{}, false
		}
		sec := math.Floor(v)
		return time.Unix(int64(sec), int64(math.Round((v-sec)*1e9))).UTC(), true
	}
	if !isStr {
		return time.Time{}, false
	}
	s := string(b)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if len(s) > 10 && s[10] == ' ' {
		if t, err := time.Parse(time.RFC3339Nano, s[:10]+"T"+s[11:]); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// fill sets what the properties say in rec.
func (d *decoder) fill(rec *geowarden.Record) {
	rec.Time = d.time
	rec.Source = d.source
	rec.Signal = d.sig
	rec.Accuracy, rec.HasAccuracy = d.acc, d.set&(1<<format.RoleAccuracy) != 0
	rec.Alt, rec.HasAlt = d.alt, d.set&(1<<format.RoleAlt) != 0
	format.FillFreq(&rec.Signal)
	rec.Kind = geowarden.KindFeature
	if k, ok := format.SignalKind(&rec.Signal); ok {
		rec.Kind = k
	}
	rec.More = d.more
	rec.Text = d.text
	rec.Attrs = d
}
