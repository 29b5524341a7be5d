// Package csv reads and rewrites delimited text files of location and
// radio-signal records: CSV, semicolon-separated and tab-separated values.
// Codec implements format.Codec; format/all registers it in the default
// codec set.
//
// Every row after the header becomes one geowarden.Record. When the input
// is written back, the header, empty lines and every row whose Edit is the
// zero Edit are copied byte for byte: quoting, delimiter, line endings
// (LF or CRLF, per line) and a leading UTF-8 byte order mark are kept.
//
// # Columns
//
// The first non-empty line is the header. A column's role is found by its
// name, compared case-insensitively after trimming blanks and a byte order
// mark, among the aliases format.Role gives every codec. Where several
// columns match a role, the alias listed first wins, and for the same alias
// the leftmost column; format.Options.Columns (role to header name)
// overrides the aliases.
//
//	role      header names
//	lat       lat, latitude, y
//	lon       lon, lng, long, longitude, x
//	time      ts, time, timestamp, datetime, created
//	source    source, device, device_id, contributor, user
//	radio     radio, networkmode, network_mode, technology
//	mcc       mcc
//	mnc       mnc, net
//	area      lac, area, tac
//	cell      cell, cid, ci, cellid, cell_id, ecellid, eci
//	freq      freq_mhz, frequency            (MHz)
//	arfcn     earfcn, arfcn, uarfcn, nrarfcn, dl_earfcn, dl_uarfcn,
//	          dl_arfcn, nr_arfcn, ssb_arfcn
//	strength  rsrp, rssi, averagesignal, signal, dbm
//	ssid      ssid
//	bssid     bssid, mac
//	alt       alt, altitude, ele, elevation   (metres)
//	accuracy  accuracy, acc                   (metres; "range" is not accuracy)
//
// So a G-NetTrack log with both RSRP and RSSI columns gives RSRP as the
// strength. These lat and lon columns are the record's position (Pos).
//
// # Other positions
//
// A row may hold more positions than its lat and lon columns. Every one is
// read into Record.More, in this order: the further pairs, then the
// vertices of each geometry value, left to right. The record is decided on
// all of them: one inside a zone decides it.
//
// Further pairs. A header name is split into words at every character
// that is not a letter or a digit, between a lower-case and an upper-case
// letter (homeLat) and between letters and digits (lat1). A name is a
// coordinate name when exactly one word is lat or latitude (a latitude)
// or lon, lng, long or longitude (a longitude), optionally followed by the
// word e7 (latitudeE7, lat_e7: integers in units of 1e-7 degrees, as in
// exported location histories); the words before and after it are its
// key. A latitude and a longitude with the same key are a pair:
//
//	dest_lat, dest_lon          key "dest"
//	start_lat, start_lng        key "start"
//	end_latitude, end_longitude key "end"
//	homeLat, homeLon            key "home"
//	origin_lat, origin_lon      key "origin"
//	stop_lat, stop_lon          key "stop" (GTFS)
//	lat2, lon2                  key "2"
//	latitudeE7, longitudeE7     no key, E7
//
// Columns of one key pair up in column order when the key has as many
// latitudes as longitudes, so a header that repeats lat and lon
// (lat,lon,...,lat,lon) reads both pairs, and lat,lon,latitude,longitude
// reads latitude and longitude as a second pair. Where the counts differ:
//
//   - for the plain names (lat, latitude, lon, lng, long, longitude, no
//     key), the header repeats a role's column: an error naming both
//     columns;
//   - for another key with some of each (dest_lat, dest_lon, dest_lng): the
//     same error;
//   - a key with only latitudes or only longitudes (lat_err, "LATITUDE
//     N/S") is no position: its columns are free text (below).
//
// Repeated columns of the other roles (rsrp and rssi for the strength)
// still follow the alias order of the table above. x and y count only as a
// pair of those whole names; x or y alone is free text. A name with two coordinate words (latlon, lat_lon) is free text,
// where the position it holds is found as text. Names that are not words
// of the list (dest_x, plate, latency) are not coordinates.
//
// When the header has no lat and lon columns, the first further pair (by
// its first column) is the position (Pos) and the others go to More. A
// header with neither lat and lon columns nor a further pair nor a
// geometry column is an error wrapping format.ErrNoPosition; so is a
// header with a lat column and no lon column, or the reverse.
//
// Values of a further pair follow the rules of the position (below): both
// empty is no position, one empty, a value that is not a number or one
// out of range is a bad row naming the column.
//
// Geometry values. A column whose name's last word (after any words of
// digits) is wkt, ewkt, wkb, ewkb, geom, geometry, geog or geography (WKT,
// the_geom, wkb_geometry, geom_4326; not geometry_type) is a geometry
// column: each non-empty value must be WKT, EWKT
// or hex WKB, else the row is bad. In every other column that is not a
// coordinate or time column, a value that is wholly such a geometry is
// read as one too (a value that
// only starts like one, "Point of interest", is free text). Read are:
//
//   - WKT and EWKT (SRID=4326;...), any case: POINT, LINESTRING, POLYGON,
//     MULTIPOINT (both forms), MULTILINESTRING, MULTIPOLYGON,
//     GEOMETRYCOLLECTION (nested up to 8 deep), TRIANGLE, TIN and
//     POLYHEDRALSURFACE, with Z, M or ZM and EMPTY;
//   - hex WKB of either byte order and case, ISO (types 1-7, +1000 Z, +2000
//     M, +3000 ZM) and PostGIS EWKB (Z, M and SRID flags).
//
// Every vertex is a position in More, longitude first. An SRID other than
// 4326 (or 0 in EWKB) is a bad row naming the column: geowarden does not
// reproject, and fails closed. Only vertices are positions: a line or a
// polygon that crosses or covers a zone with no vertex inside it is not
// found (a known limit; a zone wholly inside a polygon column is one).
//
// Free text. Every other column (no role, or a role other than time; not a
// coordinate or geometry column) is scanned with package geotext for
// positions written as text: decimal pairs, degrees-minutes-seconds,
// degrees and minutes, NMEA, named keys, WKT and lists. Each becomes a
// Record.Text with the column's header name as Field and the byte offsets
// within the field's unquoted value; an ambiguous pair gives both readings
// with the same offsets. Values with fewer than two digits and plain
// numbers are skipped. Text positions do not decide the record.
//
// # Rows
//
//   - Both coordinates empty: a record with Shape geowarden.ShapeNone.
//   - Coordinates are decimal degrees. When the delimiter is not a comma, a
//     decimal comma ("52,52") is accepted and written back as one.
//   - A coordinate that is not a number, not finite or out of range, only
//     one coordinate set, or a row with more or fewer fields than the header
//     goes to Handler.Bad as a *format.ParseError with the line, the byte
//     column of the field and a message naming the column and its value. If
//     Bad returns nil the row is left out of the output.
//   - Kind is geowarden.KindWifi when ssid or bssid has a value or radio is
//     "wifi", else geowarden.KindCell when radio, mcc, cell, freq or arfcn
//     has one, else geowarden.KindFix (format.SignalKind).
//   - Numbers in the signal columns that do not parse (a "-", a hex cell id)
//     leave that attribute unknown; they are not errors.
//   - For a record with a channel number and no frequency column value,
//     FreqMHz is the carrier of that channel of its radio (format.FillFreq,
//     geowarden.ChannelMHz): a GSM ARFCN, UMTS UARFCN or LTE EARFCN by the
//     radio column, an NR-ARFCN for radio "NR". A channel number without a
//     radio gets no frequency.
//   - Record.Attrs gives every field by header name, unquoted.
//
// # Times
//
// The time column is read in any of these layouts, and a Retime edit writes
// the new time back in the layout it was read in (separators, fraction
// digits and zone offset included):
//
//	1294561074               unix seconds (a fraction is allowed)
//	1294561074000            unix milliseconds (integer part over 1e11)
//	2006-01-02T15:04:05Z     RFC 3339, with or without fraction and zone
//	2006-01-02 15:04:05      also with a fraction or zone
//	2006/01/02 15:04:05
//	2006.01.02_15.04.05      G-NetTrack
//
// Times without a zone are taken as UTC; Record.Time is always in UTC. A
// value in no such layout is not an error: Record.Time stays zero. Retiming
// a record whose time did not parse writes RFC 3339; retiming to the zero
// time empties the field.
//
// # Edits
//
//   - Drop leaves the row out.
//   - Move replaces the latitude and longitude fields with Pos rounded to 7
//     decimals; the other fields are copied as they were. When Edit.More is
//     set, it replaces the other positions, in the order and number of
//     Record.More (a different number is an error): a further pair's fields
//     in the style of their values (E7 as integers; decimals rounded to 7
//     places, with at least as many decimals as the value had, and its
//     decimal comma), a WKT value's numbers in place in the same style (the
//     rest of the value, Z and M included, as it was), a hex WKB value's
//     doubles in place in their byte order and hex case. Pos is then written
//     only when the record has a position and Pos changes it. When the
//     header has no lat and lon columns, Pos goes to the first further pair,
//     in its style.
//   - Redact replaces each listed text position (Edit.Redact, indexes in
//     Record.Text) with geowarden.RedactedText in its field's value; text
//     positions that overlap are redacted as one. The field is written back
//     quoted when it was or when it must be.
//   - Retime rewrites the time field (see Times).
//   - Strip empties fields; Set replaces their values, quoting them when
//     they hold the delimiter, a quote or a line break. Both take role names
//     (source, ssid, bssid, cell, area, mcc, mnc, radio, time, freq, arfcn,
//     strength, alt, accuracy, lat, lon) or header names; a role name wins.
//     Names that match no column are ignored. They apply after Move and
//     Redact, and win over them in the same field.
//
// A replaced field keeps the quotes it had.
//
// # Syntax
//
// Fields follow RFC 4180: a field that starts with a double quote may hold
// delimiters, doubled quotes and line breaks. The reader is lenient where
// writing back byte for byte allows it: a quote inside an unquoted field is
// an ordinary character, and text after a closing quote belongs to the field
// (`"ab"c` reads as abc). A CR on its own is not a line break. The delimiter
// is format.Options.Delimiter or, when that is 0, whichever of comma,
// semicolon and tab occurs most often in the header line (comma on a tie).
// Line numbers count physical lines, header = 1, so a row after a quoted
// field spanning two lines is reported one line further down.
//
// A quote still open at the end of the input is a fatal *format.ParseError
// (wrapping ErrQuote) at the line where it opened. A record longer than
// format.Options.MaxRecordBytes (DefaultMaxRecordBytes when 0) is skipped
// and goes to Handler.Bad wrapping format.ErrTooLong; the reader keeps at
// most that many bytes, plus a small buffer, in memory whatever the size of
// the input. An empty input, or one with only empty lines, has no records
// and is not an error.
package csv
