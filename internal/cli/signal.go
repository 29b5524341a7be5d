package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// stopSignal is the cause of a run's context when a signal ended it.
type stopSignal struct{ sig syscall.Signal }

func (s *stopSignal) Error() string { return "interrupted by " + signalName(s.sig) }

// code is the exit code of a run a signal ended: 128 plus the signal's
// number, as shells report it (130 for SIGINT, 143 for SIGTERM, 129 for
// SIGHUP).
func (s *stopSignal) code() int { return 128 + int(s.sig) }

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}

// interrupted returns the signal that ended the run of ctx, or nil.
func interrupted(ctx context.Context) *stopSignal {
	var s *stopSignal
	if errors.As(context.Cause(ctx), &s) {
		return s
	}
	return nil
}

// withSignals returns a context that SIGINT, SIGTERM and SIGHUP cancel,
// with the signal as its cause, and a function that stops listening. After
// the first signal the default handling is restored, so that a second one
// ends the process at once (unnamed outputs leave nothing behind either
// way).
func withSignals(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			signal.Reset(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
			if sig, ok := s.(syscall.Signal); ok {
				cancel(&stopSignal{sig})
			} else {
				cancel(errors.New("interrupted"))
			}
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}
