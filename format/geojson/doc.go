// Package geojson reads and rewrites GeoJSON (RFC 7946) for geowarden,
// streaming: a 5 GB FeatureCollection never sits in memory.
//
// # What is read
//
// The input form is recognised from its content:
//
//   - a FeatureCollection: the elements of its top-level "features" array are
//     read one at a time, each capped at Options.MaxRecordBytes (default
//     256 MiB); the members before "features" share the same cap;
//   - a single Feature, or a bare geometry (Point, LineString, ...);
//   - newline-delimited GeoJSON: one Feature or geometry per line;
//   - a GeoJSON text sequence (RFC 8142): records that begin with 0x1E and
//     end with a line feed;
//   - nothing but white space: an empty sequence, with no records (what
//     dropping every line of a sequence leaves).
//
// Each Feature (or bare geometry) gives records, with Ref.Feature its 0-based
// index and Ref.Line the line where it starts:
//
//   - Point: one ShapePoint record; a third coordinate is Alt.
//   - MultiPoint: one ShapePoint record per point.
//   - LineString, MultiLineString: one ShapeLine record, Lines the parts.
//   - Polygon, MultiPolygon: one ShapeArea record, Areas the polygons (outer
//     ring, then holes).
//   - GeometryCollection (nested ones flattened): one ShapeArea record with
//     Areas its polygons and Lines its lines and, as one-point lines, its
//     points.
//   - null geometry, a missing "geometry", or an empty "coordinates" array
//     (RFC 7946 section 3.1): one ShapeNone record.
//
// Pos is the point, or the first vertex. Kind is KindFeature, KindWifi when
// the properties hold an SSID or BSSID (or radio "wifi"), KindCell when
// they hold radio, mcc, cell, frequency or channel-number values
// (format.SignalKind). Attrs gives the properties by name, ignoring case:
// strings unquoted, numbers and booleans as written, anything else as raw
// JSON. Time, Source, Accuracy, Signal and Alt (a point's third coordinate
// wins) come from properties with these names, the aliases every codec
// shares (format.Role; ignoring case; Options.Columns replaces them per
// role); where several properties hold one role, the first that parses
// wins:
//
//	time      ts, time, timestamp, datetime, created (RFC 3339 or unix seconds)
//	source    source, device, device_id, contributor, user
//	radio     radio, networkmode, network_mode, technology
//	mcc       mcc
//	mnc       mnc, net
//	area      lac, area, tac
//	cell      cell, cid, ci, cellid, cell_id, ecellid, eci
//	freq      freq_mhz, frequency
//	arfcn     earfcn, arfcn, uarfcn, nrarfcn, dl_earfcn, dl_uarfcn,
//	          dl_arfcn, nr_arfcn, ssb_arfcn
//	strength  rsrp, rssi, averagesignal, signal, dbm
//	ssid      ssid
//	bssid     bssid, mac
//	alt       alt, altitude, ele, elevation
//	accuracy  accuracy, acc
//
// A record with a channel number and no frequency gets the carrier
// frequency of that channel of its radio (format.FillFreq): GSM ARFCN,
// UMTS UARFCN, LTE EARFCN or NR-ARFCN, by the radio.
//
// # What is refused
//
// Invalid JSON (with the line, column and byte offset of the problem and
// what was expected there), truncated input, nesting deeper than MaxDepth,
// and a "crs" member anywhere that names anything but WGS-84
// longitude/latitude (OGC CRS84 or EPSG:4326) stop the Rewrite with a
// *format.ParseError. So do top-level objects that are not GeoJSON: an
// unknown or missing "type" (types are case-sensitive), a FeatureCollection
// without a "features" array or with "geometry", "coordinates" or
// "geometries" members, and a known member given twice or spelled in another
// case ("Geometry"), which decoders disagree on.
//
// A feature that is valid JSON but not valid GeoJSON is a bad record, passed
// to format.Handler.Bad (nil drops it and goes on): a position with fewer
// than 2 numbers, a non-number in a position, a coordinate out of range
// (format.CheckPoint), a line with fewer than 2 positions, a ring with fewer
// than 4 or not closed, a polygon without rings, a wrong nesting depth of
// "coordinates", an invalid "bbox", "properties" that is not an object or
// null, an "id" that is not a string or number, and members that change
// semantics (a Feature with "coordinates", "geometries" or "features", a
// geometry with "geometry" or "features"). The error names the feature index
// and points at the offending value.
//
// Accepted although geojsonhint warns: polygons against the right-hand rule
// (RFC 7946 says parsers should not reject them), positions with more than
// three numbers (the extra ones pass through), single-geometry and nested
// GeometryCollections, and a Feature without "properties" or "geometry".
//
// # What is rewritten
//
// With a writer, the input is written back in the same form. A feature whose
// edits are all zero is written byte for byte, and so is everything between
// and around features: other members of the FeatureCollection (in any order,
// with "bbox" and foreign members), white space, separators, blank lines.
//
//   - Drop removes the feature with one adjacent comma, so the output stays
//     valid JSON in the same layout. A dropped single Feature or geometry
//     becomes {"type":"FeatureCollection","features":[]}; a dropped line of
//     newline-delimited GeoJSON goes with its line break, a dropped record
//     of a text sequence up to the next 0x1E. A MultiPoint loses the dropped
//     points; with none left, the feature goes.
//   - Move of a point replaces its first two numbers (a third, such as the
//     altitude, stays as written); of a line, the geometry becomes a
//     LineString (one part) or a MultiLineString; with no part left the
//     feature goes. Numbers are rounded to 7 decimals. A moved feature
//     loses its "bbox" and its geometry's, which would still tell where it
//     was. A Move this codec cannot apply (to an area or a
//     GeometryCollection) drops the feature rather than leave the original
//     coordinates in the output.
//   - Retime replaces the value of the property the time was read from, in
//     the same JSON type: unix seconds for a number or numeric string, RFC
//     3339 otherwise.
//   - Strip deletes properties; Set replaces their values with JSON strings.
//     A role name (source, time, ssid, bssid, cell, area, mcc, mnc, radio,
//     freq, arfcn, strength, alt, accuracy) names every property that may
//     hold the role; other names are property names, ignoring case.
//
// An edited feature keeps its members in order, and the members the edit
// does not touch ("type", "id", foreign members, untouched properties) keep
// their bytes.
//
// # What is passed through unread
//
// Foreign members, the FeatureCollection's "bbox", and property values that
// are not one of the roles above are not scanned for positions: a position
// hidden there passes through as it is.
package geojson
