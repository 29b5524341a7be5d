package eval

import (
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	truth := &Truth{}
	truth.Actors = append(truth.Actors,
		struct {
			Source   string `json:"source"`
			Role     string `json:"role"`
			Detector string `json:"detector"`
		}{"dt-1", "drive-tester", "corridor"},
		struct {
			Source   string `json:"source"`
			Role     string `json:"role"`
			Detector string `json:"detector"`
		}{"dt-2", "drive-tester", "corridor"},
		struct {
			Source   string `json:"source"`
			Role     string `json:"role"`
			Detector string `json:"detector"`
		}{"fs-1", "capture", "fixed_site"},
	)
	truth.Decoys = append(truth.Decoys, struct {
		Source    string `json:"source"`
		Role      string `json:"role"`
		Mistake   string `json:"could_be_mistaken_for"`
		Protected int    `json:"protected_records"`
	}{"commuter-1", "rail-commuter", "corridor", 0}, struct {
		Source    string `json:"source"`
		Role      string `json:"role"`
		Mistake   string `json:"could_be_mistaken_for"`
		Protected int    `json:"protected_records"`
	}{"commuter-2", "rail-commuter", "corridor", 0})
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
