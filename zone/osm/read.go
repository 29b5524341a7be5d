package osm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/paulmach/osm"
)

// MaxNodes caps the number of distinct nodes the selected ways and
// relations of a PBF file may use (16 bytes each, plus 8 for the id,
// while reading).
const MaxNodes = 200_000_000

// MaxXMLNodes caps the number of nodes of an XML file, all of whose
// positions are kept while reading (24 bytes each): larger extracts should
// be PBF.
const MaxXMLNodes = 50_000_000

// Reader reads zones from an OSM file.
type Reader struct {
	// Selections choose the elements; an element that several select
	// takes the first one's class and buffer.
	Selections []Selection
	// Warn is called for each element that is selected but left out (a
	// multipolygon whose rings do not close, a way whose nodes are
	// missing from the file, a relation that is not a multipolygon) and
	// each one that is changed to become a valid zone (a ring that
	// crosses itself). Each is a *Problem. When Warn is nil, Read returns
	// them together in a *ProblemsError, with the set.
	Warn func(*Problem)
	// Procs is the number of goroutines that decode PBF blocks; 0 means
	// up to 4.
	Procs int
}

// Problem is something wrong with one OSM element.
type Problem struct {
	File    string
	Type    osm.Type // node, way or relation
	ID      int64
	Msg     string
	LeftOut bool // the element is not in the set
}

func (p *Problem) Error() string {
	s := fmt.Sprintf("osm: %s: %s %d: %s", p.File, p.Type, p.ID, p.Msg)
	if p.LeftOut {
		s += "; left out"
	}
	return s
}

// ProblemsError is returned by Read, together with the set, when elements
// were left out or changed and Reader.Warn is nil.
type ProblemsError struct {
	Problems []*Problem
}

func (e *ProblemsError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Error()
	}
	return fmt.Sprintf("%v (and %d more problems)", e.Problems[0], len(e.Problems)-1)
}

// Read reads the zones that sels select from the OSM file at path (PBF,
// XML, or XML compressed with bzip2 or gzip), as a set with id setID.
// When elements were left out or changed, it returns the set of the
// others together with a *ProblemsError listing them.
func Read(ctx context.Context, path string, setID string, sels []Selection) (*zone.Set, error) {
	return (&Reader{Selections: sels}).Read(ctx, path, setID)
}

// wayRec is what is kept of a way between the passes.
type wayRec struct {
	nodes []osm.NodeID
	locs  []geowarden.Point // coordinates stored on the way (PBF LocationsOnWays), else nil
	sel   int               // selection, or -1 for a way that is only a relation's member
	value string            // the selected tag's value
	area  bool
	name  string
}

type relRec struct {
	id      osm.RelationID
	sel     int
	value   string
	name    string
	members []osm.Member
}

type nodeRec struct {
	id    osm.NodeID
	pt    geowarden.Point
	sel   int
	value string
	name  string
}

type reading struct {
	*Reader
	open     opener
	path     string
	setID    string
	problems []*Problem
}

func (rd *reading) problem(t osm.Type, id int64, leftOut bool, format string, args ...any) {
	p := &Problem{File: rd.path, Type: t, ID: id, Msg: fmt.Sprintf(format, args...), LeftOut: leftOut}
	if rd.Warn != nil {
		rd.Warn(p)
		return
	}
	rd.problems = append(rd.problems, p)
}

// match returns the first selection that selects tags, and the value.
func (rd *reading) match(tags osm.Tags) (int, string) {
	if len(tags) == 0 {
		return -1, ""
	}
	for i := range rd.Selections {
		if v, ok := rd.Selections[i].matches(tags); ok {
			return i, v
		}
	}
	return -1, ""
}

func name(tags osm.Tags) string {
	if n := tags.Find("name"); n != "" {
		return n
	}
	return tags.Find("name:en")
}

// Read reads the zones; see the package function Read.
func (r *Reader) Read(ctx context.Context, path string, setID string) (*zone.Set, error) {
	return r.read(ctx, path, setID, fileOpener(path))
}

