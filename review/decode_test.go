package review

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/internal/policyfile"
	"github.com/geowarden/geowarden/policy"
)

// decodeFile loads a policy fixture with package policy, as the command
// line does, and decodes its export section.
func decodeFile(t *testing.T, file string) (Config, error) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(file, data)
	if err != nil {
		t.Fatalf("policy.Parse: %v", err)
	}
	return DecodeConfig(p.Name, p.Export)
}

func fixtures(t *testing.T, suffix string) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*" + suffix)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no testdata/*%s", suffix)
	}
	for i, f := range files {
		files[i] = filepath.ToSlash(f)
	}
	return files
}

func TestDecodeConfigGood(t *testing.T) {
	for _, file := range fixtures(t, ".good.yml") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := decodeFile(t, file)
			if err != nil {
				t.Fatalf("DecodeConfig: %v", err)
			}
			if _, err := NewGate(c); err != nil {
				t.Fatalf("NewGate: %v", err)
			}
		})
	}
}

// TestDecodeConfigBad decodes the export section of each
// testdata/*.bad.yml, a policy whose first line is "# error: " followed by
// the exact error DecodeConfig must return.
func TestDecodeConfigBad(t *testing.T) {
	for _, file := range fixtures(t, ".bad.yml") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := bytes.Cut(data, []byte("\n"))
			want, ok := strings.CutPrefix(string(first), "# error: ")
			if !ok {
				t.Fatalf("first line %q does not start with %q", first, "# error: ")
			}
			c, err := decodeFile(t, file)
			if err == nil {
				t.Fatalf("DecodeConfig succeeded (%+v), want error %q", c, want)
			}
			if got := err.Error(); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			var perr *policyfile.Error
			if !errors.As(err, &perr) || perr.Line == 0 {
				t.Errorf("got error %#v of type %T, want a *policyfile.Error with a line", err, err)
			}
		})
	}
}

