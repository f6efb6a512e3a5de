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
	"bufio"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kmm-operator/kmm-operator/pkg/operator/clustertest"
)

// Operator settings of the suite: short, so that waits stay short on a small machine.
const (
	// defaultOperationTimeout bounds a rollout; generous enough for a busy 2-core machine, where
	// a kwok Pod is Ready a few seconds after it is created.
	defaultOperationTimeout = 90 * time.Second
	// defaultFullReconciliation is long enough that no periodic pass runs during a test: every
	// reaction the suite measures must come from a watch event.
	defaultFullReconciliation = 10 * time.Minute
)

// operatorOptions configure one operator process.
type operatorOptions struct {
	// name tells the processes of one test apart in logs ("a", "b", ...); default "operator".
	name string
	// kubeconfig defaults to .local/operator.kubeconfig (the non-admin token user).
	kubeconfig string
	// namespaces to watch (--watch-namespaces); required: the cluster is shared.
	namespaces []string
	// operationTimeout defaults to defaultOperationTimeout.
	operationTimeout time.Duration
	// args are extra flags.
	args []string
}

// operatorProc is the kmm-operator binary running out of cluster (see clustertest.Process).
type operatorProc struct {
	*clustertest.Process
}

var nonFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// startOperator runs `kmm-operator run` with its own HTTP port and its log in a file of logDir,
// and stops it (SIGTERM, then SIGKILL) at the end of the test. Nothing of the test's
// environment is inherited but PATH and HOME, so no Strimzi variable changes the rendering.
func startOperator(t *testing.T, o operatorOptions) *operatorProc {
	t.Helper()
	require.NotEmpty(t, o.namespaces, "an operator of the suite must watch only its test's namespaces")
	if o.name == "" {
		o.name = "operator"
	}
	if o.kubeconfig == "" {
		o.kubeconfig = operatorKubeconfig
	}
	if o.operationTimeout == 0 {
		o.operationTimeout = defaultOperationTimeout
	}
	args := append([]string{
		"--watch-namespaces", strings.Join(o.namespaces, ","),
		"--operation-timeout", o.operationTimeout.String(),
		"--full-reconciliation-interval", defaultFullReconciliation.String(),
		"--shutdown-timeout", "5s",
		"--api-check-timeout", "30s",
		"-v=2",
	}, o.args...)
	proc, err := clustertest.StartProcess(clustertest.ProcessOptions{
		Name: o.name, Binary: binary, Kubeconfig: o.kubeconfig, Args: args,
		LogPath: filepath.Join(logDir, nonFileChars.ReplaceAllString(t.Name(), "_")+"-"+o.name+".log"),
	})
	require.NoError(t, err)
	p := &operatorProc{proc}
	t.Logf("started operator %s (pid %d): %s", p.Name, p.Pid(), strings.Join(p.Args(), " "))
	t.Cleanup(func() {
		if _, _, err := p.Stop(syscall.SIGTERM, 15*time.Second); err != nil {
			t.Log(err)
		}
		if t.Failed() {
			t.Logf("---- operator %s (exit code %d), last 60 lines of %s ----\n%s", p.Name, p.ExitCode(), p.LogPath, clustertest.Tail(p.Log(), 60))
		}
	})
	return p
}

// namespaceWithOperator creates a namespace for the test and starts a ready operator watching it
// with the suite's settings.
func namespaceWithOperator(t *testing.T) (string, *operatorProc) {
	t.Helper()
	ns := newNamespace(t, "")
	op := startOperator(t, operatorOptions{namespaces: []string{ns}})
	op.waitReady(t)
	return ns, op
}

// stop sends sig and waits for the exit; it returns the exit code and how long the exit took.
func (p *operatorProc) stop(t *testing.T, sig syscall.Signal, timeout time.Duration) (int, time.Duration) {
	t.Helper()
	code, took, err := p.Stop(sig, timeout)
	require.NoError(t, err)
	return code, took
}

// waitReady waits until /readyz answers 200 and returns how long that took.
func (p *operatorProc) waitReady(t *testing.T) time.Duration {
	t.Helper()
	return eventually(t, 90*time.Second, "operator "+p.Name+" /readyz", func() (bool, string) {
		if err := p.Alive(); err != nil {
			t.Fatalf("%v before it was ready", err)
		}
		code, body := p.Status("/readyz")
		return code == http.StatusOK, fmt.Sprintf("%d %s", code, strings.TrimSpace(body))
	})
}

// metrics returns the /metrics text.
func (p *operatorProc) metrics(t *testing.T) string {
	t.Helper()
	code, body := p.Status("/metrics")
	require.Equal(t, http.StatusOK, code, "GET %s/metrics: %s", p.URL, body)
	return body
}

// writeVerbs are the API verbs that change something.
var writeVerbs = []string{"apply", "create", "update", "patch", "delete"}

