//go:build unix

package polybillotel_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process (client and in-process fake) has used so far; unlike
// wall time it barely moves when other processes compete for the CPUs (as bench/ measures).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
