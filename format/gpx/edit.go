package gpx

import (
	"slices"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// plan turns the edit of elems[i] into splices of the held point.
func (s *state) plan(i int, ed *geowarden.Edit) {
	p := &s.p
	for _, n := range ed.Strip {
		for _, name := range elemNames(n) {
			p.targets(i, name, func(j int) bool {
				s.remove(j)
				return true
			})
		}
	}
	for _, a := range ed.Set {
		for _, name := range elemNames(a.Name) {
			p.targets(i, name, func(j int) bool {
				s.setText(j, a.Value)
				return true
			})
		}
	}
	if ed.Move {
		e := &p.elems[i]
		s.replace(e.lat[0], e.lat[1], format.AppendCoord(p.rep, ed.Pos.Lat))
		s.replace(e.lon[0], e.lon[1], format.AppendCoord(p.rep, ed.Pos.Lon))
	}
	if ed.Retime {
		if c := p.child(i, "time"); c >= 0 {
			s.setContent(c, ed.Time.UTC().AppendFormat(p.rep, time.RFC3339Nano))
		}
	}
}

// replace splices buf[from:to] with rep, which the caller appended to
// p.rep (rep is p.rep itself, extended).
func (s *state) replace(from, to int, rep []byte) {
	p := &s.p
	rs := len(p.rep)
	p.rep = rep
	p.spl = append(p.spl, splice{s: from, e: to, rs: rs, re: len(p.rep)})
}

// remove takes elems[j] out, with the white space before it.
func (s *state) remove(j int) {
	e := &s.p.elems[j]
	s.replace(e.ws, e.end, s.p.rep)
}

// setText replaces the text of elems[j] (the href of a <link>) with v.
func (s *state) setText(j int, v string) {
	p := &s.p
	e := &p.elems[j]
	if e.href[0] >= 0 && string(p.local(j)) == "link" {
		esc := s.cs.appendEscaped(p.rep, v, true)
		s.replace(e.href[0], e.href[1], esc)
		return
	}
	s.setContent(j, s.cs.appendEscaped(p.rep, v, false))
}

// setContent replaces the content of elems[j] with rep (appended to
// p.rep), turning <x/> into <x>rep</x>.
func (s *state) setContent(j int, rep []byte) {
	p := &s.p
	e := &p.elems[j]
	if !e.empty {
		s.replace(e.cs, e.ce, rep)
		return
	}
	// <x .../>: rebuild as <x ...>rep</x>.
	v := append([]byte(nil), rep[len(p.rep):]...)
	tag := p.buf[e.start:e.end]
	out := append(p.rep, tag[:len(tag)-2]...)
	out = append(out, '>')
	out = append(out, v...)
	out = append(out, "</"...)
	out = append(out, p.name(j)...)
	out = append(out, '>')
	s.replace(e.start, e.end, out)
}

// apply returns the held point with its splices applied.
func (s *state) apply() []byte {
	p := &s.p
	if len(p.spl) == 0 {
		return p.buf
	}
	slices.SortStableFunc(p.spl, func(a, b splice) int {
		if a.s != b.s {
			return a.s - b.s
		}
		return b.e - a.e
	})
	out := p.outb[:0]
	last := 0
	for _, sp := range p.spl {
		if sp.s < last {
			// Inside a part already replaced; a removal that reaches
			// past it (an element whose white space a redaction took
			// part of) still removes the rest.
			if sp.rs == sp.re && sp.e > last {
				last = sp.e
			}
			continue
		}
		out = append(out, p.buf[last:sp.s]...)
		out = append(out, p.rep[sp.rs:sp.re]...)
		last = sp.e
	}
	out = append(out, p.buf[last:]...)
	p.outb = out
	return out
}
