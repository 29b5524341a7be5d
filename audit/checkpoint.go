package audit

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is the head of the log's tree at one size, in the C2SP
// tlog-checkpoint format (https://c2sp.org/tlog-checkpoint): the note text
// that the log signs.
type Checkpoint struct {
	Origin string    // the log's identity, also the name of its key
	Size   int64     // number of entries
	Hash   tlog.Hash // RFC 6962 root hash of the tree of Size entries
	// Extensions are the optional lines after the root hash. geowarden
	// writes none; they are kept when read.
	Extensions []string
}

// Errors of checkpoints.
var (
	// ErrCheckpoint is wrapped by every error about a checkpoint's text.
	ErrCheckpoint = errors.New("audit: bad checkpoint")
	// ErrSignature is wrapped when a signed checkpoint does not carry a
	// valid signature by the expected key.
	ErrSignature = errors.New("audit: checkpoint not signed by the log's key")
)

// maxNote caps the size of a signed checkpoint read from anywhere.
const maxNote = 64 << 10

// String returns the note text of c.
func (c Checkpoint) String() string {
	var b strings.Builder
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(base64.StdEncoding.EncodeToString(c.Hash[:]))
	b.WriteByte('\n')
	for _, x := range c.Extensions {
		b.WriteString(x)
		b.WriteByte('\n')
	}
	return b.String()
}

// ParseCheckpoint parses the note text of a checkpoint (the text before the
// signatures, ending in a newline).
func ParseCheckpoint(text string) (Checkpoint, error) {
	fail := func(line int, format string, args ...any) (Checkpoint, error) {
		return Checkpoint{}, fmt.Errorf("%w: line %d: %s", ErrCheckpoint, line, fmt.Sprintf(format, args...))
	}
	if len(text) > maxNote {
		return Checkpoint{}, fmt.Errorf("%w: %d bytes, more than the limit of %d", ErrCheckpoint, len(text), maxNote)
	}
	if !strings.HasSuffix(text, "\n") {
		return Checkpoint{}, fmt.Errorf("%w: does not end in a newline", ErrCheckpoint)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return fail(len(lines)+1, "want origin, tree size and root hash lines, have %d line(s)", len(lines))
	}
	var c Checkpoint
	c.Origin = lines[0]
	if c.Origin == "" {
		return fail(1, "empty origin")
	}
	size, err := parseDecimal(lines[1])
	if err != nil {
		return fail(2, "tree size %q: %v", lines[1], err)
	}
	c.Size = size
	h, err := parseHash(lines[2])
	if err != nil {
		return fail(3, "root hash %q: %v", lines[2], err)
	}
	c.Hash = h
	for i, x := range lines[3:] {
		if x == "" {
			return fail(4+i, "empty extension line")
		}
		c.Extensions = append(c.Extensions, x)
	}
	return c, nil
}

// parseDecimal parses an ASCII decimal with no sign and no leading zeroes.
func parseDecimal(s string) (int64, error) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, errors.New("want a decimal number without leading zeroes")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("want a decimal number without leading zeroes")
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("out of range")
	}
	return n, nil
}

// parseHash parses the standard base64 encoding of a SHA-256 hash, in its
// one canonical spelling.
func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return h, errors.New("not standard base64")
	}
	if len(b) != tlog.HashSize {
		return h, fmt.Errorf("%d bytes, want %d", len(b), tlog.HashSize)
	}
	copy(h[:], b)
	return h, nil
}

// OpenCheckpoint checks the signature of a signed checkpoint with the
// verifier key vkey (name+hash+key) and parses it. The checkpoint's origin
// must be the key's name. Signatures by other keys (witnesses) are ignored.
func OpenCheckpoint(signed []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: verifier key %q: %w", vkey, err)
	}
	return openCheckpoint(signed, v)
}

func openCheckpoint(signed []byte, v note.Verifier) (Checkpoint, error) {
	if len(signed) > maxNote {
		return Checkpoint{}, fmt.Errorf("%w: %d bytes, more than the limit of %d", ErrCheckpoint, len(signed), maxNote)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			return Checkpoint{}, fmt.Errorf("%w: no signature by %s+%08x", ErrSignature, v.Name(), v.KeyHash())
		case errors.As(err, &invalid):
			return Checkpoint{}, fmt.Errorf("%w: the signature by %s+%08x does not verify", ErrSignature, v.Name(), v.KeyHash())
		}
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("%w: origin %q is not the key's name %q", ErrCheckpoint, c.Origin, v.Name())
	}
	return c, nil
}
