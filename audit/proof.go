package audit

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// Proof is an offline-verifiable proof that an entry is in the log, in the
// C2SP tlog-proof format (https://c2sp.org/tlog-proof): the entry's index,
// the RFC 6962 inclusion proof and the signed checkpoint of the tree it
// proves inclusion in.
type Proof struct {
	// Index is the entry's index.
	Index int64
	// Extra is the proof's opaque extra data. In geowarden's proofs it is
	// the entry itself, whose record hash (RFC 6962 leaf hash) the proof
	// proves; a verifier hashes it, it does not trust it.
	Extra []byte
	// Hashes is the inclusion proof, from the leaf's sibling up to the
	// root's child.
	Hashes tlog.RecordProof
	// Checkpoint is the signed checkpoint, verbatim.
	Checkpoint []byte
}

// ProofHeader is the first line of a tlog-proof.
const ProofHeader = "c2sp.org/tlog-proof@v1"

// Limits of a proof read from anywhere.
const (
	maxProofHashes = 63
	maxProof       = len(ProofHeader) + 1 + 6 + (MaxEntrySize+2)/3*4 + 1 + 26 + maxProofHashes*45 + 1 + maxNote
)

// ErrProof is wrapped by every error about a proof's text or its check.
var ErrProof = errors.New("audit: bad proof")

// Marshal returns the proof's text.
func (p Proof) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(ProofHeader + "\n")
	if len(p.Extra) > 0 {
		b.WriteString("extra " + base64.StdEncoding.EncodeToString(p.Extra) + "\n")
	}
	b.WriteString("index " + strconv.FormatInt(p.Index, 10) + "\n")
	for _, h := range p.Hashes {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(p.Checkpoint)
	return b.Bytes()
}

// ParseProof parses a proof's text. It does not check the checkpoint's
// signature or the inclusion proof: VerifyProof does.
func ParseProof(text []byte) (Proof, error) {
	fail := func(line int, format string, args ...any) (Proof, error) {
		return Proof{}, fmt.Errorf("%w: line %d: %s", ErrProof, line, fmt.Sprintf(format, args...))
	}
	if len(text) > maxProof {
		return Proof{}, fmt.Errorf("%w: %d bytes, more than the limit of %d", ErrProof, len(text), maxProof)
	}
	var p Proof
	rest := string(text)
	lineNo := 0
	next := func() (string, bool) {
		line, after, ok := strings.Cut(rest, "\n")
		if !ok {
			return "", false
		}
		lineNo++
		rest = after
		return line, true
	}
	line, ok := next()
	if !ok || line != ProofHeader {
		return fail(1, "want %q", ProofHeader)
	}
	if line, ok = next(); !ok {
		return fail(lineNo+1, "want the index line")
	}
	if x, found := strings.CutPrefix(line, "extra "); found {
		extra, err := base64.StdEncoding.Strict().DecodeString(x)
		if err != nil {
			return fail(lineNo, "extra data: not standard base64")
		}
		p.Extra = extra
		if line, ok = next(); !ok {
			return fail(lineNo+1, "want the index line")
		}
	}
	x, found := strings.CutPrefix(line, "index ")
	if !found {
		return fail(lineNo, "want \"index N\"")
	}
	idx, err := parseDecimal(x)
	if err != nil {
		return fail(lineNo, "index %q: %v", x, err)
	}
	p.Index = idx
	for {
		if line, ok = next(); !ok {
			return fail(lineNo+1, "want an empty line before the checkpoint")
		}
		if line == "" {
			break
		}
		if len(p.Hashes) == maxProofHashes {
			return fail(lineNo, "more than %d proof hashes", maxProofHashes)
		}
		h, err := parseHash(line)
		if err != nil {
			return fail(lineNo, "proof hash: %v", err)
		}
		p.Hashes = append(p.Hashes, h)
	}
	if rest == "" {
		return fail(lineNo+1, "no checkpoint")
	}
	p.Checkpoint = []byte(rest)
	return p, nil
}

// VerifyProof checks a proof with the log's verifier key alone: the
// checkpoint's signature, and that the entry is the proof's index'th entry
// of the checkpoint's tree (tlog.CheckRecord). entry is the entry's bytes;
// nil takes them from the proof's extra data. It returns the checkpoint and
// the decoded entry, whose Index must be the proof's.
func VerifyProof(text []byte, vkey string, entry []byte) (Checkpoint, Entry, error) {
	p, err := ParseProof(text)
	if err != nil {
		return Checkpoint{}, Entry{}, err
	}
	c, err := OpenCheckpoint(p.Checkpoint, vkey)
	if err != nil {
		return Checkpoint{}, Entry{}, err
	}
	if entry == nil {
		entry = p.Extra
	}
	if p.Index >= c.Size {
		return c, Entry{}, fmt.Errorf("%w: index %d is not in a tree of %d entries", ErrProof, p.Index, c.Size)
	}
	if err := tlog.CheckRecord(p.Hashes, c.Size, c.Hash, p.Index, tlog.RecordHash(entry)); err != nil {
		return c, Entry{}, fmt.Errorf("%w: entry %d is not in the tree of %d entries with root %v: %v", ErrProof, p.Index, c.Size, c.Hash, err)
	}
	e, err := ParseEntry(entry)
	if err != nil {
		return c, Entry{}, err
	}
	if e.Index != p.Index {
		return c, Entry{}, fmt.Errorf("%w: the entry says it is entry %d, the proof %d", ErrProof, e.Index, p.Index)
	}
	return c, e, nil
}
