package geowarden

import "time"

// Alert is a suspected collection campaign: a pattern across records that
// no single record shows.
type Alert struct {
	Detector  string    `json:"detector"`
	Sources   []string  `json:"sources"`
	Zone      string    `json:"zone,omitempty"`
	ZoneName  string    `json:"zone_name,omitempty"`
	ZoneClass string    `json:"zone_class,omitempty"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Score     float64   `json:"score"`
	Severity  Severity  `json:"severity"`
	Reason    string    `json:"reason"`
	Evidence  Evidence  `json:"evidence"`
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
