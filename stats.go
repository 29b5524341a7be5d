package geowarden

// MaxBadReported caps how many bad-record errors a Stats keeps.
const MaxBadReported = 100

// Stats counts what happened to an input's records on their way through
// the stages.
type Stats struct {
	Records  int64 `json:"records"`
	Kept     int64 `json:"kept"`     // written unchanged
	Modified int64 `json:"modified"` // written with edits
	Dropped  int64 `json:"dropped"`
	Bad      int64 `json:"bad"` // unparseable, dropped (keep-going runs only)
	Findings int64 `json:"findings"`
	// BadErrors holds the first MaxBadReported bad-record errors.
	BadErrors []string `json:"bad_errors,omitempty"`
}

// Add adds o's counts to s.
func (s *Stats) Add(o Stats) {
	s.Records += o.Records
	s.Kept += o.Kept
	s.Modified += o.Modified
	s.Dropped += o.Dropped
	s.Bad += o.Bad
	s.Findings += o.Findings
	for _, e := range o.BadErrors {
		if len(s.BadErrors) < MaxBadReported {
			s.BadErrors = append(s.BadErrors, e)
		}
	}
}
