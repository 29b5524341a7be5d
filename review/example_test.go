package review_test

import (
	"fmt"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/review"
)

// An export abroad with a finding waits for two reviewers under the
// built-in rules; the requester cannot approve it, the second distinct
// approval releases it.
func Example() {
	gate, err := review.NewGate(review.Defaults(), "DE")
	if err != nil {
		panic(err)
	}
	var f review.Findings
	f.Add("rail-signal", geowarden.SeverityHigh)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	req := review.Request{
		ID: "exp-1", Requester: review.Identity{Name: "rita", Token: "tok-1"}, Destinations: []string{"us"},
		Recipient: "Survey Partner Ltd", Purpose: "coverage study", Created: t0, Dataset: "sha256:00ff", Findings: f,
	}
	x, t, err := gate.Open(req, t0)
	if err != nil {
		panic(err)
	}
	fmt.Println(x.State, "-", x.Outcome.Explain())
	for _, ev := range []review.Event{
		{Kind: review.Approve, By: review.Identity{Name: "rita", Token: "tok-2"}, Reason: "mine"},
		{Kind: review.Approve, By: review.Identity{Name: "alice", Token: "tok-3"}, Reason: "sample checked"},
		{Kind: review.Approve, By: review.Identity{Name: "bob", Token: "tok-4"}, Reason: "purpose fits the contract"},
	} {
		var err error
		if x, t, err = review.Apply(x, ev, t0.Add(time.Hour)); err != nil {
			fmt.Println("refused:", err)
			continue
		}
		fmt.Println(t.Message)
	}
	// Output:
	// pending - held for review: 2 approval(s) release it, 1 denial(s) end it — US foreign: rule builtin-foreign-findings → review (built-in rules)
	// refused: review: requesters cannot review their own request: rita requested exp-1
	// request exp-1: alice (token tok-3) approved (1 of 2)
	// request exp-1: bob (token tok-4) approved (2 of 2): quorum reached, released until 2026-03-08T10:00:00Z
}
