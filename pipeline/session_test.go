package pipeline

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/csv"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/verify"
)

// TestSessionMatchesRun: records handed to a Session one by one get the
// edits, counts and findings that a run over the same records as a CSV
// gives.
func TestSessionMatchesRun(t *testing.T) {
	r := testRunner(t)
	in := "lat,lon,source\n50.001,10.001,a\n45,3,b\n50.02,10.02,c\n-10,20,d\n"
	var runFindings []string
	st, err := r.Engine.Run(context.Background(), csv.Codec{}, strings.NewReader(in), nil, Options{
		Format:  format.Options{Name: "in.csv"},
		Finding: func(f *geowarden.Finding) { runFindings = append(runFindings, f.Rule+"/"+f.Source) },
	})
	if err != nil {
		t.Fatal(err)
	}
	var sesFindings []string
	s := r.Engine.NewSession(Options{Finding: func(f *geowarden.Finding) { sesFindings = append(sesFindings, f.Rule+"/"+f.Source) }})
	var drops []bool
	for i, line := range strings.Split(strings.TrimSpace(in), "\n")[1:] {
		parts := strings.Split(line, ",")
		lat, _ := strconv.ParseFloat(parts[0], 64)
		lon, _ := strconv.ParseFloat(parts[1], 64)
		rec := geowarden.Record{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: lon, Lat: lat}, Source: parts[2],
			Attrs: noAttrs{}, Ref: geowarden.Ref{File: "msg", Feature: i}}
		ed := s.Record(&rec)
		drops = append(drops, ed.Drop)
	}
	if got, want := s.Stats(), st; got.Records != want.Records || got.Dropped != want.Dropped || got.Kept != want.Kept || got.Findings != want.Findings {
		t.Errorf("session stats %+v, run stats %+v", got, want)
	}
	if want := []bool{true, false, true, false}; !slices.Equal(drops, want) {
		t.Errorf("drops %v, want %v", drops, want)
	}
	if strings.Join(sesFindings, " ") != strings.Join(runFindings, " ") || len(runFindings) != 2 {
		t.Errorf("session findings %v, run findings %v", sesFindings, runFindings)
	}
	if s.Blocked() != nil {
		t.Errorf("Blocked() = %v, want nil", s.Blocked())
	}
}

// TestSessionBlocked: a block rule sets Blocked.
func TestSessionBlocked(t *testing.T) {
	r := testRunner(t)
	p, err := policy.Parse("p", []byte("rules:\n  - id: stop\n    when: {source: evil}\n    action: block\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Classifier: r.Engine.Classifier, Policy: p}
	s := e.NewSession(Options{})
	rec := geowarden.Record{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 3, Lat: 45}, Source: "good", Attrs: noAttrs{}}
	s.Record(&rec)
	if s.Blocked() != nil {
		t.Fatalf("Blocked() after a kept record = %v", s.Blocked())
	}
	rec.Source = "evil"
	s.Record(&rec)
	var b *BlockedError
	if !errors.As(s.Blocked(), &b) || b.Rule != "stop" {
		t.Errorf("Blocked() = %v, want the rule stop", s.Blocked())
	}
}

// TestEngineCheck: the release check finds a position inside a protected
// zone in bytes of any shape, and passes bytes without one.
func TestEngineCheck(t *testing.T) {
	r := testRunner(t)
	for _, tc := range []struct {
		name, b string
		leak    bool
	}{
		{"query string in zone", "id=1&lat=50.001&lon=10.001&timestamp=1", true},
		{"json in zone", `{"_type":"location","lat":50.001,"lon":10.001}`, true},
		{"query string outside", "id=1&lat=45.0&lon=3.0", false},
		{"no position", "hello", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := r.Engine.Check([]byte(tc.b))
			if got := errors.Is(err, verify.ErrLeak); got != tc.leak {
				t.Errorf("Check(%q) = %v, want leak %v", tc.b, err, tc.leak)
			}
		})
	}
	// A policy that keeps positions written in text has no check.
	e := &Engine{Classifier: classify.New(r.Engine.Classifier.Index(), nil), Policy: r.Engine.Policy, Text: geowarden.TextKeep}
	if err := e.Check([]byte("lat=50.001&lon=10.001")); err != nil {
		t.Errorf("Check with text: keep = %v, want nil", err)
	}
}
