package review

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
)

// Action is what the gate does with an export request.
type Action uint8

// Actions, least strict first: when the destinations of one request
// match different rules, the strictest action wins.
const (
	// Release releases the sanitized copy at once: its download window
	// opens.
	Release Action = iota + 1
	// Review holds the request for a quorum of reviewers.
	Review
	// Refuse refuses the request; nothing leaves.
	Refuse
)

var actionNames = [...]string{"", "release", "review", "refuse"}

func (a Action) String() string { return enumName(actionNames[:], a, "action") }

// MarshalText implements encoding.TextMarshaler.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Action) UnmarshalText(b []byte) error { return enumParse(actionNames[:], b, "action", a) }

// enumName returns the name of v, an enum whose zero value is unset.
func enumName[T ~uint8](names []string, v T, what string) string {
	if v != 0 && int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", what, v)
}

// enumParse sets *v to the enum value named b.
func enumParse[T ~uint8](names []string, b []byte, what string, v *T) error {
	for i, n := range names {
		if i > 0 && string(b) == n {
			*v = T(i)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown %s %q (want %s)", ErrInvalid, what, b, strings.Join(names[1:], ", "))
}

// Where selects destinations: every one, the home jurisdictions, the
// foreign ones, or countries by code. A Where with none of them set
// selects nothing.
type Where struct {
	Any, Home, Foreign bool
	Codes              []string // upper case
}

// matches reports whether the destination cc, foreign or not, is
// selected.
func (w Where) matches(cc string, foreign bool) bool {
	return w.Any || w.Home && !foreign || w.Foreign && foreign || slices.Contains(w.Codes, cc)
}

// String writes w as the policy would: "any", "home", "foreign", codes,
// joined by commas.
func (w Where) String() string {
	var s []string
	if w.Any {
		s = append(s, "any")
	}
	if w.Home {
		s = append(s, "home")
	}
	if w.Foreign {
		s = append(s, "foreign")
	}
	s = append(s, w.Codes...)
	return strings.Join(s, ", ")
}

// Rule is one rule of the export section. A rule matches a destination
// of a request when Destinations selects it, the request's highest
// finding lies between MinSeverity and MaxSeverity (both included), and,
// when FindingRules is set, the request has a finding of one of those
// policy rules.
type Rule struct {
	// Name identifies the rule in outcomes and the audit log.
	Name        string
	Description string // optional help text
	// Destinations selects the destinations the rule is about; the
	// default is every destination.
	Destinations Where
	// MinSeverity is the least severity the highest finding must have;
	// SeverityNone (the default) lets a request without findings match.
	MinSeverity geowarden.Severity
	// MaxSeverity is the most the highest finding may have; the default,
	// SeverityCritical, lets every request match. SeverityNone matches
	// only requests without findings.
	MaxSeverity geowarden.Severity
	// FindingRules, when not empty, makes the rule match only requests
	// with a finding of one of these policy rules (by rule id).
	FindingRules []string
	Action       Action
	// Approvals is the number of distinct reviewers who must approve
	// (Review only).
	Approvals int
	// Denials is the number of denials that end the request (Review
	// only).
	Denials int
	// Reviewers and ReviewerGroups restrict who may review (Review
	// only): a reviewer must be named in Reviewers or belong to one of
	// ReviewerGroups. Both empty: anyone the server lets review (the
	// reviewer role).
	Reviewers      []string
	ReviewerGroups []string
	// Reason is told to the requester of a refused export (Refuse only).
	Reason string
	// Line is the rule's line in the policy file, 0 for a built-in rule.
	Line int
}

// unconditional reports whether r matches every request, so that a rule
// after it never applies.
func (r *Rule) unconditional() bool {
	return r.Destinations.Any && r.MinSeverity == geowarden.SeverityNone &&
		r.MaxSeverity == geowarden.SeverityCritical && len(r.FindingRules) == 0
}

// matches reports whether r matches the destination cc of a request with
// findings f.
func (r *Rule) matches(cc string, foreign bool, f Findings) bool {
	if !r.Destinations.matches(cc, foreign) {
		return false
	}
	if hi := f.Highest(); hi < r.MinSeverity || hi > r.MaxSeverity {
		return false
	}
	if len(r.FindingRules) == 0 {
		return true
	}
	for _, id := range r.FindingRules {
		if f.ByRule[id] > 0 {
			return true
		}
	}
	return false
}

// Default settings: two approvals, one denial ends a request, 72 hours
// to review it and 7 days to download what is released.
const (
	DefaultApprovals      = 2
	DefaultDenials        = 1
	DefaultPendingExpiry  = 72 * time.Hour
	DefaultDownloadWindow = 7 * 24 * time.Hour
)

// MaxExpiry caps the pending expiry and the download window: a year.
const MaxExpiry = 365 * 24 * time.Hour

// MaxVotes caps the approvals and denials a rule may ask for.
const MaxVotes = 100

// Config is the decoded export section of a policy.
type Config struct {
	// Home lists the home jurisdictions (ISO 3166-1 alpha-2, upper case):
	// a destination outside them is foreign. The server's --home flags,
	// when given, replace it (NewGate). Empty: every destination is
	// foreign.
	Home []string
	// Rules are read top to bottom for each destination; the first that
	// matches decides for it. A destination no rule matches is held for
	// review with the default quorum: the gate fails closed.
	Rules []Rule
	// Builtin says that Rules are the built-in ones (the policy has no
	// rules of its own).
	Builtin bool
	// PendingExpiry is how long a held request waits for its quorum.
	PendingExpiry time.Duration
	// DownloadWindow is how long a released copy may be downloaded.
	DownloadWindow time.Duration
	// Revision is the policy's revision; the gate copies it into every
	// outcome. DecodeConfig leaves it empty: the caller sets it
	// (policy.Policy.Revision).
	Revision string
}

// BuiltinRules are the rules of a policy without export rules: a
// cross-border export with any finding waits for two reviewers (one
// denial ends it); an export without findings, or to a home jurisdiction,
// is released.
func BuiltinRules() []Rule {
	return []Rule{
		{
			Name:         "builtin-foreign-findings",
			Description:  "A cross-border export with findings waits for two reviewers.",
			Destinations: Where{Foreign: true},
			MinSeverity:  geowarden.SeverityInfo, MaxSeverity: geowarden.SeverityCritical,
			Action: Review, Approvals: DefaultApprovals, Denials: DefaultDenials,
		},
		{
			Name:         "builtin-release",
			Description:  "An export without findings, or to a home jurisdiction, is released.",
			Destinations: Where{Any: true},
			MaxSeverity:  geowarden.SeverityCritical,
			Action:       Release,
		},
	}
}

// Defaults returns the settings of a policy without an export section:
// the built-in rules, no home jurisdiction (the server's --home gives
// them), 72 h to review and 7 days to download.
func Defaults() Config {
	return Config{
		Rules:          BuiltinRules(),
		Builtin:        true,
		PendingExpiry:  DefaultPendingExpiry,
		DownloadWindow: DefaultDownloadWindow,
	}
}

// Validate reports the first setting that makes no sense.
func (c *Config) Validate() error {
	if c.PendingExpiry <= 0 || c.PendingExpiry > MaxExpiry {
		return fmt.Errorf("review: pending_expiry %v must be above zero and at most %v", c.PendingExpiry, MaxExpiry)
	}
	if c.DownloadWindow <= 0 || c.DownloadWindow > MaxExpiry {
		return fmt.Errorf("review: download_window %v must be above zero and at most %v", c.DownloadWindow, MaxExpiry)
	}
	for _, h := range c.Home {
		if cc, msg := country(h); msg != "" || cc != h {
			return fmt.Errorf("review: home: %q is not an upper-case ISO 3166-1 code", h)
		}
	}
	if len(c.Rules) == 0 {
		return fmt.Errorf("review: no rules")
	}
	seen := map[string]bool{}
	for i := range c.Rules {
		if err := c.Rules[i].validate(); err != nil {
			return fmt.Errorf("review: rule %q: %s", c.Rules[i].Name, err)
		}
		if seen[c.Rules[i].Name] {
			return fmt.Errorf("review: rule %q: name used twice", c.Rules[i].Name)
		}
		seen[c.Rules[i].Name] = true
		if c.Rules[i].unconditional() && i+1 < len(c.Rules) {
			return fmt.Errorf("review: rule %q: never applies: rule %q before it matches every export", c.Rules[i+1].Name, c.Rules[i].Name)
		}
	}
	return nil
}

// validate checks one rule; its message has no prefix.
func (r *Rule) validate() error {
	if r.Name == "" || len(r.Name) > MaxNameLen || strings.ContainsFunc(r.Name, func(c rune) bool { return c <= ' ' || c == ',' || c == 0x7f }) {
		return fmt.Errorf("name must be 1 to %d characters without spaces, commas or control characters", MaxNameLen)
	}
	w := r.Destinations
	if !w.Any && !w.Home && !w.Foreign && len(w.Codes) == 0 {
		return fmt.Errorf("destinations select nothing")
	}
	for _, cc := range w.Codes {
		if c, msg := country(cc); msg != "" || c != cc {
			return fmt.Errorf("destinations: %q is not an upper-case ISO 3166-1 code", cc)
		}
	}
	if r.MinSeverity > r.MaxSeverity || r.MaxSeverity > geowarden.SeverityCritical {
		return fmt.Errorf("min_severity %v is above max_severity %v: the rule never matches", r.MinSeverity, r.MaxSeverity)
	}
	switch r.Action {
	case Release, Refuse:
		if r.Approvals != 0 || r.Denials != 0 || len(r.Reviewers) != 0 || len(r.ReviewerGroups) != 0 {
			return fmt.Errorf("approvals, denials, reviewers and reviewer_groups belong to review rules, not %v", r.Action)
		}
	case Review:
		if r.Approvals < 1 || r.Approvals > MaxVotes {
			return fmt.Errorf("approvals must be 1 to %d, not %d", MaxVotes, r.Approvals)
		}
		if r.Denials < 1 || r.Denials > MaxVotes {
			return fmt.Errorf("denials must be 1 to %d, not %d", MaxVotes, r.Denials)
		}
		if len(r.ReviewerGroups) == 0 && len(r.Reviewers) > 0 && len(r.Reviewers) < r.Approvals {
			return fmt.Errorf("approvals: %d approvals needed but only %d reviewers named", r.Approvals, len(r.Reviewers))
		}
	default:
		return fmt.Errorf("unknown action %v", r.Action)
	}
	if r.Reason != "" && r.Action != Refuse {
		return fmt.Errorf("reason belongs to refuse rules, not %v", r.Action)
	}
	return nil
}
