package sqlite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/store"
	"github.com/geowarden/geowarden/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := Open(context.Background(), filepath.Join(t.TempDir(), "data"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

// TestOpen: the data folder is made private, the schema is at the current
// version, and opening again keeps what was stored.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode %v, %v; want 0700", st.Mode().Perm(), err)
	}
	if st, err := os.Stat(filepath.Join(dir, FileName)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	var mode string
	if err := db.read.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode %q, %v; want wal", mode, err)
	}
	b := &store.Batch{Messages: []store.Message{{Route: "r", Key: "k", Body: []byte("kept"), Size: 4, Created: storetest.T0}}}
	if err := db.Put(ctx, []*store.Batch{b}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.read.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil || v != Version {
		t.Errorf("schema version %d, %v; want %d", v, err, Version)
	}
	got, err := db.Pending(ctx, "r", 0, 10)
	if err != nil || len(got) != 1 || !bytes.Equal(got[0].Body, []byte("kept")) {
		t.Errorf("after reopening: %+v, %v", got, err)
	}
}

// TestNewerSchema: a database from a newer geowarden is refused, not
// written to.
func TestNewerSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`INSERT INTO schema_migrations (version, applied) VALUES (?, 0)`, Version+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, dir)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema: %v, want an error saying it is newer", err)
	}
}

// TestOrphanBlobs: a blob sealed but never named by a committed message
// (a crash in between) is removed when the store opens again; a named one
// stays.
func TestOrphanBlobs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	seal := func(s string) string {
		b, err := db.NewBlob()
		if err != nil {
			t.Fatal(err)
		}
		b.Write([]byte(s))
		name, _, err := b.Seal()
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	orphan, named := seal("orphan"), seal("named")
	if err := db.Put(ctx, []*store.Batch{{Messages: []store.Message{{Route: "r", Blob: named, Size: 5, Created: storetest.T0}}}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := os.Stat(filepath.Join(dir, blobDir, orphan)); !os.IsNotExist(err) {
		t.Errorf("orphan blob: %v, want it removed", err)
	}
	if _, err := os.Stat(filepath.Join(dir, blobDir, named)); err != nil {
		t.Errorf("named blob: %v, want it kept", err)
	}
}
