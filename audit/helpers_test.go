package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const testOrigin = "geowarden.example/audit/test"

// seededKey returns the key named origin made from a seed derived from
// word: the same key every run, for golden files.
func seededKey(t testing.TB, origin, word string) (*audit.Key, string) {
	t.Helper()
	skey, vkey := seededSkey(t, origin, word)
	k, err := audit.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	if k.VerifierKey() != vkey {
		t.Fatalf("ParseKey: verifier key %q, want %q", k.VerifierKey(), vkey)
	}
	return k, vkey
}

// seededSkey returns the private and verifier keys of seededKey.
func seededSkey(t testing.TB, origin, word string) (skey, vkey string) {
	t.Helper()
	seed := sha256.Sum256([]byte(word))
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(origin, pub)
	if err != nil {
		t.Fatal(err)
	}
	hash := strings.Split(vkey, "+")[1]
	skey = "PRIVATE+KEY+" + origin + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, seed[:]...))
	return skey, vkey
}

// newLog opens a log over a new memory storage and appends n entries.
func newLog(t testing.TB, n int) (*audit.Log, *audittest.Memory, string) {
	t.Helper()
	key, vkey := seededKey(t, testOrigin, "test")
	m := &audittest.Memory{}
	l, err := audit.Open(context.Background(), m, key)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := l.Append(context.Background(), audittest.Entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	return l, m, vkey
}

// snapshot is a copy of what a memory storage holds.
type snapshot struct {
	entries [][]byte
	hashes  []tlog.Hash
	signed  []byte
}

func snap(m *audittest.Memory) snapshot {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	var s snapshot
	for _, e := range m.Entries {
		s.entries = append(s.entries, slices.Clone(e))
	}
	s.hashes = slices.Clone(m.Hashes)
	s.signed = slices.Clone(m.Signed)
	return s
}

func restore(m *audittest.Memory, s snapshot) {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	m.Entries, m.Hashes, m.Signed = s.entries, s.hashes, s.signed
}

// rehash recomputes the stored hashes from the entries, as someone who
// changed entries and wants the hashes to match would.
func rehash(t testing.TB, m *audittest.Memory) {
	t.Helper()
	m.Mu.Lock()
	defer m.Mu.Unlock()
	var hashes []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for n, e := range m.Entries {
		hs, err := tlog.StoredHashes(int64(n), e, r)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hs...)
	}
	m.Hashes = hashes
}
