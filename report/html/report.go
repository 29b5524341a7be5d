package html

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
)

// Kind says what an item is.
type Kind string

// Item kinds.
const (
	KindFinding Kind = "finding" // a record a policy rule with a severity matched
	KindAlert   Kind = "alert"   // a collection campaign a detector raised
)

// Header is what a report says about itself. It is written first.
type Header struct {
	Title          string    // the page's title; "geowarden report" when empty
	Generated      time.Time // when the report was made
	Generator      string    // the program and version that made it, e.g. "geowarden v1.2.0"
	Policy         string    // the policy's name (its file, or "default")
	PolicyRevision string    // the policy's revision hash
}

// Summary is what the run did. Counts that do not apply stay zero.
type Summary struct {
	Files      int              // inputs read
	Records    int64            // records read
	Findings   int64            // records with a finding
	Alerts     int64            // campaign alerts
	Bad        int64            // records that could not be parsed and were skipped
	BySeverity map[string]int64 // items by severity name
	ByRule     map[string]int64 // items by rule or detector
	Skipped    []Skipped        // inputs not read, with the reason
	Errors     []string         // errors, one per failed input
}

// Skipped is an input the run did not read.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Zone is a protected zone as the map draws it.
type Zone struct {
	ID    string
	Name  string
	Class string // military, rail, airport, ...: picks the colour
	Set   string // the zone set it comes from
	// Shape is "area", "corridor" or "circle". Corridors are drawn BufferM
	// wide on each side of their lines and circles with radius BufferM; an
	// area's buffer is given in its description, not drawn.
	Shape   string
	BufferM float64
	// Geometry is a GeoJSON geometry (RFC 7946, longitude first): Polygon
	// or MultiPolygon for areas, LineString or MultiLineString for
	// corridors, Point or MultiPoint for circles.
	Geometry json.RawMessage
	// Vertices is the number of vertices of the zone's own geometry;
	// Geometry may hold fewer when it was simplified for display.
	Vertices int
}

// ZoneLayer is the zones a report draws.
type ZoneLayer struct {
	Zones []Zone
	// Omitted counts zones left out to keep the page small; the page says
	// so. Zones that items refer to are never left out.
	Omitted int
	// Tolerance is the Douglas-Peucker tolerance, in degrees, the zones
	// were simplified with; 0 when they are drawn as they are.
	Tolerance float64
}

// Item is one thing the report lists: a finding, or a campaign alert.
type Item struct {
	Kind     Kind
	Rule     string // the policy rule (finding) or detector (alert)
	Severity geowarden.Severity
	Zones    []string // ids of the zones involved
	File     string   // the input it was found in; "" when it spans inputs
	Line     int      // 1-based line in File; 0 when not line-based
	// Points are the record's position, or an alert's example locations.
	// Points outside WGS-84 range are listed but not drawn.
	Points      []geowarden.Point
	Start, End  time.Time // the record's time, or an alert's span; zero when unknown
	Action      string    // what the policy does: drop, coarsen, ...
	Fingerprint string    // stable id, for baselines and ignore files
	Reason      string    // plain-language explanation
	Sources     []string  // sources (devices, contributors) involved
	Score       float64   // an alert's score; 0 for findings
}

// FromFinding returns the report item of a finding.
func FromFinding(f *geowarden.Finding) Item {
	it := Item{
		Kind:        KindFinding,
		Rule:        f.Rule,
		Severity:    f.Severity,
		Zones:       f.Zones,
		File:        f.File,
		Line:        f.Line,
		Action:      f.Action,
		Fingerprint: f.Fingerprint,
	}
	if f.Lat != nil && f.Lon != nil {
		it.Points = []geowarden.Point{{Lon: *f.Lon, Lat: *f.Lat}}
	}
	if f.Time != nil {
		it.Start = *f.Time
	}
	if f.Source != "" {
		it.Sources = []string{f.Source}
	}
	var b strings.Builder
	b.WriteString(f.Kind)
	b.WriteString(" record")
	if len(f.Classes) > 0 {
		fmt.Fprintf(&b, " in %s zone", strings.Join(f.Classes, "/"))
	}
	if len(f.Signals) > 0 {
		fmt.Fprintf(&b, ", signal class %s", strings.Join(f.Signals, ", "))
	}
	if f.Line == 0 && f.Feature != nil {
		fmt.Fprintf(&b, ", feature #%d", *f.Feature)
	}
	if f.Detail != "" {
		b.WriteString(": ")
		b.WriteString(f.Detail)
	}
	it.Reason = b.String()
	return it
}

// Report is a whole report, for Write.
type Report struct {
	Header
	Summary Summary
	Zones   ZoneLayer
	Items   []Item
}

