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

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Restarting control plane components (Test12). hack/cluster/cluster.sh has no restart command
// for etcd or kube-apiserver, so the suite does what its `down` and `up` do for one component:
// it stops the process recorded in .local/pids/<component>.pid (TERM, then KILL after 10 s, as
// `down` does) and
// starts the same binary again with exactly the command line the running process had (read from
// /proc/<pid>/cmdline), in its own session, appending to .local/logs/<component>.log, and records
// the new pid in the pid file, so that `cluster.sh status` and `down` keep working.

// component is a running control plane process.
type component struct {
	name string
	pid  int
	argv []string
}

// runningComponent reads the pid file and command line of a component and checks that the pid
// is still that component's binary.
func runningComponent(t *testing.T, name string) component {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, ".local/pids", name+".pid"))
	require.NoError(t, err, "pid file of %s", name)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	require.NoError(t, err, "%s (pid %d) is not running", name, pid)
	require.True(t, strings.HasPrefix(exe, filepath.Join(root, "bin", name)), "pid %d of %s is %s", pid, name, exe)
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	require.NoError(t, err)
	argv := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	require.NotEmpty(t, argv)
	return component{name: name, pid: pid, argv: argv}
}

// processGone: the pid no longer runs (or is a zombie, which it stays until init reaps it: it is
// no child of ours).
func processGone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	if i := strings.LastIndex(s, ") "); i >= 0 && i+2 < len(s) {
		return s[i+2] == 'Z'
	}
	return false
}

// stopComponent sends TERM, waits up to 10 s, then KILLs (as cluster.sh down does).
func stopComponent(t *testing.T, c component) time.Duration {
	t.Helper()
	start := time.Now()
	require.NoError(t, syscall.Kill(c.pid, syscall.SIGTERM))
	deadline := start.Add(10 * time.Second)
	for !processGone(c.pid) {
		if time.Now().After(deadline) {
			t.Logf("%s (pid %d) did not stop within 10s of SIGTERM; killing it", c.name, c.pid)
			_ = syscall.Kill(c.pid, syscall.SIGKILL)
			deadline = time.Now().Add(10 * time.Second)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// startComponent starts the component again with its recorded command line.
func startComponent(t *testing.T, c component) int {
	t.Helper()
	logPath := filepath.Join(root, ".local/logs", c.name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	require.NoError(t, err)
	defer logFile.Close()
	fmt.Fprintf(logFile, "==== %s starting %s %s (restarted by the e2e suite, %s)\n",
		time.Now().UTC().Format(time.RFC3339), c.name, strings.Join(c.argv[1:], " "), t.Name())
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = logFile, logFile // files: no copying goroutine ties the process to the test
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	// The process outlives the test binary; reap it if it exits while the suite runs.
	go func() { _ = cmd.Wait() }()
	require.NoError(t, os.WriteFile(filepath.Join(root, ".local/pids", c.name+".pid"), []byte(strconv.Itoa(pid)+"\n"), 0o644))
	return pid
}

// flagValue returns the value of --name=value in argv.
func flagValue(argv []string, name string) string {
	for _, a := range argv {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// etcdHealthy: GET <client url>/health answers {"health":"true"...}.
func etcdHealthy(clientURL string) (bool, string) {
	u, err := url.Parse(clientURL)
	if err != nil {
		return false, err.Error()
	}
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(u.Scheme + "://" + u.Host + "/health")
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode == http.StatusOK && strings.Contains(b.String(), `"true"`), fmt.Sprintf("%d %s", resp.StatusCode, b.String())
}

// apiserverReady: /readyz answers ok.
func apiserverReady() (bool, string) {
	ctx, cancel := context.WithTimeout(bg, 3*time.Second)
	defer cancel()
	b, err := kube.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		return false, err.Error()
	}
	return string(b) == "ok", string(b)
}

// restartAPIServerAndEtcd stops kube-apiserver and etcd and starts them again. It returns when
// the API server went down and when it was ready again.
func restartAPIServerAndEtcd(t *testing.T) (down, up time.Time) {
	t.Helper()
	// Hold cluster.sh's lock for the whole restart: a concurrent `cluster.sh up` (another test
	// package starting) would otherwise find the cluster unhealthy in the middle of it, stop
	// everything and start a new cluster from scratch.
	unlock := lockCluster(t)
	defer unlock()
	out, err := exec.Command(filepath.Join(root, "hack/cluster/cluster.sh"), "status").CombinedOutput()
	require.NoError(t, err, "the cluster must be healthy before the restart:\n%s", out)

	apiserver := runningComponent(t, "kube-apiserver")
	etcd := runningComponent(t, "etcd")
	clientURL := flagValue(etcd.argv, "listen-client-url")
	require.NotEmpty(t, clientURL, "etcd's --listen-client-url in %v", etcd.argv)

	down = time.Now()
	took := stopComponent(t, apiserver)
	t.Logf("kube-apiserver (pid %d) stopped in %s", apiserver.pid, took.Round(time.Millisecond))
	took = stopComponent(t, etcd)
	t.Logf("etcd (pid %d) stopped in %s", etcd.pid, took.Round(time.Millisecond))
	ok, state := apiserverReady()
	require.False(t, ok, "the API server must be down: %s", state)

	pid := startComponent(t, etcd)
	took = eventually(t, 2*time.Minute, "etcd healthy after the restart", func() (bool, string) { return etcdHealthy(clientURL) })
	t.Logf("etcd restarted (pid %d), healthy %s later", pid, took.Round(time.Millisecond))
	pid = startComponent(t, apiserver)
	took = eventually(t, 3*time.Minute, "kube-apiserver /readyz after the restart", apiserverReady)
	up = time.Now()
	t.Logf("kube-apiserver restarted (pid %d), ready %s later; the API server was unavailable for %s", pid, took.Round(time.Millisecond), up.Sub(down).Round(time.Millisecond))
	out, err = exec.Command(filepath.Join(root, "hack/cluster/cluster.sh"), "status").CombinedOutput()
	require.NoError(t, err, "cluster.sh status after the restart:\n%s", out)
	return down, up
}

// lockCluster takes the lock hack/cluster/cluster.sh holds during up, down and restart-kwok
// (flock on .local/cluster.lock), waiting up to 5 minutes, and returns its release.
func lockCluster(t *testing.T) func() {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(root, ".local/cluster.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	require.NoError(t, err)
	start := time.Now()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if err != syscall.EWOULDBLOCK || time.Since(start) > 5*time.Minute {
			f.Close()
			t.Fatalf("taking the lock .local/cluster.lock: %v (after %s)", err, time.Since(start).Round(time.Second))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Logf("waited %s for hack/cluster/cluster.sh's lock", waited.Round(time.Millisecond))
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}
