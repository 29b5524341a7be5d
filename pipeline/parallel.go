package pipeline

import (
	"context"
	"runtime"
	"sync"

	"github.com/geowarden/geowarden"
)

// Result is the outcome of one input of a parallel run.
type Result struct {
	Path  string
	Stats geowarden.Stats
	Err   error
}

// job is one input in flight. Its findings go straight to the runner's
// Finding callback while it is at the head of the line, and are held until
// then otherwise, so that a parallel run reports in input order. Only the
// inputs ahead of the head hold findings in memory.
type job struct {
	mu   sync.Mutex
	live bool
	held []geowarden.Finding
}

// Each runs do for every path with up to workers inputs at once (0 means
// one per CPU). Findings reach r.Options.Finding, and results reach
// result, in the order of paths, one call at a time (never concurrently
// with each other). do gets the
// runner to use for its input: a copy whose Finding callback keeps order.
func (r *Runner) Each(ctx context.Context, paths []string, workers int,
	do func(ctx context.Context, rr *Runner, path string) (geowarden.Stats, error),
	result func(Result)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	emit := r.Options.Finding
	var emitMu sync.Mutex // serialises calls to emit
	jobs := make([]*job, len(paths))
	results := make([]chan Result, len(paths))
	for i := range paths {
		jobs[i] = &job{}
		results[i] = make(chan Result, 1)
	}
	if len(jobs) > 0 {
		jobs[0].live = true
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	go func() {
		for i, p := range paths {
			sem <- struct{}{}
			wg.Add(1)
			go func(i int, p string) {
				defer wg.Done()
				defer func() { <-sem }()
				rr := *r
				if len(paths) > 1 {
					rr.PieceWorkers = 1 // files already run in parallel
				}
				j := jobs[i]
				rr.Options.Finding = func(f *geowarden.Finding) {
					if emit == nil {
						return
					}
					j.mu.Lock()
					defer j.mu.Unlock()
					if j.live {
						emitMu.Lock()
						emit(f)
						emitMu.Unlock()
						return
					}
					j.held = append(j.held, *f)
				}
				st, err := do(ctx, &rr, p)
				results[i] <- Result{Path: p, Stats: st, Err: err}
			}(i, p)
		}
	}()
	// Deliver results in order; when an input is done, the next one goes
	// live after its held findings are flushed.
	for i := range paths {
		res := <-results[i]
		emitMu.Lock()
		result(res)
		emitMu.Unlock()
		if i+1 < len(jobs) {
			next := jobs[i+1]
			next.mu.Lock()
			emitMu.Lock()
			for k := range next.held {
				emit(&next.held[k])
			}
			emitMu.Unlock()
			next.held = nil
			next.live = true
			next.mu.Unlock()
		}
	}
	wg.Wait()
}
