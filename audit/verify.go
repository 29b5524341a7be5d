package audit

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Check names one of the checks Verify makes.
type Check string

// The checks of Verify.
const (
	// CheckSignature: the latest checkpoint exists and carries a valid
	// signature by the verifier key, and its origin is the key's name.
	CheckSignature Check = "checkpoint-signature"
	// CheckEntryFormat: an entry reads and is in canonical form.
	CheckEntryFormat Check = "entry-format"
	// CheckEntryIndex: the entry at position n says it is entry n.
	CheckEntryIndex Check = "entry-index"
	// CheckEntryHash: an entry's RFC 6962 leaf hash is the stored one.
	CheckEntryHash Check = "entry-hash"
	// CheckTreeHashes: the stored hashes of the tree's inner nodes are the
	// ones the entries give.
	CheckTreeHashes Check = "tree-hashes"
	// CheckSize: the log holds every entry the latest checkpoint signs.
	CheckSize Check = "checkpoint-size"
	// CheckRoot: the entries give the root hash the latest checkpoint signs.
	CheckRoot Check = "checkpoint-root"
	// CheckUnsigned: every entry is covered by the latest checkpoint.
	CheckUnsigned Check = "unsigned-entries"
	// CheckSince: the log is consistent with the earlier checkpoint given
	// to Verify: it is at least as large, and its first entries give that
	// checkpoint's root.
	CheckSince Check = "since-checkpoint"
)

// Problem is one failed check.
type Problem struct {
	// First and Last are the positions of the entries concerned (a run of
	// entries that fail the same way is one problem), or -1 when the
	// problem is about the log as a whole.
	First, Last int64
	Check       Check
	Detail      string

	offset int64 // CheckEntryIndex: index carried minus position
}

func (p Problem) String() string {
	switch {
	case p.First < 0:
		return fmt.Sprintf("%s: %s", p.Check, p.Detail)
	case p.First == p.Last:
		return fmt.Sprintf("entry %d: %s: %s", p.First, p.Check, p.Detail)
	}
	return fmt.Sprintf("entries %d..%d: %s: %s", p.First, p.Last, p.Check, p.Detail)
}

// Report is what Verify found.
type Report struct {
	last map[Check]int // index in Problems of the last problem of each check

	// Entries is the number of entries the storage holds.
	Entries int64
	// Checkpoint is the latest signed checkpoint, when its signature
	// verified.
	Checkpoint *Checkpoint
	// Since is the earlier checkpoint the log was checked against, if any.
	Since *Checkpoint
	// Problems lists the failed checks, at most MaxProblems of them;
	// Omitted counts those left out.
	Problems []Problem
	Omitted  int
}

// MaxProblems caps the problems a Report lists.
const MaxProblems = 100

// OK reports whether every check passed.
func (r *Report) OK() bool { return len(r.Problems) == 0 && r.Omitted == 0 }

// add adds p to the report, or extends the run of entries that failed the
// same check just before.
func (r *Report) add(p Problem) {
	if i, ok := r.last[p.Check]; ok && (p.Check == CheckEntryIndex || p.Check == CheckEntryHash) {
		last := &r.Problems[i]
		if last.First >= 0 && last.Last+1 == p.First && last.offset == p.offset {
			last.Last = p.First
			last.Detail = runDetail(*last)
			return
		}
	}
	if len(r.Problems) == MaxProblems {
		r.Omitted++
		return
	}
	if r.last == nil {
		r.last = map[Check]int{}
	}
	r.last[p.Check] = len(r.Problems)
	r.Problems = append(r.Problems, p)
}

