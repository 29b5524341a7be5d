package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
)

// want is a problem a tampering must produce: a check, and the entries it
// is about (-1 for the whole log).
type want struct {
	check       audit.Check
	first, last int64
}

func (w want) String() string { return fmt.Sprintf("%s %d..%d", w.check, w.first, w.last) }

func got(r *audit.Report) []want {
	var out []want
	for _, p := range r.Problems {
		out = append(out, want{p.Check, p.First, p.Last})
	}
	return out
}

// editCount changes entry n's count of "kept" by one digit: the entry stays
// well-formed and canonical, only its content changes.
func editCount(t *testing.T, m *audittest.Memory, n int) {
	t.Helper()
	e := m.Entries[n]
	i := bytes.Index(e, []byte(`"kept":1`))
	if i < 0 {
		t.Fatalf("entry %d has no kept count: %s", n, e)
	}
	e[i+len(`"kept":`)] = '9'
}

func TestVerifyTampering(t *testing.T) {
	const size = 10
	cases := []struct {
		name string
		// tamper changes the log; since is the size of the earlier
		// checkpoint to check against (0: none).
		tamper func(t *testing.T, m *audittest.Memory, old snapshot)
		since  int
		want   []want
	}{
		{"untouched", func(*testing.T, *audittest.Memory, snapshot) {}, 0, nil},
		{"untouched, since an earlier checkpoint", func(*testing.T, *audittest.Memory, snapshot) {}, 6, nil},
		{"a byte edited", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			editCount(t, m, 3)
		}, 0, []want{{audit.CheckEntryHash, 3, 3}, {audit.CheckRoot, -1, -1}}},
		{"a byte edited, hashes recomputed", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			editCount(t, m, 3)
			rehash(t, m)
		}, 0, []want{{audit.CheckRoot, -1, -1}}},
		{"a byte edited that breaks the entry's form", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Entries[7][0] = '['
		}, 0, []want{{audit.CheckEntryFormat, 7, 7}, {audit.CheckEntryHash, 7, 7}, {audit.CheckRoot, -1, -1}}},
		{"an entry deleted", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Entries = slices.Delete(m.Entries, 4, 5)
		}, 0, []want{{audit.CheckEntryIndex, 4, 8}, {audit.CheckEntryHash, 4, 8}, {audit.CheckSize, -1, -1}}},
		{"an entry deleted, hashes recomputed", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Entries = slices.Delete(m.Entries, 4, 5)
			rehash(t, m)
		}, 0, []want{{audit.CheckEntryIndex, 4, 8}, {audit.CheckSize, -1, -1}}},
		{"two entries swapped", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Entries[2], m.Entries[5] = m.Entries[5], m.Entries[2]
		}, 0, []want{{audit.CheckEntryIndex, 2, 2}, {audit.CheckEntryHash, 2, 2}, {audit.CheckEntryIndex, 5, 5}, {audit.CheckEntryHash, 5, 5}, {audit.CheckRoot, -1, -1}}},
		{"two entries swapped, hashes recomputed", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Entries[2], m.Entries[5] = m.Entries[5], m.Entries[2]
			rehash(t, m)
		}, 0, []want{{audit.CheckEntryIndex, 2, 2}, {audit.CheckEntryIndex, 5, 5}, {audit.CheckRoot, -1, -1}}},
		{"tail truncated", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Entries = m.Entries[:7]
		}, 0, []want{{audit.CheckSize, -1, -1}}},
		{"tail truncated with its hashes", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Entries = m.Entries[:7]
			rehash(t, m)
		}, 0, []want{{audit.CheckSize, -1, -1}}},
		{"rolled back to an older state, no earlier checkpoint kept", func(t *testing.T, m *audittest.Memory, old snapshot) {
			restore(m, old)
		}, 0, nil},
		{"rolled back to an older state", func(t *testing.T, m *audittest.Memory, old snapshot) {
			restore(m, old)
		}, size, []want{{audit.CheckSince, -1, -1}}},
		{"rolled back, then as many entries made up", func(t *testing.T, m *audittest.Memory, old snapshot) {
			signed := m.Signed
			restore(m, old)
			for i := len(m.Entries); i < size; i++ {
				e := audittest.Entry(100 + i)
				e.Index = int64(i)
				b, _ := e.Marshal()
				m.Entries = append(m.Entries, b)
			}
			rehash(t, m)
			m.Signed = signed
		}, 0, []want{{audit.CheckRoot, -1, -1}}},
		{"an entry made up and appended", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			e := audittest.Entry(size)
			e.Index = size
			b, _ := e.Marshal()
			m.Entries = append(m.Entries, b)
			rehash(t, m)
		}, 0, []want{{audit.CheckUnsigned, size, size}}},
		{"a stored inner hash changed", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Hashes[2][0] ^= 1 // level 1, node 0: made with entry 1
		}, 0, []want{{audit.CheckTreeHashes, 1, 1}}},
		{"stored hashes cut off", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Hashes = m.Hashes[:len(m.Hashes)-2]
		}, 0, []want{{audit.CheckTreeHashes, 9, 9}}},
		{"checkpoint removed", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Signed = nil
		}, 0, []want{{audit.CheckSignature, -1, -1}}},
		{"checkpoint edited", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			m.Signed = bytes.Replace(m.Signed, []byte("\n10\n"), []byte("\n9\n"), 1)
		}, 0, []want{{audit.CheckSignature, -1, -1}}},
		{"checkpoint signed by another key of the same name", func(t *testing.T, m *audittest.Memory, _ snapshot) {
			other, _ := seededKey(t, testOrigin, "impostor")
			fake := &audittest.Memory{}
			l, err := audit.Open(context.Background(), fake, other)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range m.Entries {
				parsed, _ := audit.ParseEntry(e)
				l.Append(context.Background(), parsed)
			}
			m.Signed = fake.Signed
		}, 0, []want{{audit.CheckSignature, -1, -1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, m, vkey := newLog(t, 6)
			old := snap(m)
			for i := 6; i < size; i++ {
				if _, err := l.Append(context.Background(), audittest.Entry(i)); err != nil {
					t.Fatal(err)
				}
			}
			var since []byte
			switch c.since {
			case 6:
				since = old.signed
			case size:
				since = l.Checkpoint()
			}
			c.tamper(t, m, old)
			r, err := audit.Verify(context.Background(), m, vkey, since)
			if err != nil {
				t.Fatal(err)
			}
			if g := got(r); !slices.Equal(g, c.want) {
				var b strings.Builder
				for _, p := range r.Problems {
					fmt.Fprintf(&b, "\n\t%v", p)
				}
				t.Errorf("problems %v, want %v:%s", g, c.want, b.String())
			}
			if r.OK() != (len(c.want) == 0) {
				t.Errorf("OK() = %v with problems %v", r.OK(), r.Problems)
			}
		})
	}
}

