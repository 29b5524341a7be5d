package format

import (
	"unicode/utf16"
	"unicode/utf8"
)

// AppendUnquoted appends to dst the content of the JSON string q (quotes
// included, already checked to be a well-formed JSON string), decoded: the
// escapes \" \\ \/ \b \f \n \r \t and \uXXXX, UTF-16 surrogate pairs
// joined, a lone surrogate read as U+FFFD (as encoding/json reads it). It
// is shared by the JSON readers that keep the bytes they read (GeoJSON,
// the gateway's device protocols).
func AppendUnquoted(dst, q []byte) []byte {
	s := q[1 : len(q)-1]
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			j := i + 1
			for j < len(s) && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		e := s[i+1]
		i += 2
		switch e {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n := JSONEscapeU(s[i-2:])
			i += n - 2
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, e)
		}
	}
	return dst
}

// JSONEscapeU decodes the \uXXXX escape at the start of s (s[0] is the
// backslash), with the low surrogate escape that follows it when the two
// make a pair. It returns the rune, U+FFFD for a surrogate that is not
// one of a pair (as encoding/json), and the bytes read: 6, or 12 for a
// pair.
func JSONEscapeU(s []byte) (rune, int) {
	r := jsonHex4(s[2:])
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	r2 := rune(-1)
	if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		r2 = jsonHex4(s[8:])
	}
	if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
		return d, 12
	}
	return utf8.RuneError, 6
}

// jsonHex4 reads four hexadecimal digits.
func jsonHex4(s []byte) rune {
	var r rune
	for _, c := range s[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// AppendQuoted appends s as a JSON string: quotes, backslashes, control
// characters, DEL and the line and paragraph separators U+2028 and U+2029
// escaped, invalid UTF-8 written as U+FFFD, everything else as it is.
func AppendQuoted(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, `\u202`...)
			dst = append(dst, hex[r&15])
		default:
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return append(dst, '"')
}
