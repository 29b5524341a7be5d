package review

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// clock is a fake clock: the tests move it by hand.
type clock struct{ now time.Time }

func (c *clock) at(d time.Duration) time.Time { c.now = t0.Add(d); return c.now }

var (
	alice = Identity{Name: "alice", Token: "tok-alice", Groups: []string{"export-board"}}
	bob   = Identity{Name: "bob", Token: "tok-bob", Groups: []string{"export-board"}}
	carol = Identity{Name: "carol", Token: "tok-carol"}
	rita  = Identity{Name: "rita", Token: "tok-rita"}
)

func vote(k Kind, by Identity, reason string) Event { return Event{Kind: k, By: by, Reason: reason} }

// step is one event at a time after t0, and what must follow.
type step struct {
	at    time.Duration
	ev    Event
	err   error // sentinel Apply's error must wrap; nil for success
	state State // the state after the step
	msg   string
}

const reviewPolicy = `export:
  home: DE
  rules:
    - name: board
      destinations: US
      action: review
      reviewer_groups: [export-board]
    - name: two-denials
      destinations: FR
      action: review
      approvals: 2
      denials: 2
    - name: embargo
      destinations: KP
      action: refuse
    - name: rest
      destinations: [home, foreign]
      min_severity: info
      action: review
    - name: clean
      action: release
  pending_expiry: 72h
  download_window: 168h
`