// Write writes r as one HTML page.
func Write(w io.Writer, r *Report) error {
	pw, err := NewWriter(w, &r.Header)
	if err != nil {
		return err
	}
	for i := range r.Items {
		if err := pw.Add(&r.Items[i]); err != nil {
			return err
		}
	}
	return pw.Close(&r.Summary, &r.Zones)
}

// ErrClosed is returned by Writer methods called after Close.
var ErrClosed = errors.New("html: report already closed")

// Writer streams a report: NewWriter writes the page's head, Add writes
// each item as it comes, and Close writes the summary, the zones and the
// scripts. It holds only the dictionaries of distinct strings in memory.
// A Writer is not safe for concurrent use.
type Writer struct {
	w      *bufio.Writer
	h      Header
	err    error
	closed bool
	n      int64
	buf    []byte

	kinds, rules, files, actions, reasons, zones, sources interner
	zoneLists, sourceLists                                listInterner
	zoneItems                                             map[string]int64
}

// NewWriter writes the head of the page to w and returns a Writer for the
// items.
func NewWriter(w io.Writer, h *Header) (*Writer, error) {
	pw := &Writer{w: bufio.NewWriterSize(w, 64<<10), h: *h, zoneItems: map[string]int64{}}
	if pw.h.Title == "" {
		pw.h.Title = "geowarden report"
	}
	if pw.h.Generated.IsZero() {
		pw.h.Generated = time.Now()
	}
	pw.h.Generated = pw.h.Generated.UTC()
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	pw.write(a.head)
	pw.write([]byte(html.EscapeString(pw.h.Title)))
	pw.write(a.style)
	pw.write(a.body)
	pw.write([]byte(`<script type="application/json" id="gw-items">[`))
	return pw, pw.err
}

func (pw *Writer) write(b []byte) {
	if pw.err == nil {
		_, pw.err = pw.w.Write(b)
	}
}

// Add writes one item. it is not retained.
func (pw *Writer) Add(it *Item) error {
	if pw.closed {
		return ErrClosed
	}
	if pw.err != nil {
		return pw.err
	}
	kind := it.Kind
	if kind == "" {
		kind = KindFinding
	}
	for _, z := range it.Zones {
		pw.zoneItems[z]++
	}
	b := pw.buf[:0]
	if pw.n > 0 {
		b = append(b, ',', '\n')
	}
	b = append(b, '[')
	// field appends an integer field and its comma.
	field := func(v int) {
		b = strconv.AppendInt(b, int64(v), 10)
		b = append(b, ',')
	}
	field(pw.kinds.id(string(kind)))
	field(pw.rules.id(it.Rule))
	field(int(it.Severity))
	field(pw.files.id(it.File))
	field(max(it.Line, 0))
	b = append(b, '[')
	for i, p := range it.Points {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNum(b, p.Lat, 1e6)
		b = append(b, ',')
		b = appendNum(b, p.Lon, 1e6)
	}
	b = append(b, ']', ',')
	b = append(appendTime(b, it.Start), ',')
	b = append(appendTime(b, it.End), ',')
	field(pw.actions.id(it.Action))
	field(pw.zoneLists.id(&pw.zones, it.Zones))
	b = append(appendString(b, it.Fingerprint), ',')
	field(pw.reasons.id(it.Reason))
	field(pw.sourceLists.id(&pw.sources, it.Sources))
	b = appendNum(b, it.Score, 1e4)
	b = append(b, ']')
	pw.buf = b
	pw.write(b)
	pw.n++
	return pw.err
}

// Items returns the number of items added so far.
func (pw *Writer) Items() int64 { return pw.n }

// ZoneItems returns the number of items added so far that name zone id.
func (pw *Writer) ZoneItems(id string) int64 { return pw.zoneItems[id] }

// Close writes the summary, the zones and the page's scripts, and flushes.
// The Writer is unusable afterwards.
func (pw *Writer) Close(s *Summary, zl *ZoneLayer) error {
	if pw.closed {
		return ErrClosed
	}
	pw.closed = true
	if pw.err != nil {
		return pw.err
	}
	pw.write([]byte("]</script>\n"))
	data, err := pw.data(s, zl)
	if err != nil {
		return err
	}
	pw.write([]byte(`<script type="application/json" id="gw-data">`))
	pw.write(data)
	pw.write([]byte("</script>\n"))
	a, err := loadAssets()
	if err != nil {
		return err
	}
	pw.write(a.tail)
	if pw.err == nil {
		pw.err = pw.w.Flush()
	}
	return pw.err
}

