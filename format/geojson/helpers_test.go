package geojson

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// got is a copy of what a record said, for comparisons.
type got struct {
	Shape   geowarden.Shape
	Pos     geowarden.Point
	Lines   [][]geowarden.Point
	Areas   [][][]geowarden.Point
	Alt     float64
	HasAlt  bool
	Acc     float64
	HasAcc  bool
	Time    time.Time
	Kind    geowarden.Kind
	Source  string
	Signal  geowarden.Signal
	Ref     geowarden.Ref
	attrOf  map[string]string // filled for the names in handler.attrs
	missing []string
}

func (g got) String() string {
	return fmt.Sprintf("{%v pos=%v lines=%v areas=%v alt=%v/%v kind=%v src=%q time=%v sig=%+v ref=%+v attrs=%v}",
		g.Shape, g.Pos, g.Lines, g.Areas, g.Alt, g.HasAlt, g.Kind, g.Source, g.Time, g.Signal, g.Ref, g.attrOf)
}

func copyRecord(r *geowarden.Record, attrs []string) got {
	g := got{Shape: r.Shape, Pos: r.Pos, Alt: r.Alt, HasAlt: r.HasAlt, Acc: r.Accuracy, HasAcc: r.HasAccuracy,
		Time: r.Time, Kind: r.Kind, Source: r.Source, Signal: r.Signal, Ref: r.Ref}
	for _, l := range r.Lines {
		g.Lines = append(g.Lines, append([]geowarden.Point(nil), l...))
	}
	for _, a := range r.Areas {
		var rings [][]geowarden.Point
		for _, ring := range a {
			rings = append(rings, append([]geowarden.Point(nil), ring...))
		}
		g.Areas = append(g.Areas, rings)
	}
	for _, n := range attrs {
		if v, ok := r.Attrs.Attr(n); ok {
			if g.attrOf == nil {
				g.attrOf = map[string]string{}
			}
			g.attrOf[n] = v
		} else {
			g.missing = append(g.missing, n)
		}
	}
	return g
}

// handler records what it sees and answers with edit (Keep when nil). Bad
// returns the error unless badNil.
type handler struct {
	edit   func(i int, r *geowarden.Record) geowarden.Edit
	badNil bool
	attrs  []string
	recs   []got
	bad    []*format.ParseError
}

func (h *handler) Record(r *geowarden.Record) geowarden.Edit {
	if r.Attrs == nil {
		panic("nil Attrs")
	}
	h.recs = append(h.recs, copyRecord(r, h.attrs))
	if h.edit == nil {
		return geowarden.Keep
	}
	return h.edit(len(h.recs)-1, r)
}

func (h *handler) Bad(err *format.ParseError) error {
	h.bad = append(h.bad, err)
	if h.badNil {
		return nil
	}
	return err
}

// rewrite runs the codec over in, writing.
func rewrite(in string, h format.Handler, opts *format.Options) (string, error) {
	var out bytes.Buffer
	if opts == nil {
		opts = &format.Options{Name: "in"}
	}
	err := Codec{}.Rewrite(context.Background(), strings.NewReader(in), &out, h, opts)
	return out.String(), err
}

// scan runs the codec over in without a writer.
func scan(in string, h format.Handler) error {
	return Codec{}.Rewrite(context.Background(), strings.NewReader(in), nil, h, &format.Options{Name: "in"})
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

func pt(lon, lat float64) geowarden.Point { return geowarden.Point{Lon: lon, Lat: lat} }

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}
