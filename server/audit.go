package server

import (
	"context"
	"crypto/sha256"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/store"
)

// The audit log: every decision that lets records out or changes who or
// what decides is appended to it before it takes effect (docs/gateway.md,
// "The audit log").

// auditPaths are the audit log's read-only views (audit.Handler), served
// to admin and auditor tokens.
var auditPaths = []string{"/v1/audit/checkpoint", "/v1/audit/proof/{n}", "/v1/audit/key"}

// batchEntry returns the audit entry of one request's batch: its route,
// the token's name, the policy revision, its counts per outcome and per
// rule, and the SHA-256 of the bytes it stores for upstream (sum). The
// outbox appends it before it stores the batch (outbox.commit): a batch
// whose entry was not appended is never stored.
func batchEntry(b *store.Batch, findings map[string]int, sum hash.Hash) audit.Entry {
	d := &b.Decision
	counts := map[string]int64{
		"received": d.Received, "kept": d.Kept, "modified": d.Modified, "dropped": d.Dropped, "findings": d.Findings,
	}
	for rule, n := range findings {
		counts["rule:"+rule] = int64(n)
	}
	e := audit.Entry{
		Type:           audit.IngestBatch,
		Time:           d.Time,
		Actor:          "token:" + d.Token,
		Subjects:       []string{d.Request},
		PolicyRevision: d.Revision,
		Counts:         counts,
		Details:        map[string]string{"route": d.Route, "messages": strconv.Itoa(len(b.Messages))},
	}
	if len(b.Messages) > 0 {
		e.Digest = audit.FormatDigest(sum.Sum(nil))
	}
	return e
}

// appendAudit appends e, and logs and counts a failure.
func (s *Server) appendAudit(ctx context.Context, e audit.Entry) error {
	n, err := s.audit.Append(ctx, e)
	if err != nil {
		s.metrics.AuditFailures.Inc()
		s.log.Error("audit append failed; the decision does not take effect", "type", e.Type, "err", err)
		return err
	}
	s.log.Debug("audit entry appended", "index", n, "type", e.Type)
	return nil
}

// auditFailed answers a request whose audit entry could not be appended:
// 503, nothing of it stored.
func auditFailed(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	httpError(w, http.StatusServiceUnavailable, "the audit log is not taking entries; nothing was stored")
}

// auditPolicy appends the entry of a policy put in force: at start
// (previous "") and on each reload.
func (s *Server) auditPolicy(ctx context.Context, p *Policy, previous, why string) error {
	e := audit.Entry{
		Type:           audit.PolicyChange,
		Time:           time.Now().UTC(),
		Actor:          "gateway",
		Subjects:       []string{"policy:" + p.Revision},
		PolicyRevision: p.Revision,
		Details:        map[string]string{"event": why},
	}
	if previous != "" {
		e.Details["previous"] = previous
	}
	return s.appendAudit(ctx, e)
}

// AuditToken appends the entry of a token's creation or revocation
// (event "create" or "revoke") to l, before the change is stored. actor
// says who made it (an operator, the command line).
func AuditToken(ctx context.Context, l *audit.Log, event, actor string, t *store.Token, at time.Time) error {
	e := audit.Entry{
		Type:     audit.Token,
		Time:     at.UTC(),
		Actor:    actor,
		Subjects: []string{"token:" + t.Name},
		Details:  map[string]string{"event": event, "roles": strings.Join(t.Roles, ",")},
	}
	if t.ID != 0 {
		e.Subjects = append(e.Subjects, "token-id:"+strconv.FormatInt(t.ID, 10))
	}
	_, err := l.Append(ctx, e)
	return err
}

// newDigest starts the digest of the bytes a batch stores for upstream.
func newDigest() hash.Hash { return sha256.New() }
