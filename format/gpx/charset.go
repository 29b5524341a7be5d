package gpx

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"
)

// charset is the input's character encoding. The scanner works on the
// raw bytes, which is sound for encodings in which every ASCII byte stands
// for its ASCII character and no byte of a multi-byte character is one of
// the bytes XML markup is made of (UTF-8, ISO-8859-*, windows-125*,
// Shift_JIS, GBK, Big5, EUC-*); text values are decoded to UTF-8 for
// Attrs, and replacement text is encoded back.
type charset struct {
	name string            // as declared; "" for UTF-8 by default
	enc  encoding.Encoding // nil for UTF-8
	dec  *encoding.Decoder // nil for UTF-8
	encr *encoding.Encoder // nil for UTF-8
}

func (c *charset) utf8() bool { return c.enc == nil }

// stateful lists encodings whose ASCII bytes may stand for other
// characters, depending on escape sequences.
var stateful = []string{"iso-2022", "hz-gb-2312", "utf-7"}

// lookupCharset resolves an encoding name from an XML declaration.
func lookupCharset(name string) (charset, error) {
	lower := strings.ToLower(strings.TrimSpace(name))
	switch lower {
	case "utf-8", "utf8", "us-ascii", "ascii", "iso-646-us":
		return charset{name: name}, nil
	}
	if strings.HasPrefix(lower, "utf-16") || strings.HasPrefix(lower, "utf-32") || strings.HasPrefix(lower, "ucs-") {
		return charset{}, fmt.Errorf("encoding %q: only encodings in which ASCII characters are single bytes are read (convert the file to UTF-8)", name)
	}
	for _, p := range stateful {
		if strings.HasPrefix(lower, p) {
			return charset{}, fmt.Errorf("encoding %q: stateful encodings are not read (convert the file to UTF-8)", name)
		}
	}
	e, err := ianaindex.IANA.Encoding(name)
	if err != nil || e == nil {
		e, err = htmlindex.Get(name)
	}
	if err != nil || e == nil {
		return charset{}, fmt.Errorf("unknown encoding %q", name)
	}
	// Every ASCII character XML markup uses must stay one byte, itself.
	const ascii = "\t\n\r !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
	got, _, err := transform.Bytes(e.NewDecoder(), []byte(ascii))
	if err != nil || string(got) != ascii {
		return charset{}, fmt.Errorf("encoding %q: only encodings in which ASCII characters are single bytes are read (convert the file to UTF-8)", name)
	}
	return charset{name: name, enc: e, dec: e.NewDecoder(), encr: e.NewEncoder()}, nil
}

// decode appends the UTF-8 form of raw document bytes to dst.
func (c *charset) decode(dst, raw []byte) []byte {
	if c.enc == nil {
		return append(dst, raw...)
	}
	c.dec.Reset()
	out, _, err := transform.Append(c.dec, dst, raw)
	if err != nil {
		// Undecodable bytes: keep what is valid, mark the rest.
		out = dst
		for _, b := range raw {
			if b < utf8.RuneSelf {
				out = append(out, b)
			} else {
				out = utf8.AppendRune(out, utf8.RuneError)
			}
		}
	}
	return out
}

// appendEscaped appends s (UTF-8) to dst as XML character data in the
// document's encoding: markup characters escaped, characters the encoding
// cannot hold written as character references.
func (c *charset) appendEscaped(dst []byte, s string, attr bool) []byte {
	for _, r := range s {
		switch {
		case r == '<':
			dst = append(dst, "&lt;"...)
		case r == '>':
			dst = append(dst, "&gt;"...)
		case r == '&':
			dst = append(dst, "&amp;"...)
		case r == '"' && attr:
			dst = append(dst, "&quot;"...)
		case r == '\'' && attr:
			dst = append(dst, "&apos;"...)
		case r == '\t' || r == '\n' || r == '\r':
			if attr {
				dst = fmt.Appendf(dst, "&#x%X;", r)
			} else {
				dst = append(dst, byte(r))
			}
		case !isXMLChar(r):
			// Not representable in XML at all: dropped.
		case r < utf8.RuneSelf:
			dst = append(dst, byte(r))
		case c.enc == nil:
			dst = utf8.AppendRune(dst, r)
		default:
			var tmp [utf8.UTFMax]byte
			n := utf8.EncodeRune(tmp[:], r)
			c.encr.Reset()
			out, _, err := transform.Append(c.encr, dst, tmp[:n])
			if err != nil || bytes.Equal(out[len(dst):], []byte{'?'}) {
				dst = fmt.Appendf(dst, "&#x%X;", r)
			} else {
				dst = out
			}
		}
	}
	return dst
}
