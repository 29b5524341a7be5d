package csv

import (
	"bytes"
	"math"
	"slices"
	"strconv"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/geotext"
)

// mayHoldPosition is a cheap test that a free-text value could hold a
// position: at least two digits, and not a plain number.
func mayHoldPosition(v []byte) bool {
	// Most values in a table are plain numbers (ids, codes, readings):
	// an optional sign, digits and at most one decimal point or comma.
	// Those are told apart in one pass, without reading the number.
	t := trimBlank(v)
	if len(t) <= 64 {
		i := 0
		if len(t) > 0 && (t[0] == '-' || t[0] == '+') {
			i = 1
		}
		sep := false
		for ; i < len(t); i++ {
			c := t[i]
			if c-'0' < 10 {
				continue
			}
			if (c == '.' || c == ',') && !sep {
				sep = true
				continue
			}
			break
		}
		if i == len(t) {
			return false
		}
	}
	n := 0
	for _, c := range v {
		if c-'0' < 10 {
			if n++; n == 2 {
				break
			}
		}
	}
	if n < 2 {
		return false
	}
	_, _, num := parseFloat(t, true)
	return !num
}

// scanText appends the positions written in the value v of column c to
// the row's text positions. An ambiguous match (two numbers that read as a
// position in either order) gives both readings, with the same offsets:
// either may be the one a reader takes.
func (rw *rewriter) scanText(c int, v []byte) {
	for i := 0; ; {
		m, ok := geotext.Find(v, i)
		if !ok {
			return
		}
		rw.text = append(rw.text, geowarden.TextPos{Pos: m.Point, Field: rw.names[c], Start: m.Start, End: m.End})
		rw.textCol = append(rw.textCol, c)
		if m.Ambiguous {
			rw.text = append(rw.text, geowarden.TextPos{Pos: m.Swapped(), Field: rw.names[c], Start: m.Start, End: m.End})
			rw.textCol = append(rw.textCol, c)
		}
		i = m.Next
	}
}

// redact writes the text cells of an edit's Redact list: each cell's
// decoded value with the redacted spans (merged where they overlap)
// replaced by geowarden.RedactedText.
func (rw *rewriter) redact(idx []int) {
	spans := rw.spans[:0]
	for _, i := range idx {
		if i >= 0 && i < len(rw.text) {
			spans = append(spans, colSpan{rw.textCol[i], rw.text[i].Start, rw.text[i].End})
		}
	}
	slices.SortFunc(spans, func(a, b colSpan) int {
		if a.col != b.col {
			return a.col - b.col
		}
		return a.s - b.s
	})
	rw.spans = spans
	for k := 0; k < len(spans); {
		c := spans[k].col
		v := rw.field(c)
		out := rw.tmp[:0]
		at := 0
		for ; k < len(spans) && spans[k].col == c; k++ {
			s, e := spans[k].s, spans[k].e
			for k+1 < len(spans) && spans[k+1].col == c && spans[k+1].s < e {
				k++
				e = max(e, spans[k].e)
			}
			s, e = max(s, at), min(e, len(v))
			if s >= e {
				continue
			}
			out = append(out, v[at:s]...)
			out = append(out, geowarden.RedactedText...)
			at = e
		}
		out = append(out, v[at:]...)
		rw.tmp = out
		rw.replace(c, out)
	}
}

// colSpan is a byte span of a column's decoded value.
type colSpan struct{ col, s, e int }

// appendStyled formats a coordinate in the style of orig, the number it
// replaces: E7 integers as integers; decimals rounded to 7 places (about
// 1 cm), with at least as many decimals as orig had (zeros added) and
// orig's decimal comma.
func appendStyled(dst []byte, v float64, orig []byte, e7, comma bool) []byte {
	if e7 {
		return strconv.AppendInt(dst, int64(math.Round(v*1e7)), 10)
	}
	orig = trimBlank(orig)
	sep := bytes.IndexAny(orig, ".,")
	decimals := 0
	if sep >= 0 {
		for _, c := range orig[sep+1:] {
			if c-'0' >= 10 {
				break
			}
			decimals++
		}
		comma = comma || orig[sep] == ','
	}
	n := len(dst)
	dst = appendCoord(dst, v, comma)
	have := 0
	if i := bytes.IndexAny(dst[n:], ".,"); i >= 0 {
		have = len(dst) - n - i - 1
	} else if decimals > 0 {
		if comma {
			dst = append(dst, ',')
		} else {
			dst = append(dst, '.')
		}
	}
	for ; have < min(decimals, 15); have++ {
		dst = append(dst, '0')
	}
	return dst
}
