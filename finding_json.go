package geowarden

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends the finding as one JSON object, exactly as
// encoding/json marshals it, and returns the extended buffer. It is the
// fast path for reports of millions of findings.
func (f *Finding) AppendJSON(b []byte) []byte {
	b = append(b, `{"file":`...)
	b = appendString(b, f.File)
	if f.Line != 0 {
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(f.Line), 10)
	}
	if f.Feature != nil {
		b = append(b, `,"feature":`...)
		b = strconv.AppendInt(b, int64(*f.Feature), 10)
	}
	if f.Offset != 0 {
		b = append(b, `,"offset":`...)
		b = strconv.AppendInt(b, f.Offset, 10)
	}
	if f.Lat != nil {
		b = append(b, `,"lat":`...)
		b = appendFloat(b, *f.Lat)
	}
	if f.Lon != nil {
		b = append(b, `,"lon":`...)
		b = appendFloat(b, *f.Lon)
	}
	if f.Time != nil {
		b = append(b, `,"time":"`...)
		b = f.Time.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	b = append(b, `,"kind":`...)
	b = appendString(b, f.Kind)
	if f.Source != "" {
		b = append(b, `,"source":`...)
		b = appendString(b, f.Source)
	}
	b = append(b, `,"zones":`...)
	b = appendStrings(b, f.Zones)
	if len(f.Classes) > 0 {
		b = append(b, `,"zone_classes":`...)
		b = appendStrings(b, f.Classes)
	}
	b = append(b, `,"signals":`...)
	b = appendStrings(b, f.Signals)
	b = append(b, `,"rule":`...)
	b = appendString(b, f.Rule)
	b = append(b, `,"action":`...)
	b = appendString(b, f.Action)
	b = append(b, `,"severity":`...)
	b = appendString(b, f.Severity.String())
	b = append(b, `,"fingerprint":`...)
	b = appendString(b, f.Fingerprint)
	if f.Detail != "" {
		b = append(b, `,"detail":`...)
		b = appendString(b, f.Detail)
	}
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendFloat formats like encoding/json: shortest representation, 'e'
// notation for very small or large magnitudes.
func appendFloat(b []byte, f float64) []byte {
	abs := f
	if abs < 0 {
		abs = -abs
	}
	fmtc := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmtc = 'e'
	}
	b = strconv.AppendFloat(b, f, fmtc, -1, 64)
	if fmtc == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does (with HTML escaping).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// fingerprint computes the fingerprint of a finding's stable fields.
func (f *Finding) fingerprint() string {
	var buf [256]byte
	b := buf[:0]
	base := f.File
	for i := len(base) - 1; i >= 0; i-- {
		if base[i] == '/' || base[i] == '\\' {
			base = base[i+1:]
			break
		}
	}
	b = append(b, base...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(f.Line), 10)
	b = append(b, 0)
	if f.Feature != nil {
		b = append(b, 'f')
		b = strconv.AppendInt(b, int64(*f.Feature), 10)
	}
	if f.Lat != nil && f.Lon != nil {
		b = append(b, 0)
		b = strconv.AppendFloat(b, *f.Lat, 'f', 7, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, *f.Lon, 'f', 7, 64)
	}
	b = append(b, 0)
	b = append(b, f.Rule...)
	b = append(b, 0)
	for i, z := range f.Zones {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, z...)
	}
	b = append(b, 0)
	for i, s := range f.Signals {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, s...)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}
