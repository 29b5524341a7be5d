// Package osmand is the OsmAnd/Traccar HTTP protocol for the gateway: the
// requests that OsmAnd, Traccar Client and many trackers send to the OsmAnd
// port of a Traccar server (5055), read as Traccar's OsmAnd decoder reads
// them, and forwarded in the same form.
//
// # Query form
//
// A GET or POST whose query string (or, when the query string holds no
// parameter but geowarden's token, whose form body) is one position report:
//
//	/?id=353861053849681&timestamp=1442068686&lat=49.60688&lon=6.15788&speed=0.0&bearing=0.0&altitude=384.7&accuracy=5&batt=87
//
// id (or deviceid) names the device and is required; lat and lon (or
// location=lat,lon) give the position; timestamp is unix seconds (below
// 2^31-1), unix milliseconds, ISO 8601 (2016-01-27T18:55:47Z) or
// "2014-06-04 09:10:11" (UTC); speed, bearing, heading, altitude,
// accuracy, hdop and batt are numbers; cell=mcc,mnc,lac,cid[,rssi] and
// wifi=mac,rssi are a radio observation (one at most: the record is then a
// cell or Wi-Fi record). Every other parameter is passed through; its
// value is read for positions written as text (Record.Text), and
// parameters named like coordinates (dest_lat and dest_lon, latitudeE7 …)
// are further positions of the record (Record.More).
//
// Refused (the gateway answers 400): a missing id, a number that does not
// parse (NaN, Infinity, hexadecimal, empty), a coordinate out of range, lat
// without lon, a timestamp in no known form, a parameter given twice that
// Traccar reads once (id, lat, lon, location, timestamp …), a malformed
// percent escape, a ';' in the query (some readers split on it, others do
// not), more than one cell or wifi parameter, more than MaxParams
// parameters.
//
// Raw is the parameter string as received less geowarden's own token
// parameter; a kept message is forwarded with the same method and its
// parameters in the same order, byte for byte. Rewrite edits values in
// place (lat and lon, location, timestamp in its own style, redacted text,
// pseudonyms) and removes stripped parameters, leaving every other byte.
//
// # JSON form
//
// A POST with Content-Type application/json, as Traccar Client 9 sends it:
//
//	{"location":{"timestamp":"2025-06-15T13:45:12.862Z","coords":{"latitude":37.42,"longitude":-122.08,"accuracy":5,"speed":0,"heading":-1,"altitude":5},"battery":{"level":0.79,"is_charging":false},"extras":{},"_":"&id=48241179&lat=37.42&lon=-122.08&timestamp=…&"},"device_id":"48241179"}
//
// device_id and location.timestamp are required; coords is the position.
// The "_" member repeats the position as a query string: its lat and lon
// are a further position of the record, moved with it. Other members are
// passed through and read for positions written as text. Raw is the body.
//
// The device is answered 200 with an empty body once its request is
// stored.
package osmand
