package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Log appends decisions to a Storage and signs a checkpoint after each.
// Its methods are safe for concurrent use; Appends are serialised. Only one
// Log may write to a Storage at a time.
type Log struct {
	s        Storage
	key      *Key
	verifier note.Verifier
	now      func() time.Time

	mu     sync.Mutex // serialises Append and guards what follows
	head   Checkpoint // latest signed checkpoint
	signed []byte     // its signed note
	broken error      // set when the storage no longer matches what was signed
}

// Errors of the log.
var (
	// ErrInconsistent is wrapped when the storage does not hold what the log
	// signed before. The log then signs nothing more.
	ErrInconsistent = errors.New("audit: storage inconsistent with the signed checkpoint")
	// ErrNoEntry is wrapped when a proof is asked for an entry the latest
	// checkpoint does not cover.
	ErrNoEntry = errors.New("audit: no such entry")
)

// Open opens the log kept in s, signing with key. A new, empty storage gets
// a signed checkpoint of size 0. Open refuses a storage whose entries or
// hashes do not match its latest checkpoint (which must carry key's
// signature); entries after that checkpoint (an append whose checkpoint
// was never saved) are checked against their stored hashes and covered by
// a new checkpoint.
func Open(ctx context.Context, s Storage, key *Key) (*Log, error) {
	v, err := note.NewVerifier(key.VerifierKey())
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	l := &Log{s: s, key: key, verifier: v, now: time.Now}
	size, err := s.Size(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: open: %w", err)
	}
	signed, err := s.Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: open: %w", err)
	}
	if signed == nil {
		if size != 0 {
			return nil, fmt.Errorf("%w: %d entries and no checkpoint", ErrInconsistent, size)
		}
		if err := l.sign(ctx, 0); err != nil {
			return nil, err
		}
		return l, nil
	}
	c, err := openCheckpoint(signed, v)
	if err != nil {
		return nil, fmt.Errorf("audit: open: latest checkpoint: %w", err)
	}
	if c.Size > size {
		return nil, fmt.Errorf("%w: it signs %d entries, the storage holds %d", ErrInconsistent, c.Size, size)
	}
	root, err := tlog.TreeHash(c.Size, hashReader(ctx, s))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInconsistent, err)
	}
	if root != c.Hash {
		return nil, fmt.Errorf("%w: the stored hashes of its %d entries give root %v, it signs %v", ErrInconsistent, c.Size, root, c.Hash)
	}
	l.head, l.signed = c, signed
	if size > c.Size {
		for n := c.Size; n < size; n++ {
			if err := l.checkLeaf(ctx, n); err != nil {
				return nil, err
			}
		}
		if err := l.sign(ctx, size); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// checkLeaf checks that entry n hashes to its stored leaf hash.
func (l *Log) checkLeaf(ctx context.Context, n int64) error {
	data, err := l.s.Entry(ctx, n)
	if err != nil {
		return fmt.Errorf("audit: open: entry %d: %w", n, err)
	}
	stored, err := l.s.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, n)})
	if err != nil {
		return fmt.Errorf("audit: open: entry %d: %w", n, err)
	}
	if tlog.RecordHash(data) != stored[0] {
		return fmt.Errorf("%w: entry %d does not match its stored hash", ErrInconsistent, n)
	}
	return nil
}

// sign signs and saves a checkpoint of the first size entries, after
// checking that their tree holds the tree of the previous checkpoint. The
// caller holds l.mu (or owns l).
func (l *Log) sign(ctx context.Context, size int64) error {
	hr := hashReader(ctx, l.s)
	root, err := tlog.TreeHash(size, hr)
	if err != nil {
		return fmt.Errorf("audit: sign: %w", err)
	}
	if l.signed != nil {
		if err := consistent(hr, l.head, size, root); err != nil {
			l.broken = err
			return err
		}
	}
	c := Checkpoint{Origin: l.key.Origin(), Size: size, Hash: root}
	signed, err := note.Sign(&note.Note{Text: c.String()}, l.key.signer)
	if err != nil {
		return fmt.Errorf("audit: sign: %w", err)
	}
	if err := l.s.SaveCheckpoint(ctx, signed); err != nil {
		return fmt.Errorf("audit: save checkpoint of size %d: %w", size, err)
	}
	l.head, l.signed = c, signed
	return nil
}

// consistent checks that the tree of size entries with root holds the tree
// of old, with a consistency proof from the stored hashes.
func consistent(hr tlog.HashReader, old Checkpoint, size int64, root tlog.Hash) error {
	switch {
	case size < old.Size:
		return fmt.Errorf("%w: a tree of %d entries cannot follow one of %d", ErrInconsistent, size, old.Size)
	case old.Size == 0:
		return nil
	case size == old.Size:
		if root != old.Hash {
			return fmt.Errorf("%w: root %v at size %d, signed %v", ErrInconsistent, root, size, old.Hash)
		}
		return nil
	}
	p, err := tlog.ProveTree(size, old.Size, hr)
	if err != nil {
		return fmt.Errorf("%w: consistency proof %d→%d: %v", ErrInconsistent, old.Size, size, err)
	}
	if err := tlog.CheckTree(p, size, root, old.Size, old.Hash); err != nil {
		return fmt.Errorf("%w: the tree of %d entries does not hold the signed tree of %d: %v", ErrInconsistent, size, old.Size, err)
	}
	return nil
}

// Append logs e and returns its index. e.Index is set by the log; a zero
// e.Time becomes the current time. When Append returns nil, the entry and a
// signed checkpoint that covers it are durable: only then may the decision
// take effect. On any error the decision must not take effect.
func (l *Log) Append(ctx context.Context, e Entry) (int64, error) {
	return l.AppendAll(ctx, []Entry{e})
}

