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
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	kafkav1beta2 "github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	kmminformers "github.com/kmm-operator/kmm-operator/pkg/generated/informers/externalversions"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// Settings of the operator for the whole run.
const (
	fullInterval  = 10 * time.Second // short --full-reconciliation-interval so a steady cycle can be observed
	leaseDuration = 4 * time.Second
	renewDeadline = 3 * time.Second
	retryPeriod   = 1 * time.Second
	leaseName     = "kmm-operator"
	parallel      = 32 // concurrent creations by the benchmark
)

func (b *bench) operatorArgs() []string {
	args := []string{"--full-reconciliation-interval", fullInterval.String()}
	if profiling() {
		args = append(args, "--enable-pprof")
	}
	return args
}

func profiling() bool { return os.Getenv("BENCH_PROFILE") != "" }

// saveHeapProfile writes the operator's heap profile to .local/bench/heap-<phase>.pb.gz when
// BENCH_PROFILE is set; a failure is reported in the notes, not fatal.
func (b *bench) saveHeapProfile(p *operator, phase string) {
	if !profiling() {
		return
	}
	code, body, err := p.Get("/debug/pprof/heap")
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("HTTP %d", code)
	}
	if err == nil {
		path := filepath.Join(b.outDir, "heap-"+phase+".pb.gz")
		if err = os.WriteFile(path, []byte(body), 0o644); err == nil {
			logf("saved %s", path)
			return
		}
	}
	b.notes = append(b.notes, fmt.Sprintf("heap profile %s: %v", phase, err))
}

func (b *bench) latencySamples() int { return min(100, b.n) }

func kmmName(i int) string { return fmt.Sprintf("mm-%04d", i) }

func (b *bench) nsOf(i int) string { return b.namespaces[i%namespaceCount] }

func (b *bench) createNamespace(ctx context.Context, name string) error {
	_, err := b.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name,
		Labels: map[string]string{"kmm-bench": b.prefix}}}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	b.created = append(b.created, name)
	return nil
}

func (b *bench) setupNamespaces(ctx context.Context) error {
	for i := range namespaceCount {
		ns := fmt.Sprintf("%s-%d", b.prefix, i)
		if err := b.createNamespace(ctx, ns); err != nil {
			return err
		}
		b.namespaces = append(b.namespaces, ns)
		base := fmt.Sprintf("%s-base-%d", b.prefix, i)
		if err := b.createNamespace(ctx, base); err != nil {
			return err
		}
		b.baseNS = append(b.baseNS, base)
	}
	b.leaseNS = b.prefix + "-lease"
	if err := b.createNamespace(ctx, b.leaseNS); err != nil {
		return err
	}
	// The Lease permissions of artifacts/install/base/030-Role-kmm-operator-leader-election.yaml,
	// bound to the token user of .local/operator.kubeconfig.
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "kmm-operator-leader-election"}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"create"}},
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{leaseName}, Verbs: []string{"get", "update"}},
		{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
	}}
	if _, err := b.kube.RbacV1().Roles(b.leaseNS).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		return err
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "kmm-operator-leader-election"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: role.Name},
		Subjects: []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "kmm-operator"}}}
	_, err := b.kube.RbacV1().RoleBindings(b.leaseNS).Create(ctx, rb, metav1.CreateOptions{})
	return err
}

