package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/geowarden/geowarden/internal/telemetry"
	"github.com/geowarden/geowarden/server/proto"
	"github.com/geowarden/geowarden/store"
)

// target delivers messages of one route to its upstream. Send returns nil
// only when the upstream has acknowledged every message (an HTTP 2xx, a
// NATS server's flush, a synced file); the forwarder then removes them
// from the outbox. On an error it sends them all again later: delivery
// is at least once.
type target interface {
	Send(ctx context.Context, msgs []store.Message) error
	Close() error
}

// forwarder moves one route's messages from the outbox to its upstream,
// in order, retrying with exponential back-off and jitter while the
// upstream fails.
type forwarder struct {
	route   *route
	store   store.Outbox
	target  target
	outbox  *outbox
	cfg     *OutboxConfig
	metrics *telemetry.Metrics
	log     *slog.Logger
	wake    chan struct{}
	cursor  int64 // the last message delivered
}

func newForwarder(r *route, s store.Outbox, t target, o *outbox, cfg *OutboxConfig, m *telemetry.Metrics, log *slog.Logger) *forwarder {
	return &forwarder{route: r, store: s, target: t, outbox: o, cfg: cfg, metrics: m, log: log.With("route", r.name), wake: make(chan struct{}, 1)}
}

// wakeUp tells the forwarder that messages arrived.
func (f *forwarder) wakeUp() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// batchSize is how many messages one Send takes: a few for ingest,
// whose messages are whole request bodies, more for device messages.
func (f *forwarder) batchSize() int {
	if f.route.proto == nil {
		return 4
	}
	return 256
}

// run delivers until ctx is done.
func (f *forwarder) run(ctx context.Context) {
	attempt := 0
	idle := time.NewTimer(time.Second)
	defer idle.Stop()
	for ctx.Err() == nil {
		msgs, err := f.next(ctx)
		if err != nil {
			if ctx.Err() == nil {
				f.log.Error("reading the outbox failed", "err", err)
			}
			sleep(ctx, f.cfg.RetryMin)
			continue
		}
		if len(msgs) == 0 {
			f.route.depth.oldest.Store(0)
			idle.Reset(time.Second)
			select {
			case <-ctx.Done():
			case <-f.wake:
			case <-idle.C:
			}
			continue
		}
		f.route.depth.oldest.Store(msgs[0].Created.UnixNano())
		if err := f.target.Send(ctx, msgs); err != nil {
			if ctx.Err() != nil {
				return
			}
			f.metrics.UpstreamErrors.WithLabelValues(f.route.name).Inc()
			d := backoff(attempt, f.cfg.RetryMin, f.cfg.RetryMax)
			attempt++
			f.log.Warn("upstream failed; retrying", "err", err, "upstream", f.route.upstream.String(), "messages", len(msgs), "attempt", attempt, "retry_in", d)
			sleep(ctx, d)
			continue
		}
		if attempt > 0 {
			f.log.Info("upstream back", "upstream", f.route.upstream.String(), "after_attempts", attempt)
		}
		attempt = 0
		ids := make([]int64, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		for ctx.Err() == nil {
			// Delivered; a failure to remove them would send them again
			// after a restart, so keep trying.
			if err := f.store.Ack(context.WithoutCancel(ctx), ids); err != nil {
				f.log.Error("removing delivered messages failed", "err", err)
				sleep(ctx, f.cfg.RetryMin)
				continue
			}
			break
		}
		f.cursor = ids[len(ids)-1]
		f.outbox.acked(f.route, msgs)
		f.metrics.Forwarded.WithLabelValues(f.route.name).Add(float64(len(msgs)))
	}
}

// next returns the messages to send next: up to batchSize, cut so that
// the messages of one request go in one Send (a protocol's Forward may put
// them back together, byte for byte), and all of one request when it
// alone has more.
func (f *forwarder) next(ctx context.Context) ([]store.Message, error) {
	limit := f.batchSize()
	for {
		// One message more than the batch tells whether the batch ends
		// inside a request.
		msgs, err := f.store.Pending(ctx, f.route.name, f.cursor, limit+1)
		if err != nil || len(msgs) <= limit {
			return msgs, err
		}
		last := msgs[limit-1].Request
		if last == "" || msgs[limit].Request != last {
			return msgs[:limit], nil
		}
		i := limit - 1
		for i > 0 && msgs[i-1].Request == last {
			i--
		}
		if i > 0 {
			return msgs[:i], nil
		}
		limit *= 4
	}
}

// backoff is the wait before attempt n+1: min doubled n times, at most
// max, with "full jitter" (a uniform draw between half of it and all of
// it), so that gateways that failed together do not retry together.
func backoff(n int, minD, maxD time.Duration) time.Duration {
	d := minD
	for i := 0; i < n && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// newTarget returns the target of a route's upstream.
func (s *Server) newTarget(r *route) (target, error) {
	u := r.upstream
	switch u.URL.Scheme {
	case "http", "https":
		if r.proto != nil {
			return &protoTarget{proto: r.proto, upstream: u, client: s.client}, nil
		}
		return &postTarget{upstream: u, client: s.client, store: s.store}, nil
	case "nats":
		return newNATSTarget(u, r.name, s.store, s.log)
	case "file":
		return newFileTarget(u.Dir, r.name, s.store)
	}
	return nil, fmt.Errorf("unsupported upstream %s", u)
}

// body returns a message's bytes as a reader: Body, or its blob.
func body(s store.Outbox, m *store.Message) (io.ReadCloser, error) {
	if m.Blob == "" {
		return io.NopCloser(bytes.NewReader(m.Body)), nil
	}
	return s.OpenBlob(m.Blob)
}

// postTarget POSTs each message to an HTTP upstream with the Content-Type
// it came with: the ingest route's.
type postTarget struct {
	upstream *Upstream
	client   *http.Client
	store    store.Outbox
}

func (t *postTarget) Send(ctx context.Context, msgs []store.Message) error {
	for i := range msgs {
		m := &msgs[i]
		rc, err := body(t.store, m)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.upstream.URL.String(), rc)
		if err != nil {
			rc.Close()
			return err
		}
		req.ContentLength = m.Size
		if m.Type != "" {
			req.Header.Set("Content-Type", m.Type)
		}
		if err := do(t.client, req); err != nil {
			return err
		}
	}
	return nil
}

func (t *postTarget) Close() error { return nil }

// protoTarget forwards a device protocol's messages in the protocol's own
// form (proto.Protocol.Forward), several requests at once.
type protoTarget struct {
	proto    proto.Protocol
	upstream *Upstream
	client   *http.Client
}

// protoParallel is how many upstream requests of one route are in flight
// at once.
const protoParallel = 32

func (t *protoTarget) Send(ctx context.Context, msgs []store.Message) error {
	outs := make([]proto.Out, len(msgs))
	for i, m := range msgs {
		outs[i] = proto.Out{Body: m.Body, Meta: m.Meta}
	}
	reqs, err := t.proto.Forward(ctx, t.upstream.URL, outs)
	if err != nil {
		return err
	}
	sem := make(chan struct{}, protoParallel)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for _, req := range reqs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := do(t.client, req.WithContext(ctx)); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

func (t *protoTarget) Close() error { return nil }

// do sends a request and succeeds on a 2xx answer.
func do(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &upstreamError{code: resp.StatusCode, url: req.URL.Redacted()}
	}
	return nil
}

type upstreamError struct {
	code int
	url  string
}

func (e *upstreamError) Error() string {
	return fmt.Sprintf("upstream %s answered %d %s", e.url, e.code, http.StatusText(e.code))
}
