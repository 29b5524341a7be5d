package review

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Gate decides what happens to an export request: release it, hold it for
// review, or refuse it, from the policy's export rules, the home
// jurisdictions and the request's destinations and findings. A Gate is
// read-only once built and safe for concurrent use.
type Gate struct {
	cfg  Config
	home []string
}

// NewGate returns the gate of cfg (from DecodeConfig, or Defaults). home,
// when not empty, replaces cfg.Home: the server passes its --home flags
// (or its configuration's home), which win over the policy's. Codes are
// checked and upper-cased. With no home jurisdiction at all, every
// destination is foreign.
func NewGate(cfg Config, home ...string) (*Gate, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &Gate{cfg: cfg, home: slices.Clone(cfg.Home)}
	if len(home) > 0 {
		g.home = nil
		for _, h := range home {
			cc, err := Country(h)
			if err != nil {
				return nil, fmt.Errorf("review: home: %w", err)
			}
			if !slices.Contains(g.home, cc) {
				g.home = append(g.home, cc)
			}
		}
	}
	return g, nil
}

// Home returns the home jurisdictions in effect.
func (g *Gate) Home() []string { return slices.Clone(g.home) }

// Config returns the gate's settings.
func (g *Gate) Config() Config { return g.cfg }

// Foreign reports whether a destination is outside the home
// jurisdictions: a cross-border export.
func (g *Gate) Foreign(cc string) bool { return !slices.Contains(g.home, cc) }

// Match is what one destination of a request matched.
type Match struct {
	Destination string `json:"destination"`
	Foreign     bool   `json:"foreign"`
	// Rule is the name of the first rule that matched, "" when none did
	// (the destination is then held for review with the defaults).
	Rule   string `json:"rule,omitempty"`
	Line   int    `json:"line,omitempty"`
	Action Action `json:"action"`
}