// cleanup stops every process and deletes every namespace the run created, waiting (bounded)
// until they are gone.
func (b *bench) cleanup() {
	for _, p := range b.procs {
		if err := p.stop(syscall.SIGTERM, 15*time.Second); err != nil {
			logf("cleanup: %v", err)
		}
	}
	if len(b.created) == 0 || keep() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	logf("cleanup: deleting %d namespaces", len(b.created))
	for _, ns := range b.created {
		err := b.kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			if _, isStatus := err.(apierrors.APIStatus); !isStatus {
				logf("cleanup: the API server is unreachable (%v); nothing to clean up there", err)
				return
			}
			logf("cleanup: deleting namespace %s: %v", ns, err)
		}
	}
	err := poll(ctx, 5*time.Minute, time.Second, "the benchmark namespaces to be deleted", func() (bool, error) {
		for _, ns := range b.created {
			if _, err := b.kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		logf("cleanup: %v (they are being deleted; the garbage collector finishes it)", err)
	}
}

// forEach runs f(i) for i in [0,n) with `parallel` workers and returns the first error.
func forEach(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	next := make(chan int)
	for range parallel {
		wg.Go(func() {
			for i := range next {
				if err := f(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		})
	}
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}

// mirrorMaker is Strimzi's minimal example resource (artifacts/examples/kafka-mirror-maker.yaml);
// the first latencySamples() resources authenticate the producer with SCRAM-SHA-512 and a
// password Secret of their own, so that rotating it changes their auth-hash.
func (b *bench) mirrorMaker(i int) *kafkav1beta2.KafkaMirrorMaker {
	k := &kafkav1beta2.KafkaMirrorMaker{
		ObjectMeta: metav1.ObjectMeta{Name: kmmName(i), Namespace: b.nsOf(i)},
		Spec: &kafkav1beta2.KafkaMirrorMakerSpec{
			Version:  ptr.To("3.9.2"),
			Replicas: 1,
			Consumer: &kafkav1beta2.KafkaMirrorMakerConsumerSpec{BootstrapServers: "cluster-a-kafka-bootstrap:9092", GroupID: "cluster-a-group-id"},
			Producer: &kafkav1beta2.KafkaMirrorMakerProducerSpec{BootstrapServers: "cluster-b-kafka-bootstrap:9092"},
			Include:  ptr.To(".*"),
		},
	}
	if i < b.latencySamples() {
		k.Spec.Producer.Authentication = &kafkav1beta2.KafkaClientAuthentication{Type: "scram-sha-512", Username: ptr.To("mirror"),
			PasswordSecret: &kafkav1beta2.PasswordSecretSource{SecretName: passwordSecret(i), Password: "password"}}
	}
	return k
}

func passwordSecret(i int) string { return fmt.Sprintf("bench-password-%04d", i) }

// baseline creates, in namespaces no operator watches, the objects the operator would apply for
// N minimal resources (ServiceAccount, ConfigMap, PodDisruptionBudget, Deployment, rendered by
// pkg/model without owner references) and times until every Deployment is available.
func (b *bench) baseline(ctx context.Context, w *watchers) error {
	logf("baseline: creating %d plain Deployments (with their ServiceAccounts, ConfigMaps, PodDisruptionBudgets)", b.n)
	settings := model.DefaultSettings()
	start := time.Now()
	err := forEach(ctx, b.n, func(ctx context.Context, i int) error {
		k := b.mirrorMaker(b.n + i) // no auth: nothing to look up
		k.Namespace = b.baseNS[i%namespaceCount]
		k.Name = kmmName(i)
		r, err := model.Render(k, settings, nil, nil)
		if err != nil {
			return fmt.Errorf("rendering %s: %w", k.Name, err)
		}
		ns := k.Namespace
		for _, o := range []metav1.Object{r.ServiceAccount, r.ConfigMap, r.PodDisruptionBudget, r.Deployment} {
			o.SetOwnerReferences(nil)
			o.SetNamespace(ns)
		}
		if _, err := b.kube.CoreV1().ServiceAccounts(ns).Create(ctx, r.ServiceAccount, metav1.CreateOptions{}); err != nil {
			return err
		}
		if _, err := b.kube.CoreV1().ConfigMaps(ns).Create(ctx, r.ConfigMap, metav1.CreateOptions{}); err != nil {
			return err
		}
		if _, err := b.kube.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, r.PodDisruptionBudget, metav1.CreateOptions{}); err != nil {
			return err
		}
		_, err = b.kube.AppsV1().Deployments(ns).Create(ctx, r.Deployment, metav1.CreateOptions{})
		return err
	})
	if err != nil {
		return err
	}
	err = poll(ctx, readyTimeout(b.n), 50*time.Millisecond, fmt.Sprintf("%d baseline Deployments available", b.n), func() (bool, error) {
		return w.baselineAvailable() == b.n, nil
	})
	if err != nil {
		return err
	}
	b.res.BaselineReadySeconds = time.Since(start).Seconds()
	logf("baseline: all %d Deployments available after %.1f s; deleting the baseline namespaces", b.n, b.res.BaselineReadySeconds)
	for _, ns := range b.baseNS {
		if err := b.kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
			return err
		}
	}
	// Wait until they are gone, so their deletion does not load the control plane during the
	// operator's run.
	return poll(ctx, readyTimeout(b.n), time.Second, "the baseline namespaces to be deleted", func() (bool, error) {
		for _, ns := range b.baseNS {
			if _, err := b.kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return false, nil
			}
		}
		return true, nil
	})
}

