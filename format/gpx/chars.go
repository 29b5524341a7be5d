package gpx

import (
	"fmt"
	"unicode/utf8"
)

// isXMLChar reports whether r is a character XML 1.0 allows in a document.
func isXMLChar(r rune) bool {
	switch {
	case r == 0x09 || r == 0x0A || r == 0x0D:
		return true
	case r < 0x20:
		return false
	case r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// isNameStart reports whether r may begin an XML name (XML 1.0, fifth
// edition, production 4).
func isNameStart(r rune) bool {
	switch {
	case r == ':' || r == '_' || 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z':
		return true
	case r < 0xC0:
		return false
	}
	return 0xC0 <= r && r <= 0xD6 || 0xD8 <= r && r <= 0xF6 || 0xF8 <= r && r <= 0x2FF ||
		0x370 <= r && r <= 0x37D || 0x37F <= r && r <= 0x1FFF || 0x200C <= r && r <= 0x200D ||
		0x2070 <= r && r <= 0x218F || 0x2C00 <= r && r <= 0x2FEF || 0x3001 <= r && r <= 0xD7FF ||
		0xF900 <= r && r <= 0xFDCF || 0xFDF0 <= r && r <= 0xFFFD || 0x10000 <= r && r <= 0xEFFFF
}

// isNameChar reports whether r may continue an XML name (production 4a).
func isNameChar(r rune) bool {
	return isNameStart(r) || r == '-' || r == '.' || '0' <= r && r <= '9' || r == 0xB7 ||
		0x300 <= r && r <= 0x36F || 0x203F <= r && r <= 0x2040
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// allSpace reports whether b holds only XML white space.
func allSpace(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// checkChars returns the index of the first byte of b that is not an XML
// character, with a description, or -1. With utf8 false (a single- or
// multi-byte legacy encoding) only ASCII control characters are checked.
func checkChars(b []byte, utf bool) (int, string) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return i, fmt.Sprintf("invalid character U+%04X", c)
			}
			i++
			continue
		}
		if !utf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i, fmt.Sprintf("invalid UTF-8 (byte 0x%02X)", c)
		}
		if !isXMLChar(r) {
			return i, fmt.Sprintf("invalid character U+%04X", r)
		}
		i += n
	}
	return -1, ""
}

// scanName returns the length of the XML name at the start of b, or 0
// when b does not start with a name. With utf false, every byte >= 0x80
// counts as a name character.
func scanName(b []byte, utf bool) int {
	i := 0
	for i < len(b) {
		c := b[i]
		var r rune
		n := 1
		switch {
		case c < 0x80:
			r = rune(c)
		case !utf:
			r = 0xC0 // any name character
		default:
			r, n = utf8.DecodeRune(b[i:])
		}
		if i == 0 && !isNameStart(r) || i > 0 && !isNameChar(r) {
			break
		}
		i += n
	}
	return i
}

// localName returns the part of a qualified name after the colon.
func localName(q []byte) []byte {
	for i := len(q) - 1; i >= 0; i-- {
		if q[i] == ':' {
			return q[i+1:]
		}
	}
	return q
}

// maxRefLen caps an entity or character reference, "&" to ";".
const maxRefLen = 40

// parseRef reads the reference at b[0] == '&'. It returns its length and
// the character it stands for, or an error message.
func parseRef(b []byte) (n int, r rune, msg string) {
	end := -1
	for i := 1; i < len(b) && i < maxRefLen; i++ {
		if b[i] == ';' {
			end = i
			break
		}
	}
	if end < 0 {
		return 0, 0, "'&' that does not begin an entity or character reference (write &amp;)"
	}
	body := b[1:end]
	switch string(body) {
	case "lt":
		return end + 1, '<', ""
	case "gt":
		return end + 1, '>', ""
	case "amp":
		return end + 1, '&', ""
	case "quot":
		return end + 1, '"', ""
	case "apos":
		return end + 1, '\'', ""
	}
	if len(body) == 0 {
		return 0, 0, "empty reference '&;'"
	}
	if body[0] != '#' {
		if scanName(body, true) == len(body) {
			return 0, 0, fmt.Sprintf("undefined entity &%s; (only the five predefined entities and character references are allowed)", body)
		}
		return 0, 0, "'&' that does not begin an entity or character reference (write &amp;)"
	}
	digits := body[1:]
	base := rune(10)
	if len(digits) > 0 && digits[0] == 'x' {
		base = 16
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return 0, 0, fmt.Sprintf("invalid character reference &%s;", body)
	}
	var v rune
	for _, c := range digits {
		var d rune
		switch {
		case '0' <= c && c <= '9':
			d = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0, 0, fmt.Sprintf("invalid character reference &%s;", body)
		}
		v = v*base + d
		if v > 0x10FFFF {
			return 0, 0, fmt.Sprintf("character reference &%s; is not a character", body)
		}
	}
	if !isXMLChar(v) {
		return 0, 0, fmt.Sprintf("character reference &%s; is not an XML character", body)
	}
	return end + 1, v, ""
}

// checkRefs checks every reference in text or an attribute value; it
// returns the index of the first bad one and a message, or -1.
func checkRefs(b []byte) (int, string) {
	for i := 0; i < len(b); i++ {
		if b[i] != '&' {
			continue
		}
		n, _, msg := parseRef(b[i:])
		if msg != "" {
			return i, msg
		}
		i += n - 1
	}
	return -1, ""
}
