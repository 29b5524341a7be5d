package audit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
	"golang.org/x/mod/sumdb/tlog"
)

// release is how a caller lets data out: the log entry first, the data
// only when the append succeeded.
func release(ctx context.Context, l *audit.Log, out *[]string, data string) error {
	e := audittest.Entry(0)
	e.Type = audit.Release
	e.Digest = audit.Digest([]byte(data))
	if _, err := l.Append(ctx, e); err != nil {
		return err
	}
	*out = append(*out, data)
	return nil
}

// TestFailedAppendStopsRelease: when the entry cannot be stored, or its
// checkpoint cannot be signed and saved, Append fails and nothing leaves.
func TestFailedAppendStopsRelease(t *testing.T) {
	ctx := context.Background()
	l, m, vkey := newLog(t, 3)
	before := l.Checkpoint()
	var out []string

	m.AppendErr = errors.New("disk full")
	if err := release(ctx, l, &out, "export-1"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("release with a failing storage: %v", err)
	}
	if len(out) != 0 || len(m.Entries) != 3 || string(l.Checkpoint()) != string(before) {
		t.Fatalf("a failed append let data out (%v) or changed the log (%d entries)", out, len(m.Entries))
	}

	m.AppendErr = nil
	m.SaveErr = errors.New("checkpoint not written")
	if err := release(ctx, l, &out, "export-2"); err == nil || !strings.Contains(err.Error(), "checkpoint not written") {
		t.Fatalf("release with a failing checkpoint: %v", err)
	}
	if len(out) != 0 {
		t.Fatalf("data left without a signed checkpoint: %v", out)
	}
	// The entry is stored but not signed: Verify says so.
	r, err := audit.Verify(ctx, m, vkey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g := got(r); !slices.Equal(g, []want{{audit.CheckUnsigned, 3, 3}}) {
		t.Errorf("after a failed checkpoint: %v", r.Problems)
	}

	// Once the storage works again, the next checkpoint covers both.
	m.SaveErr = nil
	if err := release(ctx, l, &out, "export-3"); err != nil {
		t.Fatal(err)
	}
	if l.Head().Size != 5 || len(out) != 1 {
		t.Errorf("head %d, released %v", l.Head().Size, out)
	}
	if r, err := audit.Verify(ctx, m, vkey, before); err != nil || !r.OK() {
		t.Errorf("Verify: %v %v", r.Problems, err)
	}
}

func TestAppendInvalidEntry(t *testing.T) {
	l, m, _ := newLog(t, 1)
	_, err := l.Append(context.Background(), audit.Entry{Type: "shrug", Actor: "a"})
	if !errors.Is(err, audit.ErrEntry) {
		t.Errorf("Append of an invalid entry: %v", err)
	}
	if len(m.Entries) != 1 || l.Head().Size != 1 {
		t.Errorf("an invalid entry changed the log")
	}
}

func TestAppendSetsIndexAndTime(t *testing.T) {
	l, m, _ := newLog(t, 2)
	e := audittest.Entry(9)
	e.Index = 77
	e.Time = time.Time{}
	start := time.Now()
	n, err := l.Append(context.Background(), e)
	if err != nil || n != 2 {
		t.Fatalf("Append = %d, %v", n, err)
	}
	back, err := audit.ParseEntry(m.Entries[2])
	if err != nil {
		t.Fatal(err)
	}
	if back.Index != 2 || back.Time.Before(start.Add(-time.Second)) || back.Time.After(time.Now()) {
		t.Errorf("stored entry index %d, time %v", back.Index, back.Time)
	}
}

// TestOpen: Open signs what a crash left unsigned, and refuses a storage
// that does not hold what the log signed.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	key, vkey := seededKey(t, testOrigin, "test")
	// appendRaw stores an entry the way Append does, without signing: an
	// append whose checkpoint a crash prevented.
	appendRaw := func(m *audittest.Memory, e audit.Entry) {
		n := int64(len(m.Entries))
		e.Index = n
		b, _ := e.Marshal()
		hs, err := tlog.StoredHashes(n, b, tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) { return m.ReadHashes(ctx, x) }))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Append(ctx, n, b, hs); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("new", func(t *testing.T) {
		m := &audittest.Memory{}
		l, err := audit.Open(ctx, m, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := audit.OpenCheckpoint(m.Signed, vkey)
		if err != nil || c.Size != 0 || c.Hash.String() != "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" {
			t.Errorf("new log's checkpoint %+v, %v", c, err)
		}
		if l.Head().Size != 0 {
			t.Errorf("head %+v", l.Head())
		}
	})
	t.Run("unsigned tail", func(t *testing.T) {
		_, m, _ := newLog(t, 4)
		appendRaw(m, audittest.Entry(4))
		appendRaw(m, audittest.Entry(5))
		l, err := audit.Open(ctx, m, key)
		if err != nil {
			t.Fatal(err)
		}
		if l.Head().Size != 6 {
			t.Errorf("head after open %d, want 6", l.Head().Size)
		}
		if r, err := audit.Verify(ctx, m, vkey, nil); err != nil || !r.OK() {
			t.Errorf("Verify: %v %v", r.Problems, err)
		}
	})
	refused := []struct {
		name   string
		tamper func(m *audittest.Memory)
	}{
		{"entries truncated", func(m *audittest.Memory) { m.Entries = m.Entries[:3]; rehash(t, m) }},
		{"hashes recomputed over an edited entry", func(m *audittest.Memory) { editCount(t, m, 1); rehash(t, m) }},
		{"checkpoint removed", func(m *audittest.Memory) { m.Signed = nil }},
		{"checkpoint by another key", func(m *audittest.Memory) {
			other, _ := seededKey(t, testOrigin, "other")
			o := &audittest.Memory{}
			audit.Open(ctx, o, other)
			m.Signed = o.Signed
		}},
		{"unsigned tail that does not match its hash", func(m *audittest.Memory) {
			appendRaw(m, audittest.Entry(5))
			m.Entries[5] = m.Entries[4]
		}},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			_, m, _ := newLog(t, 5)
			c.tamper(m)
			if _, err := audit.Open(ctx, m, key); err == nil {
				t.Error("Open accepted it")
			}
		})
	}
}

