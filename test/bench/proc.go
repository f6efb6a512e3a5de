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
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// operator is one kmm-operator process, run out of cluster.
type operator struct {
	name     string
	cmd      *exec.Cmd
	url      string
	logPath  string
	started  time.Time
	exited   chan struct{}
	exitCode int
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startOperator runs `bin/kmm-operator run` with the operator kubeconfig; its output goes to
// .local/bench/<name>.log.
func (b *bench) startOperator(name string, args ...string) (*operator, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(b.outDir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	p := &operator{name: name, url: fmt.Sprintf("http://127.0.0.1:%d", port), logPath: logPath, exited: make(chan struct{})}
	all := append([]string{"run", "--kubeconfig", b.operatorKubeconfig, "--http-address", fmt.Sprintf("127.0.0.1:%d", port),
		"--watch-namespaces", strings.Join(b.namespaces, ",")}, args...)
	p.cmd = exec.Command(b.binary, all...)
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	// The Go runtime's memory settings pass through, to measure their effect.
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		if v, ok := os.LookupEnv(name); ok {
			p.cmd.Env = append(p.cmd.Env, name+"="+v)
		}
	}
	p.cmd.Stdout, p.cmd.Stderr = f, f
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	b.procs = append(b.procs, p)
	go func() {
		_ = p.cmd.Wait()
		p.exitCode = p.cmd.ProcessState.ExitCode()
		f.Close()
		close(p.exited)
	}()
	return p, nil
}

func (p *operator) alive() error {
	select {
	case <-p.exited:
		return fmt.Errorf("operator %s exited with code %d (log: %s)\n%s", p.name, p.exitCode, p.logPath, tailFile(p.logPath, 30))
	default:
		return nil
	}
}

func (p *operator) running() bool { return p.alive() == nil }

// stop sends sig and waits at most timeout for the exit (then kills it).
func (p *operator) stop(sig syscall.Signal, timeout time.Duration) error {
	if !p.running() {
		return nil
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
		return nil
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("operator %s did not exit within %s of %s; killed", p.name, timeout, sig)
	}
}

func (p *operator) get(path string) (int, string, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(p.url + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// metrics returns the parsed /metrics of the process.
func (p *operator) metrics() (metrics, error) {
	code, body, err := p.get("/metrics")
	if err != nil {
		return nil, fmt.Errorf("operator %s /metrics: %w", p.name, err)
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("operator %s /metrics: HTTP %d", p.name, code)
	}
	return parseMetrics(body), nil
}

// waitReady waits until /readyz answers 200.
func (p *operator) waitReady(ctx context.Context, timeout time.Duration) error {
	return poll(ctx, timeout, 100*time.Millisecond, "operator "+p.name+" /readyz", func() (bool, error) {
		if err := p.alive(); err != nil {
			return false, err
		}
		code, _, err := p.get("/readyz")
		return err == nil && code == http.StatusOK, nil
	})
}

// rss reads VmRSS and VmHWM (MiB) of the process from /proc.
func (p *operator) rss() (rss, hwm float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
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
	return rss, hwm, nil
}

func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// sample is one Prometheus sample: its labels and value.
type sample struct {
	labels map[string]string
	value  float64
}

// metrics maps a metric name to its samples.
type metrics map[string][]sample

var labelRE = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

func parseMetrics(body string) metrics {
	m := metrics{}
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, labels := line, ""
		if i := strings.IndexByte(line, '{'); i >= 0 {
			j := strings.LastIndexByte(line, '}')
			if j < i {
				continue
			}
			name, labels = line[:i], line[i+1:j]
		} else if i := strings.IndexByte(line, ' '); i >= 0 {
			name = line[:i]
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			continue
		}
		s := sample{labels: map[string]string{}, value: v}
		for _, mm := range labelRE.FindAllStringSubmatch(labels, -1) {
			s.labels[mm[1]] = mm[2]
		}
		m[name] = append(m[name], s)
	}
	return m
}

// sum adds the samples of name whose labels match every key=value pair in match.
func (m metrics) sum(name string, match ...string) float64 {
	total := 0.0
	for _, s := range m[name] {
		ok := true
		for i := 0; i+1 < len(match); i += 2 {
			if s.labels[match[i]] != match[i+1] {
				ok = false
			}
		}
		if ok {
			total += s.value
		}
	}
	return total
}

var writeVerbs = []string{"create", "update", "patch", "apply", "delete"}

const requestsMetric = "kmm_client_requests_total"

func (m metrics) requests() float64 { return m.sum(requestsMetric) }

// notWrites are POSTs that persist nothing: the operator's start-up permission checks.
var notWrites = map[string]bool{"selfsubjectaccessreviews": true, "selfsubjectrulesreviews": true}

// writes counts requests that change stored state: create, update, patch, apply and delete of
// every resource (Events included), except the access reviews above.
func (m metrics) writes() float64 {
	w := 0.0
	for _, s := range m[requestsMetric] {
		if notWrites[s.labels["resource"]] {
			continue
		}
		for _, v := range writeVerbs {
			if s.labels["verb"] == v {
				w += s.value
			}
		}
	}
	return w
}

// byVerbResource returns request counts keyed "verb resource", the difference m - before.
func (m metrics) byVerbResource(before metrics) map[string]float64 {
	out := map[string]float64{}
	for _, s := range m[requestsMetric] {
		out[s.labels["verb"]+" "+s.labels["resource"]] += s.value
	}
	if before != nil {
		for _, s := range before[requestsMetric] {
			out[s.labels["verb"]+" "+s.labels["resource"]] -= s.value
		}
	}
	for k, v := range out {
		if v == 0 {
			delete(out, k)
		}
	}
	return out
}
