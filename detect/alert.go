package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strings"

	"github.com/geowarden/geowarden"
)

// Detector names, as they appear in alerts and in the policy's detect
// section.
const (
	Corridor        = "corridor"
	Convergence     = "convergence"
	FixedSite       = "fixed_site"
	ProtectedSignal = "protected_signal"
	Volume          = "volume"
)

// Detectors lists the detector names in report order.
var Detectors = []string{Corridor, Convergence, FixedSite, ProtectedSignal, Volume}

func example(rec *geowarden.Record) geowarden.Example {
	return geowarden.Example{Lat: rec.Pos.Lat, Lon: rec.Pos.Lon, Time: rec.Time.UTC(), File: rec.Ref.File, Line: rec.Ref.Line}
}

// maxExamples caps the examples kept per alert.
const maxExamples = 5

func addExample(ex []geowarden.Example, rec *geowarden.Record) []geowarden.Example {
	if len(ex) < maxExamples {
		ex = append(ex, example(rec))
	}
	return ex
}

// fingerprint hashes the alert's stable key parts.
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func sourcesKey(s []string) string {
	s = slices.Clone(s)
	slices.Sort(s)
	return strings.Join(s, "\x1f")
}

func clamp01(x float64) float64 {
	switch {
	case x < 0 || x != x:
		return 0
	case x > 1:
		return 1
	}
	return x
}

func round(x, step float64) float64 {
	if step <= 0 {
		return x
	}
	inv := math.Round(1 / step)
	return math.Round(x*inv) / inv
}

// isSignal reports whether a record is a radio measurement rather than a
// plain position.
func isSignal(k geowarden.Kind) bool {
	switch k {
	case geowarden.KindCell, geowarden.KindWifi, geowarden.KindIoT, geowarden.KindRF:
		return true
	}
	return false
}