// read reads the file that open opens; path names it.
func (r *Reader) read(ctx context.Context, path string, setID string, open opener) (*zone.Set, error) {
	if len(r.Selections) == 0 {
		return nil, fmt.Errorf("osm: %s: no selection (select elements by tag, e.g. railway=rail)", path)
	}
	for _, s := range r.Selections {
		if err := s.Validate(); err != nil {
			return nil, err
		}
	}
	rd := &reading{Reader: r, open: open, path: path, setID: setID}
	src, err := openFrom(path, open)
	if err != nil {
		return nil, err
	}
	src.Close()
	enc := src.enc
	var c *collected
	switch enc {
	case PBF:
		c, err = rd.collectPBF(ctx)
	case XML:
		c, err = rd.collectXML(ctx)
	}
	if err != nil {
		return nil, err
	}
	rels, ways, nodes, lookup := c.rels, c.ways, c.nodes, c.lookup

	set := &zone.Set{ID: setID}
	slices.SortFunc(nodes, func(a, b nodeRec) int { return cmp.Compare(int64(a.id), int64(b.id)) })
	for _, n := range nodes {
		z := rd.newZone("node", int64(n.id), n.sel, n.value, n.name, KindPoint)
		z.Points = []geowarden.Point{n.pt}
		rd.add(set, osm.TypeNode, int64(n.id), z)
	}
	wayIDs := make([]osm.WayID, 0, len(ways))
	for id, w := range ways {
		if w.sel >= 0 {
			wayIDs = append(wayIDs, id)
		}
	}
	slices.Sort(wayIDs)
	for _, id := range wayIDs {
		w := ways[id]
		pts, missing := w.points(lookup)
		if missing > 0 {
			rd.problem(osm.TypeWay, int64(id), false, "%d of its %d nodes are missing from the file; made of the others", missing, len(w.nodes))
		}
		if w.area {
			z := rd.newZone("way", int64(id), w.sel, w.value, w.name, KindArea)
			ring, msg := fixRing(pts)
			if ring == nil {
				rd.problem(osm.TypeWay, int64(id), true, "area %s", msg)
				continue
			}
			if msg != "" {
				rd.problem(osm.TypeWay, int64(id), false, "area %s", msg)
			}
			z.Polygons = [][][]geowarden.Point{{ring}}
			rd.add(set, osm.TypeWay, int64(id), z)
			continue
		}
		z := rd.newZone("way", int64(id), w.sel, w.value, w.name, KindLine)
		line := dedup(pts)
		if len(line) < 2 {
			rd.problem(osm.TypeWay, int64(id), true, "line has %d distinct positions; a line needs 2", len(line))
			continue
		}
		z.Lines = [][]geowarden.Point{line}
		rd.add(set, osm.TypeWay, int64(id), z)
	}
	slices.SortFunc(rels, func(a, b *relRec) int { return cmp.Compare(int64(a.id), int64(b.id)) })
	for _, rel := range rels {
		polys := rd.assemble(rel, ways, lookup)
		if len(polys) == 0 {
			continue
		}
		z := rd.newZone("relation", int64(rel.id), rel.sel, rel.value, rel.name, KindArea)
		z.Polygons = polys
		rd.add(set, osm.TypeRelation, int64(rel.id), z)
	}
	if err := set.Validate(); err != nil {
		// Every zone was validated as it was made: this is a bug.
		return nil, fmt.Errorf("osm: %s: internal error: invalid zone set: %w", path, err)
	}
	if len(rd.problems) > 0 {
		return set, &ProblemsError{Problems: rd.problems}
	}
	return set, nil
}

func compact(ids []osm.NodeID) []osm.NodeID {
	slices.Sort(ids)
	return slices.Clip(slices.Compact(ids))
}

func checkPoint(p geowarden.Point) error {
	if math.IsNaN(p.Lon) || math.IsNaN(p.Lat) || math.IsInf(p.Lon, 0) || math.IsInf(p.Lat, 0) {
		return errors.New("coordinates are not finite numbers")
	}
	if p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
		return fmt.Errorf("coordinates lon %v, lat %v are out of range", p.Lon, p.Lat)
	}
	return nil
}

