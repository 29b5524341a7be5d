package review

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/policy"
)

// gateOf decodes the export section of a policy written in the test and
// builds its gate.
func gateOf(t testing.TB, src string, home ...string) *Gate {
	t.Helper()
	p, err := policy.Parse("p.yml", []byte("default: keep\n"+src))
	if err != nil {
		t.Fatal(err)
	}
	c, err := DecodeConfig(p.Name, p.Export)
	if err != nil {
		t.Fatal(err)
	}
	c.Revision = p.Revision
	g, err := NewGate(c, home...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// findings builds a summary from rule:severity pairs ("rail-signal:high").
func findings(pairs ...string) Findings {
	var f Findings
	for _, p := range pairs {
		rule, sev, _ := strings.Cut(p, ":")
		s, err := geowarden.ParseSeverity(sev)
		if err != nil {
			panic(err)
		}
		f.Add(rule, s)
	}
	return f
}

const examplePolicy = `export:
  home: [DE, AT]
  rules:
    - name: embargoed
      destinations: [KP, IR]
      action: refuse
      reason: embargoed destination
    - name: domestic-clean
      destinations: home
      max_severity: low
      action: release
    - name: rail-signals
      finding_rules: [rail-signal, protected-band]
      action: review
      approvals: 3
      reviewers: [alice, bob, carol, dave]
    - name: foreign-with-findings
      destinations: foreign
      min_severity: info
      action: review
      reviewer_groups: [export-board]
    - name: everything-else
      action: release
`

type gateCase struct {
	name      string
	dst       []string
	findings  Findings
	action    Action
	rule      string
	approvals int
	denials   int
	filters   []string // rules whose reviewer filters apply
	matched   []string // rule per destination
}

func runGateCases(t *testing.T, g *Gate, cases []gateCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			o := g.Decide(Request{Destinations: tt.dst, Findings: tt.findings})
			if o.Action != tt.action || o.Rule != tt.rule || o.Approvals != tt.approvals || o.Denials != tt.denials {
				t.Errorf("got %v by %q (%d/%d), want %v by %q (%d/%d)\n%s",
					o.Action, o.Rule, o.Approvals, o.Denials, tt.action, tt.rule, tt.approvals, tt.denials, o.Explain())
			}
			var filters []string
			for _, f := range o.Reviewers {
				filters = append(filters, f.Rule)
			}
			if !reflect.DeepEqual(filters, tt.filters) {
				t.Errorf("reviewer filters of %v, want %v", filters, tt.filters)
			}
			var matched []string
			for i, m := range o.Matches {
				matched = append(matched, m.Rule)
				if m.Destination != tt.dst[i] || m.Foreign != g.Foreign(tt.dst[i]) {
					t.Errorf("match %d: %+v", i, m)
				}
			}
			if tt.matched != nil && !reflect.DeepEqual(matched, tt.matched) {
				t.Errorf("rules matched %q, want %q", matched, tt.matched)
			}
			if o.PendingExpiry != g.cfg.PendingExpiry || o.DownloadWindow != g.cfg.DownloadWindow || o.Revision != g.cfg.Revision {
				t.Errorf("outcome settings %+v", o)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	g := gateOf(t, examplePolicy)
	runGateCases(t, g, []gateCase{
		{name: "domestic clean", dst: []string{"DE"}, action: Release, rule: "domestic-clean"},
		{name: "domestic at max_severity", dst: []string{"AT"}, findings: findings("wifi-names:low", "x:info"), action: Release, rule: "domestic-clean"},
		{name: "domestic above max_severity falls through", dst: []string{"DE"}, findings: findings("precision:medium"), action: Release, rule: "everything-else"},
		{name: "domestic with rail findings", dst: []string{"DE"}, findings: findings("rail-signal:high"), action: Review, rule: "rail-signals", approvals: 3, denials: 1, filters: []string{"rail-signals"}},
		{name: "foreign clean", dst: []string{"US"}, action: Release, rule: "everything-else"},
		{name: "foreign with an info finding", dst: []string{"US"}, findings: findings("x:info"), action: Review, rule: "foreign-with-findings", approvals: 2, denials: 1, filters: []string{"foreign-with-findings"}},
		{name: "embargoed", dst: []string{"KP"}, action: Refuse, rule: "embargoed"},
		{name: "embargoed among domestic", dst: []string{"DE", "KP"}, action: Refuse, rule: "embargoed", matched: []string{"domestic-clean", "embargoed"}},
		{name: "one foreign destination holds all", dst: []string{"DE", "US"}, findings: findings("x:low"), action: Review, rule: "foreign-with-findings", approvals: 2, denials: 1,
			filters: []string{"foreign-with-findings"}, matched: []string{"domestic-clean", "foreign-with-findings"}},
		{name: "strictest quorum wins", dst: []string{"US", "FR"}, findings: findings("rail-signal:high"), action: Review, rule: "rail-signals", approvals: 3, denials: 1,
			filters: []string{"rail-signals"}, matched: []string{"rail-signals", "rail-signals"}},
		{name: "no destination", dst: nil, action: Refuse},
	})
	o := g.Decide(Request{Destinations: []string{"KP"}})
	if o.Reason != "embargoed destination" || !strings.Contains(o.Explain(), "refused (embargoed destination) — KP foreign: rule embargoed (line 5) → refuse") {
		t.Errorf("refusal: reason %q, explained %q", o.Reason, o.Explain())
	}
}

func TestDecideBuiltin(t *testing.T) {
	g := gateOf(t, "", "de")
	runGateCases(t, g, []gateCase{
		{name: "domestic with a critical finding", dst: []string{"DE"}, findings: findings("military:critical"), action: Release, rule: "builtin-release"},
		{name: "foreign without findings", dst: []string{"US"}, action: Release, rule: "builtin-release"},
		{name: "foreign with an info finding", dst: []string{"US"}, findings: findings("x:info"), action: Review, rule: "builtin-foreign-findings", approvals: 2, denials: 1},
		{name: "domestic and foreign with findings", dst: []string{"DE", "FR"}, findings: findings("x:high"), action: Review, rule: "builtin-foreign-findings", approvals: 2, denials: 1,
			matched: []string{"builtin-release", "builtin-foreign-findings"}},
	})
	if o := g.Decide(Request{Destinations: []string{"US"}, Findings: findings("x:info")}); !o.Builtin || !strings.HasSuffix(o.Explain(), "(built-in rules)") {
		t.Errorf("builtin outcome %+v: %s", o, o.Explain())
	}
	// Without a home jurisdiction every destination is foreign.
	runGateCases(t, gateOf(t, ""), []gateCase{
		{name: "no home", dst: []string{"DE"}, findings: findings("x:info"), action: Review, rule: "builtin-foreign-findings", approvals: 2, denials: 1},
	})
}

func TestDecideSeverity(t *testing.T) {
	g := gateOf(t, "export:\n  home: DE\n  rules:\n    - name: foreign-high\n      destinations: foreign\n      min_severity: high\n      action: review\n      denials: 2\n    - name: rest\n      action: release\n")
	runGateCases(t, g, []gateCase{
		{name: "none", dst: []string{"US"}, action: Release, rule: "rest"},
		{name: "medium", dst: []string{"US"}, findings: findings("a:medium", "b:info"), action: Release, rule: "rest"},
		{name: "high", dst: []string{"US"}, findings: findings("a:medium", "b:high"), action: Review, rule: "foreign-high", approvals: 2, denials: 2},
		{name: "critical", dst: []string{"US"}, findings: findings("a:critical"), action: Review, rule: "foreign-high", approvals: 2, denials: 2},
		{name: "critical at home", dst: []string{"DE"}, findings: findings("a:critical"), action: Release, rule: "rest"},
	})
}

func TestDecideCombined(t *testing.T) {
	g := gateOf(t, `export:
  rules:
    - name: us
      destinations: US
      action: review
      approvals: 3
      denials: 2
      reviewers: [alice, bob, carol]
    - name: cn
      destinations: CN
      action: review
      approvals: 1
      reviewer_groups: [board]
    - name: fr
      destinations: FR
      action: release
`)
	runGateCases(t, g, []gateCase{
		{name: "most approvals, fewest denials, every filter", dst: []string{"CN", "US", "FR"}, action: Review, rule: "us", approvals: 3, denials: 1,
			filters: []string{"cn", "us"}, matched: []string{"cn", "us", "fr"}},
		// A destination no rule matches is held with the defaults.
		{name: "no rule matches", dst: []string{"FR", "JP"}, action: Review, rule: "", approvals: 2, denials: 1, matched: []string{"fr", ""}},
		{name: "fewer approvals than the default", dst: []string{"CN", "JP"}, action: Review, rule: "", approvals: 2, denials: 1, filters: []string{"cn"}},
	})
	o := g.Decide(Request{Destinations: []string{"CN", "US"}})
	for _, tt := range []struct {
		id   Identity
		want bool
	}{
		{Identity{Name: "alice", Groups: []string{"board"}}, true},
		{Identity{Name: "alice"}, false},
		{Identity{Name: "zed", Groups: []string{"board"}}, false},
	} {
		if got := o.allows(tt.id); got != tt.want {
			t.Errorf("allows(%+v) = %v, want %v", tt.id, got, tt.want)
		}
	}
	if e := g.Decide(Request{Destinations: []string{"JP"}}).Explain(); !strings.Contains(e, "JP foreign: no rule matched → review") {
		t.Errorf("explained %q", e)
	}
}

func TestNewGateHome(t *testing.T) {
	src := "export:\n  home: [DE]\n"
	if g := gateOf(t, src); g.Foreign("DE") || !g.Foreign("FR") {
		t.Errorf("policy home: %v", g.Home())
	}
	// --home replaces the policy's home.
	if g := gateOf(t, src, "fr", "FR", "at"); !g.Foreign("DE") || g.Foreign("FR") || !reflect.DeepEqual(g.Home(), []string{"FR", "AT"}) {
		t.Errorf("--home: %v", g.Home())
	}
	if _, err := NewGate(Defaults(), "EU"); err == nil || err.Error() != `review: home: review: "EU" is not an assigned ISO 3166-1 country code` {
		t.Errorf("bad --home: %v", err)
	}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func request(dst ...string) Request {
	return Request{
		ID: "exp-1", Requester: Identity{Name: "rita", Token: "tok-rita"}, Destinations: dst,
		Recipient: "Survey Partner Ltd", Purpose: "coverage study", Created: t0, Dataset: "sha256:00ff",
		Findings: findings("rail-signal:high", "precision:low"),
	}
}

func TestOpen(t *testing.T) {
	g := gateOf(t, examplePolicy)
	now := t0.Add(time.Minute)
	for _, tt := range []struct {
		name     string
		req      Request
		state    State
		deadline time.Time
	}{
		{"held", request("us", "US", "de"), Pending, now.Add(72 * time.Hour)},
		{"released", func() Request { r := request("DE"); r.Findings = Findings{}; return r }(), Released, now.Add(7 * 24 * time.Hour)},
		{"refused", request("IR"), Refused, time.Time{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x, tr, err := g.Open(tt.req, now)
			if err != nil {
				t.Fatal(err)
			}
			if x.State != tt.state || !x.Deadline.Equal(tt.deadline) || !x.Opened.Equal(now) {
				t.Errorf("state %v deadline %v, want %v %v", x.State, x.Deadline, tt.state, tt.deadline)
			}
			if err := x.Check(); err != nil {
				t.Error(err)
			}
			if tr.Kind != Open || tr.From != 0 || tr.To != tt.state || !reflect.DeepEqual(tr.By, x.Request.Requester) || tr.Request != "exp-1" ||
				tr.Revision == "" || !strings.Contains(tr.Message, "rita (token tok-rita) requested export of sha256:00ff") {
				t.Errorf("transition %+v", tr)
			}
		})
	}
	x, _, err := g.Open(request("us", "US", "de"), now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x.Request.Destinations, []string{"US", "DE"}) {
		t.Errorf("destinations %v, want [US DE]", x.Request.Destinations)
	}
	if _, _, err := g.Open(request("US"), t0.Add(-time.Second)); !errors.Is(err, ErrInvalid) {
		t.Errorf("opened before created: %v", err)
	}
}

func TestRequestValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(r *Request)
		want string
	}{
		{"no id", func(r *Request) { r.ID = "" }, "review: invalid: request id is required"},
		{"id with space", func(r *Request) { r.ID = "a b" }, `review: invalid: request id "a b" has spaces`},
		{"no requester token", func(r *Request) { r.Requester.Token = " " }, "review: invalid: requester token is required"},
		{"no destination", func(r *Request) { r.Destinations = nil }, "review: invalid: request exp-1 has no destination"},
		{"bad destination", func(r *Request) { r.Destinations = []string{"DE", "XX"} }, `review: invalid: destination "XX" is not an assigned ISO 3166-1 country code`},
		{"no recipient", func(r *Request) { r.Recipient = "" }, "review: invalid: recipient is required"},
		{"no purpose", func(r *Request) { r.Purpose = "\n" }, "review: invalid: purpose is required"},
		{"purpose too long", func(r *Request) { r.Purpose = strings.Repeat("x", MaxTextLen+1) }, "review: invalid: purpose is 4097 bytes long (at most 4096)"},
		{"control character", func(r *Request) { r.Recipient = "a\x1b[31mb" }, "review: invalid: recipient holds the control character U+001B"},
		{"bad UTF-8", func(r *Request) { r.Recipient = "a\xff" }, "review: invalid: recipient is not valid UTF-8"},
		{"no digest", func(r *Request) { r.Dataset = "" }, "review: invalid: dataset digest is required"},
		{"no time", func(r *Request) { r.Created = time.Time{} }, "review: invalid: request exp-1 has no creation time"},
		{"negative count", func(r *Request) { r.Findings.BySeverity[geowarden.SeverityHigh] = -1 }, "review: invalid: findings: -1 high findings"},
		{"severity none", func(r *Request) { r.Findings.BySeverity[geowarden.SeverityNone] = 1 }, "review: invalid: findings: severity none is not a finding's"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := request("DE")
			tt.edit(&r)
			err := r.Validate()
			if err == nil || err.Error() != tt.want || !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
	r := request("de", "DE", "fr")
	if err := r.Validate(); err != nil || !reflect.DeepEqual(r.Destinations, []string{"DE", "FR"}) {
		t.Errorf("got %v, %v", r.Destinations, err)
	}
	if f := r.Findings; f.Total() != 2 || f.Highest() != geowarden.SeverityHigh || f.String() != "1 high, 1 low" || (Findings{}).String() != "none" {
		t.Errorf("findings %+v: %s", f, f)
	}
}
