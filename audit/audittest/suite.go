package audittest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/geowarden/geowarden/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// Opener makes a new, empty storage for one test of the suite. reopen,
// when not nil, closes the storage and opens the same one again, as a
// restarted process would; storages that keep nothing across a restart
// return nil.
type Opener func(t *testing.T) (s audit.Storage, reopen func() audit.Storage)

// Run runs the conformance suite on the storages open makes. Every
// implementation of audit.Storage must pass it.
func Run(t *testing.T, open Opener) {
	t.Run("Empty", func(t *testing.T) { testEmpty(t, open) })
	t.Run("AppendRead", func(t *testing.T) { testAppendRead(t, open) })
	t.Run("AppendRefused", func(t *testing.T) { testAppendRefused(t, open) })
	t.Run("Checkpoint", func(t *testing.T) { testCheckpoint(t, open) })
	t.Run("Reopen", func(t *testing.T) { testReopen(t, open) })
	t.Run("ConcurrentReaders", func(t *testing.T) { testConcurrent(t, open) })
	t.Run("Log", func(t *testing.T) { testLog(t, open) })
}

// Entry returns a valid entry for tests, different for each i.
func Entry(i int) audit.Entry {
	return audit.Entry{
		Type:           audit.Types[i%len(audit.Types)],
		Time:           time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Actor:          fmt.Sprintf("token-%d", i%3),
		Subjects:       []string{fmt.Sprintf("batch-%d", i)},
		PolicyRevision: "3f2a9c",
		Counts:         map[string]int64{"kept": int64(100 + i), "military-drop": int64(i)},
		Digest:         audit.Digest([]byte(fmt.Sprint(i))),
		Details:        map[string]string{"route": "osmand", "note": "line\nbreak é"},
	}
}

// encoded returns the canonical bytes of Entry(i) at index i.
func encoded(t *testing.T, i int) []byte {
	t.Helper()
	e := Entry(i)
	e.Index = int64(i)
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// appendN appends entries 0..n-1 to s the way the log does, and returns
// their bytes and the stored hashes.
func appendN(t *testing.T, s audit.Storage, from, to int, hashes []tlog.Hash) ([][]byte, []tlog.Hash) {
	t.Helper()
	ctx := context.Background()
	var entries [][]byte
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for i := from; i < to; i++ {
		data := encoded(t, i)
		hs, err := tlog.StoredHashes(int64(i), data, r)
		if err != nil {
			t.Fatal(err)
		}
		buf := bytes.Clone(data)
		if err := s.Append(ctx, int64(i), buf, hs); err != nil {
			t.Fatalf("Append(%d): %v", i, err)
		}
		// The storage must have copied what it keeps.
		for j := range buf {
			buf[j] = 'x'
		}
		entries = append(entries, data)
		hashes = append(hashes, hs...)
	}
	return entries, hashes
}

func size(t *testing.T, s audit.Storage) int64 {
	t.Helper()
	n, err := s.Size(context.Background())
	if err != nil {
		t.Fatalf("Size: %v", err)
	}
	return n
}

func testEmpty(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := open(t)
	if n := size(t, s); n != 0 {
		t.Errorf("Size of a new storage = %d, want 0", n)
	}
	if c, err := s.Checkpoint(ctx); err != nil || c != nil {
		t.Errorf("Checkpoint of a new storage = %q, %v; want nil, nil", c, err)
	}
	if _, err := s.Entry(ctx, 0); err == nil {
		t.Error("Entry(0) of a new storage: no error")
	}
	if _, err := s.ReadHashes(ctx, []int64{0}); !errors.Is(err, audit.ErrCorrupt) {
		t.Errorf("ReadHashes([0]) of a new storage: %v, want an error wrapping audit.ErrCorrupt", err)
	}
	if h, err := s.ReadHashes(ctx, nil); err != nil || len(h) != 0 {
		t.Errorf("ReadHashes(nil) = %v, %v; want nothing", h, err)
	}
}

// checkContents checks that s holds exactly entries and hashes.
func checkContents(t *testing.T, s audit.Storage, entries [][]byte, hashes []tlog.Hash) {
	t.Helper()
	ctx := context.Background()
	if n := size(t, s); n != int64(len(entries)) {
		t.Fatalf("Size = %d, want %d", n, len(entries))
	}
	for i, want := range entries {
		got, err := s.Entry(ctx, int64(i))
		if err != nil {
			t.Fatalf("Entry(%d): %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Entry(%d) = %q, want %q", i, got, want)
		}
		// What Entry returns belongs to the caller.
		for j := range got {
			got[j] = 'y'
		}
		if again, _ := s.Entry(ctx, int64(i)); !bytes.Equal(again, want) {
			t.Fatalf("Entry(%d) changed when the caller changed the slice it returned", i)
		}
	}
	if _, err := s.Entry(ctx, int64(len(entries))); err == nil {
		t.Errorf("Entry(%d) past the end: no error", len(entries))
	}
	if _, err := s.Entry(ctx, -1); err == nil {
		t.Error("Entry(-1): no error")
	}
	// Every hash, in reverse order and with repeats.
	var idx []int64
	for i := len(hashes) - 1; i >= 0; i-- {
		idx = append(idx, int64(i), int64(i/2))
	}
	got, err := s.ReadHashes(ctx, idx)
	if err != nil {
		t.Fatalf("ReadHashes: %v", err)
	}
	if len(got) != len(idx) {
		t.Fatalf("ReadHashes(%d indexes) = %d hashes", len(idx), len(got))
	}
	for i, x := range idx {
		if got[i] != hashes[x] {
			t.Fatalf("ReadHashes: hash %d = %v, want %v", x, got[i], hashes[x])
		}
	}
	if int64(len(hashes)) != tlog.StoredHashCount(int64(len(entries))) {
		t.Fatalf("test bug: %d hashes for %d entries", len(hashes), len(entries))
	}
	for _, bad := range []int64{int64(len(hashes)), int64(len(hashes)) + 1000, -1} {
		if _, err := s.ReadHashes(ctx, []int64{0, bad}); !errors.Is(err, audit.ErrCorrupt) {
			t.Errorf("ReadHashes([0 %d]) with %d hashes stored: %v, want an error wrapping audit.ErrCorrupt", bad, len(hashes), err)
		}
	}
	// The stored hashes give the tree of the entries.
	root, err := tlog.TreeHash(int64(len(entries)), tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) { return s.ReadHashes(ctx, x) }))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := tlog.TreeHash(int64(len(entries)), tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(x))
		for i, j := range x {
			out[i] = hashes[j]
		}
		return out, nil
	}))
	if root != want {
		t.Fatalf("tree hash from the storage %v, want %v", root, want)
	}
}

