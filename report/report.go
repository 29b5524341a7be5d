// Package report writes what a run found: findings of scan and sanitize,
// alerts of detect, in one of several formats (table, json, ndjson, sarif,
// html), one file per format.
//
// Reporters stream: a finding or an alert is written, or spooled, when it
// arrives, and only totals wait for Close. The table of alerts aligns its
// columns over every alert, so it keeps them until Close; alerts are few.
// What a report needs from the policy and the run comes in as plain data
// (Options, Summary, AlertSummary): report imports no other stage.
package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/suppress"
	"github.com/geowarden/geowarden/zone"
)

// Reporter writes findings in one format. Its methods are called from one
// goroutine.
type Reporter interface {
	// Finding is called for each reported finding, in input order. f is
	// valid only during the call.
	Finding(f *geowarden.Finding) error
	// Suppressed is called, in input order among the other findings, for a
	// finding that e suppresses and that the run lists anyway. f is valid
	// only during the call. Formats without a place for suppressed
	// findings ignore them.
	Suppressed(f *geowarden.Finding, e *suppress.Entry) error
	// Close writes what remains (totals, a document's end) and flushes. It
	// does not close the underlying writer.
	Close(s *Summary) error
}

// AlertReporter writes detect's alerts in one format. Its methods are
// called from one goroutine.
type AlertReporter interface {
	// Alert is called for each reported alert, in report order. a is valid
	// only during the call.
	Alert(a *geowarden.Alert) error
	// Suppressed is called, in report order among the other alerts, for an
	// alert that e suppresses and that the run lists anyway.
	Suppressed(a *geowarden.Alert, e *suppress.Entry) error
	// Close writes what remains and flushes. It does not close the
	// underlying writer.
	Close(s *AlertSummary) error
}

// Options is what reports need to know beyond the findings and the totals.
// Formats use the fields that concern them.
type Options struct {
	// Title is the title of an HTML page.
	Title string
	// Policy and Revision name the policy of the run (HTML headers).
	Policy, Revision string
	// Version is geowarden's version (SARIF driver, HTML generator).
	Version string
	// Rules are the policy's rules in policy order. SARIF lists those with
	// a severity, and adds a rule for each other rule a finding names.
	Rules []Rule
	// Zones are the protected zones an HTML page draws.
	Zones []*zone.Zone
	// Detectors orders the alert counts of a table summary; detectors not
	// listed are not counted there.
	Detectors []string
	// Dir is the folder SARIF artifact URIs are relative to; the current
	// folder when empty.
	Dir string
	// Now is when an HTML page says it was made; the time of the call to
	// New or NewAlerts when zero.
	Now time.Time
}

// Rule describes a policy rule for reports that list rules (SARIF).
type Rule struct {
	ID          string
	Description string
	Action      string // the action's name: drop, coarsen, block, ...
	Severity    geowarden.Severity
}

// A format is one report format: how to write findings and, when it can,
// alerts. The writer handed to the constructors buffers; reporters flush
// it in Close.
type format struct {
	name     string
	findings func(w *bufio.Writer, o *Options) (Reporter, error)
	alerts   func(w *bufio.Writer, o *Options) (AlertReporter, error) // nil: findings only
}

// formats are the report formats, in the order help texts list them. A
// new format is a file that defines one, and its line here.
var formats = []*format{&tableFormat, &jsonFormat, &ndjsonFormat, &sarifFormat, &htmlFormat}

// FindingFormats lists the names of the formats that write findings.
func FindingFormats() []string {
	var names []string
	for _, f := range formats {
		names = append(names, f.name)
	}
	return names
}

// AlertFormats lists the names of the formats that write alerts.
func AlertFormats() []string {
	var names []string
	for _, f := range formats {
		if f.alerts != nil {
			names = append(names, f.name)
		}
	}
	return names
}

func lookup(name string) *format {
	for _, f := range formats {
		if f.name == name {
			return f
		}
	}
	return nil
}

// bufSize is the size of the buffer between a reporter and its writer.
const bufSize = 64 << 10

// New returns a reporter of findings in the named format, writing to w.
func New(name string, w io.Writer, o *Options) (Reporter, error) {
	f := lookup(name)
	if f == nil {
		return nil, fmt.Errorf("report: unknown format %q (want %s)", name, orList(FindingFormats()))
	}
	return f.findings(bufio.NewWriterSize(w, bufSize), o.withDefaults())
}

// NewAlerts returns a reporter of alerts in the named format, writing to w.
func NewAlerts(name string, w io.Writer, o *Options) (AlertReporter, error) {
	f := lookup(name)
	if f == nil || f.alerts == nil {
		return nil, fmt.Errorf("report: unknown alert format %q (want %s)", name, orList(AlertFormats()))
	}
	return f.alerts(bufio.NewWriterSize(w, bufSize), o.withDefaults())
}

func (o *Options) withDefaults() *Options {
	c := Options{}
	if o != nil {
		c = *o
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	return &c
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