func TestDecodeConfig(t *testing.T) {
	c, err := decodeFile(t, "testdata/export.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	crit := geowarden.SeverityCritical
	want := Config{
		Home: []string{"DE", "AT"},
		Rules: []Rule{
			{Name: "embargoed", Description: "Destinations no data may reach.", Destinations: Where{Codes: []string{"KP", "IR"}},
				MaxSeverity: crit, Action: Refuse, Reason: "embargoed destination", Line: 7},
			{Name: "domestic-clean", Destinations: Where{Home: true}, MaxSeverity: geowarden.SeverityLow, Action: Release, Line: 12},
			{Name: "rail-signals", Destinations: Where{Any: true}, MaxSeverity: crit, FindingRules: []string{"rail-signal", "protected-band"},
				Action: Review, Approvals: 3, Denials: 1, Reviewers: []string{"alice", "bob", "carol", "dave"}, Line: 16},
			{Name: "foreign-with-findings", Destinations: Where{Foreign: true}, MinSeverity: geowarden.SeverityInfo, MaxSeverity: crit,
				Action: Review, Approvals: 2, Denials: 1, ReviewerGroups: []string{"export-board"}, Line: 21},
			{Name: "everything-else", Destinations: Where{Any: true}, MaxSeverity: crit, Action: Release, Line: 28},
		},
		PendingExpiry:  48 * time.Hour,
		DownloadWindow: 168 * time.Hour,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got\n%+v\nwant\n%+v", c, want)
	}

	// The short form.
	c, err = decodeFile(t, "testdata/review-when.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rules) != 2 || c.Builtin || c.Rules[0].Action != Review || !c.Rules[0].Destinations.Foreign ||
		c.Rules[0].MinSeverity != geowarden.SeverityHigh || c.Rules[0].Approvals != 2 || c.Rules[1].Action != Release {
		t.Errorf("review_when: got %+v", c.Rules)
	}
	// review_when for every export: one rule, nothing released unreviewed.
	p, err := policy.Parse("p.yml", []byte("default: keep\nexport: { review_when: {} }\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, err = DecodeConfig(p.Name, p.Export); err != nil || len(c.Rules) != 1 || !c.Rules[0].unconditional() || c.Rules[0].Action != Review {
		t.Errorf("review_when {}: got %+v, %v", c.Rules, err)
	}

	// No section, or an empty one: the defaults, with the built-in rules.
	for _, src := range []string{"", "export:\n", "export: ~\n"} {
		p, err := policy.Parse("p.yml", []byte("default: keep\n"+src))
		if err != nil {
			t.Fatal(err)
		}
		c, err := DecodeConfig(p.Name, p.Export)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if !reflect.DeepEqual(c, Defaults()) || !c.Builtin || c.PendingExpiry != 72*time.Hour || c.DownloadWindow != 7*24*time.Hour {
			t.Errorf("%q: got %+v, want the defaults", src, c)
		}
	}
	// Settings without rules keep the built-in rules.
	p, err = policy.Parse("p.yml", []byte("default: keep\nexport: { home: fr, pending_expiry: 24h }\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, err = DecodeConfig(p.Name, p.Export); err != nil || !c.Builtin || c.PendingExpiry != 24*time.Hour || !reflect.DeepEqual(c.Home, []string{"FR"}) {
		t.Errorf("settings without rules: got %+v, %v", c, err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"no rules", func(c *Config) { c.Rules = nil }, "review: no rules"},
		{"zero expiry", func(c *Config) { c.PendingExpiry = 0 }, "review: pending_expiry 0s must be above zero and at most 8760h0m0s"},
		{"long window", func(c *Config) { c.DownloadWindow = 2 * MaxExpiry }, "review: download_window 17520h0m0s must be above zero and at most 8760h0m0s"},
		{"lower-case home", func(c *Config) { c.Home = []string{"de"} }, `review: home: "de" is not an upper-case ISO 3166-1 code`},
		{"review without quorum", func(c *Config) { c.Rules[0].Approvals = 0 }, `review: rule "builtin-foreign-findings": approvals must be 1 to 100, not 0`},
		{"review without denials", func(c *Config) { c.Rules[0].Denials = 0 }, `review: rule "builtin-foreign-findings": denials must be 1 to 100, not 0`},
		{"release with quorum", func(c *Config) { c.Rules[1].Approvals = 1 }, `review: rule "builtin-release": approvals, denials, reviewers and reviewer_groups belong to review rules, not release`},
		{"no action", func(c *Config) { c.Rules[1].Action = 0 }, `review: rule "builtin-release": unknown action action(0)`},
		{"selects nothing", func(c *Config) { c.Rules[0].Destinations = Where{} }, `review: rule "builtin-foreign-findings": destinations select nothing`},
		{"same name", func(c *Config) { c.Rules[1].Name = c.Rules[0].Name }, `review: rule "builtin-foreign-findings": name used twice`},
		{"unreachable", func(c *Config) { c.Rules = append(c.Rules, c.Rules[0]); c.Rules[2].Name = "x" }, `review: rule "x": never applies: rule "builtin-release" before it matches every export`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			c.Rules = BuiltinRules()
			tt.edit(&c)
			err := c.Validate()
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
			if _, err := NewGate(c); err == nil {
				t.Error("NewGate accepted the config")
			}
		})
	}
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestCountry(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{"de", "DE", ""},
		{"Us", "US", ""},
		{"KP", "KP", ""},
		{"XK", "", `review: "XK" is not an assigned ISO 3166-1 country code`},
		{"UK", "", `review: "UK" is not an assigned ISO 3166-1 country code`},
		{"DEU", "", `review: "DEU" is not a two-letter country code (ISO 3166-1)`},
		{"", "", `review: "" is not a two-letter country code (ISO 3166-1)`},
		{"d1", "", `review: "d1" is not a two-letter country code (ISO 3166-1)`},
		{"ÄÖ", "", `review: "ÄÖ" is not a two-letter country code (ISO 3166-1)`},
	} {
		got, err := Country(tt.in)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
			t.Errorf("Country(%q) = %q, %v; want %q, %s", tt.in, got, err, tt.want, tt.err)
		}
	}
	if n := len(countries()); n != 249 {
		t.Errorf("%d country codes, want the 249 of ISO 3166-1", n)
	}
	if got := CountryName("DE"); got != "Germany" {
		t.Errorf("CountryName(DE) = %q", got)
	}
}

// TestDocExamples decodes every export section shown in docs/exports.md
// and docs/policy.md, so that the documentation stays true.
func TestDocExamples(t *testing.T) {
	n := 0
	for _, doc := range []string{"../docs/exports.md", "../docs/policy.md"} {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range strings.Split(string(data), "```yaml\n")[1:] {
			block, _, _ = strings.Cut(block, "```")
			if !strings.HasPrefix(block, "export:") {
				continue
			}
			n++
			p, err := policy.Parse(doc, []byte("default: keep\n"+block))
			if err != nil {
				t.Fatalf("%s: %v\n%s", doc, err, block)
			}
			if _, err := DecodeConfig(p.Name, p.Export); err != nil {
				t.Errorf("%s: %v\n%s", doc, err, block)
			}
		}
	}
	if n < 3 {
		t.Errorf("found %d export examples, want at least 3", n)
	}
}