func testAppendRead(t *testing.T, open Opener) {
	s, _ := open(t)
	entries, hashes := appendN(t, s, 0, 37, nil)
	checkContents(t, s, entries, hashes)

	// An entry of the largest size.
	ctx := context.Background()
	big := Entry(37)
	big.Index = 37
	b, _ := big.Marshal()
	big.Details["pad"] = strings.Repeat("p", audit.MaxEntrySize-len(b)-len(`,"pad":""`))
	data, err := big.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != audit.MaxEntrySize {
		t.Fatalf("test bug: entry of %d bytes", len(data))
	}
	r := tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) { return s.ReadHashes(ctx, x) })
	hs, err := tlog.StoredHashes(37, data, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, 37, data, hs); err != nil {
		t.Fatalf("Append of an entry of %d bytes: %v", len(data), err)
	}
	checkContents(t, s, append(entries, data), append(hashes, hs...))
}

func testAppendRefused(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := open(t)
	entries, hashes := appendN(t, s, 0, 5, nil)
	next := encoded(t, 5)
	hs, err := tlog.StoredHashes(5, next, tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) { return s.ReadHashes(ctx, x) }))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		n      int64
		hashes []tlog.Hash
	}{
		{"index taken", 4, hs},
		{"index skipped", 6, hs},
		{"negative index", -1, hs},
		{"too few hashes", 5, hs[:len(hs)-1]},
		{"too many hashes", 5, append(hs, hs[0])},
		{"no hashes", 5, nil},
	}
	for _, c := range cases {
		if err := s.Append(ctx, c.n, next, c.hashes); err == nil {
			t.Errorf("%s: Append(%d, %d hashes) succeeded", c.name, c.n, len(c.hashes))
		}
		checkContents(t, s, entries, hashes)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Append(cctx, 5, next, hs); err == nil {
		if size(t, s) != 6 {
			t.Fatal("Append with a cancelled context returned nil and stored nothing")
		}
	} else {
		checkContents(t, s, entries, hashes)
	}
}

