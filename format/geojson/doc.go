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
// # Positions outside the geometry
//
// A feature's properties, its foreign members (anything but "type",
// "geometry", "bbox" and "crs") and its geometry's foreign members are
// read at any depth for the positions they hold; each goes into
// Record.More, which decides the record as its geometry does (every point
// record of a MultiPoint carries them all):
//
//   - two members of one object whose names say latitude and longitude
//     with the same key, by the rules CSV's further column pairs follow
//     (format.ParseCoordName: lat/lon, latitude/longitude, lat/lng, x/y,
//     words around the axis word such as dest_lat/dest_lon, start_, end_,
//     home_, origin_, homeLat/homeLon, lat2/lon2, and latitudeE7/
//     longitudeE7 in units of 1e-7 degrees, GPSLatitude/GPSLongitude),
//     with numbers or strings that hold numbers as values, or two strings
//     that read as one position when joined by a comma (35°51'02"N and
//     14°27'02"E; 35 deg 51' 2.16" N as exiftool writes it): the i-th
//     latitude of a key pairs with the i-th longitude of the same key; a
//     pair that is not a WGS-84 position is not a position;
//   - every position of a "coordinates" member, so of a geometry nested
//     in a property (a Point, a LineString, a Feature in a property, or a
//     Moving Features "temporalGeometry");
//   - an array of two or three numbers elsewhere whose first two have a
//     fraction ([14.4506, 35.8506]), read longitude first;
//   - the two corners of a "bbox" nested in a property;
//   - the two corners of a feature's or its geometry's own "bbox" when it
//     is not the extent of the geometry (within 1e-6 degrees): a bbox that
//     tells of positions the geometry does not hold.
//
// Every string value there (and a string "id") is read with package
// geotext for positions written as text (decimal pairs, DM, DMS, NMEA,
// named keys, WKT, lists): each goes into Record.Text, with Field the
// path of the member ("properties.notes", "properties.a.b[]", "title")
// and Start, End the offsets in the decoded string. An ambiguous pair
// (no hemisphere letters, both orders valid) gives two TextPos, one per
// reading, with the same offsets.
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
//   - Move with More replaces the numbers of each position outside the
//     geometry that changed, in the type they had: a number, a string
//     holding a number (a position written in degrees, minutes and
//     seconds becomes decimal degrees), an integer for E7. Of an area or a
//     GeometryCollection, a Move with More moves those positions only.
//   - Redact replaces the text of each listed text position with
//     geowarden.RedactedText inside its JSON string; the rest of the
//     string keeps its bytes, escapes included (a position whose text
//     begins or ends inside an escape takes the whole escape with it).
//     Overlapping positions are redacted as one.
//   - Strip deletes properties; Set replaces their values with JSON strings.
//     A role name (source, time, ssid, bssid, cell, area, mcc, mnc, radio,
//     freq, arfcn, strength, alt, accuracy) names every property that may
//     hold the role; other names are property names, ignoring case.
//
// An edited feature keeps its members in order, and the members the edit
// does not touch ("type", "id", foreign members, untouched properties) keep
// their bytes.
//
// # A FeatureCollection's bbox
//
// A FeatureCollection's "bbox" is the extent of the features written.
// When a feature was dropped (by an edit or as a bad record) or its
// geometry moved, it is recomputed from the geometries written (a 4-number
// bbox, rounded outward to 7 decimals), or removed when no position
// remains or it has 6 numbers (geowarden does not recompute heights).
// Otherwise it is written as it was, unless it is not the extent of the
// features read (within 1e-6 degrees): then it tells of positions no
// feature holds, and its corners are a record of their own (Kind feature,
// ShapeNone, More, Ref.Feature -1, read after the last feature), whose
// drop removes the bbox and whose Move with More moves its corners. A bbox after "features" is decided when it is
// read. One before "features" is only known once every feature is written:
// the output after it is held in memory, up to BBoxHoldBytes (32 MiB);
// beyond that the bbox is removed and the output streams again. Removing
// is always right (the member is optional) and costs a bounded amount of
// memory; rewriting it at the same byte length is not always possible, and
// holding a 5 GB output is not.
//
// The FeatureCollection's own members (a "name", a "description", a
// "home" object; not "type", "features", "bbox" and "crs"), before or
// after "features", are read the same way, one member at a time. A member
// that holds positions is a record of its own: Kind feature, ShapeNone,
// More and Text, Ref.Feature -1 and Ref.Line where its value begins. A
// drop removes the member (with one adjacent comma); Move with More and
// Redact rewrite it as they do a feature. The latitude and longitude
// members before "features" (home_lat, home_lon) pair up as in any object,
// and are one more record whose drop removes them.
//
// # What is passed through unread
//
// Member names are not read for positions, nor are a latitude and a
// longitude member of the FeatureCollection after "features" paired (each
// member there is read alone, as it streams), nor the foreign members of
// the geometries inside a GeometryCollection. The release verifier (package verify) reads every
// byte of the output.
package geojson