func readyTimeout(n int) time.Duration { return 2*time.Minute + time.Duration(n)*300*time.Millisecond }

// watchers timestamps what the benchmark waits for: KafkaMirrorMakers becoming Ready and changes
// of the operator's Deployments.
type watchers struct {
	b       *bench
	mu      sync.Mutex
	ready   map[string]bool // ns/name of KafkaMirrorMaker -> Ready=True for its generation
	nReady  int
	deps    map[string]*appsv1.Deployment // ns/<kmm name> -> latest Deployment
	base    map[string]bool               // baseline Deployment -> available
	waiters map[string][]*waiter
}

type waiter struct {
	pred func(*appsv1.Deployment) bool
	at   time.Time
	done chan struct{}
}

func (b *bench) startWatchers(ctx context.Context) (*watchers, error) {
	w := &watchers{b: b, ready: map[string]bool{}, base: map[string]bool{}, deps: map[string]*appsv1.Deployment{}, waiters: map[string][]*waiter{}}
	watched, baseNS := map[string]bool{}, map[string]bool{}
	for _, ns := range b.namespaces {
		watched[ns] = true
	}
	for _, ns := range b.baseNS {
		baseNS[ns] = true
	}
	kf := kmminformers.NewSharedInformerFactory(b.kmm, 0)
	kinf := kf.Kafka().V1beta2().KafkaMirrorMakers().Informer()
	onKMM := func(obj any) {
		k, ok := obj.(*kafkav1beta2.KafkaMirrorMaker)
		if !ok || !watched[k.Namespace] {
			return
		}
		w.setReady(k.Namespace+"/"+k.Name, isReady(k))
	}
	_, _ = kinf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    onKMM,
		UpdateFunc: func(_, obj any) { onKMM(obj) },
		DeleteFunc: func(obj any) {
			if k, ok := obj.(*kafkav1beta2.KafkaMirrorMaker); ok && watched[k.Namespace] {
				w.setReady(k.Namespace+"/"+k.Name, false)
			}
		},
	})
	df := informers.NewSharedInformerFactoryWithOptions(b.kube, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.LabelSelector = model.LabelKind + "=" + model.Kind
	}))
	dinf := df.Apps().V1().Deployments().Informer()
	onDep := func(obj any) {
		now := time.Now()
		d, ok := obj.(*appsv1.Deployment)
		if !ok {
			return
		}
		if baseNS[d.Namespace] {
			want := ptr.Deref(d.Spec.Replicas, 1)
			w.mu.Lock()
			w.base[d.Namespace+"/"+d.Name] = d.Status.ObservedGeneration == d.Generation && d.Status.AvailableReplicas >= want && d.Status.UpdatedReplicas >= want
			w.mu.Unlock()
			return
		}
		if !watched[d.Namespace] {
			return
		}
		key := d.Namespace + "/" + d.Labels[model.LabelCluster]
		w.mu.Lock()
		defer w.mu.Unlock()
		w.deps[key] = d
		rest := w.waiters[key][:0]
		for _, wt := range w.waiters[key] {
			if wt.pred(d) {
				wt.at = now
				close(wt.done)
			} else {
				rest = append(rest, wt)
			}
		}
		w.waiters[key] = rest
	}
	_, _ = dinf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: onDep, UpdateFunc: func(_, obj any) { onDep(obj) }})
	kf.Start(ctx.Done())
	df.Start(ctx.Done())
	syncCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if !cache.WaitForCacheSync(syncCtx.Done(), kinf.HasSynced, dinf.HasSynced) {
		return nil, fmt.Errorf("the benchmark's informers did not sync within 2m")
	}
	return w, nil
}

