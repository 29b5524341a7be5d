package osm

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/osm"
)

// Selection chooses OpenStreetMap elements by one tag key and, optionally,
// a list of its values, and says what zones they become.
type Selection struct {
	// Key is the tag key, such as "railway" or "disused:railway".
	Key string
	// Values are the accepted values of Key; empty means any value
	// ("key=*") except "no" and the lifecycle values (see Lifecycle).
	Values []string
	// Class is the zone class of the selected elements; empty means the
	// default for the key and value (see DefaultClass).
	Class string
	// BufferM, in metres, is the half-width of the corridors, the radius
	// of the circles and the growth of the areas made from the selected
	// elements; 0 means the defaults (see DefaultBuffer).
	BufferM float64
}

// Limits on selection expressions. OSM itself caps keys and values at 255
// characters.
const (
	MaxKeyLen    = 255
	MaxValueLen  = 255
	MaxValues    = 1000
	MaxSelectLen = 64 << 10
)

// Lifecycle lists the values that mark something as no longer (or not yet)
// there: a "key=*" selection leaves elements with these values out, and a
// railway selection also leaves out elements tagged disused=yes,
// abandoned=yes, razed=yes... (the Lifecycle values as keys, set to "yes")
// or with a lifecycle-prefixed railway key (disused:railway=*, ...).
// An element with one of them is selected only by a selection that names
// the value, such as "railway=disused" (or, for a flagged railway, any
// lifecycle value: "railway=rail,disused" selects railway=rail with
// disused=yes).
var Lifecycle = []string{"abandoned", "construction", "demolished", "destroyed", "dismantled", "disused", "planned", "proposed", "razed", "removed", "was"}

// ParseSelection parses a selection expression: "KEY=VALUE[,VALUE...]",
// "KEY=*" or "KEY" (any value). White space around the key and the
// values is ignored. Examples: "railway=rail,light_rail,subway",
// "military=*", "landuse=military".
func ParseSelection(expr string) (Selection, error) {
	var s Selection
	if len(expr) > MaxSelectLen {
		return s, fmt.Errorf("osm: selection is %d bytes long; at most %d", len(expr), MaxSelectLen)
	}
	if !utf8.ValidString(expr) {
		return s, fmt.Errorf("osm: selection %q is not valid UTF-8", expr)
	}
	key, vals, hasVals := strings.Cut(expr, "=")
	key = strings.TrimSpace(key)
	if err := checkKey(key); err != nil {
		return s, fmt.Errorf("osm: selection %q: %w", expr, err)
	}
	s.Key = key
	if !hasVals {
		return s, nil
	}
	vals = strings.TrimSpace(vals)
	if vals == "*" {
		return s, nil
	}
	if vals == "" {
		return s, fmt.Errorf("osm: selection %q: no value after '=' (write %s=* for any value)", expr, key)
	}
	parts := strings.Split(vals, ",")
	if len(parts) > MaxValues {
		return s, fmt.Errorf("osm: selection %q: %d values; at most %d", expr, len(parts), MaxValues)
	}
	for i, v := range parts {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			return s, fmt.Errorf("osm: selection %q: value %d is empty", expr, i+1)
		case v == "*":
			return s, fmt.Errorf("osm: selection %q: '*' stands alone (%s=*)", expr, key)
		case len(v) > MaxValueLen:
			return s, fmt.Errorf("osm: selection %q: value %d is %d bytes long; at most %d", expr, i+1, len(v), MaxValueLen)
		case hasControl(v):
			return s, fmt.Errorf("osm: selection %q: value %d holds a control character", expr, i+1)
		}
		if !slices.Contains(s.Values, v) {
			s.Values = append(s.Values, v)
		}
	}
	return s, nil
}

