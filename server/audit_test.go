package server

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/geowarden/geowarden/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// entries returns every entry of the gateway's audit log, after checking
// the whole log with audit.Verify.
func (g *gateway) entries(t *testing.T) []audit.Entry {
	t.Helper()
	ctx := context.Background()
	s := g.db.Audit()
	r, err := audit.Verify(ctx, s, g.vkey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("audit.Verify: %v", r.Problems)
	}
	n, _ := s.Size(ctx)
	var out []audit.Entry
	for i := range n {
		b, err := s.Entry(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		e, err := audit.ParseEntry(b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// TestAuditBatches: each request's batch is one entry, appended with the
// token's name (never the token), the policy revision, the counts per
// outcome and rule, and the digest of the bytes that went upstream; the
// policy in force at start and after a reload is logged too.
func TestAuditBatches(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "phone-17", RoleIngest)
	res := g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(0, outZone)+pointLine(1, inZone)+pointLine(2, outZone)))
	if res.Kept != 2 || res.Dropped != 1 {
		t.Fatalf("ingest %+v", res)
	}
	code, b, _ := g.do(t, "POST", "/test", tok, "text/plain", strings.NewReader("1,"+outZone+"\n2,"+inZone+"\n"))
	if code != 200 {
		t.Fatalf("device route: %d %s", code, b)
	}
	waitFor(t, "two requests upstream", func() bool { return up.count.Load() >= 2 })
	if err := g.Reload(); err != nil {
		t.Fatal(err)
	}

	es := g.entries(t)
	if len(es) != 4 {
		t.Fatalf("%d entries, want 4 (policy at start, two batches, the reload): %+v", len(es), es)
	}
	rev := g.Policy().Revision
	if es[0].Type != audit.PolicyChange || es[0].PolicyRevision != rev || es[0].Details["event"] != "start" {
		t.Errorf("entry 0 = %+v, want the policy put in force at start", es[0])
	}
	if es[3].Type != audit.PolicyChange || es[3].Details["event"] != "reload" || es[3].Details["previous"] != rev {
		t.Errorf("entry 3 = %+v, want the reload", es[3])
	}
	for i, want := range []struct {
		route                   string
		received, kept, dropped int64
	}{{RouteIngest, 3, 2, 1}, {"test", 2, 1, 1}} {
		e := es[1+i]
		if e.Type != audit.IngestBatch || e.Actor != "token:phone-17" || e.PolicyRevision != rev || e.Details["route"] != want.route {
			t.Errorf("entry %d = %+v, want the %s batch of token phone-17 under %s", 1+i, e, want.route, rev)
		}
		if e.Counts["received"] != want.received || e.Counts["kept"] != want.kept || e.Counts["dropped"] != want.dropped || e.Counts["rule:in-site"] != 1 {
			t.Errorf("entry %d counts %v, want %d received, %d kept, %d dropped, 1 by in-site", 1+i, e.Counts, want.received, want.kept, want.dropped)
		}
		if len(e.Subjects) != 1 || len(e.Subjects[0]) != 16 {
			t.Errorf("entry %d subjects %q, want the request id", 1+i, e.Subjects)
		}
	}
	// The digests are those of the bytes the upstream got.
	got := map[string]bool{}
	for _, r := range up.received() {
		got[audit.Digest(r.body)] = true
	}
	for i := 1; i <= 2; i++ {
		if !got[es[i].Digest] {
			t.Errorf("entry %d digest %s is none of the bodies upstream received", i, es[i].Digest)
		}
	}
	for i := range es {
		b, _ := g.db.Audit().Entry(context.Background(), int64(i))
		if strings.Contains(string(b), tok) || strings.Contains(string(b), tok[3:]) {
			t.Fatalf("entry %d holds the token: %s", i, b)
		}
	}
}

// failingStorage fails Append while fail is set.
type failingStorage struct {
	audit.Storage
	fail atomic.Bool
}

func (f *failingStorage) Append(ctx context.Context, n int64, entry []byte, hashes []tlog.Hash) error {
	if f.fail.Load() {
		return errors.New("disk full")
	}
	return f.Storage.Append(ctx, n, entry, hashes)
}

// TestAuditAppendFails: when the entry cannot be appended the request is
// refused with 503, nothing of it is stored and nothing reaches the
// upstream; a reload is refused and the policy in force stays. Once the
// log takes entries again, so does the gateway.
func TestAuditAppendFails(t *testing.T) {
	up := newUpstream(t)
	var fs *failingStorage
	g := startGateway(t, up, gwOptions{audit: func(s audit.Storage) audit.Storage {
		fs = &failingStorage{Storage: s}
		return fs
	}})
	tok := g.token(t, "phone", RoleIngest)
	fs.fail.Store(true)
	code, b, _ := g.do(t, "POST", "/v1/ingest", tok, "application/x-ndjson", strings.NewReader(pointLine(0, outZone)))
	if code != 503 {
		t.Errorf("ingest with the audit log failing: %d %s, want 503", code, b)
	}
	code, b, _ = g.do(t, "POST", "/test", tok, "text/plain", strings.NewReader("1,"+outZone+"\n"))
	if code != 503 {
		t.Errorf("device route with the audit log failing: %d %s, want 503", code, b)
	}
	before := g.Policy()
	if err := g.Reload(); err == nil || g.Policy() != before {
		t.Errorf("reload with the audit log failing: %v; the policy in force must stay", err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := up.count.Load(); n != 0 {
		t.Fatalf("%d requests reached the upstream", n)
	}
	st, err := g.db.Stats(context.Background())
	if err != nil || len(st) != 0 {
		t.Fatalf("outbox %+v, %v; want empty", st, err)
	}
	if ds, _ := g.db.Decisions(context.Background(), 10); len(ds) != 0 {
		t.Errorf("%d decisions stored for refused requests", len(ds))
	}
	if !strings.Contains(g.logs.String(), "audit append failed") {
		t.Error("the failure is not logged")
	}

	fs.fail.Store(false)
	g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(0, outZone)))
	waitFor(t, "the request upstream", func() bool { return up.count.Load() == 1 })
	if es := g.entries(t); len(es) != 2 || es[1].Type != audit.IngestBatch {
		t.Errorf("entries %+v, want the policy at start and one batch", es)
	}
}

// TestAuditEndpoints: the checkpoint, proofs and key are served to admin
// and auditor tokens, and what they serve verifies.
func TestAuditEndpoints(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	ingest := g.token(t, "phone", RoleIngest)
	auditor := g.token(t, "auditor", RoleAuditor)
	admin := g.token(t, "ops", RoleAdmin)
	g.ingest(t, ingest, "application/x-ndjson", []byte(pointLine(0, outZone)))

	for _, path := range []string{"/v1/audit/checkpoint", "/v1/audit/key", "/v1/audit/proof/0"} {
		if code, _, _ := g.do(t, "GET", path, "", "", nil); code != 401 {
			t.Errorf("GET %s without a token: %d, want 401", path, code)
		}
		if code, _, _ := g.do(t, "GET", path, ingest, "", nil); code != 403 {
			t.Errorf("GET %s with an ingest token: %d, want 403", path, code)
		}
		if code, _, _ := g.do(t, "GET", path, admin, "", nil); code != 200 {
			t.Errorf("GET %s with an admin token: %d, want 200", path, code)
		}
	}
	code, key, _ := g.do(t, "GET", "/v1/audit/key", auditor, "", nil)
	if code != 200 || strings.TrimSpace(string(key)) != g.vkey {
		t.Fatalf("key: %d %q, want %q", code, key, g.vkey)
	}
	code, cp, _ := g.do(t, "GET", "/v1/audit/checkpoint", auditor, "", nil)
	if code != 200 {
		t.Fatalf("checkpoint: %d %s", code, cp)
	}
	c, err := audit.OpenCheckpoint(cp, g.vkey)
	if err != nil || c.Size != 2 {
		t.Fatalf("checkpoint %+v, %v; want 2 entries signed", c, err)
	}
	code, p, _ := g.do(t, "GET", "/v1/audit/proof/1", auditor, "", nil)
	if code != 200 {
		t.Fatalf("proof: %d %s", code, p)
	}
	if _, e, err := audit.VerifyProof(p, g.vkey, nil); err != nil || e.Type != audit.IngestBatch {
		t.Fatalf("proof of entry 1: %v, %+v", err, e)
	}
	if code, _, _ := g.do(t, "GET", "/v1/audit/proof/"+strconv.Itoa(2), auditor, "", nil); code != 404 {
		t.Errorf("proof of an entry past the checkpoint: %d, want 404", code)
	}
}
