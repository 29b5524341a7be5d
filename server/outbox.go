package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/internal/telemetry"
	"github.com/geowarden/geowarden/store"
)

// errBudget: the outbox's disk budget is spent; the request is answered
// 503 and nothing of it is stored.
var errBudget = errors.New("outbox budget spent: the upstream is not taking messages as fast as they come")

// errAudit: the batches' audit entries could not be appended; the
// request is answered 503 and nothing of it is stored.
var errAudit = errors.New("audit log append failed")

// errClosed: the gateway is shutting down.
var errClosed = errors.New("outbox closed")

// depth is what one route's outbox holds.
type depth struct {
	messages atomic.Int64
	bytes    atomic.Int64
	oldest   atomic.Int64 // Unix nanoseconds of the oldest message's arrival; 0 when empty
}

// outbox stores requests' batches with group commit: one goroutine (run)
// takes the batches waiting, and those that arrive within the commit
// window, and stores them in one transaction, one sync for them all. It
// keeps the count of bytes the outbox holds against the budget.
type outbox struct {
	store   store.Outbox
	audit   *audit.Log
	cfg     *OutboxConfig
	metrics *telemetry.Metrics
	log     *slog.Logger
	reqs    chan *put
	bytes   atomic.Int64
	routes  map[string]*route

	mu     sync.RWMutex
	closed bool
}

// put is one request's batch waiting for its commit.
type put struct {
	batch *store.Batch
	entry audit.Entry // the batch's audit entry
	size  int64
	done  chan error
}

// maxCommit caps the batches one transaction stores.
const maxCommit = 512

func newOutbox(s store.Outbox, l *audit.Log, cfg *OutboxConfig, m *telemetry.Metrics, log *slog.Logger) *outbox {
	return &outbox{store: s, audit: l, cfg: cfg, metrics: m, log: log, reqs: make(chan *put, maxCommit)}
}

// load reads what the outbox holds, by route.
func (o *outbox) load(ctx context.Context, routes []*route) error {
	o.routes = map[string]*route{}
	for _, r := range routes {
		o.routes[r.name] = r
	}
	st, err := o.store.Stats(ctx)
	if err != nil {
		return err
	}
	for _, rs := range st {
		o.bytes.Add(rs.Bytes)
		if r := o.routes[rs.Route]; r != nil {
			r.depth.messages.Store(rs.Messages)
			r.depth.bytes.Store(rs.Bytes)
			r.depth.oldest.Store(rs.Oldest.UnixNano())
		} else if rs.Messages > 0 {
			o.log.Warn("outbox holds messages for a route that is not served", "route", rs.Route, "messages", rs.Messages)
		}
	}
	return nil
}

// full reports whether the budget is spent.
func (o *outbox) full() bool { return o.bytes.Load() >= o.cfg.Budget }

// Put appends the batch's audit entry e and then stores the batch,
// durably when it returns nil, and sets its Dups. It fails with errBudget
// when the batch does not fit in the budget, and with errAudit when e
// could not be appended; then nothing of it is stored. It waits for the commit even when ctx is done:
// a batch handed to the committer is either stored or not, never left
// unknown.
func (o *outbox) Put(ctx context.Context, b *store.Batch, e audit.Entry) error {
	var size int64
	for _, m := range b.Messages {
		size += m.Size
	}
	if o.bytes.Load()+size > o.cfg.Budget {
		return errBudget
	}
	p := &put{batch: b, entry: e, size: size, done: make(chan error, 1)}
	o.mu.RLock()
	if o.closed {
		o.mu.RUnlock()
		return errClosed
	}
	o.reqs <- p
	o.mu.RUnlock()
	return <-p.done
}

// close stops run once the batches handed to it are stored. Put fails
// with errClosed afterwards.
func (o *outbox) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.closed {
		o.closed = true
		close(o.reqs)
	}
}

// run is the committer; it returns when the outbox is closed and every
// batch handed to it is answered.
func (o *outbox) run() {
	var window *time.Timer
	for {
		p, ok := <-o.reqs
		if !ok {
			return
		}
		puts := []*put{p}
		// Take what is waiting; when that is little, wait the commit
		// window for more to share the sync.
		puts = o.drain(puts)
		if len(puts) < 4 && o.cfg.CommitWindow > 0 {
			if window == nil {
				window = time.NewTimer(o.cfg.CommitWindow)
			} else {
				window.Reset(o.cfg.CommitWindow)
			}
		wait:
			for len(puts) < maxCommit {
				select {
				case p, ok := <-o.reqs:
					if !ok {
						break wait
					}
					puts = append(puts, p)
				case <-window.C:
					break wait
				}
			}
			window.Stop()
		}
		o.commit(puts)
	}
}

// drain adds the batches waiting, without blocking.
func (o *outbox) drain(puts []*put) []*put {
	for len(puts) < maxCommit {
		select {
		case p, ok := <-o.reqs:
			if !ok {
				return puts
			}
			puts = append(puts, p)
		default:
			return puts
		}
	}
	return puts
}

// commit appends the audit entries of the batches that fit in the budget
// (one append, one signed checkpoint for them all), then stores the
// batches in one transaction, and answers each. Batches whose entries were
// not appended are not stored.
func (o *outbox) commit(puts []*put) {
	var ok []*put
	var batches []*store.Batch
	total := o.bytes.Load()
	for _, p := range puts {
		if total+p.size > o.cfg.Budget {
			p.done <- errBudget
			continue
		}
		total += p.size
		ok = append(ok, p)
		batches = append(batches, p.batch)
	}
	if len(batches) == 0 {
		return
	}
	entries := make([]audit.Entry, len(ok))
	for i, p := range ok {
		entries[i] = p.entry
	}
	if _, err := o.audit.AppendAll(context.Background(), entries); err != nil {
		o.log.Error("audit append failed; the batches are not stored", "err", err, "requests", len(ok))
		o.metrics.AuditFailures.Add(float64(len(ok)))
		for _, p := range ok {
			p.done <- fmt.Errorf("%w: %v", errAudit, err)
		}
		return
	}
	o.metrics.CommitBatches.Observe(float64(len(batches)))
	err := o.store.Put(context.Background(), batches)
	if err != nil {
		o.log.Error("outbox commit failed", "err", err, "requests", len(batches))
	} else {
		o.stored(batches)
	}
	for _, p := range ok {
		p.done <- err
	}
}

// stored counts what the batches added, and wakes the forwarders of their
// routes.
func (o *outbox) stored(batches []*store.Batch) {
	woken := map[string]bool{}
	for _, b := range batches {
		for i, m := range b.Messages {
			r := o.routes[m.Route]
			if b.Dups[i] {
				o.metrics.Duplicates.WithLabelValues(m.Route).Inc()
				continue
			}
			o.bytes.Add(m.Size)
			if r == nil {
				continue
			}
			r.depth.messages.Add(1)
			r.depth.bytes.Add(m.Size)
			r.depth.oldest.CompareAndSwap(0, m.Created.UnixNano())
			if !woken[m.Route] && r.fwd != nil {
				woken[m.Route] = true
				r.fwd.wakeUp()
			}
		}
	}
}

// acked counts delivered messages out.
func (o *outbox) acked(r *route, msgs []store.Message) {
	var n, size int64
	for _, m := range msgs {
		n++
		size += m.Size
	}
	o.bytes.Add(-size)
	r.depth.messages.Add(-n)
	r.depth.bytes.Add(-size)
}
