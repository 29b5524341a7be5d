package filelog_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
	"github.com/geowarden/geowarden/audit/filelog"
	"golang.org/x/mod/sumdb/tlog"
)

// BenchmarkAppend: one durable append (entry, hashes and checkpoint
// synced) in a log kept in files.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	skey, _, _ := audit.GenerateKey("geowarden.example/audit/bench")
	key, _ := audit.ParseKey(skey)
	s, err := filelog.Create(filepath.Join(b.TempDir(), "log"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	l, err := audit.Open(ctx, s, key)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if _, err := l.Append(ctx, audittest.Entry(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify: Verify of a log of 10,000 entries kept in files, per
// entry.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	const n = 10000
	skey, vkey, _ := audit.GenerateKey("geowarden.example/audit/bench")
	key, _ := audit.ParseKey(skey)
	m := &audittest.Memory{}
	l, err := audit.Open(ctx, m, key)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := l.Append(ctx, audittest.Entry(i)); err != nil {
			b.Fatal(err)
		}
	}
	dir := filepath.Join(b.TempDir(), "log")
	s, err := filelog.Create(dir)
	if err != nil {
		b.Fatal(err)
	}
	for i, e := range m.Entries {
		lo, hi := tlog.StoredHashCount(int64(i)), tlog.StoredHashCount(int64(i+1))
		if err := s.Append(ctx, int64(i), e, m.Hashes[lo:hi]); err != nil {
			b.Fatal(err)
		}
	}
	s.SaveCheckpoint(ctx, m.Signed)
	s.Close()
	b.ResetTimer()
	for b.Loop() {
		ro, err := filelog.OpenReadOnly(dir)
		if err != nil {
			b.Fatal(err)
		}
		r, err := audit.Verify(ctx, ro, vkey, nil)
		ro.Close()
		if err != nil || !r.OK() {
			b.Fatalf("%v %v", err, r.Problems)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/entry")
}
