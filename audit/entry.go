package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Type is the kind of decision an entry records.
type Type string

// The entry types. Each is a decision that lets data out, holds it or
// drops it, or changes who or what makes those decisions.
const (
	IngestBatch   Type = "ingest_batch"   // a batch of records went through the policy
	ExportRequest Type = "export_request" // an export was asked for, and what the gate decided
	Review        Type = "review"         // a reviewer approved or rejected a held export
	Release       Type = "release"        // an export's sanitized copy was released
	Download      Type = "download"       // a released copy was fetched
	Token         Type = "token"          // a token was created, changed or revoked
	PolicyChange  Type = "policy"         // the policy or its zones changed
)

// Types lists every entry type, in the order of the documentation.
var Types = []Type{IngestBatch, ExportRequest, Review, Release, Download, Token, PolicyChange}

// Limits on an entry. They keep one entry small enough to read whole.
const (
	MaxEntrySize = 256 << 10 // bytes of an encoded entry
	maxInt       = 1<<53 - 1 // largest index or count, exact in every JSON reader
)

// Entry is one decision in the log. Its encoding (Marshal) is canonical:
// the same entry always gives the same bytes, and those bytes are what the
// log hashes. docs/audit-format.md specifies it.
type Entry struct {
	// Index is the entry's place in the log, from 0. Log.Append sets it.
	Index int64
	// Type is the kind of decision.
	Type Type
	// Time is when the decision was made. It is kept in UTC, to the
	// nanosecond.
	Time time.Time
	// Actor names who or what decided: a token's name or id, a reviewer, a
	// device route. Never a secret such as the token itself.
	Actor string
	// Subjects are the ids the decision is about: an ingest batch, an
	// export request, a token id, a policy file.
	Subjects []string
	// PolicyRevision is the revision of the policy that decided.
	PolicyRevision string
	// Counts are numbers per rule (records dropped by each rule, say), or
	// per outcome ("kept", "dropped").
	Counts map[string]int64
	// Digest is the SHA-256 of the content the decision is about, as
	// "sha256:" and 64 lower-case hex digits (see Digest), or empty.
	Digest string
	// Details are free key-value pairs: a destination, a reason, a
	// reviewer's verdict.
	Details map[string]string
}

// Digest returns the digest of content in the form Entry.Digest takes.
func Digest(content []byte) string {
	sum := sha256.Sum256(content)
	return FormatDigest(sum[:])
}

// FormatDigest formats a SHA-256 sum (of a stream, say) in the form
// Entry.Digest takes.
func FormatDigest(sum []byte) string {
	return "sha256:" + hex.EncodeToString(sum)
}

// Errors of entries.
var (
	// ErrEntry is wrapped by every error about an entry's content.
	ErrEntry = errors.New("audit: bad entry")
)

func entryErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrEntry, fmt.Sprintf(format, args...))
}

