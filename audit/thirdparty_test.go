package audit_test

// This file checks geowarden's checkpoints and proofs the way a third
// party would: with golang.org/x/mod/sumdb/note and tlog, the standard
// library and the published verifier key, parsing the C2SP text itself.
// Nothing here uses package audit's parsers or checks.

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// thirdPartyCheckpoint opens a signed checkpoint with the verifier key and
// returns its size and root hash.
func thirdPartyCheckpoint(vkey string, signed []byte) (int64, tlog.Hash, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return 0, tlog.Hash{}, err
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return 0, tlog.Hash{}, err
	}
	lines := strings.Split(n.Text, "\n")
	// origin, size, root hash, and the empty string after the last newline.
	if len(lines) != 4 || lines[3] != "" {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint has %d lines", len(lines)-1)
	}
	if lines[0] != v.Name() {
		return 0, tlog.Hash{}, fmt.Errorf("origin %q is not the key's name %q", lines[0], v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return 0, tlog.Hash{}, fmt.Errorf("tree size %q", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return 0, tlog.Hash{}, fmt.Errorf("root hash %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], raw)
	return size, root, nil
}

// thirdPartyProof checks a c2sp.org/tlog-proof whose extra data is the
// entry, and returns the entry.
func thirdPartyProof(vkey string, proof []byte) ([]byte, error) {
	head, checkpoint, ok := bytes.Cut(proof, []byte("\n\n"))
	if !ok {
		return nil, errors.New("no empty line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	if len(lines) < 3 || lines[0] != "c2sp.org/tlog-proof@v1" || !strings.HasPrefix(lines[1], "extra ") || !strings.HasPrefix(lines[2], "index ") {
		return nil, errors.New("not a tlog-proof with extra data")
	}
	entry, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[1], "extra "))
	if err != nil {
		return nil, err
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(lines[2], "index "), 10, 64)
	if err != nil {
		return nil, err
	}
	var rp tlog.RecordProof
	for _, l := range lines[3:] {
		raw, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %q", l)
		}
		rp = append(rp, tlog.Hash(raw))
	}
	size, root, err := thirdPartyCheckpoint(vkey, checkpoint)
	if err != nil {
		return nil, err
	}
	if err := tlog.CheckRecord(rp, size, root, index, tlog.RecordHash(entry)); err != nil {
		return nil, err
	}
	return entry, nil
}

// TestThirdPartyVerifier: every proof of a log, and the golden example of
// docs/audit-format.md, verify with nothing but the published key.
func TestThirdPartyVerifier(t *testing.T) {
	l, m, vkey := newLog(t, 9)
	if _, _, err := thirdPartyCheckpoint(vkey, l.Checkpoint()); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	for n := range int64(9) {
		proof, err := l.Proof(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		entry, err := thirdPartyProof(vkey, proof)
		if err != nil {
			t.Fatalf("proof of entry %d: %v\n%s", n, err, proof)
		}
		if !bytes.Equal(entry, m.Entries[n]) {
			t.Errorf("proof of entry %d carries %s", n, entry)
		}
		// A changed proof does not verify.
		bad := bytes.Replace(proof, []byte("index "+strconv.FormatInt(n, 10)), []byte("index "+strconv.FormatInt((n+1)%9, 10)), 1)
		if _, err := thirdPartyProof(vkey, bad); err == nil {
			t.Errorf("proof of entry %d moved to another index verified", n)
		}
	}

	// The golden example.
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "example", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	exKey := strings.TrimSpace(string(read("verifier-key")))
	entries := bytes.Split(bytes.TrimSuffix(read("entries"), []byte("\n")), []byte("\n"))
	size, _, err := thirdPartyCheckpoint(exKey, read("checkpoint"))
	if err != nil || size != int64(len(entries)) {
		t.Fatalf("example checkpoint: size %d, %v", size, err)
	}
	entry, err := thirdPartyProof(exKey, read("proof-1.tlog-proof"))
	if err != nil || !bytes.Equal(entry, entries[1]) {
		t.Fatalf("example proof: %s, %v", entry, err)
	}
}
