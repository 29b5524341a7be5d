package geowarden

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Severity ranks findings. The zero value, SeverityNone, marks a rule that
// transforms records without reporting them.
type Severity uint8

// Severities, lowest first.
const (
	SeverityNone Severity = iota
	SeverityInfo
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"none", "info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// ParseSeverity parses a severity name.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[:], ", "))
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler: it reads the names
// MarshalText writes, so that severities round-trip through JSON, also
// as map keys.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ActionType is the kind of thing a rule does to a record or a file.
type ActionType uint8

// Action types.
const (
	ActKeep         ActionType = iota // leave the record as it is
	ActDrop                           // remove the record
	ActCoarsen                        // snap position to a grid and time to a step
	ActStrip                          // remove named attributes
	ActPseudonymise                   // replace named attributes by a keyed hash
	ActBlock                          // refuse the whole input
)

var actionNames = [...]string{"keep", "drop", "coarsen", "strip", "pseudonymise", "block"}

func (a ActionType) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "action(" + strconv.Itoa(int(a)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (a ActionType) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Action is a rule's action with its parameters.
type Action struct {
	Type ActionType
	// Coarsen: grid size in metres (0 = position unchanged) and time step
	// (0 = time unchanged).
	GridM    float64
	TimeStep time.Duration
	// Strip and Pseudonymise: the attribute names.
	Attrs []string
}

// Decision is the policy's verdict on one record.
type Decision struct {
	Rule     string // id of the rule that matched; "" for the policy default
	Action   Action
	Severity Severity
}

// Finding is a record that a rule with a severity matched.
type Finding struct {
	File     string     `json:"file"`
	Line     int        `json:"line,omitempty"`
	Feature  *int       `json:"feature,omitempty"`
	Offset   int64      `json:"offset,omitempty"`
	Lat      *float64   `json:"lat,omitempty"`
	Lon      *float64   `json:"lon,omitempty"`
	Time     *time.Time `json:"time,omitempty"`
	Kind     string     `json:"kind"`
	Source   string     `json:"source,omitempty"`
	Zones    []string   `json:"zones"`
	Classes  []string   `json:"zone_classes,omitempty"`
	Signals  []string   `json:"signals"`
	Rule     string     `json:"rule"`
	Action   string     `json:"action"`
	Severity Severity   `json:"severity"`
	// Fingerprint is stable across runs and machines: it depends on the
	// file's base name, the record's position in it, the rule and zones,
	// not on the time of the scan or the folder the file sits in.
	Fingerprint string `json:"fingerprint"`
	// Detail explains findings that are not about a single position, such
	// as a line cut at a zone's edge or a polygon dropped whole.
	Detail string `json:"detail,omitempty"`
}

// SetFingerprint computes f.Fingerprint from the finding's stable fields:
// the file's base name, line, feature index, position (7 decimals), rule,
// zones and signal classes.
func (f *Finding) SetFingerprint() {
	f.Fingerprint = f.fingerprint()
}
