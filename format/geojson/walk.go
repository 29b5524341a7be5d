package geojson

import (
	"bytes"
	"strconv"

	"github.com/geowarden/geowarden/format"
)

// The functions in this file walk JSON text that the reader has already
// checked: they do not validate, and they must only be given valid JSON.

// span is b[s:e] of some buffer.
type span struct{ s, e int }

// member is an object member (key includes its quotes) or, with key.s ==
// key.e == val.s, an array element.
type member struct {
	key, val span
}

// skipWS returns the index of the first non-whitespace byte at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the string that starts at b[i].
func stringEnd(b []byte, i int) int {
	i++
	for {
		j := i + bytes.IndexByte(b[i:], '"')
		n := 0 // backslashes before the quote
		for p := j - 1; p >= i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		i = j + 1
	}
}

// valueEnd returns the index just past the value that starts at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// members appends the members of the object that starts at b[open] to dst
// and returns them with the index of the closing '}'.
func members(b []byte, open int, dst []member) ([]member, int) {
	i := skipWS(b, open+1)
	if b[i] == '}' {
		return dst, i
	}
	for {
		ke := stringEnd(b, i)
		j := skipWS(b, ke) + 1 // past ':'
		vs := skipWS(b, j)
		ve := valueEnd(b, vs)
		dst = append(dst, member{span{i, ke}, span{vs, ve}})
		i = skipWS(b, ve)
		if b[i] == '}' {
			return dst, i
		}
		i = skipWS(b, i+1)
	}
}

// elements appends the elements of the array that starts at b[open] to dst
// and returns them with the index of the closing ']'.
func elements(b []byte, open int, dst []member) ([]member, int) {
	i := skipWS(b, open+1)
	if b[i] == ']' {
		return dst, i
	}
	for {
		ve := valueEnd(b, i)
		dst = append(dst, member{span{i, i}, span{i, ve}})
		i = skipWS(b, ve)
		if b[i] == ']' {
			return dst, i
		}
		i = skipWS(b, i+1)
	}
}

// hasEscape reports whether a string's content holds a backslash.
func hasEscape(s []byte) bool {
	for _, c := range s {
		if c == '\\' {
			return true
		}
	}
	return false
}

// unquote appends the decoded content of the JSON string q (with its
// quotes) to dst. Invalid surrogates become U+FFFD, as in encoding/json;
// other bytes are copied as they are.
func unquote(dst, q []byte) []byte { return format.AppendUnquoted(dst, q) }

// appendQuote appends s as a JSON string (format.AppendQuoted).
func appendQuote(dst []byte, s string) []byte { return format.AppendQuoted(dst, s) }

// parseNumber parses a JSON number. Values too large for a float64 come
// back as ±Inf, which CheckPoint rejects.
func parseNumber(b []byte) float64 {
	v, _ := strconv.ParseFloat(string(b), 64)
	return v
}

// valueKind names the kind of the value that starts with c, for errors.
func valueKind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func isNumberStart(c byte) bool { return c == '-' || c >= '0' && c <= '9' }
