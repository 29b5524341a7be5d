package review

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/geowarden/geowarden"
)

// Limits on what a request, a vote or an identity may hold. The server
// passes what clients send; these keep a hostile client from storing
// megabytes in a field every reviewer is shown.
const (
	MaxIDLen     = 128  // request ids, token ids
	MaxNameLen   = 256  // identity names, groups, recipients, rule names
	MaxTextLen   = 4096 // purposes and reasons, in bytes
	MaxGroups    = 64   // groups of one identity
	MaxRuleNames = 1000 // distinct policy rules in a findings summary
)

// ErrInvalid is wrapped by the errors about a malformed request, event or
// stored export.
var ErrInvalid = errors.New("review: invalid")

// Identity is who acts: the identity a token stands for. The server fills
// it from the token that authenticated the call; a client never chooses
// it.
type Identity struct {
	// Name is the identity's name (a person or a service), the same for
	// every token it holds.
	Name string `json:"name"`
	// Token is the id of the token used (never its secret). One token
	// votes once, and the requester's token never votes.
	Token string `json:"token"`
	// Groups are the groups the identity belongs to, for the reviewer
	// filters of a rule (reviewer_groups).
	Groups []string `json:"groups,omitempty"`
}

// String returns the name and the token, as audit messages show them.
func (id Identity) String() string {
	return fmt.Sprintf("%s (token %s)", id.Name, id.Token)
}

// same reports whether a and b are the same identity, by name or by
// token.
func (id Identity) same(o Identity) bool {
	return id.Name == o.Name || id.Token == o.Token
}

func (id Identity) check(what string) error {
	if err := text(what+" name", id.Name, MaxNameLen, false); err != nil {
		return err
	}
	if err := text(what+" token", id.Token, MaxIDLen, false); err != nil {
		return err
	}
	if len(id.Groups) > MaxGroups {
		return fmt.Errorf("%w: %s has %d groups (at most %d)", ErrInvalid, what, len(id.Groups), MaxGroups)
	}
	for _, g := range id.Groups {
		if err := text(what+" group", g, MaxNameLen, false); err != nil {
			return err
		}
	}
	return nil
}

// Findings summarises what the sanitizer and its verifier found in a
// dataset: the counts the gate decides on and reviewers are shown.
type Findings struct {
	// BySeverity counts findings per severity (info to critical).
	BySeverity map[geowarden.Severity]int `json:"by_severity,omitempty"`
	// ByRule counts findings per policy rule id.
	ByRule map[string]int `json:"by_rule,omitempty"`
}

// Add counts one finding of the policy rule with this severity. A
// severity of none is not a finding and is not counted.
func (f *Findings) Add(rule string, sev geowarden.Severity) {
	if sev == geowarden.SeverityNone {
		return
	}
	if f.BySeverity == nil {
		f.BySeverity = map[geowarden.Severity]int{}
	}
	if f.ByRule == nil {
		f.ByRule = map[string]int{}
	}
	f.BySeverity[sev]++
	f.ByRule[rule]++
}

// Highest returns the highest severity with a finding, SeverityNone when
// there is none.
func (f Findings) Highest() geowarden.Severity {
	for s := geowarden.SeverityCritical; s > geowarden.SeverityNone; s-- {
		if f.BySeverity[s] > 0 {
			return s
		}
	}
	return geowarden.SeverityNone
}

// Total returns the number of findings.
func (f Findings) Total() int {
	n := 0
	for _, c := range f.BySeverity {
		n += c
	}
	return n
}

// String summarises the counts, highest severity first: "2 high, 1 low"
// or "none".
func (f Findings) String() string {
	var parts []string
	for s := geowarden.SeverityCritical; s > geowarden.SeverityNone; s-- {
		if c := f.BySeverity[s]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, s))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func (f Findings) check() error {
	for s, c := range f.BySeverity {
		if s < geowarden.SeverityInfo || s > geowarden.SeverityCritical {
			return fmt.Errorf("%w: findings: severity %v is not a finding's", ErrInvalid, s)
		}
		if c < 0 {
			return fmt.Errorf("%w: findings: %d %v findings", ErrInvalid, c, s)
		}
	}
	if len(f.ByRule) > MaxRuleNames {
		return fmt.Errorf("%w: findings of %d rules (at most %d)", ErrInvalid, len(f.ByRule), MaxRuleNames)
	}
	for r, c := range f.ByRule {
		if err := text("findings rule", r, MaxNameLen, false); err != nil {
			return err
		}
		if c < 0 {
			return fmt.Errorf("%w: findings: %d findings of rule %q", ErrInvalid, c, r)
		}
	}
	return nil
}

