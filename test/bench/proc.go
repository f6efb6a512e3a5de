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
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kmm-operator/kmm-operator/pkg/operator/clustertest"
)

// operator is one kmm-operator process, run out of cluster.
type operator struct {
	*clustertest.Process
	started time.Time
}

// startOperator runs `bin/kmm-operator run` with the operator kubeconfig, watching the
// benchmark's namespaces; its output goes to .local/bench/<name>.log.
func (b *bench) startOperator(name string, args ...string) (*operator, error) {
	var env []string
	// The Go runtime's memory settings pass through, to measure their effect.
	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		if x, ok := os.LookupEnv(v); ok {
			env = append(env, v+"="+x)
		}
	}
	logPath := filepath.Join(b.outDir, name+".log")
	_ = os.Remove(logPath)
	started := time.Now()
	proc, err := clustertest.StartProcess(clustertest.ProcessOptions{
		Name: name, Binary: b.binary, Kubeconfig: b.operatorKubeconfig, LogPath: logPath,
		Args: append([]string{"--watch-namespaces", strings.Join(b.namespaces, ",")}, args...),
		Env:  env,
	})
	if err != nil {
		return nil, err
	}
	p := &operator{Process: proc, started: started}
	b.procs = append(b.procs, p)
	return p, nil
}

// alive is Alive with the end of the log, for a failure message.
func (p *operator) alive() error {
	if err := p.Alive(); err != nil {
		return fmt.Errorf("%w\n%s", err, clustertest.Tail(p.Log(), 30))
	}
	return nil
}

func (p *operator) running() bool { return p.Alive() == nil }

// stop sends sig and waits at most timeout for the exit (then kills it).
func (p *operator) stop(sig syscall.Signal, timeout time.Duration) error {
	_, _, err := p.Stop(sig, timeout)
	return err
}

// metrics returns the parsed /metrics of the process.
func (p *operator) metrics() (metrics, error) {
	code, body, err := p.Get("/metrics")
	if err != nil {
		return nil, fmt.Errorf("operator %s /metrics: %w", p.Name, err)
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("operator %s /metrics: HTTP %d", p.Name, code)
	}
	return parseMetrics(body), nil
}

// waitReady waits until /readyz answers 200.
func (p *operator) waitReady(ctx context.Context, timeout time.Duration) error {
	return poll(ctx, timeout, 100*time.Millisecond, "operator "+p.Name+" /readyz", func() (bool, error) {
		if err := p.alive(); err != nil {
			return false, err
		}
		code, _, err := p.Get("/readyz")
		return err == nil && code == http.StatusOK, nil
	})
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
