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
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	kubescheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned"
	kmmscheme "github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned/scheme"
	"github.com/kmm-operator/kmm-operator/pkg/metrics"
)

// The event recorder encodes the KafkaMirrorMaker it reports on with client-go's scheme, so the
// kind is registered there once, before any controller (or any concurrent decode) can run.
func init() {
	utilruntime.Must(kmmscheme.AddToScheme(kubescheme.Scheme))
}

// retryMaxDelay caps the per-item exponential backoff (from 5 ms) of failed reconciliations.
const retryMaxDelay = 5 * time.Minute

// Controller reconciles KafkaMirrorMakers. Build it with New and start it with Run.
type Controller struct {
	cfg      Config
	kube     kubernetes.Interface
	kmm      versioned.Interface
	recorder record.EventRecorder
	metrics  *metrics.Metrics
	clock    clock.WithTicker
	// selectorLabel is the "selector" label value of the Strimzi metrics.
	selectorLabel string

	// sets holds the informers per watched namespace; the key "" means all namespaces.
	sets    map[string]*informerSet
	setList []*informerSet
	// registrations are the event handler registrations, synced once every initial event has
	// been delivered.
	registrations []cache.ResourceEventHandlerRegistration

	queue workqueue.TypedRateLimitingInterface[cache.ObjectName]

	// Contents of referenced Secrets and ConfigMaps, read live on resourceVersion change.
	secretContent    *contentCache[*corev1.Secret]
	configMapContent *contentCache[*corev1.ConfigMap]

	mu sync.Mutex
	// waits remembers, per resource UID, since when the pass has been waiting for the
	// Deployment, for the operation timeout.
	waits map[types.UID]waitRecord
	// usedRefs remembers, per resource UID, the resourceVersions of the Secrets and ConfigMaps
	// the Deployment was last reconciled with, to name the one whose change rolls the Pods.
	usedRefs map[types.UID]map[string]string
	// fresh holds objects returned by the operator's own writes while the informer cache still
	// has the older version (see freshen).
	fresh map[freshKey]freshRecord
	// verified remembers, per child, the resourceVersion last found (or made) to match a desired
	// apply body, and that body's digest (see ensure).
	verified map[freshKey]verifiedRecord
	// desired: the normalised digests of the desired bodies (memory.go).
	desired map[freshKey]desiredRecord
	// generations remembers, per resource UID, the generation last reconciled, so that what
	// happens once per generation (logging what the model ignores) does.
	generations map[types.UID]int64
	// states remembers the reason label of the strimzi_resource_state series of each resource.
	states map[cache.ObjectName]string

	started bool
	// informersOnce starts the informers once, from WarmUp or Run.
	informersOnce sync.Once
	// informersCtx is the context the informers were started with: they stop when it ends.
	informersCtx context.Context
}

