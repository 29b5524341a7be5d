package detect

import (
	"fmt"
	"math"
	"slices"

	"github.com/geowarden/geowarden"
)

// protAgg gathers a source's records of one protected signal class.
type protAgg struct {
	records     int64
	first, last int64
	freqs       []float64 // distinct frequencies, at most maxFreqs
	examples    []geowarden.Example
}

const maxFreqs = 10

// protectedSignal counts rec for each protected signal class it belongs
// to; classes holds their ids.
func (e *Engine) protectedSignal(s *source, rec *geowarden.Record, classes []string) {
	for _, id := range classes {
		if s.protected == nil {
			s.protected = map[string]*protAgg{}
		}
		a := s.protected[id]
		if a == nil {
			a = &protAgg{}
			s.protected[id] = a
		}
		a.records++
		if !rec.Time.IsZero() {
			t := rec.Time.Unix()
			if a.first == 0 || t < a.first {
				a.first = t
			}
			a.last = max(a.last, t)
		}
		if f := rec.Signal.FreqMHz; f > 0 && len(a.freqs) < maxFreqs && !slices.Contains(a.freqs, f) {
			a.freqs = append(a.freqs, f)
		}
		if rec.Shape != geowarden.ShapeNone {
			a.examples = addExample(a.examples, rec)
		}
	}
}

func (e *Engine) protectedAlerts() []geowarden.Alert {
	c := &e.cfg.ProtectedSignal
	var out []geowarden.Alert
	for _, s := range e.sources {
		ids := make([]string, 0, len(s.protected))
		for id, a := range s.protected {
			if a.records >= int64(c.MinRecords) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			a := s.protected[id]
			slices.Sort(a.freqs)
			score := clamp01(0.6 + 0.1*math.Log10(float64(a.records)))
			al := geowarden.Alert{
				Detector: ProtectedSignal, Sources: []string{s.name},
				Score: round(score, 0.001), Severity: c.Severity,
				Evidence: geowarden.Evidence{Records: a.records, Signals: []string{id}, FreqMHz: a.freqs, Examples: a.examples},
			}
			if a.first != 0 {
				al.Start, al.End = unix(a.first), unix(a.last)
			}
			al.Reason = fmt.Sprintf("source %s logged %d record(s) of the protected signal class %s", s.name, a.records, id)
			if len(a.freqs) > 0 {
				al.Reason += fmt.Sprintf(" (frequencies %v MHz)", a.freqs)
			}
			al.Fingerprint = fingerprint(ProtectedSignal, s.name, id)
			out = append(out, al)
		}
	}
	return out
}
