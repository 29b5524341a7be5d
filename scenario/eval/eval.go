// Package eval scores campaign alerts against a scenario's ground truth:
// per detector, which actors it found (recall), which decoys and
// background sources it flagged, and its precision.
package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/geowarden/geowarden/scenario"
)

// Alert is the part of an alert the evaluation reads.
type Alert struct {
	Detector string    `json:"detector"`
	Sources  []string  `json:"sources"`
	Zone     string    `json:"zone"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
}

// LoadTruth reads and checks a truth.json file (scenario.ReadTruth).
func LoadTruth(file string) (*scenario.Truth, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return scenario.ReadTruth(file, f)
}

// ReadAlerts reads alerts as detect --format ndjson writes them, or a
// detect --format json report.
func ReadAlerts(r io.Reader) ([]Alert, error) {
	dec := json.NewDecoder(r)
	var out []Alert
	for dec.More() {
		var v struct {
			Alert
			Alerts []Alert `json:"alerts"`
		}
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if v.Alerts != nil {
			out = append(out, v.Alerts...)
		} else if v.Detector != "" {
			out = append(out, v.Alert)
		}
	}
	return out, nil
}

// SourceName maps the source an alert names to the scenario's source id:
// sources written one file each are named by their file, whose base name
// without extension is the id.
func SourceName(s string) string {
	if strings.ContainsAny(s, "/\\") || strings.HasSuffix(s, ".csv") {
		s = path.Base(strings.ReplaceAll(s, "\\", "/"))
		s = strings.TrimSuffix(s, path.Ext(s))
	}
	return s
}

// Score is one detector's result.
type Score struct {
	Detector string
	// Actors are the sources the truth expects this detector to find;
	// Found how many of them it did.
	Actors, Found int
	// Decoys are the sources made to look like this detector's actors;
	// DecoysFlagged how many of them it flagged.
	Decoys, DecoysFlagged int
	// BackgroundFlagged counts ordinary background sources it flagged.
	BackgroundFlagged int
	// OtherActors counts actors of other detectors it flagged as well
	// (a drive-tester logging GSM-R is also a protected-signal source),
	// decoys the truth says logged protected signals, and sources an event
	// of this detector lists (a passer-by who joined the crowd): neither
	// right nor wrong here.
	OtherActors int
	// Events and EventsFound count the truth's events (crowds) and those
	// an alert at the same zone overlapping in time found.
	Events, EventsFound int
	Missed, FalseAlarms []string
}

// Recall is Found/Actors (1 with no actors).
func (s *Score) Recall() float64 { return ratio(s.Found, s.Actors) }

// DecoyRate is DecoysFlagged/Decoys (0 with no decoys).
func (s *Score) DecoyRate() float64 {
	if s.Decoys == 0 {
		return 0
	}
	return float64(s.DecoysFlagged) / float64(s.Decoys)
}

// Precision is Found over Found plus the decoys and background sources
// flagged (1 when nothing was flagged).
func (s *Score) Precision() float64 {
	return ratio(s.Found, s.Found+s.DecoysFlagged+s.BackgroundFlagged)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Evaluate scores the alerts of each detector against the truth.
func Evaluate(t *scenario.Truth, alerts []Alert, detectors []string) []Score {
	actorOf := map[string]string{}
	for _, a := range t.Actors {
		actorOf[a.Source] = a.Detector
	}
	decoyOf := map[string]string{}
	protected := map[string]bool{}
	for _, d := range t.Decoys {
		decoyOf[d.Source] = d.CouldBeMistakenFor
		protected[d.Source] = d.ProtectedRecord > 0
	}
	inEvent := map[string]map[string]bool{} // detector → sources an event lists
	for _, ev := range t.Events {
		if inEvent[ev.Detector] == nil {
			inEvent[ev.Detector] = map[string]bool{}
		}
		for _, src := range ev.Sources {
			inEvent[ev.Detector][src] = true
		}
	}
	background := map[string]bool{}
	for _, b := range t.Background {
		background[b] = true
	}
	var out []Score
	for _, det := range detectors {
		s := Score{Detector: det}
		flagged := map[string]bool{}
		for _, a := range alerts {
			if a.Detector != det {
				continue
			}
			for _, src := range a.Sources {
				flagged[SourceName(src)] = true
			}
		}
		for _, a := range t.Actors {
			if a.Detector != det {
				continue
			}
			s.Actors++
			if flagged[a.Source] {
				s.Found++
			} else {
				s.Missed = append(s.Missed, a.Source+" ("+a.Role+")")
			}
		}
		for _, d := range t.Decoys {
			if d.CouldBeMistakenFor == det {
				s.Decoys++
			}
		}
		for src := range flagged {
			switch {
			case actorOf[src] == det:
			case actorOf[src] != "" || det == "protected_signal" && protected[src] || inEvent[det][src]:
				s.OtherActors++
			case decoyOf[src] != "" || !background[src]:
				// A decoy of any kind, or a source the truth does not
				// know, flagged by this detector.
				s.FalseAlarms = append(s.FalseAlarms, src)
				if decoyOf[src] == det {
					s.DecoysFlagged++
				} else {
					s.BackgroundFlagged++
				}
			default:
				s.BackgroundFlagged++
				s.FalseAlarms = append(s.FalseAlarms, src+" (background)")
			}
		}
		for _, ev := range t.Events {
			if ev.Detector != det {
				continue
			}
			s.Events++
			for _, a := range alerts {
				if a.Detector == det && a.Zone == ev.Zone && a.Start.Before(ev.End) && a.End.After(ev.Start) {
					s.EventsFound++
					break
				}
			}
		}
		slices.Sort(s.Missed)
		slices.Sort(s.FalseAlarms)
		out = append(out, s)
	}
	return out
}

// Print writes the scores as a table.
func Print(w io.Writer, scores []Score) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "detector\tactors\tfound\trecall\tdecoys\tflagged\tdecoy rate\tbackground flagged\tprecision\tevents found\t")
	for _, s := range scores {
		ev := "-"
		if s.Events > 0 {
			ev = fmt.Sprintf("%d/%d", s.EventsFound, s.Events)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%d\t%d\t%.2f\t%d\t%.2f\t%s\t\n", s.Detector, s.Actors, s.Found, s.Recall(),
			s.Decoys, s.DecoysFlagged, s.DecoyRate(), s.BackgroundFlagged, s.Precision(), ev)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range scores {
		if len(s.Missed) > 0 {
			fmt.Fprintf(w, "%s missed: %s\n", s.Detector, strings.Join(s.Missed, ", "))
		}
		if len(s.FalseAlarms) > 0 {
			fmt.Fprintf(w, "%s false alarms: %s\n", s.Detector, strings.Join(s.FalseAlarms, ", "))
		}
	}
	return nil
}
