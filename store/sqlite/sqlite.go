// Package sqlite is the gateway's default store: one SQLite database in the
// data folder (pure Go, modernc.org/sqlite, no cgo), in WAL mode with
// synchronous=FULL, so that a transaction is on disk when its commit
// returns. Message bodies too large to hold in memory are files in the
// folder's blobs/ subfolder, synced before the message that names them is
// committed.
//
// The schema is versioned: Open applies, in one transaction each, the
// migrations the database has not seen yet, and refuses a database written
// by a newer geowarden.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/geowarden/geowarden/internal/safefile"
	"github.com/geowarden/geowarden/store"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// FileName is the database's name in the data folder.
const FileName = "geowarden.db"

// blobDir is the folder of blobs in the data folder.
const blobDir = "blobs"

// DB is a store in a data folder. It is safe for concurrent use.
type DB struct {
	dir   string
	write *sql.DB // one connection: SQLite has one writer at a time
	read  *sql.DB
}

var _ store.Store = (*DB)(nil)

// Open opens the store in dir, creating the folder (mode 0700) and the
// database when they do not exist, and brings the schema up to date. It
// removes blobs that no stored message names (left by a crash between
// sealing a blob and committing its message).
func Open(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(filepath.Join(dir, blobDir), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	path := filepath.Join(dir, FileName)
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{dir: dir, write: w}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	r.SetMaxOpenConns(4)
	db.read = r
	if err := db.removeOrphanBlobs(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// errReadOnly: a write to a store opened with OpenReadOnly.
var errReadOnly = errors.New("store: opened read-only")

// OpenReadOnly opens the store in dir for reading only, as a command that
// inspects the data folder of a gateway that may be running does: it
// creates nothing, migrates nothing and removes nothing, and refuses a
// database whose schema is older or newer than this geowarden's. Only the
// audit log's read methods and the store's reads may be called.
func OpenReadOnly(ctx context.Context, dir string) (*DB, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	r.SetMaxOpenConns(4)
	var v int
	if err := r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		r.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	if v != len(migrations) {
		r.Close()
		return nil, fmt.Errorf("store: %s: schema version %d, this geowarden reads %d (start geowarden serve once to migrate it)", path, v, len(migrations))
	}
	return &DB{dir: dir, read: r}, nil
}

// Close closes the database.
func (db *DB) Close() error {
	var err error
	if db.write != nil {
		err = db.write.Close()
	}
	if db.read != nil {
		if rerr := db.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Dir returns the data folder.
func (db *DB) Dir() string { return db.dir }

// migrations are the schema's versions: migrations[i] takes the database
// from version i to version i+1. Never edit one that has shipped; add the
// next.
var migrations = []string{
	// 1: tokens, the outbox and its keys, decisions.
	`CREATE TABLE tokens (
		id        INTEGER PRIMARY KEY,
		name      TEXT    NOT NULL,
		roles     TEXT    NOT NULL,
		hash      BLOB    NOT NULL UNIQUE,
		created   INTEGER NOT NULL,
		last_used INTEGER NOT NULL DEFAULT 0,
		revoked   INTEGER NOT NULL DEFAULT 0
	);
	CREATE UNIQUE INDEX tokens_active_name ON tokens(name) WHERE revoked = 0;
	CREATE TABLE outbox (
		id       INTEGER PRIMARY KEY AUTOINCREMENT,
		route    TEXT    NOT NULL,
		key      TEXT    NOT NULL,
		type     TEXT    NOT NULL,
		body     BLOB,
		blob     TEXT    NOT NULL,
		size     INTEGER NOT NULL,
		meta     BLOB,
		revision TEXT    NOT NULL,
		request  TEXT    NOT NULL,
		created  INTEGER NOT NULL
	);
	CREATE INDEX outbox_route ON outbox(route, id);
	CREATE TABLE outbox_keys (
		route TEXT    NOT NULL,
		key   TEXT    NOT NULL,
		seen  INTEGER NOT NULL,
		PRIMARY KEY (route, key)
	) WITHOUT ROWID;
	CREATE INDEX outbox_keys_seen ON outbox_keys(seen);
	CREATE TABLE decisions (
		id        INTEGER PRIMARY KEY,
		time      INTEGER NOT NULL,
		route     TEXT    NOT NULL,
		token     TEXT    NOT NULL,
		request   TEXT    NOT NULL,
		revision  TEXT    NOT NULL,
		received  INTEGER NOT NULL,
		kept      INTEGER NOT NULL,
		modified  INTEGER NOT NULL,
		dropped   INTEGER NOT NULL,
		findings  INTEGER NOT NULL,
		duplicate INTEGER NOT NULL
	);
	CREATE INDEX decisions_time ON decisions(time);`,
	// 2: the audit log (audit.go).
	`CREATE TABLE audit_entries (
		n     INTEGER PRIMARY KEY,
		entry BLOB    NOT NULL
	);
	CREATE TABLE audit_hashes (
		i    INTEGER PRIMARY KEY,
		hash BLOB    NOT NULL
	);
	CREATE TABLE audit_checkpoint (
		id     INTEGER PRIMARY KEY CHECK (id = 1),
		signed BLOB    NOT NULL,
		size   INTEGER NOT NULL
	);`,
}

// Version is the schema version this geowarden writes.
var Version = len(migrations)

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	var v int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("store: %s: schema version %d is newer than this geowarden's (%d)", filepath.Join(db.dir, FileName), v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`, v+1, time.Now().UnixNano()); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %d: %w", v+1, err)
		}
	}
	return nil
}

// nanos stores a time as Unix nanoseconds; the zero time is 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// CreateToken implements store.Tokens.
func (db *DB) CreateToken(ctx context.Context, t *store.Token) error {
	res, err := db.write.ExecContext(ctx, `INSERT INTO tokens (name, roles, hash, created) VALUES (?, ?, ?, ?)`,
		t.Name, strings.Join(t.Roles, ","), t.Hash, nanos(t.Created))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return fmt.Errorf("%w: a token named %q", store.ErrExists, t.Name)
		}
		return fmt.Errorf("store: %w", err)
	}
	t.ID, err = res.LastInsertId()
	return err
}

const tokenCols = `id, name, roles, hash, created, last_used, revoked`

func scanToken(s interface{ Scan(...any) error }) (*store.Token, error) {
	var t store.Token
	var roles string
	var created, used, revoked int64
	if err := s.Scan(&t.ID, &t.Name, &roles, &t.Hash, &created, &used, &revoked); err != nil {
		return nil, err
	}
	if roles != "" {
		t.Roles = strings.Split(roles, ",")
	}
	t.Created, t.LastUsed, t.Revoked = fromNanos(created), fromNanos(used), fromNanos(revoked)
	return &t, nil
}

// TokenByHash implements store.Tokens.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*store.Token, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return t, nil
}

// Tokens implements store.Tokens.
func (db *DB) Tokens(ctx context.Context) ([]store.Token, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// RevokeToken implements store.Tokens.
func (db *DB) RevokeToken(ctx context.Context, ref string, at time.Time) (*store.Token, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	row := tx.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE name = ? ORDER BY revoked = 0 DESC, id DESC LIMIT 1`, ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		row = tx.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = ? OR name = ? ORDER BY id = ? DESC, revoked = 0 DESC LIMIT 1`, id, ref, id)
	}
	t, err := scanToken(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no token named %q", store.ErrNotFound, ref)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if t.Revoked.IsZero() {
		t.Revoked = at.UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked = ? WHERE id = ?`, nanos(t.Revoked), t.ID); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	return t, tx.Commit()
}

// TouchTokens implements store.Tokens.
func (db *DB) TouchTokens(ctx context.Context, used map[int64]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	for id, at := range used {
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET last_used = MAX(last_used, ?) WHERE id = ?`, nanos(at), id); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	return tx.Commit()
}

// Put implements store.Outbox. It writes with a few statements of many
// rows each, not one statement a row: the cost of a statement, not of a
// row, bounds how many requests a commit can take.
func (db *DB) Put(ctx context.Context, batches []*store.Batch) error {
	// Resends: a key seen earlier in this commit, or stored before.
	type keyRef struct{ b, i int }
	var keyed []keyRef
	first := map[[2]string]bool{}
	for bi, b := range batches {
		b.Dups = make([]bool, len(b.Messages))
		for i := range b.Messages {
			m := &b.Messages[i]
			m.ID = 0
			if m.Key == "" {
				continue
			}
			k := [2]string{m.Route, m.Key}
			if first[k] {
				b.Dups[i] = true
				continue
			}
			first[k] = true
			keyed = append(keyed, keyRef{bi, i})
		}
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	for start := 0; start < len(keyed); start += rowsPerStatement {
		part := keyed[start:min(len(keyed), start+rowsPerStatement)]
		args := make([]any, 0, 3*len(part))
		for _, k := range part {
			m := &batches[k.b].Messages[k.i]
			args = append(args, m.Route, m.Key, nanos(m.Created))
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO outbox_keys (route, key, seen) VALUES `+values(3, len(part))+` ON CONFLICT DO NOTHING RETURNING route, key`, args...)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		added := map[[2]string]bool{}
		for rows.Next() {
			var k [2]string
			if err := rows.Scan(&k[0], &k[1]); err != nil {
				rows.Close()
				return fmt.Errorf("store: %w", err)
			}
			added[k] = true
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		for _, k := range part {
			m := &batches[k.b].Messages[k.i]
			if !added[[2]string{m.Route, m.Key}] {
				batches[k.b].Dups[k.i] = true
			}
		}
	}
	var msgs []*store.Message
	var dropBlobs []string
	for _, b := range batches {
		for i := range b.Messages {
			if b.Dups[i] {
				if blob := b.Messages[i].Blob; blob != "" {
					dropBlobs = append(dropBlobs, blob)
				}
				continue
			}
			msgs = append(msgs, &b.Messages[i])
		}
	}
	for start := 0; start < len(msgs); start += rowsPerStatement {
		part := msgs[start:min(len(msgs), start+rowsPerStatement)]
		args := make([]any, 0, 10*len(part))
		for _, m := range part {
			body := m.Body
			if body == nil && m.Blob == "" {
				body = []byte{}
			}
			args = append(args, m.Route, m.Key, m.Type, body, m.Blob, m.Size, m.Meta, m.Revision, m.Request, nanos(m.Created))
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO outbox (route, key, type, body, blob, size, meta, revision, request, created) VALUES `+values(10, len(part))+` RETURNING id`, args...)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("store: %w", err)
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if len(ids) != len(part) {
			return fmt.Errorf("store: %d messages inserted, %d ids returned", len(part), len(ids))
		}
		// The rows are inserted in the order of VALUES, each with the
		// next ID; RETURNING may list them in another order.
		slices.Sort(ids)
		for i, m := range part {
			m.ID = ids[i]
		}
	}
	for _, b := range batches {
		b.Decision.Duplicate = len(b.Messages) > 0 && !slices.Contains(b.Dups, false)
	}
	for start := 0; start < len(batches); start += rowsPerStatement {
		part := batches[start:min(len(batches), start+rowsPerStatement)]
		args := make([]any, 0, 11*len(part))
		for _, b := range part {
			d := &b.Decision
			args = append(args, nanos(d.Time), d.Route, d.Token, d.Request, d.Revision, d.Received, d.Kept, d.Modified, d.Dropped, d.Findings, d.Duplicate)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO decisions (time, route, token, request, revision, received, kept, modified, dropped, findings, duplicate) VALUES `+values(11, len(part)), args...); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		for _, m := range msgs {
			m.ID = 0
		}
		return fmt.Errorf("store: %w", err)
	}
	for _, name := range dropBlobs {
		db.removeBlob(name)
	}
	return nil
}

// rowsPerStatement is how many rows one INSERT writes at most (each row
// binds up to 11 values; SQLite allows 32766).
const rowsPerStatement = 256

// values returns "(?,…,?),…" for n rows of k columns.
func values(k, n int) string {
	row := "(?" + strings.Repeat(",?", k-1) + ")"
	var b strings.Builder
	b.Grow(n * (len(row) + 1))
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	return b.String()
}

const msgCols = `id, route, key, type, body, blob, size, meta, revision, request, created`

// Pending implements store.Outbox.
func (db *DB) Pending(ctx context.Context, route string, after int64, limit int) ([]store.Message, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+msgCols+` FROM outbox WHERE route = ? AND id > ? ORDER BY id LIMIT ?`, route, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []store.Message
	for rows.Next() {
		var m store.Message
		var created int64
		if err := rows.Scan(&m.ID, &m.Route, &m.Key, &m.Type, &m.Body, &m.Blob, &m.Size, &m.Meta, &m.Revision, &m.Request, &created); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if m.Blob != "" {
			m.Body = nil
		}
		m.Created = fromNanos(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Ack implements store.Outbox.
func (db *DB) Ack(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	var blobs []string
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(len(ids), start+500)]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		in := "(?" + strings.Repeat(",?", len(part)-1) + ")"
		rows, err := tx.QueryContext(ctx, `DELETE FROM outbox WHERE id IN `+in+` RETURNING blob`, args...)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		for rows.Next() {
			var b string
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return fmt.Errorf("store: %w", err)
			}
			if b != "" {
				blobs = append(blobs, b)
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for _, b := range blobs {
		db.removeBlob(b)
	}
	return nil
}

// Stats implements store.Outbox.
func (db *DB) Stats(ctx context.Context) ([]store.RouteStats, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT route, COUNT(*), COALESCE(SUM(size), 0), MIN(id) FROM outbox GROUP BY route ORDER BY route`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var out []store.RouteStats
	var first []int64
	for rows.Next() {
		var s store.RouteStats
		var id int64
		if err := rows.Scan(&s.Route, &s.Messages, &s.Bytes, &id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, s)
		first = append(first, id)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for i, id := range first {
		var created int64
		if err := db.read.QueryRowContext(ctx, `SELECT created FROM outbox WHERE id = ?`, id).Scan(&created); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out[i].Oldest = fromNanos(created)
	}
	return out, nil
}

// ForgetKeys implements store.Outbox.
func (db *DB) ForgetKeys(ctx context.Context, before time.Time, max int64) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM outbox_keys WHERE seen < ?`, nanos(before))
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	n, _ := res.RowsAffected()
	if max > 0 {
		var count int64
		if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox_keys`).Scan(&count); err != nil {
			return n, fmt.Errorf("store: %w", err)
		}
		if count > max {
			res, err := db.write.ExecContext(ctx, `DELETE FROM outbox_keys WHERE (route, key) IN (SELECT route, key FROM outbox_keys ORDER BY seen LIMIT ?)`, count-max)
			if err != nil {
				return n, fmt.Errorf("store: %w", err)
			}
			m, _ := res.RowsAffected()
			n += m
		}
	}
	return n, nil
}

// Decisions implements store.Outbox.
func (db *DB) Decisions(ctx context.Context, n int) ([]store.Decision, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT time, route, token, request, revision, received, kept, modified, dropped, findings, duplicate FROM decisions ORDER BY id DESC LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []store.Decision
	for rows.Next() {
		var d store.Decision
		var t int64
		if err := rows.Scan(&t, &d.Route, &d.Token, &d.Request, &d.Revision, &d.Received, &d.Kept, &d.Modified, &d.Dropped, &d.Findings, &d.Duplicate); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		d.Time = fromNanos(t)
		out = append(out, d)
	}
	return out, rows.Err()
}

// ForgetDecisions implements store.Outbox.
func (db *DB) ForgetDecisions(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM decisions WHERE time < ?`, nanos(before))
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return res.RowsAffected()
}

// blob is a body being written to a file with no name in the blob folder.
type blob struct {
	db *DB
	f  *safefile.File
}

// NewBlob implements store.Outbox.
func (db *DB) NewBlob() (store.Blob, error) {
	f, err := safefile.CreateIn(filepath.Join(db.dir, blobDir), 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return &blob{db: db, f: f}, nil
}

func (b *blob) Write(p []byte) (int, error) { return b.f.File().Write(p) }

func (b *blob) Seal() (string, int64, error) {
	st, err := b.f.File().Stat()
	if err != nil {
		b.f.Abort()
		return "", 0, fmt.Errorf("store: %w", err)
	}
	var r [16]byte
	rand.Read(r[:])
	name := hex.EncodeToString(r[:])
	// Synced, named, and the name synced: the blob is on disk before the
	// message that names it is committed.
	dir := filepath.Join(b.db.dir, blobDir)
	if err := b.f.File().Sync(); err != nil {
		b.f.Abort()
		return "", 0, fmt.Errorf("store: %w", err)
	}
	if err := b.f.LinkTo(filepath.Join(dir, name)); err != nil {
		return "", 0, fmt.Errorf("store: %w", err)
	}
	if err := safefile.SyncDir(dir); err != nil {
		return "", 0, fmt.Errorf("store: %w", err)
	}
	return name, st.Size(), nil
}

func (b *blob) Abort() { b.f.Abort() }

// validBlob reports whether name is a blob's name (32 hex digits), so that
// no name read from the database reaches outside the blob folder.
func validBlob(name string) bool {
	if len(name) != 32 {
		return false
	}
	_, err := hex.DecodeString(name)
	return err == nil
}

// OpenBlob implements store.Outbox.
func (db *DB) OpenBlob(name string) (io.ReadCloser, error) {
	if !validBlob(name) {
		return nil, fmt.Errorf("store: bad blob name %q", name)
	}
	f, err := os.Open(filepath.Join(db.dir, blobDir, name))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return f, nil
}

func (db *DB) removeBlob(name string) {
	if validBlob(name) {
		os.Remove(filepath.Join(db.dir, blobDir, name))
	}
}

// RemoveBlob implements store.Outbox.
func (db *DB) RemoveBlob(name string) error {
	if !validBlob(name) {
		return fmt.Errorf("store: bad blob name %q", name)
	}
	if err := os.Remove(filepath.Join(db.dir, blobDir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// removeOrphanBlobs removes the files of the blob folder that no message
// names.
func (db *DB) removeOrphanBlobs(ctx context.Context) error {
	dir := filepath.Join(db.dir, blobDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for _, e := range ents {
		var n int
		err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE blob = ?`, e.Name()).Scan(&n)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if n == 0 {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}
