package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"
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

// sameSignal is how long after a first signal others are taken as the
// same one delivered twice: a terminal's Ctrl-C reaches both geowarden
// processes, and the supervisor (internal/supervise) passes on what it
// receives.
const sameSignal = 250 * time.Millisecond

// withSignals returns a context that the signals (SIGINT, SIGTERM and
// SIGHUP for most commands) cancel, with the signal as its cause, and a
// function that stops listening. A moment (sameSignal) after the first
// signal the default handling is restored, so that a second one ends the
// process at once (unnamed outputs leave nothing behind either way).
func withSignals(parent context.Context, which ...os.Signal) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, which...)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			if sig, ok := s.(syscall.Signal); ok {
				cancel(&stopSignal{sig})
			} else {
				cancel(errors.New("interrupted"))
			}
		case <-done:
			return
		}
		t := time.NewTimer(sameSignal)
		defer t.Stop()
		for {
			select {
			case <-sigs:
			case <-t.C:
				signal.Reset(which...)
				return
			case <-done:
				return
			}
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}