// writes sums the process's write requests to the API server, without its Lease and the start-up
// access reviews: what it wrote to KafkaMirrorMakers (status) and their children, plus Events.
func (p *operatorProc) writes(t *testing.T, resources ...string) float64 {
	t.Helper()
	body := p.metrics(t)
	total := 0.0
	for _, verb := range writeVerbs {
		if len(resources) > 0 {
			for _, r := range resources {
				n, _ := clustertest.MetricSum(body, "kmm_client_requests_total", `verb="`+verb+`"`, `resource="`+r+`"`)
				total += n
			}
			continue
		}
		all, _ := clustertest.MetricSum(body, "kmm_client_requests_total", `verb="`+verb+`"`)
		leases, _ := clustertest.MetricSum(body, "kmm_client_requests_total", `verb="`+verb+`"`, `resource="leases"`)
		reviews, _ := clustertest.MetricSum(body, "kmm_client_requests_total", `verb="`+verb+`"`, `resource="selfsubjectaccessreviews"`)
		events, _ := clustertest.MetricSum(body, "kmm_client_requests_total", `verb="`+verb+`"`, `resource="events"`)
		total += all - leases - reviews - events
	}
	return total
}

// writesByResource describes the process's write requests per verb and resource, for logs.
func (p *operatorProc) writesByResource(t *testing.T) string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(p.metrics(t)))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "kmm_client_requests_total{") {
			continue
		}
		for _, verb := range writeVerbs {
			if strings.Contains(line, `verb="`+verb+`"`) {
				out = append(out, strings.TrimPrefix(line, "kmm_client_requests_total"))
			}
		}
	}
	return strings.Join(out, "; ")
}

// reconciliations returns the operator's strimzi_reconciliations_total for a namespace.
func (p *operatorProc) reconciliations(t *testing.T, ns string) float64 {
	t.Helper()
	n, _ := clustertest.MetricSum(p.metrics(t), "strimzi_reconciliations_total", `namespace="`+ns+`"`)
	return n
}

// quiesce waits until the operator's workqueue is empty and no reconciliation is running, and
// returns the reconciliation count of ns at that point. A negative assertion ("the operator did
// not write") made after quiesce covers every event the operator had received until then.
func (p *operatorProc) quiesce(t *testing.T, ns string) float64 {
	t.Helper()
	var count float64
	eventually(t, 60*time.Second, "operator "+p.Name+" idle (empty workqueue, nothing in progress)", func() (bool, string) {
		if err := p.Alive(); err != nil {
			t.Fatal(err)
		}
		body := p.metrics(t)
		depth, _ := clustertest.MetricSum(body, "workqueue_depth", `name="kafkamirrormakers"`)
		unfinished, _ := clustertest.MetricSum(body, "workqueue_unfinished_work_seconds", `name="kafkamirrormakers"`)
		count, _ = clustertest.MetricSum(body, "strimzi_reconciliations_total", `namespace="`+ns+`"`)
		return depth == 0 && unfinished == 0, fmt.Sprintf("depth %v, unfinished work %vs", depth, unfinished)
	})
	return count
}

// forbidden finds authorization failures in a log.
// (A 403 status, never a number such as the 403.5µs of a duration.)
var forbidden = regexp.MustCompile(`(?i)(^|[^\d.])403([^\d.]|$)|forbidden`)

// requireNo403 fails when the operator's log shows an authorization failure.
func requireNo403(t *testing.T, p *operatorProc) {
	t.Helper()
	for _, line := range strings.Split(p.Log(), "\n") {
		if forbidden.MatchString(line) {
			t.Errorf("operator %s logged an authorization failure: %s", p.Name, line)
		}
	}
}

// klogTime matches the header of a klog line: Lmmdd hh:mm:ss.uuuuuu.
var klogTime = regexp.MustCompile(`^[IWEF](\d{4} \d{2}:\d{2}:\d{2}\.\d{6})`)

// requireNo403Outside is requireNo403 for log lines outside [from, to]; it returns how many
// authorization failures were logged inside.
func requireNo403Outside(t *testing.T, p *operatorProc, from, to time.Time) int {
	t.Helper()
	inside := 0
	for _, line := range strings.Split(p.Log(), "\n") {
		if !forbidden.MatchString(line) {
			continue
		}
		if m := klogTime.FindStringSubmatch(line); m != nil {
			ts, err := time.ParseInLocation("0102 15:04:05.000000", m[1], time.Local)
			if err == nil {
				ts = ts.AddDate(from.Year(), 0, 0)
				if !ts.Before(from.Add(-time.Second)) && !ts.After(to) {
					inside++
					continue
				}
			}
		}
		t.Errorf("operator %s logged an authorization failure: %s", p.Name, line)
	}
	return inside
}
