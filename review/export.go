package review

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// State is where an export stands.
//
//	          Open
//	   ┌───────┼──────────────┐
//	   ▼       ▼              ▼
//	refused  pending ──────▶ released ──▶ closed
//	           │  quorum of     │ download window over
//	           │  approvals     └─▶ (downloads while open)
//	           ├──▶ denied      (denials reach the threshold)
//	           ├──▶ expired     (the pending expiry passes)
//	           └──▶ withdrawn   (the requester withdraws)
//
// Refused, denied, expired, withdrawn and closed are terminal: no event
// leaves them. Nothing reaches released but the gate's immediate release
// or a quorum of approvals.
type State uint8

// States.
const (
	Pending State = iota + 1
	Released
	Denied
	Refused
	Expired
	Closed
	Withdrawn
)

var stateNames = [...]string{"none", "pending", "released", "denied", "refused", "expired", "closed", "withdrawn"}

func (s State) String() string {
	if s == 0 {
		return stateNames[0]
	}
	return enumName(stateNames[:], s, "state")
}

// Terminal reports whether no event leaves s.
func (s State) Terminal() bool { return s >= Denied && s <= Withdrawn }

// MarshalText implements encoding.TextMarshaler.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *State) UnmarshalText(b []byte) error { return enumParse(stateNames[:], b, "state", s) }

// Kind is the kind of an event, and of the transition it causes.
type Kind uint8

// Kinds of events. Open is the gate's (Gate.Open); the others are given
// to Apply.
const (
	Open Kind = iota + 1
	// Approve and Deny are a reviewer's votes, each with a required
	// reason.
	Approve
	Deny
	// Withdraw is the requester taking back a pending request.
	Withdraw
	// Download records a download of a released copy while its window
	// is open. Who may download is the server's to decide.
	Download
	// Expire ends a pending request whose deadline has passed, or closes
	// the download window of a released one. The server's clock sends
	// it; it is refused before the deadline.
	Expire
)

var kindNames = [...]string{"", "open", "approve", "deny", "withdraw", "download", "expire"}

func (k Kind) String() string { return enumName(kindNames[:], k, "event") }

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error { return enumParse(kindNames[:], b, "event", k) }

// Errors of Apply. Each is wrapped with the details.
var (
	// ErrTerminal: the export has ended; nothing changes it any more.
	ErrTerminal = errors.New("review: the export has ended")
	// ErrNotPending: a vote or withdrawal on an export not held for
	// review (released, refused).
	ErrNotPending = errors.New("review: the export is not pending")
	// ErrExpired: the pending request's deadline has passed.
	ErrExpired = errors.New("review: the request has expired")
	// ErrWindowClosed: the download window of a release has closed.
	ErrWindowClosed = errors.New("review: the download window has closed")
	// ErrNotDue: Expire before the deadline.
	ErrNotDue = errors.New("review: the deadline has not passed")
	// ErrSelfReview: the requester (by name or by token) tried to review
	// their own request.
	ErrSelfReview = errors.New("review: requesters cannot review their own request")
	// ErrAlreadyVoted: a second vote from the same identity or token.
	ErrAlreadyVoted = errors.New("review: already voted: one reviewer, one vote")
	// ErrReasonRequired: a vote without a justification.
	ErrReasonRequired = errors.New("review: a reason is required")
	// ErrNotAllowed: the reviewer is not one the matched rules let
	// review.
	ErrNotAllowed = errors.New("review: not a reviewer of this request")
	// ErrNotRequester: a withdrawal by someone other than the requester.
	ErrNotRequester = errors.New("review: only the requester can withdraw a request")
)

// Vote is one reviewer's approval or denial.
type Vote struct {
	Reviewer Identity  `json:"reviewer"`
	Approve  bool      `json:"approve"`
	Reason   string    `json:"reason"`
	Time     time.Time `json:"time"`
}

