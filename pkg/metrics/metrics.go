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

// Package metrics defines the operator's Prometheus metrics. The reconciliation metrics keep
// the names and labels of Strimzi's cluster operator (strimzi_reconciliations_total, ...), so
// existing dashboards and alerts keep working after the switch; the rest (pipeline steps,
// workqueue, client requests) are this operator's own.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Kind is the value of the "kind" label on Strimzi's metrics.
const Kind = "KafkaMirrorMaker"

// Metrics holds every collector of the operator, registered on one registry.
type Metrics struct {
	Registry *prometheus.Registry

	// Strimzi's reconciliation metrics, labelled kind, namespace, selector.
	Reconciliations           *prometheus.CounterVec
	ReconciliationsSuccessful *prometheus.CounterVec
	ReconciliationsFailed     *prometheus.CounterVec
	ReconciliationsPeriodical *prometheus.CounterVec
	ReconciliationsLocked     *prometheus.CounterVec
	ReconciliationDuration    *prometheus.HistogramVec
	Resources                 *prometheus.GaugeVec
	ResourcesPaused           *prometheus.GaugeVec
	ResourceState             *prometheus.GaugeVec

	// StepDuration is the duration of each named pipeline step, labelled step and result.
	StepDuration *prometheus.HistogramVec

	workqueue *workqueueMetrics
	client    *clientMetrics
}

var strimziLabels = []string{"kind", "namespace", "selector"}

// New creates the collectors and registers them, with the Go runtime and process collectors,
// on a new registry.
func New() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		Reconciliations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "strimzi_reconciliations_total", Help: "Number of reconciliations done by the operator for individual resources",
		}, strimziLabels),
		ReconciliationsSuccessful: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "strimzi_reconciliations_successful_total", Help: "Number of reconciliations done by the operator for individual resources which were successful",
		}, strimziLabels),
		ReconciliationsFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "strimzi_reconciliations_failed_total", Help: "Number of reconciliations done by the operator for individual resources which failed",
		}, strimziLabels),
		ReconciliationsPeriodical: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "strimzi_reconciliations_periodical_total", Help: "Number of periodical reconciliations done by the operator",
		}, strimziLabels),
		ReconciliationsLocked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "strimzi_reconciliations_locked_total", Help: "Number of reconciliations skipped because another reconciliation for the same resource was still running (always 0 here: the workqueue serialises per resource)",
		}, strimziLabels),
		ReconciliationDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "strimzi_reconciliations_duration_seconds",
			Help:    "The time the reconciliation takes to complete",
			Buckets: []float64{0.005, 0.025, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300},
		}, strimziLabels),
		Resources: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "strimzi_resources", Help: "Number of custom resources the operator sees",
		}, strimziLabels),
		ResourcesPaused: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "strimzi_resources_paused", Help: "Number of custom resources the operator sees but does not reconcile due to paused reconciliations",
		}, strimziLabels),
		ResourceState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "strimzi_resource_state", Help: "Current state of the resource: 1 ready, 0 fail",
		}, []string{"kind", "name", "resource_namespace", "reason"}),
		StepDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kmm_reconcile_step_duration_seconds",
			Help:    "Duration of each step of the reconcile pipeline, by step and result (ok, waiting, error, skipped)",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10),
		}, []string{"step", "result"}),
	}
	r.MustRegister(
		m.Reconciliations, m.ReconciliationsSuccessful, m.ReconciliationsFailed,
		m.ReconciliationsPeriodical, m.ReconciliationsLocked, m.ReconciliationDuration,
		m.Resources, m.ResourcesPaused, m.ResourceState, m.StepDuration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.workqueue = newWorkqueueMetrics(r)
	m.client = newClientMetrics(r)
	return m
}

// InitResourceCounters creates the reconciliation counters of one watched namespace (and kind and
// selector) at 0, so that they exist from the start: a rate over a counter that appears only with
// its first failure misses that failure, and an alert on it could not tell "no failure" from "no
// such metric".
func (m *Metrics) InitResourceCounters(kind, namespace, selector string) {
	for _, c := range []*prometheus.CounterVec{
		m.Reconciliations, m.ReconciliationsSuccessful, m.ReconciliationsFailed,
		m.ReconciliationsPeriodical, m.ReconciliationsLocked,
	} {
		c.WithLabelValues(kind, namespace, selector)
	}
}

// ObserveStep records one run of a pipeline step.
func (m *Metrics) ObserveStep(step, result string, d time.Duration) {
	m.StepDuration.WithLabelValues(step, result).Observe(d.Seconds())
}
