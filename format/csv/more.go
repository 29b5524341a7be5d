package csv

import (
	"fmt"
	"slices"

	"github.com/geowarden/geowarden/format"
)

// This file holds the header rules for a row's other positions: further
// coordinate column pairs and geometry columns (doc.go, "Other
// positions").

// pair is a latitude column and a longitude column read together.
type pair struct {
	lat, lon int
	e7       bool // integer values in units of 1e-7 degrees
}

// axis is what a header token says of a column.
type axis uint8

const (
	axisNone axis = iota
	axisLat
	axisLon
)

// coordName is a header name read by the pair rules: its axis, whether its
// values are E7 integers, and its key (the tokens around the axis token),
// which its partner must share.
type coordName struct {
	axis axis
	e7   bool
	key  string
}

// tokens splits a header name as written into lower-case words
// (format.NameWords): at every byte that is not a letter or a digit,
// between a lower-case and an upper-case letter (homeLat), before the last
// capital of an acronym followed by a word (GPSLatitude), and between
// letters and digits (lat1). A trailing "e" before "7" stays with the 7
// ("latitudeE7", "lat_e7", "latitudee7" all end in the token "e7").
func tokens(name string) []string { return format.NameWords(name) }

// readCoordName applies the pair rules (format.ParseCoordName, shared with
// GeoJSON properties) to a header name as written. A name is a coordinate
// name when exactly one of its tokens is lat or latitude (latitude), or
// lon, lng, long or longitude (longitude), optionally followed by the
// token e7; the other tokens form its key. The whole names x and y are
// coordinate names with the key "xy".
func readCoordName(name string) coordName {
	cn, ok := format.ParseCoordName(name)
	switch {
	case !ok:
		return coordName{}
	case cn.Axis == format.RoleLat:
		return coordName{axis: axisLat, e7: cn.E7, key: cn.Key}
	}
	return coordName{axis: axisLon, e7: cn.E7, key: cn.Key}
}

// geometryNames are the header tokens that name a geometry column.
var geometryNames = []string{"wkt", "ewkt", "wkb", "ewkb", "geom", "geometry", "geog", "geography"}

// isGeometryName reports whether a header name names a geometry column:
// its last word, after any words of digits, is wkt, ewkt, wkb, ewkb, geom,
// geometry, geog or geography (WKT, the_geom, wkb_geometry, geom_4326,
// startGeom; not geometry_type).
func isGeometryName(name string) bool {
	toks := tokens(name)
	for len(toks) > 0 && toks[len(toks)-1][0]-'0' < 10 {
		toks = toks[:len(toks)-1]
	}
	return len(toks) > 0 && slices.Contains(geometryNames, toks[len(toks)-1])
}

// findPairs applies the pair rules to a header (names as written) whose
// primary latitude and longitude columns are lat and lon (-1 when none).
// It returns the further pairs, ordered by their first column, and marks
// their columns in used. Coordinate names with the same key pair up in
// column order when there are as many latitudes as longitudes. Where the
// counts differ: for the key of the plain names (lat, latitude, lon, ...)
// the header repeats a role's column, an error naming both columns; x or y
// alone is no coordinate; for any other key, columns of a key with only
// latitudes or only longitudes are no coordinates, and a key with some of
// each but not as many is an error.
func findPairs(names []string, lat, lon int, used []bool) ([]pair, error) {
	type side struct{ lat, lon []int }
	groups := map[string]*side{}
	var keys []string
	var e7 = map[string]bool{}
	for i, n := range names {
		if i == lat || i == lon {
			continue
		}
		cn := readCoordName(n)
		if cn.axis == axisNone {
			continue
		}
		g := groups[cn.key]
		if g == nil {
			g = &side{}
			groups[cn.key] = g
			keys = append(keys, cn.key)
			e7[cn.key] = cn.e7
		}
		if cn.axis == axisLat {
			g.lat = append(g.lat, i)
		} else {
			g.lon = append(g.lon, i)
		}
	}
	var pairs []pair
	for _, k := range keys {
		g := groups[k]
		if len(g.lat) == len(g.lon) {
			for j := range g.lat {
				pairs = append(pairs, pair{lat: g.lat[j], lon: g.lon[j], e7: e7[k]})
			}
			continue
		}
		plain := k == "|"
		switch {
		case k == "xy":
			continue
		case !plain && (len(g.lat) == 0 || len(g.lon) == 0):
			continue
		}
		// Name the first column left over and the one it repeats.
		what, extra, first := "latitude", -1, -1
		if len(g.lat) > len(g.lon) {
			extra, first = g.lat[len(g.lon)], g.lat[0]
			if plain && lat >= 0 {
				first = lat
			}
		} else {
			what = "longitude"
			extra, first = g.lon[len(g.lat)], g.lon[0]
			if plain && lon >= 0 {
				first = lon
			}
		}
		if first == extra {
			return nil, fmt.Errorf("csv: column %q (column %d) is a %s with no %s column to pair with", names[extra], extra+1, what, other(what))
		}
		return nil, fmt.Errorf("csv: the header repeats the %s column: %q (column %d) and %q (column %d), with no %s column to pair the second with",
			what, names[first], first+1, names[extra], extra+1, other(what))
	}
	slices.SortFunc(pairs, func(a, b pair) int { return min(a.lat, a.lon) - min(b.lat, b.lon) })
	for _, p := range pairs {
		used[p.lat], used[p.lon] = true, true
	}
	return pairs, nil
}

func other(what string) string {
	if what == "latitude" {
		return "longitude"
	}
	return "latitude"
}