// Export is an export request with its decision, its votes and its state:
// what the server stores. Change it only through Apply (and create it
// only with Gate.Open); Check tells whether a stored one is consistent.
type Export struct {
	Request Request `json:"request"`
	Outcome Outcome `json:"outcome"`
	State   State   `json:"state"`
	// Opened is when the gate decided.
	Opened time.Time `json:"opened"`
	// Deadline is, while pending, when the request expires; while
	// released, when the download window closes. A request is pending
	// in [Opened, Deadline); a download is allowed in [Released,
	// Deadline).
	Deadline time.Time `json:"deadline,omitzero"`
	// Released is when the copy was released, zero if it never was.
	Released time.Time `json:"released,omitzero"`
	// Ended is when a terminal state was reached, zero before.
	Ended     time.Time `json:"ended,omitzero"`
	Votes     []Vote    `json:"votes,omitempty"`
	Downloads int       `json:"downloads,omitempty"`
}

// Event is what happens to an export: a vote, a withdrawal, a download
// or the clock. By is the identity of the token behind the call (zero
// for Expire).
type Event struct {
	Kind   Kind     `json:"kind"`
	By     Identity `json:"by"`
	Reason string   `json:"reason,omitempty"`
}

// Transition describes one step of an export for the audit log. The
// server appends it before it stores the new state: a step not logged
// never takes effect.
type Transition struct {
	Request string    `json:"request"`
	Time    time.Time `json:"time"`
	Kind    Kind      `json:"kind"`
	// By is who acted: the requester for Open and Withdraw, the reviewer
	// for a vote, the downloader; zero for Expire.
	By     Identity `json:"by,omitzero"`
	Reason string   `json:"reason,omitempty"`
	From   State    `json:"from"` // 0 (none) for Open
	To     State    `json:"to"`
	// Rule is the rule that decided the export (Outcome.Rule).
	Rule string `json:"rule,omitempty"`
	// Approvals and Denials count the votes after this step, of Needed
	// approvals and Denials needed to end the request.
	Approvals  int    `json:"approvals"`
	Denials    int    `json:"denials"`
	Needed     int    `json:"needed,omitempty"`
	DenyNeeded int    `json:"deny_needed,omitempty"`
	Revision   string `json:"revision,omitempty"`
	// Message says in one line what happened.
	Message string `json:"message"`
}

// tally counts the approvals and denials.
func (x *Export) tally() (approvals, denials int) {
	for _, v := range x.Votes {
		if v.Approve {
			approvals++
		} else {
			denials++
		}
	}
	return approvals, denials
}

func (x *Export) transition(k Kind, by Identity, reason string, from State, now time.Time) Transition {
	a, d := x.tally()
	return Transition{
		Request: x.Request.ID, Time: now, Kind: k, By: by, Reason: reason, From: from, To: x.State,
		Rule: x.Outcome.Rule, Approvals: a, Denials: d, Needed: x.Outcome.Approvals, DenyNeeded: x.Outcome.Denials,
		Revision: x.Outcome.Revision,
	}
}

// clone returns a deep copy of x, so that Apply never changes what it was
// given.
func (x Export) clone() Export {
	x.Request = x.Request.clone()
	x.Outcome.Matches = slices.Clone(x.Outcome.Matches)
	x.Outcome.Reviewers = slices.Clone(x.Outcome.Reviewers)
	x.Votes = slices.Clone(x.Votes)
	for i := range x.Votes {
		x.Votes[i].Reviewer.Groups = slices.Clone(x.Votes[i].Reviewer.Groups)
	}
	return x
}

// Due reports whether the export's deadline has passed at now: a pending
// request to expire, or a release whose window to close (Apply with
// Expire).
func (x *Export) Due(now time.Time) bool {
	return (x.State == Pending || x.State == Released) && !now.Before(x.Deadline)
}

// CanVote reports why id may not vote on x at now, nil when it may. The
// server asks it to show a reviewer whether to offer the buttons; Apply
// asks it again.
func (x *Export) CanVote(id Identity, now time.Time) error {
	switch {
	case x.State.Terminal():
		return fmt.Errorf("%w: request %s is %v", ErrTerminal, x.Request.ID, x.State)
	case x.State != Pending:
		return fmt.Errorf("%w: request %s is %v", ErrNotPending, x.Request.ID, x.State)
	case !now.Before(x.Deadline):
		return fmt.Errorf("%w: request %s expired at %s", ErrExpired, x.Request.ID, x.Deadline.Format(time.RFC3339))
	}
	if err := id.check("reviewer"); err != nil {
		return err
	}
	req := x.Request.Requester
	switch {
	case id.Name == req.Name:
		return fmt.Errorf("%w: %s requested %s", ErrSelfReview, id.Name, x.Request.ID)
	case id.Token == req.Token:
		return fmt.Errorf("%w: token %s requested %s", ErrSelfReview, id.Token, x.Request.ID)
	}
	for _, v := range x.Votes {
		if v.Reviewer.same(id) {
			verb := "denied"
			if v.Approve {
				verb = "approved"
			}
			return fmt.Errorf("%w: %s %s request %s at %s", ErrAlreadyVoted, v.Reviewer, verb, x.Request.ID, v.Time.Format(time.RFC3339))
		}
	}
	if !x.Outcome.allows(id) {
		var rules []string
		for _, f := range x.Outcome.Reviewers {
			if !f.Allows(id) {
				rules = append(rules, f.Rule)
			}
		}
		return fmt.Errorf("%w: %s is not among the reviewers of rule %s", ErrNotAllowed, id.Name, strings.Join(rules, ", "))
	}
	return nil
}

