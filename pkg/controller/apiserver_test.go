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
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2/ktesting"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned"
	"github.com/kmm-operator/kmm-operator/pkg/metrics"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// EnvTestKubeconfig names an admin kubeconfig of a real cluster with the KafkaMirrorMaker CRD
// installed (for example .local/kubeconfig after `hack/cluster/cluster.sh up`). When it is set,
// TestAgainstAPIServer runs the controller against that API server, where server-side apply,
// defaulting and managedFields are real; otherwise the test is skipped.
const EnvTestKubeconfig = "KMM_TEST_KUBECONFIG"

// EnvTestOperatorKubeconfig optionally names the kubeconfig the controller itself uses in
// TestAgainstAPIServer (for example .local/operator.kubeconfig, bound to ClusterRole
// kmm-operator), so that the RBAC rules are exercised too. The admin kubeconfig is used otherwise.
const EnvTestOperatorKubeconfig = "KMM_TEST_OPERATOR_KUBECONFIG"

// requestLog records the API requests made by the controller's clients, without watches.
type requestLog struct {
	mu   sync.Mutex
	reqs []string
}

func (l *requestLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Query().Get("watch") != "true" {
			l.mu.Lock()
			l.reqs = append(l.reqs, r.Method+" "+r.URL.Path)
			l.mu.Unlock()
		}
		return rt.RoundTrip(r)
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = nil
}

// matching returns the recorded requests with the method whose path contains part.
func (l *requestLog) matching(method, part string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.reqs {
		if strings.HasPrefix(r, method+" ") && strings.Contains(r, part) {
			out = append(out, r)
		}
	}
	return out
}

func (l *requestLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.reqs...)
}

type liveEnv struct {
	t     *testing.T
	ctx   context.Context
	ns    string
	admin kubernetes.Interface
	kmm   versioned.Interface
	log   *requestLog
	c     *Controller
	m     *metrics.Metrics
}

