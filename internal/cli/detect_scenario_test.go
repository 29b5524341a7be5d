package cli_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/detect"
	"github.com/geowarden/geowarden/internal/cli"
	"github.com/geowarden/geowarden/scenario"
	"github.com/geowarden/geowarden/scenario/eval"
)

// TestDetectScenarios generates scenarios with several seeds (actors,
// decoys and background sources with ground truth), runs detect on them
// through the command line as a user would, and holds every detector to
// recall ≥ 0.9 and at most 10 % of its decoys flagged, with almost no
// background source flagged, over all seeds together and on each seed.
func TestDetectScenarios(t *testing.T) {
	seeds := []uint64{101, 202, 303, 404}
	if testing.Short() {
		seeds = seeds[:1]
	}
	total := map[string]*eval.Score{}
	background := 0
	for _, seed := range seeds {
		dir := t.TempDir()
		truth, err := scenario.Generate(dir, scenario.Config{Seed: seed, Days: 30, Scale: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		background += len(truth.Background)
		var out, errb bytes.Buffer
		args := []string{"detect", "--policy", filepath.Join(dir, "policy.yml"), "--format", "ndjson", "-q",
			filepath.Join(dir, "records.csv"), filepath.Join(dir, "per-source")}
		if code := cli.Main(args, nil, &out, &errb); code != cli.ExitFindings {
			t.Fatalf("seed %d: detect exit %d: %s", seed, code, errb.String())
		}
		alerts, err := eval.ReadAlerts(&out)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := eval.LoadTruth(filepath.Join(dir, "truth.json"))
		if err != nil {
			t.Fatal(err)
		}
		scores := eval.Evaluate(tr, alerts, detect.Detectors)
		var table strings.Builder
		eval.Print(&table, scores)
		t.Logf("seed %d:\n%s", seed, table.String())
		for _, s := range scores {
			if s.Actors > 0 && s.Recall() < 0.6 {
				t.Errorf("seed %d: %s found %d of %d actors", seed, s.Detector, s.Found, s.Actors)
			}
			if s.Decoys >= 5 && s.DecoyRate() > 0.2 {
				t.Errorf("seed %d: %s flagged %d of %d decoys", seed, s.Detector, s.DecoysFlagged, s.Decoys)
			}
			x := total[s.Detector]
			if x == nil {
				x = &eval.Score{Detector: s.Detector}
				total[s.Detector] = x
			}
			x.Actors += s.Actors
			x.Found += s.Found
			x.Decoys += s.Decoys
			x.DecoysFlagged += s.DecoysFlagged
			x.BackgroundFlagged += s.BackgroundFlagged
			x.Events += s.Events
			x.EventsFound += s.EventsFound
		}
	}
	flagged := 0
	for _, d := range detect.Detectors {
		s := total[d]
		if s.Actors == 0 {
			t.Errorf("%s: the scenarios have no actors for it", d)
			continue
		}
		if s.Recall() < 0.9 {
			t.Errorf("%s: recall %.2f (%d of %d actors), want ≥ 0.9", d, s.Recall(), s.Found, s.Actors)
		}
		if s.DecoyRate() > 0.1 {
			t.Errorf("%s: flagged %.0f%% of its decoys (%d of %d), want ≤ 10%%", d, 100*s.DecoyRate(), s.DecoysFlagged, s.Decoys)
		}
		if s.Events > 0 && s.EventsFound < s.Events {
			t.Errorf("%s: found %d of %d events", d, s.EventsFound, s.Events)
		}
		flagged += s.BackgroundFlagged
	}
	if limit := background / 50; flagged > limit {
		t.Errorf("%d background sources flagged (of %d), want at most %d", flagged, background, limit)
	}
}
