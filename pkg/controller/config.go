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

package controller

import (
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/clock"

	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// Defaults of Config.
const (
	DefaultWorkers                    = 2
	DefaultFullReconciliationInterval = 120 * time.Second
	DefaultOperationTimeout           = 300 * time.Second
	DefaultFieldManager               = "kmm-operator"
	// QueueName names the workqueue in the workqueue_* metrics.
	QueueName = "kafkamirrormakers"
)

// Config configures the controller.
type Config struct {
	// Namespaces to watch: empty or ["*"] means all namespaces, otherwise one informer set per
	// namespace (STRIMZI_NAMESPACE).
	Namespaces []string
	// Selector restricts the KafkaMirrorMakers reconciled (STRIMZI_CUSTOM_RESOURCE_SELECTOR);
	// nil or Everything means all.
	Selector labels.Selector
	// Workers is the number of resources reconciled in parallel; 0 means DefaultWorkers.
	Workers int
	// FullReconciliationInterval is the period of the full pass that re-enqueues every resource
	// (STRIMZI_FULL_RECONCILIATION_INTERVAL_MS); 0 disables it. DefaultConfig sets
	// DefaultFullReconciliationInterval.
	FullReconciliationInterval time.Duration
	// OperationTimeout bounds how long the Deployment may take to be observed and to become
	// ready before the status says TimeoutException (STRIMZI_OPERATION_TIMEOUT_MS); 0 means
	// DefaultOperationTimeout.
	OperationTimeout time.Duration
	// Settings are the operator-wide inputs of the model.
	Settings model.Settings
	// DeprecationWarning adds the Warning condition with reason MirrorMaker1Deprecation to every
	// status past step 0. DefaultConfig sets it.
	DeprecationWarning bool
	// FieldManager is the server-side apply field manager; "" means DefaultFieldManager.
	FieldManager string
	// Clock is used for timeouts, the periodic pass, delayed requeues and condition timestamps;
	// nil means the real clock.
	Clock clock.WithTicker
}

// DefaultConfig returns the configuration the operator runs with when nothing is set: all
// namespaces, no selector, DefaultWorkers workers, a full pass every 120 s, a 300 s operation
// timeout, the default model settings and the deprecation warning on.
func DefaultConfig() Config {
	return Config{
		Workers:                    DefaultWorkers,
		FullReconciliationInterval: DefaultFullReconciliationInterval,
		OperationTimeout:           DefaultOperationTimeout,
		Settings:                   model.DefaultSettings(),
		DeprecationWarning:         true,
		FieldManager:               DefaultFieldManager,
	}
}

// withDefaults fills the zero values that have a default. FullReconciliationInterval and
// DeprecationWarning are taken as given: their zero values are meaningful.
func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.OperationTimeout <= 0 {
		c.OperationTimeout = DefaultOperationTimeout
	}
	if c.FieldManager == "" {
		c.FieldManager = DefaultFieldManager
	}
	if c.Clock == nil {
		c.Clock = clock.RealClock{}
	}
	if c.Selector == nil {
		c.Selector = labels.Everything()
	}
	if c.FullReconciliationInterval < 0 {
		c.FullReconciliationInterval = 0
	}
	return c
}

// watchedNamespaces returns the namespaces to build informer sets for; [""] means all.
func (c Config) watchedNamespaces() []string {
	if len(c.Namespaces) == 0 {
		return []string{""}
	}
	seen := map[string]bool{}
	var out []string
	for _, ns := range c.Namespaces {
		if ns == "*" || ns == "" {
			return []string{""}
		}
		if !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	return out
}