// TestAgainstAPIServer checks against a real API server what the fakes cannot show faithfully:
// that after creation, adoption, a Secret rotation and a `kubectl rollout restart` the
// server-side apply comparison sends nothing it does not have to, and that a no-op pass makes no
// request at all. The Deployment controller is played by the test (the API server alone is
// enough), so the test also runs without kube-controller-manager.
func TestAgainstAPIServer(t *testing.T) {
	path := os.Getenv(EnvTestKubeconfig)
	if path == "" {
		// make test always provides the local control plane; only a bare `go test` may skip.
		if os.Getenv("KMM_REQUIRE_CLUSTER") != "" {
			t.Fatalf("KMM_REQUIRE_CLUSTER is set but %s is not: no cluster to test against", EnvTestKubeconfig)
		}
		t.Skipf("set %s to an admin kubeconfig of a cluster with the KafkaMirrorMaker CRD to run", EnvTestKubeconfig)
	}
	_, ctx := ktesting.NewTestContext(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	require.NoError(t, err)
	cfg.QPS, cfg.Burst = 50, 100
	admin := kubernetes.NewForConfigOrDie(cfg)
	adminKMM := versioned.NewForConfigOrDie(cfg)

	ns := fmt.Sprintf("kmm-controller-test-%d", time.Now().UnixNano()%1000000)
	_, err = admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	require.NoError(t, err)
	defer func() {
		_ = admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	}()

	log := &requestLog{}
	ocfg := rest.CopyConfig(cfg)
	if p := os.Getenv(EnvTestOperatorKubeconfig); p != "" {
		ocfg, err = clientcmd.BuildConfigFromFlags("", p)
		require.NoError(t, err)
		ocfg.QPS, ocfg.Burst = 50, 100
	}
	ocfg.Wrap(log.wrap)
	m := metrics.New()
	ccfg := DefaultConfig()
	ccfg.Namespaces = []string{ns}
	ccfg.FullReconciliationInterval = 0
	c, err := New(ccfg, kubernetes.NewForConfigOrDie(ocfg), versioned.NewForConfigOrDie(ocfg), metadata.NewForConfigOrDie(ocfg), record.NewFakeRecorder(1000), m)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	require.Eventually(t, c.HasSynced, 30*time.Second, 50*time.Millisecond)
	played := make(chan struct{})
	go func() {
		defer close(played)
		playDeploymentController(ctx, admin, ns)
	}()
	// Stop the simulated Deployment controller before the test returns: a goroutine that
	// outlives its test would race with the next one.
	defer func() {
		cancel()
		<-played
	}()

	e := &liveEnv{t: t, ctx: ctx, ns: ns, admin: admin, kmm: adminKMM, log: log, c: c, m: m}

	t.Run("create, then a no-op pass makes no request", func(t *testing.T) {
		e.t = t
		e.log.reset()
		e.create(liveKMM(ns, "foo", nil))
		e.waitReady("foo")
		e.quiesce()
		for _, r := range []string{"/serviceaccounts/", "/configmaps/", "/poddisruptionbudgets/", "/deployments/"} {
			assert.Len(t, e.log.matching("PATCH", r), 1, "one apply per child, no re-apply after it: %v", e.log.all())
		}
		e.requireNoOpPass("foo")
	})

	t.Run("Secret rotation: one Deployment apply, only the auth hash changes", func(t *testing.T) {
		e.t = t
		_, err := admin.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "user-pw"}, Data: map[string][]byte{"password": []byte("one")},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
		e.create(liveKMM(ns, "scram", func(k *v1beta2.KafkaMirrorMaker) {
			k.Spec.Producer.Authentication = &v1beta2.KafkaClientAuthentication{
				Type: v1beta2.AuthenticationTypeScramSha512, Username: ptr.To("producer"),
				PasswordSecret: &v1beta2.PasswordSecretSource{SecretName: "user-pw", Password: "password"},
			}
		}))
		e.waitReady("scram")
		e.requireNoOpPass("scram")
		before := e.deployment("scram-mirror-maker")

		e.quiesce()
		e.log.reset()
		s, err := admin.CoreV1().Secrets(ns).Get(ctx, "user-pw", metav1.GetOptions{})
		require.NoError(t, err)
		s.Data["password"] = []byte("two")
		_, err = admin.CoreV1().Secrets(ns).Update(ctx, s, metav1.UpdateOptions{})
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			d := e.deployment("scram-mirror-maker")
			return d.Spec.Template.Annotations[model.AnnotationAuthHash] != before.Spec.Template.Annotations[model.AnnotationAuthHash]
		}, 30*time.Second, 50*time.Millisecond)
		// The resource's generation does not change on a rotation, so Ready alone could be the
		// status from before the rollout: wait for the rollout itself to finish first.
		e.waitDeploymentRolledOut("scram-mirror-maker")
		e.waitReady("scram")
		e.quiesce()
		assert.Len(t, e.log.matching("PATCH", "/deployments/scram-mirror-maker"), 1, "%v", e.log.all())
		assert.Len(t, e.log.matching("GET", "/secrets/user-pw"), 1, "%v", e.log.all())
		after := e.deployment("scram-mirror-maker")
		bt, at := before.Spec.Template.DeepCopy(), after.Spec.Template.DeepCopy()
		delete(bt.Annotations, model.AnnotationAuthHash)
		delete(at.Annotations, model.AnnotationAuthHash)
		assert.Equal(t, bt, at, "only the auth hash changed in the Pod template")
		e.requireNoOpPass("scram")
	})

	t.Run("kubectl rollout restart is not reverted", func(t *testing.T) {
		e.t = t
		e.quiesce()
		e.log.reset()
		patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":%q}}}}}`, time.Now().Format(time.RFC3339))
		_, err := admin.AppsV1().Deployments(ns).Patch(ctx, "foo-mirror-maker", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-rollout"})
		require.NoError(t, err)
		e.waitDeploymentRolledOut("foo-mirror-maker")
		e.waitReady("foo")
		e.quiesce()
		assert.Empty(t, e.log.matching("PATCH", "/deployments/"), "%v", e.log.all())
		assert.NotEmpty(t, e.deployment("foo-mirror-maker").Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"])
		e.requireNoOpPass("foo")
	})

	t.Run("a drifted field is repaired from the cached digest: one apply, no read", func(t *testing.T) {
		e.t = t
		e.quiesce()
		e.log.reset()
		patch := `{"spec":{"template":{"spec":{"containers":[{"name":"foo-mirror-maker","image":"hacked:1"}]}}}}`
		_, err := admin.AppsV1().Deployments(ns).Patch(ctx, "foo-mirror-maker", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"})
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			return e.deployment("foo-mirror-maker").Spec.Template.Spec.Containers[0].Image != "hacked:1"
		}, 30*time.Second, 50*time.Millisecond, "the image is set back")
		e.waitDeploymentRolledOut("foo-mirror-maker")
		e.waitReady("foo")
		e.quiesce()
		assert.Len(t, e.log.matching("PATCH", "/deployments/foo-mirror-maker"), 1, "%v", e.log.all())
		assert.Empty(t, e.log.matching("GET", "/deployments/"), "decided from the cache: %v", e.log.all())
		e.requireNoOpPass("foo")
	})

	t.Run("a new process decides from its own cache: no request", func(t *testing.T) {
		e.t = t
		e.quiesce()
		// A second controller, as after a restart or a failover: its caches are filled by a
		// list, whose items the informer may pass through the transform more than once.
		log2 := &requestLog{}
		cfg2 := rest.CopyConfig(ocfg)
		cfg2.Wrap(log2.wrap)
		m2 := metrics.New()
		c2, err := New(ccfg, kubernetes.NewForConfigOrDie(cfg2), versioned.NewForConfigOrDie(cfg2), metadata.NewForConfigOrDie(cfg2), record.NewFakeRecorder(1000), m2)
		require.NoError(t, err)
		ctx2, cancel2 := context.WithCancel(ctx)
		done2 := make(chan error, 1)
		go func() { done2 <- c2.Run(ctx2) }()
		defer func() {
			cancel2()
			<-done2
		}()
		require.Eventually(t, c2.HasSynced, 30*time.Second, 50*time.Millisecond)
		kmms, err := e.kmm.KafkaV1beta2().KafkaMirrorMakers(ns).List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		require.NotEmpty(t, kmms.Items)
		labels := []string{metrics.Kind, ns, ""}
		require.Eventually(t, func() bool {
			return testutil.ToFloat64(m2.ReconciliationsSuccessful.WithLabelValues(labels...)) >= float64(len(kmms.Items)) && c2.queue.Len() == 0
		}, 30*time.Second, 10*time.Millisecond, "the new controller's first pass over each resource")
		// Besides the informers' lists, it reads each referenced Secret once (their contents
		// are not cached across processes); no child is read, nothing is written.
		var calls []string
		for _, r := range log2.all() {
			last := r[strings.LastIndex(r, "/")+1:]
			switch {
			case last == "deployments", last == "serviceaccounts", last == "configmaps", last == "poddisruptionbudgets",
				last == "secrets", last == "kafkamirrormakers", strings.HasPrefix(r, "GET ") && strings.Contains(r, "/secrets/"):
				continue
			}
			calls = append(calls, r)
		}
		assert.Empty(t, calls, "the first passes of a new process over unchanged resources read no child and write nothing")
	})

	t.Run("children left by Strimzi are adopted without a write", func(t *testing.T) {
		e.t = t
		// Paused while the "Strimzi" children are created, so that the owner UID is known.
		k := e.create(liveKMM(ns, "legacy", func(k *v1beta2.KafkaMirrorMaker) {
			k.Annotations = map[string]string{AnnotationPause: "true"}
		}))
		r, err := model.Render(k, DefaultConfig().Settings, nil, nil)
		require.NoError(t, err)
		opts := metav1.CreateOptions{FieldManager: "strimzi-cluster-operator"}
		_, err = admin.CoreV1().ServiceAccounts(ns).Create(ctx, r.ServiceAccount, opts)
		require.NoError(t, err)
		_, err = admin.CoreV1().ConfigMaps(ns).Create(ctx, r.ConfigMap, opts)
		require.NoError(t, err)
		_, err = admin.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, r.PodDisruptionBudget, opts)
		require.NoError(t, err)
		_, err = admin.AppsV1().Deployments(ns).Create(ctx, r.Deployment, opts)
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			d, err := admin.AppsV1().Deployments(ns).Get(ctx, "legacy-mirror-maker", metav1.GetOptions{})
			return err == nil && d.Status.ObservedGeneration == d.Generation && d.Status.AvailableReplicas == 1
		}, 30*time.Second, 50*time.Millisecond)

		e.quiesce()
		e.log.reset()
		k, err = e.kmm.KafkaV1beta2().KafkaMirrorMakers(ns).Get(ctx, "legacy", metav1.GetOptions{})
		require.NoError(t, err)
		k.Annotations = nil
		_, err = e.kmm.KafkaV1beta2().KafkaMirrorMakers(ns).Update(ctx, k, metav1.UpdateOptions{})
		require.NoError(t, err)
		e.waitReady("legacy")
		e.quiesce()
		for _, r := range []string{"/serviceaccounts/", "/configmaps/", "/poddisruptionbudgets/", "/deployments/"} {
			assert.Empty(t, e.log.matching("PATCH", r), "%v", e.log.all())
			// The manager owns nothing on them yet: each version is read live once to compare.
			assert.LessOrEqual(t, len(e.log.matching("GET", r)), 3, "%v", e.log.all())
		}
		e.requireNoOpPass("legacy")
	})
}

