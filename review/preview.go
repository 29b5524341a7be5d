package review

import (
	"time"

	"github.com/geowarden/geowarden"
)

// Preview is what a reviewer is shown of an export before voting: the
// request, where each destination stands, the findings, why the gate held
// it, the votes so far and the time left. The console renders it.
type Preview struct {
	ID           string        `json:"id"`
	Requester    Identity      `json:"requester"`
	Recipient    string        `json:"recipient"`
	Purpose      string        `json:"purpose"`
	Dataset      string        `json:"dataset"`
	Destinations []Destination `json:"destinations"`
	Findings     Findings      `json:"findings"`
	// Highest is the highest severity among the findings.
	Highest geowarden.Severity `json:"highest"`
	// Decision is the gate's outcome in one line (Outcome.Explain).
	Decision string `json:"decision"`
	State    State  `json:"state"`
	// Approvals of Needed, Denials of DenyNeeded.
	Approvals  int    `json:"approvals"`
	Needed     int    `json:"needed,omitempty"`
	Denials    int    `json:"denials"`
	DenyNeeded int    `json:"deny_needed,omitempty"`
	Votes      []Vote `json:"votes,omitempty"`
	// Deadline is when the request expires (pending) or the download
	// window closes (released); Left is the time until then at the
	// preview's now, 0 once passed.
	Deadline time.Time     `json:"deadline,omitzero"`
	Left     time.Duration `json:"left"`
	// CannotVote is "" when the viewer may vote now, else why not
	// (CanVote's error).
	CannotVote string `json:"cannot_vote,omitempty"`
}

// Destination is one destination of a preview.
type Destination struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Foreign bool   `json:"foreign"`
	Rule    string `json:"rule,omitempty"`
	Action  Action `json:"action"`
}

// Preview returns what viewer is shown of x at now.
func (x *Export) Preview(viewer Identity, now time.Time) Preview {
	c := x.clone()
	a, d := c.tally()
	p := Preview{
		ID: c.Request.ID, Requester: c.Request.Requester, Recipient: c.Request.Recipient,
		Purpose: c.Request.Purpose, Dataset: c.Request.Dataset, Findings: c.Request.Findings,
		Highest: c.Request.Findings.Highest(), Decision: c.Outcome.Explain(), State: c.State,
		Approvals: a, Needed: c.Outcome.Approvals, Denials: d, DenyNeeded: c.Outcome.Denials,
		Votes: c.Votes, Deadline: c.Deadline,
	}
	for _, m := range c.Outcome.Matches {
		p.Destinations = append(p.Destinations, Destination{
			Code: m.Destination, Name: CountryName(m.Destination), Foreign: m.Foreign, Rule: m.Rule, Action: m.Action,
		})
	}
	if (c.State == Pending || c.State == Released) && now.Before(c.Deadline) {
		p.Left = c.Deadline.Sub(now)
	}
	if err := x.CanVote(viewer, now); err != nil {
		p.CannotVote = err.Error()
	}
	return p
}
