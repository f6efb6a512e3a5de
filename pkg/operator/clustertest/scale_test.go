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
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned"
)

// TestMeasureScale is a measurement, not a regression test: it runs only with
// KMM_MEASURE_SCALE=<resources>[,<qps>/<burst>...] (default rates 5/10,20/30,100/200,-1/1). For
// each client rate it creates that many KafkaMirrorMakers (replicas 0, so that no Pods load the
// machine) in a fresh namespace, starts the operator and reports how long it takes until every
// resource is Ready, the API requests it sent and its memory. This is how the default
// --kube-api-qps/--kube-api-burst and the Deployment's memory request were chosen
// (docs/running.md).
func TestMeasureScale(t *testing.T) {
	spec := os.Getenv("KMM_MEASURE_SCALE")
	if spec == "" {
		t.Skip("set KMM_MEASURE_SCALE=<resources>[,<qps>/<burst>...] to run")
	}
	parts := strings.Split(spec, ",")
	n, err := strconv.Atoi(parts[0])
	require.NoError(t, err)
	rates := parts[1:]
	if len(rates) == 0 {
		rates = []string{"5/10", "20/30", "100/200", "-1/1"}
	}

	fast := rest.CopyConfig(adminConfig)
	fast.QPS, fast.Burst = -1, 1
	kmmClient := versioned.NewForConfigOrDie(fast)
	var results []string
	for _, rate := range rates {
		qps, burst, _ := strings.Cut(rate, "/")
		t.Run("rate "+rate, func(t *testing.T) {
			ns := newNamespace(t)
			createMany(t, kmmClient, ns, n)
			p := startOperator(t, "scale-"+rate, operatorKubeconfig, []string{"--watch-namespaces", ns,
				"--kube-api-qps", qps, "--kube-api-burst", burst})
			start := time.Now()
			poll(t, 30*time.Minute, fmt.Sprintf("%d resources Ready", n), func() (bool, error) {
				if err := p.Alive(); err != nil {
					return false, err
				}
				return countReady(kmmClient, ns) == n, nil
			})
			took := time.Since(start)
			_, body := p.Status("/metrics")
			requests, _ := MetricSum(body, "kmm_client_requests_total")
			writes := 0.0
			for _, verb := range []string{"apply", "create", "update", "patch"} {
				w, _ := MetricSum(body, "kmm_client_requests_total", `verb="`+verb+`"`)
				writes += w
			}
			heap, _ := MetricSum(body, "go_memstats_heap_inuse_bytes")
			cpu, _ := MetricSum(body, "process_cpu_seconds_total")
			rss, peak := p.rss()
			// Steady state: no resource changes for a while.
			const quiet = 30 * time.Second
			time.Sleep(quiet)
			_, body = p.Status("/metrics")
			requests2, _ := MetricSum(body, "kmm_client_requests_total")
			writes2 := 0.0
			for _, verb := range []string{"apply", "create", "update", "patch"} {
				w, _ := MetricSum(body, "kmm_client_requests_total", `verb="`+verb+`"`)
				writes2 += w
			}
			cpu2, _ := MetricSum(body, "process_cpu_seconds_total")
			rss2, _ := p.rss()
			line := fmt.Sprintf("%d resources, qps %s burst %s: all Ready after %s; %.0f requests (%.0f writes, %.1f per resource), %.1f CPU seconds; RSS %.1f MiB, peak %.1f MiB, heap in use %.1f MiB; then in %s idle: %.0f requests (%.0f writes), %.2f CPU seconds, RSS %.1f MiB",
				n, qps, burst, took.Round(100*time.Millisecond), requests, writes, writes/float64(n), cpu, rss, peak, heap/(1<<20),
				quiet, requests2-requests, writes2-writes, cpu2-cpu, rss2)
			t.Log(line)
			results = append(results, line)
			exit, stopTook := p.stop(t, syscall.SIGTERM, 30*time.Second)
			require.Equal(t, 0, exit)
			t.Logf("stopped in %s", stopTook.Round(time.Millisecond))
			requireNo403(t, p)
		})
	}
	t.Log("summary:\n" + strings.Join(results, "\n"))
}

func createMany(t *testing.T, c versioned.Interface, ns string, n int) {
	t.Helper()
	base := minimalMirrorMaker(t, ns)
	base.Spec.Replicas = 0
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			k := base.DeepCopy()
			k.Name = fmt.Sprintf("mm-%04d", i)
			_, err := c.KafkaV1beta2().KafkaMirrorMakers(ns).Create(context.Background(), k, metav1.CreateOptions{})
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func countReady(c versioned.Interface, ns string) int {
	list, err := c.KafkaV1beta2().KafkaMirrorMakers(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return -1
	}
	ready := 0
	for i := range list.Items {
		if s, gen := readyCondition(&list.Items[i]); s == "True" && gen == list.Items[i].Generation {
			ready++
		}
	}
	return ready
}
