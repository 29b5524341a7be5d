package audit_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden/audit"
)

func TestEntryMarshal(t *testing.T) {
	e := audit.Entry{
		Index:          42,
		Type:           audit.Release,
		Time:           time.Date(2026, 5, 4, 9, 30, 0, 120000000, time.FixedZone("CEST", 2*3600)),
		Actor:          "reviewer:ana",
		Subjects:       []string{"export-7f3a", "batch-19"},
		PolicyRevision: "9c1e0b7d2a44",
		Counts:         map[string]int64{"kept": 1200, "military-drop": 3, "Zulu": 1, "émetteur": 2, "𝔊": 5, "\uffff": 6},
		Digest:         audit.Digest([]byte("hello\n")),
		Details:        map[string]string{"destination": "partner.example <foreign>", "reason": "tab\there \"quoted\" \\ \x01 é"},
	}
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// Keys sorted by UTF-16 code units (RFC 8785): "𝔊" (a surrogate pair,
	// 0xD835...) sorts before U+FFFF although its UTF-8 sorts after it.
	want := `{"actor":"reviewer:ana","counts":{"Zulu":1,"kept":1200,"military-drop":3,"émetteur":2,"𝔊":5,"` + "\uffff" + `":6},` +
		`"details":{"destination":"partner.example <foreign>","reason":"tab\there \"quoted\" \\ \u0001 é"},` +
		`"digest":"sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",` +
		`"index":42,"policy_revision":"9c1e0b7d2a44","subjects":["export-7f3a","batch-19"],` +
		`"time":"2026-05-04T07:30:00.12Z","type":"release"}`
	if string(b) != want {
		t.Fatalf("Marshal:\n got %s\nwant %s", b, want)
	}
	back, err := audit.ParseEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	e.Time = e.Time.UTC()
	if !reflect.DeepEqual(back, e) {
		t.Errorf("ParseEntry(Marshal(e)) = %+v, want %+v", back, e)
	}
}

func TestEntryEmptyMembers(t *testing.T) {
	e := audit.Entry{Type: audit.Token, Time: time.Unix(0, 0), Actor: "admin"}
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"actor":"admin","counts":{},"details":{},"digest":"","index":0,"policy_revision":"","subjects":[],"time":"1970-01-01T00:00:00Z","type":"token"}`
	if string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
}

func TestEntryInvalid(t *testing.T) {
	ok := func() audit.Entry {
		return audit.Entry{Type: audit.IngestBatch, Time: time.Unix(1, 0), Actor: "device-route"}
	}
	cases := []struct {
		name   string
		change func(*audit.Entry)
		want   string
	}{
		{"unknown type", func(e *audit.Entry) { e.Type = "export" }, `unknown type "export"`},
		{"no time", func(e *audit.Entry) { e.Time = time.Time{} }, "no time"},
		{"year 10000", func(e *audit.Entry) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "out of range"},
		{"no actor", func(e *audit.Entry) { e.Actor = "" }, "no actor"},
		{"negative index", func(e *audit.Entry) { e.Index = -1 }, "index -1"},
		{"index beyond 2^53", func(e *audit.Entry) { e.Index = 1 << 53 }, "out of range"},
		{"negative count", func(e *audit.Entry) { e.Counts = map[string]int64{"kept": -1} }, `count "kept": -1`},
		{"empty count name", func(e *audit.Entry) { e.Counts = map[string]int64{"": 1} }, "empty name"},
		{"bad UTF-8 subject", func(e *audit.Entry) { e.Subjects = []string{"ok", "\xff"} }, "subject 1: not valid UTF-8"},
		{"bad UTF-8 detail", func(e *audit.Entry) { e.Details = map[string]string{"k": "\xc3"} }, "not valid UTF-8"},
		{"digest upper case", func(e *audit.Entry) { e.Digest = "sha256:" + strings.Repeat("A", 64) }, "digest"},
		{"digest other algorithm", func(e *audit.Entry) { e.Digest = "md5:" + strings.Repeat("a", 32) }, "digest"},
		{"too large", func(e *audit.Entry) { e.Details = map[string]string{"x": strings.Repeat("x", audit.MaxEntrySize)} }, "more than the limit"},
	}
	for _, c := range cases {
		e := ok()
		c.change(&e)
		_, err := e.Marshal()
		if !errors.Is(err, audit.ErrEntry) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Marshal error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestParseEntryNotCanonical: anything but the canonical bytes of an
// entry is refused, even when it decodes to a valid entry.
func TestParseEntryNotCanonical(t *testing.T) {
	canon := `{"actor":"a","counts":{"x":1},"details":{},"digest":"","index":0,"policy_revision":"","subjects":[],"time":"2026-01-01T00:00:00Z","type":"review"}`
	if _, err := audit.ParseEntry([]byte(canon)); err != nil {
		t.Fatalf("canonical entry refused: %v", err)
	}
	cases := map[string]string{
		"space after colon":      strings.Replace(canon, `"actor":"a"`, `"actor": "a"`, 1),
		"members out of order":   `{"counts":{"x":1},"actor":"a","details":{},"digest":"","index":0,"policy_revision":"","subjects":[],"time":"2026-01-01T00:00:00Z","type":"review"}`,
		"duplicate member":       strings.Replace(canon, `"actor":"a",`, `"actor":"b","actor":"a",`, 1),
		"unknown member":         strings.Replace(canon, `"actor":"a",`, `"actor":"a","extra":1,`, 1),
		"missing member":         strings.Replace(canon, `"digest":"",`, ``, 1),
		"null subjects":          strings.Replace(canon, `"subjects":[]`, `"subjects":null`, 1),
		"escaped letter":         strings.Replace(canon, `"actor":"a"`, `"actor":"\u0061"`, 1),
		"float count":            strings.Replace(canon, `"x":1`, `"x":1.0`, 1),
		"exponent count":         strings.Replace(canon, `"x":1`, `"x":1e0`, 1),
		"time with offset":       strings.Replace(canon, `00:00:00Z`, `01:00:00+01:00`, 1),
		"time trailing zero":     strings.Replace(canon, `00:00:00Z`, `00:00:00.10Z`, 1),
		"trailing newline":       canon + "\n",
		"two objects":            canon + canon,
		"leading space":          " " + canon,
		"invalid UTF-8 in actor": strings.Replace(canon, `"actor":"a"`, "\"actor\":\"a\xff\"", 1),
		"not an object":          `[]`,
		"empty":                  ``,
	}
	for name, in := range cases {
		if _, err := audit.ParseEntry([]byte(in)); !errors.Is(err, audit.ErrEntry) {
			t.Errorf("%s: ParseEntry(%q) = %v, want an error wrapping ErrEntry", name, in, err)
		}
	}
}

func TestDigest(t *testing.T) {
	if got, want := audit.Digest(nil), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; got != want {
		t.Errorf("Digest(nil) = %s, want %s", got, want)
	}
}
