// Package gpx reads and rewrites GPX 1.0 and 1.1 for geowarden, streaming:
// one point element at a time is held in memory, whatever the size of the
// file. It has its own XML scanner, so that everything it does not edit
// is written back exactly as it was read.
//
// # What is read
//
// Every point is a record of kind fix, shape point, Ref.Line and Ref.Offset
// where its start tag begins, Ref.Feature -1:
//
//   - waypoints <wpt>, route points <rtept> (in <rte>) and track points
//     <trkpt> (in <trk><trkseg>), matched by local name, whatever the
//     prefix or namespace;
//   - any other element that carries both a lat and a lon attribute,
//     wherever it stands, such as Garmin route shaping points <gpxx:rpt>
//     inside a <rtept>, a geocache's <groundspeak:log_wpt>, or a point
//     misplaced outside its <trkseg>: positions are never passed through
//     unread. Those inside a point come right after it, and only when the
//     point is kept.
//
// Pos comes from the lat and lon attributes (decimal numbers, white space
// and character references allowed; hexadecimal, NaN and Inf are not), Alt
// from <ele> (HasAlt), Time from <time> (xsd:dateTime: RFC 3339, or
// without a zone, which is taken as UTC; an unreadable <time> or <ele> is
// left unset), Source from <src>. Attrs gives the text of the point's
// child elements by local name, ignoring case: name, desc, cmt, sym, type,
// ele, time, hdop, sat, src (also as "source"), ... and for "link" the
// href of <link> (GPX 1.1) or the text of <url> (GPX 1.0). A name no child has is looked up deeper, in <extensions> for
// instance (gpxtpx:hr, gpxtpx:cad). Text is decoded: references resolved,
// CDATA sections unwrapped, comments left out, white space trimmed, the
// document's encoding converted to UTF-8.
//
// A point's More holds the positions written as the text of two child
// elements of one element inside it whose names say they are a latitude
// and a longitude (format.ParseCoordName, the rules of CSV columns and
// GeoJSON properties: lat, latitude, lon, lng, long, longitude, with the
// same words around them, any prefix: <x:lat> and <x:lon>, <x:destLat> and
// <x:destLon>, latitudeE7 and longitudeE7 in units of 1e-7 degrees), as
// some extensions write them. x and y are not read: in GPX extensions they
// are as often screen or grid coordinates. The point is classified and
// decided on them too; a move rewrites their text (a move with another
// count of them, or outside WGS-84, drops the point).
//
// # Free text
//
// Every piece of character data is free text that may hold a position
// written as text (package geotext: decimal pairs, degrees-minutes-seconds,
// NMEA, named keys, ...): the direct text of every element (its content
// without its child elements, CDATA sections unwrapped, references
// resolved, comments left out), the body of every comment, and every
// attribute value other than a point's lat and lon and namespace
// declarations (a <link>'s href, a creator). A point's Text holds the
// positions in the free text inside the point element (its <name>, <desc>,
// <cmt>, <src>, <type>, <sym>, extensions, comments, attributes), with Field
// the local name of the element or attribute, or "comment", and Start and
// End in the decoded value, white space trimmed as Attrs gives it. A
// position that reads both ways (Ambiguous) is given twice, once in each
// order, with the same Start and End. Free text outside points (in
// <metadata>, a <trk>'s or <rte>'s <name>, <desc> or <cmt>, comments
// anywhere, a start tag's attributes) is held until the markup after it; when
// it holds a position it is a record of its own: kind feature, shape none,
// Text as above, Ref where the text begins; its Drop redacts all its
// positions.
//
// A position listed in Edit.Redact is replaced in the output with
// geowarden.RedactedText, and only its own bytes: a reference, a CDATA
// section or a comment before or after it, and the rest of the field, stay
// as they are. A position written across markup ("35.85<!-- -->06, 14.45",
// or part in a CDATA section) has each of its pieces emptied and the first
// replaced. In a document in another encoding than UTF-8, the whole run of
// character data that holds the position is replaced.
//
// Text outside points is held up to Options.MaxRecordBytes; a longer run of
// character data outside points (white space apart) is refused with
// format.ErrTooLong, as its positions could not be checked.
//
// # Bounds
//
// <bounds> (in <metadata>, or in <gpx> in GPX 1.0) gives the extent of the
// points, before them. From the first <bounds> on, the output is spooled:
// in memory up to 4 MiB, then in a temporary file in the system's temporary
// folder ($TMPDIR), removed as soon as it is created where the system
// allows, else when the Rewrite returns. At the end of the document, when a
// point was dropped (by the handler or as a bad record) or moved, every
// <bounds> gets the extent of the waypoints, route points and track points
// written (their positions after a move), its minlat, minlon, maxlat and
// maxlon values replaced in place (a <bounds> that lacks one of them is
// written anew with the four); when none is written, <bounds> is removed
// with the white space before it. When no point was dropped or moved, the
// spooled output is written as it was, byte for byte. Memory stays bounded
// whatever the size of the file; the spool takes at most one copy of the
// output on disk, and a spool that cannot be written fails the Rewrite.
// More than MaxBounds <bounds> elements are refused.
//
// # Encodings
//
// UTF-8 with or without a byte-order mark, and any encoding named in the
// XML declaration that golang.org/x/text knows and in which ASCII
// characters are single bytes: ISO-8859-*, windows-125*, KOI8, Shift_JIS,
// EUC-JP, GBK, Big5, ... Bytes pass through as they are; only the text
// values given to Attrs are decoded, and replacement text is encoded back
// (characters the encoding lacks as character references). UTF-16,
// UTF-32, EBCDIC and the stateful ISO-2022 encodings are refused.
//
// # What is rewritten
//
//   - Drop removes the point element and the white space before it, so the
//     layout stays tidy. A track segment loses the point and is split at
//     the gap: "</trkseg>" and a new "<trkseg ...>" (the original start
//     tag, so the same prefix and namespace) go before the next kept point,
//     each on its own line with the segment's indentation, so that no
//     straight line is later drawn across the zone. Dropping at either end
//     of a segment does not split it. A segment whose points are all
//     dropped is removed whole. A route is split the same way into several
//     <rte> elements, each repeating what stood before the route's first
//     <rtept> (its <name>, <desc>, <number>, <extensions>, ...: up to the
//     record limit); a route whose points are all dropped is removed whole.
//     A <trk> left without segments stays, with its name. Dropping an
//     embedded position removes that element only.
//   - Move rewrites the values of the lat and lon attributes only, keeping
//     their quotes: rounded to 7 decimals (about 1 cm) and written with
//     strconv.FormatFloat(v, 'f', -1, 64). A move outside WGS-84 drops the
//     point instead.
//   - Retime rewrites the text of the point's <time> (RFC 3339 in UTC,
//     "Z", fractional seconds only when there are any); a point without
//     <time> is left as it is.
//   - Strip removes the elements an attribute name designates (the same
//     lookup as Attrs: the point's children with that local name, or when
//     it has none, the deeper elements with it), with the white space
//     before them: "time", "name", "desc", "cmt", "src" (or "source"),
//     "link" (with GPX 1.0's <url> and <urlname>), "ele", any other local
//     name.
//   - Set replaces the text of those elements, XML-escaped (the href of a
//     <link>); <x/> becomes <x>value</x>. Set does not add elements a point
//     does not have.
//
// # What is passed through
//
// Byte for byte: the XML declaration, DOCTYPE declarations without an
// internal subset, <metadata> (its <bounds> too, unless a point was dropped
// or moved), every element outside points (their free text apart from the
// positions redacted), extensions, unknown
// namespaces and prefixes, comments, processing instructions, CDATA
// sections, white space and line ends, and every kept point that no edit
// touches.
//
// # What is refused
//
// Input that is not well-formed XML stops the Rewrite with a
// *format.ParseError naming the line, column and byte offset and what was
// wrong (ErrSyntax): a mismatched or missing end tag, a bad name or
// character, invalid UTF-8, an undefined entity, a bare '&', '<' in an
// attribute, a duplicate attribute, '--' in a comment, text outside the
// root element, truncated input. So do a root element other than <gpx>
// (ErrNotGPX), a DOCTYPE with an internal subset (ErrDTD: entity
// declarations could expand without bound, attribute declarations could
// add default lat and lon values; external entities are never fetched), an
// encoding that cannot be read byte for byte (ErrEncoding), nesting deeper
// than MaxDepth (ErrDepth), and any point element, start tag, comment,
// processing instruction or CDATA section, and any run of character data
// outside points, longer than Options.MaxRecordBytes (default 1 MiB;
// format.ErrTooLong). Long runs of white space stream in pieces.
//
// A point without a lat or lon attribute, with one that is not a decimal
// number, or with a position outside WGS-84 is a bad record (ErrPoint,
// format.ErrRange, format.ErrNaN): it goes to Handler.Bad, and when Bad
// returns nil it is dropped like any other.
//
// # Not handled
//
// .gpx.gz files are decompressed before the codec sees them (by the
// pipeline). A <bounds> anywhere else than in <metadata> or <gpx> (in a
// track's extensions, say) passes through. Positions that geotext does not
// recognise in text pass through, such as the !1d<lon>!2d<lat> data of a
// Google Maps link. Processing instructions are not read as free text.
package gpx
