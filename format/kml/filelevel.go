package kml

import (
	"fmt"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// isFileElement reports whether an element of code c outside any feature
// is read for positions that belong to the file rather than to a record:
// the LookAt, Camera and Region of a Document, Folder, ScreenOverlay or
// gx:Tour step (and a stray LatLonBox, LatLonAltBox or gx:LatLonQuad),
// and the free text of a Document or Folder (name, description,
// Snippet, address, ExtendedData, a shared Style's BalloonStyle).
func isFileElement(c code) bool {
	switch c {
	case cLookAt, cCamera, cRegion, cLatLonBox, cLatLonAltBox, cLatLonQuad,
		cName, cDescription, cSnippet, cAddress, cExtendedData, cBalloonStyle:
		return true
	}
	return false
}

// initActs prepares the actions of the captured element's nodes.
func (rw *rewriter) initActs() {
	rs := &rw.rec
	rs.acts = slices.Grow(rs.acts[:0], len(rw.f.nodes))[:len(rw.f.nodes)]
	clear(rs.acts)
	rs.repl, rs.strip, rs.set = rs.repl[:0], rs.strip[:0], rs.set[:0]
}

// fileElements handles a captured element outside features (a file
// element, or a NetworkLink, whose own positions and text are file
// positions too): each view and each text that holds a position is a
// record of its own, Kind KindFeature, Ref.Feature -1. Its Drop removes
// the element, Move rewrites it, Redact removes the positions from its
// text, Strip and Set act on the values it holds.
func (rw *rewriter) fileElements() error {
	f := &rw.f
	rs := &rw.rec
	rw.initActs()
	if k := rw.hiding(); k >= 0 {
		// Not KML, and what it holds would not be read: refused.
		a := f.base + int64(f.nodes[k].start)
		line, col := rw.s.where(a)
		pe := &format.ParseError{File: rw.name, Line: line, Column: col, Offset: a,
			Err: &kmlError{kind: ErrInvalid, msg: fmt.Sprintf("<%s> inside <%s>", truncate(f.qname(k), 40), truncate(f.qname(0), 40))}}
		if err := rw.h.Bad(pe); err != nil {
			return err
		}
		rw.reportHrefs(true)
		return nil
	}
	if f.nodes[0].code == cNetworkLink {
		rs.attrs.collect(f, 0, rw.latin1)
		for k := int32(1); int(k) < len(f.nodes); {
			n := &f.nodes[k]
			if !isFileElement(n.code) || n.code == cName && n.parent != 0 {
				k++
				continue
			}
			if err := rw.fileRecord(k); err != nil {
				return err
			}
			end := n.end
			for int(k) < len(f.nodes) && f.nodes[k].start < end {
				k++
			}
		}
	} else {
		rs.attrs.collectElem(f, 0, rw.latin1)
		if err := rw.fileRecord(0); err != nil {
			return err
		}
	}
	rw.reportHrefs(false)
	rw.writeFeature()
	return nil
}

// hiding returns an element inside the captured file element that holds
// positions where they would not be read (a feature or geometry anywhere
// in it, a view or box other than a NetworkLink's own views and a
// Region's LatLonAltBox), or -1.
func (rw *rewriter) hiding() int32 {
	f := &rw.f
	for k := int32(1); int(k) < len(f.nodes); k++ {
		n := &f.nodes[k]
		switch {
		case isFeature(n.code) || isGeometry(n.code):
			return k
		case isView(n.code) || n.code == cLatLonBox || n.code == cLatLonQuad:
			if n.parent != 0 || f.nodes[0].code != cNetworkLink {
				return k
			}
		case n.code == cLatLonAltBox:
			if f.nodes[n.parent].code != cRegion {
				return k
			}
		}
	}
	return -1
}

// collectElem gathers the values of a file element root as attributes:
// the element itself when it is a text, the values of an ExtendedData.
func (a *attrs) collectElem(f *feature, root int32, latin1 bool) {
	a.f, a.latin1 = f, latin1
	a.entries, a.arena, a.vals = a.entries[:0], a.arena[:0], a.vals[:0]
	a.track, a.point, a.arrs, a.indexed = -1, -1, nil, false
	switch f.nodes[root].code {
	case cName, cDescription, cSnippet, cAddress:
		a.entries = append(a.entries, entry{kind: eDirect, name: localName(f.qname(root)), elem: root, val: root})
	case cExtendedData:
		a.extended(root, -1)
	}
	a.nBase = len(a.entries)
}

// fileRecord reads the file element k and calls the handler for it, when
// it holds a position.
func (rw *rewriter) fileRecord(k int32) error {
	f := &rw.f
	rs := &rw.rec
	rec := &rs.rec
	rs.more, rs.views, rs.texts, rs.tnodes = rs.more[:0], rs.views[:0], rs.texts[:0], rs.tnodes[:0]
	*rec = geowarden.Record{Lines: rec.Lines[:0], Areas: rec.Areas[:0]}
	c := f.nodes[k].code
	switch c {
	case cName, cDescription, cSnippet, cAddress:
		rw.scanText(k, localName(f.qname(k)))
	case cExtendedData:
		for i := 0; i < rs.attrs.nBase; i++ {
			if e := &rs.attrs.entries[i]; e.val > k && f.nodes[e.val].start < f.nodes[k].end {
				rw.scanText(e.val, e.name)
			}
		}
	case cBalloonStyle:
		rw.balloonTexts(k)
	default:
		if bad := rw.readView(k); bad != nil {
			a := f.base + int64(f.nodes[bad.node].start)
			if bad.at >= 0 {
				a = f.base + int64(f.nodes[bad.node].open) + int64(bad.at)
			}
			line, col := rw.s.where(a)
			pe := &format.ParseError{File: rw.name, Line: line, Column: col, Offset: a,
				Err: &kmlError{kind: bad.err.kind, msg: fmt.Sprintf("<%s>: %s", truncate(f.qname(k), 40), bad.err.msg)}}
			if err := rw.h.Bad(pe); err != nil {
				return err
			}
			rw.remove(k)
			return nil
		}
	}
	if len(rs.more) == 0 && len(rs.texts) == 0 {
		return nil
	}
	a := f.base + int64(f.nodes[k].start)
	line, _ := rw.s.where(a)
	rec.Ref = geowarden.Ref{File: rw.name, Line: line, Offset: a, Feature: -1}
	rec.Kind = geowarden.KindFeature
	rec.Attrs = &rs.attrs
	point := (c == cLookAt || c == cCamera) && len(rs.more) == 1
	switch {
	case point:
		rec.Shape, rec.Pos = geowarden.ShapePoint, rs.more[0]
	case len(rs.more) > 0:
		rec.More = rs.more
	}
	rec.Text = rs.texts
	ed := rw.h.Record(rec)
	if ed.Drop {
		rw.remove(k)
		return nil
	}
	if ed.Move {
		switch {
		case point:
			rw.moveView(&rs.views[0], []geowarden.Point{ed.Pos})
		case len(ed.More) > 0 && len(ed.More) == len(rs.more):
			for i := range rs.views {
				v := &rs.views[i]
				rw.moveView(v, ed.More[v.at:v.at+v.n])
			}
		}
	}
	rw.redact(0, ed.Redact)
	rs.strip, rs.set = rs.strip[:0], rs.set[:0]
	rw.union(&ed)
	rw.attrEdits()
	return nil
}