// runDetail describes a run of entries that fail the same check.
func runDetail(p Problem) string {
	switch p.Check {
	case CheckEntryIndex:
		what := "moved"
		switch {
		case p.First == p.Last:
		case p.offset > 0:
			what = fmt.Sprintf("%d entr%s missing before position %d", p.offset, plural(p.offset, "y", "ies"), p.First)
		case p.offset < 0:
			what = fmt.Sprintf("%d entr%s too many before position %d", -p.offset, plural(-p.offset, "y", "ies"), p.First)
		}
		if p.First == p.Last {
			return fmt.Sprintf("the entry at position %d says it is entry %d: entries were removed, added or moved", p.First, p.First+p.offset)
		}
		return fmt.Sprintf("the entries at positions %d..%d say they are entries %d..%d: %s", p.First, p.Last, p.First+p.offset, p.Last+p.offset, what)
	case CheckEntryHash:
		return "the entry's bytes do not give its stored leaf hash: it was changed, or moved, after it was logged"
	}
	return p.Detail
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Verify checks the log in s with the verifier key vkey (name+hash+key)
// alone: the signature of the latest checkpoint; every entry's form, index
// and RFC 6962 leaf hash against the stored hashes; the tree's stored
// hashes; the root of the entries against the checkpoint; and, when since
// is not nil, consistency with that earlier signed checkpoint (one an
// auditor saved): the log must hold at least its entries and give its
// root. A log rolled back to an older, consistent state passes every check
// but the last.
//
// What is wrong with the log is in the Report; the error is for what kept
// Verify from checking (a bad key, a since checkpoint that does not verify,
// a storage that cannot be read).
func Verify(ctx context.Context, s Storage, vkey string, since []byte) (*Report, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("audit: verifier key %q: %w", vkey, err)
	}
	r := &Report{}
	if since != nil {
		c, err := openCheckpoint(since, v)
		if err != nil {
			return nil, fmt.Errorf("audit: earlier checkpoint: %w", err)
		}
		r.Since = &c
	}
	if r.Entries, err = s.Size(ctx); err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	signed, err := s.Checkpoint(ctx)
	switch {
	case errors.Is(err, ErrCorrupt):
		r.add(Problem{First: -1, Last: -1, Check: CheckSignature, Detail: err.Error()})
	case err != nil:
		return nil, fmt.Errorf("audit: verify: %w", err)
	case signed == nil:
		r.add(Problem{First: -1, Last: -1, Check: CheckSignature, Detail: "the log has no checkpoint"})
	default:
		if c, err := openCheckpoint(signed, v); err != nil {
			r.add(Problem{First: -1, Last: -1, Check: CheckSignature, Detail: err.Error()})
		} else {
			r.Checkpoint = &c
		}
	}

	// Hash every entry again and compare with the stored hashes, keeping
	// the roots at the sizes of the two checkpoints.
	var fs frontiers
	roots := map[int64]tlog.Hash{0: emptyRoot}
	for _, c := range []*Checkpoint{r.Checkpoint, r.Since} {
		if c != nil && c.Size > 0 && c.Size <= r.Entries {
			roots[c.Size] = tlog.Hash{}
		}
	}
	for n := int64(0); n < r.Entries; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := verifyEntry(ctx, s, r, &fs, n); err != nil {
			return nil, err
		}
		if _, ok := roots[n+1]; ok {
			if roots[n+1], err = tlog.TreeHash(n+1, &fs.entries); err != nil {
				return nil, fmt.Errorf("audit: verify: %w", err)
			}
		}
	}

	if c := r.Checkpoint; c != nil {
		switch {
		case c.Size > r.Entries:
			r.add(Problem{First: -1, Last: -1, Check: CheckSize,
				Detail: fmt.Sprintf("the signed checkpoint covers %d entries, the log holds %d: entries %d..%d were removed", c.Size, r.Entries, r.Entries, c.Size-1)})
		case roots[c.Size] != c.Hash:
			r.add(Problem{First: -1, Last: -1, Check: CheckRoot,
				Detail: fmt.Sprintf("the first %d entries give root %v, the signed checkpoint says %v: entries were changed, removed, added or reordered", c.Size, roots[c.Size], c.Hash)})
		}
		if r.Entries > c.Size {
			r.add(Problem{First: c.Size, Last: r.Entries - 1, Check: CheckUnsigned,
				Detail: fmt.Sprintf("%d entr%s after the %d the signed checkpoint covers: never signed, or added later", r.Entries-c.Size, plural(r.Entries-c.Size, "y", "ies"), c.Size)})
		}
	}
	if c := r.Since; c != nil && r.Checkpoint != nil {
		switch {
		case c.Size > r.Checkpoint.Size:
			r.add(Problem{First: -1, Last: -1, Check: CheckSince,
				Detail: fmt.Sprintf("the earlier checkpoint covers %d entries, the log's latest only %d: the log was rolled back or truncated", c.Size, r.Checkpoint.Size)})
		case c.Size > r.Entries:
			// Reported by CheckSize already.
		case roots[c.Size] != c.Hash:
			r.add(Problem{First: -1, Last: -1, Check: CheckSince,
				Detail: fmt.Sprintf("the first %d entries give root %v, the earlier checkpoint says %v: the log was rewritten since", c.Size, roots[c.Size], c.Hash)})
		}
	}
	return r, nil
}

