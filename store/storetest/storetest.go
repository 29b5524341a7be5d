// Package storetest is the conformance suite of the store contract: every
// implementation of store.Store runs it from its own tests, with a
// function that opens an empty store.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/geowarden/geowarden/store"
)

// Open returns a new, empty store; the suite closes it.
type Open func(t *testing.T) store.Store

// Run runs the conformance suite against the stores open returns.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		f    func(*testing.T, store.Store)
	}{
		{"Tokens", testTokens},
		{"RevokeByID", testRevokeByID},
		{"Outbox", testOutbox},
		{"Dedup", testDedup},
		{"ForgetKeys", testForgetKeys},
		{"Blobs", testBlobs},
		{"Decisions", testDecisions},
		{"ConcurrentPut", testConcurrentPut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			tc.f(t, s)
		})
	}
}

// T0 is the suite's clock: times are given, never read.
var T0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func testTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := &store.Token{Name: "phone-17", Roles: []string{"ingest"}, Hash: hash("a"), Created: T0}
	if err := s.CreateToken(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 {
		t.Fatal("CreateToken did not set the ID")
	}
	b := &store.Token{Name: "ops", Roles: []string{"admin", "auditor"}, Hash: hash("b"), Created: T0.Add(time.Second)}
	if err := s.CreateToken(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateToken(ctx, &store.Token{Name: "phone-17", Roles: []string{"ingest"}, Hash: hash("c"), Created: T0}); !errors.Is(err, store.ErrExists) {
		t.Errorf("second active token named phone-17: %v, want ErrExists", err)
	}
	if err := s.CreateToken(ctx, &store.Token{Name: "other", Roles: []string{"ingest"}, Hash: hash("a"), Created: T0}); !errors.Is(err, store.ErrExists) {
		t.Errorf("a second token with the same hash: %v, want ErrExists", err)
	}
	got, err := s.TokenByHash(ctx, hash("b"))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != b.ID || got.Name != "ops" || fmt.Sprint(got.Roles) != "[admin auditor]" || !got.Created.Equal(b.Created) || !bytes.Equal(got.Hash, hash("b")) {
		t.Errorf("TokenByHash = %+v, want %+v", got, b)
	}
	if !got.LastUsed.IsZero() || !got.Revoked.IsZero() {
		t.Errorf("new token: last used %v, revoked %v, want zero", got.LastUsed, got.Revoked)
	}
	if _, err := s.TokenByHash(ctx, hash("nope")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenByHash of an unknown hash: %v, want ErrNotFound", err)
	}
	used := T0.Add(time.Hour)
	if err := s.TouchTokens(ctx, map[int64]time.Time{a.ID: used}); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchTokens(ctx, map[int64]time.Time{a.ID: used.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	rev, err := s.RevokeToken(ctx, "phone-17", T0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rev.ID != a.ID || !rev.Revoked.Equal(T0.Add(2*time.Hour)) {
		t.Errorf("RevokeToken = %+v", rev)
	}
	if _, err := s.RevokeToken(ctx, "nobody", T0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeToken of an unknown name: %v, want ErrNotFound", err)
	}
	// A revoked name may be given to a new token.
	c := &store.Token{Name: "phone-17", Roles: []string{"ingest"}, Hash: hash("c"), Created: T0.Add(3 * time.Hour)}
	if err := s.CreateToken(ctx, c); err != nil {
		t.Fatalf("new token with a revoked token's name: %v", err)
	}
	all, err := s.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].ID != a.ID || all[1].ID != b.ID || all[2].ID != c.ID {
		t.Fatalf("Tokens = %+v, want a, b, c by ID", all)
	}
	if !all[0].LastUsed.Equal(used) {
		t.Errorf("last used %v, want %v (the latest of the touches)", all[0].LastUsed, used)
	}
	if all[0].Revoked.IsZero() || !all[2].Revoked.IsZero() {
		t.Errorf("revoked: %v and %v, want the first only", all[0].Revoked, all[2].Revoked)
	}
	// Revoking a name again revokes its active token.
	rev, err = s.RevokeToken(ctx, "phone-17", T0.Add(4*time.Hour))
	if err != nil || rev.ID != c.ID {
		t.Errorf("second RevokeToken(phone-17) = %+v, %v; want token %d", rev, err, c.ID)
	}
	again, err := s.RevokeToken(ctx, "phone-17", T0.Add(5*time.Hour))
	if err != nil || !again.Revoked.Equal(T0.Add(4*time.Hour)) {
		t.Errorf("revoking a revoked token = %+v, %v; want it unchanged", again, err)
	}
}

func testRevokeByID(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := &store.Token{Name: "x", Roles: []string{"ingest"}, Hash: hash("x"), Created: T0}
	if err := s.CreateToken(ctx, a); err != nil {
		t.Fatal(err)
	}
	rev, err := s.RevokeToken(ctx, fmt.Sprint(a.ID), T0)
	if err != nil || rev.ID != a.ID {
		t.Fatalf("RevokeToken by ID = %+v, %v", rev, err)
	}
	got, err := s.TokenByHash(ctx, hash("x"))
	if err != nil || got.Revoked.IsZero() {
		t.Errorf("after revoke by ID: %+v, %v", got, err)
	}
}

func msg(route, key, body string, at time.Time) store.Message {
	return store.Message{Route: route, Key: key, Type: "application/x-ndjson", Body: []byte(body), Size: int64(len(body)),
		Meta: []byte("m:" + body), Revision: "rev1", Request: "req-" + body, Created: at}
}

func testOutbox(t *testing.T, s store.Store) {
	ctx := context.Background()
	b1 := &store.Batch{Decision: store.Decision{Time: T0, Route: "ingest", Token: "t", Request: "r1", Revision: "rev1", Received: 3, Kept: 2, Dropped: 1},
		Messages: []store.Message{msg("ingest", "", "one", T0), msg("osmand", "", "two", T0.Add(time.Second))}}
	b2 := &store.Batch{Messages: []store.Message{msg("ingest", "", "three", T0.Add(2*time.Second))}}
	if err := s.Put(ctx, []*store.Batch{b1, b2}); err != nil {
		t.Fatal(err)
	}
	ids := []int64{b1.Messages[0].ID, b1.Messages[1].ID, b2.Messages[0].ID}
	if !(ids[0] > 0 && ids[0] < ids[1] && ids[1] < ids[2]) {
		t.Fatalf("IDs %v, want increasing in order of arrival", ids)
	}
	if len(b1.Dups) != 2 || b1.Dups[0] || b1.Dups[1] {
		t.Errorf("Dups %v, want none", b1.Dups)
	}
	got, err := s.Pending(ctx, "ingest", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got[0].Body) != "one" || string(got[1].Body) != "three" {
		t.Fatalf("Pending(ingest) = %+v, want one, three", got)
	}
	m := got[0]
	if m.ID != ids[0] || m.Route != "ingest" || m.Type != "application/x-ndjson" || m.Size != 3 || string(m.Meta) != "m:one" || m.Revision != "rev1" || m.Request != "req-one" || !m.Created.Equal(T0) || m.Blob != "" {
		t.Errorf("message read back = %+v", m)
	}
	if got, _ := s.Pending(ctx, "ingest", ids[0], 10); len(got) != 1 || got[0].ID != ids[2] {
		t.Errorf("Pending after the first = %+v", got)
	}
	if got, _ := s.Pending(ctx, "ingest", 0, 1); len(got) != 1 || got[0].ID != ids[0] {
		t.Errorf("Pending with limit 1 = %+v", got)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].Route != "ingest" || st[0].Messages != 2 || st[0].Bytes != 8 || !st[0].Oldest.Equal(T0) ||
		st[1].Route != "osmand" || st[1].Messages != 1 || !st[1].Oldest.Equal(T0.Add(time.Second)) {
		t.Errorf("Stats = %+v", st)
	}
	if err := s.Ack(ctx, []int64{ids[0], ids[1]}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Pending(ctx, "ingest", 0, 10); len(got) != 1 || got[0].ID != ids[2] {
		t.Errorf("Pending after Ack = %+v", got)
	}
	if err := s.Ack(ctx, []int64{ids[2], ids[0]}); err != nil {
		t.Errorf("Ack of an acknowledged message: %v", err)
	}
	if st, _ := s.Stats(ctx); len(st) != 0 {
		t.Errorf("Stats of an empty outbox = %+v", st)
	}
	// IDs are never given again, even once the outbox is empty.
	b3 := &store.Batch{Messages: []store.Message{msg("ingest", "", "four", T0)}}
	if err := s.Put(ctx, []*store.Batch{b3}); err != nil {
		t.Fatal(err)
	}
	if b3.Messages[0].ID <= ids[2] {
		t.Errorf("ID %d after %d was acknowledged: IDs must not be reused", b3.Messages[0].ID, ids[2])
	}
}

func testDedup(t *testing.T, s store.Store) {
	ctx := context.Background()
	b1 := &store.Batch{Messages: []store.Message{msg("osmand", "dev1/100", "a", T0), msg("osmand", "dev1/101", "b", T0)}}
	if err := s.Put(ctx, []*store.Batch{b1}); err != nil {
		t.Fatal(err)
	}
	// A resend, in the same transaction as a new message and as another
	// resend of one of them.
	b2 := &store.Batch{Messages: []store.Message{msg("osmand", "dev1/100", "a", T0), msg("osmand", "dev1/102", "c", T0)}}
	b3 := &store.Batch{Messages: []store.Message{msg("osmand", "dev1/102", "c", T0), msg("ingest", "dev1/100", "a", T0)}}
	if err := s.Put(ctx, []*store.Batch{b2, b3}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(b2.Dups) != "[true false]" || fmt.Sprint(b3.Dups) != "[true false]" {
		t.Errorf("Dups %v %v, want [true false] [true false] (keys are per route)", b2.Dups, b3.Dups)
	}
	if b1.Decision.Duplicate || b2.Decision.Duplicate {
		t.Error("a batch with new messages is marked a duplicate")
	}
	b5 := &store.Batch{Messages: []store.Message{msg("osmand", "dev1/100", "a", T0)}}
	empty := &store.Batch{}
	if err := s.Put(ctx, []*store.Batch{b5, empty}); err != nil {
		t.Fatal(err)
	}
	if !b5.Decision.Duplicate || empty.Decision.Duplicate {
		t.Errorf("Duplicate: a resend %v, a batch of no message %v; want true, false", b5.Decision.Duplicate, empty.Decision.Duplicate)
	}
	if ds, _ := s.Decisions(ctx, 2); len(ds) != 2 || !ds[1].Duplicate || ds[0].Duplicate {
		t.Errorf("stored decisions %+v, want the resend's marked", ds)
	}
	if b2.Messages[0].ID != 0 {
		t.Errorf("a resend got ID %d, want 0", b2.Messages[0].ID)
	}
	got, _ := s.Pending(ctx, "osmand", 0, 10)
	if len(got) != 3 {
		t.Errorf("osmand holds %d messages, want 3", len(got))
	}
	// Keys outlive delivery: a resend after the message went upstream
	// is still a resend.
	var ids []int64
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	if err := s.Ack(ctx, ids); err != nil {
		t.Fatal(err)
	}
	b4 := &store.Batch{Messages: []store.Message{msg("osmand", "dev1/101", "b", T0)}}
	if err := s.Put(ctx, []*store.Batch{b4}); err != nil {
		t.Fatal(err)
	}
	if !b4.Dups[0] {
		t.Error("a resend after delivery was stored again")
	}
}

func testForgetKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	var batch store.Batch
	for i := range 10 {
		batch.Messages = append(batch.Messages, msg("r", fmt.Sprint("k", i), "x", T0.Add(time.Duration(i)*time.Minute)))
	}
	if err := s.Put(ctx, []*store.Batch{&batch}); err != nil {
		t.Fatal(err)
	}
	n, err := s.ForgetKeys(ctx, T0.Add(3*time.Minute), 0)
	if err != nil || n != 3 {
		t.Fatalf("ForgetKeys(before 3 min) = %d, %v; want 3", n, err)
	}
	n, err = s.ForgetKeys(ctx, T0, 5)
	if err != nil || n != 2 {
		t.Fatalf("ForgetKeys(max 5) = %d, %v; want 2", n, err)
	}
	// k0..k4 are forgotten (resends are stored again), k5..k9 are not.
	var again store.Batch
	for i := range 10 {
		again.Messages = append(again.Messages, msg("r", fmt.Sprint("k", i), "x", T0.Add(time.Hour)))
	}
	if err := s.Put(ctx, []*store.Batch{&again}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(again.Dups); got != "[false false false false false true true true true true]" {
		t.Errorf("Dups after forgetting = %s", got)
	}
}

func testBlobs(t *testing.T, s store.Store) {
	ctx := context.Background()
	big := bytes.Repeat([]byte("0123456789abcdef\n"), 100000)
	b, err := s.NewBlob()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Write(big); err != nil {
		t.Fatal(err)
	}
	name, size, err := b.Seal()
	if err != nil {
		t.Fatal(err)
	}
	if size != int64(len(big)) {
		t.Errorf("sealed size %d, want %d", size, len(big))
	}
	m := store.Message{Route: "ingest", Type: "text/csv", Blob: name, Size: size, Revision: "r", Created: T0}
	if err := s.Put(ctx, []*store.Batch{{Messages: []store.Message{m}}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Pending(ctx, "ingest", 0, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("Pending = %+v, %v", got, err)
	}
	if got[0].Blob != name || got[0].Body != nil || got[0].Size != size {
		t.Errorf("blob message read back = blob %q body %d bytes size %d", got[0].Blob, len(got[0].Body), got[0].Size)
	}
	rc, err := s.OpenBlob(name)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(data, big) {
		t.Errorf("blob read back: %d bytes, %v; want the %d written", len(data), err, len(big))
	}
	if err := s.Ack(ctx, []int64{got[0].ID}); err != nil {
		t.Fatal(err)
	}
	if rc, err := s.OpenBlob(name); err == nil {
		rc.Close()
		t.Error("the blob of an acknowledged message is still there")
	}
	// A removed blob is gone.
	b4, _ := s.NewBlob()
	b4.Write([]byte("refused"))
	name4, _, err := b4.Seal()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveBlob(name4); err != nil {
		t.Fatal(err)
	}
	if rc, err := s.OpenBlob(name4); err == nil {
		rc.Close()
		t.Error("a removed blob opens")
	}
	// An aborted blob leaves nothing; a bad name opens nothing.
	b2, err := s.NewBlob()
	if err != nil {
		t.Fatal(err)
	}
	b2.Write([]byte("x"))
	b2.Abort()
	if _, err := s.OpenBlob("../" + name); err == nil {
		t.Error("OpenBlob of a path outside the blobs opened something")
	}
	if err := s.RemoveBlob("../x"); err == nil {
		t.Error("RemoveBlob of a path outside the blobs succeeded")
	}
	// The blob of a resend is removed.
	b3, _ := s.NewBlob()
	b3.Write([]byte("resent"))
	name3, size3, err := b3.Seal()
	if err != nil {
		t.Fatal(err)
	}
	first := &store.Batch{Messages: []store.Message{{Route: "ingest", Key: "k", Body: []byte("resent"), Size: 6, Created: T0}}}
	resend := &store.Batch{Messages: []store.Message{{Route: "ingest", Key: "k", Blob: name3, Size: size3, Created: T0}}}
	if err := s.Put(ctx, []*store.Batch{first, resend}); err != nil {
		t.Fatal(err)
	}
	if !resend.Dups[0] {
		t.Fatal("resend not recognised")
	}
	if rc, err := s.OpenBlob(name3); err == nil {
		rc.Close()
		t.Error("the blob of a resend was kept")
	}
}

func testDecisions(t *testing.T, s store.Store) {
	ctx := context.Background()
	var batches []*store.Batch
	for i := range 3 {
		batches = append(batches, &store.Batch{Decision: store.Decision{
			Time: T0.Add(time.Duration(i) * time.Hour), Route: "ingest", Token: "phone", Request: fmt.Sprint("req", i),
			Revision: fmt.Sprint("rev", i), Received: int64(10 + i), Kept: 5, Modified: 2, Dropped: 3, Findings: 4, Duplicate: i == 2,
		}})
	}
	if err := s.Put(ctx, batches); err != nil {
		t.Fatal(err)
	}
	got, err := s.Decisions(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != batches[2].Decision || got[1] != batches[1].Decision {
		t.Errorf("Decisions(2) = %+v, want the last two, newest first", got)
	}
	n, err := s.ForgetDecisions(ctx, T0.Add(90*time.Minute))
	if err != nil || n != 2 {
		t.Errorf("ForgetDecisions = %d, %v; want 2", n, err)
	}
	if got, _ := s.Decisions(ctx, 10); len(got) != 1 {
		t.Errorf("after forgetting, %d decisions, want 1", len(got))
	}
}

// testConcurrentPut: batches put from many goroutines at once are all
// stored, each exactly once.
func testConcurrentPut(t *testing.T, s store.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				b := &store.Batch{Messages: []store.Message{msg("r", fmt.Sprint(g, "/", i), "x", T0), msg("r", fmt.Sprint(g, "/", i), "x", T0)}}
				if err := s.Put(ctx, []*store.Batch{b}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := s.Pending(ctx, "r", 0, 1000)
	if err != nil || len(got) != 200 {
		t.Errorf("Pending = %d messages, %v; want 200", len(got), err)
	}
}
