// Package sanitize is the act stage: it turns a policy Decision on a
// classified record into the Edit a format codec applies when it writes the
// input back (drop, cut, coarsen, strip, pseudonymise). It reads nothing,
// writes nothing and builds no findings; package pipeline runs it between
// the policy and the codec. It imports no other stage: what it needs of
// the classify stage and the policy it declares as Classifier and Decider.
package sanitize

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"time"

	"github.com/geowarden/geowarden"
)

// metresPerDegree is the length of one degree of latitude on the sphere
// used for zones (zone.EarthRadius).
const metresPerDegree = 6371008.8 * math.Pi / 180

// CoarsenPoint snaps p to a grid of gridM metres: latitude to multiples of
// gridM metres, longitude to multiples of gridM metres at the snapped
// latitude. Snapping a snapped point gives the same point, so a coarsened
// output re-scans clean.
func CoarsenPoint(p geowarden.Point, gridM float64) geowarden.Point {
	if gridM <= 0 {
		return p
	}
	dLat := gridM / metresPerDegree
	k := math.Round(p.Lat / dLat)
	lat := k * dLat
	if lat > 90 {
		lat = (k - 1) * dLat
	} else if lat < -90 {
		lat = (k + 1) * dLat
	}
	c := math.Cos(lat * math.Pi / 180)
	if c < 1e-9 {
		return geowarden.Point{Lon: 0, Lat: round7(lat)}
	}
	dLon := dLat / c
	lon := math.Round(p.Lon/dLon) * dLon
	if lon > 180 {
		lon -= dLon
	} else if lon < -180 {
		lon += dLon
	}
	return geowarden.Point{Lon: round7(lon), Lat: round7(lat)}
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// CoarsenTime truncates t to a multiple of step (in UTC); a zero step or a
// zero time leaves it unchanged.
func CoarsenTime(t time.Time, step time.Duration) time.Time {
	if step <= 0 || t.IsZero() {
		return t
	}
	return t.Truncate(step)
}

// Pseudonym returns the keyed hash (HMAC-SHA-256, first 16 bytes in hex)
// that replaces a value. Equal values give equal pseudonyms under one key,
// so records can still be grouped; without the key they cannot be reversed
// or linked to other datasets. An empty value stays empty.
func Pseudonym(key []byte, value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// attrValue returns a record's value for an attribute name: the raw column
// or property first, then the record's parsed fields for role names.
func attrValue(rec *geowarden.Record, name string) string {
	if rec.Attrs != nil {
		if v, ok := rec.Attrs.Attr(name); ok {
			return v
		}
	}
	switch name {
	case "source":
		return rec.Source
	case "ssid":
		return rec.Signal.SSID
	case "bssid":
		return rec.Signal.BSSID
	}
	return ""
}
