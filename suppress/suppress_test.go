package suppress

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseIgnore(t *testing.T) {
	in := "\ufeff# accepted findings\n" +
		"\n" +
		"3f9a0c1e2b4d5a6f7e8d9c0b  expires=2027-01-31  # survey contractor, approved by DPO ticket 4411\n" +
		"   9C0B3F9A0C1E2B4D5A6F7E8D\r\n" +
		"aaaaaaaaaaaaaaaaaaaaaaaa # reason with # inside\n" +
		"\t# indented comment\n"
	got, err := ParseIgnore("ig", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Fingerprint: "3f9a0c1e2b4d5a6f7e8d9c0b", Kind: Ignore, Expires: date("2027-01-31T00:00:00Z"), Reason: "survey contractor, approved by DPO ticket 4411", File: "ig", Line: 3},
		{Fingerprint: "9c0b3f9a0c1e2b4d5a6f7e8d", Kind: Ignore, File: "ig", Line: 4},
		{Fingerprint: "aaaaaaaaaaaaaaaaaaaaaaaa", Kind: Ignore, Reason: "reason with # inside", File: "ig", Line: 5},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Fingerprint != w.Fingerprint || g.Kind != w.Kind || !g.Expires.Equal(w.Expires) || g.Reason != w.Reason || g.File != w.File || g.Line != w.Line {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	if s := got[0].Source(); s != "ig:3" {
		t.Errorf("Source = %q, want ig:3", s)
	}
	if d := got[0].ExpiryDate(); d != "2027-01-31" {
		t.Errorf("ExpiryDate = %q", d)
	}
}

func TestParseIgnoreErrors(t *testing.T) {
	const fp = "3f9a0c1e2b4d5a6f7e8d9c0b"
	cases := []struct {
		name, in, want string
	}{
		{"not hex", "# x\nzz9a0c1e2b4d5a6f7e8d9c0b\n", `ig:2: malformed line: "zz9a0c1e2b4d5a6f7e8d9c0b" is not a fingerprint (want hex digits, found 'z')`},
		{"too short", "3f9a0c1e\n", `ig:1: malformed line: "3f9a0c1e" is not a fingerprint (want 16 to 64 hex digits)`},
		{"bad date", fp + " expires=2027-13-01\n", `ig:1: malformed line: expires="2027-13-01": want a date YYYY-MM-DD`},
		{"date with time", fp + " expires=2027-01-31T10:00:00Z\n", `ig:1: malformed line: expires="2027-01-31T10:00:00Z": want a date YYYY-MM-DD`},
		{"unknown key", fp + " until=2027-01-31\n", `ig:1: malformed line: unknown key "until" (want expires)`},
		{"reason without hash", fp + " survey contractor\n", `ig:1: malformed line: unexpected "survey" after the fingerprint (want expires=YYYY-MM-DD, then # reason)`},
		{"expires twice", fp + " expires=2027-01-31 expires=2028-01-31\n", `ig:1: malformed line: expires given twice`},
		{"duplicate", fp + "\n\n" + strings.ToUpper(fp) + " # again\n", `ig:3: malformed line: fingerprint ` + fp + ` is already listed on line 1`},
		{"line too long", fp + "\n#" + strings.Repeat("x", MaxLineLen) + "\n", `ig:2: malformed line: line longer than 65536 bytes`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseIgnore("ig", strings.NewReader(c.in))
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %q\nwant %q", err, c.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) {
				t.Errorf("error %T is not a *ParseError wrapping ErrSyntax", err)
			}
		})
	}
}

