package supervise

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// forwarded are the signals the parent passes on to the child.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// child reports whether this process is a supervised child, and returns
// the function that reports its exit status to the parent.
func child() (func(code int), bool) {
	v, ok := os.LookupEnv(envChild)
	if !ok {
		return nil, false
	}
	os.Unsetenv(envChild)
	var st syscall.Stat_t
	if syscall.Fstat(statusFD, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		// A variable left in the environment by something else: this
		// process was not started by a supervisor.
		return nil, false
	}
	if ppid, err := strconv.Atoi(v); err != nil || os.Getppid() != ppid {
		// The parent died before the death signal was set up (the
		// runtime's fork checks this too): nobody waits for this run.
		fmt.Fprintln(os.Stderr, "geowarden: the supervising process is gone; nothing done")
		os.Exit(ExitInternal)
	}
	syscall.CloseOnExec(statusFD)
	f := os.NewFile(statusFD, "status")
	return func(code int) {
		// The parent may be gone: a write error changes nothing.
		io.WriteString(f, reportLine(code))
	}, true
}

// supervise starts the child and waits for it. It returns false when the
// child could not be started; the caller then does the work itself.
func supervise() (int, bool) {
	// The death signal is sent when the thread that started the child
	// ends, not the process: keep this goroutine on its thread for the
	// life of the process.
	runtime.LockOSThread()
	r, w, err := os.Pipe()
	if err != nil {
		return 0, false
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, envChild+"=") })
	cmd := &exec.Cmd{
		Path:        "/proc/self/exe",
		Args:        os.Args,
		Env:         append(env, envChild+"="+strconv.Itoa(os.Getpid())),
		Stdin:       os.Stdin,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		ExtraFiles:  []*os.File{w},
		SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	}
	// Listen before the child starts, so that no signal is lost between.
	sigs := make(chan os.Signal, 8)
	for _, s := range forwarded {
		if !signal.Ignored(s) {
			signal.Notify(sigs, s)
		}
	}
	if err := cmd.Start(); err != nil {
		signal.Stop(sigs)
		r.Close()
		w.Close()
		return 0, false
	}
	w.Close()
	report := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(r, 64))
		report <- b
	}()
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	for waiting := true; waiting; {
		select {
		case s := <-sigs:
			cmd.Process.Signal(s)
		case <-done:
			waiting = false
		}
	}
	// The signals stay caught: the parent ends with the child's status.
	var rep []byte
	select {
	case rep = <-report:
	case <-time.After(time.Second):
		// Something the child started still holds the pipe: the report,
		// if any, was written before the child exited.
	}
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return outcome(ws, rep, os.Stderr), true
}

// outcome is the parent's exit status for a child that ended with ws
// after writing rep to the status pipe; what went wrong is written to
// stderr.
func outcome(ws syscall.WaitStatus, rep []byte, stderr io.Writer) int {
	code, reported := parseReport(rep)
	switch {
	case ws.Exited() && reported && ws.ExitStatus() == code:
		return code
	case ws.Signaled():
		sig := ws.Signal()
		switch sig {
		case syscall.SIGPIPE:
			dieOf(sig)
		case syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP:
			// A second signal ends a run at once (internal/cli).
		case syscall.SIGKILL:
			fmt.Fprintf(stderr, "geowarden: internal failure: the process doing the work was killed by SIGKILL (the kernel's out-of-memory killer sends it, as does kill -9); exit %d, nothing unfinished was written\n", 128+int(sig))
		default:
			fmt.Fprintf(stderr, "geowarden: internal failure: the process doing the work died of %s; exit %d, nothing unfinished was written\n", signalName(sig), 128+int(sig))
		}
		return 128 + int(sig)
	case ws.Exited() && reported:
		fmt.Fprintf(stderr, "geowarden: internal failure: the process doing the work reported exit status %d and exited with %d; exit %d\n", code, ws.ExitStatus(), ExitInternal)
	case ws.ExitStatus() == 2:
		fmt.Fprintf(stderr, "geowarden: internal failure: the process doing the work ended with exit status 2 without reporting how the run ended: the Go runtime stopped it (out of memory, a panic or a fatal error, as it says above); exit %d, nothing unfinished was written\n", ExitInternal)
	default:
		fmt.Fprintf(stderr, "geowarden: internal failure: the process doing the work ended with exit status %d without reporting how the run ended; exit %d, nothing unfinished was written\n", ws.ExitStatus(), ExitInternal)
	}
	return ExitInternal
}

// signalName is the signal's name as in kill -l, with its number.
func signalName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return fmt.Sprintf("%s (%d)", n, int(s))
	}
	return fmt.Sprintf("signal %d", int(s))
}

// dieOf ends the process by the signal sig, with the signal's default
// action, as a process that did not catch it would end. The Go runtime
// ignores some signals sent by kill (SIGPIPE), so the default action is
// set back first. It returns only if that failed.
func dieOf(sig syscall.Signal) {
	var dfl [4]uint64 // struct sigaction with handler SIG_DFL
	syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0)
	syscall.Kill(os.Getpid(), sig)
	time.Sleep(100 * time.Millisecond)
}