// pageZone is a Zone as the page reads it.
type pageZone struct {
	ID       string          `json:"id"`
	Name     string          `json:"name,omitempty"`
	Class    string          `json:"class"`
	Set      string          `json:"set,omitempty"`
	Shape    string          `json:"shape"`
	BufferM  float64         `json:"buffer_m,omitempty"`
	Vertices int             `json:"vertices"`
	Items    int64           `json:"items"`
	Geometry json.RawMessage `json:"geometry"`
}

func (pw *Writer) data(s *Summary, zl *ZoneLayer) ([]byte, error) {
	if s == nil {
		s = &Summary{}
	}
	if zl == nil {
		zl = &ZoneLayer{}
	}
	zones := make([]pageZone, 0, len(zl.Zones))
	for i := range zl.Zones {
		z := &zl.Zones[i]
		if !json.Valid(z.Geometry) {
			return nil, fmt.Errorf("html: zone %q: geometry is not valid JSON", z.ID)
		}
		if math.IsNaN(z.BufferM) || math.IsInf(z.BufferM, 0) {
			return nil, fmt.Errorf("html: zone %q: buffer %v is not a finite number", z.ID, z.BufferM)
		}
		zones = append(zones, pageZone{
			ID: z.ID, Name: z.Name, Class: z.Class, Set: z.Set, Shape: z.Shape,
			BufferM: z.BufferM, Vertices: z.Vertices, Items: pw.zoneItems[z.ID], Geometry: z.Geometry,
		})
	}
	nonNil := func(m map[string]int64) map[string]int64 {
		if m == nil {
			return map[string]int64{}
		}
		return m
	}
	skipped := s.Skipped
	if skipped == nil {
		skipped = []Skipped{}
	}
	errs := s.Errors
	if errs == nil {
		errs = []string{}
	}
	sev := make([]string, geowarden.SeverityCritical+1)
	for i := range sev {
		sev[i] = geowarden.Severity(i).String()
	}
	doc := map[string]any{
		"header": map[string]any{
			"title":           pw.h.Title,
			"generated":       pw.h.Generated.Format(time.RFC3339),
			"generator":       pw.h.Generator,
			"policy":          pw.h.Policy,
			"policy_revision": pw.h.PolicyRevision,
		},
		"summary": map[string]any{
			"files":       s.Files,
			"records":     s.Records,
			"findings":    s.Findings,
			"alerts":      s.Alerts,
			"bad":         s.Bad,
			"by_severity": nonNil(s.BySeverity),
			"by_rule":     nonNil(s.ByRule),
			"skipped":     skipped,
			"errors":      errs,
		},
		"severities": sev,
		"items":      pw.n,
		"dict": map[string]any{
			"kinds":        pw.kinds.strings(),
			"rules":        pw.rules.strings(),
			"files":        pw.files.strings(),
			"actions":      pw.actions.strings(),
			"reasons":      pw.reasons.strings(),
			"zones":        pw.zones.strings(),
			"zone_lists":   pw.zoneLists.lists(),
			"sources":      pw.sources.strings(),
			"source_lists": pw.sourceLists.lists(),
		},
		"zones":          zones,
		"zones_omitted":  zl.Omitted,
		"zone_tolerance": zl.Tolerance,
	}
	return json.Marshal(doc)
}

// interner numbers distinct strings in the order they are first seen.
type interner struct {
	ids  map[string]int
	list []string
}

func (in *interner) id(s string) int {
	if i, ok := in.ids[s]; ok {
		return i
	}
	if in.ids == nil {
		in.ids = map[string]int{}
	}
	in.ids[s] = len(in.list)
	in.list = append(in.list, s)
	return len(in.list) - 1
}

func (in *interner) strings() []string {
	if in.list == nil {
		return []string{}
	}
	return in.list
}

// listInterner numbers distinct lists of strings, each written as the
// list of the strings' numbers in an interner.
type listInterner struct {
	keys interner
	list [][]int
}

func (in *listInterner) id(strs *interner, ss []string) int {
	l := make([]int, len(ss))
	key := make([]byte, 0, 4*len(l))
	for i, s := range ss {
		l[i] = strs.id(s)
		key = strconv.AppendInt(key, int64(l[i]), 36)
		key = append(key, ',')
	}
	i := in.keys.id(string(key))
	if i == len(in.list) {
		in.list = append(in.list, l)
	}
	return i
}

func (in *listInterner) lists() [][]int {
	if in.list == nil {
		return [][]int{}
	}
	return in.list
}

// appendNum appends v rounded to 1/scale, or null when it is not finite.
func appendNum(b []byte, v, scale float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, math.Round(v*scale)/scale, 'f', -1, 64)
}

// appendTime appends t as seconds since 1970 (with milliseconds), or null.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, float64(t.UnixMilli())/1000, 'f', -1, 64)
}

// appendString appends s as a JSON string that is safe inside a script
// element: '<', '>' and '&' are escaped, as are U+2028 and U+2029.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
