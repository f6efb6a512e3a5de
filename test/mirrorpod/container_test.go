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
package mirrorpod

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

// container is the mirror running in its own mount namespace.
type container struct {
	t    *testing.T
	spec *podSpec
	cmd  *exec.Cmd
	out  *mirrortest.SyncBuffer
	done chan struct{}
	err  error
}

// start runs the test binary as the container's init in a new mount namespace; it execs the
// container's command, so the process is the mirror itself, as PID 1 of a container would be.
func start(t *testing.T, spec *podSpec) *container {
	t.Helper()
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "pod.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c := &container{t: t, spec: spec, out: &mirrortest.SyncBuffer{}, done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0])
	c.cmd.Env = []string{podInitEnv + "=" + file}
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start the container (needs root for a mount namespace): %v", err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("container output:\n%s", c.out.String())
		}
	})
	return c
}

// exec runs a probe's exec command in the container: its mount namespace, user, working
// directory and environment, as the kubelet does through the container runtime.
func (c *container) exec(command []string) (int, string) {
	args := append([]string{"-t", strconv.Itoa(c.cmd.Process.Pid), "-m",
		"-S", strconv.Itoa(c.spec.UID), "-G", strconv.Itoa(c.spec.GID), "--wd", "--"}, command...)
	cmd := exec.Command("nsenter", args...)
	cmd.Env = c.spec.Env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	default:
		c.t.Fatalf("nsenter %v: %v", command, err)
		return -1, ""
	}
}

// procStatus returns a field of /proc/<pid>/status, e.g. "Uid".
func (c *container) procStatus(field string) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// stop sends SIGTERM, as the kubelet does, and returns the exit code.
func (c *container) stop(timeout time.Duration) (int, time.Duration) {
	c.t.Helper()
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-c.done:
	case <-time.After(timeout):
		c.t.Fatalf("the container did not stop within %s of SIGTERM", timeout)
	}
	var exit *exec.ExitError
	if errors.As(c.err, &exit) {
		return exit.ExitCode(), time.Since(start)
	}
	return 0, time.Since(start)
}

func (c *container) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}