func TestApply(t *testing.T) {
	const h = time.Hour
	const window = 7 * 24 * h
	g := gateOf(t, reviewPolicy)
	tests := []struct {
		name  string
		dst   string
		clean bool
		start State
		steps []step
	}{
		{name: "quorum reached exactly at two distinct reviewers", dst: "JP", start: Pending, steps: []step{
			{at: h, ev: vote(Approve, alice, "sample checked"), state: Pending, msg: "request exp-1: alice (token tok-alice) approved (1 of 2)"},
			{at: 2 * h, ev: vote(Approve, bob, "purpose fits the contract"), state: Released, msg: "approved (2 of 2): quorum reached, released until 2026-03-08T11:00:00Z"},
			{at: 2*h + window - 1, ev: vote(Download, rita, ""), state: Released, msg: "rita (token tok-rita) downloaded sha256:00ff (download 1"},
		}},
		{name: "self-approval by name and by token refused", dst: "JP", start: Pending, steps: []step{
			{at: h, ev: vote(Approve, Identity{Name: "rita", Token: "tok-other"}, "mine"), err: ErrSelfReview, state: Pending},
			{at: h, ev: vote(Approve, Identity{Name: "robot", Token: "tok-rita"}, "mine"), err: ErrSelfReview, state: Pending},
			{at: h, ev: vote(Deny, rita, "changed my mind"), err: ErrSelfReview, state: Pending},
			{at: h, ev: vote(Approve, alice, "ok"), state: Pending},
		}},
		{name: "one token and one identity vote once", dst: "JP", start: Pending, steps: []step{
			{at: h, ev: vote(Approve, alice, "ok"), state: Pending},
			{at: h, ev: vote(Approve, alice, "ok again"), err: ErrAlreadyVoted, state: Pending},
			{at: h, ev: vote(Approve, Identity{Name: "alice", Token: "tok-alice-2"}, "second token"), err: ErrAlreadyVoted, state: Pending},
			{at: h, ev: vote(Approve, Identity{Name: "mallory", Token: "tok-alice"}, "borrowed token"), err: ErrAlreadyVoted, state: Pending},
			{at: h, ev: vote(Deny, alice, "on second thought"), err: ErrAlreadyVoted, state: Pending},
			{at: h, ev: vote(Approve, bob, "ok"), state: Released},
		}},
		{name: "one denial ends it", dst: "JP", start: Pending, steps: []step{
			{at: h, ev: vote(Approve, alice, "fine by me"), state: Pending},
			{at: 2 * h, ev: vote(Deny, carol, "recipient not vetted"), state: Denied, msg: "carol (token tok-carol) denied (1 of 1): request denied"},
			{at: 3 * h, ev: vote(Approve, bob, "ok"), err: ErrTerminal, state: Denied},
		}},
		{name: "deny threshold of two", dst: "FR", start: Pending, steps: []step{
			{at: h, ev: vote(Deny, alice, "no"), state: Pending},
			{at: h, ev: vote(Approve, bob, "yes"), state: Pending},
			{at: h, ev: vote(Deny, carol, "no"), state: Denied},
		}},
		{name: "approved then deny refused", dst: "JP", start: Pending, steps: []step{
			{at: h, ev: vote(Approve, alice, "ok"), state: Pending},
			{at: h, ev: vote(Approve, bob, "ok"), state: Released},
			{at: 2 * h, ev: vote(Deny, carol, "too late?"), err: ErrNotPending, state: Released},
			{at: 2 * h, ev: vote(Withdraw, rita, ""), err: ErrNotPending, state: Released},
		}},
		{name: "expired then approve refused", dst: "JP", start: Pending, steps: []step{
			{at: h, ev: vote(Approve, alice, "ok"), state: Pending},
			{at: 72 * h, ev: vote(Approve, bob, "just in time?"), err: ErrExpired, state: Pending},
			{at: 72*h - 1, ev: Event{Kind: Expire}, err: ErrNotDue, state: Pending},
			{at: 72 * h, ev: Event{Kind: Expire}, state: Expired, msg: "request exp-1: expired with 1 of 2 approvals"},
			{at: 73 * h, ev: vote(Approve, bob, "ok"), err: ErrTerminal, state: Expired},
			{at: 73 * h, ev: Event{Kind: Expire}, err: ErrTerminal, state: Expired},
		}},
		{name: "download window of a release closes", dst: "DE", clean: true, start: Released, steps: []step{
			{at: h, ev: vote(Download, rita, ""), state: Released},
			{at: window, ev: vote(Download, rita, ""), err: ErrWindowClosed, state: Released},
			{at: window - 1, ev: Event{Kind: Expire}, err: ErrNotDue, state: Released},
			{at: window, ev: Event{Kind: Expire}, state: Closed, msg: "download window closed after 1 download(s)"},
			{at: window + h, ev: vote(Download, rita, ""), err: ErrTerminal, state: Closed},
		}},
		{name: "an immediate release takes no votes", dst: "DE", clean: true, start: Released, steps: []step{
			{at: h, ev: vote(Approve, alice, "ok"), err: ErrNotPending, state: Released},
		}},
		{name: "a refusal is final", dst: "KP", start: Refused, steps: []step{
			{at: h, ev: vote(Approve, alice, "ok"), err: ErrTerminal, state: Refused},
			{at: h, ev: vote(Download, rita, ""), err: ErrTerminal, state: Refused},
			{at: h, ev: vote(Withdraw, rita, ""), err: ErrTerminal, state: Refused},
		}},
		{name: "withdrawn by the requester", dst: "JP", start: Pending, steps: []step{
			{at: h, ev: vote(Withdraw, alice, "not mine"), err: ErrNotRequester, state: Pending},
			{at: h, ev: vote(Download, rita, ""), err: ErrNotPending, state: Pending},
			{at: h, ev: vote(Withdraw, Identity{Name: "rita", Token: "tok-rita-laptop"}, "wrong dataset"), state: Withdrawn, msg: "withdrew the request"},
			{at: 2 * h, ev: vote(Approve, alice, "ok"), err: ErrTerminal, state: Withdrawn},
		}},
		{name: "a reason is required", dst: "JP", start: Pending, steps: []step{
			{at: h, ev: vote(Approve, alice, ""), err: ErrReasonRequired, state: Pending},
			{at: h, ev: vote(Deny, alice, " \n\t"), err: ErrReasonRequired, state: Pending},
			{at: h, ev: vote(Approve, alice, "ok\x00"), err: ErrInvalid, state: Pending},
			{at: h, ev: vote(Approve, alice, strings.Repeat("x", MaxTextLen+1)), err: ErrInvalid, state: Pending},
			{at: h, ev: vote(Approve, alice, "line one\nline two"), state: Pending},
		}},
		{name: "reviewer filters", dst: "US", steps: []step{
			{at: h, ev: vote(Approve, carol, "ok"), err: ErrNotAllowed, state: Pending},
			{at: h, ev: vote(Deny, carol, "no"), err: ErrNotAllowed, state: Pending},
			{at: h, ev: vote(Approve, alice, "ok"), state: Pending},
			{at: h, ev: vote(Approve, bob, "ok"), state: Released},
		}, start: Pending},
		{name: "malformed events", dst: "JP", start: Pending, steps: []step{
			{at: h, ev: vote(Approve, Identity{Name: "alice"}, "ok"), err: ErrInvalid, state: Pending},
			{at: h, ev: vote(Approve, Identity{Token: "t"}, "ok"), err: ErrInvalid, state: Pending},
			{at: h, ev: Event{Kind: 0, By: alice}, err: ErrInvalid, state: Pending},
			{at: h, ev: Event{Kind: Open, By: alice}, err: ErrInvalid, state: Pending},
			{at: -h, ev: vote(Approve, alice, "ok"), err: ErrInvalid, state: Pending},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(tt.dst)
			if tt.clean {
				req.Findings = Findings{}
			}
			x, _, err := g.Open(req, t0)
			if err != nil {
				t.Fatal(err)
			}
			if x.State != tt.start {
				t.Fatalf("opened %v, want %v: %s", x.State, tt.start, x.Outcome.Explain())
			}
			var c clock
			for i, s := range tt.steps {
				before := x
				next, tr, err := Apply(x, s.ev, c.at(s.at))
				switch {
				case s.err == nil && err != nil:
					t.Fatalf("step %d (%v by %s): %v", i, s.ev.Kind, s.ev.By.Name, err)
				case s.err != nil && !errors.Is(err, s.err):
					t.Fatalf("step %d (%v by %s): got error %v, want %v", i, s.ev.Kind, s.ev.By.Name, err, s.err)
				case err != nil:
					if !reflect.DeepEqual(next, before) || !reflect.DeepEqual(tr, Transition{}) {
						t.Fatalf("step %d: a refused event changed the export or logged %+v", i, tr)
					}
				default:
					x = next
					if tr.Kind != s.ev.Kind || tr.From != before.State || tr.To != x.State || !tr.Time.Equal(c.now) || tr.Request != "exp-1" {
						t.Errorf("step %d: transition %+v", i, tr)
					}
					if !strings.Contains(tr.Message, s.msg) {
						t.Errorf("step %d: message %q, want it to contain %q", i, tr.Message, s.msg)
					}
					if err := x.Check(); err != nil {
						t.Errorf("step %d: %v", i, err)
					}
				}
				if x.State != s.state {
					t.Fatalf("step %d: state %v, want %v", i, x.State, s.state)
				}
			}
		})
	}
}

