package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"time"

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

// Alert is a suspected collection campaign: a pattern across records that
// no single record shows.
type Alert struct {
	Detector  string             `json:"detector"`
	Sources   []string           `json:"sources"`
	Zone      string             `json:"zone,omitempty"`
	ZoneName  string             `json:"zone_name,omitempty"`
	ZoneClass string             `json:"zone_class,omitempty"`
	Start     time.Time          `json:"start"`
	End       time.Time          `json:"end"`
	Score     float64            `json:"score"`
	Severity  geowarden.Severity `json:"severity"`
	Reason    string             `json:"reason"`
	Evidence  Evidence           `json:"evidence"`
	// Fingerprint is stable across runs: it depends on the detector, the
	// sources (or the zone and day for convergence) and the zone, not on
	// the order of the inputs or the time of the run.
	Fingerprint string `json:"fingerprint"`
}

// Evidence is what an alert rests on. Fields that do not apply to the
// detector are left out of the JSON.
type Evidence struct {
	Records       int64     `json:"records"`
	SignalRecords int64     `json:"signal_records,omitempty"`
	Days          int       `json:"days,omitempty"`
	DistanceKm    float64   `json:"distance_km,omitempty"`
	CorridorKm    float64   `json:"corridor_km,omitempty"`
	CoveredKm     float64   `json:"covered_km,omitempty"`
	CorridorShare float64   `json:"corridor_share,omitempty"`
	Lines         []string  `json:"lines,omitempty"`
	PassesPerDay  float64   `json:"passes_per_day,omitempty"`
	Sources       int       `json:"distinct_sources,omitempty"`
	Background    *float64  `json:"background,omitempty"`
	Regulars      int       `json:"regulars,omitempty"`
	DurationH     float64   `json:"duration_h,omitempty"`
	Stays         int       `json:"stays,omitempty"`
	ZoneDistanceM float64   `json:"zone_distance_m,omitempty"`
	Signals       []string  `json:"signal_classes,omitempty"`
	FreqMHz       []float64 `json:"freq_mhz,omitempty"`
	Bytes         int64     `json:"bytes,omitempty"`
	HistoryMedian float64   `json:"history_median,omitempty"`
	Examples      []Example `json:"examples,omitempty"`
}

// Example is one record behind an alert.
type Example struct {
	Lat  float64   `json:"lat"`
	Lon  float64   `json:"lon"`
	Time time.Time `json:"time,omitzero"`
	File string    `json:"file,omitempty"`
	Line int       `json:"line,omitempty"`
}

func example(rec *geowarden.Record) Example {
	return Example{Lat: rec.Pos.Lat, Lon: rec.Pos.Lon, Time: rec.Time.UTC(), File: rec.Ref.File, Line: rec.Ref.Line}
}

// maxExamples caps the examples kept per alert.
const maxExamples = 5

func addExample(ex []Example, rec *geowarden.Record) []Example {
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
