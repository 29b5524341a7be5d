// Package load opens zone files by their content, whatever their name: a
// compiled .gwz file (with the index it brings), GeoJSON, KML or KMZ (or
// gzip-compressed KML), and OpenStreetMap extracts (PBF, or XML possibly
// compressed with bzip2 or gzip); and the zone sets built into geowarden,
// by name. The command line loads every zone file through File, and so
// can library users.
//
// A file is recognised by its first bytes, in this order: the .gwz magic,
// an <osm> root or an OSM PBF header (possibly inside bzip2 or gzip), a
// <kml> root element or a zip archive holding one, and then GeoJSON, which
// has no magic: a file that none of the others recognise is read as
// GeoJSON, and one that is not GeoJSON is refused with an error that names
// the file and the position of the problem. Errors always name the file.
//
// An OpenStreetMap extract is read only with Options.OSM, which says what
// to take from it; without, it is refused with an *OSMError.
//
// # Adding a zone source
//
// Write the reader of the new kind of zone file in a package of its own
// under zone/ (as zone/kmlzone and zone/osm are): a function that tells
// the file by its name and first bytes, and one that reads it into a
// zone.Set. Then add one line to sources in load.go, before GeoJSON,
// which accepts whatever is left. Everything that loads zones, the
// command line included, then reads the new kind of file.
package load
