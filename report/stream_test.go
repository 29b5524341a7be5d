package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/suppress"
)

// TestJSONAsEncoder: the json reports, written element by element, are
// the bytes json.Encoder writes for the whole document at once.
func TestJSONAsEncoder(t *testing.T) {
	encode := func(v any) []byte {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	type finding struct {
		geowarden.Finding
		Suppressed *suppression `json:"suppressed,omitempty"`
	}
	for _, sup := range []bool{false, true} {
		fs := sampleFindings()
		var list []finding
		var shown []geowarden.Finding
		for i := range fs {
			var e *suppress.Entry
			switch {
			case sup && i == 1:
				e = baselineEntry
			case sup && i == 3:
				e = ignoreEntry
			default:
				shown = append(shown, fs[i])
			}
			list = append(list, finding{fs[i], suppressionOf(e)})
		}
		var ss *SuppressedSummary
		if sup {
			ss = sampleSuppressed()
		}
		want := encode(struct {
			Findings []finding `json:"findings"`
			Summary  *Summary  `json:"summary"`
		}{list, sampleSummary(shown, ss)})
		if got := writeFindings(t, "json", fs, sup); !bytes.Equal(got, want) {
			t.Errorf("findings (suppressed %v):\ngot  %s\nwant %s", sup, got, want)
		}
	}
	as := sampleAlerts()
	list := []alertJSON{{&as[0], nil}, {&as[1], suppressionOf(ignoreEntry)}, {&as[2], nil}}
	want := encode(struct {
		Alerts  []alertJSON   `json:"alerts"`
		Summary *AlertSummary `json:"summary"`
	}{list, sampleAlertSummary(2, sampleSuppressed())})
	if got := writeAlerts(t, "json", as); !bytes.Equal(got, want) {
		t.Errorf("alerts:\ngot  %s\nwant %s", got, want)
	}
}

// TestSARIFSpool: results spooled to a temporary file make the same log
// as results kept in memory, and the file is gone after Close.
func TestSARIFSpool(t *testing.T) {
	want := writeFindings(t, "sarif", sampleFindings(), true)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	defer func(n int) { spoolMemory = n }(spoolMemory)
	spoolMemory = 100
	got := writeFindings(t, "sarif", sampleFindings(), true)
	if !bytes.Equal(got, want) {
		t.Errorf("spooled log differs from the log kept in memory:\ngot  %s\nwant %s", got, want)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	// A run that fails never closes its reporter.
	r, err := New("sarif", &bytes.Buffer{}, sampleOptions())
	if err != nil {
		t.Fatal(err)
	}
	fs := sampleFindings()
	for i := range fs {
		if err := r.Finding(&fs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 && runtime.GOOS != "windows" {
		t.Errorf("left behind by a reporter never closed: %v", left)
	}
}

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// TestStreaming: reporters of findings hand findings on before Close (all
// but SARIF, which spools them), so a report of any size needs no more
// memory than its buffer.
func TestStreaming(t *testing.T) {
	fs := sampleFindings()
	for _, name := range FindingFormats() {
		t.Run(name, func(t *testing.T) {
			var w countingWriter
			r, err := New(name, &w, sampleOptions())
			if err != nil {
				t.Fatal(err)
			}
			start := w.n
			for i := range 4000 {
				if err := r.Finding(&fs[i%len(fs)]); err != nil {
					t.Fatal(err)
				}
			}
			if name != "sarif" && w.n-start < bufSize {
				t.Errorf("%d bytes written before Close after 4000 findings; want them streamed", w.n-start)
			}
			before := w.n
			if err := r.Close(sampleSummary(fs, nil)); err != nil {
				t.Fatal(err)
			}
			if name == "sarif" && w.n-before < 4000*500 {
				t.Errorf("sarif: %d bytes written by Close; want every result", w.n-before)
			}
		})
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := New("xml", &bytes.Buffer{}, nil); err == nil || !strings.Contains(err.Error(), "table, json, ndjson, sarif or html") {
		t.Errorf("New(xml): %v", err)
	}
	if _, err := NewAlerts("sarif", &bytes.Buffer{}, nil); err == nil || !strings.Contains(err.Error(), "table, json, ndjson or html") {
		t.Errorf("NewAlerts(sarif): %v", err)
	}
}

// ExampleNew writes two findings as newline-delimited JSON.
func ExampleNew() {
	r, err := New("ndjson", os.Stdout, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range []geowarden.Finding{
		{File: "a.csv", Line: 2, Kind: "cell", Zones: []string{"rail-1"}, Rule: "rail", Action: "drop", Severity: geowarden.SeverityHigh},
		{File: "a.csv", Line: 9, Kind: "wifi", Signals: []string{"wifi-private"}, Rule: "wifi", Action: "pseudonymise", Severity: geowarden.SeverityMedium},
	} {
		f.SetFingerprint()
		r.Finding(&f)
	}
	r.Close(NewSummary("default", ""))
	// Output:
	// {"file":"a.csv","line":2,"kind":"cell","zones":["rail-1"],"signals":null,"rule":"rail","action":"drop","severity":"high","fingerprint":"40cf0e786b3a317fbcc38fd0"}
	// {"file":"a.csv","line":9,"kind":"wifi","zones":null,"signals":["wifi-private"],"rule":"wifi","action":"pseudonymise","severity":"medium","fingerprint":"092014f00a6a865eec524756"}
}
