package review

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/internal/policyfile"
)

// sectionKeys are the keys of the export section.
var sectionKeys = []string{"home", "rules", "review_when", "pending_expiry", "download_window"}

// ruleKeys are the keys of an export rule.
var ruleKeys = []string{"name", "description", "destinations", "min_severity", "max_severity", "finding_rules",
	"action", "approvals", "denials", "reviewers", "reviewer_groups", "reason"}

// DecodeConfig decodes the export section of a policy over Defaults and
// validates the result. name names the policy in errors (its path, for a
// policy loaded from a file); section is the section's value as the policy
// holds it (policy.Policy.Export), nil when the policy has none. Decoding
// is strict, as for the rest of the policy: an unknown key, a key given
// twice, a value of the wrong kind or a country code ISO 3166-1 does not
// assign is an error. Errors are of the policy's error type
// (*policyfile.Error, policy.Error) and carry the line they are about.
func DecodeConfig(name string, section *yaml.Node) (Config, error) {
	c := Defaults()
	if section == nil {
		return c, nil
	}
	d := &policyfile.Decoder{Name: name}
	if policyfile.IsNull(d.Deref(section)) {
		return c, nil
	}
	m, err := d.Fields(section, "export", sectionKeys...)
	if err != nil {
		return Config{}, err
	}
	if f, ok := m["home"]; ok {
		if c.Home, err = codes(d, f.Val, "export.home"); err != nil {
			return Config{}, err
		}
	}
	for _, k := range []struct {
		key string
		ptr *time.Duration
	}{{"pending_expiry", &c.PendingExpiry}, {"download_window", &c.DownloadWindow}} {
		key, ptr := k.key, k.ptr
		f, ok := m[key]
		if !ok {
			continue
		}
		path := "export." + key
		v, err := d.Str(f.Val, path)
		if err != nil {
			return Config{}, err
		}
		t, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return Config{}, d.Errf(f.Val, path, "%q is not a duration (want such as 72h, 168h or 90m)", v)
		}
		if t <= 0 || t > MaxExpiry {
			return Config{}, d.Errf(f.Val, path, "%v must be above zero and at most %v (a year)", t, MaxExpiry)
		}
		*ptr = t
	}
	rules, hasRules := m["rules"]
	when, hasWhen := m["review_when"]
	switch {
	case hasRules && hasWhen:
		return Config{}, d.Errf(when.Key, "export", "give rules or review_when, not both")
	case hasRules:
		if c.Rules, err = decodeRules(d, rules.Val); err != nil {
			return Config{}, err
		}
		c.Builtin = false
	case hasWhen:
		if c.Rules, err = reviewWhen(d, when.Val); err != nil {
			return Config{}, err
		}
		c.Builtin = false
	}
	if err := c.Validate(); err != nil {
		// Every setting was checked where it was read; this is a
		// last guard.
		return Config{}, d.Errf(section, "export", "%s", strings.TrimPrefix(err.Error(), "review: "))
	}
	return c, nil
}

// codes reads a country code or a list of them, upper-cased, each once.
func codes(d *policyfile.Decoder, n *yaml.Node, path string) ([]string, error) {
	items, err := d.Strs(n, path, false)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		cc, msg := country(it.S)
		if msg != "" {
			return nil, d.Errf(it.N, it.Path, "%s", msg)
		}
		if !slices.Contains(out, cc) {
			out = append(out, cc)
		}
	}
	return out, nil
}