func isReady(k *kafkav1beta2.KafkaMirrorMaker) bool {
	if k.Status == nil || k.Status.ObservedGeneration == nil || *k.Status.ObservedGeneration != k.Generation {
		return false
	}
	for _, c := range k.Status.Conditions {
		if c.Type != nil && *c.Type == "Ready" && c.Status != nil {
			return *c.Status == "True"
		}
	}
	return false
}

func (w *watchers) setReady(key string, r bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ready[key] != r {
		if r {
			w.nReady++
		} else {
			w.nReady--
		}
	}
	w.ready[key] = r
}

func (w *watchers) readyCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.nReady
}

func (w *watchers) deployment(ns, name string) *appsv1.Deployment {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.deps[ns+"/"+name]
}

// expect registers, before an action, a wait for the Deployment of ns/name to satisfy pred.
func (w *watchers) expect(ns, name string, pred func(*appsv1.Deployment) bool) *waiter {
	wt := &waiter{pred: pred, done: make(chan struct{})}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waiters[ns+"/"+name] = append(w.waiters[ns+"/"+name], wt)
	return wt
}

func (wt *waiter) wait(ctx context.Context, timeout time.Duration, what string) (time.Time, error) {
	select {
	case <-wt.done:
		return wt.at, nil
	case <-time.After(timeout):
		return time.Time{}, fmt.Errorf("timed out after %s waiting for %s", timeout, what)
	case <-ctx.Done():
		return time.Time{}, fmt.Errorf("waiting for %s: %w", what, ctx.Err())
	}
}

func authHash(d *appsv1.Deployment) string {
	return d.Spec.Template.Annotations[model.AnnotationAuthHash]
}

// settle waits until the operator's queue is empty and it sent no request for quiet.
func settle(ctx context.Context, p *operator, quiet, timeout time.Duration) (metrics, error) {
	var last metrics
	var lastReq float64 = -1
	var since time.Time
	err := poll(ctx, timeout, 500*time.Millisecond, "operator "+p.Name+" to settle (empty queue, no requests for "+quiet.String()+")", func() (bool, error) {
		if err := p.alive(); err != nil {
			return false, err
		}
		m, err := p.metrics()
		if err != nil {
			return false, nil
		}
		last = m
		req := m.requests()
		if req != lastReq || m.sum("workqueue_depth") != 0 {
			lastReq, since = req, time.Now()
			return false, nil
		}
		return time.Since(since) >= quiet, nil
	})
	return last, err
}

