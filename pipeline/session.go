package pipeline

import (
	"fmt"

	"github.com/geowarden/geowarden"
)

// Session takes records that do not come from a codec (the messages of a
// device protocol in the gateway) through the same stages as a run over
// an input: classify, decide, act and record. It is the engine's own
// record handler, so a record gets the same edit and the same findings
// from a Session as from Run. A Session is not safe for concurrent use:
// each goroutine (each request) takes its own from Engine.NewSession.
type Session struct {
	h *handler
}

// NewSession returns a session whose findings go to opts.Finding (the
// other options do not apply to single records).
func (e *Engine) NewSession(opts Options) *Session {
	return &Session{h: e.newHandler(Options{Finding: opts.Finding}, false)}
}

// Record classifies rec, decides, and returns the edit that carries out
// the decision; it counts the record and reports its findings. rec and
// the edit's slices are valid only until the next call.
func (s *Session) Record(rec *geowarden.Record) geowarden.Edit {
	return s.h.Record(rec)
}

// Stats returns the counts of the records the session has handled.
func (s *Session) Stats() geowarden.Stats { return s.h.stats }

// Blocked returns the *BlockedError of the first record that a block rule
// matched (or whose text position the policy's text setting refuses), or
// nil. A caller refuses the whole request when it is set, as a run
// refuses its whole input.
func (s *Session) Blocked() error {
	if s.h.blocked == nil {
		return nil
	}
	return s.h.blocked
}

// Check is the release check of bytes about to leave: it reads b, as the
// verifier reads a sanitized output (package verify, independently of any
// codec or protocol), and returns an error naming the first position in b
// inside a zone that the policy protects whatever the record, or nil.
// Bytes that fail it must not be released.
func (e *Engine) Check(b []byte) error {
	v := e.verifier()
	if v == nil {
		return nil
	}
	if err := v.Check(b, 0); err != nil {
		return fmt.Errorf("release check: %w", err)
	}
	return nil
}
