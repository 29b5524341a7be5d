package audit

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Storage is what the log needs of the place that keeps it: entries, the
// tree's stored hashes (golang.org/x/mod/sumdb/tlog numbering) and the
// latest signed checkpoint. audittest.Run is the conformance suite every
// implementation must pass.
//
// One writer (one Log) uses a Storage at a time; readers (Entry,
// ReadHashes, Size, Checkpoint) may run at the same time as the writer and
// see either the state before an Append or after it, never a part of one.
// Slices passed in belong to the caller and may be reused after the call;
// slices returned belong to the caller.
type Storage interface {
	// Size returns the number of entries.
	Size(ctx context.Context) (int64, error)

	// Append adds entry n, which must be the next one (n == Size), with the
	// hashes tlog.StoredHashes gave for it, to be stored from index
	// tlog.StoredHashIndex(0, n) on. It stores both or neither, and when it
	// returns nil they are durable: they survive a crash or power loss.
	// entry is an entry's canonical encoding: at most MaxEntrySize bytes,
	// with no newline.
	Append(ctx context.Context, n int64, entry []byte, hashes []tlog.Hash) error

	// Entry returns the bytes of entry n, as they were appended.
	Entry(ctx context.Context, n int64) ([]byte, error)

	// ReadHashes returns the stored hashes at the given indexes, in the
	// order asked. An index that has no hash is an error.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)

	// SaveCheckpoint replaces the latest signed checkpoint, durably.
	SaveCheckpoint(ctx context.Context, signed []byte) error

	// Checkpoint returns the latest signed checkpoint, or nil and no error
	// when none has been saved.
	Checkpoint(ctx context.Context) ([]byte, error)
}

// BatchStorage is a Storage that can append several entries at once, as
// Log.AppendAll does for a group of decisions: one durable write instead
// of one per entry.
type BatchStorage interface {
	Storage
	// AppendBatch appends entries n, n+1, … with their hashes, as many
	// Appends would, but all or none, durable when it returns nil.
	// hashes[i] are the stored hashes of entries[i].
	AppendBatch(ctx context.Context, n int64, entries [][]byte, hashes [][]tlog.Hash) error
}

// ErrCorrupt is wrapped by a Storage's errors about what it holds, as
// opposed to errors reaching it: data that cannot have been written by
// Append (a missing hash, an oversized or unreadable entry). Verify reports
// it as a finding, not as a failure to verify.
var ErrCorrupt = errors.New("audit: storage corrupt")

// hashReader reads the stored hashes of s for golang.org/x/mod/sumdb/tlog.
func hashReader(ctx context.Context, s Storage) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return s.ReadHashes(ctx, indexes)
	})
}

// CheckAppend checks the arguments of Storage.Append against a storage
// that holds size entries and nhashes stored hashes: n must be the next
// entry, and hashes as many as tlog.StoredHashes gives for it. Storage
// implementations call it before they store anything.
func CheckAppend(size, nhashes, n int64, hashes []tlog.Hash) error {
	if n != size {
		return fmt.Errorf("audit: storage: append entry %d to a log of %d entries", n, size)
	}
	if want := tlog.StoredHashCount(n+1) - tlog.StoredHashCount(n); int64(len(hashes)) != want {
		return fmt.Errorf("audit: storage: entry %d comes with %d hashes, want %d", n, len(hashes), want)
	}
	if want := tlog.StoredHashCount(n); nhashes != want {
		return fmt.Errorf("%w: %d stored hashes for %d entries, want %d", ErrCorrupt, nhashes, n, want)
	}
	return nil
}