// positions returns the positions of the way's nodes, NaN for a node
// that is not in the file (or whose position is invalid).
func (w *wayRec) positions(lookup func(osm.NodeID) (geowarden.Point, bool)) []geowarden.Point {
	nan := math.NaN()
	pts := make([]geowarden.Point, len(w.nodes))
	for i, id := range w.nodes {
		p, ok := geowarden.Point{}, false
		if w.locs != nil {
			p = w.locs[i]
			ok = checkPoint(p) == nil
		} else {
			p, ok = lookup(id)
		}
		if !ok {
			p = geowarden.Point{Lon: nan, Lat: nan}
		}
		pts[i] = p
	}
	return pts
}

// points returns the way's positions, leaving out nodes that are not in
// the file, and how many those were.
func (w *wayRec) points(lookup func(osm.NodeID) (geowarden.Point, bool)) ([]geowarden.Point, int) {
	all := w.positions(lookup)
	pts := all[:0]
	for _, p := range all {
		if !math.IsNaN(p.Lon) {
			pts = append(pts, p)
		}
	}
	return pts, len(w.nodes) - len(pts)
}

func (rd *reading) newZone(typ string, id int64, sel int, value, nm string, kind Kind) *zone.Zone {
	s := &rd.Selections[sel]
	z := &zone.Zone{
		ID:      "osm-" + typ + "-" + strconv.FormatInt(id, 10),
		Name:    nm,
		Class:   s.Class,
		Set:     rd.setID,
		BufferM: s.BufferM,
	}
	if z.Name == "" {
		z.Name = z.ID
	}
	if z.Class == "" {
		z.Class = DefaultClass(s.Key, value)
	}
	if z.BufferM == 0 {
		z.BufferM = DefaultBuffer(s.Key, kind)
	}
	switch kind {
	case KindPoint:
		z.Geometry = zone.Circle
	case KindLine:
		z.Geometry = zone.Corridor
	default:
		z.Geometry = zone.Area
	}
	return z
}

func (rd *reading) add(set *zone.Set, t osm.Type, id int64, z *zone.Zone) {
	if err := z.Validate(); err != nil {
		rd.problem(t, id, true, "%v", err)
		return
	}
	set.Zones = append(set.Zones, z)
}

// collected is what the reading of a file keeps for making zones.
type collected struct {
	rels   []*relRec
	ways   map[osm.WayID]*wayRec // selected ways and members of selected relations
	nodes  []nodeRec             // selected nodes
	lookup func(osm.NodeID) (geowarden.Point, bool)
}

// relation returns what is kept of a selected relation, or nil (after
// reporting why) when it cannot be an area.
func (rd *reading) relation(rel *osm.Relation, s int, v string) *relRec {
	switch t := rel.Tags.Find("type"); t {
	case "multipolygon", "boundary":
	default:
		rd.problem(osm.TypeRelation, int64(rel.ID), true, "%s selects it, but a relation of type %q is not an area (only multipolygon and boundary relations are)", rd.Selections[s].String(), t)
		return nil
	}
	rr := &relRec{id: rel.ID, sel: s, value: v, name: name(rel.Tags)}
	for _, m := range rel.Members {
		switch m.Type {
		case osm.TypeWay:
			rr.members = append(rr.members, osm.Member{Type: m.Type, Ref: m.Ref, Role: m.Role})
		case osm.TypeRelation:
			if m.Role == "outer" || m.Role == "inner" {
				rd.problem(osm.TypeRelation, int64(rel.ID), false, "member relation %d (role %s) is not used: a multipolygon's rings are ways", m.Ref, m.Role)
			}
		}
	}
	return rr
}

