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
// strength. A header without a latitude or a longitude column is an error
// wrapping format.ErrNoPosition.
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
//     decimals; the other fields are copied as they were.
//   - Retime rewrites the time field (see Times).
//   - Strip empties fields; Set replaces their values, quoting them when
//     they hold the delimiter, a quote or a line break. Both take role names
//     (source, ssid, bssid, cell, area, mcc, mnc, radio, time, freq, arfcn,
//     strength, alt, accuracy, lat, lon) or header names; a role name wins.
//     Names that match no column are ignored.
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