func checkKey(key string) error {
	switch {
	case key == "":
		return errors.New("no tag key (want KEY=VALUE, KEY=* or KEY)")
	case len(key) > MaxKeyLen:
		return fmt.Errorf("key is %d bytes long; at most %d", len(key), MaxKeyLen)
	case strings.ContainsAny(key, "*,"):
		return fmt.Errorf("key %q holds '*' or ','", key)
	case strings.IndexFunc(key, unicode.IsSpace) >= 0:
		return fmt.Errorf("key %q holds white space", key)
	case hasControl(key):
		return fmt.Errorf("key %q holds a control character", key)
	}
	return nil
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// String returns the selection as an expression ParseSelection reads.
func (s Selection) String() string {
	if len(s.Values) == 0 {
		return s.Key + "=*"
	}
	return s.Key + "=" + strings.Join(s.Values, ",")
}

// Validate checks a selection built without ParseSelection.
func (s Selection) Validate() error {
	if err := checkKey(s.Key); err != nil {
		return fmt.Errorf("osm: selection %s: %w", s, err)
	}
	if len(s.Values) > MaxValues {
		return fmt.Errorf("osm: selection %s: %d values; at most %d", s.Key, len(s.Values), MaxValues)
	}
	for _, v := range s.Values {
		if v == "" || v == "*" {
			return fmt.Errorf("osm: selection %s: value %q", s, v)
		}
	}
	if s.BufferM < 0 || math.IsNaN(s.BufferM) || math.IsInf(s.BufferM, 0) || s.BufferM > 2e6 {
		return fmt.Errorf("osm: selection %s: buffer %v m must be a finite number from 0 to 2000 km", s, s.BufferM)
	}
	return nil
}

// matches reports whether tags select the element, and the selected value.
func (s *Selection) matches(tags osm.Tags) (string, bool) {
	v := tags.Find(s.Key)
	if v == "" {
		return "", false
	}
	if len(s.Values) > 0 {
		// A value named in the selection is selected, lifecycle or not,
		// except that a railway flagged disused=yes (or abandoned=yes,
		// disused:railway=*, ...) is selected only by a selection that
		// names a lifecycle value.
		if !slices.Contains(s.Values, v) {
			return "", false
		}
		if s.Key == "railway" && !slices.ContainsFunc(s.Values, isLifecycle) && lifecycleFlag(tags, s.Key) {
			return "", false
		}
		return v, true
	}
	if v == "no" || slices.Contains(Lifecycle, v) {
		return "", false
	}
	if s.Key == "railway" && lifecycleFlag(tags, s.Key) {
		return "", false
	}
	return v, true
}

func isLifecycle(v string) bool { return slices.Contains(Lifecycle, v) }

// lifecycleFlag reports whether tags hold disused=yes, abandoned=yes, ...,
// or a lifecycle-prefixed key, such as disused:railway=*.
func lifecycleFlag(tags osm.Tags, key string) bool {
	for _, t := range tags {
		if t.Value == "yes" && slices.Contains(Lifecycle, t.Key) {
			return true
		}
		if pre, k, ok := strings.Cut(t.Key, ":"); ok && k == key && t.Value != "no" && slices.Contains(Lifecycle, pre) {
			return true
		}
	}
	return false
}

// DefaultClass returns the zone class of an element selected by key=value
// when its selection names no class: railway → rail; military=*, and
// landuse=military → military; aeroway → airport; power → energy; any
// other → custom.
func DefaultClass(key, value string) string {
	switch {
	case key == "railway":
		return "rail"
	case key == "military", key == "landuse" && value == "military":
		return "military"
	case key == "aeroway":
		return "airport"
	case key == "power":
		return "energy"
	}
	return "custom"
}

// Default buffers, in metres.
const (
	DefaultRailBufferM  = 50  // half-width of a railway line's corridor
	DefaultLineBufferM  = 25  // half-width of any other line's corridor
	DefaultPointBufferM = 100 // radius of a node's circle
)

// DefaultBuffer returns the buffer of a zone made from an element selected
// by key, when its selection names none: corridors from railway lines 50 m,
// from other lines 25 m; circles from nodes 100 m; areas 0 (the area as
// drawn).
func DefaultBuffer(key string, kind Kind) float64 {
	switch kind {
	case KindLine:
		if key == "railway" {
			return DefaultRailBufferM
		}
		return DefaultLineBufferM
	case KindPoint:
		return DefaultPointBufferM
	}
	return 0
}

// Kind is what shape an element becomes.
type Kind uint8

// Element shapes.
const (
	KindPoint Kind = iota // a node: a circle
	KindLine              // a way that is not an area: a corridor
	KindArea              // a closed way that is an area, or a multipolygon relation
)