// emptyRoot is the RFC 6962 root of the empty tree: SHA-256 of nothing.
var emptyRoot, _ = tlog.TreeHash(0, nil)

// frontiers are the two trees Verify builds: the one the entries give,
// and the one the stored leaf hashes give.
type frontiers struct {
	entries, stored frontier
}

// verifyEntry checks entry n and its stored hashes, and adds it to fs.
func verifyEntry(ctx context.Context, s Storage, r *Report, fs *frontiers, n int64) error {
	data, err := s.Entry(ctx, n)
	switch {
	case errors.Is(err, ErrCorrupt):
		r.add(Problem{First: n, Last: n, Check: CheckEntryFormat, Detail: err.Error()})
		data = nil
	case err != nil:
		return fmt.Errorf("audit: verify: entry %d: %w", n, err)
	default:
		if e, err := ParseEntry(data); err != nil {
			r.add(Problem{First: n, Last: n, Check: CheckEntryFormat, Detail: err.Error()})
		} else if e.Index != n {
			p := Problem{First: n, Last: n, Check: CheckEntryIndex, offset: e.Index - n}
			p.Detail = runDetail(p)
			r.add(p)
		}
	}
	leaf := tlog.RecordHash(data)
	first := tlog.StoredHashIndex(0, n)
	indexes := make([]int64, tlog.StoredHashCount(n+1)-tlog.StoredHashCount(n))
	for i := range indexes {
		indexes[i] = first + int64(i)
	}
	stored, err := s.ReadHashes(ctx, indexes)
	switch {
	case errors.Is(err, ErrCorrupt):
		r.add(Problem{First: n, Last: n, Check: CheckTreeHashes, Detail: err.Error()})
		stored = nil
	case err != nil:
		return fmt.Errorf("audit: verify: hashes of entry %d: %w", n, err)
	case len(stored) != len(indexes):
		return fmt.Errorf("audit: verify: hashes of entry %d: storage returned %d hashes for %d indexes", n, len(stored), len(indexes))
	}
	storedLeaf := leaf
	if stored != nil {
		storedLeaf = stored[0]
		if data == nil {
			leaf = stored[0] // go on with the stored leaf hash, to check what follows
		} else if stored[0] != leaf {
			p := Problem{First: n, Last: n, Check: CheckEntryHash}
			p.Detail = runDetail(p)
			r.add(p)
		}
	}
	// The stored inner hashes must be the ones the stored leaves give.
	inner, err := tlog.StoredHashesForRecordHash(n, storedLeaf, &fs.stored)
	if err != nil {
		return fmt.Errorf("audit: verify: %w", err)
	}
	fs.stored.push(n, inner)
	for i := 1; stored != nil && i < len(inner); i++ {
		if stored[i] != inner[i] {
			level, k := tlog.SplitStoredHashIndex(indexes[i])
			r.add(Problem{First: n, Last: n, Check: CheckTreeHashes,
				Detail: fmt.Sprintf("stored hash %d (level %d, node %d) is %v, the stored leaves give %v", indexes[i], level, k, stored[i], inner[i])})
			break
		}
	}
	// The tree the entries themselves give, for the roots.
	want, err := tlog.StoredHashesForRecordHash(n, leaf, &fs.entries)
	if err != nil {
		return fmt.Errorf("audit: verify: %w", err)
	}
	fs.entries.push(n, want)
	return nil
}

// frontier holds the roots of the complete subtrees of the entries hashed
// so far (at most one per level): all tlog needs to hash the next entry
// and the root of the tree so far. It is a tlog.HashReader.
type frontier struct {
	index []int64 // stored hash index of each root, left to right
	hash  []tlog.Hash
}

// push records the stored hashes of entry n: the subtrees the last of them
// completes replace those it was made from.
func (f *frontier) push(n int64, hashes []tlog.Hash) {
	merged := len(hashes) - 1
	f.index = f.index[:len(f.index)-merged]
	f.hash = f.hash[:len(f.hash)-merged]
	f.index = append(f.index, tlog.StoredHashIndex(merged, n>>merged))
	f.hash = append(f.hash, hashes[merged])
}

// ReadHashes implements tlog.HashReader over the frontier.
func (f *frontier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		found := false
		for j, y := range f.index {
			if x == y {
				out[i], found = f.hash[j], true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("audit: hash %d is not a subtree root of the entries hashed so far", x)
		}
	}
	return out, nil
}