// Filter restricts who may review: a reviewer must be one of Names or
// belong to one of Groups. A filter with neither allows every reviewer.
type Filter struct {
	Rule   string   `json:"rule"`
	Names  []string `json:"names,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// Allows reports whether id passes the filter.
func (f Filter) Allows(id Identity) bool {
	if len(f.Names) == 0 && len(f.Groups) == 0 {
		return true
	}
	if slices.Contains(f.Names, id.Name) {
		return true
	}
	for _, g := range id.Groups {
		if slices.Contains(f.Groups, g) {
			return true
		}
	}
	return false
}

// Outcome is the gate's decision about a request, with what it rests on.
// It is fixed when the request is opened and stored with it: a policy
// reloaded later does not change the quorum of a request already held.
type Outcome struct {
	Action Action `json:"action"`
	// Rule is the rule that decided: for Refuse the first refusing
	// match, for Review the review match that asks most approvals, for
	// Release the first match. "" when a destination no rule matched
	// decided.
	Rule string `json:"rule,omitempty"`
	// Approvals is the number of distinct reviewers who must approve,
	// Denials the number of denials that end the request (Review only):
	// the most approvals and the fewest denials any matched rule asks.
	Approvals int `json:"approvals,omitempty"`
	Denials   int `json:"denials,omitempty"`
	// Reviewers are the filters of every matched review rule: a reviewer
	// must pass all of them (Review only).
	Reviewers []Filter `json:"reviewers,omitempty"`
	// Reason is the refusing rule's reason (Refuse only).
	Reason string `json:"reason,omitempty"`
	// Matches has one entry per destination, in the request's order.
	Matches        []Match       `json:"matches"`
	PendingExpiry  time.Duration `json:"pending_expiry"`
	DownloadWindow time.Duration `json:"download_window"`
	// Builtin says the built-in rules decided (the policy has none).
	Builtin bool `json:"builtin,omitempty"`
	// Revision is the policy revision the gate was built from.
	Revision string `json:"revision,omitempty"`
}

// Decide applies the rules to each destination of req, the first
// matching rule deciding for it, and returns the strictest outcome:
// refuse over review over release. A destination no rule matches is held
// for review with the default quorum. A request without destinations is
// refused. Decide does not validate req (Open does); a destination that
// is not a home jurisdiction is foreign, whatever it holds.
func (g *Gate) Decide(req Request) Outcome {
	o := Outcome{
		PendingExpiry: g.cfg.PendingExpiry, DownloadWindow: g.cfg.DownloadWindow,
		Builtin: g.cfg.Builtin, Revision: g.cfg.Revision,
	}
	if len(req.Destinations) == 0 {
		o.Action, o.Reason = Refuse, "the request names no destination"
		return o
	}
	var rules []*Rule // matched rule per destination, nil for none
	for _, cc := range req.Destinations {
		foreign := g.Foreign(cc)
		m := Match{Destination: cc, Foreign: foreign, Action: Review}
		var hit *Rule
		for i := range g.cfg.Rules {
			if r := &g.cfg.Rules[i]; r.matches(cc, foreign, req.Findings) {
				hit = r
				m.Rule, m.Line, m.Action = r.Name, r.Line, r.Action
				break
			}
		}
		o.Matches = append(o.Matches, m)
		rules = append(rules, hit)
	}
	for i, m := range o.Matches {
		r := rules[i]
		switch {
		case m.Action > o.Action:
			o.Action, o.Rule = m.Action, m.Rule
			if r != nil {
				o.Reason = r.Reason
			}
		case m.Action == o.Action && m.Action == Review && approvals(r) > o.Approvals:
			o.Rule = m.Rule
		}
		if m.Action != Review {
			continue
		}
		if o.Approvals < approvals(r) {
			o.Approvals = approvals(r)
		}
		if o.Denials == 0 || denials(r) < o.Denials {
			o.Denials = denials(r)
		}
		if r != nil && (len(r.Reviewers) > 0 || len(r.ReviewerGroups) > 0) &&
			!slices.ContainsFunc(o.Reviewers, func(f Filter) bool { return f.Rule == r.Name }) {
			o.Reviewers = append(o.Reviewers, Filter{Rule: r.Name, Names: slices.Clone(r.Reviewers), Groups: slices.Clone(r.ReviewerGroups)})
		}
	}
	if o.Action != Review {
		o.Approvals, o.Denials, o.Reviewers = 0, 0, nil
	}
	return o
}

// approvals and denials return what a matched rule asks, the defaults
// for a destination no rule matched.
func approvals(r *Rule) int {
	if r == nil {
		return DefaultApprovals
	}
	return r.Approvals
}

func denials(r *Rule) int {
	if r == nil {
		return DefaultDenials
	}
	return r.Denials
}

// allows reports whether id passes every reviewer filter.
func (o *Outcome) allows(id Identity) bool {
	for _, f := range o.Reviewers {
		if !f.Allows(id) {
			return false
		}
	}
	return true
}

// Explain says in one line what was decided and why, as the audit log
// and reviewers show it: the action, the quorum, and per destination the
// rule that matched.
func (o Outcome) Explain() string {
	var b strings.Builder
	switch o.Action {
	case Release:
		b.WriteString("released at once")
	case Review:
		fmt.Fprintf(&b, "held for review: %d approval(s) release it, %d denial(s) end it", o.Approvals, o.Denials)
		for _, f := range o.Reviewers {
			var who []string
			who = append(who, f.Names...)
			for _, g := range f.Groups {
				who = append(who, "group "+g)
			}
			fmt.Fprintf(&b, "; rule %s lets %s review", f.Rule, strings.Join(who, ", "))
		}
	case Refuse:
		b.WriteString("refused")
		if o.Reason != "" {
			fmt.Fprintf(&b, " (%s)", o.Reason)
		}
	default:
		b.WriteString(o.Action.String())
	}
	var dst []string
	for _, m := range o.Matches {
		where := "home"
		if m.Foreign {
			where = "foreign"
		}
		rule := "no rule matched"
		if m.Rule != "" {
			rule = "rule " + m.Rule
			if m.Line > 0 {
				rule += fmt.Sprintf(" (line %d)", m.Line)
			}
		}
		dst = append(dst, fmt.Sprintf("%s %s: %s → %v", m.Destination, where, rule, m.Action))
	}
	if len(dst) > 0 {
		b.WriteString(" — ")
		b.WriteString(strings.Join(dst, "; "))
	}
	if o.Builtin {
		b.WriteString(" (built-in rules)")
	}
	return b.String()
}

// Open validates req, decides it and returns the new export in its first
// state: Released (its download window open from now), Pending (its
// review deadline PendingExpiry from now) or Refused. The transition is
// for the audit log, to be appended before the export is stored. now is
// the server's clock; the gate never reads one.
func (g *Gate) Open(req Request, now time.Time) (Export, Transition, error) {
	req = req.clone()
	if err := req.Validate(); err != nil {
		return Export{}, Transition{}, err
	}
	if now.Before(req.Created) {
		return Export{}, Transition{}, fmt.Errorf("%w: request %s opened at %s, before it was created (%s)",
			ErrInvalid, req.ID, now.Format(time.RFC3339), req.Created.Format(time.RFC3339))
	}
	o := g.Decide(req)
	x := Export{Request: req, Outcome: o, Opened: now}
	switch o.Action {
	case Release:
		x.State, x.Deadline, x.Released = Released, now.Add(o.DownloadWindow), now
	case Review:
		x.State, x.Deadline = Pending, now.Add(o.PendingExpiry)
	default:
		x.State = Refused
	}
	t := x.transition(Open, Identity{}, "", 0, now)
	t.By = req.Requester
	t.Message = fmt.Sprintf("%s requested export of %s to %s for %q (purpose: %q), findings: %v; %s",
		req.Requester, req.Dataset, strings.Join(req.Destinations, ", "), req.Recipient, req.Purpose, req.Findings, o.Explain())
	return x, t, nil
}
