package detect

import (
	"fmt"
	"slices"
	"time"

	"github.com/geowarden/geowarden"
)

// dayVolume is a source's volume on one UTC day.
type dayVolume struct {
	records, bytes int64
}

// historyDays is how far back, in days, a source's history reaches.
const historyDays = 28

func (s *source) addVolume(t, size int64) {
	if s.days == nil {
		s.days = map[int32]*dayVolume{}
	}
	d := day(t)
	v := s.days[d]
	if v == nil {
		v = &dayVolume{}
		s.days[d] = v
	}
	v.records++
	v.bytes += size
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func (e *Engine) volumeAlerts() []geowarden.Alert {
	c := &e.cfg.Volume
	var out []geowarden.Alert
	for _, s := range e.sources {
		if len(s.days) == 0 {
			continue
		}
		days := make([]int32, 0, len(s.days))
		for d := range s.days {
			days = append(days, d)
		}
		slices.Sort(days)
		type spike struct {
			first, last  int32
			records      int64
			bytes        int64
			peak, median float64
			bytesJump    bool
		}
		var spikes []spike
		for i, d := range days {
			v := s.days[d]
			var recs, bytes []float64
			for _, h := range days[:i] {
				if h >= d-historyDays {
					recs = append(recs, float64(s.days[h].records))
					bytes = append(bytes, float64(s.days[h].bytes))
				}
			}
			if len(recs) < c.MinHistoryDays || v.records < c.MinRecords {
				continue
			}
			mr, mb := median(recs), median(bytes)
			byRecords := float64(v.records) >= c.Factor*mr
			byBytes := mb > 0 && float64(v.bytes) >= c.Factor*mb
			if !byRecords && !byBytes {
				continue
			}
			if n := len(spikes); n > 0 && spikes[n-1].last == d-1 {
				sp := &spikes[n-1]
				sp.last = d
				sp.records += v.records
				sp.bytes += v.bytes
				if float64(v.records) > sp.peak {
					sp.peak = float64(v.records)
				}
				continue
			}
			spikes = append(spikes, spike{first: d, last: d, records: v.records, bytes: v.bytes,
				peak: float64(v.records), median: mr, bytesJump: byBytes && !byRecords})
		}
		for _, sp := range spikes {
			ratio := sp.peak / max(sp.median, 1)
			score := clamp01(0.5 + 0.25*(ratio/c.Factor-1))
			a := geowarden.Alert{
				Detector: Volume, Sources: []string{s.name},
				Start: unix(int64(sp.first) * 86400), End: unix(int64(sp.last+1) * 86400),
				Score: round(score, 0.001), Severity: c.Severity,
				Evidence: geowarden.Evidence{Records: sp.records, Bytes: sp.bytes, Days: int(sp.last-sp.first) + 1, HistoryMedian: sp.median},
			}
			a.Reason = fmt.Sprintf("source %s sent %.0f records on %s against a median of %.0f a day over its earlier days (%.0fx)",
				s.name, sp.peak, a.Start.Format("2006-01-02"), sp.median, ratio)
			if sp.bytesJump {
				a.Reason = fmt.Sprintf("source %s sent %d bytes from %s, far above its usual daily volume", s.name, sp.bytes, a.Start.Format("2006-01-02"))
			}
			a.Fingerprint = fingerprint(Volume, s.name, a.Start.Format("2006-01-02"))
			out = append(out, a)
		}
		if c.MonthlyLimitBytes > 0 {
			months := map[string]int64{}
			var keys []string
			for _, d := range days {
				m := unix(int64(d) * 86400).Format("2006-01")
				if _, ok := months[m]; !ok {
					keys = append(keys, m)
				}
				months[m] += s.days[d].bytes
			}
			for _, m := range keys {
				if months[m] <= c.MonthlyLimitBytes {
					continue
				}
				start, _ := time.Parse("2006-01", m)
				a := geowarden.Alert{
					Detector: Volume, Sources: []string{s.name},
					Start: start, End: start.AddDate(0, 1, 0),
					Score:    clamp01(0.5 + 0.5*(float64(months[m])/float64(c.MonthlyLimitBytes)-1)),
					Severity: c.Severity,
					Evidence: geowarden.Evidence{Bytes: months[m]},
				}
				a.Score = round(a.Score, 0.001)
				a.Reason = fmt.Sprintf("source %s sent %d bytes in %s, above the monthly limit of %d", s.name, months[m], m, c.MonthlyLimitBytes)
				a.Fingerprint = fingerprint(Volume, s.name, "month", m)
				out = append(out, a)
			}
		}
	}
	return out
}