// Apply applies ev to x at now and returns the new export and the
// transition to append to the audit log. x is not changed. On error the
// export is unchanged and nothing is to be logged. now is the server's
// clock; Apply never reads one.
//
// Apply enforces: votes only while pending and before the deadline; a
// non-empty reason on every vote; no vote by the requester (by name or by
// token); one vote per identity and per token; the reviewer filters of the
// matched rules; the quorum of distinct approvals to release and the
// denial threshold to deny; withdrawal by the requester only, while
// pending; downloads only in the window; Expire only once the deadline
// has passed; and nothing out of a terminal state. A stored export that
// is not consistent (Check) is refused.
func Apply(x Export, ev Event, now time.Time) (Export, Transition, error) {
	if err := x.Check(); err != nil {
		return x, Transition{}, err
	}
	x = x.clone()
	from := x.State
	if from.Terminal() {
		return x, Transition{}, fmt.Errorf("%w: request %s is %v; %v refused", ErrTerminal, x.Request.ID, from, ev.Kind)
	}
	if now.Before(x.Opened) {
		return x, Transition{}, fmt.Errorf("%w: %v at %s, before request %s was opened (%s)", ErrInvalid, ev.Kind,
			now.Format(time.RFC3339), x.Request.ID, x.Opened.Format(time.RFC3339))
	}
	if ev.Kind != Expire {
		if err := ev.By.check("the identity of a " + ev.Kind.String()); err != nil {
			return x, Transition{}, err
		}
	}
	var msg string
	switch ev.Kind {
	case Approve, Deny:
		if strings.TrimSpace(ev.Reason) == "" {
			return x, Transition{}, fmt.Errorf("%w: %s must say why they %v request %s", ErrReasonRequired, ev.By.Name, ev.Kind, x.Request.ID)
		}
		if err := text("reason", ev.Reason, MaxTextLen, true); err != nil {
			return x, Transition{}, err
		}
		if err := x.CanVote(ev.By, now); err != nil {
			return x, Transition{}, err
		}
		x.Votes = append(x.Votes, Vote{Reviewer: ev.By, Approve: ev.Kind == Approve, Reason: ev.Reason, Time: now})
		a, d := x.tally()
		switch {
		case ev.Kind == Approve && a >= x.Outcome.Approvals:
			x.State, x.Released, x.Deadline = Released, now, now.Add(x.Outcome.DownloadWindow)
			msg = fmt.Sprintf("%s approved (%d of %d): quorum reached, released until %s", ev.By, a, x.Outcome.Approvals, x.Deadline.Format(time.RFC3339))
		case ev.Kind == Approve:
			msg = fmt.Sprintf("%s approved (%d of %d)", ev.By, a, x.Outcome.Approvals)
		case d >= x.Outcome.Denials:
			x.State, x.Ended = Denied, now
			msg = fmt.Sprintf("%s denied (%d of %d): request denied", ev.By, d, x.Outcome.Denials)
		default:
			msg = fmt.Sprintf("%s denied (%d of %d)", ev.By, d, x.Outcome.Denials)
		}
	case Withdraw:
		if from != Pending {
			return x, Transition{}, fmt.Errorf("%w: request %s is %v; only a pending request can be withdrawn", ErrNotPending, x.Request.ID, from)
		}
		if !ev.By.same(x.Request.Requester) {
			return x, Transition{}, fmt.Errorf("%w: %s did not request %s", ErrNotRequester, ev.By.Name, x.Request.ID)
		}
		if ev.Reason != "" {
			if err := text("reason", ev.Reason, MaxTextLen, true); err != nil {
				return x, Transition{}, err
			}
		}
		x.State, x.Ended = Withdrawn, now
		msg = fmt.Sprintf("%s withdrew the request", ev.By)
	case Download:
		switch {
		case from != Released:
			return x, Transition{}, fmt.Errorf("%w: request %s is %v; nothing to download", ErrNotPending, x.Request.ID, from)
		case !now.Before(x.Deadline):
			return x, Transition{}, fmt.Errorf("%w: request %s could be downloaded until %s", ErrWindowClosed, x.Request.ID, x.Deadline.Format(time.RFC3339))
		}
		x.Downloads++
		msg = fmt.Sprintf("%s downloaded %s (download %d, window open until %s)", ev.By, x.Request.Dataset, x.Downloads, x.Deadline.Format(time.RFC3339))
	case Expire:
		if !x.Due(now) {
			return x, Transition{}, fmt.Errorf("%w: request %s is %v until %s", ErrNotDue, x.Request.ID, from, x.Deadline.Format(time.RFC3339))
		}
		if from == Pending {
			x.State = Expired
			a, _ := x.tally()
			msg = fmt.Sprintf("expired with %d of %d approvals", a, x.Outcome.Approvals)
		} else {
			x.State = Closed
			msg = fmt.Sprintf("download window closed after %d download(s)", x.Downloads)
		}
		x.Ended = now
	default:
		return x, Transition{}, fmt.Errorf("%w: unknown event %v", ErrInvalid, ev.Kind)
	}
	t := x.transition(ev.Kind, ev.By, ev.Reason, from, now)
	if ev.Kind == Expire {
		t.By = Identity{}
	}
	t.Message = fmt.Sprintf("request %s: %s", x.Request.ID, msg)
	return x, t, nil
}

