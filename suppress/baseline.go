package suppress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// SARIFFingerprintKey is the key under which geowarden's SARIF results
// carry their fingerprint in partialFingerprints.
const SARIFFingerprintKey = "geowardenFingerprint/v1"

// baselineValue is one JSON value of a baseline file: a report, a single
// finding, or a SARIF log. Only the fingerprints are kept.
type baselineValue struct {
	Findings *[]struct {
		Fingerprint *string `json:"fingerprint"`
	} `json:"findings"`
	// Alerts: a report of detect --format json.
	Alerts *[]struct {
		Fingerprint *string `json:"fingerprint"`
	} `json:"alerts"`
	Fingerprint *string `json:"fingerprint"`
	Runs        *[]struct {
		Results []struct {
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

// ReadBaseline reads the fingerprints of a previous report, in any of the
// forms geowarden writes: a JSON report of `scan --format json` (an object
// with "findings"), newline-delimited findings of `scan --format ndjson`
// (an empty file is an empty baseline), or a SARIF log of `scan --format
// sarif`. Findings marked as suppressed in that report count like the
// others: they are all known. A value that is none of these, a finding
// without a fingerprint, or malformed JSON is an error naming name and the
// line.
func ReadBaseline(name string, r io.Reader) ([]Entry, error) {
	lr := &lineReader{r: r}
	dec := json.NewDecoder(lr)
	var out []Entry
	seen := map[string]bool{}
	add := func(fp *string, line int, what string) error {
		if fp == nil || *fp == "" {
			return &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: %s has no fingerprint (want the output of scan --format json, ndjson or sarif)", ErrSyntax, what)}
		}
		f, err := ParseFingerprint(*fp)
		if err != nil {
			return &ParseError{File: name, Line: line, Err: fmt.Errorf("%w (in %s)", err, what)}
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, Entry{Fingerprint: f, Kind: Baseline, File: name, Line: line})
		}
		return nil
	}
	for dec.More() {
		start := dec.InputOffset()
		line := lr.lineAt(start)
		var v baselineValue
		if err := dec.Decode(&v); err != nil {
			return nil, jsonError(name, lr, start, err)
		}
		switch {
		case v.Findings != nil:
			for i, f := range *v.Findings {
				if err := add(f.Fingerprint, line, fmt.Sprintf("findings[%d]", i)); err != nil {
					return nil, err
				}
			}
		case v.Alerts != nil:
			for i, a := range *v.Alerts {
				if err := add(a.Fingerprint, line, fmt.Sprintf("alerts[%d]", i)); err != nil {
					return nil, err
				}
			}
		case v.Runs != nil:
			for ri, run := range *v.Runs {
				for i, res := range run.Results {
					fp, ok := res.PartialFingerprints[SARIFFingerprintKey]
					if !ok {
						return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: runs[%d].results[%d] has no partialFingerprints %q", ErrSyntax, ri, i, SARIFFingerprintKey)}
					}
					if err := add(&fp, line, fmt.Sprintf("runs[%d].results[%d]", ri, i)); err != nil {
						return nil, err
					}
				}
			}
		default:
			if err := add(v.Fingerprint, line, "this JSON value"); err != nil {
				return nil, err
			}
		}
		lr.forget(dec.InputOffset())
	}
	// More stops at the end and at a stray closing bracket: Decode tells
	// which.
	var rest json.RawMessage
	if start, err := dec.InputOffset(), dec.Decode(&rest); err != io.EOF {
		return nil, jsonError(name, lr, start, err)
	}
	return out, nil
}

// jsonError turns a decoding error into a ParseError at its line.
// line is where the value being decoded starts, at byte start.
func jsonError(name string, lr *lineReader, start int64, err error) error {
	line := lr.lineAt(start)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case lr.err != nil:
		return &ParseError{File: name, Err: lr.err}
	case errors.As(err, &se):
		line = lr.lineAt(se.Offset)
	case errors.As(err, &te):
		line = lr.lineAt(start + te.Offset)
		what := te.Field
		if what == "" {
			what = "value"
		}
		err = fmt.Errorf("%s: unexpected JSON %s", what, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = errors.New("unexpected end of file")
	}
	if line < 1 {
		line = 1
	}
	return &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: not a geowarden report or findings: %w", ErrSyntax, err)}
}

// LoadBaseline reads the baseline file at path.
func LoadBaseline(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadBaseline(path, f)
}

// lineReader remembers where the lines it has read start, so that a
// decoder's byte offsets can be told as lines. Lines before the value
// being decoded are only counted.
type lineReader struct {
	r    io.Reader
	pos  int64   // bytes read
	base int     // newlines forgotten
	nl   []int64 // offsets of the newlines not forgotten
	err  error   // the read error, other than io.EOF
}

func (l *lineReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			l.nl = append(l.nl, l.pos+int64(i))
		}
	}
	l.pos += int64(n)
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}

// lineAt is the 1-based line of the byte at off.
func (l *lineReader) lineAt(off int64) int {
	return 1 + l.base + sort.Search(len(l.nl), func(i int) bool { return l.nl[i] >= off })
}

// forget drops the offsets of newlines before off.
func (l *lineReader) forget(off int64) {
	k := sort.Search(len(l.nl), func(i int) bool { return l.nl[i] >= off })
	l.base += k
	l.nl = append(l.nl[:0], l.nl[k:]...)
}
