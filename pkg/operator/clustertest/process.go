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

package clustertest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Process is a kmm-operator binary running `kmm-operator run` out of cluster, as the tests and
// the benchmark start it: its own loopback HTTP port, its output in a log file, and nothing of
// the caller's environment but PATH, HOME and what Env adds (so no Strimzi variable changes what
// it renders).
type Process struct {
	Name    string
	URL     string // http://127.0.0.1:<port> of /healthz, /readyz, /metrics
	LogPath string

	cmd      *exec.Cmd
	exited   chan struct{}
	exitCode int
}

// ProcessOptions say how to start a Process.
type ProcessOptions struct {
	Name       string
	Binary     string
	Kubeconfig string
	// LogPath receives stdout and stderr (appended, after a line with the command).
	LogPath string
	// Args follow `run --kubeconfig K --http-address A`.
	Args []string
	// Env is added to PATH and HOME.
	Env []string
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// StartProcess starts the binary. The caller stops it (Stop), also on failure paths.
func StartProcess(o ProcessOptions) (*Process, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	p := &Process{Name: o.Name, URL: fmt.Sprintf("http://127.0.0.1:%d", port), LogPath: o.LogPath, exited: make(chan struct{})}
	args := append([]string{"run", "--kubeconfig", o.Kubeconfig, "--http-address", fmt.Sprintf("127.0.0.1:%d", port)}, o.Args...)
	logFile, err := os.OpenFile(o.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logFile, "==== %s %s %s\n", time.Now().UTC().Format(time.RFC3339Nano), o.Binary, strings.Join(args, " "))
	p.cmd = exec.Command(o.Binary, args...)
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, o.Env...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting operator %s: %w", o.Name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.exitCode = p.cmd.ProcessState.ExitCode()
		logFile.Close()
		close(p.exited)
	}()
	return p, nil
}

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Args are the command line after the binary.
func (p *Process) Args() []string { return p.cmd.Args[1:] }

// Exited is closed once the process has exited; ExitCode is valid from then on.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// ExitCode is the exit code, -1 when killed by a signal; valid once Exited is closed.
func (p *Process) ExitCode() int { return p.exitCode }

// Alive returns an error naming the exit code once the process has exited, to end a poll early.
func (p *Process) Alive() error {
	select {
	case <-p.exited:
		return fmt.Errorf("operator %s exited with code %d (log: %s)", p.Name, p.exitCode, p.LogPath)
	default:
		return nil
	}
}

// Signal sends sig to the process.
func (p *Process) Signal(sig syscall.Signal) error { return p.cmd.Process.Signal(sig) }

// Stop sends sig (unless the process has exited) and waits at most timeout for the exit; then it
// kills the process and returns an error. It returns the exit code and how long the exit took.
func (p *Process) Stop(sig syscall.Signal, timeout time.Duration) (int, time.Duration, error) {
	start := time.Now()
	if p.Alive() != nil {
		return p.exitCode, 0, nil
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
		return p.exitCode, time.Since(start), nil
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return p.exitCode, time.Since(start), fmt.Errorf("operator %s did not exit within %s of %s; killed", p.Name, timeout, sig)
	}
}

// Status fetches path and returns its status and body; when the process does not answer, status
// 0 and the error's text, so that a poll can show why it waits.
func (p *Process) Status(path string) (int, string) {
	code, body, err := p.Get(path)
	if err != nil {
		return 0, err.Error()
	}
	return code, body
}

// Get fetches path from the process's HTTP port.
func (p *Process) Get(path string) (int, string, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(p.URL + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// Log returns the whole log so far.
func (p *Process) Log() string {
	b, _ := os.ReadFile(p.LogPath)
	return string(b)
}

// RSS reads VmRSS and VmHWM (MiB) of the process from /proc.
func (p *Process) RSS() (rss, hwm float64, err error) { return RSS(p.Pid()) }

// RSS reads VmRSS and VmHWM (MiB) of the process pid from /proc.
func RSS(pid int) (rss, hwm float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = v / 1024
		case "VmHWM:":
			hwm = v / 1024
		}
	}
	if rss == 0 {
		return 0, 0, errors.New("no VmRSS in /proc/<pid>/status")
	}
	return rss, hwm, nil
}

// Tail returns the last n lines of s.
func Tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// MetricSum adds up the samples of the metric name in the Prometheus text body whose label text
// contains every filter; found is false when no sample matched.
func MetricSum(body, name string, filters ...string) (sum float64, found bool) {
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		labels := ""
		if i, j := strings.Index(line, "{"), strings.LastIndex(line, "}"); i >= 0 && j > i && i == len(name) {
			labels = line[i:j]
		}
		ok := true
		for _, f := range filters {
			if !strings.Contains(labels, f) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err == nil {
			sum += v
			found = true
		}
	}
	return sum, found
}
