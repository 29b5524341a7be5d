package audit_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
	"golang.org/x/mod/sumdb/tlog"
)

func exampleFile(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "example", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzParseEntry: an entry that parses is its own canonical encoding.
func FuzzParseEntry(f *testing.F) {
	for _, line := range bytes.Split(exampleFile(f, "entries"), []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte(`{"actor":"a\u0001\"\\","counts":{"𝔊":1,"é":2},"details":{"k":"v\n"},"digest":"","index":9007199254740991,"policy_revision":"","subjects":[""],"time":"0001-01-01T00:00:00.000000001Z","type":"token"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := audit.ParseEntry(data)
		if err != nil {
			return
		}
		b, err := e.Marshal()
		if err != nil {
			t.Fatalf("parsed entry does not marshal: %v", err)
		}
		if !bytes.Equal(b, data) {
			t.Fatalf("Marshal(ParseEntry(x)) != x:\n%q\n%q", b, data)
		}
		if bytes.IndexByte(b, '\n') >= 0 {
			t.Fatalf("an entry holds a newline: %q", b)
		}
	})
}

// FuzzParseCheckpoint: a checkpoint that parses prints back as it was.
func FuzzParseCheckpoint(f *testing.F) {
	cp := exampleFile(f, "checkpoint")
	text, _, _ := bytes.Cut(cp, []byte("\n\n"))
	f.Add(string(text) + "\n")
	f.Add("o\n0\n" + root + "\next\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := audit.ParseCheckpoint(text)
		if err != nil {
			return
		}
		if c.String() != text {
			t.Fatalf("String(ParseCheckpoint(x)) = %q, want %q", c.String(), text)
		}
	})
}

// FuzzParseProof: a proof that parses survives Marshal and ParseProof, and
// checking it never panics.
func FuzzParseProof(f *testing.F) {
	f.Add(exampleFile(f, "proof-1.tlog-proof"))
	f.Add([]byte("c2sp.org/tlog-proof@v1\nindex 0\n\nx\n"))
	vkey := string(bytes.TrimSpace(exampleFile(f, "verifier-key")))
	f.Fuzz(func(t *testing.T, text []byte) {
		p, err := audit.ParseProof(text)
		if err != nil {
			return
		}
		q, err := audit.ParseProof(p.Marshal())
		if err != nil {
			t.Fatalf("ParseProof(Marshal(p)): %v", err)
		}
		if len(p.Extra) == 0 {
			p.Extra, q.Extra = nil, nil
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip: %+v, want %+v", q, p)
		}
		audit.VerifyProof(text, vkey, nil)
	})
}

// FuzzVerify tampers with a log of 12 entries by a list of edits (three
// bytes each: what, where, what with) and checks that Verify passes exactly
// the states the key signed: the first S entries unchanged, their stored
// hashes unchanged, the signed checkpoint of size S, and an earlier
// checkpoint, if given, of at most S entries.
func FuzzVerify(f *testing.F) {
	const size = 12
	ctx := context.Background()
	key, vkey := seededKey(f, testOrigin, "test")
	m := &audittest.Memory{}
	l, err := audit.Open(ctx, m, key)
	if err != nil {
		f.Fatal(err)
	}
	signed := [][]byte{l.Checkpoint()}
	heads := []audit.Checkpoint{l.Head()}
	for i := range size {
		if _, err := l.Append(ctx, audittest.Entry(i)); err != nil {
			f.Fatal(err)
		}
		signed = append(signed, l.Checkpoint())
		heads = append(heads, l.Head())
	}
	orig := snap(m)
	for _, seed := range [][]byte{
		nil,                          // untouched
		{0, 3, 40},                   // a byte of entry 3 changed
		{1, 4, 0},                    // entry 4 deleted
		{2, 2, 5},                    // entries 2 and 5 swapped
		{3, 9, 0},                    // entries cut to 9
		{3, 9, 0, 5, 255, 0},         // entries and hashes cut to 9
		{3, 6, 0, 6, 6, 0},           // rolled back to the state at 6
		{3, 6, 0, 6, 6, 0, 9, 12, 0}, // rolled back, and a checkpoint of 12 kept
		{4, 7, 1},                    // a stored hash changed
		{7, 20, 1},                   // a byte of the checkpoint changed
		{8, 3, 0},                    // entry 3 repeated
		{0, 3, 40, 0, 3, 40},         // a byte changed and changed back
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, edits []byte) {
		if len(edits) > 3*64 {
			return
		}
		s := snapshot{signed: orig.signed}
		for _, e := range orig.entries {
			s.entries = append(s.entries, bytes.Clone(e))
		}
		s.hashes = append(s.hashes, orig.hashes...)
		var since []byte
		for ; len(edits) >= 3; edits = edits[3:] {
			op, a, b := edits[0], int(edits[1]), int(edits[2])
			n := len(s.entries)
			switch op % 10 {
			case 0: // flip a byte of an entry
				if n > 0 {
					e := s.entries[a%n]
					if len(e) > 0 {
						e[b%len(e)] ^= 1 << (b % 8)
					}
				}
			case 1: // delete an entry
				if n > 0 {
					s.entries = append(s.entries[:a%n:a%n], s.entries[a%n+1:]...)
				}
			case 2: // swap two entries
				if n > 0 {
					s.entries[a%n], s.entries[b%n] = s.entries[b%n], s.entries[a%n]
				}
			case 3: // cut the entries
				s.entries = s.entries[:min(a, n)]
			case 4: // flip a byte of a stored hash
				if len(s.hashes) > 0 {
					s.hashes[a%len(s.hashes)][b%32] ^= 1
				}
			case 5: // cut the hashes to those of a entries
				s.hashes = s.hashes[:min(int(tlog.StoredHashCount(int64(min(a, size)))), len(s.hashes))]
			case 6: // put back an older signed checkpoint
				s.signed = signed[a%(size+1)]
			case 7: // flip a byte of the checkpoint
				c := bytes.Clone(s.signed)
				c[a*7%len(c)] ^= byte(1 << (b % 8))
				s.signed = c
			case 8: // repeat an entry
				if n > 0 {
					s.entries = append(s.entries[:a%n+1:a%n+1], s.entries[a%n:]...)
				}
			case 9: // check against an earlier checkpoint
				since = signed[a%(size+1)]
			}
		}
		mem := &audittest.Memory{}
		restore(mem, s)
		r, err := audit.Verify(ctx, mem, vkey, since)
		if err != nil {
			t.Fatal(err)
		}
		// What should pass: a state the key signed.
		want := false
		if c, err := audit.OpenCheckpoint(s.signed, vkey); err == nil {
			S := int(c.Size)
			want = reflect.DeepEqual(c, heads[S]) && len(s.entries) == S
			for i := 0; want && i < S; i++ {
				want = bytes.Equal(s.entries[i], orig.entries[i])
			}
			h := int(tlog.StoredHashCount(int64(S)))
			want = want && len(s.hashes) >= h && slices.Equal(s.hashes[:h], orig.hashes[:h])
			if since != nil {
				sc, _ := audit.OpenCheckpoint(since, vkey)
				want = want && sc.Size <= c.Size
			}
		}
		if r.OK() != want {
			t.Fatalf("Verify OK = %v, want %v; problems %v", r.OK(), want, r.Problems)
		}
	})
}
