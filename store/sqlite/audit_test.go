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

// TestAuditReadOnly: a read-only store reads the log and refuses to
// change it; a checkpoint of a smaller tree than the saved one is not
// saved.
func TestAuditReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := OpenReadOnly(ctx, dir); err == nil {
		t.Fatal("OpenReadOnly of a folder with no database: no error")
	}
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := db.Audit()
	for _, cp := range []string{"o\n5\nAAAA\n\n— o x\n", "o\n4\nBBBB\n\n— o x\n"} {
		if err := a.SaveCheckpoint(ctx, []byte(cp)); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := a.Checkpoint(ctx); string(got) != "o\n5\nAAAA\n\n— o x\n" {
		t.Errorf("checkpoint %q, want the one of size 5 kept", got)
	}
	ro, err := OpenReadOnly(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got, err := ro.Audit().Checkpoint(ctx); err != nil || len(got) == 0 {
		t.Errorf("read-only Checkpoint = %q, %v", got, err)
	}
	if err := ro.Audit().SaveCheckpoint(ctx, []byte("x\n")); err == nil {
		t.Error("read-only SaveCheckpoint: no error")
	}
	if err := ro.Audit().Append(ctx, 0, []byte("{}"), nil); err == nil {
		t.Error("read-only Append: no error")
	}
}