// New builds the controller, its informers (not started yet), event handlers and workqueue.
// The clients are used for the watches, the live reads of referenced Secrets and ConfigMaps, the
// server-side applies of the children and the status writes. Events are recorded with recorder;
// its scheme must know the KafkaMirrorMaker type (New registers it in client-go's
// kubernetes/scheme.Scheme).
func New(cfg Config, kube kubernetes.Interface, kmm versioned.Interface, meta metadata.Interface, recorder record.EventRecorder, m *metrics.Metrics) (*Controller, error) {
	if kube == nil || kmm == nil || meta == nil {
		return nil, errors.New("controller: the kube, KafkaMirrorMaker and metadata clients are required")
	}
	if recorder == nil {
		return nil, errors.New("controller: an event recorder is required")
	}
	if m == nil {
		m = metrics.New()
	}
	cfg = cfg.withDefaults()

	c := &Controller{
		cfg:              cfg,
		kube:             kube,
		kmm:              kmm,
		recorder:         recorder,
		metrics:          m,
		clock:            cfg.Clock,
		selectorLabel:    selectorLabel(cfg.Selector),
		sets:             map[string]*informerSet{},
		secretContent:    newContentCache[*corev1.Secret](),
		configMapContent: newContentCache[*corev1.ConfigMap](),
		waits:            map[types.UID]waitRecord{},
		usedRefs:         map[types.UID]map[string]string{},
		fresh:            map[freshKey]freshRecord{},
		verified:         map[freshKey]verifiedRecord{},
		desired:          map[freshKey]desiredRecord{},
		generations:      map[types.UID]int64{},
		states:           map[cache.ObjectName]string{},
	}
	c.queue = workqueue.NewTypedRateLimitingQueueWithConfig(
		// client-go's default: max(per-item exponential from 5 ms, a 10 qps / burst 100 bucket),
		// with every delay capped at retryMaxDelay.
		workqueue.NewTypedWithMaxWaitRateLimiter(workqueue.DefaultTypedControllerRateLimiter[cache.ObjectName](), retryMaxDelay),
		workqueue.TypedRateLimitingQueueConfig[cache.ObjectName]{
			Name:            QueueName,
			MetricsProvider: m.WorkqueueProvider(),
			Clock:           cfg.Clock,
		},
	)

	logger := klog.Background().WithName("kafkamirrormaker-controller")
	for _, ns := range cfg.watchedNamespaces() {
		set, err := newInformerSet(ns, cfg.Selector, cfg.FieldManager, kube, kmm, meta)
		if err != nil {
			return nil, fmt.Errorf("controller: informers for namespace %q: %w", ns, err)
		}
		if err := c.addHandlers(set, logger); err != nil {
			return nil, fmt.Errorf("controller: event handlers for namespace %q: %w", ns, err)
		}
		c.sets[ns] = set
		c.setList = append(c.setList, set)
		c.metrics.InitResourceCounters(metrics.Kind, set.namespace, c.selectorLabel)
	}
	return c, nil
}

func selectorLabel(s labels.Selector) string {
	if s == nil || s.Empty() {
		return ""
	}
	return s.String()
}

// setFor returns the informer set watching namespace ns, or nil.
func (c *Controller) setFor(ns string) *informerSet {
	if s, ok := c.sets[ns]; ok {
		return s
	}
	return c.sets[""]
}

// HasSynced reports whether every informer has synced and every initial event has reached the
// handlers; the operator's /readyz should depend on it.
func (c *Controller) HasSynced() bool {
	for _, s := range c.setList {
		if !s.hasSynced() {
			return false
		}
	}
	for _, r := range c.registrations {
		if !r.HasSynced() {
			return false
		}
	}
	return true
}

// Run starts the informers, waits for their caches (returning an error if ctx ends first), then
// runs the workers and the periodic full pass until ctx is done. It then shuts the queue down,
// waits for the workers to finish their current item and stops the informers. Run may be
// called once.
func (c *Controller) Run(ctx context.Context) error {
	defer utilruntime.HandleCrashWithContext(ctx)
	logger := klog.FromContext(ctx).WithName("kafkamirrormaker-controller")
	ctx = klog.NewContext(ctx, logger)

	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return errors.New("controller: Run called twice")
	}
	c.started = true
	c.mu.Unlock()

	defer func() {
		// The informers run until the context that started them ends (WarmUp's first caller:
		// a warm standby's is the process's). Wait for them only then: a term that ends while
		// the process goes on (a lost Lease) must return at once.
		if c.informersCtx.Err() == nil {
			return
		}
		for _, s := range c.setList {
			s.shutdown()
		}
	}()
	defer c.queue.ShutDown()

	logger.Info("Starting controller", "namespaces", c.cfg.watchedNamespaces(), "selector", c.selectorLabel, "workers", c.cfg.Workers)
	if err := c.WarmUp(ctx); err != nil {
		return err
	}
	for _, s := range c.setList {
		c.updateGauges(s)
	}

	var wg sync.WaitGroup
	for range c.cfg.Workers {
		wg.Go(func() { wait.UntilWithContext(ctx, c.runWorker, time.Second) })
	}
	if c.cfg.FullReconciliationInterval > 0 {
		wg.Go(func() { c.runPeriodic(ctx) })
	}
	logger.Info("Started workers")
	<-ctx.Done()
	logger.Info("Shutting down controller")
	c.queue.ShutDown()
	wg.Wait()
	return nil
}