// TestVerifyReportText: the report says what happened in words a person
// acts on.
func TestVerifyReportText(t *testing.T) {
	l, m, vkey := newLog(t, 10)
	since := l.Checkpoint()
	m.Entries = slices.Delete(m.Entries, 4, 6)
	rehash(t, m)
	r, err := audit.Verify(context.Background(), m, vkey, since)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, p := range r.Problems {
		lines = append(lines, p.String())
	}
	text := strings.Join(lines, "\n")
	for _, w := range []string{
		"entries 4..7: entry-index: the entries at positions 4..7 say they are entries 6..9: 2 entries missing before position 4",
		"checkpoint-size: the signed checkpoint covers 10 entries, the log holds 8: entries 8..9 were removed",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("report lacks %q:\n%s", w, text)
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	l, m, vkey := newLog(t, 3)
	other, otherV := seededKey(t, "geowarden.example/audit/other", "other")
	ctx := context.Background()
	cases := []struct {
		name  string
		vkey  string
		since []byte
	}{
		{"malformed verifier key", "not a key", nil},
		{"since not signed", vkey, []byte("geowarden.example/audit/test\n1\n" + strings.Repeat("A", 43) + "=\n")},
		{"since by another key", vkey, func() []byte {
			ol, err := audit.Open(ctx, &audittest.Memory{}, other)
			if err != nil {
				t.Fatal(err)
			}
			return ol.Checkpoint()
		}()},
	}
	for _, c := range cases {
		if _, err := audit.Verify(ctx, m, c.vkey, c.since); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	// The log's checkpoint checked with another log's key: a finding.
	r, err := audit.Verify(ctx, m, otherV, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || r.Problems[0].Check != audit.CheckSignature {
		t.Errorf("verified with another key: %v", r.Problems)
	}
	_ = l
}

// TestVerifyProblemCap: a log with every entry broken lists at most
// MaxProblems problems and counts the rest.
func TestVerifyProblemCap(t *testing.T) {
	_, m, vkey := newLog(t, 300)
	for i := range m.Entries {
		if i%2 == 0 {
			m.Entries[i] = []byte("{}")
		}
	}
	r, err := audit.Verify(context.Background(), m, vkey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != audit.MaxProblems || r.Omitted == 0 || r.OK() {
		t.Errorf("%d problems, %d omitted", len(r.Problems), r.Omitted)
	}
}
