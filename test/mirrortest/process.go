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

package mirrortest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// raceMarker is what the race detector prints; a mirror built with -race that prints it has a
// data race even if the test otherwise passes.
const raceMarker = "WARNING: DATA RACE"

// Process is a running mirror (or any command of the binary) with its output captured.
type Process struct {
	Name string

	t      testing.TB
	cmd    *exec.Cmd
	all    *SyncBuffer // stdout and stderr interleaved, for the test log
	stderr *SyncBuffer
	done   chan struct{}
	state  error // the error of cmd.Wait, valid after done is closed
}

// Start runs path with args and exactly env (see Env.List). When the test ends the process is
// killed if still running; if the test failed, its output is logged; if the output reports a
// data race, the test fails.
func Start(t testing.TB, name, path string, env Env, args ...string) *Process {
	t.Helper()
	p := &Process{Name: name, t: t, all: &SyncBuffer{}, stderr: &SyncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(path, args...)
	p.cmd.Env = env.List()
	p.cmd.Stdout = p.all
	p.cmd.Stderr = io.MultiWriter(p.all, p.stderr)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.state = p.cmd.Wait()
		close(p.done)
	}()
	t.Logf("%s: started pid %d: %s %s", name, p.cmd.Process.Pid, path, strings.Join(args, " "))
	t.Cleanup(func() {
		if !p.Exited() {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		out := p.Output()
		if strings.Contains(out, raceMarker) {
			t.Errorf("%s: the race detector reported a data race", name)
		}
		if t.Failed() {
			t.Logf("%s: output (%s):\n%s", name, p.describeExit(), tail(out, 96<<10))
		}
	})
	return p
}

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Signal sends sig to the process by pid.
func (p *Process) Signal(sig syscall.Signal) {
	p.t.Helper()
	if p.Exited() {
		p.t.Fatalf("%s: cannot send %v, already exited (%s)", p.Name, sig, p.describeExit())
	}
	if err := syscall.Kill(p.Pid(), sig); err != nil {
		p.t.Fatalf("%s: kill -%d %d: %v", p.Name, int(sig), p.Pid(), err)
	}
	p.t.Logf("%s: sent %v", p.Name, sig)
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits up to timeout for the process to end and returns its exit code (-1 when it was
// ended by a signal). ok is false on timeout; the process is then left running.
func (p *Process) Wait(timeout time.Duration) (code int, ok bool) {
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode(), true
	case <-time.After(timeout):
		return 0, false
	}
}

// MustExit waits for the end of the process and fails the test unless it exits with want
// within timeout. It returns how long it waited.
func (p *Process) MustExit(want int, timeout time.Duration) time.Duration {
	p.t.Helper()
	start := time.Now()
	code, ok := p.Wait(timeout)
	took := time.Since(start)
	if !ok {
		p.t.Fatalf("%s: still running %v after being expected to exit with %d", p.Name, timeout, want)
	}
	if code != want {
		p.t.Fatalf("%s: exited with %s after %v, want exit code %d", p.Name, p.describeExit(), took.Round(time.Millisecond), want)
	}
	p.t.Logf("%s: exited with %d after %v", p.Name, code, took.Round(time.Millisecond))
	return took
}

// Kill sends SIGKILL and waits for the process to be gone.
func (p *Process) Kill() {
	p.t.Helper()
	p.Signal(syscall.SIGKILL)
	if _, ok := p.Wait(30 * time.Second); !ok {
		p.t.Fatalf("%s: still running 30s after SIGKILL", p.Name)
	}
}

// Output is everything the process wrote so far, stdout and stderr interleaved.
func (p *Process) Output() string { return p.all.String() }

// Stderr is what the process wrote to stderr so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// AssertRunning fails the test when the process has already ended: a mirror that dies quietly
// would otherwise only show up as a timeout much later.
func (p *Process) AssertRunning() {
	p.t.Helper()
	if p.Exited() {
		p.t.Fatalf("%s: exited unexpectedly (%s)", p.Name, p.describeExit())
	}
}

func (p *Process) describeExit() string {
	if !p.Exited() {
		return "still running"
	}
	var ee *exec.ExitError
	if errors.As(p.state, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by " + ws.Signal().String()
		}
	}
	return fmt.Sprintf("exit code %d", p.cmd.ProcessState.ExitCode())
}

// Result is the outcome of a short command such as the liveness probe.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Run runs a short command of the binary to completion (bounded by timeout) with exactly env.
func Run(ctx context.Context, timeout time.Duration, path string, env Env, args ...string) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env.List()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		res.Code = ee.ExitCode()
	default:
		return res, fmt.Errorf("%s %v: %w (stdout %q, stderr %q)", path, args, err, res.Stdout, res.Stderr)
	}
	return res, nil
}

// SyncBuffer is a bytes.Buffer safe for the concurrent writes of the two output pipes and the
// reads of the test.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail keeps the last n bytes of s, starting at a line boundary, so a chatty mirror does not
// flood the test log while the end (usually the interesting part) is kept.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	omitted := len(s) - n
	s = s[omitted:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		omitted += i + 1
		s = s[i+1:]
	}
	return fmt.Sprintf("[... %d bytes omitted ...]\n%s", omitted, s)
}

// WaitForFile waits until path exists (or is gone, exists=false) and fails the test on timeout
// or when the process ends meanwhile, so a mirror that crashes at start is reported as such.
func (p *Process) WaitForFile(path string, exists bool, timeout time.Duration) time.Duration {
	p.t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := Poll(ctx, 25*time.Millisecond, func() (bool, string) {
		if p.Exited() {
			return true, ""
		}
		return FileExists(path) == exists, fmt.Sprintf("%s exists: %v", path, FileExists(path))
	})
	p.AssertRunning()
	if err != nil {
		state := "appear"
		if !exists {
			state = "disappear"
		}
		p.t.Fatalf("%s: %s did not %s within %v: %v", p.Name, path, state, timeout, err)
	}
	return time.Since(start)
}