func (f Findings) clone() Findings {
	return Findings{BySeverity: maps.Clone(f.BySeverity), ByRule: maps.Clone(f.ByRule)}
}

// Request is an export request: a sanitized dataset, where it goes, to
// whom and why. The server fills Requester from the token (which holds
// the export role), Created from its clock, and Dataset and Findings
// from sanitizing the dataset with the same pipeline and verifier as
// `geowarden sanitize`.
type Request struct {
	// ID is the request's id, chosen by the server.
	ID        string   `json:"id"`
	Requester Identity `json:"requester"`
	// Destinations are the ISO 3166-1 alpha-2 codes of the countries the
	// data goes to (any case; Validate upper-cases them). A download by a
	// remote client is an export to the client's country.
	Destinations []string `json:"destinations"`
	// Recipient is who receives the data (an organisation, a person).
	Recipient string `json:"recipient"`
	// Purpose says why the data leaves.
	Purpose string    `json:"purpose"`
	Created time.Time `json:"created"`
	// Dataset is the digest of the sanitized copy that would be released
	// ("sha256:…"): what reviewers approve, byte for byte.
	Dataset  string   `json:"dataset"`
	Findings Findings `json:"findings"`
}

// Validate checks the request and puts its destinations in canonical
// form: upper case, each once, in the order first given. Its errors wrap
// ErrInvalid.
func (r *Request) Validate() error {
	if err := text("request id", r.ID, MaxIDLen, false); err != nil {
		return err
	}
	if strings.ContainsFunc(r.ID, unicode.IsSpace) {
		return fmt.Errorf("%w: request id %q has spaces", ErrInvalid, r.ID)
	}
	if err := r.Requester.check("requester"); err != nil {
		return err
	}
	if len(r.Destinations) == 0 {
		return fmt.Errorf("%w: request %s has no destination", ErrInvalid, r.ID)
	}
	if len(r.Destinations) > 2*len(countries()) {
		return fmt.Errorf("%w: request %s has %d destinations", ErrInvalid, r.ID, len(r.Destinations))
	}
	dst := make([]string, 0, len(r.Destinations))
	for _, d := range r.Destinations {
		cc, msg := country(d)
		if msg != "" {
			return fmt.Errorf("%w: destination %s", ErrInvalid, msg)
		}
		if !slices.Contains(dst, cc) {
			dst = append(dst, cc)
		}
	}
	r.Destinations = dst
	if err := text("recipient", r.Recipient, MaxNameLen, false); err != nil {
		return err
	}
	if err := text("purpose", r.Purpose, MaxTextLen, true); err != nil {
		return err
	}
	if err := text("dataset digest", r.Dataset, MaxNameLen, false); err != nil {
		return err
	}
	if r.Created.IsZero() {
		return fmt.Errorf("%w: request %s has no creation time", ErrInvalid, r.ID)
	}
	return r.Findings.check()
}

func (r Request) clone() Request {
	r.Destinations = slices.Clone(r.Destinations)
	r.Requester.Groups = slices.Clone(r.Requester.Groups)
	r.Findings = r.Findings.clone()
	return r
}

// text checks a free-text field: not blank, valid UTF-8, at most max
// bytes, and no control characters (but line breaks and tabs when
// multiline).
func text(what, s string, max int, multiline bool) error {
	switch {
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("%w: %s is required", ErrInvalid, what)
	case len(s) > max:
		return fmt.Errorf("%w: %s is %d bytes long (at most %d)", ErrInvalid, what, len(s), max)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, what)
	}
	for _, r := range s {
		if (unicode.IsControl(r) || r == '\u2028' || r == '\u2029') && !(multiline && (r == '\n' || r == '\t')) {
			return fmt.Errorf("%w: %s holds the control character %U", ErrInvalid, what, r)
		}
	}
	return nil
}
