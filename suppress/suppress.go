// Package suppress decides which findings a team has already accepted:
// those whose fingerprint is listed in an ignore file (each entry with an
// optional expiry date and a reason) or in a baseline (a previous report).
//
// It works on fingerprints alone, so that any stream of fingerprinted
// results (scan findings, campaign alerts) can be filtered the same way.
// A suppression never changes what a policy does to a record: it only
// decides what is reported and what counts towards an exit code.
package suppress

import (
	"fmt"
	"time"
)

// Kind says where an entry comes from.
type Kind uint8

// Kinds of entries.
const (
	Ignore   Kind = iota + 1 // a line of an ignore file
	Baseline                 // a finding of a baseline report
)

func (k Kind) String() string {
	switch k {
	case Ignore:
		return "ignore"
	case Baseline:
		return "baseline"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Entry is one accepted fingerprint.
type Entry struct {
	Fingerprint string
	Kind        Kind
	// Expires is the last day (UTC) on which the entry suppresses; zero
	// means never. An entry with Expires 2027-01-31 suppresses until
	// 2027-01-31T23:59:59.999999999Z and no longer from 1 February.
	Expires time.Time
	Reason  string
	// File and Line tell where the entry is written: the ignore file and
	// its line, or the baseline file and the line where the finding (or
	// the report that holds it) starts.
	File string
	Line int
}

// Source names where the entry is written, as FILE:LINE.
func (e *Entry) Source() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return e.File
}

// ExpiryDate is the entry's expiry as YYYY-MM-DD, or "" when it never
// expires.
func (e *Entry) ExpiryDate() string {
	if e.Expires.IsZero() {
		return ""
	}
	return e.Expires.Format(time.DateOnly)
}

// ActiveAt reports whether the entry still suppresses at now.
func (e *Entry) ActiveAt(now time.Time) bool {
	return e.Expires.IsZero() || now.Before(e.Expires.AddDate(0, 0, 1))
}

// Set is a lookup of entries by fingerprint, at one moment. It is not
// safe for concurrent use.
type Set struct {
	active  map[string]*Entry
	expired []*Entry
	// revoked holds the fingerprints of expired ignore entries: they are
	// not suppressed, even when a baseline lists them.
	revoked map[string]*Entry
	hits    map[*Entry]int64
}

// NewSet builds the set of entries as it stands at now. When a
// fingerprint has several entries, an ignore entry wins over a baseline
// entry (it carries a reason and an expiry), and an expired ignore entry
// revokes the fingerprint: it is not suppressed even when a baseline
// lists it, so that an expiry cannot be side-stepped by an old baseline.
func NewSet(now time.Time, entries []Entry) *Set {
	s := &Set{active: map[string]*Entry{}, revoked: map[string]*Entry{}, hits: map[*Entry]int64{}}
	for i := range entries {
		e := &entries[i]
		if e.Kind == Ignore && !e.ActiveAt(now) {
			s.expired = append(s.expired, e)
			s.revoked[e.Fingerprint] = e
			continue
		}
		if old, ok := s.active[e.Fingerprint]; ok && (old.Kind == Ignore || e.Kind != Ignore) {
			continue
		}
		s.active[e.Fingerprint] = e
	}
	for fp := range s.revoked {
		delete(s.active, fp)
	}
	return s
}

// Len is the number of fingerprints the set suppresses.
func (s *Set) Len() int { return len(s.active) }

// Match returns the entry that suppresses the fingerprint, or nil. An
// expired ignore entry that names the fingerprint is counted as hit, so
// that Expired can tell whether its finding is still there.
func (s *Set) Match(fingerprint string) *Entry {
	if e, ok := s.active[fingerprint]; ok {
		s.hits[e]++
		return e
	}
	if e, ok := s.revoked[fingerprint]; ok {
		s.hits[e]++
	}
	return nil
}

// Hits is how many times Match found e.
func (s *Set) Hits(e *Entry) int64 { return s.hits[e] }

// Expired returns the ignore entries whose expiry date has passed, in the
// order they were given. They suppress nothing.
func (s *Set) Expired() []*Entry { return s.expired }