// Validate reports the first thing that keeps e from being logged.
func (e *Entry) Validate() error {
	if e.Index < 0 || e.Index > maxInt {
		return entryErr("index %d out of range 0..%d", e.Index, maxInt)
	}
	if !slices.Contains(Types, e.Type) {
		return entryErr("unknown type %q", e.Type)
	}
	if e.Time.IsZero() {
		return entryErr("no time")
	}
	if y := e.Time.UTC().Year(); y < 1 || y > 9999 {
		return entryErr("time %v out of range", e.Time)
	}
	if e.Actor == "" {
		return entryErr("no actor")
	}
	if err := checkString("actor", e.Actor); err != nil {
		return err
	}
	for i, s := range e.Subjects {
		if err := checkString(fmt.Sprintf("subject %d", i), s); err != nil {
			return err
		}
	}
	if err := checkString("policy revision", e.PolicyRevision); err != nil {
		return err
	}
	for k, v := range e.Counts {
		if err := checkKey("count", k); err != nil {
			return err
		}
		if v < 0 || v > maxInt {
			return entryErr("count %q: %d out of range 0..%d", k, v, maxInt)
		}
	}
	if e.Digest != "" {
		h, ok := strings.CutPrefix(e.Digest, "sha256:")
		if !ok || len(h) != 64 || !isLowerHex(h) {
			return entryErr("digest %q: want sha256: and 64 lower-case hex digits", e.Digest)
		}
	}
	for k, v := range e.Details {
		if err := checkKey("detail", k); err != nil {
			return err
		}
		if err := checkString(fmt.Sprintf("detail %q", k), v); err != nil {
			return err
		}
	}
	return nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func checkString(what, s string) error {
	if !utf8.ValidString(s) {
		return entryErr("%s: not valid UTF-8", what)
	}
	return nil
}

func checkKey(what, k string) error {
	if k == "" {
		return entryErr("%s with an empty name", what)
	}
	return checkString(what+" name", k)
}

// Marshal returns the canonical encoding of e: one JSON object with the
// members in sorted order, no white space, as RFC 8785 (JSON
// Canonicalization Scheme) writes it. It does not end in a newline.
func (e *Entry) Marshal() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"actor":`)
	writeString(&b, e.Actor)
	b.WriteString(`,"counts":{`)
	for i, k := range sortedKeys(e.Counts) {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(&b, k)
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(e.Counts[k], 10))
	}
	b.WriteString(`},"details":{`)
	for i, k := range sortedKeys(e.Details) {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(&b, k)
		b.WriteByte(':')
		writeString(&b, e.Details[k])
	}
	b.WriteString(`},"digest":`)
	writeString(&b, e.Digest)
	b.WriteString(`,"index":`)
	b.WriteString(strconv.FormatInt(e.Index, 10))
	b.WriteString(`,"policy_revision":`)
	writeString(&b, e.PolicyRevision)
	b.WriteString(`,"subjects":[`)
	for i, s := range e.Subjects {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(&b, s)
	}
	b.WriteString(`],"time":`)
	writeString(&b, e.Time.UTC().Format(time.RFC3339Nano))
	b.WriteString(`,"type":`)
	writeString(&b, string(e.Type))
	b.WriteByte('}')
	if b.Len() > MaxEntrySize {
		return nil, entryErr("%d bytes encoded, more than the limit of %d", b.Len(), MaxEntrySize)
	}
	return b.Bytes(), nil
}

// sortedKeys returns the keys of m in the order of RFC 8785: by their
// UTF-16 code units.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
	})
	return keys
}

// writeString writes s as a JSON string the way RFC 8785 does: only the
// quote, the backslash and control characters are escaped, with the short
// forms where JSON has them and \u00xx (lower-case hex) otherwise.
func writeString(b *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// wireEntry is the JSON shape of an entry, for decoding.
type wireEntry struct {
	Actor          string            `json:"actor"`
	Counts         map[string]int64  `json:"counts"`
	Details        map[string]string `json:"details"`
	Digest         string            `json:"digest"`
	Index          int64             `json:"index"`
	PolicyRevision string            `json:"policy_revision"`
	Subjects       []string          `json:"subjects"`
	Time           string            `json:"time"`
	Type           Type              `json:"type"`
}

// ParseEntry decodes an entry and checks that data is its canonical
// encoding, byte for byte: an entry that decodes but was written any other
// way (other spacing, member order, escapes, a duplicate member) is refused.
func ParseEntry(data []byte) (Entry, error) {
	if len(data) > MaxEntrySize {
		return Entry{}, entryErr("%d bytes, more than the limit of %d", len(data), MaxEntrySize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w wireEntry
	if err := dec.Decode(&w); err != nil {
		return Entry{}, entryErr("%v", err)
	}
	if dec.More() {
		return Entry{}, entryErr("data after the entry's object")
	}
	t, err := time.Parse(time.RFC3339Nano, w.Time)
	if err != nil {
		return Entry{}, entryErr("time %q: %v", w.Time, err)
	}
	e := Entry{
		Index:          w.Index,
		Type:           w.Type,
		Time:           t.UTC(),
		Actor:          w.Actor,
		Subjects:       w.Subjects,
		PolicyRevision: w.PolicyRevision,
		Counts:         w.Counts,
		Digest:         w.Digest,
		Details:        w.Details,
	}
	canon, err := e.Marshal()
	if err != nil {
		return Entry{}, err
	}
	if !bytes.Equal(canon, data) {
		at := 0
		for at < len(canon) && at < len(data) && canon[at] == data[at] {
			at++
		}
		return Entry{}, entryErr("not in canonical form (first difference at byte %d)", at)
	}
	return e, nil
}