func liveKMM(ns, name string, mutate func(*v1beta2.KafkaMirrorMaker)) *v1beta2.KafkaMirrorMaker {
	k := newKMM(name, func(k *v1beta2.KafkaMirrorMaker) {
		k.Namespace = ns
		k.UID, k.ResourceVersion, k.Generation = "", "", 0
		k.Spec.Replicas = 1
		k.Spec.Consumer.Config = nil
		// A template value the API server would write back in another form.
		k.Spec.Resources = &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1024Mi")}}
	})
	if mutate != nil {
		mutate(k)
	}
	return k
}

func (e *liveEnv) create(k *v1beta2.KafkaMirrorMaker) *v1beta2.KafkaMirrorMaker {
	e.t.Helper()
	out, err := e.kmm.KafkaV1beta2().KafkaMirrorMakers(e.ns).Create(e.ctx, k, metav1.CreateOptions{})
	require.NoError(e.t, err)
	return out
}

func (e *liveEnv) deployment(name string) *appsv1.Deployment {
	e.t.Helper()
	d, err := e.admin.AppsV1().Deployments(e.ns).Get(e.ctx, name, metav1.GetOptions{})
	require.NoError(e.t, err)
	return d
}

func (e *liveEnv) waitReady(name string) {
	e.t.Helper()
	require.Eventually(e.t, func() bool {
		k, err := e.kmm.KafkaV1beta2().KafkaMirrorMakers(e.ns).Get(e.ctx, name, metav1.GetOptions{})
		if err != nil || k.Status == nil || len(k.Status.Conditions) == 0 || k.Status.ObservedGeneration == nil {
			return false
		}
		c := k.Status.Conditions[0]
		return *k.Status.ObservedGeneration == k.Generation && ptr.Deref(c.Type, "") == v1beta2.ConditionReady && ptr.Deref(c.Status, "") == statusTrue
	}, 60*time.Second, 50*time.Millisecond, "%s never became Ready", name)
}

