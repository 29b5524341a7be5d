package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/geowarden/geowarden/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// Audit is the gateway's audit log kept in the store's database: the
// tables audit_entries (one row per entry, its canonical bytes),
// audit_hashes (the tree's stored hashes, golang.org/x/mod/sumdb/tlog
// numbering) and audit_checkpoint (the latest signed checkpoint). An
// entry and its hashes are written in one transaction, on disk when it
// commits (synchronous=FULL).
type Audit struct{ db *DB }

var _ audit.BatchStorage = (*Audit)(nil)

// Audit returns the audit log's storage in db. Only one audit.Log may
// write to it at a time.
func (db *DB) Audit() *Audit { return &Audit{db: db} }

// Size implements audit.Storage: one more than the highest entry's index
// (entries are numbered from 0 and never removed).
func (a *Audit) Size(ctx context.Context) (int64, error) {
	var n int64
	if err := a.db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(n) + 1, 0) FROM audit_entries`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: audit: %w", err)
	}
	return n, nil
}

// Append implements audit.Storage.
func (a *Audit) Append(ctx context.Context, n int64, entry []byte, hashes []tlog.Hash) error {
	return a.AppendBatch(ctx, n, [][]byte{entry}, [][]tlog.Hash{hashes})
}

// AppendBatch implements audit.BatchStorage: the entries and their hashes
// in one transaction.
func (a *Audit) AppendBatch(ctx context.Context, n int64, entries [][]byte, hashes [][]tlog.Hash) error {
	if a.db.write == nil {
		return errReadOnly
	}
	if len(entries) != len(hashes) {
		return fmt.Errorf("store: audit: %d entries with %d lists of hashes", len(entries), len(hashes))
	}
	tx, err := a.db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	defer tx.Rollback()
	var size, nhashes int64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(n) + 1, 0) FROM audit_entries), (SELECT COALESCE(MAX(i) + 1, 0) FROM audit_hashes)`).Scan(&size, &nhashes); err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	var hargs []any
	for i := range entries {
		if err := audit.CheckAppend(size, nhashes, n+int64(i), hashes[i]); err != nil {
			return err
		}
		for _, h := range hashes[i] {
			hargs = append(hargs, nhashes, h[:])
			nhashes++
		}
		size++
	}
	for start := 0; start < len(entries); start += rowsPerStatement {
		part := entries[start:min(len(entries), start+rowsPerStatement)]
		args := make([]any, 0, 2*len(part))
		for i, e := range part {
			args = append(args, n+int64(start+i), e)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_entries (n, entry) VALUES `+values(2, len(part)), args...); err != nil {
			return fmt.Errorf("store: audit: %w", err)
		}
	}
	for start := 0; start < len(hargs); start += 2 * rowsPerStatement {
		part := hargs[start:min(len(hargs), start+2*rowsPerStatement)]
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_hashes (i, hash) VALUES `+values(2, len(part)/2), part...); err != nil {
			return fmt.Errorf("store: audit: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// Entry implements audit.Storage.
func (a *Audit) Entry(ctx context.Context, n int64) ([]byte, error) {
	var b []byte
	err := a.db.read.QueryRowContext(ctx, `SELECT entry FROM audit_entries WHERE n = ?`, n).Scan(&b)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("store: audit: no entry %d", n)
	case err != nil:
		return nil, fmt.Errorf("store: audit: entry %d: %w", n, err)
	case len(b) > audit.MaxEntrySize:
		return nil, fmt.Errorf("%w: store: entry %d has %d bytes", audit.ErrCorrupt, n, len(b))
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// ReadHashes implements audit.Storage.
func (a *Audit) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	found := make(map[int64]tlog.Hash, len(indexes))
	for start := 0; start < len(indexes); start += 500 {
		part := indexes[start:min(len(indexes), start+500)]
		args := make([]any, len(part))
		for i, x := range part {
			args[i] = x
		}
		rows, err := a.db.read.QueryContext(ctx, `SELECT i, hash FROM audit_hashes WHERE i IN (?`+strings.Repeat(",?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
		for rows.Next() {
			var i int64
			var b []byte
			if err := rows.Scan(&i, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: audit: %w", err)
			}
			if len(b) != len(tlog.Hash{}) {
				rows.Close()
				return nil, fmt.Errorf("%w: store: stored hash %d has %d bytes", audit.ErrCorrupt, i, len(b))
			}
			found[i] = tlog.Hash(b)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := found[x]
		if !ok {
			return nil, fmt.Errorf("%w: store: no stored hash %d", audit.ErrCorrupt, x)
		}
		out[i] = h
	}
	return out, nil
}

// SaveCheckpoint implements audit.Storage. A checkpoint of a smaller tree
// than the one saved is not saved: when two logs write to the database
// (the gateway, and the command line changing a token), the entries
// cannot fork (Append checks the index in its transaction), and the later
// of two checkpoints stays, whichever is saved last.
func (a *Audit) SaveCheckpoint(ctx context.Context, signed []byte) error {
	if a.db.write == nil {
		return errReadOnly
	}
	if _, err := a.db.write.ExecContext(ctx, `INSERT INTO audit_checkpoint (id, signed, size) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET signed = excluded.signed, size = excluded.size
		WHERE excluded.size < 0 OR audit_checkpoint.size <= excluded.size`, signed, checkpointSize(signed)); err != nil {
		return fmt.Errorf("store: audit: save checkpoint: %w", err)
	}
	return nil
}

// checkpointSize returns the tree size a signed checkpoint states (its
// second line), or -1 when it states none.
func checkpointSize(signed []byte) int64 {
	lines := strings.SplitN(string(signed), "\n", 3)
	if len(lines) < 3 {
		return -1
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// Checkpoint implements audit.Storage.
func (a *Audit) Checkpoint(ctx context.Context) ([]byte, error) {
	var b []byte
	err := a.db.read.QueryRowContext(ctx, `SELECT signed FROM audit_checkpoint WHERE id = 1`).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: audit: checkpoint: %w", err)
	}
	return b, nil
}
