package gpx

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// recorder keeps every point record, with a copy of what it said, counts
// the records of free text outside points, and returns every bad record's
// error.
type recorder struct {
	recs []got
	text int
}

func (k *recorder) Record(r *geowarden.Record) geowarden.Edit {
	if r.Shape == geowarden.ShapeNone {
		k.text++
		return geowarden.Keep
	}
	k.recs = append(k.recs, copyRecord(r))
	return geowarden.Keep
}

func (k *recorder) Bad(err *format.ParseError) error { return err }

// got is a copy of what a record said, for comparisons.
type got struct {
	Pos    geowarden.Point
	Alt    float64
	HasAlt bool
	Time   time.Time
	Source string
	Ref    geowarden.Ref
	Attrs  map[string]string
	Shape  geowarden.Shape
	Text   []geowarden.TextPos
}

var attrNames = []string{"name", "desc", "cmt", "sym", "type", "ele", "time", "hdop", "sat", "link", "source", "hr", "cad"}

func copyRecord(r *geowarden.Record) got {
	g := got{Pos: r.Pos, Alt: r.Alt, HasAlt: r.HasAlt, Time: r.Time, Source: r.Source, Ref: r.Ref, Shape: r.Shape}
	g.Text = append(g.Text, r.Text...)
	for _, n := range attrNames {
		if v, ok := r.Attrs.Attr(n); ok {
			if g.Attrs == nil {
				g.Attrs = map[string]string{}
			}
			g.Attrs[n] = v
		}
	}
	return g
}

func (g got) String() string {
	var b strings.Builder
	if g.Shape == geowarden.ShapeNone {
		fmt.Fprintf(&b, "%d@%d text", g.Ref.Line, g.Ref.Offset)
	} else {
		fmt.Fprintf(&b, "%d@%d lat=%v lon=%v", g.Ref.Line, g.Ref.Offset, g.Pos.Lat, g.Pos.Lon)
	}
	if g.HasAlt {
		fmt.Fprintf(&b, " alt=%v", g.Alt)
	}
	if !g.Time.IsZero() {
		fmt.Fprintf(&b, " time=%s", g.Time.Format(time.RFC3339Nano))
	}
	if g.Source != "" {
		fmt.Fprintf(&b, " src=%q", g.Source)
	}
	for _, n := range attrNames {
		if v, ok := g.Attrs[n]; ok {
			fmt.Fprintf(&b, " %s=%q", n, v)
		}
	}
	for _, tp := range g.Text {
		fmt.Fprintf(&b, " text:%s[%d:%d]=%v,%v", tp.Field, tp.Start, tp.End, tp.Pos.Lat, tp.Pos.Lon)
	}
	return b.String()
}

// funcHandler decides by a function of the record number and record.
type funcHandler struct {
	n   int
	f   func(i int, r *geowarden.Record) geowarden.Edit
	bad func(err *format.ParseError) error
}

func (h *funcHandler) Record(r *geowarden.Record) geowarden.Edit {
	i := h.n
	h.n++
	return h.f(i, r)
}

func (h *funcHandler) Bad(err *format.ParseError) error {
	if h.bad != nil {
		return h.bad(err)
	}
	return err
}

// rewrite runs the codec over in with h and returns the output.
func rewrite(in string, h format.Handler) (string, error) {
	var out bytes.Buffer
	err := Codec{}.Rewrite(context.Background(), strings.NewReader(in), &out, h, &format.Options{Name: "t.gpx"})
	return out.String(), err
}