func testCheckpoint(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := open(t)
	for _, c := range [][]byte{[]byte("first\n1\nAAAA\n\n— first AAAA\n"), []byte("second, longer than the first one\n")} {
		buf := bytes.Clone(c)
		if err := s.SaveCheckpoint(ctx, buf); err != nil {
			t.Fatalf("SaveCheckpoint: %v", err)
		}
		buf[0] = '!'
		got, err := s.Checkpoint(ctx)
		if err != nil || !bytes.Equal(got, c) {
			t.Fatalf("Checkpoint = %q, %v; want %q", got, err, c)
		}
	}
	if err := s.SaveCheckpoint(ctx, []byte("short\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Checkpoint(ctx); string(got) != "short\n" {
		t.Fatalf("Checkpoint after a shorter one = %q", got)
	}
}

func testReopen(t *testing.T, open Opener) {
	ctx := context.Background()
	s, reopen := open(t)
	if reopen == nil {
		t.Skip("the storage keeps nothing across a restart")
	}
	entries, hashes := appendN(t, s, 0, 9, nil)
	if err := s.SaveCheckpoint(ctx, []byte("cp 9\n")); err != nil {
		t.Fatal(err)
	}
	s = reopen()
	checkContents(t, s, entries, hashes)
	if got, _ := s.Checkpoint(ctx); string(got) != "cp 9\n" {
		t.Fatalf("Checkpoint after reopening = %q", got)
	}
	more, hashes := appendN(t, s, 9, 20, hashes)
	entries = append(entries, more...)
	s = reopen()
	checkContents(t, s, entries, hashes)
}

func testConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := open(t)
	entries, hashes := appendN(t, s, 0, 3, nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n, err := s.Size(ctx)
				if err != nil {
					errs <- err
					return
				}
				// Entries already there read back whole.
				for _, i := range []int64{0, n - 1} {
					if _, err := s.Entry(ctx, i); err != nil {
						errs <- fmt.Errorf("Entry(%d) of %d: %v", i, n, err)
						return
					}
				}
				if _, err := s.ReadHashes(ctx, []int64{0, tlog.StoredHashCount(n) - 1}); err != nil {
					errs <- fmt.Errorf("ReadHashes of %d entries: %v", n, err)
					return
				}
				if _, err := s.Checkpoint(ctx); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	more, hashes := appendN(t, s, 3, 60, hashes)
	for i := range 5 {
		if err := s.SaveCheckpoint(ctx, fmt.Appendf(nil, "cp %d\n", i)); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkContents(t, s, append(entries, more...), hashes)
}

func testLog(t *testing.T, open Opener) {
	ctx := context.Background()
	s, reopen := open(t)
	skey, vkey, err := audit.GenerateKey("geowarden.example/audit/conformance")
	if err != nil {
		t.Fatal(err)
	}
	key, err := audit.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(ctx, s, key)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 13 {
		n, err := l.Append(ctx, Entry(i))
		if err != nil || n != int64(i) {
			t.Fatalf("Append = %d, %v; want %d", n, err, i)
		}
	}
	if reopen != nil {
		s = reopen()
		if l, err = audit.Open(ctx, s, key); err != nil {
			t.Fatalf("Open after reopening the storage: %v", err)
		}
	}
	for i := 13; i < 16; i++ {
		if _, err := l.Append(ctx, Entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	// A group: AppendAll, with one entry that cannot be logged first.
	bad := Entry(16)
	bad.Actor = ""
	if _, err := l.AppendAll(ctx, []audit.Entry{Entry(16), bad}); err == nil {
		t.Fatal("AppendAll with an invalid entry: no error")
	}
	if n, err := l.AppendAll(ctx, []audit.Entry{Entry(16), Entry(17), Entry(18), Entry(19)}); err != nil || n != 16 {
		t.Fatalf("AppendAll = %d, %v; want 16", n, err)
	}
	if _, err := l.Append(ctx, Entry(20)); err != nil {
		t.Fatal(err)
	}
	r, err := audit.Verify(ctx, s, vkey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Entries != 21 || r.Checkpoint == nil || r.Checkpoint.Size != 21 {
		t.Fatalf("Verify: %d entries, checkpoint %v, problems %v", r.Entries, r.Checkpoint, r.Problems)
	}
	for i := range int64(21) {
		p, err := l.Proof(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		if _, e, err := audit.VerifyProof(p, vkey, nil); err != nil || e.Index != i {
			t.Fatalf("proof of entry %d: %v", i, err)
		}
	}
}