// waitDeploymentRolledOut waits until the Deployment's status reports its current generation
// with every replica updated and available.
func (e *liveEnv) waitDeploymentRolledOut(name string) {
	e.t.Helper()
	require.Eventually(e.t, func() bool {
		d, err := e.admin.AppsV1().Deployments(e.ns).Get(e.ctx, name, metav1.GetOptions{})
		if err != nil {
			return false
		}
		r := ptr.Deref(d.Spec.Replicas, 1)
		return d.Status.ObservedGeneration == d.Generation && d.Status.UpdatedReplicas == r && d.Status.AvailableReplicas == r
	}, 60*time.Second, 50*time.Millisecond, "Deployment %s never finished its rollout", name)
}

// quiesce waits until the controller has had nothing to do for a while.
func (e *liveEnv) quiesce() {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for idle := 0; idle < 5; {
		require.True(e.t, time.Now().Before(deadline), "the controller never became idle")
		n := len(e.log.all())
		time.Sleep(100 * time.Millisecond)
		if e.c.queue.Len() == 0 && len(e.log.all()) == n {
			idle++
		} else {
			idle = 0
		}
	}
}

// requireNoOpPass reconciles name once more and requires that the pass made no request at all.
func (e *liveEnv) requireNoOpPass(name string) {
	e.t.Helper()
	e.quiesce()
	e.log.reset()
	labels := []string{metrics.Kind, e.ns, ""}
	done := testutil.ToFloat64(e.m.ReconciliationsSuccessful.WithLabelValues(labels...)) + testutil.ToFloat64(e.m.ReconciliationsFailed.WithLabelValues(labels...))
	e.c.queue.Add(cache.ObjectName{Namespace: e.ns, Name: name})
	require.Eventually(e.t, func() bool {
		return testutil.ToFloat64(e.m.ReconciliationsSuccessful.WithLabelValues(labels...))+testutil.ToFloat64(e.m.ReconciliationsFailed.WithLabelValues(labels...)) > done
	}, 30*time.Second, 10*time.Millisecond)
	assert.Empty(e.t, e.log.all(), "a no-op pass of %s makes no request", name)
}

// playDeploymentController marks every Deployment of ns as observed and fully available, as the
// Deployment controller with healthy Pods would.
func playDeploymentController(ctx context.Context, c kubernetes.Interface, ns string) {
	for ctx.Err() == nil {
		list, err := c.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
		if err == nil {
			for i := range list.Items {
				d := &list.Items[i]
				r := ptr.Deref(d.Spec.Replicas, 1)
				want := appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: r, UpdatedReplicas: r, ReadyReplicas: r, AvailableReplicas: r}
				if d.Status.ObservedGeneration == want.ObservedGeneration && d.Status.Replicas == r && d.Status.AvailableReplicas == r && d.Status.UpdatedReplicas == r {
					continue
				}
				d.Status = want
				_, _ = c.AppsV1().Deployments(ns).UpdateStatus(ctx, d, metav1.UpdateOptions{FieldManager: "test-deployment-controller"})
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}