// decodeRules reads the rules list.
func decodeRules(d *policyfile.Decoder, n *yaml.Node) ([]Rule, error) {
	const path = "export.rules"
	items, err := d.List(n, path)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		what := "empty list"
		if policyfile.IsNull(d.Deref(n)) {
			what = "missing value"
		}
		return nil, d.Errf(d.Deref(n), path, "%s: give rules, or leave rules out for the built-in ones", what)
	}
	var rules []Rule
	lines := map[string]int{}
	for i, it := range items {
		r, err := decodeRule(d, it, policyfile.Index(path, i))
		if err != nil {
			return nil, err
		}
		rp := rulePath(r.Name)
		if line, dup := lines[r.Name]; dup {
			return nil, d.Errf(it, rp, "name already used by the rule at line %d", line)
		}
		lines[r.Name] = r.Line
		if i > 0 && rules[i-1].unconditional() {
			prev := rules[i-1]
			return nil, d.Errf(it, rp, "never applies: rule %q (line %d) before it matches every export", prev.Name, prev.Line)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func rulePath(name string) string { return "export rule " + strconv.Quote(name) }

// decodeRule reads one rule.
func decodeRule(d *policyfile.Decoder, n *yaml.Node, path string) (Rule, error) {
	ps, err := d.Pairs(n, path)
	if err != nil {
		return Rule{}, err
	}
	r := Rule{Destinations: Where{Any: true}, MaxSeverity: geowarden.SeverityCritical, Line: n.Line}
	i := slices.IndexFunc(ps, func(p policyfile.Pair) bool { return p.Key.Value == "name" })
	if i < 0 {
		return Rule{}, d.Errf(n, path, "missing name")
	}
	if r.Name, err = d.Str(ps[i].Val, policyfile.Join(path, "name")); err != nil {
		return Rule{}, err
	}
	path = rulePath(r.Name)
	if err := checkName(d, ps[i].Val, path, r.Name); err != nil {
		return Rule{}, err
	}
	m, err := d.Known(ps, path, ruleKeys...)
	if err != nil {
		return Rule{}, err
	}
	if f, ok := m["description"]; ok {
		if r.Description, err = d.Str(f.Val, policyfile.Join(path, "description")); err != nil {
			return Rule{}, err
		}
	}
	if f, ok := m["destinations"]; ok {
		if r.Destinations, err = where(d, f.Val, policyfile.Join(path, "destinations")); err != nil {
			return Rule{}, err
		}
	}
	for _, k := range []struct {
		key string
		ptr *geowarden.Severity
	}{{"min_severity", &r.MinSeverity}, {"max_severity", &r.MaxSeverity}} {
		key, ptr := k.key, k.ptr
		f, ok := m[key]
		if !ok {
			continue
		}
		kp := policyfile.Join(path, key)
		v, err := d.Str(f.Val, kp)
		if err != nil {
			return Rule{}, err
		}
		if *ptr, err = geowarden.ParseSeverity(strings.TrimSpace(v)); err != nil {
			return Rule{}, d.Errf(f.Val, kp, "%v", err)
		}
	}
	if r.MinSeverity > r.MaxSeverity {
		return Rule{}, d.Errf(n, path, "min_severity %v is above max_severity %v: the rule never matches", r.MinSeverity, r.MaxSeverity)
	}
	for _, k := range []struct {
		key string
		ptr *[]string
	}{{"finding_rules", &r.FindingRules}, {"reviewers", &r.Reviewers}, {"reviewer_groups", &r.ReviewerGroups}} {
		key, ptr := k.key, k.ptr
		f, ok := m[key]
		if !ok {
			continue
		}
		kp := policyfile.Join(path, key)
		items, err := d.Strs(f.Val, kp, false)
		if err != nil {
			return Rule{}, err
		}
		for _, it := range items {
			if len(it.S) > MaxNameLen {
				return Rule{}, d.Errf(it.N, it.Path, "longer than %d bytes", MaxNameLen)
			}
			if slices.Contains(*ptr, it.S) {
				return Rule{}, d.Errf(it.N, it.Path, "%q given twice", it.S)
			}
			*ptr = append(*ptr, it.S)
		}
	}
	f, ok := m["action"]
	if !ok {
		return Rule{}, d.Errf(n, path, "missing action (release, review or refuse)")
	}
	ap := policyfile.Join(path, "action")
	v, err := d.Str(f.Val, ap)
	if err != nil {
		return Rule{}, err
	}
	if err := r.Action.UnmarshalText([]byte(strings.ToLower(strings.TrimSpace(v)))); err != nil {
		return Rule{}, d.Errf(f.Val, ap, "unknown action %q (want release, review or refuse)", v)
	}
	if r.Action == Review {
		r.Approvals, r.Denials = DefaultApprovals, DefaultDenials
	}
	for _, k := range []struct {
		key string
		ptr *int
	}{{"approvals", &r.Approvals}, {"denials", &r.Denials}} {
		key, ptr := k.key, k.ptr
		f, ok := m[key]
		if !ok {
			continue
		}
		kp := policyfile.Join(path, key)
		if r.Action != Review {
			return Rule{}, d.Errf(f.Key, kp, "only a review rule takes %s (this rule's action is %v)", key, r.Action)
		}
		v, err := d.Str(f.Val, kp)
		if err != nil {
			return Rule{}, err
		}
		x, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || x < 1 || x > MaxVotes {
			return Rule{}, d.Errf(f.Val, kp, "%q is not a whole number from 1 to %d", v, MaxVotes)
		}
		*ptr = x
	}
	for _, key := range []string{"reviewers", "reviewer_groups"} {
		if f, ok := m[key]; ok && r.Action != Review {
			return Rule{}, d.Errf(f.Key, policyfile.Join(path, key), "only a review rule takes %s (this rule's action is %v)", key, r.Action)
		}
	}
	if f, ok := m["reason"]; ok {
		rp := policyfile.Join(path, "reason")
		if r.Action != Refuse {
			return Rule{}, d.Errf(f.Key, rp, "only a refuse rule takes a reason (this rule's action is %v)", r.Action)
		}
		if r.Reason, err = d.Str(f.Val, rp); err != nil {
			return Rule{}, err
		}
	}
	if err := r.validate(); err != nil {
		return Rule{}, d.Errf(n, path, "%v", err)
	}
	return r, nil
}

// checkName checks a rule's name: it appears in outcomes, audit entries
// and lists.
func checkName(d *policyfile.Decoder, n *yaml.Node, path, name string) error {
	switch {
	case name == "":
		return d.Errf(n, path, "empty name")
	case len(name) > MaxNameLen:
		return d.Errf(n, path, "name longer than %d bytes", MaxNameLen)
	case strings.ContainsFunc(name, func(c rune) bool { return c <= ' ' || c == ',' || c == 0x7f }):
		return d.Errf(n, path, "name %q must not contain spaces, commas or control characters", name)
	case strings.HasPrefix(name, "builtin-"):
		return d.Errf(n, path, "names starting with builtin- are the built-in rules'")
	}
	return nil
}

// where reads a destinations value: any, home, foreign, a country code,
// or a list of these.
func where(d *policyfile.Decoder, n *yaml.Node, path string) (Where, error) {
	items, err := d.Strs(n, path, false)
	if err != nil {
		return Where{}, err
	}
	var w Where
	for _, it := range items {
		switch strings.ToLower(strings.TrimSpace(it.S)) {
		case "any":
			w.Any = true
		case "home":
			w.Home = true
		case "foreign":
			w.Foreign = true
		default:
			cc, msg := country(it.S)
			if msg != "" {
				return Where{}, d.Errf(it.N, it.Path, "%s, nor any, home or foreign", msg)
			}
			if !slices.Contains(w.Codes, cc) {
				w.Codes = append(w.Codes, cc)
			}
		}
	}
	return w, nil
}

// reviewWhen reads the short form review_when: {destination: foreign|any,
// findings_at_least: SEVERITY}: exports to those destinations with a
// finding at or above the severity wait for the default quorum; every
// other export is released.
func reviewWhen(d *policyfile.Decoder, n *yaml.Node) ([]Rule, error) {
	const path = "export.review_when"
	m, err := d.Fields(n, path, "destination", "findings_at_least")
	if err != nil {
		return nil, err
	}
	r := Rule{
		Name: "review-when", Destinations: Where{Any: true}, MaxSeverity: geowarden.SeverityCritical,
		Action: Review, Approvals: DefaultApprovals, Denials: DefaultDenials, Line: n.Line,
	}
	if f, ok := m["destination"]; ok {
		v, err := d.Str(f.Val, path+".destination")
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "foreign":
			r.Destinations = Where{Foreign: true}
		case "any":
		default:
			return nil, d.Errf(f.Val, path+".destination", "unknown destination %q (want foreign or any)", v)
		}
	}
	if f, ok := m["findings_at_least"]; ok {
		v, err := d.Str(f.Val, path+".findings_at_least")
		if err != nil {
			return nil, err
		}
		if r.MinSeverity, err = geowarden.ParseSeverity(strings.TrimSpace(v)); err != nil {
			return nil, d.Errf(f.Val, path+".findings_at_least", "%v", err)
		}
	}
	release := Rule{Name: "release", Destinations: Where{Any: true}, MaxSeverity: geowarden.SeverityCritical, Action: Release, Line: n.Line}
	if r.unconditional() {
		// Every export waits: the release rule would never apply.
		return []Rule{r}, nil
	}
	return []Rule{r, release}, nil
}
