// Package owntracks is the OwnTracks HTTP protocol for the gateway: the JSON
// messages the OwnTracks apps POST in HTTP mode, read as the OwnTracks
// Recorder reads them, and forwarded in the same form.
//
// # Messages
//
// A request body is one JSON object or an array of them (an empty body,
// or an empty array, is no message). Each object is a message, with its
// _type:
//
//   - location, transition, waypoint: lat and lon (numbers, or strings
//     holding a number, as the Recorder accepts) are the record's
//     position; tst its time (unix seconds); alt and acc its altitude and
//     accuracy; SSID and BSSID its Wi-Fi signal attributes (the record
//     stays a fix: the phone's Wi-Fi is where it is, not what it
//     surveys).
//   - any _type (waypoints, configuration, cmd …): every other pair of
//     members named like coordinates, at any depth (the waypoints of a
//     waypoints message, a configuration's waypoints), is a further
//     position of the record (Record.More). A message that holds a
//     position is a record, whatever its _type.
//   - a message with no position (card, lwt, steps, status …) is a Pass
//     message: forwarded as it is, but its strings are still read for
//     positions written as text (Record.Text), as are every message's.
//   - encrypted: refused unless the Protocol has the key (WithKey); with
//     it, the payload (libsodium secretbox, a 24-byte nonce then the box,
//     in base64; the key is the secret padded with zero bytes to 32, as
//     the apps pad it) is decrypted and the plaintext message read as
//     above. A kept message is forwarded as it came (the same
//     ciphertext); an edited one is encrypted again with the same key and
//     a fresh nonce.
//
// The device is named by the X-Limit-U and X-Limit-D headers, or the u
// and d query parameters (as the Recorder reads them), or the Basic-auth
// user name: Record.Source is "user/device". Without them it is the
// message's topic, else its tid. The user and device go into Meta and
// upstream as X-Limit-U and X-Limit-D.
//
// Refused (400): a body that is not strict JSON (duplicate member names
// included), an array element that is not an object, a message without a
// string _type, lat without lon, a coordinate out of range or not a
// number, a tst that is not a non-negative integer, an encrypted message
// with no key configured or that does not decrypt, more than MaxMessages
// messages.
//
// # Forwarding
//
// Each message goes upstream in its own POST, as the Recorder takes one
// message per request: a kept message byte for byte (an element of an
// array is forwarded as the object it was), an edited one with only its
// changed values rewritten. The device is answered 200 with an empty JSON
// array, [], once its request is stored (the Recorder answers with the
// friends' positions; geowarden sends none).
package owntracks
