/*
Copyright The kmm-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kmm-operator/kmm-operator/pkg/operator/clustertest"
)

// child is a process the benchmark started (kmm-mirror or the limit loop), with its output in a
// log file and nothing of the benchmark's environment but PATH, HOME and what it is given.
type child struct {
	name    string
	logPath string
	started time.Time

	cmd      *exec.Cmd
	exited   chan struct{}
	exitCode int
}

// memoryEnv passes the Go runtime's memory settings through, to measure their effect.
func memoryEnv() []string {
	var env []string
	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		if x, ok := os.LookupEnv(v); ok {
			env = append(env, v+"="+x)
		}
	}
	return env
}

// startChild starts binary with args and env; the caller stops it (b.cleanup does on every path).
func (b *bench) startChild(name, logPath, binary string, env []string, args ...string) (*child, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logFile, "==== %s %s %s\n", time.Now().UTC().Format(time.RFC3339Nano), binary, strings.Join(args, " "))
	c := &child{name: name, logPath: logPath, exited: make(chan struct{})}
	c.cmd = exec.Command(binary, args...)
	c.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, append(memoryEnv(), env...)...)
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	// Should the benchmark itself be killed, its children must not outlive it.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	c.started = time.Now()
	if err := c.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	b.procs = append(b.procs, c)
	go func() {
		_ = c.cmd.Wait()
		c.exitCode = c.cmd.ProcessState.ExitCode()
		logFile.Close()
		close(c.exited)
	}()
	return c, nil
}

// alive returns an error with the exit code and the end of the log once the process has exited,
// to end a poll early.
func (c *child) alive() error {
	select {
	case <-c.exited:
		b, _ := os.ReadFile(c.logPath)
		return fmt.Errorf("%s exited with code %d; the end of %s:\n%s", c.name, c.exitCode, c.logPath, clustertest.Tail(string(b), 20))
	default:
		return nil
	}
}

// stop sends sig (unless the process has exited) and waits at most timeout for the exit; then it
// kills the process and returns an error. It returns the exit code (-1 when killed by a signal)
// and how long the exit took.
func (c *child) stop(sig syscall.Signal, timeout time.Duration) (int, time.Duration, error) {
	start := time.Now()
	select {
	case <-c.exited:
		return c.exitCode, 0, nil
	default:
	}
	_ = c.cmd.Process.Signal(sig)
	select {
	case <-c.exited:
		return c.exitCode, time.Since(start), nil
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		<-c.exited
		return c.exitCode, time.Since(start), fmt.Errorf("%s did not exit within %s of %s; killed", c.name, timeout, sig)
	}
}

// memory reads VmRSS and VmHWM (MiB) of the process from /proc. (The kernel's resource usage
// after the exit would not do: its maximum RSS starts from the benchmark's own, which the child
// shared until it executed the binary.)
func (c *child) memory() (rss, hwm float64, err error) {
	return clustertest.RSS(c.cmd.Process.Pid)
}

// cpuSeconds returns the CPU time (user and system) the process has used: from the kernel's
// resource usage once it has exited, from /proc/<pid>/stat while it runs.
func (c *child) cpuSeconds() (float64, error) {
	select {
	case <-c.exited:
		st := c.cmd.ProcessState
		return (st.UserTime() + st.SystemTime()).Seconds(), nil
	default:
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces: state is the
	// first, utime and stime (clock ticks, 100 a second on Linux) the 12th and 13th.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", c.cmd.Process.Pid)
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return (utime + stime) / 100, nil
}

// rssSampler reads a process's VmRSS every 100 ms until finish.
type rssSampler struct {
	mu      sync.Mutex
	samples []float64
	stop    chan struct{}
	done    chan struct{}
}

func sampleRSS(c *child) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		// The first sample is taken after 100 ms: right after the fork, /proc shows the
		// benchmark's child before it has executed the binary.
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
			if rss, _, err := c.memory(); err == nil {
				s.mu.Lock()
				s.samples = append(s.samples, rss)
				s.mu.Unlock()
			}
		}
	}()
	return s
}

// finish stops the sampling and returns the samples (MiB).
func (s *rssSampler) finish() []float64 {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]float64(nil), s.samples...)
}
