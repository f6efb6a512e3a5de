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

package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/util/workqueue"
)

func TestStrimziMetricNames(t *testing.T) {
	m := New()
	l := []string{Kind, "ns", ""}
	m.Reconciliations.WithLabelValues(l...).Inc()
	m.ReconciliationsSuccessful.WithLabelValues(l...).Inc()
	m.ReconciliationsFailed.WithLabelValues(l...).Inc()
	m.ReconciliationsPeriodical.WithLabelValues(l...).Inc()
	m.ReconciliationsLocked.WithLabelValues(l...).Add(0)
	m.ReconciliationDuration.WithLabelValues(l...).Observe(0.2)
	m.Resources.WithLabelValues(l...).Set(3)
	m.ResourcesPaused.WithLabelValues(l...).Set(1)
	m.ResourceState.WithLabelValues(Kind, "mm", "ns", "none").Set(1)
	m.ObserveStep("deployment", "ok", 3*time.Millisecond)

	families, err := m.Registry.Gather()
	require.NoError(t, err)
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
	}
	for _, want := range []string{
		"strimzi_reconciliations_total", "strimzi_reconciliations_successful_total",
		"strimzi_reconciliations_failed_total", "strimzi_reconciliations_periodical_total",
		"strimzi_reconciliations_locked_total", "strimzi_reconciliations_duration_seconds",
		"strimzi_resources", "strimzi_resources_paused", "strimzi_resource_state",
		"kmm_reconcile_step_duration_seconds", "go_goroutines", "process_resident_memory_bytes",
	} {
		assert.True(t, names[want], "metric %s missing", want)
	}
	assert.Equal(t, 3.0, testutil.ToFloat64(m.Resources.WithLabelValues(l...)))
}

func TestWorkqueueMetrics(t *testing.T) {
	m := New()
	q := workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "kafkamirrormakers", MetricsProvider: m.WorkqueueProvider()})
	defer q.ShutDown()
	q.Add("a")
	q.Add("b")
	assert.Equal(t, 2.0, testutil.ToFloat64(m.workqueue.depth.WithLabelValues("kafkamirrormakers")))
	assert.Equal(t, 2.0, testutil.ToFloat64(m.workqueue.adds.WithLabelValues("kafkamirrormakers")))
	item, _ := q.Get()
	q.AddRateLimited(item)
	q.Done(item)
	assert.Equal(t, 1.0, testutil.ToFloat64(m.workqueue.retries.WithLabelValues("kafkamirrormakers")))
}

func TestRequestVerbs(t *testing.T) {
	cases := []struct {
		method, url, contentType string
		verb, resource           string
	}{
		{"GET", "/apis/kafka.strimzi.io/v1beta2/kafkamirrormakers?limit=500", "", "list", "kafkamirrormakers"},
		{"GET", "/apis/kafka.strimzi.io/v1beta2/namespaces/ns/kafkamirrormakers?watch=true", "", "watch", "kafkamirrormakers"},
		{"GET", "/api/v1/namespaces/ns/secrets/s", "", "get", "secrets"},
		{"GET", "/api/v1/namespaces/ns/secrets", "", "list", "secrets"},
		{"POST", "/apis/apps/v1/namespaces/ns/deployments", "", "create", "deployments"},
		{"PATCH", "/apis/apps/v1/namespaces/ns/deployments/d", "application/apply-patch+yaml", "apply", "deployments"},
		{"PATCH", "/apis/apps/v1/namespaces/ns/deployments/d", "application/merge-patch+json", "patch", "deployments"},
		{"PUT", "/apis/kafka.strimzi.io/v1beta2/namespaces/ns/kafkamirrormakers/mm/status", "", "update", "kafkamirrormakers/status"},
		{"PUT", "/apis/apps/v1/namespaces/ns/deployments/d/scale", "", "update", "deployments/scale"},
		{"DELETE", "/api/v1/namespaces/ns/configmaps/c", "", "delete", "configmaps"},
		{"GET", "/api/v1/namespaces/ns", "", "get", "namespaces"},
		{"GET", "/version", "", "get", "other"},
	}
	for _, tc := range cases {
		req := httptest.NewRequest(tc.method, tc.url, nil)
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		verb, resource := requestVerb(req)
		assert.Equal(t, tc.verb, verb, "%s %s", tc.method, tc.url)
		assert.Equal(t, tc.resource, resource, "%s %s", tc.method, tc.url)
	}
}

func TestWrapTransportCounts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/missing") {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	m := New()
	c := &http.Client{Transport: m.WrapTransport(http.DefaultTransport)}
	for _, p := range []string{"/api/v1/namespaces/ns/secrets/a", "/api/v1/namespaces/ns/secrets/missing"} {
		resp, err := c.Get(srv.URL + p)
		require.NoError(t, err)
		resp.Body.Close()
	}
	assert.Equal(t, 1.0, testutil.ToFloat64(m.ClientRequests().WithLabelValues("get", "secrets", "200")))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.ClientRequests().WithLabelValues("get", "secrets", "404")))
}
