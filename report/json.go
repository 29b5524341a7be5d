package report

import (
	"bufio"
	"bytes"
	"encoding/json"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/suppress"
)

var jsonFormat = format{name: "json", findings: newJSON, alerts: newAlertJSON}

// Interface guards.
var (
	_ Reporter      = (*jsonReporter)(nil)
	_ AlertReporter = (*alertJSONReporter)(nil)
)

// jsonDoc writes one indented JSON object {key: [elements...], "summary":
// summary} element by element, exactly as json.Encoder with
// SetIndent("", "  ") writes the whole object.
type jsonDoc struct {
	w   *bufio.Writer
	key string
	n   int
	ind bytes.Buffer
}

// elemPrefix starts the lines of an element of the array: two levels deep.
const elemPrefix = "    "

// add writes an element given as compact JSON.
func (d *jsonDoc) add(compact []byte) error {
	if d.n == 0 {
		d.w.WriteString("{\n  \"" + d.key + "\": [\n" + elemPrefix)
	} else {
		d.w.WriteString(",\n" + elemPrefix)
	}
	d.n++
	d.ind.Reset()
	if err := json.Indent(&d.ind, compact, elemPrefix, "  "); err != nil {
		return err
	}
	_, err := d.w.Write(d.ind.Bytes())
	return err
}

// close writes the end of the array, the summary and the end of the
// object, and flushes.
func (d *jsonDoc) close(summary any) error {
	if d.n == 0 {
		d.w.WriteString("{\n  \"" + d.key + "\": [],\n  \"summary\": ")
	} else {
		d.w.WriteString("\n  ],\n  \"summary\": ")
	}
	b, err := json.MarshalIndent(summary, "  ", "  ")
	if err != nil {
		return err
	}
	d.w.Write(b)
	d.w.WriteString("\n}\n")
	return d.w.Flush()
}

// jsonReporter writes {"findings": [...], "summary": {...}}, each finding
// as it comes.
type jsonReporter struct {
	doc jsonDoc
	buf []byte
}

func newJSON(w *bufio.Writer, _ *Options) (Reporter, error) {
	return &jsonReporter{doc: jsonDoc{w: w, key: "findings"}}, nil
}

func (r *jsonReporter) Finding(f *geowarden.Finding) error {
	return r.Suppressed(f, nil)
}

func (r *jsonReporter) Suppressed(f *geowarden.Finding, e *suppress.Entry) error {
	var err error
	if r.buf, err = appendFinding(r.buf[:0], f, e); err != nil {
		return err
	}
	return r.doc.add(r.buf)
}

func (r *jsonReporter) Close(s *Summary) error { return r.doc.close(s) }

// appendFinding appends f as one compact JSON object, marked as
// suppressed by e when e is not nil.
func appendFinding(b []byte, f *geowarden.Finding, e *suppress.Entry) ([]byte, error) {
	b = f.AppendJSON(b)
	if e == nil {
		return b, nil
	}
	sup, err := json.Marshal(suppressionOf(e))
	if err != nil {
		return b, err
	}
	b = append(append(b[:len(b)-1], `,"suppressed":`...), sup...)
	return append(b, '}'), nil
}

// alertJSON is an alert of a report; Suppressed is set only for the
// suppressed alerts a run lists anyway.
type alertJSON struct {
	*geowarden.Alert
	Suppressed *suppression `json:"suppressed,omitempty"`
}

// alertJSONReporter writes {"alerts": [...], "summary": {...}}.
type alertJSONReporter struct {
	doc jsonDoc
}

func newAlertJSON(w *bufio.Writer, _ *Options) (AlertReporter, error) {
	return &alertJSONReporter{doc: jsonDoc{w: w, key: "alerts"}}, nil
}

func (r *alertJSONReporter) Alert(a *geowarden.Alert) error { return r.Suppressed(a, nil) }

func (r *alertJSONReporter) Suppressed(a *geowarden.Alert, e *suppress.Entry) error {
	b, err := json.Marshal(alertJSON{a, suppressionOf(e)})
	if err != nil {
		return err
	}
	return r.doc.add(b)
}

func (r *alertJSONReporter) Close(s *AlertSummary) error { return r.doc.close(s) }
