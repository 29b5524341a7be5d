package detect

import (
	"fmt"
	"time"

	"github.com/geowarden/geowarden"
)

// Config holds the settings of every detector. The zero value is not
// useful: start from Defaults and change what the policy's detect section
// names.
type Config struct {
	Corridor        CorridorConfig
	Convergence     ConvergenceConfig
	FixedSite       FixedSiteConfig
	ProtectedSignal ProtectedSignalConfig
	Volume          VolumeConfig
}

// CorridorConfig tunes the corridor detector: sources whose tracks follow
// corridor zones (rail lines) for long distances while recording signals.
type CorridorConfig struct {
	Enabled bool
	// Classes restricts the corridor zones to these classes; empty means
	// every corridor zone (a line buffered into a strip).
	Classes []string
	// MinKm is the least distance, in km, a source must cover inside
	// corridors (counting each stretch once).
	MinKm float64
	// MinShare is the least share of the source's track length, on the
	// days it travels in corridors, that lies inside them.
	MinShare float64
	// MinSignalShare is the least share of the source's records inside
	// corridors that are radio measurements (cell, wifi, iot, rf). Plain
	// position fixes never make a drive-test; 0 lets them.
	MinSignalShare float64
	// MaxGap is the longest time between two records of a source that
	// still joins them into one track.
	MaxGap time.Duration
	// MinScore is the score an alert needs (0..1).
	MinScore float64
	Severity geowarden.Severity
}

// ConvergenceConfig tunes the convergence detector: many distinct sources
// at one zone in one time window, far above the zone's own background.
type ConvergenceConfig struct {
	Enabled bool
	Classes []string // zone classes watched; empty means all
	// Window is the sliding window's length; it slides by a quarter of it.
	Window time.Duration
	// MarginM counts sources within this many metres of a zone as at it.
	MarginM float64
	// MinSources is the least number of distinct sources in a window.
	MinSources int
	// Factor is how far above the background a window must be: its
	// count must reach Factor times the background, which is the 90th
	// percentile of the zone's counts at the same time of day on the
	// other days of the data.
	Factor   float64
	Severity geowarden.Severity
}

// FixedSiteConfig tunes the fixed-site detector: a source that stays put
// near a zone for a long time while recording signals.
type FixedSiteConfig struct {
	Enabled bool
	Classes []string // zone classes watched; empty means all
	// MinDuration is the least time a stay must last.
	MinDuration time.Duration
	// RadiusM is the stay's radius: records within it of the stay's
	// centre belong to it.
	RadiusM float64
	// MaxDistanceM is how far from a zone the stay may be.
	MaxDistanceM float64
	// MinSignalShare is the least share of the stay's records that are
	// radio measurements.
	MinSignalShare float64
	// MinSignalRate is the least number of radio measurements an hour.
	MinSignalRate float64
	Severity      geowarden.Severity
}

// ProtectedSignalConfig tunes the protected-signal detector: records of
// the policy's protected signal classes, anywhere.
type ProtectedSignalConfig struct {
	Enabled bool
	// MinRecords is the least number of records of a class from one
	// source.
	MinRecords int
	Severity   geowarden.Severity
}

// VolumeConfig tunes the volume detector: a source whose daily volume
// jumps far above its own history, or whose monthly volume passes a limit.
type VolumeConfig struct {
	Enabled bool
	// Factor is how far above the median of the source's earlier days
	// (records or bytes) a day must be.
	Factor float64
	// MinHistoryDays is the least number of earlier active days a source
	// needs before a jump counts.
	MinHistoryDays int
	// MinRecords is the least number of records of a day that can jump.
	MinRecords int64
	// MonthlyLimitBytes, when positive, raises an alert for a source whose
	// bytes in one calendar month (UTC) pass it.
	MonthlyLimitBytes int64
	Severity          geowarden.Severity
}

// Defaults returns the settings used when a policy does not name them.
func Defaults() Config {
	return Config{
		Corridor: CorridorConfig{
			Enabled: true, MinKm: 20, MinShare: 0.6, MinSignalShare: 0.5,
			MaxGap: 10 * time.Minute, MinScore: 0.5, Severity: geowarden.SeverityHigh,
		},
		Convergence: ConvergenceConfig{
			Enabled: true, Window: time.Hour, MarginM: 200, MinSources: 10, Factor: 3,
			Severity: geowarden.SeverityHigh,
		},
		FixedSite: FixedSiteConfig{
			Enabled: true, MinDuration: 2 * time.Hour, RadiusM: 50, MaxDistanceM: 3000,
			MinSignalShare: 0.5, MinSignalRate: 60, Severity: geowarden.SeverityHigh,
		},
		ProtectedSignal: ProtectedSignalConfig{
			Enabled: true, MinRecords: 1, Severity: geowarden.SeverityHigh,
		},
		Volume: VolumeConfig{
			Enabled: true, Factor: 10, MinHistoryDays: 3, MinRecords: 1000,
			MonthlyLimitBytes: 500e9, Severity: geowarden.SeverityMedium,
		},
	}
}

// Validate reports the first setting that makes no sense.
func (c *Config) Validate() error {
	type check struct {
		ok   bool
		what string
	}
	for _, k := range []check{
		{c.Corridor.MinKm >= 0, "corridor.min_km must not be negative"},
		{c.Corridor.MinShare >= 0 && c.Corridor.MinShare <= 1, "corridor.min_share must be between 0 and 1"},
		{c.Corridor.MinSignalShare >= 0 && c.Corridor.MinSignalShare <= 1, "corridor.min_signal_share must be between 0 and 1"},
		{c.Corridor.MaxGap > 0, "corridor.max_gap must be positive"},
		{c.Corridor.MinScore >= 0 && c.Corridor.MinScore <= 1, "corridor.min_score must be between 0 and 1"},
		{c.Convergence.Window >= 4*time.Minute, "convergence.window must be at least 4m"},
		{c.Convergence.Window <= 7*24*time.Hour, "convergence.window must be at most a week"},
		{c.Convergence.MarginM >= 0, "convergence.margin must not be negative"},
		{c.Convergence.MinSources >= 2, "convergence.min_sources must be at least 2"},
		{c.Convergence.Factor >= 1, "convergence.factor must be at least 1"},
		{c.FixedSite.MinDuration > 0, "fixed_site.min_duration must be positive"},
		{c.FixedSite.RadiusM > 0, "fixed_site.radius must be positive"},
		{c.FixedSite.MaxDistanceM >= 0, "fixed_site.max_distance must not be negative"},
		{c.FixedSite.MinSignalShare >= 0 && c.FixedSite.MinSignalShare <= 1, "fixed_site.min_signal_share must be between 0 and 1"},
		{c.FixedSite.MinSignalRate >= 0, "fixed_site.min_signal_rate must not be negative"},
		{c.ProtectedSignal.MinRecords >= 1, "protected_signal.min_records must be at least 1"},
		{c.Volume.Factor > 1, "volume.factor must be more than 1"},
		{c.Volume.MinHistoryDays >= 1, "volume.min_history_days must be at least 1"},
		{c.Volume.MinRecords >= 0, "volume.min_records must not be negative"},
		{c.Volume.MonthlyLimitBytes >= 0, "volume.monthly_limit must not be negative"},
	} {
		if !k.ok {
			return fmt.Errorf("detect: %s", k.what)
		}
	}
	return nil
}