// TestApplyCounts checks the counts and times a transition and the export
// carry.
func TestApplyCounts(t *testing.T) {
	g := gateOf(t, reviewPolicy)
	x, _, err := g.Open(request("FR"), t0)
	if err != nil {
		t.Fatal(err)
	}
	x, tr, err := Apply(x, vote(Deny, alice, "no"), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Approvals != 0 || tr.Denials != 1 || tr.Needed != 2 || tr.DenyNeeded != 2 || tr.Rule != "two-denials" || tr.Reason != "no" || tr.By.Name != "alice" {
		t.Errorf("transition %+v", tr)
	}
	x, _, _ = Apply(x, vote(Approve, bob, "yes"), t0.Add(2*time.Hour))
	x, tr, err = Apply(x, vote(Approve, carol, "yes"), t0.Add(3*time.Hour))
	if err != nil || x.State != Released || tr.Approvals != 2 || tr.Denials != 1 {
		t.Fatalf("%v: %+v", err, tr)
	}
	if !x.Released.Equal(t0.Add(3*time.Hour)) || !x.Deadline.Equal(t0.Add(3*time.Hour+7*24*time.Hour)) || !x.Ended.IsZero() {
		t.Errorf("released %v, deadline %v, ended %v", x.Released, x.Deadline, x.Ended)
	}
	x, tr, err = Apply(x, Event{Kind: Expire}, x.Deadline)
	if err != nil || x.State != Closed || !x.Ended.Equal(x.Deadline) || tr.By.Name != "" {
		t.Errorf("closed: %v, %+v, %+v", err, x, tr)
	}
}

// TestApplyDoesNotChangeItsInput: the export given to Apply stays as it
// was, even when its slices have room to grow.
func TestApplyDoesNotChangeItsInput(t *testing.T) {
	g := gateOf(t, reviewPolicy)
	x, _, err := g.Open(request("JP"), t0)
	if err != nil {
		t.Fatal(err)
	}
	x.Votes = make([]Vote, 0, 4)
	a, _, err := Apply(x, vote(Approve, alice, "ok"), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	keep := a
	keepJSON, _ := json.Marshal(keep)
	b, _, err := Apply(a, vote(Approve, bob, "ok"), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := Apply(a, vote(Deny, carol, "no"), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(a); string(got) != string(keepJSON) || len(x.Votes) != 0 {
		t.Errorf("Apply changed its input: %s", got)
	}
	if b.State != Released || c.State != Denied || b.Votes[1].Reviewer.Name != "bob" || c.Votes[1].Reviewer.Name != "carol" {
		t.Errorf("branches share votes: %+v / %+v", b.Votes, c.Votes)
	}
}

// TestCheck: a stored export changed behind the library's back is refused,
// and Apply does not build on it.
func TestCheck(t *testing.T) {
	g := gateOf(t, reviewPolicy)
	pending, _, err := g.Open(request("JP"), t0)
	if err != nil {
		t.Fatal(err)
	}
	one, _, err := Apply(pending, vote(Approve, alice, "ok"), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(x *Export)
	}{
		{"released below quorum", func(x *Export) { x.State = Released }},
		{"quorum lowered", func(x *Export) { x.Outcome.Approvals = 0 }},
		{"outcome changed to release", func(x *Export) { x.Outcome.Action = Release; x.State = Released }},
		{"requester's vote", func(x *Export) { x.Votes = append(x.Votes, Vote{Reviewer: rita, Approve: true, Reason: "mine"}) }},
		{"requester's token", func(x *Export) {
			x.Votes = append(x.Votes, Vote{Reviewer: Identity{Name: "x", Token: "tok-rita"}, Approve: true, Reason: "r"})
		}},
		{"one reviewer twice", func(x *Export) {
			x.Votes = append(x.Votes, Vote{Reviewer: Identity{Name: "alice", Token: "tok-2"}, Approve: true, Reason: "again"})
			x.State = Released
		}},
		{"vote without reason", func(x *Export) { x.Votes[0].Reason = "" }},
		{"downloads while pending", func(x *Export) { x.Downloads = 1 }},
		{"unknown state", func(x *Export) { x.State = 99 }},
		{"denied without denial", func(x *Export) { x.State = Denied }},
		{"refused with review outcome", func(x *Export) { x.State = Refused }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := one.clone()
			tt.edit(&x)
			if err := x.Check(); !errors.Is(err, ErrInvalid) {
				t.Errorf("Check: %v", err)
			}
			if _, _, err := Apply(x, vote(Approve, bob, "ok"), t0.Add(2*time.Hour)); !errors.Is(err, ErrInvalid) {
				t.Errorf("Apply: %v", err)
			}
		})
	}
	// A filter added to a stored export binds the votes already in it.
	x := one.clone()
	x.Outcome.Reviewers = []Filter{{Rule: "r", Names: []string{"bob"}}}
	if err := x.Check(); !errors.Is(err, ErrInvalid) {
		t.Errorf("vote outside the filter: %v", err)
	}
}

// TestExportJSON: what the server stores reads back the same.
func TestExportJSON(t *testing.T) {
	g := gateOf(t, reviewPolicy)
	x, _, err := g.Open(request("US"), t0)
	if err != nil {
		t.Fatal(err)
	}
	x, tr, err := Apply(x, vote(Approve, alice, "ok"), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"state":"pending"`, `"action":"review"`, `"by_severity":{"high":1,"low":1}`, `"destinations":["US"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	var y Export
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x, y) {
		t.Errorf("round trip:\ngot  %+v\nwant %+v", y, x)
	}
	if b, err := json.Marshal(tr); err != nil || !strings.Contains(string(b), `"kind":"approve","by":{"name":"alice"`) || !strings.Contains(string(b), `"from":"pending","to":"pending"`) {
		t.Errorf("transition JSON %s, %v", b, err)
	}
	var s State
	if err := json.Unmarshal([]byte(`"approved"`), &s); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown state: %v", err)
	}
}

func TestPreview(t *testing.T) {
	g := gateOf(t, reviewPolicy)
	x, _, err := g.Open(request("US", "DE"), t0)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err = Apply(x, vote(Approve, alice, "ok"), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	p := x.Preview(bob, t0.Add(2*time.Hour))
	if p.ID != "exp-1" || p.State != Pending || p.Approvals != 1 || p.Needed != 2 || p.Left != 70*time.Hour || p.CannotVote != "" ||
		len(p.Destinations) != 2 || p.Destinations[0] != (Destination{Code: "US", Name: "United States", Foreign: true, Rule: "board", Action: Review}) ||
		p.Destinations[1].Foreign || p.Highest.String() != "high" || !strings.Contains(p.Decision, "rule board lets group export-board review") {
		t.Errorf("preview %+v", p)
	}
	for _, tt := range []struct {
		who  Identity
		want string
	}{
		{alice, "already voted"},
		{rita, "cannot review their own request"},
		{carol, "not among the reviewers of rule board"},
	} {
		if p := x.Preview(tt.who, t0.Add(2*time.Hour)); !strings.Contains(p.CannotVote, tt.want) {
			t.Errorf("%s: cannot vote %q, want %q", tt.who.Name, p.CannotVote, tt.want)
		}
	}
	if p := x.Preview(bob, t0.Add(80*time.Hour)); p.Left != 0 || !strings.Contains(p.CannotVote, "expired") {
		t.Errorf("expired preview %+v", p)
	}
}
