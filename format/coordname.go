package format

import (
	"strings"
	"unicode"
)

// A CoordName is what the name of a column or property says about the
// coordinate it holds, as ParseCoordName reads it.
type CoordName struct {
	// Axis is RoleLat or RoleLon.
	Axis Role
	// Key is made of the words of the name around the axis word: "|" for
	// lat, "dest|" for dest_lat, DestLat and dest-latitude, "|2" for lat2,
	// "xy" for x and y. A latitude and a longitude with the same Key are
	// one position.
	Key string
	// E7 is set for values in units of 1e-7 degrees (latitudeE7, as in
	// exported location histories). Key says it too.
	E7 bool
}

// ParseCoordName reports whether name names a latitude or a longitude, and
// which. A name is split into lower-case words at every character that is
// not a letter or a digit, between a lower-case and an upper-case letter
// (homeLat), before the last capital of an acronym followed by a word
// (GPSLatitude, as exiftool names its tags) and between letters and
// digits (lat1); an "e" before a final
// "7" goes with the 7 (latitudeE7, lat_e7, latitudee7 end in the word e7).
// It is a coordinate name when exactly one word is lat or latitude (a
// latitude) or lon, lng, long or longitude (a longitude), optionally
// followed by the word e7; the other words, before and after it, are its
// key:
//
//	lat, latitude; lon, lng, long, longitude   key "|"
//	dest_lat, dest_lon; destLat, dest-lng      key "dest|"
//	start_, end_, home_, origin_, stop_ ...    key "start|", ...
//	lat2, lon2                                 key "|2"
//	latitudeE7, longitudeE7                    key "||e7", E7
//	GPSLatitude, GPSLongitude                  key "gps|"
//
// The whole names x and y are a longitude and a latitude with the key
// "xy". A name with two axis words (latlon, lat_lon) is not one, nor is a
// name with none (plate, latency, dest_x, along, flat).
//
// These are the rules of CSV's further column pairs (format/csv), with
// the acronym rule added, so that a name means the same in every format.
func ParseCoordName(name string) (CoordName, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "x":
		return CoordName{Axis: RoleLon, Key: "xy"}, true
	case "y":
		return CoordName{Axis: RoleLat, Key: "xy"}, true
	}
	toks := NameWords(name)
	at := -1
	var ax Role
	for i, t := range toks {
		var a Role
		switch t {
		case "lat", "latitude":
			a = RoleLat
		case "lon", "lng", "long", "longitude":
			a = RoleLon
		default:
			continue
		}
		if at >= 0 {
			return CoordName{}, false // latlon, lat_or_lon: not one coordinate
		}
		at, ax = i, a
	}
	if at < 0 {
		return CoordName{}, false
	}
	e7 := at+1 < len(toks) && toks[at+1] == "e7"
	after := toks[at+1:]
	if e7 {
		after = toks[at+2:]
	}
	key := strings.Join(toks[:at], "_") + "|" + strings.Join(after, "_")
	if e7 {
		key += "|e7"
	}
	return CoordName{Axis: ax, Key: key, E7: e7}, true
}

// NameWords splits a column or property name into lower-case words: at
// every character that is not a letter or a digit, between a lower-case
// and an upper-case letter (homeLat), before the last capital of an
// acronym followed by a word (GPSLatitude) and between letters and digits
// (lat1); an "e" before a "7" goes with the 7 (latitudeE7, lat_e7 and
// latitudee7 end in the word e7).
func NameWords(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prev := rune(0)
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			prev = 0
			continue
		case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			// An acronym before a word: GPSLatitude.
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev),
			unicode.IsDigit(r) && unicode.IsLetter(prev),
			unicode.IsLetter(r) && unicode.IsDigit(prev):
			if unicode.IsDigit(r) && (prev == 'e' || prev == 'E') && len(cur) > 1 {
				// "latitudee7": the e goes with the 7.
				cur = cur[:len(cur)-1]
				flush()
				cur = append(cur, 'e')
			} else {
				flush()
			}
		}
		cur = append(cur, r)
		prev = r
	}
	flush()
	// "e" "7" (from "latE7") is the word "e7".
	for i := 0; i+1 < len(out); i++ {
		if out[i] == "e" && out[i+1] == "7" {
			out[i] = "e7"
			out = append(out[:i+1], out[i+2:]...)
		}
	}
	return out
}
