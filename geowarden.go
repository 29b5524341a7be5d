package geowarden

import (
	"fmt"
	"strings"
	"time"
)

// Point is a WGS-84 position, longitude first (as in GeoJSON).
type Point struct {
	Lon, Lat float64
}

// Kind says what a record is a measurement of.
type Kind uint8

// Record kinds.
const (
	KindFix     Kind = iota // a plain position fix
	KindCell                // a cellular measurement or cell-tower record
	KindWifi                // a Wi-Fi observation
	KindIoT                 // an IoT radio observation (LoRa, Zigbee, ...)
	KindRF                  // any other radio-frequency measurement
	KindImage               // a photo's position
	KindFeature             // a geographic feature (GeoJSON, KML placemark)
)

var kindNames = [...]string{"fix", "cell", "wifi", "iot", "rf", "image", "feature"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// ParseKind parses a kind name as written in policies and reports.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if strings.EqualFold(s, n) {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown record kind %q (want one of %s)", s, strings.Join(kindNames[:], ", "))
}

// Shape is the geometry a record carries.
type Shape uint8

// Record shapes.
const (
	ShapeNone  Shape = iota // no position at all (e.g. a CSV row with empty coordinates)
	ShapePoint              // one position: Record.Pos
	ShapeLine               // one or more polylines: Record.Lines
	ShapeArea               // one or more polygons: Record.Areas
)

// Signal holds the radio attributes of a record. Zero values mean unknown,
// except where a Has flag says otherwise.
type Signal struct {
	Radio       string  // GSM, UMTS, LTE, NR, CDMA, WIFI, ... as written in the input
	MCC         int     // mobile country code; 0 = unknown
	MNC         int     // mobile network code; valid only when HasMNC
	HasMNC      bool    //
	Area        int64   // LAC or TAC; 0 = unknown
	Cell        int64   // cell id; 0 = unknown
	FreqMHz     float64 // carrier frequency in MHz; 0 = unknown
	ARFCN       int     // (E/NR-)ARFCN; valid only when HasARFCN
	HasARFCN    bool    //
	Strength    float64 // RSSI/RSRP in dBm; valid only when HasStrength
	HasStrength bool
	SSID        string
	BSSID       string
}

// IsZero reports whether no signal attribute is known.
func (s *Signal) IsZero() bool {
	return s.Radio == "" && s.MCC == 0 && !s.HasMNC && s.Area == 0 && s.Cell == 0 &&
		s.FreqMHz == 0 && !s.HasARFCN && !s.HasStrength && s.SSID == "" && s.BSSID == ""
}

// Ref locates a record in its input, for findings and error messages.
type Ref struct {
	File    string // path as given by the user; "-" for standard input
	Line    int    // 1-based physical line where the record starts; 0 when not line-based
	Offset  int64  // byte offset of the record's first byte in the (decompressed) input
	Feature int    // 0-based feature index for feature formats; -1 when not applicable
}

// String formats the reference as file:line, file:#feature or file@offset.
func (r Ref) String() string {
	switch {
	case r.Line > 0:
		return fmt.Sprintf("%s:%d", r.File, r.Line)
	case r.Feature >= 0:
		return fmt.Sprintf("%s:#%d", r.File, r.Feature)
	default:
		return fmt.Sprintf("%s@%d", r.File, r.Offset)
	}
}

// Attrs gives access to a record's raw attributes by name: CSV columns by
// header name, GeoJSON properties by key. Names match case-insensitively.
// Values are returned as text (JSON strings unquoted, numbers as written).
type Attrs interface {
	Attr(name string) (value string, ok bool)
}

// Record is one observation read from an input. Codecs reuse a Record and
// its slices between calls: a Handler must not keep a pointer to it, or to
// anything it holds, after it returns.
type Record struct {
	Shape Shape
	Pos   Point       // the position (ShapePoint), or a representative vertex otherwise
	Lines [][]Point   // ShapeLine: the polylines, at least two points each
	Areas [][][]Point // ShapeArea: polygons, each an outer ring and holes

	// More holds the record's other positions, beyond Pos, Lines and
	// Areas: a row's further coordinate columns (dest_lat/dest_lon, a WKT
	// column), a feature's coordinate-like properties, a placemark's
	// LookAt or Camera, a photo's other GPS or XMP positions. The record
	// is classified and decided on all of them: one inside a zone decides
	// it.
	More []Point
	// Text holds positions written as text in the record's free-text
	// fields (descriptions, notes, comments). They do not decide the
	// record: one inside a protected zone is redacted, refused or kept as
	// the policy's text setting says, and the record is otherwise kept.
	Text []TextPos

	Alt, Accuracy       float64 // metres; valid when HasAlt / HasAccuracy
	HasAlt, HasAccuracy bool
	Time                time.Time // zero when unknown
	Kind                Kind
	Source              string // contributor, device or file
	Signal              Signal
	Attrs               Attrs // never nil
	Ref                 Ref
}

// TextPos is a position found in a free-text field of a record.
type TextPos struct {
	Pos Point
	// Field names the attribute the text is in (a column, a property, an
	// element such as "description"), as the codec knows it.
	Field string
	// Start and End are the byte offsets of the position's text within
	// the field's value (as the codec decoded it: XML entities resolved,
	// JSON strings unquoted).
	Start, End int
}

// Edit is what a Handler wants done to a record when the input is written
// back. The zero Edit keeps the record exactly as it was, byte for byte.
type Edit struct {
	// Drop removes the record from the output.
	Drop bool
	// Move replaces the record's coordinates: Pos for a point record,
	// Lines for a line record (each replacement polyline has at least two
	// points; an empty Lines with Move set means drop), and More (below)
	// for a record of any shape, ShapeNone included, when More is set.
	Move  bool
	Pos   Point
	Lines [][]Point
	// More replaces the record's other positions (Record.More), in
	// order and as many, when Move is set and More is not empty.
	More []Point
	// Redact lists the indexes in Record.Text of the text positions to
	// remove from their fields: the codec replaces each one's text (from
	// Start to End) with RedactedText.
	Redact []int
	// Retime replaces the record's time with Time.
	Retime bool
	Time   time.Time
	// Strip names attributes (raw names, or the roles "source", "ssid",
	// "bssid", "cell", "area", "mcc", "mnc", "time", ...) whose values are
	// removed: emptied in a CSV, deleted from GeoJSON properties.
	Strip []string
	// Set replaces attribute values (pseudonymisation), by the same names.
	Set []Attr
}

// Attr is a named attribute value.
type Attr struct {
	Name, Value string
}

// IsKeep reports whether the edit leaves the record unchanged.
func (e *Edit) IsKeep() bool {
	return !e.Drop && !e.Move && !e.Retime && len(e.Strip) == 0 && len(e.Set) == 0 && len(e.Redact) == 0
}

// RedactedText is what replaces a position redacted from free text.
const RedactedText = "[position removed]"

// TextMode says what happens to a position written in free text that lies
// in a protected zone.
type TextMode uint8

// Text modes.
const (
	TextRedact TextMode = iota // remove the position's text, keep the record (the default)
	TextRefuse                 // refuse the whole input, as a block rule does
	TextKeep                   // leave it; it is still reported
)

// Keep is the edit that leaves a record as it is.
var Keep = Edit{}
