package detect

import (
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/internal/policyfile"
)

// DecodeConfig decodes the detect section of a policy over Defaults and
// validates the result. name names the policy in errors (its path, for a
// policy loaded from a file); section is the section's value as the policy
// holds it (policy.Policy.Detect), nil when the policy has none. Decoding
// is strict, as for the rest of the policy: an unknown key, a key given
// twice or a value of the wrong kind is an error. Errors are of the
// policy's error type (policy.Error) and carry the line they are about.
func DecodeConfig(name string, section *yaml.Node) (Config, error) {
	c := Defaults()
	if section == nil {
		return c, nil
	}
	d := &policyfile.Decoder{Name: name}
	if policyfile.IsNull(d.Deref(section)) {
		return c, nil
	}
	m, err := d.Fields(section, "detect", Detectors...)
	if err != nil {
		return Config{}, err
	}
	for _, det := range Detectors {
		f, ok := m[det]
		if !ok || policyfile.IsNull(d.Deref(f.Val)) {
			continue
		}
		path := policyfile.Join("detect", det)
		ss := settings(&c, det)
		keys := make([]string, len(ss))
		for i, s := range ss {
			keys[i] = s.key
		}
		fm, err := d.Fields(f.Val, path, keys...)
		if err != nil {
			return Config{}, err
		}
		for _, s := range ss {
			f, ok := fm[s.key]
			if !ok {
				continue
			}
			if err := s.decode(d, f.Val, policyfile.Join(path, s.key)); err != nil {
				return Config{}, err
			}
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, d.Errf(section, "detect", "%s", strings.TrimPrefix(err.Error(), "detect: "))
	}
	return c, nil
}

// setting is one key of a detector's section.
type setting struct {
	key  string
	kind int // one of the setting kinds below
	ptr  any
}

const (
	sBool = iota
	sNumber
	sInt
	sDuration
	sDistance
	sBytes
	sClasses
	sSeverity
)

// settings lists the keys of a detector's section, each with where its
// value goes in c.
func settings(c *Config, detector string) []setting {
	switch detector {
	case Corridor:
		x := &c.Corridor
		return []setting{
			{"enabled", sBool, &x.Enabled}, {"zone_class", sClasses, &x.Classes},
			{"min_distance", sDistance, &x.MinKm}, {"min_share", sNumber, &x.MinShare},
			{"min_signal_share", sNumber, &x.MinSignalShare}, {"max_gap", sDuration, &x.MaxGap},
			{"min_score", sNumber, &x.MinScore}, {"severity", sSeverity, &x.Severity},
		}
	case Convergence:
		x := &c.Convergence
		return []setting{
			{"enabled", sBool, &x.Enabled}, {"zone_class", sClasses, &x.Classes},
			{"window", sDuration, &x.Window}, {"margin", sDistance, &x.MarginM},
			{"min_sources", sInt, &x.MinSources}, {"factor", sNumber, &x.Factor},
			{"severity", sSeverity, &x.Severity},
		}
	case FixedSite:
		x := &c.FixedSite
		return []setting{
			{"enabled", sBool, &x.Enabled}, {"zone_class", sClasses, &x.Classes},
			{"min_duration", sDuration, &x.MinDuration}, {"radius", sDistance, &x.RadiusM},
			{"max_distance", sDistance, &x.MaxDistanceM}, {"min_signal_share", sNumber, &x.MinSignalShare},
			{"min_signal_rate", sNumber, &x.MinSignalRate}, {"severity", sSeverity, &x.Severity},
		}
	case ProtectedSignal:
		x := &c.ProtectedSignal
		return []setting{
			{"enabled", sBool, &x.Enabled}, {"min_records", sInt, &x.MinRecords},
			{"severity", sSeverity, &x.Severity},
		}
	case Volume:
		x := &c.Volume
		return []setting{
			{"enabled", sBool, &x.Enabled}, {"factor", sNumber, &x.Factor},
			{"min_history_days", sInt, &x.MinHistoryDays}, {"min_records", sInt, &x.MinRecords},
			{"monthly_limit", sBytes, &x.MonthlyLimitBytes}, {"severity", sSeverity, &x.Severity},
		}
	}
	return nil
}

// decode reads the setting's value from n.
func (s setting) decode(d *policyfile.Decoder, n *yaml.Node, path string) error {
	if s.kind == sClasses {
		items, err := d.Strs(n, path, false)
		if err != nil {
			return err
		}
		*s.ptr.(*[]string) = policyfile.Values(items)
		return nil
	}
	v, err := d.Str(n, path)
	if err != nil {
		return err
	}
	v = strings.TrimSpace(v)
	switch s.kind {
	case sBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return d.Errf(n, path, "%q is not true or false", v)
		}
		*s.ptr.(*bool) = b
	case sNumber:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x != x {
			return d.Errf(n, path, "%q is not a number", v)
		}
		*s.ptr.(*float64) = x
	case sInt:
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return d.Errf(n, path, "%q is not a whole number", v)
		}
		switch p := s.ptr.(type) {
		case *int:
			*p = int(x)
		case *int64:
			*p = x
		}
	case sDuration:
		t, err := time.ParseDuration(v)
		if err != nil {
			return d.Errf(n, path, "%q is not a duration (want such as 30m, 2h or 90s)", v)
		}
		*s.ptr.(*time.Duration) = t
	case sDistance:
		m, msg := policyfile.ParseDistance(v)
		if msg != "" {
			return d.Errf(n, path, "%s", msg)
		}
		if s.key == "min_distance" {
			m /= 1000 // stored in km
		}
		*s.ptr.(*float64) = m
	case sBytes:
		b, msg := policyfile.ParseBytes(v)
		if msg != "" {
			return d.Errf(n, path, "%s", msg)
		}
		*s.ptr.(*int64) = b
	case sSeverity:
		sev, err := geowarden.ParseSeverity(v)
		if err != nil {
			return d.Errf(n, path, "%v", err)
		}
		*s.ptr.(*geowarden.Severity) = sev
	}
	return nil
}