// waitPeriodic waits until the operator has started `ticks` more periodic passes (the counter
// goes up once per watched namespace and pass) than the value in m, and returns the metrics then.
func waitPeriodic(ctx context.Context, p *operator, m metrics, ticks int) (metrics, error) {
	base := m.sum("strimzi_reconciliations_periodical_total")
	var last metrics
	err := poll(ctx, time.Duration(ticks+1)*fullInterval+30*time.Second, 100*time.Millisecond, fmt.Sprintf("%d periodic full passes of %s", ticks, p.Name), func() (bool, error) {
		if err := p.alive(); err != nil {
			return false, err
		}
		mm, err := p.metrics()
		if err != nil {
			return false, nil
		}
		last = mm
		return mm.sum("strimzi_reconciliations_periodical_total") >= base+float64(ticks*namespaceCount), nil
	})
	return last, err
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func percentile(ms []float64, p float64) float64 {
	if len(ms) == 0 {
		return 0
	}
	s := append([]float64(nil), ms...)
	sort.Float64s(s)
	i := int(p/100*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// throughputMemoryLatency runs groups 1-4 with one operator process.
func (b *bench) throughputMemoryLatency(ctx context.Context, w *watchers) error {
	r := b.latencySamples()
	logf("creating the %d password Secrets referenced by the first %d resources", r, r)
	err := forEach(ctx, r, func(ctx context.Context, i int) error {
		_, err := b.kube.CoreV1().Secrets(b.nsOf(i)).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: passwordSecret(i)},
			Data: map[string][]byte{"password": []byte("initial")}}, metav1.CreateOptions{})
		return err
	})
	if err != nil {
		return err
	}
	p, err := b.startOperator("operator-a", b.operatorArgs()...)
	if err != nil {
		return err
	}
	if err := p.waitReady(ctx, 2*time.Minute); err != nil {
		return err
	}
	m0, err := p.metrics()
	if err != nil {
		return err
	}
	// The process with nothing to reconcile yet: the floor the per-resource cost is counted from.
	if _, err := settle(ctx, p, 5*time.Second, time.Minute); err != nil {
		return err
	}
	if b.res.RSSMiBEmpty, _, err = p.RSS(); err != nil {
		return err
	}
	logf("memory: RSS %.1f MiB with no resource", b.res.RSSMiBEmpty)

	// 1. Throughput.
	logf("throughput: creating %d KafkaMirrorMakers in %d namespaces", b.n, namespaceCount)
	start := time.Now()
	if err := forEach(ctx, b.n, func(ctx context.Context, i int) error {
		_, err := b.kmm.KafkaV1beta2().KafkaMirrorMakers(b.nsOf(i)).Create(ctx, b.mirrorMaker(i), metav1.CreateOptions{})
		return err
	}); err != nil {
		return err
	}
	logf("throughput: created in %.1f s; waiting for Ready=True", time.Since(start).Seconds())
	if err := poll(ctx, readyTimeout(b.n), 100*time.Millisecond, fmt.Sprintf("%d KafkaMirrorMakers Ready", b.n), func() (bool, error) {
		return w.readyCount() == b.n, p.alive()
	}); err != nil {
		return fmt.Errorf("%w (%d Ready)", err, w.readyCount())
	}
	b.res.N = b.n
	b.res.AllReadySeconds = time.Since(start).Seconds()
	b.res.ReadyRatio = b.res.AllReadySeconds / b.res.BaselineReadySeconds
	m1, err := p.metrics()
	if err != nil {
		return err
	}
	b.res.WritesPerResourceCreate = (m1.writes() - m0.writes()) / float64(b.n)
	b.createRequests = m1.byVerbResource(m0)
	logf("throughput: all Ready after %.1f s (baseline %.1f s)", b.res.AllReadySeconds, b.res.BaselineReadySeconds)

	// 2. Steady state: one full periodic cycle.
	ms, err := settle(ctx, p, 5*time.Second, readyTimeout(b.n))
	if err != nil {
		return err
	}
	rss, _, err := p.RSS()
	if err != nil {
		return err
	}
	b.res.RSSMiBSteady = rss
	b.res.KiBPerResource = (rss - b.res.RSSMiBEmpty) * 1024 / float64(b.n)
	b.saveHeapProfile(p, "steady")
	ma, err := waitPeriodic(ctx, p, ms, 1)
	if err != nil {
		return err
	}
	mb, err := waitPeriodic(ctx, p, ma, 1)
	if err != nil {
		return err
	}
	b.res.RequestsPerSteadyCycle = mb.requests() - ma.requests()
	b.steadyRequests = mb.byVerbResource(ma)
	b.reconcilesPerCycle = mb.sum("strimzi_reconciliations_total") - ma.sum("strimzi_reconciliations_total")
	logf("steady: RSS %.1f MiB; %v requests in one %s full cycle (%v reconciliations)", rss, b.res.RequestsPerSteadyCycle, fullInterval, b.reconcilesPerCycle)

	// 3. Memory with unrelated Secrets.
	logf("memory: creating %d unrelated Secrets of 10 KiB", b.secrets)
	start = time.Now()
	if err := forEach(ctx, b.secrets, func(ctx context.Context, i int) error {
		_, err := b.kube.CoreV1().Secrets(b.nsOf(i)).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("unrelated-%05d", i)},
			Data: map[string][]byte{"data": randomBytes(10 * 1024)}}, metav1.CreateOptions{})
		return err
	}); err != nil {
		return err
	}
	logf("memory: created in %.1f s", time.Since(start).Seconds())
	if _, err := settle(ctx, p, 5*time.Second, 2*time.Minute); err != nil {
		return err
	}
	if b.res.RSSMiBWithSecrets, _, err = p.RSS(); err != nil {
		return err
	}
	logf("memory: RSS %.1f MiB with the Secrets", b.res.RSSMiBWithSecrets)
	b.saveHeapProfile(p, "with-secrets")

	// 4. Latency.
	waitFor := 2*fullInterval + 10*time.Second
	var rot []float64
	for i := range r {
		ns, name := b.nsOf(i), kmmName(i)
		d := w.deployment(ns, name)
		if d == nil {
			return fmt.Errorf("no Deployment seen for %s/%s", ns, name)
		}
		old := authHash(d)
		wt := w.expect(ns, name, func(d *appsv1.Deployment) bool { return authHash(d) != old })
		t0 := time.Now()
		_, err := b.kube.CoreV1().Secrets(ns).Update(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: passwordSecret(i)},
			Data: map[string][]byte{"password": fmt.Appendf(nil, "rotated-%d", time.Now().UnixNano())}}, metav1.UpdateOptions{})
		if err != nil {
			return err
		}
		at, err := wt.wait(ctx, waitFor, fmt.Sprintf("the auth-hash of %s/%s to change after its Secret rotated", ns, name))
		if err != nil {
			return err
		}
		rot = append(rot, float64(at.Sub(t0).Microseconds())/1000)
	}
	b.res.SecretRotationP50Ms, b.res.SecretRotationP99Ms = percentile(rot, 50), percentile(rot, 99)
	logf("latency: %d Secret rotations, p50 %.0f ms, p99 %.0f ms", r, b.res.SecretRotationP50Ms, b.res.SecretRotationP99Ms)
	var spec []float64
	for j := range r {
		i := (b.n - 1 - j + b.n) % b.n // other resources than the rotated ones where N allows
		ns, name := b.nsOf(i), kmmName(i)
		d := w.deployment(ns, name)
		if d == nil {
			return fmt.Errorf("no Deployment seen for %s/%s", ns, name)
		}
		gen := d.Generation
		wt := w.expect(ns, name, func(d *appsv1.Deployment) bool { return d.Generation > gen })
		t0 := time.Now()
		if err := b.changeSpec(ctx, i, j); err != nil {
			return err
		}
		at, err := wt.wait(ctx, waitFor, fmt.Sprintf("the Deployment of %s/%s to change after a spec change", ns, name))
		if err != nil {
			return err
		}
		spec = append(spec, float64(at.Sub(t0).Microseconds())/1000)
	}
	b.res.SpecChangeP50Ms, b.res.SpecChangeP99Ms = percentile(spec, 50), percentile(spec, 99)
	logf("latency: %d spec changes, p50 %.0f ms, p99 %.0f ms", r, b.res.SpecChangeP50Ms, b.res.SpecChangeP99Ms)

	// Let the rollouts finish, so that the restart below really has nothing to change.
	if err := poll(ctx, readyTimeout(b.n), 200*time.Millisecond, "every KafkaMirrorMaker Ready again after the changes", func() (bool, error) {
		return w.readyCount() == b.n, p.alive()
	}); err != nil {
		return fmt.Errorf("%w; not Ready: %s", err, b.notReady(ctx))
	}
	if _, err := settle(ctx, p, 5*time.Second, 2*time.Minute); err != nil {
		return err
	}
	if _, b.res.RSSMiBPeak, err = p.RSS(); err != nil {
		return err
	}
	logf("memory: peak RSS (VmHWM) %.1f MiB", b.res.RSSMiBPeak)
	return p.stop(syscall.SIGTERM, 30*time.Second)
}

