package format

import "strings"

// A CoordName is what the name of a column or property says about the
// coordinate it holds, as ParseCoordName reads it.
type CoordName struct {
	// Axis is RoleLat or RoleLon.
	Axis Role
	// Stem is the rest of the name, lower case, without the axis word and
	// the separator before it: "" for lat, "dest" for dest_lat, DestLat
	// and dest-latitude. A latitude and a longitude with the same Stem
	// and E7 are one position.
	Stem string
	// E7 is set for values in units of 1e-7 degrees (latitudeE7, as in
	// exported location histories).
	E7 bool
}

// axisWords are the words, lower case, that end a coordinate name with a
// stem before them. The one-letter aliases x and y are names of their own
// only: as the end of a longer name (max_x, pixel_y) they rarely mean
// degrees.
var axisWords = []struct {
	w    string
	axis Role
}{
	{"latitude", RoleLat}, {"lat", RoleLat},
	{"longitude", RoleLon}, {"long", RoleLon}, {"lng", RoleLon}, {"lon", RoleLon},
}

// ParseCoordName reports whether name names a latitude or a longitude, and
// which. The rules, ignoring case:
//
//   - an alias of RoleLat or RoleLon (lat, latitude, y; lon, lng, long,
//     longitude, x) is one, with an empty stem;
//   - a stem, a separator ('_', '-', '.' or a blank) and one of the words
//     lat, latitude, lon, lng, long, longitude: dest_lat, start_lon,
//     home.latitude, origin-lng, gps lat;
//   - the same without a separator when the word begins with a capital
//     letter after a lower-case letter or a digit (camel case): destLat,
//     homeLongitude, GpsLatitude;
//   - any of these followed by E7, with or without '_' before it:
//     latitudeE7, longitudeE7, dest_lat_e7, the value in units of 1e-7
//     degrees.
//
// Anything else is not: along, flat, platform, colon, lat2.
func ParseCoordName(name string) (CoordName, bool) {
	var c CoordName
	n := strings.TrimSpace(name)
	low := strings.ToLower(n)
	if strings.HasSuffix(low, "e7") && len(low) > 2 {
		c.E7 = true
		n, low = n[:len(n)-2], low[:len(low)-2]
		if strings.HasSuffix(low, "_") {
			n, low = n[:len(n)-1], low[:len(low)-1]
		}
	}
	for _, r := range [...]Role{RoleLat, RoleLon} {
		for _, a := range aliases[r] {
			if low == a && (!c.E7 || len(a) > 1) {
				c.Axis = r
				return c, true
			}
		}
	}
	for _, aw := range axisWords {
		if !strings.HasSuffix(low, aw.w) || len(low) == len(aw.w) {
			continue
		}
		k := len(low) - len(aw.w)
		switch p := low[k-1]; {
		case p == '_' || p == '-' || p == '.' || p == ' ':
			c.Stem = strings.TrimRight(low[:k-1], "_-. ")
		case len(n) == len(low) && n[k] >= 'A' && n[k] <= 'Z' && (n[k-1] >= 'a' && n[k-1] <= 'z' || n[k-1] >= '0' && n[k-1] <= '9'):
			c.Stem = low[:k]
		default:
			continue
		}
		if c.Stem == "" {
			continue
		}
		c.Axis = aw.axis
		return c, true
	}
	return CoordName{}, false
}
