package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
)

func TestAuditConformance(t *testing.T) {
	audittest.Run(t, func(t *testing.T) (audit.Storage, func() audit.Storage) {
		dir := filepath.Join(t.TempDir(), "data")
		db, err := Open(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		reopen := func() audit.Storage {
			db.Close()
			if db, err = Open(context.Background(), dir); err != nil {
				t.Fatal(err)
			}
			return db.Audit()
		}
		return db.Audit(), reopen
	})
}

// TestAuditCorrupt: rows changed behind the store's back are reported as
// corruption, and Verify names the entry.
func TestAuditCorrupt(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	skey, vkey, err := audit.GenerateKey("geowarden.example/audit/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := audit.ParseKey(skey)
	l, err := audit.Open(ctx, db.Audit(), key)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := l.Append(ctx, audittest.Entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.write.Exec(`UPDATE audit_entries SET entry = CAST(replace(CAST(entry AS TEXT), 'token-', 'token_') AS BLOB) WHERE n = 2`); err != nil {
		t.Fatal(err)
	}
	r, err := audit.Verify(ctx, db.Audit(), vkey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() {
		t.Fatal("Verify passed a log with an edited entry")
	}
	if _, err := db.write.Exec(`DELETE FROM audit_hashes WHERE i = 3`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Audit().ReadHashes(ctx, []int64{3}); !errors.Is(err, audit.ErrCorrupt) {
		t.Errorf("ReadHashes of a deleted hash: %v, want audit.ErrCorrupt", err)
	}
	if _, err := db.write.Exec(`UPDATE audit_hashes SET hash = x'00' WHERE i = 4`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Audit().ReadHashes(ctx, []int64{4}); !errors.Is(err, audit.ErrCorrupt) {
		t.Errorf("ReadHashes of a short hash: %v, want audit.ErrCorrupt", err)
	}
}