// changeSpec changes spec.include of resource i (a change that reaches the Deployment).
func (b *bench) changeSpec(ctx context.Context, i, seq int) error {
	patch := fmt.Appendf(nil, `{"spec":{"include":"bench-topic-%d-%d.*"}}`, seq, time.Now().UnixNano())
	_, err := b.kmm.KafkaV1beta2().KafkaMirrorMakers(b.nsOf(i)).Patch(ctx, kmmName(i), types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

// firstPass waits until the operator has reconciled every resource once and its queue is empty.
func (b *bench) firstPass(ctx context.Context, p *operator, timeout time.Duration) (time.Time, metrics, error) {
	var at time.Time
	var last metrics
	err := poll(ctx, timeout, 50*time.Millisecond, "the first full pass of "+p.Name, func() (bool, error) {
		if err := p.alive(); err != nil {
			return false, err
		}
		m, err := p.metrics()
		if err != nil {
			return false, nil
		}
		last, at = m, time.Now()
		return m.sum("strimzi_reconciliations_total") >= float64(b.n) && m.sum("workqueue_depth") == 0 &&
			m.sum("workqueue_unfinished_work_seconds") == 0, nil
	})
	return at, last, err
}

// startup restarts the operator with everything Ready and nothing changed (group 6 and the
// restart figure of group 2).
func (b *bench) startup(ctx context.Context) error {
	p, err := b.startOperator("operator-b", b.operatorArgs()...)
	if err != nil {
		return err
	}
	at, m, err := b.firstPass(ctx, p, readyTimeout(b.n))
	if err != nil {
		return err
	}
	b.res.StartupSeconds = at.Sub(p.started).Seconds()
	b.res.StartupWrites = m.writes()
	b.startupRequests = m.byVerbResource(nil)
	logf("start-up: first full pass over %d resources after %.2f s, %v writes", b.n, b.res.StartupSeconds, b.res.StartupWrites)
	// Count on through the first periodic full pass after the restart.
	m2, err := waitPeriodic(ctx, p, m, 2)
	if err != nil {
		return err
	}
	b.res.WritesAfterRestart = m2.writes()
	b.restartRequests = m2.byVerbResource(nil)
	logf("restart: %v writes from start through one periodic full pass", b.res.WritesAfterRestart)
	return p.stop(syscall.SIGTERM, 30*time.Second)
}

func (b *bench) leaseHolder(ctx context.Context) string {
	l, err := b.kube.CoordinationV1().Leases(b.leaseNS).Get(ctx, leaseName, metav1.GetOptions{})
	if err != nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

func (b *bench) electedOperator(id string) (*operator, error) {
	return b.startOperator(id, append(b.operatorArgs(), "--leader-elect",
		"--leader-election-lease-name", leaseName, "--leader-election-lease-namespace", b.leaseNS,
		"--leader-election-identity", id, "--leader-election-lease-duration", leaseDuration.String(),
		"--leader-election-renew-deadline", renewDeadline.String(), "--leader-election-retry-period", retryPeriod.String())...)
}

// failover measures the time from SIGKILL (then SIGTERM) of the leader until the standby has
// applied a change made right after the signal.
func (b *bench) failover(ctx context.Context, w *watchers) error {
	leader, err := b.electedOperator("bench-l1")
	if err != nil {
		return err
	}
	if err := poll(ctx, 2*time.Minute, 100*time.Millisecond, "bench-l1 to hold the Lease", func() (bool, error) {
		return b.leaseHolder(ctx) == "bench-l1", leader.alive()
	}); err != nil {
		return err
	}
	if _, _, err := b.firstPass(ctx, leader, readyTimeout(b.n)); err != nil {
		return err
	}
	for k, tc := range []struct {
		sig    syscall.Signal
		result *float64
	}{{syscall.SIGKILL, &b.res.FailoverKillSeconds}, {syscall.SIGTERM, &b.res.FailoverGracefulSeconds}} {
		id := fmt.Sprintf("bench-l%d", k+2)
		standby, err := b.electedOperator(id)
		if err != nil {
			return err
		}
		if err := standby.waitReady(ctx, 2*time.Minute); err != nil {
			return err
		}
		time.Sleep(2 * retryPeriod) // the standby is now polling the Lease
		if k == 0 {
			if err := b.standbyMemory(ctx, standby); err != nil {
				return err
			}
		}
		i := k % b.n
		ns, name := b.nsOf(i), kmmName(i)
		d := w.deployment(ns, name)
		if d == nil {
			return fmt.Errorf("no Deployment seen for %s/%s", ns, name)
		}
		gen := d.Generation
		wt := w.expect(ns, name, func(d *appsv1.Deployment) bool { return d.Generation > gen })
		t0 := time.Now()
		if err := leader.Signal(tc.sig); err != nil {
			return err
		}
		if err := b.changeSpec(ctx, i, 1000+k); err != nil {
			return err
		}
		at, err := wt.wait(ctx, leaseDuration+2*time.Minute, fmt.Sprintf("standby %s to apply a change after %s of the leader", id, tc.sig))
		if err != nil {
			return err
		}
		*tc.result = at.Sub(t0).Seconds()
		logf("failover: %s of the leader -> change applied by %s after %.2f s (lease holder now %q)", tc.sig, id, *tc.result, b.leaseHolder(ctx))
		select {
		case <-leader.Exited():
		case <-time.After(30 * time.Second):
			return fmt.Errorf("leader %s did not exit within 30s of %s", leader.Name, tc.sig)
		}
		if tc.sig == syscall.SIGTERM && leader.ExitCode() != 0 {
			b.notes = append(b.notes, fmt.Sprintf("leader %s exited with code %d after SIGTERM", leader.Name, leader.ExitCode()))
		}
		if _, _, err := b.firstPass(ctx, standby, readyTimeout(b.n)); err != nil {
			return err
		}
		leader = standby
	}
	return leader.stop(syscall.SIGTERM, 30*time.Second)
}

// standbyMemory measures the RSS of a warm standby (its caches filled, as the leader's) and of a
// cold one (--leader-election-warm-standby=false: it watches nothing until it leads).
//
// A standby never settles as the leader does (it tries the Lease every retry period, and a warm
// one holds every resource in its queue for the day it leads): both are measured once ready (the
// warm one's caches synced) and two retry periods later.
func (b *bench) standbyMemory(ctx context.Context, warm *operator) error {
	rss, _, err := warm.RSS()
	if err != nil {
		return err
	}
	b.res.RSSMiBStandbyWarm = rss
	cold, err := b.startOperator("bench-cold-standby", append(b.operatorArgs(), "--leader-elect",
		"--leader-election-lease-name", leaseName, "--leader-election-lease-namespace", b.leaseNS,
		"--leader-election-identity", "bench-cold-standby", "--leader-election-warm-standby=false")...)
	if err != nil {
		return err
	}
	if err := cold.waitReady(ctx, 2*time.Minute); err != nil {
		return err
	}
	time.Sleep(2 * retryPeriod)
	if b.res.RSSMiBStandbyCold, _, err = cold.RSS(); err != nil {
		return err
	}
	logf("memory: warm standby %.1f MiB, cold standby %.1f MiB", b.res.RSSMiBStandbyWarm, b.res.RSSMiBStandbyCold)
	return cold.stop(syscall.SIGTERM, 30*time.Second)
}

func keep() bool { return os.Getenv("BENCH_KEEP_NAMESPACES") != "" }

// notReady describes (at most 5 of) the resources that are not Ready, for error messages.
func (b *bench) notReady(ctx context.Context) string {
	var out []string
	for _, ns := range b.namespaces {
		l, err := b.kmm.KafkaV1beta2().KafkaMirrorMakers(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err.Error()
		}
		for i := range l.Items {
			k := &l.Items[i]
			if isReady(k) || len(out) >= 5 {
				continue
			}
			desc := fmt.Sprintf("%s/%s generation %d", k.Namespace, k.Name, k.Generation)
			if k.Status != nil {
				if k.Status.ObservedGeneration != nil {
					desc += fmt.Sprintf(" observed %d", *k.Status.ObservedGeneration)
				}
				for _, c := range k.Status.Conditions {
					desc += fmt.Sprintf(" [%s=%s %s: %s]", ptr.Deref(c.Type, ""), ptr.Deref(c.Status, ""), ptr.Deref(c.Reason, ""), ptr.Deref(c.Message, ""))
				}
			}
			if d, err := b.kube.AppsV1().Deployments(ns).Get(ctx, k.Name+"-mirror-maker", metav1.GetOptions{}); err == nil {
				desc += fmt.Sprintf(" deployment gen %d observed %d replicas %d updated %d ready %d available %d unavailable %d",
					d.Generation, d.Status.ObservedGeneration, d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas, d.Status.UnavailableReplicas)
			}
			out = append(out, desc)
		}
	}
	return strings.Join(out, "; ")
}

func (w *watchers) baselineAvailable() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, ok := range w.base {
		if ok {
			n++
		}
	}
	return n
}
