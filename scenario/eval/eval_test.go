package eval

import (
	"strings"
	"testing"

	"github.com/geowarden/geowarden/scenario"
)

func TestEvaluate(t *testing.T) {
	truth := &scenario.Truth{
		Actors: []scenario.Actor{
			{Source: "dt-1", Role: "drive-tester", Detector: "corridor"},
			{Source: "dt-2", Role: "drive-tester", Detector: "corridor"},
			{Source: "fs-1", Role: "capture", Detector: "fixed_site"},
		},
		Decoys: []scenario.Decoy{
			{Source: "commuter-1", Role: "rail-commuter", CouldBeMistakenFor: "corridor"},
			{Source: "commuter-2", Role: "rail-commuter", CouldBeMistakenFor: "corridor"},
		},
	}
	truth.Background = []string{"bg-1", "bg-2"}
	alerts, err := ReadAlerts(strings.NewReader(
		`{"detector":"corridor","sources":["dt-1"]}
{"detector":"corridor","sources":["data/per-source/commuter-1.csv"]}
{"detector":"corridor","sources":["bg-2"]}
{"detector":"corridor","sources":["fs-1"]}
{"alerts":[{"detector":"fixed_site","sources":["fs-1"]}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 5 {
		t.Fatalf("read %d alerts, want 5", len(alerts))
	}
	s := Evaluate(truth, alerts, []string{"corridor", "fixed_site"})
	c := s[0]
	if c.Actors != 2 || c.Found != 1 || c.Recall() != 0.5 || c.Decoys != 2 || c.DecoysFlagged != 1 ||
		c.DecoyRate() != 0.5 || c.BackgroundFlagged != 1 || c.OtherActors != 1 || c.Precision() != 1.0/3 {
		t.Errorf("corridor score %+v", c)
	}
	if f := s[1]; f.Found != 1 || f.Recall() != 1 || f.Precision() != 1 {
		t.Errorf("fixed_site score %+v", f)
	}
	var b strings.Builder
	if err := Print(&b, s); err != nil || !strings.Contains(b.String(), "corridor missed: dt-2 (drive-tester)") {
		t.Errorf("printed:\n%s", b.String())
	}
}
