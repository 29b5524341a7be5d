package audit_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
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

// FuzzVerify: Verify of any storage contents reports, never panics, and
// passes only a log its key signed.
func FuzzVerify(f *testing.F) {
	key, vkey := seededKey(f, testOrigin, "test")
	m := &audittest.Memory{}
	l, err := audit.Open(context.Background(), m, key)
	if err != nil {
		f.Fatal(err)
	}
	signed := [][]byte{l.Checkpoint()}
	for i := range 5 {
		if _, err := l.Append(context.Background(), audittest.Entry(i)); err != nil {
			f.Fatal(err)
		}
		signed = append(signed, l.Checkpoint())
	}
	var hb []byte
	for _, h := range m.Hashes {
		hb = append(hb, h[:]...)
	}
	entries := bytes.Join(m.Entries, []byte("\n"))
	f.Add(entries, hb, signed[5], []byte(nil))
	f.Add(entries, hb, signed[5], signed[2])
	f.Add(entries[:len(entries)/2], hb, signed[3], signed[5])
	f.Fuzz(func(t *testing.T, entries, hashes, checkpoint, since []byte) {
		s := &audittest.Memory{Signed: checkpoint}
		if len(entries) > 0 {
			s.Entries = bytes.Split(entries, []byte("\n"))
		}
		for i := 0; i+tlog.HashSize <= len(hashes); i += tlog.HashSize {
			s.Hashes = append(s.Hashes, tlog.Hash(hashes[i:i+tlog.HashSize]))
		}
		if len(since) == 0 {
			since = nil
		}
		r, err := audit.Verify(context.Background(), s, vkey, since)
		if err != nil || !r.OK() {
			return
		}
		// A log that verifies is one the key signed: every entry has a
		// proof against its checkpoint.
		for n := range r.Checkpoint.Size {
			p, err := audit.Prove(context.Background(), s, vkey, n)
			if err != nil {
				t.Fatalf("verified log, entry %d: %v", n, err)
			}
			if _, _, err := audit.VerifyProof(p, vkey, nil); err != nil {
				t.Fatalf("verified log, proof of entry %d: %v", n, err)
			}
		}
	})
}
