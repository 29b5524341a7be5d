package protojson

import (
	"fmt"
	"slices"

	"github.com/geowarden/geowarden"
)

// An Editor collects the changes to a document: values replaced, members
// and elements removed. Replacements inside a removed node are left out.
type Editor struct {
	d       *Doc
	sp      []Splice
	removed map[int]bool
	edited  map[int]bool
}

// NewEditor returns an editor of d.
func NewEditor(d *Doc) *Editor { return &Editor{d: d} }

// Replace writes with in place of node n's bytes.
func (e *Editor) Replace(n int, with []byte) {
	e.sp = append(e.sp, Splice{Start: e.d.Nodes[n].Start, End: e.d.Nodes[n].End, With: with})
	if e.edited == nil {
		e.edited = map[int]bool{}
	}
	e.edited[n] = true
}

// Coord writes v in place of the coordinate at node n (CoordSplice).
func (e *Editor) Coord(n int, v float64, e7 bool) {
	e.Replace(n, e.d.CoordSplice(n, v, e7).With)
}

// Edited reports whether node n was replaced.
func (e *Editor) Edited(n int) bool { return e.edited[n] }

// Splice adds a raw change.
func (e *Editor) Splice(s Splice) { e.sp = append(e.sp, s) }

// Remove removes node n (a member with its name, or an element) from its
// parent.
func (e *Editor) Remove(n int) {
	if e.removed == nil {
		e.removed = map[int]bool{}
	}
	e.removed[n] = true
}

// Removed reports whether n or one of its ancestors is removed.
func (e *Editor) Removed(n int) bool {
	for ; n >= 0; n = e.d.Nodes[n].Parent {
		if e.removed[n] {
			return true
		}
	}
	return false
}

// Bytes returns the edited document.
func (e *Editor) Bytes() ([]byte, error) {
	cuts := e.d.removals(e.removed)
	slices.SortFunc(cuts, func(a, b Splice) int { return a.Start - b.Start })
	sp := make([]Splice, 0, len(e.sp)+len(cuts))
	for _, s := range e.sp {
		// The cuts do not overlap: only the last one that starts before
		// s ends can hold it.
		k, _ := slices.BinarySearchFunc(cuts, s.End, func(c Splice, end int) int {
			if c.Start < end {
				return -1
			}
			return 1
		})
		if k > 0 {
			if c := cuts[k-1]; s.Start < c.End && s.End > c.Start || s.Start == s.End && s.Start > c.Start && s.Start < c.End {
				continue
			}
		}
		sp = append(sp, s)
	}
	return Apply(e.d.Src, append(sp, cuts...))
}

// removals returns the cuts that remove the nodes rm (and nothing inside
// a removed node twice), with the commas between what is left right: a
// run of removed siblings goes with the comma before it, or, at the start,
// with the comma after it.
func (d *Doc) removals(rm map[int]bool) []Splice {
	top := map[int]bool{}
	var order []int
	for n := range rm {
		inner := false
		for p := d.Nodes[n].Parent; p >= 0; p = d.Nodes[p].Parent {
			if rm[p] {
				inner = true
				break
			}
		}
		if !inner && d.Nodes[n].Parent >= 0 {
			top[n] = true
			order = append(order, n)
		}
	}
	slices.Sort(order)
	var cuts []Splice
	parents := map[int]bool{}
	for _, n := range order {
		p := d.Nodes[n].Parent
		if parents[p] {
			continue
		}
		parents[p] = true
		lastKept := -1
		for c := d.Nodes[p].First; c >= 0; {
			if !top[c] {
				lastKept = c
				c = d.Nodes[c].Next
				continue
			}
			first, last := c, c
			for c = d.Nodes[c].Next; c >= 0 && top[c]; c = d.Nodes[c].Next {
				last = c
			}
			switch {
			case lastKept >= 0:
				cuts = append(cuts, Splice{Start: d.Nodes[lastKept].End, End: d.Nodes[last].End})
			case c >= 0:
				cuts = append(cuts, Splice{Start: d.start(first), End: d.start(c)})
			default:
				cuts = append(cuts, Splice{Start: d.start(first), End: d.Nodes[last].End})
			}
		}
	}
	return cuts
}

// Move writes a moved record's positions: pos into the coordinate nodes
// lat and lon (when lat is not -1), and moreTo, when not empty, into the
// pairs of more, one for one.
func (e *Editor) Move(lat, lon int, pos geowarden.Point, more []Position, moreTo []geowarden.Point) error {
	if len(moreTo) > 0 && len(moreTo) != len(more) {
		return fmt.Errorf("the edit moves %d other positions, the message has %d", len(moreTo), len(more))
	}
	if lat >= 0 {
		e.Coord(lat, pos.Lat, false)
		e.Coord(lon, pos.Lon, false)
	}
	for k, p := range more {
		if k < len(moreTo) {
			e.Coord(p.Lat, moreTo[k].Lat, p.E7)
			e.Coord(p.Lon, moreTo[k].Lon, p.E7)
		}
	}
	return nil
}
