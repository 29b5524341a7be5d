package kml

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// got is a copy of what a record said, for comparisons.
type got struct {
	Shape  geowarden.Shape
	Pos    geowarden.Point
	Lines  [][]geowarden.Point
	Areas  [][][]geowarden.Point
	Alt    float64
	HasAlt bool
	Time   string
	Kind   geowarden.Kind
	Source string
	Signal geowarden.Signal
	Ref    geowarden.Ref
	Attrs  map[string]string
}

func copyRecord(r *geowarden.Record, names []string) got {
	g := got{Shape: r.Shape, Pos: r.Pos, Alt: r.Alt, HasAlt: r.HasAlt, Kind: r.Kind, Source: r.Source, Signal: r.Signal, Ref: r.Ref}
	if !r.Time.IsZero() {
		g.Time = r.Time.UTC().Format("2006-01-02T15:04:05.999Z")
	}
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
	for _, n := range names {
		if v, ok := r.Attrs.Attr(n); ok {
			if g.Attrs == nil {
				g.Attrs = map[string]string{}
			}
			g.Attrs[n] = v
		}
	}
	return g
}

// handler records what it sees and answers with edit (Keep when nil). Bad
// returns the error unless badNil.
type handler struct {
	edit    func(i int, r *geowarden.Record) geowarden.Edit
	badNil  bool
	attrs   []string
	recs    []got
	bad     []*format.ParseError
	notices []format.Notice
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

func (h *handler) Notice(n *format.Notice) { h.notices = append(h.notices, *n) }

// rewrite runs the codec over in, writing.
func rewrite(in string, h format.Handler) (string, error) {
	var out bytes.Buffer
	err := Codec{}.Rewrite(context.Background(), strings.NewReader(in), &out, h, &format.Options{Name: "in"})
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