// TestNeverSignsInconsistent: a log whose storage changed under it refuses
// to sign, and stays refusing.
func TestNeverSignsInconsistent(t *testing.T) {
	ctx := context.Background()
	cases := map[string]func(t *testing.T, m *audittest.Memory){
		"old entry rewritten, hashes recomputed": func(t *testing.T, m *audittest.Memory) { editCount(t, m, 2); rehash(t, m) },
		"entries truncated":                      func(t *testing.T, m *audittest.Memory) { m.Entries = m.Entries[:4]; rehash(t, m) },
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			l, m, _ := newLog(t, 6)
			signed := l.Checkpoint()
			tamper(t, m)
			for range 2 {
				if _, err := l.Append(ctx, audittest.Entry(7)); !errors.Is(err, audit.ErrInconsistent) {
					t.Errorf("Append over a changed storage: %v, want ErrInconsistent", err)
				}
			}
			if string(m.Signed) != string(signed) || string(l.Checkpoint()) != string(signed) {
				t.Error("a checkpoint was signed over the changed storage")
			}
		})
	}
}

func TestConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	l, m, vkey := newLog(t, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int64]bool{}
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				n, err := l.Append(ctx, audittest.Entry(g*100+i))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := l.Proof(ctx, n); err != nil {
					t.Error(err)
				}
				mu.Lock()
				seen[n] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 160 || l.Head().Size != 160 {
		t.Errorf("%d distinct indexes, head %d", len(seen), l.Head().Size)
	}
	if r, err := audit.Verify(ctx, m, vkey, nil); err != nil || !r.OK() {
		t.Errorf("Verify: %v %v", r.Problems, err)
	}
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.key")
	k, err := audit.CreateKeyFile(path, "geowarden.example/audit/0123abcd")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^geowarden\.example/audit/0123abcd\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$`).MatchString(k.VerifierKey()) {
		t.Errorf("verifier key %q not in name+hash+key form", k.VerifierKey())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), "PRIVATE+KEY+geowarden.example/audit/0123abcd+") {
		t.Errorf("key file holds %q", b)
	}
	back, err := audit.ReadKeyFile(path)
	if err != nil || back.VerifierKey() != k.VerifierKey() || back.Origin() != k.Origin() {
		t.Errorf("ReadKeyFile = %v, %v", back, err)
	}
	if _, err := audit.CreateKeyFile(path, "x"); err == nil {
		t.Error("CreateKeyFile replaced an existing key")
	}
	if runtime.GOOS != "windows" {
		os.Chmod(path, 0o644)
		if _, err := audit.ReadKeyFile(path); err == nil || !strings.Contains(err.Error(), "0600") {
			t.Errorf("ReadKeyFile of a key others may read: %v", err)
		}
	}
	for _, bad := range []string{"", "PRIVATE+KEY+x+00000000+AAAA", "x+00000000+AQ==", k.VerifierKey()} {
		if _, err := audit.ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q): no error", bad)
		}
	}
	if _, err := audit.CreateKeyFile(filepath.Join(dir, "k2"), "bad name"); err == nil {
		t.Error("a key name with a space was accepted")
	}

	pub := filepath.Join(dir, "audit.pub")
	os.WriteFile(pub, []byte("# the log's key\n\n"+k.VerifierKey()+"\n"), 0o644)
	if v, err := audit.ReadVerifierKey(pub); err != nil || v != k.VerifierKey() {
		t.Errorf("ReadVerifierKey = %q, %v", v, err)
	}
	os.WriteFile(pub, []byte("# nothing\n"), 0o644)
	if _, err := audit.ReadVerifierKey(pub); err == nil {
		t.Error("ReadVerifierKey of a file with no key: no error")
	}
}
