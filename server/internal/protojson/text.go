package protojson

import (
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/geotext"
)

// AppendTexts appends to dst the positions written in text, the decoded
// value of the field named field. An ambiguous match (two numbers that read
// as a position in either order) gives both readings, with the same
// offsets: either may be the one a reader takes.
func AppendTexts(dst []geowarden.TextPos, field string, text []byte) []geowarden.TextPos {
	if !mayHoldPosition(text) {
		return dst
	}
	for i := 0; ; {
		m, ok := geotext.Find(text, i)
		if !ok {
			return dst
		}
		dst = append(dst, geowarden.TextPos{Pos: m.Point, Field: field, Start: m.Start, End: m.End})
		if m.Ambiguous {
			dst = append(dst, geowarden.TextPos{Pos: m.Swapped(), Field: field, Start: m.Start, End: m.End})
		}
		i = m.Next
	}
}

// mayHoldPosition is a cheap test that a text could hold a position: two
// digits at least.
func mayHoldPosition(v []byte) bool {
	n := 0
	for _, c := range v {
		if c-'0' < 10 {
			if n++; n == 2 {
				return true
			}
		}
	}
	return false
}

// Span is a byte range of a decoded text.
type Span struct{ Start, End int }

// Redact returns text with each span (merged where they overlap) replaced
// by geowarden.RedactedText.
func Redact(text []byte, spans []Span) []byte {
	spans = slices.Clone(spans)
	slices.SortFunc(spans, func(a, b Span) int { return a.Start - b.Start })
	out := make([]byte, 0, len(text)+len(spans)*len(geowarden.RedactedText))
	at := 0
	for k := 0; k < len(spans); k++ {
		s, e := spans[k].Start, spans[k].End
		for k+1 < len(spans) && spans[k+1].Start < e {
			k++
			e = max(e, spans[k].End)
		}
		s, e = max(s, at), min(e, len(text))
		if s >= e {
			continue
		}
		out = append(out, text[at:s]...)
		out = append(out, geowarden.RedactedText...)
		at = e
	}
	return append(out, text[at:]...)
}