// TestExpiry: an entry suppresses through its expiry date (UTC) and no
// longer after it; an expired entry is listed and suppresses nothing.
func TestExpiry(t *testing.T) {
	entries, err := ParseIgnore("ig", strings.NewReader(
		"aaaaaaaaaaaaaaaaaaaaaaaa expires=2027-01-31 # until end of January\n"+
			"bbbbbbbbbbbbbbbbbbbbbbbb # for ever\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		now     string
		a       bool // aaaa… suppressed
		expired int
	}{
		{"2026-06-01T12:00:00Z", true, 0},
		{"2027-01-31T00:00:00Z", true, 0},
		{"2027-01-31T23:59:59Z", true, 0},
		{"2027-02-01T00:00:00Z", false, 1},
		{"2027-02-01T00:59:00+01:00", true, 0}, // still 31 January in UTC
		{"2030-01-01T00:00:00Z", false, 1},
	} {
		s := NewSet(date(c.now), entries)
		if got := s.Match("aaaaaaaaaaaaaaaaaaaaaaaa") != nil; got != c.a {
			t.Errorf("at %s: expiring entry suppresses = %v, want %v", c.now, got, c.a)
		}
		if s.Match("bbbbbbbbbbbbbbbbbbbbbbbb") == nil {
			t.Errorf("at %s: entry without expiry does not suppress", c.now)
		}
		if s.Match("cccccccccccccccccccccccc") != nil {
			t.Errorf("at %s: unlisted fingerprint suppressed", c.now)
		}
		if len(s.Expired()) != c.expired {
			t.Errorf("at %s: %d expired entries, want %d", c.now, len(s.Expired()), c.expired)
		}
		if c.expired == 1 {
			e := s.Expired()[0]
			if e.Line != 1 || e.Reason != "until end of January" || s.Hits(e) != 1 {
				t.Errorf("expired entry %+v (hits %d), want line 1 with its reason, hit once", e, s.Hits(e))
			}
		}
	}
}

// TestPrecedence: an ignore entry wins over a baseline entry for the same
// fingerprint, and an expired ignore entry revokes a baseline entry.
func TestPrecedence(t *testing.T) {
	const a, b = "aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb"
	now := date("2028-01-01T00:00:00Z")
	entries := []Entry{
		{Fingerprint: a, Kind: Baseline, File: "base.json", Line: 1},
		{Fingerprint: b, Kind: Baseline, File: "base.json", Line: 1},
		{Fingerprint: a, Kind: Ignore, Reason: "accepted", File: "ig", Line: 1},
		{Fingerprint: b, Kind: Ignore, Reason: "was accepted", Expires: date("2027-01-31T00:00:00Z"), File: "ig", Line: 2},
	}
	s := NewSet(now, entries)
	if e := s.Match(a); e == nil || e.Kind != Ignore || e.Reason != "accepted" {
		t.Errorf("Match(a) = %+v, want the ignore entry", e)
	}
	if e := s.Match(b); e != nil {
		t.Errorf("Match(b) = %+v, want nil: the expired ignore entry revokes the baseline", e)
	}
	if s.Len() != 1 {
		t.Errorf("Len = %d, want 1", s.Len())
	}
}

func TestReadBaseline(t *testing.T) {
	for _, name := range []string{"testdata/scan-examples.json", "testdata/scan-examples.ndjson"} {
		t.Run(name, func(t *testing.T) {
			entries, err := LoadBaseline(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 20 {
				t.Fatalf("%d entries, want the 20 findings of the report", len(entries))
			}
			s := NewSet(time.Now(), entries)
			for _, fp := range []string{"d7b6382ea9ac1bfaa8f4f725", "b60cc0ce24260a9f9afcd9b2"} {
				if e := s.Match(fp); e == nil || e.Kind != Baseline || e.File != name {
					t.Errorf("Match(%s) = %+v, want a baseline entry from %s", fp, e, name)
				}
			}
			if s.Match("d7b6382ea9ac1bfaa8f4f726") != nil {
				t.Error("a fingerprint not in the report is suppressed")
			}
		})
	}
	t.Run("ndjson lines", func(t *testing.T) {
		b, _ := os.ReadFile("testdata/scan-examples.ndjson")
		entries, err := ReadBaseline("b", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range entries {
			if e.Line != i+1 {
				t.Errorf("entry %d at line %d, want %d", i, e.Line, i+1)
			}
		}
	})
	t.Run("empty", func(t *testing.T) {
		entries, err := ReadBaseline("b", strings.NewReader("\n"))
		if err != nil || len(entries) != 0 {
			t.Errorf("empty baseline: %d entries, %v", len(entries), err)
		}
	})
	t.Run("sarif", func(t *testing.T) {
		in := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"geowarden"}},"results":[
{"ruleId":"r","message":{"text":"m"},"partialFingerprints":{"geowardenFingerprint/v1":"d7b6382ea9ac1bfaa8f4f725"}}]}]}`
		entries, err := ReadBaseline("b.sarif", strings.NewReader(in))
		if err != nil || len(entries) != 1 || entries[0].Fingerprint != "d7b6382ea9ac1bfaa8f4f725" {
			t.Errorf("SARIF baseline: %+v, %v", entries, err)
		}
	})
}

func TestReadBaselineErrors(t *testing.T) {
	const fp = `"fingerprint":"d7b6382ea9ac1bfaa8f4f725"`
	cases := []struct {
		name, in, want string
	}{
		{"ndjson syntax", "{" + fp + "}\n{" + fp + "}\n{\"file\":,}\n", `b:3: malformed line: not a geowarden report or findings: invalid character ',' looking for beginning of value`},
		{"no fingerprint", "{" + fp + "}\n\n{\"file\":\"x.csv\",\"line\":3}\n", `b:3: malformed line: this JSON value has no fingerprint (want the output of scan --format json, ndjson or sarif)`},
		{"bad fingerprint", "{\"fingerprint\":\"xyz\"}\n", `b:1: malformed line: "xyz" is not a fingerprint (want 16 to 64 hex digits) (in this JSON value)`},
		{"report finding without fingerprint", "{\"findings\":[{" + fp + "},\n{\"file\":\"a\"}]}\n", `b:1: malformed line: findings[1] has no fingerprint (want the output of scan --format json, ndjson or sarif)`},
		{"truncated report", "{\"findings\":[\n{" + fp + "},\n", `b:1: malformed line: not a geowarden report or findings: unexpected end of file`},
		{"wrong type", "{" + fp + "}\n{\"fingerprint\":12}\n", `b:2: malformed line: not a geowarden report or findings: fingerprint: unexpected JSON number`},
		{"table report", "SEVERITY  RULE\n", `b:1: malformed line: not a geowarden report or findings: invalid character 'S' looking for beginning of value`},
		{"stray bracket", "{" + fp + "}\n]\n", `b:2: malformed line: not a geowarden report or findings: invalid character ']' looking for beginning of value`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadBaseline("b", strings.NewReader(c.in))
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %q\nwant %q", err, c.want)
			}
		})
	}
}
