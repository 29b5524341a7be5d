package filelog_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/filelog"
)

// FuzzOpen: a folder whose entries and hashes files hold anything opens
// read-only, reads every entry it counts, and verifies without a panic.
func FuzzOpen(f *testing.F) {
	_, vkey, err := audit.GenerateKey("geowarden.example/audit/fuzz")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("{}\n{\"a\":1}\npartial"), []byte("0123456789abcdef0123456789abcdef"))
	f.Add([]byte("\n\n\n"), []byte{})
	f.Add([]byte(""), []byte("short"))
	f.Fuzz(func(t *testing.T, entries, hashes []byte) {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, filelog.EntriesFile), entries, 0o600)
		os.WriteFile(filepath.Join(d, filelog.HashesFile), hashes, 0o600)
		s, err := filelog.OpenReadOnly(d)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ctx := context.Background()
		n, _ := s.Size(ctx)
		if want := int64(bytes.Count(entries, []byte("\n"))); n != want {
			t.Fatalf("Size = %d, want %d", n, want)
		}
		lines := bytes.Split(entries, []byte("\n"))
		for i := range n {
			e, err := s.Entry(ctx, i)
			if err != nil {
				if len(lines[i]) <= audit.MaxEntrySize {
					t.Fatalf("Entry(%d): %v", i, err)
				}
				continue
			}
			if !bytes.Equal(e, lines[i]) {
				t.Fatalf("Entry(%d) = %q, want %q", i, e, lines[i])
			}
		}
		if s.TornBytes() != int64(len(lines[len(lines)-1])) {
			t.Fatalf("TornBytes = %d, want %d", s.TornBytes(), len(lines[len(lines)-1]))
		}
		r, err := audit.Verify(ctx, s, vkey, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.OK() {
			t.Fatal("a folder without a checkpoint verified")
		}
	})
}
