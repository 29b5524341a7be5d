//go:build geowarden_crashtest

package main

import (
	"os"
	"sync"
	"syscall"
)

// Ways to end a run, for the supervisor's tests (main_test.go). Only a
// binary built with -tags geowarden_crashtest has them.
func init() {
	crash = func() {
		switch os.Getenv("GEOWARDEN_TEST_CRASH") {
		case "panic-goroutine":
			go func() { panic("geowarden_crashtest: panic in a goroutine") }()
			select {}
		case "map-write":
			// Two goroutines writing one map: the runtime's fatal error,
			// which no recover catches.
			m := map[int]int{}
			var wg sync.WaitGroup
			for g := 0; g < 4; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						m[i%1024] = i
					}
				}()
			}
			wg.Wait()
		case "oom":
			// Allocate, and touch, until the runtime has no more memory
			// (run under a limit: prlimit --as).
			var keep [][]byte
			for {
				b := make([]byte, 16<<20)
				for i := 0; i < len(b); i += 4096 {
					b[i] = 1
				}
				keep = append(keep, b)
			}
		case "sigkill":
			// What the kernel's out-of-memory killer does.
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		case "misreport":
			// Exits without going through the status report.
			os.Exit(0)
		}
	}
}
