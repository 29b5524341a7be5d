package protojson

import (
	"math"
	"strconv"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// A Pair is a latitude and a longitude named alike: the indexes (of
// members, of query parameters) that hold them.
type Pair struct {
	Lat, Lon int
	// E7: the values are in units of 1e-7 degrees (latitudeE7).
	E7 bool
}

// Pairs appends to dst the coordinate pairs among n names: a name that
// format.ParseCoordName reads as a latitude and one it reads as a
// longitude with the same key make a pair, in the order their latitudes
// come. A key with more than one latitude or longitude, or with only one
// of them, makes none. name returns the i-th name; names for which skip
// returns true are left out.
func Pairs(n int, name func(i int) []byte, skip func(i int) bool, dst []Pair) []Pair {
	type coord struct {
		i  int
		cn format.CoordName
	}
	var found []coord
	for i := range n {
		if skip != nil && skip(i) {
			continue
		}
		nm := name(i)
		if !MayBeCoordName(nm) {
			continue
		}
		if cn, ok := format.ParseCoordName(string(nm)); ok {
			found = append(found, coord{i, cn})
		}
	}
	for _, c := range found {
		if c.cn.Axis != format.RoleLat {
			continue
		}
		lat, lon := 0, -1
		for _, o := range found {
			if o.cn.Key != c.cn.Key {
				continue
			}
			if o.cn.Axis == format.RoleLat {
				lat++
			} else {
				if lon >= 0 {
					lon = -2
					break
				}
				lon = o.i
			}
		}
		if lat == 1 && lon >= 0 {
			dst = append(dst, Pair{Lat: c.i, Lon: lon, E7: c.cn.E7})
		}
	}
	return dst
}

// MayBeCoordName is a cheap test, before format.ParseCoordName, that a
// name could name a coordinate: it is x or y, or holds "la", "lo" or "ln"
// in any case.
func MayBeCoordName(name []byte) bool {
	if len(name) == 1 {
		return name[0]|0x20 == 'x' || name[0]|0x20 == 'y'
	}
	for i := 0; i+1 < len(name); i++ {
		if name[i]|0x20 == 'l' {
			switch name[i+1] | 0x20 {
			case 'a', 'o', 'n':
				return true
			}
		}
	}
	return false
}

// A Position is a coordinate pair of a document: the nodes of its latitude
// and longitude, and the position they give.
type Position struct {
	Lat, Lon int
	E7       bool
	Pos      geowarden.Point
}

// Positions appends to dst the coordinate pairs among the members of every
// object within root (root included; Pairs) whose values read as a WGS-84
// position (Coord); members for which skip returns true are left out.
// Pairs whose values are not numbers, or out of range, are not positions
// and are left out too.
func (d *Doc) Positions(dst []Position, root int, skip func(member int) bool) []Position {
	var kids []int
	var pairs []Pair
	for n, end := root, d.End(root); n < end; n++ {
		if d.Nodes[n].Kind != Object || d.Nodes[n].Len < 2 {
			continue
		}
		kids = d.Children(n, kids[:0])
		var kbuf []byte
		name := func(i int) []byte {
			kbuf = d.Key(kids[i], kbuf)
			return kbuf
		}
		var sk func(int) bool
		if skip != nil {
			sk = func(i int) bool { return skip(kids[i]) }
		}
		pairs = Pairs(len(kids), name, sk, pairs[:0])
		for _, p := range pairs {
			lat, ok1 := d.Coord(kids[p.Lat])
			lon, ok2 := d.Coord(kids[p.Lon])
			if !ok1 || !ok2 {
				continue
			}
			if p.E7 {
				lat, lon = lat/1e7, lon/1e7
			}
			if format.CheckPoint(lon, lat) != nil {
				continue
			}
			dst = append(dst, Position{Lat: kids[p.Lat], Lon: kids[p.Lon], E7: p.E7, Pos: geowarden.Point{Lon: lon, Lat: lat}})
		}
	}
	return dst
}

// Coord reads node n as a coordinate: a number, or a string that holds one
// decimal number (format.ParseDecimal).
func (d *Doc) Coord(n int) (float64, bool) {
	switch d.Nodes[n].Kind {
	case Number:
		return d.Float(n)
	case String:
		return format.ParseDecimal(d.Text(n, nil))
	}
	return 0, false
}

// CoordSplice returns the splice that writes v in place of the coordinate
// at node n, as the node was written: a number or a string, in degrees or,
// when e7, in integer units of 1e-7 degrees.
func (d *Doc) CoordSplice(n int, v float64, e7 bool) Splice {
	var b []byte
	if e7 {
		b = strconv.AppendInt(nil, int64(math.Round(v*1e7)), 10)
	} else {
		b = format.AppendCoord(nil, v)
	}
	if d.Nodes[n].Kind == String {
		b = append(append([]byte{'"'}, b...), '"')
	}
	return Splice{Start: d.Nodes[n].Start, End: d.Nodes[n].End, With: b}
}

// Path names node n for messages and Record.Text fields: member names
// joined by dots, element indexes in brackets ("items[2].position.latitude").
func (d *Doc) Path(n int) string { return d.PathFrom(0, n) }

// PathFrom is Path relative to root, an ancestor of n.
func (d *Doc) PathFrom(root, n int) string {
	var parts []string
	for n > root {
		nd := &d.Nodes[n]
		if nd.KeyStart >= 0 {
			parts = append(parts, "."+string(d.Key(n, nil)))
		} else {
			parts = append(parts, "["+strconv.Itoa(d.Index(n))+"]")
		}
		n = nd.Parent
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	return strings.TrimPrefix(b.String(), ".")
}