// AppendAll logs the entries, in order, and signs one checkpoint that
// covers them all; it returns the index of the first. It is Append for a
// group of decisions made together (a group commit): one signature and,
// when the storage is a BatchStorage, one durable write for them all.
// When it returns nil every entry is durable and signed; on any error no
// decision of the group may take effect (entries already stored by a
// storage that is not a BatchStorage are signed with the next append).
func (l *Log) AppendAll(ctx context.Context, es []Entry) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken != nil {
		return -1, l.broken
	}
	n, err := l.s.Size(ctx)
	if err != nil {
		return -1, fmt.Errorf("audit: append: %w", err)
	}
	if n < l.head.Size {
		l.broken = fmt.Errorf("%w: it signs %d entries, the storage holds %d", ErrInconsistent, l.head.Size, n)
		return -1, l.broken
	}
	if len(es) == 0 {
		return n, nil
	}
	// The hashes of the group's earlier entries are not stored yet: read
	// them from pending.
	base := tlog.StoredHashCount(n)
	var pending []tlog.Hash
	stored := hashReader(ctx, l.s)
	hr := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var ask []int64
		for _, x := range indexes {
			if x < base {
				ask = append(ask, x)
			}
		}
		got, err := stored.ReadHashes(ask)
		if err != nil {
			return nil, err
		}
		for i, x := range indexes {
			if x < base {
				out[i], got = got[0], got[1:]
			} else if x-base < int64(len(pending)) {
				out[i] = pending[x-base]
			} else {
				return nil, fmt.Errorf("audit: append: hash %d not yet computed", x)
			}
		}
		return out, nil
	})
	now := l.now()
	datas := make([][]byte, len(es))
	hashes := make([][]tlog.Hash, len(es))
	for i := range es {
		e := es[i]
		e.Index = n + int64(i)
		if e.Time.IsZero() {
			e.Time = now
		}
		if datas[i], err = e.Marshal(); err != nil {
			return -1, err
		}
		if hashes[i], err = tlog.StoredHashes(e.Index, datas[i], hr); err != nil {
			return -1, fmt.Errorf("audit: append entry %d: %w", e.Index, err)
		}
		pending = append(pending, hashes[i]...)
	}
	if b, ok := l.s.(BatchStorage); ok {
		if err := b.AppendBatch(ctx, n, datas, hashes); err != nil {
			if len(es) == 1 {
				return -1, fmt.Errorf("audit: append entry %d: %w", n, err)
			}
			return -1, fmt.Errorf("audit: append entries %d..%d: %w", n, n+int64(len(es))-1, err)
		}
	} else {
		for i := range datas {
			if err := l.s.Append(ctx, n+int64(i), datas[i], hashes[i]); err != nil {
				if i > 0 {
					l.sign(context.WithoutCancel(ctx), n+int64(i))
				}
				return -1, fmt.Errorf("audit: append entry %d: %w", n+int64(i), err)
			}
		}
	}
	if err := l.sign(context.WithoutCancel(ctx), n+int64(len(es))); err != nil {
		return -1, err
	}
	return n, nil
}

// Head returns the latest signed checkpoint.
func (l *Log) Head() Checkpoint {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// Checkpoint returns the latest signed checkpoint as a signed note (C2SP
// tlog-checkpoint).
func (l *Log) Checkpoint() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.signed...)
}

// VerifierKey returns the verifier key of the log's signing key.
func (l *Log) VerifierKey() string { return l.key.VerifierKey() }

// Proof returns the inclusion proof of entry n in the tree of the latest
// signed checkpoint, in the C2SP tlog-proof format, with the entry itself
// as the proof's extra data. The proof is checked before it is returned.
func (l *Log) Proof(ctx context.Context, n int64) ([]byte, error) {
	l.mu.Lock()
	head, signed := l.head, l.signed
	l.mu.Unlock()
	return prove(ctx, l.s, head, signed, n)
}

// Prove returns the inclusion proof of entry n in the tree of the latest
// checkpoint saved in s, as Log.Proof does, without opening the log for
// writing. The checkpoint must carry a valid signature by vkey.
func Prove(ctx context.Context, s Storage, vkey string, n int64) ([]byte, error) {
	signed, err := s.Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: proof of entry %d: %w", n, err)
	}
	if signed == nil {
		return nil, fmt.Errorf("%w: entry %d; the log has no checkpoint", ErrNoEntry, n)
	}
	head, err := OpenCheckpoint(signed, vkey)
	if err != nil {
		return nil, err
	}
	return prove(ctx, s, head, signed, n)
}

func prove(ctx context.Context, s Storage, head Checkpoint, signed []byte, n int64) ([]byte, error) {
	if n < 0 || n >= head.Size {
		return nil, fmt.Errorf("%w: entry %d; the latest checkpoint covers %d entries", ErrNoEntry, n, head.Size)
	}
	entry, err := s.Entry(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("audit: proof of entry %d: %w", n, err)
	}
	p, err := tlog.ProveRecord(head.Size, n, hashReader(ctx, s))
	if err != nil {
		return nil, fmt.Errorf("audit: proof of entry %d: %w", n, err)
	}
	if err := tlog.CheckRecord(p, head.Size, head.Hash, n, tlog.RecordHash(entry)); err != nil {
		return nil, fmt.Errorf("%w: entry %d: %v", ErrInconsistent, n, err)
	}
	return Proof{Index: n, Extra: entry, Hashes: p, Checkpoint: signed}.Marshal(), nil
}
