// Package kml reads and rewrites KML (2.2 and 2.3, with Google's gx:
// extensions) and KMZ archives for geowarden, streaming: one feature at a
// time is held in memory, whatever the size of the document.
//
// # What is read
//
// The input is scanned as XML by this package's own tokenizer, which keeps
// every byte's offset so that what it does not edit is written back as it
// was. Elements are recognised by their local name whatever their prefix
// (kml:Placemark, gx:Track and KML 2.3's Track alike), so a feature cannot
// hide behind an unusual prefix. Features are read wherever they stand:
// inside any nesting of Document and Folder, at the top level, inside
// unknown elements or an Update.
//
// Each Placemark, GroundOverlay and PhotoOverlay is a feature, numbered
// from 0 in document order (Ref.Feature); Ref.Line and Ref.Offset point at
// its start tag. A geometry outside any feature (a Point or LineString in
// an Update's Change, which moves a feature when the update runs) is read
// as a feature of its own, so that no position escapes. Its records:
//
//   - Point: one ShapePoint record; a third number is Alt.
//   - Model: one ShapePoint record at its Location.
//   - LineString, LinearRing, and a MultiGeometry (or GDAL's
//     MultiLineString) holding only those: one ShapeLine record, Lines the
//     lines (a one-position line is given as two equal positions).
//   - Polygon: one ShapeArea record, Areas the polygon (outer ring, then
//     inner rings; a ring that is not closed is closed for the record).
//   - MultiGeometry holding anything else (and GDAL's MultiPolygon and
//     MultiPoint, and a Placemark with several geometries, which is not
//     valid KML): one ShapeArea record with its polygons in Areas and its
//     lines, tracks and points (as one-point lines) in Lines.
//   - gx:Track: one ShapePoint record per gx:coord, Kind KindFix, with the
//     time of the <when> of the same index (<when> and <gx:coord> are
//     paired by position, whether interleaved or in two runs); Ref.Line and
//     Ref.Offset point at the gx:coord. An empty <gx:coord/> (a pause
//     marker some trackers write) is no record. gx:MultiTrack: the records
//     of its tracks.
//   - GroundOverlay with a LatLonBox: one ShapeArea record, the box as a
//     polygon (grown to the box that holds it when it is rotated, split in
//     two across the antimeridian); with a gx:LatLonQuad, its four corners
//     (with several, all of them).
//   - PhotoOverlay with a Point: one ShapePoint record.
//   - no geometry (or only empty coordinates): one ShapeNone record, so
//     that its attributes can still be stripped.
//
// A feature's LookAt and Camera (their longitude and latitude; a missing
// one is 0, as KML says) and Region (the south-west, south-east,
// north-east and north-west corners of its LatLonAltBox, then its centre)
// are its other positions, Record.More, in document order: the record is
// decided on them too. Those of a gx:Track placemark are the More of a
// record of the placemark's own (ShapeNone, Kind KindFeature), given
// before its points.
//
// Positions written as text are the record's Text: in the feature's name,
// description, Snippet and address, its ExtendedData Data values and
// SimpleData, and the text of every BalloonStyle inside it, found with
// package geotext (decimal pairs, DM, DMS, NMEA-style, named keys such as
// GPSBabel's "Longitude: ... Latitude: ..." rows, WKT, lists). Offsets are
// those of the element's text as decoded (references resolved, CDATA
// sections unwrapped, comments and child elements' tags left out), not
// trimmed; Field is the element's name, the Data's name, or
// "BalloonStyle/text". Text that holds '<' or '&' once decoded is HTML (a
// balloon): it is also read as a browser shows it, tags as blanks and
// HTML references (&deg;, &nbsp;, &quot;, &prime;, numeric) resolved, so
// that "35.8506<br>14.4506" is found; the range of such a position runs
// from its first part to its last, in the text as written. A pair that
// reads as a position in either order is given twice, once in each, with
// the same offsets. A track's placemark text is the Text of its own
// record, as its views are; a track point's Text is in its values of the
// track's gx:SimpleArrayData.
//
// Positions that belong to the file rather than to a feature are records
// of their own, Kind KindFeature, Ref.Feature -1: the LookAt or Camera
// (ShapePoint) and the Region (ShapeNone, More as above) of a Document,
// Folder, NetworkLink, ScreenOverlay or gx:Tour step, or anywhere outside
// a feature, and a LatLonBox, LatLonAltBox or gx:LatLonQuad (its corners)
// outside a GroundOverlay; and the name, description, Snippet, address,
// ExtendedData and BalloonStyle (of a shared Style) of a Document, Folder,
// NetworkLink or ScreenOverlay (ShapeNone, Text), each when its text holds
// a position.
//
// Kind is KindFeature, KindFix for track points, KindCell or KindWifi when
// the ExtendedData holds radio or Wi-Fi values (format.SignalKind, as in
// every codec). Time comes from the feature's TimeStamp/when or
// TimeSpan/begin (a track point's own <when> first), else from an
// ExtendedData value named as a time. Attrs gives, by name and ignoring
// case, the feature's name, description, Snippet, address and phoneNumber,
// its ExtendedData Data/value and SchemaData/SimpleData values, and for a
// track point the value of the same index of each gx:SimpleArrayData of its
// track; values are decoded text, trimmed. Source, Accuracy and Signal come
// from those values with these names, the aliases every codec shares
// (format.Role; ignoring case; Options.Columns replaces them per role):
//
//	time      ts, time, timestamp, datetime, created
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
//	accuracy  accuracy, acc
//
// A record with a channel number and no frequency gets the carrier
// frequency of that channel of its radio (format.FillFreq): GSM ARFCN,
// UMTS UARFCN, LTE EARFCN or NR-ARFCN, by the radio.
//
// Coordinates are "lon,lat[,alt]" tuples separated by white space (white
// space after a comma is tolerated); gx:coord is "lon lat [alt]". Every
// position is checked with format.CheckPoint.
//
// # What is refused
//
// XML that is not well formed stops the Rewrite with a *format.ParseError
// giving the line, column and byte offset, and what was expected: a
// truncated document (naming the element left open and where it was
// opened), mismatched tags, bad attribute syntax, characters XML does not
// allow, invalid UTF-8, an undefined entity reference, text or a second
// element outside the root. So do a root element that is not <kml>, UTF-16
// or UTF-32 input, a DOCTYPE that declares entities (ErrEntity; entities
// are never expanded and nothing external is ever loaded), nesting deeper
// than MaxDepth, and a comment, CDATA section or tag longer than
// Options.MaxRecordBytes (default DefaultMaxRecordBytes). A Document's or
// Folder's name, description, Snippet, address, ExtendedData or
// BalloonStyle, and a view outside features, are read whole as features
// are, and are refused as a feature is when larger.
//
// A feature larger than Options.MaxRecordBytes or with more than
// MaxElements elements, and a feature whose geometry cannot be read (a
// number that is not a finite number, a tuple of one or four numbers, a
// coordinate out of range, a Point with several positions, a LatLonBox
// without its four edges, a feature nested in a feature; and so a LookAt,
// Camera or Region that cannot be read), is a bad record passed to
// format.Handler.Bad: nil leaves the whole feature out of the output and
// goes on. A view outside features that cannot be read is a bad record
// too; nil leaves the view out. An unparseable time is not an error: the record has
// no time.
//
// # What is rewritten
//
// With a writer, everything outside the edited features is written back
// byte for byte: the XML declaration, comments, Styles, StyleMaps, Schemas,
// Document and Folder elements, unknown elements and namespaces,
// white space. A feature whose records are all kept is written byte for
// byte; an edited one keeps every byte the edit does not touch.
//
//   - Drop removes the feature with the white space before it. A dropped
//     track point loses its <when>, <gx:coord>, <gx:angles> and the values
//     of the same index in the track's gx:SimpleArrayData; when points in
//     the middle of a track are dropped, the track is split at each gap
//     into several tracks (a gx:Track becomes a gx:MultiTrack of
//     gx:Tracks; in a gx:MultiTrack the track becomes several), so that no
//     line is drawn across the gap, and a gx:MultiTrack's gx:interpolate
//     is set to 0. A track with no point left goes; a Placemark with no
//     track point left goes. Splitting takes time linear in the track's
//     size when its points' elements come in runs (all <when>s then all
//     <gx:coord>s, or pairs interleaved); a track in another layout that
//     would take too long to split into that many parts is dropped whole,
//     with a Notice of Kind "track-dropped". A dropped GroundOverlay goes (in a KMZ, with
//     its image; see KMZCodec).
//   - Move of a point rewrites its <coordinates> ("lon,lat" rounded to 7
//     decimals, the altitude kept as written), a track point's <gx:coord>,
//     a Model's Location. Move of a line rewrites the LineString's
//     coordinates; when several parts remain (a line cut at a zone's
//     edges), the geometry becomes a MultiGeometry of LineStrings made
//     after the first one (its tessellate, altitudeMode and attributes
//     kept), positions that were in the original keeping their altitude.
//     With Edit.More, the feature's LookAt and Camera get the new
//     longitude and latitude, and its Region's LatLonAltBox the edges of
//     the new south-west and north-east corners; a geometry edited without
//     them (a line cut at a zone, track points dropped or moved) loses its
//     LookAt, Camera and Region, which would still show where it was. A
//     Move of a feature without geometry rewrites its views. A Move this
//     codec
//     cannot apply (to an area or a combined MultiGeometry, or with no
//     line left) drops the feature rather than leave the original
//     coordinates in the output.
//   - Retime rewrites the <when> (or both ends of the TimeSpan, or the
//     ExtendedData value) the time was read from: RFC 3339 in UTC, or unix
//     seconds where the value was a number.
//   - Strip removes the named elements: name, description, Snippet,
//     address, phoneNumber, ExtendedData Data and SimpleData by their
//     name; "time" removes TimeStamp and TimeSpan (a track point's <when>
//     is emptied instead); another role name removes every ExtendedData
//     value that may hold the role. A track point's array values are
//     emptied, so that the arrays stay parallel. Strip and Set of track
//     points act on their Placemark's attributes once for all.
//   - Set replaces the text of the same elements, escaped (non-ASCII as
//     character references, right in any encoding).
//   - Redact replaces the text of each listed Text position with
//     geowarden.RedactedText, in place: the characters of its range are
//     left out and the replacement written where the range starts (inside
//     the CDATA section it starts in, if so); markup inside the range (a
//     CDATA section's delimiters, comments, child elements) is kept, so
//     the element stays well formed; a "]" after the replacement that
//     would make "]]>" is escaped (or the CDATA section split). Set wins
//     over Redact on the same element; Strip removes it.
//   - A record of the file's own (a view or text outside features): Drop
//     removes its element (with the white space before it), Move rewrites
//     a view, Redact, Strip and Set act as for a feature.
//
// # What is passed through unread
//
// NetworkLinks are not followed: each is reported with format.Notify
// (Kind "network-link", naming its href) and written back unchanged.
// ScreenOverlays, Tours, Schemas and Styles are passed through, but for
// their views and text (above). Not read: hrefs (a URL may hold
// coordinates in its query), displayName, attribute values, comments,
// phoneNumber, and anything in a namespace geowarden does not know.
//
// Text in a declared single- or multi-byte encoding other than UTF-8 is
// passed through as it is; ISO-8859-1 and windows-1252 values are decoded
// for Attrs.
//
// # KMZ
//
// KMZCodec reads a KMZ archive: a zip file holding doc.kml (by
// convention the main document) and the images, models and other KML files
// it uses. A zip archive's directory is at its end, so the input is
// spooled: in memory up to SpoolMemBytes, beyond that to a file in the
// temporary folder that has no name (O_TMPFILE; elsewhere its name is
// removed as soon as it is made), so that no copy of the input outlives the
// process; inputs larger than MaxKMZBytes are refused.
//
// Every .kml member is read with the KML codec, in archive order: doc.kml,
// and also the other KML files (which a NetworkLink in doc.kml may load
// from the archive), so that none is passed unchecked. Records and errors
// name the member: Ref.File and ParseError.File are "NAME!MEMBER", lines
// and offsets are those of the member. With a writer, each KML member is
// rewritten (deflated again, keeping its name, time, method and comment;
// a member whose content did not change is copied as it was), and every
// other member is copied as its compressed bytes with its header (name,
// times, method, comment, extra fields) and in its place. A member that
// only dropped features link to (the image of a dropped GroundOverlay, the
// icon of a dropped Placemark) is left out, with a Notice of Kind
// "kmz-member"; an image member that may hold EXIF positions (JPEG, TIFF,
// HEIC, WebP) is copied with a Notice of Kind "unsupported". With no
// writer, only the KML members are decompressed.
//
// Refused, with a *format.ParseError naming the archive (and the member)
// and one of ErrZip, ErrZipSlip, ErrZipBomb, ErrNested or ErrNoKML:
//
//   - member names that lead out of the folder the archive is extracted
//     to: absolute paths, drive letters, ".." (with / or \ separators),
//     empty names or NUL bytes;
//   - more than MaxMembers members (read from the end-of-directory record
//     before the directory itself is read), a member larger than
//     RatioMinBytes whose compression ratio is above MaxRatio:1, members
//     that decompress to more than MaxUncompressed bytes in all. Sizes are
//     counted on the bytes actually decompressed, never taken from the
//     headers, and a member whose data does not match its header's size
//     and checksum is refused;
//   - nested archives: members named .zip, .kmz, .gz (.kml.gz), .tgz, .7z
//     or .rar, and members whose content starts as a zip or gzip stream;
//   - encrypted members and compression methods other than store and
//     deflate (their content could not be checked);
//   - an archive with no .kml member, and input that is not a zip archive.
package kml
