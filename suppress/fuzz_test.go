package suppress

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzParseIgnore: any input either parses into valid entries or fails
// with a *ParseError that names a line within the input.
func FuzzParseIgnore(f *testing.F) {
	f.Add("3f9a0c1e2b4d5a6f7e8d9c0b  expires=2027-01-31  # survey contractor\n# comment\n\n9c0b3f9a0c1e2b4d5a6f7e8d\n")
	f.Add("3f9a0c1e2b4d5a6f7e8d9c0b expires=2027-02-30\n")
	f.Add("\ufeff3f9a0c1e2b4d5a6f7e8d9c0b\r\n3F9A0C1E2B4D5A6F7E8D9C0B\n")
	f.Fuzz(func(t *testing.T, in string) {
		entries, err := ParseIgnore("ig", strings.NewReader(in))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "ig" {
				t.Fatalf("error %v is not a *ParseError naming the file", err)
			}
			if pe.Line > strings.Count(in, "\n")+1 {
				t.Fatalf("error at line %d of a %d-line input", pe.Line, strings.Count(in, "\n")+1)
			}
			return
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if _, err := ParseFingerprint(e.Fingerprint); err != nil || seen[e.Fingerprint] {
				t.Fatalf("entry %+v: bad or duplicate fingerprint", e)
			}
			seen[e.Fingerprint] = true
			if e.Kind != Ignore || e.Line < 1 {
				t.Fatalf("entry %+v: want an ignore entry with a line", e)
			}
		}
		s := NewSet(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), entries)
		if s.Len()+len(s.Expired()) != len(entries) {
			t.Fatalf("%d active + %d expired != %d entries", s.Len(), len(s.Expired()), len(entries))
		}
	})
}

// FuzzReadBaseline: any input either yields valid fingerprints or fails
// with a *ParseError whose line lies within the input.
func FuzzReadBaseline(f *testing.F) {
	for _, p := range []string{"testdata/scan-examples.ndjson", "testdata/scan-examples.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`{"runs":[{"results":[{"partialFingerprints":{"geowardenFingerprint/v1":"d7b6382ea9ac1bfaa8f4f725"}}]}]}`)
	f.Add("{\"fingerprint\":\"d7b6382ea9ac1bfaa8f4f725\"}\n]")
	f.Fuzz(func(t *testing.T, in string) {
		entries, err := ReadBaseline("b", strings.NewReader(in))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "b" {
				t.Fatalf("error %v is not a *ParseError naming the file", err)
			}
			if pe.Line < 1 || pe.Line > strings.Count(in, "\n")+1 {
				t.Fatalf("error %v at line %d of a %d-line input", err, pe.Line, strings.Count(in, "\n")+1)
			}
			return
		}
		for _, e := range entries {
			if _, err := ParseFingerprint(e.Fingerprint); err != nil || e.Kind != Baseline {
				t.Fatalf("entry %+v: %v", e, err)
			}
			if e.Line < 1 || e.Line > strings.Count(in, "\n")+1 {
				t.Fatalf("entry %+v: line out of the input", e)
			}
		}
	})
}
