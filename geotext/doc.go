// Package geotext finds positions written as text in bytes of any format:
// free text, CSV rows, JSON, XML attributes, WKT, NMEA sentences.
//
// It knows no format. It reads the bytes it is given and yields every run
// of them that reads as a WGS-84 position, with its byte offsets, the
// position and the representation ([Kind]). It is the recogniser behind
// the release verifier (package verify) and the free-text positions of
// the codecs.
//
// # What is a position
//
// A coordinate is a number of degrees, optionally signed, or degrees and
// minutes, or degrees, minutes and seconds, optionally with a hemisphere
// letter (N, S, E, W, upper case) before or after it:
//
//	35.8506   -14.4506   35.8506N   N35.8506   35.8506°N
//	35°51.034'N   35d51.034   35°51'02"N   35°51′02.5″ N   35 deg 51' 2.04" N
//	48 29.0005 N   N 48 29.0005
//
// (Degrees and minutes separated by a blank only, as gpsd writes them,
// need a hemisphere letter.)
// Degree marks are ° (or º, in UTF-8 or as the single byte of ISO-8859-1
// and windows-1252) and d; minute marks ' and ′; second marks ",
// ″, two apostrophes, and \" (a quote escaped in JSON). Marks may also be
// written as HTML or XML character references (&deg; &#176; &#39; &quot;
// ...) or JSON escapes (\u00b0 \u2032 \u2033), as in KML descriptions.
// A position is two coordinates:
//
//   - Decimal, DM, DMS: two coordinates separated by a comma or a
//     semicolon (with optional blanks around it; %2C in a URL) or by
//     blanks (spaces and tabs). With hemisphere letters on both, the letters give the order
//     (35.85N 14.45E and 14.45E 35.85N are the same); without letters on
//     either, the order is latitude then longitude, and when the other
//     order is also valid the match is Ambiguous. One letter without the
//     other is not a position.
//   - List: two numbers between '[' and ',' or ']', as in GeoJSON
//     ([14.4506, 35.8506]), read longitude first.
//   - WKT: two numbers separated by blanks, after '(' or ',' and before
//     ')' or ',' with up to two more numbers (Z, M), as in
//     POINT(14.4506 35.8506) and every vertex of LINESTRING(…), read
//     longitude first.
//   - NMEA: ddmm.mmmm,N,dddmm.mmmm,E as in $GPGGA and $GPRMC.
//   - Named: a latitude key and a longitude key with their values, in
//     either order, at most 64 bytes apart: lat="35.85" lon="14.45" (GPX),
//     "lat": 35.85, "lng": 14.45 (JSON), <lat>35.85</lat><lon>… (XML),
//     latitude=35.85&longitude=14.45, GPSLatitude="35,51.034N" (XMP).
//     Keys are lat, latitude, lon, lng, long, longitude, in any case, as a
//     whole word or the end of one (dest_lat, homeLat, GpsLatitude).
//   - E7: named keys ending in E7 with integer values in units of 1e-7
//     degrees, as in Google location history ("latitudeE7": 358506000).
//
// Latitudes must lie in [-90, 90], longitudes in [-180, 180], minutes and
// seconds below 60.
//
// # What is not
//
// The rules trade recall for fewer false positives, and say why:
//
//   - A bare decimal pair (no hemisphere letter, no degree mark, no list
//     or WKT shape) needs MinDecimals (3) fraction digits in both numbers.
//     Integer pairs are everywhere (RSRP and frequency columns: -113,700;
//     cell ids; counts), and pairs with one or two decimals are prices,
//     speeds and sensor readings. Three decimals is about 110 m, the
//     coarsest a text position usually gives; a coarser one places a
//     record less precisely than most zones are wide.
//   - List, WKT and Named positions, and decimal coordinates with a
//     hemisphere letter or degree mark, need one fraction digit
//     (MinShapeDecimals); the shape or the name says what they are. Named
//     integers are accepted, as are DM, DMS, NMEA and E7 values, whose
//     form is specific enough.
//   - A number next to a letter, a digit, '.', or '_' is not a coordinate:
//     version numbers (1.2.3), IP addresses (192.168.1.1), identifiers
//     (v2.35, x1.5) and hex strings never match. A number after ':' that
//     follows a digit is a time (12:30:45.123), not a coordinate.
//   - Exponents (3.58506e1), numbers with more than 20 fraction digits,
//     more than 64 blanks between parts, line breaks inside a bare pair,
//     Unicode minus signs and lower-case hemisphere letters are not read.
//   - A decimal pair can still be something else: two adjacent
//     measurement columns with three or more decimals (a speed and a
//     heading, say) read as a position. The verifier only fails on such a
//     pair when it falls inside a protected zone, which is rare for
//     numbers that are not positions; docs/verifier.md gives the rate
//     measured on real files.
//
// # Matches
//
// Matches are found left to right. A pair's second coordinate may start
// the next match: the numbers a,b,c yield (a,b) and (b,c), so that a
// position after an altitude or a third column is not lost. So may the
// minutes of "5 35.8506 N, 14.4506 E", which is also 35.8506 N after a 5.
// Named, E7 and List matches do not overlap.
//
// A match is decided by the bytes from Context bytes before its start to
// Context bytes after its end, and is at most MaxLen bytes long: a
// streaming caller that keeps the last MaxLen+2*Context bytes finds the
// same matches as one that reads everything at once.
//
// Finding matches does not allocate.
package geotext