// Check reports whether a stored export is consistent: a state the
// outcome allows, votes that are distinct, none by the requester, each
// with a reason, and counts that agree with the state (released only by
// an immediate release or a quorum; denied only at the threshold; pending
// only below both). Apply refuses an export that fails it, so that a row
// changed behind the library's back cannot be approved into a release.
func (x *Export) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: stored export %s: %s", ErrInvalid, x.Request.ID, fmt.Sprintf(format, args...))
	}
	if x.State < Pending || x.State > Withdrawn {
		return bad("unknown state %v", x.State)
	}
	o := &x.Outcome
	if o.Action < Release || o.Action > Refuse {
		return bad("unknown action %v", o.Action)
	}
	if o.Action == Review && (o.Approvals < 1 || o.Denials < 1) {
		return bad("held for review with %d approvals and %d denials needed", o.Approvals, o.Denials)
	}
	a, d := x.tally()
	for i, v := range x.Votes {
		if v.Reviewer.same(x.Request.Requester) {
			return bad("vote %d is the requester's", i+1)
		}
		if strings.TrimSpace(v.Reason) == "" {
			return bad("vote %d has no reason", i+1)
		}
		if !o.allows(v.Reviewer) {
			return bad("vote %d is by %s, whom the rules do not let review", i+1, v.Reviewer)
		}
		for _, w := range x.Votes[:i] {
			if v.Reviewer.same(w.Reviewer) {
				return bad("votes by %s and %s are one reviewer's", w.Reviewer, v.Reviewer)
			}
		}
	}
	quorum := o.Action == Review && a >= o.Approvals && d < o.Denials
	immediate := o.Action == Release && len(x.Votes) == 0
	var ok bool
	switch x.State {
	case Pending, Expired, Withdrawn:
		ok = o.Action == Review && a < o.Approvals && d < o.Denials
	case Released, Closed:
		ok = immediate || quorum
	case Denied:
		ok = o.Action == Review && d >= o.Denials && a < o.Approvals
	case Refused:
		ok = o.Action == Refuse && len(x.Votes) == 0
	}
	if !ok {
		return bad("%v with %v outcome, %d approval(s) of %d and %d denial(s) of %d", x.State, o.Action, a, o.Approvals, d, o.Denials)
	}
	if x.Downloads < 0 || x.Downloads > 0 && x.State != Released && x.State != Closed {
		return bad("%d downloads while %v", x.Downloads, x.State)
	}
	return nil
}
