// Package plt reads and rewrites GeoLife trajectory files (.plt), the
// format of Microsoft Research Asia's GeoLife GPS Trajectories data set.
// Codec implements format.Codec and format.Chunker; format/all registers
// it in the default codec set.
//
// # The format
//
// Six header lines, then one point a line:
//
//	Geolife trajectory
//	WGS 84
//	Altitude is in Feet
//	Reserved 3
//	0,2,255,My Track,0,0,2,8421376
//	0
//	39.984702,116.318417,0,492,39744.1201851852,2008-10-23,02:53:04
//
// The seven fields of a point are latitude and longitude in decimal
// degrees, a code (0 in GeoLife), the altitude in feet (-777 when
// unknown), the time as days since 1899-12-30 00:00 UTC with a fraction,
// and the same time as a date (YYYY-MM-DD) and a time of day (HH:MM:SS),
// in UTC. Lines end in CRLF (most GeoLife files) or LF; line numbers count
// LF, a CR before it belongs to the line end. A line is at most
// format.Options.MaxRecordBytes bytes without its line end (DefaultMaxLine,
// 4 KiB, when 0).
//
// # Header
//
// The first line must be "Geolife trajectory" (after a UTF-8 byte order
// mark, if any), the second the datum "WGS 84" and the third "Altitude is
// in Feet", compared ignoring case and surrounding blanks. Another datum or
// altitude unit is refused, never guessed: Rewrite returns a
// *format.ParseError at that line wrapping ErrHeader, as it does for a
// header cut short (an input that ends before its sixth line; an empty
// input has no records and is not an error) or a header line over the
// length cap. The other header lines are not read. The header is written
// back byte for byte.
//
// # Records
//
// Each point is a record: Shape geowarden.ShapePoint, Kind
// geowarden.KindFix, Pos from the latitude and longitude, Alt the altitude
// in metres (feet times 0.3048; HasAlt false for -777 or an empty field),
// Time from the date and time fields, Ref the point's line, the byte
// offset of the line's first byte and Feature -1. Record.Attrs gives the
// fields by name, ignoring case, as written without surrounding blanks:
// lat, lon, code, alt (also "altitude"; in feet), days, date, time.
//
// Source is the GeoLife user when format.Options.Name is a path that ends
// in <user>/Trajectory/<file>.plt (separators '/' or '\', "Trajectory" and
// ".plt" in any case, a ".gz" suffix allowed), as in the data set's
// Data/000/Trajectory/20081023025304.plt: Source is then "000". Otherwise
// Source is empty.
//
// Empty lines, and lines of blanks only, pass through and are no records.
//
// # Bad records
//
// A point line that does not have exactly seven fields (ErrFieldCount), a
// latitude or longitude that is not a decimal number (format.ErrNaN) or out
// of range (format.ErrRange), a malformed altitude, days, date or time field
// (ErrField: "2008-13-01", "25:00:00", a year 0000; hexadecimal, NaN and
// Inf are not numbers), a days field more than a second away from the date and time
// (ErrTimeMismatch) and a line longer than the cap (format.ErrTooLong) go to
// Handler.Bad as a *format.ParseError with the line, the byte column and
// offset of the faulty field (of the line when the whole line is at fault)
// and a message naming the field and its value. When Bad returns nil the
// line is left out of the output. The code field is not checked. Read
// errors are returned directly.
//
// # Edits
//
//   - Drop removes the point's line, line end included.
//   - Move rewrites the latitude and longitude fields with Pos rounded to 7
//     decimals (about 1 cm), written as format.AppendCoord does; the other
//     fields keep their bytes. A Move to a position that is not a valid
//     coordinate is an error.
//   - Retime rewrites the days, date and time fields together, from Time
//     truncated to the second (the format has no fractions of a second):
//     days with 15 significant digits as GeoLife writes them. An empty
//     days field stays empty. Retiming to the zero time or to a year
//     outside 1-9999 is an error: a point cannot lose its time.
//   - Strip of "alt" (or "altitude") writes -777, the unknown altitude.
//     Strip of the other fields (lat, lon, code, days, date, time) and Set
//     of any field are errors, since every point needs them as numbers;
//     use Move and Retime to coarsen them, or Drop.
//   - Strip and Set of any other name (source, ssid, cell, ...) change
//     nothing: a point carries no other attribute. In particular Source
//     comes from the file's path, which the codec does not write.
//
// Edit errors are returned from Rewrite as a *format.ParseError at the
// point's line wrapping ErrEdit, and stop it. Line ends and every byte that is not
// rewritten are kept.
//
// # Detection
//
// Detect accepts an input whose first line is "Geolife trajectory" (with
// an optional byte order mark, trailing blanks and CR), whatever its name.
// OziExplorer track files (.plt with an "OziExplorer Track Point File"
// first line), from which the GeoLife layout derives, are not recognised.
//
// # Limits
//
// The codec holds one line (at most the cap, plus a small buffer) in
// memory whatever the size of the input.
package plt