// way returns what is kept of a way that is selected (s >= 0) or a member
// of a selected relation.
func (rd *reading) way(w *osm.Way, s int, v string) *wayRec {
	wr := &wayRec{sel: s, value: v, nodes: make([]osm.NodeID, len(w.Nodes))}
	locs := len(w.Nodes) > 0 && w.Nodes[0].Version == -1 // set by the PBF decoder
	if locs {
		wr.locs = make([]geowarden.Point, len(w.Nodes))
	}
	for i, n := range w.Nodes {
		wr.nodes[i] = n.ID
		if locs {
			wr.locs[i] = geowarden.Point{Lon: n.Lon, Lat: n.Lat}
		}
	}
	if s >= 0 {
		wr.name = name(w.Tags)
		// Ways selected by railway are lines unless tagged area=yes;
		// others follow the Overpass/osmtogeojson area rules.
		if rd.Selections[s].Key == "railway" {
			wr.area = w.Tags.Find("area") == "yes" && w.Polygon()
		} else {
			wr.area = w.Polygon()
		}
	}
	return wr
}

func (rd *reading) tooManyNodes() error {
	return fmt.Errorf("osm: %s: the selected ways use more than %d nodes; select fewer elements or split the extract", rd.path, MaxNodes)
}

// collectPBF reads a PBF file in three passes: relations, then ways
// (keeping the selected ones and the members of selected relations), then
// nodes (keeping the positions of the nodes those ways use, and the
// selected nodes). Memory is bounded by the selected elements, not by the
// size of the file.
func (rd *reading) collectPBF(ctx context.Context) (*collected, error) {
	c := &collected{ways: map[osm.WayID]*wayRec{}}
	memberWays := map[osm.WayID]bool{}
	err := rd.scan(ctx, rd.path, pass{relations: true, relation: func(rel *osm.Relation) bool {
		s, _ := rd.match(rel.Tags)
		return s >= 0
	}}, func(o osm.Object) error {
		rel := o.(*osm.Relation)
		s, v := rd.match(rel.Tags)
		if rr := rd.relation(rel, s, v); rr != nil {
			for _, m := range rr.members {
				memberWays[osm.WayID(m.Ref)] = true
			}
			c.rels = append(c.rels, rr)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	var needed []osm.NodeID
	err = rd.scan(ctx, rd.path, pass{ways: true, way: func(w *osm.Way) bool {
		if memberWays[w.ID] {
			return true
		}
		s, _ := rd.match(w.Tags)
		return s >= 0
	}}, func(o osm.Object) error {
		w := o.(*osm.Way)
		s, v := rd.match(w.Tags)
		if s < 0 && !memberWays[w.ID] {
			return nil
		}
		if _, dup := c.ways[w.ID]; dup {
			return fmt.Errorf("osm: %s: way %d appears twice (a history file?)", rd.path, w.ID)
		}
		wr := rd.way(w, s, v)
		c.ways[w.ID] = wr
		if wr.locs == nil {
			needed = append(needed, wr.nodes...)
		}
		if len(needed) > 2*MaxNodes {
			needed = compact(needed)
		}
		if len(needed) > MaxNodes {
			return rd.tooManyNodes()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	needed = compact(needed)
	if len(needed) > MaxNodes {
		return nil, rd.tooManyNodes()
	}

	coords := make([]geowarden.Point, len(needed))
	nan := math.NaN()
	for i := range coords {
		coords[i] = geowarden.Point{Lon: nan, Lat: nan}
	}
	err = rd.scan(ctx, rd.path, pass{nodes: true, node: func(n *osm.Node) bool {
		if _, ok := slices.BinarySearch(needed, n.ID); ok {
			return true
		}
		s, _ := rd.match(n.Tags)
		return s >= 0
	}}, func(o osm.Object) error {
		n := o.(*osm.Node)
		pt := geowarden.Point{Lon: n.Lon, Lat: n.Lat}
		if err := checkPoint(pt); err != nil {
			rd.problem(osm.TypeNode, int64(n.ID), true, "%v", err)
			return nil
		}
		if i, ok := slices.BinarySearch(needed, n.ID); ok {
			coords[i] = pt
		}
		if s, v := rd.match(n.Tags); s >= 0 {
			c.nodes = append(c.nodes, nodeRec{id: n.ID, pt: pt, sel: s, value: v, name: name(n.Tags)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.lookup = func(id osm.NodeID) (geowarden.Point, bool) {
		i, ok := slices.BinarySearch(needed, id)
		if !ok || math.IsNaN(coords[i].Lon) {
			return geowarden.Point{}, false
		}
		return coords[i], true
	}
	return c, nil
}

// collectXML reads an XML file in one pass, since parsing XML costs far
// more than keeping what it holds: it keeps every node's position (24
// bytes a node), every way's node list, and the selected relations, then
// drops the ways that no selection uses.
func (rd *reading) collectXML(ctx context.Context) (*collected, error) {
	c := &collected{ways: map[osm.WayID]*wayRec{}}
	var ids []osm.NodeID
	var pts []geowarden.Point
	sorted := true
	err := rd.scan(ctx, rd.path, pass{nodes: true, ways: true, relations: true}, func(o osm.Object) error {
		switch e := o.(type) {
		case *osm.Node:
			if len(e.Tags) > MaxTags {
				rd.problem(osm.TypeNode, int64(e.ID), true, "%d tags; at most %d", len(e.Tags), MaxTags)
				return nil
			}
			pt := geowarden.Point{Lon: e.Lon, Lat: e.Lat}
			if err := checkPoint(pt); err != nil {
				rd.problem(osm.TypeNode, int64(e.ID), true, "%v", err)
				return nil
			}
			if n := len(ids); n > 0 && ids[n-1] >= e.ID {
				sorted = false
			}
			if len(ids) >= MaxXMLNodes {
				return fmt.Errorf("osm: %s: more than %d nodes in an XML file; convert it to PBF (osmium cat %s -o x.osm.pbf)", rd.path, MaxXMLNodes, rd.path)
			}
			ids, pts = append(ids, e.ID), append(pts, pt)
			if s, v := rd.match(e.Tags); s >= 0 {
				c.nodes = append(c.nodes, nodeRec{id: e.ID, pt: pt, sel: s, value: v, name: name(e.Tags)})
			}
		case *osm.Way:
			if len(e.Tags) > MaxTags {
				rd.problem(osm.TypeWay, int64(e.ID), true, "%d tags; at most %d", len(e.Tags), MaxTags)
				return nil
			}
			if len(e.Nodes) > MaxWayNodes {
				rd.problem(osm.TypeWay, int64(e.ID), true, "%d nodes; at most %d", len(e.Nodes), MaxWayNodes)
				return nil
			}
			if _, dup := c.ways[e.ID]; dup {
				return fmt.Errorf("osm: %s: way %d appears twice (a history file?)", rd.path, e.ID)
			}
			s, v := rd.match(e.Tags)
			c.ways[e.ID] = rd.way(e, s, v)
		case *osm.Relation:
			if len(e.Tags) > MaxTags {
				rd.problem(osm.TypeRelation, int64(e.ID), true, "%d tags; at most %d", len(e.Tags), MaxTags)
				return nil
			}
			if len(e.Members) > MaxRelationMembers {
				rd.problem(osm.TypeRelation, int64(e.ID), true, "%d members; at most %d", len(e.Members), MaxRelationMembers)
				return nil
			}
			if s, v := rd.match(e.Tags); s >= 0 {
				if rr := rd.relation(e, s, v); rr != nil {
					c.rels = append(c.rels, rr)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	used := map[osm.WayID]bool{}
	for _, r := range c.rels {
		for _, m := range r.members {
			used[osm.WayID(m.Ref)] = true
		}
	}
	for id, w := range c.ways {
		if w.sel < 0 && !used[id] {
			delete(c.ways, id)
		}
	}
	if !sorted {
		idx := make([]int, len(ids))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(int64(ids[a]), int64(ids[b])) })
		ids2, pts2 := make([]osm.NodeID, len(ids)), make([]geowarden.Point, len(ids))
		for i, j := range idx {
			ids2[i], pts2[i] = ids[j], pts[j]
		}
		ids, pts = ids2, pts2
	}
	c.lookup = func(id osm.NodeID) (geowarden.Point, bool) {
		i, ok := slices.BinarySearch(ids, id)
		if !ok {
			return geowarden.Point{}, false
		}
		return pts[i], true
	}
	return c, nil
}