// WarmUp starts the informers, the first time it is called (by Run or before it), and waits
// until their caches are synced. Their event handlers fill the queue, which only Run's workers
// drain: a standby replica warms up while it waits for the Lease and reconciles nothing. The
// informers stop when the ctx of the first call is done.
func (c *Controller) WarmUp(ctx context.Context) error {
	c.informersOnce.Do(func() {
		c.informersCtx = ctx
		for _, s := range c.setList {
			s.start(ctx)
		}
	})
	if !cache.WaitForNamedCacheSyncWithContext(ctx, c.HasSynced) {
		return fmt.Errorf("controller: caches did not sync: %w", context.Cause(ctx))
	}
	return nil
}

func (c *Controller) runWorker(ctx context.Context) {
	for c.processNextWorkItem(ctx) {
	}
}

// processNextWorkItem reconciles one key. A failure is retried with the per-item backoff; success
// (including "waiting", which schedules its own delayed requeue) forgets the backoff.
func (c *Controller) processNextWorkItem(ctx context.Context) bool {
	key, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(key)

	if err := c.sync(ctx, key); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Reconciliation failed, will retry", "kafkamirrormaker", klog.KRef(key.Namespace, key.Name), "retries", c.queue.NumRequeues(key))
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

// runPeriodic re-enqueues every resource each FullReconciliationInterval, the first time one
// interval after the start (the informers' initial list already enqueued everything).
func (c *Controller) runPeriodic(ctx context.Context) {
	t := c.clock.NewTicker(c.cfg.FullReconciliationInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			c.enqueueAll(ctx)
		}
	}
}

// enqueueAll is one periodic full pass: every resource is added with a random delay in
// [0, interval) so the pass is spread instead of firing at once. It also refreshes the resource
// gauges and drops cached contents no resource references any more.
func (c *Controller) enqueueAll(ctx context.Context) {
	logger := klog.FromContext(ctx)
	interval := c.cfg.FullReconciliationInterval
	for _, s := range c.setList {
		kmms, err := s.kmms.List(labels.Everything())
		if err != nil {
			utilruntime.HandleErrorWithContext(ctx, err, "Listing KafkaMirrorMakers for the periodic reconciliation")
			continue
		}
		c.metrics.ReconciliationsPeriodical.WithLabelValues(metrics.Kind, s.namespace, c.selectorLabel).Inc()
		for _, k := range kmms {
			var delay time.Duration
			if interval > 0 {
				delay = rand.N(interval)
			}
			c.queue.AddAfter(cache.MetaObjectToName(k), delay)
		}
		logger.V(2).Info("Periodic reconciliation", "namespace", s.namespace, "resources", len(kmms), "spreadOver", interval)
		c.updateGauges(s)
	}
	c.sweepContent()
}

// updateGauges sets strimzi_resources and strimzi_resources_paused for one informer set.
func (c *Controller) updateGauges(s *informerSet) {
	kmms, err := s.kmms.List(labels.Everything())
	if err != nil {
		return
	}
	paused := 0
	for _, k := range kmms {
		if isPaused(k) {
			paused++
		}
	}
	c.metrics.Resources.WithLabelValues(metrics.Kind, s.namespace, c.selectorLabel).Set(float64(len(kmms)))
	c.metrics.ResourcesPaused.WithLabelValues(metrics.Kind, s.namespace, c.selectorLabel).Set(float64(paused))
}

// sweepContent evicts cached Secret and ConfigMap contents that no resource references.
func (c *Controller) sweepContent() {
	for _, key := range c.secretContent.keys() {
		if !c.referenced(secretIndex, key) {
			c.secretContent.evict(key)
		}
	}
	for _, key := range c.configMapContent.keys() {
		if !c.referenced(configMapIndex, key) {
			c.configMapContent.evict(key)
		}
	}
}

// referenced reports whether any resource references the Secret or ConfigMap key.
func (c *Controller) referenced(index string, key cache.ObjectName) bool {
	s := c.setFor(key.Namespace)
	if s == nil {
		return false
	}
	objs, err := s.kmmInformer.GetIndexer().ByIndex(index, key.String())
	return err == nil && len(objs) > 0
}
