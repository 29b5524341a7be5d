// Package osm reads protected zones from OpenStreetMap extracts: OSM PBF
// (.osm.pbf), OSM XML (.osm), and OSM XML compressed with bzip2 or gzip
// (.osm.bz2, .osm.gz), recognised by content.
//
// # Selecting
//
// Elements are chosen by Selections: a tag key and the accepted values
// ("railway=rail,light_rail,subway", "landuse=military", "military=*").
// An element that several selections choose takes the first one's class
// and buffer. A KEY=* selection takes any value except "no" and the
// lifecycle values (disused, abandoned, razed, dismantled, demolished,
// removed, destroyed, was, proposed, planned, construction). A railway
// selection also leaves out railways flagged disused=yes, abandoned=yes,
// ... or carrying a lifecycle-prefixed railway key (disused:railway=*,
// abandoned:railway=*), unless it names a lifecycle value itself: disused,
// abandoned and razed railways are not rail unless selected as such
// ("railway=disused", "railway=rail,disused").
//
// # Shapes
//
//   - A selected node is a circle (default radius 100 m).
//   - A selected way is an area when it is closed (first node = last, at
//     least four nodes) and, by the rules of Overpass turbo and
//     osmtogeojson (https://wiki.openstreetmap.org/wiki/Overpass_turbo/Polygon_Features,
//     as implemented by github.com/paulmach/osm's Way.Polygon): tagged
//     area=yes, or with a key that implies an area (landuse, military,
//     building, amenity, leisure, aeroway except taxiway, power=plant,
//     substation, generator or transformer, natural except coastline,
//     cliff, ridge, arete and tree_row, ...), and not area=no. Any other
//     way is a line: a corridor (default half-width 50 m for railways,
//     25 m for other lines). A way selected by a railway selection is a
//     line unless tagged area=yes, closed or not: a railway loop is a
//     track, not the land inside it.
//   - A selected multipolygon or boundary relation is an area: its member
//     ways are joined end to end into closed rings (outer and empty roles
//     together, inner apart; ways with other roles are reported and not
//     used), and the rings are nested by geometry: a ring inside an even
//     number of others is an outer ring, inside an odd number a hole of
//     the smallest ring that holds it, whatever its role says (as osmium
//     and GDAL do). A ring that does not close (a member way missing from
//     the extract, a gap) is reported with the relation's id and the ways
//     and nodes at its ends, and left out; a relation with no ring left is
//     left out. Relations of other types (route, site, ...) are reported
//     and left out.
//   - Areas have no buffer by default. Selection.BufferM, when set, is the
//     radius, the half-width or the growth of every zone of its selection.
//
// A ring that crosses or touches itself cannot be a zone. An outer ring
// that does is replaced by its convex hull, which covers it; a hole that
// does is left out, so that the zone covers it: for a firewall, a zone
// that is too large is the safe mistake. Both are reported. Repeated
// positions are removed; nodes missing from the file are reported and
// left out of their way.
//
// Zone ids are "osm-node-N", "osm-way-N" and "osm-relation-N"; names come
// from the name tag, else name:en, else the id. Classes default to the
// selection's key and value (see DefaultClass): railway → rail,
// landuse=military and military=* → military, aeroway → airport, power →
// energy, any other → custom.
//
// # Problems
//
// An element that is selected but cannot become a zone, or that is
// changed to become one, is a *Problem naming the file, the element and
// what was wrong. Reader.Warn receives each; Read returns them in a
// *ProblemsError together with the set, so that nothing is left out
// silently. An error in the file itself (invalid XML, a damaged PBF block,
// a file that is not OSM data) stops the reading with an error naming the
// file and the line (XML) or byte offset (PBF).
//
// # Reading, memory and limits
//
// PBF files are decoded by this package (blocks in parallel, every index
// and length checked, raw and zlib blocks, dense and plain nodes,
// locations on ways; history files and lz4/zstd blocks are refused) and
// read three times: relations, then ways (keeping only the selected ones
// and the members of selected relations), then nodes (keeping the
// positions of the nodes those ways use, 24 bytes each, and the selected
// nodes). Memory is bounded by what is selected, not by the size of the
// file; national extracts should be PBF. XML is read once with
// github.com/paulmach/osm/osmxml, keeping every node's position (24 bytes
// a node) and every way's node list: about a fifth of the uncompressed
// XML; an XML file of more than MaxXMLNodes nodes is refused.
//
// Peak memory, as the process's maximum resident set size (GNU time -v)
// of a test binary that reads the file once with the selections
// railway=*, landuse=*, military=*, aeroway=*, power=*, amenity=*,
// leisure=*, natural=*, building=* (the test binary alone: 4.4 MB):
//
//	monaco-latest.osm.pbf   (489 kB; 28k nodes, 4.5k ways)     16 MB, 2,809 zones, 0.05 s
//	andorra-latest.osm.bz2  (2.9 MB; 40 MB of XML, 203k nodes)  31 MB, 5,277 zones, 3.8 s
//
// (times from go test -bench on 2 shared cores; the Andorra time is bzip2
// and encoding/xml).
//
// Limits: MaxWayNodes nodes a way, MaxRelationMembers members a relation,
// MaxTags tags an element, MaxRings rings a multipolygon, MaxNodes
// distinct nodes used by the selected ways; PBF blocks of at most 32 MiB
// and block headers under 64 KiB, as the format says.
package osm
