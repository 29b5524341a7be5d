package report

import (
	"bufio"
	"encoding/json"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/suppress"
)

var ndjsonFormat = format{name: "ndjson", findings: newNDJSON, alerts: newAlertNDJSON}

// Interface guards.
var (
	_ Reporter      = (*ndjsonReporter)(nil)
	_ AlertReporter = (*alertNDJSON)(nil)
)

// ndjsonReporter writes one finding a line, as compact JSON, and no
// summary.
type ndjsonReporter struct {
	w   *bufio.Writer
	buf []byte
}

func newNDJSON(w *bufio.Writer, _ *Options) (Reporter, error) { return &ndjsonReporter{w: w}, nil }

func (r *ndjsonReporter) Finding(f *geowarden.Finding) error { return r.Suppressed(f, nil) }

func (r *ndjsonReporter) Suppressed(f *geowarden.Finding, e *suppress.Entry) error {
	var err error
	if r.buf, err = appendFinding(r.buf[:0], f, e); err != nil {
		return err
	}
	r.buf = append(r.buf, '\n')
	_, err = r.w.Write(r.buf)
	return err
}

func (r *ndjsonReporter) Close(*Summary) error { return r.w.Flush() }

// alertNDJSON writes one alert a line, and no summary.
type alertNDJSON struct {
	enc *json.Encoder
	w   *bufio.Writer
}

func newAlertNDJSON(w *bufio.Writer, _ *Options) (AlertReporter, error) {
	return &alertNDJSON{enc: json.NewEncoder(w), w: w}, nil
}

func (r *alertNDJSON) Alert(a *geowarden.Alert) error { return r.Suppressed(a, nil) }

func (r *alertNDJSON) Suppressed(a *geowarden.Alert, e *suppress.Entry) error {
	return r.enc.Encode(alertJSON{a, suppressionOf(e)})
}

func (r *alertNDJSON) Close(*AlertSummary) error { return r.w.Flush() }
