// Package geosubmit is the geosubmit v2 protocol of the Mozilla Location
// Service (Ichnaea) for the gateway: reports of positions with the cell
// towers, Wi-Fi access points and Bluetooth beacons seen there, as
// collection apps post them to /v2/geosubmit, forwarded in the same form.
//
//	{"items": [{"timestamp": 1405602028568,
//	            "position": {"latitude": -22.7539192, "longitude": -43.4371081, "accuracy": 10.0, …},
//	            "cellTowers": [{"radioType": "lte", "mobileCountryCode": 208, "mobileNetworkCode": 1,
//	                            "locationAreaCode": 2, "cellId": 12345, "signalStrength": -51, …}],
//	            "wifiAccessPoints": [{"macAddress": "01:23:45:67:89:ab", "ssid": "…", "frequency": 2437, …}],
//	            "bluetoothBeacons": [{"macAddress": "ff:74:27:89:5a:77", "name": "beacon", …}]}]}
//
// # Messages
//
// An item (a report) is one fix and many radio observations, and a
// geowarden.Record has one position and one set of signal attributes. So
// each item becomes several messages, each a whole item of its own:
//
//   - the fix: the item with its three observation arrays emptied. Its
//     record is a fix at the item's position (none when the item has
//     none), with the item's time, altitude and accuracy.
//   - one message per observation: the item with only that observation
//     in its array. Its record is a cell (KindCell), Wi-Fi (KindWifi) or
//     Bluetooth (KindIoT, radio "bluetooth") record at the item's
//     position, with the observation's signal attributes: radio type,
//     MCC, MNC, area, cell id, channel (arfcn, read into a frequency with
//     format.FillFreq), frequency, SSID, MAC address (Signal.BSSID),
//     strength.
//
// So the policy decides each observation on its own, by the zones (at the
// item's position) and by the signal classes: a protected cell tower is
// removed from the item while the rest is kept, and a position inside a
// zone whose rules drop every kind drops the whole item. Each message
// being a whole item, what is forwarded of it is always a valid report
// that holds only what the policy let out.
//
// Wi-Fi access points whose SSID ends in "_nomap" (in any case, after
// JSON unescaping) are never forwarded: they make no message and are in
// none, whatever the policy.
//
// Every other member (connection, unknown fields) is kept in every
// message; its strings are read for positions written as text, and
// members named like coordinates are further positions of each record.
//
// # Forwarding
//
// Forward puts the messages of one item back together: messages of the
// same item that agree on everything but their observation (none was
// moved or edited apart from the others) become one item again, with
// their observations in their arrays in the order they came; an item
// whose messages all arrive unedited is forwarded byte for byte as the
// device sent it. Messages that were edited apart (a coarsened fix beside
// kept observations) go as items of their own. Items are posted as
// {"items":[…]}, up to MaxBatch items a request. Members of the body
// beside "items" are not forwarded.
//
// The device is answered 200 with an empty JSON object, as Ichnaea does.
//
// Refused (400): a body that is not strict JSON, no "items" array, an
// item, position or observation that is not an object, latitude without
// longitude, a coordinate out of range, a number where a string belongs
// or the other way round, a code (MCC, MNC, area, cell id) that is not an
// integer between -1 and 2^40, more than MaxItems items or
// MaxObservations observations in an item.
package geosubmit
