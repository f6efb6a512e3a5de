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
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/ktesting"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/metrics"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// strimziChildren returns the children Strimzi 0.45 left for kmm: the model's objects as the API
// server stores them (defaulted fields, a revision annotation, a ready status), owned through the
// owner reference and the Strimzi labels, with nothing owned by this operator's field manager.
func strimziChildren(t *testing.T, kmm *v1beta2.KafkaMirrorMaker, mutate func(*appsv1.Deployment)) []runtime.Object {
	t.Helper()
	r, err := model.Render(kmm, func() model.Settings { s := DefaultConfig().Settings; s.OpenShift = true; return s }(), nil, nil)
	require.NoError(t, err)
	d := r.Deployment
	d.ResourceVersion = "7"
	d.Generation = 1
	d.Annotations = map[string]string{"deployment.kubernetes.io/revision": "1"}
	d.Spec.RevisionHistoryLimit = ptr.To[int32](10)
	d.Spec.ProgressDeadlineSeconds = ptr.To[int32](600)
	d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways
	d.Spec.Template.Spec.DNSPolicy = corev1.DNSClusterFirst
	for i := range d.Spec.Template.Spec.Containers {
		d.Spec.Template.Spec.Containers[i].TerminationMessagePath = "/dev/termination-log"
		d.Spec.Template.Spec.Containers[i].TerminationMessagePolicy = corev1.TerminationMessageReadFile
	}
	if mutate != nil {
		mutate(d)
	}
	rep := ptr.Deref(d.Spec.Replicas, 1)
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: rep, UpdatedReplicas: rep, ReadyReplicas: rep, AvailableReplicas: rep}
	r.ServiceAccount.ResourceVersion = "7"
	r.ServiceAccount.Secrets = []corev1.ObjectReference{{Name: "foo-mirror-maker-token-abcde"}}
	r.ConfigMap.ResourceVersion = "7"
	r.PodDisruptionBudget.ResourceVersion = "7"
	return []runtime.Object{d, r.ServiceAccount, r.ConfigMap, r.PodDisruptionBudget}
}

// referencingKMM references Secrets (TLS trust, SCRAM password) and ConfigMaps (external logging,
// metrics), with the objects it references.
func referencingKMM() (*v1beta2.KafkaMirrorMaker, []runtime.Object) {
	kmm := newKMM("foo", func(k *v1beta2.KafkaMirrorMaker) {
		k.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{{SecretName: "ca-cert", Certificate: ptr.To("ca.crt")}}}
		k.Spec.Producer.Authentication = &v1beta2.KafkaClientAuthentication{
			Type: v1beta2.AuthenticationTypeScramSha512, Username: ptr.To("producer"),
			PasswordSecret: &v1beta2.PasswordSecretSource{SecretName: "user-pw", Password: "password"},
		}
		k.Spec.Logging = &v1beta2.Logging{Type: v1beta2.LoggingTypeExternal, ValueFrom: &v1beta2.ExternalConfigurationReference{
			ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "logging"}, Key: "log4j.properties"}}}
		k.Spec.MetricsConfig = &v1beta2.MetricsConfig{Type: v1beta2.MetricsConfigTypeJmxPrometheusExporter, ValueFrom: &v1beta2.ExternalConfigurationReference{
			ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "metrics"}, Key: "config.yaml"}}}
	})
	return kmm, []runtime.Object{
		newSecret("ca-cert", "1", map[string]string{"ca.crt": "CERT"}),
		newSecret("user-pw", "1", map[string]string{"password": "password"}),
		newSecret("unrelated", "1", map[string]string{"token": "x"}),
		newConfigMap("logging", "1", map[string]string{"log4j.properties": "log4j.rootLogger=INFO, CONSOLE\n"}),
		newConfigMap("metrics", "1", map[string]string{"config.yaml": "lowercaseOutputName: true\n"}),
	}
}

// TestNoOpPassMakesNoAPICalls: with referenced Secrets and ConfigMaps whose metadata did not
// change, a pass reads nothing from the API server and writes nothing.
func TestNoOpPassMakesNoAPICalls(t *testing.T) {
	kmm, objs := referencingKMM()
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, objs)
	f.establish("foo")

	st := f.mustReconcile("foo")
	assert.Equal(t, outcomeReady, st.outcome)
	assert.Empty(t, f.actions(), "no get, list or write")
	assert.Empty(t, f.events())
	assert.Equal(t, 2, f.c.secretContent.len())
	assert.Equal(t, 2, f.c.configMapContent.len())
}

// TestStaleCacheAfterCreate: right after the first pass created the children, a pass on a cache
// that has not seen them yet reads them live, finds them its own and writes nothing (no
// duplicate create, no AlreadyExists loop).
func TestStaleCacheAfterCreate(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.mustReconcile("foo")
	f.clearActions()

	st := f.mustReconcile("foo")
	assert.Equal(t, outcomeWaiting, st.outcome)
	require.NotEmpty(t, f.kube.Actions())
	for _, a := range f.kube.Actions() {
		assert.Equal(t, "get", a.GetVerb(), "%s %s", a.GetVerb(), a.GetResource().Resource)
	}
}

// TestStaleCacheAfterStatusWrite: the status written by a pass is remembered, so a pass on a
// cache that still has the older resource neither rewrites the status nor hits a conflict.
func TestStaleCacheAfterStatusWrite(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	// A real API server bumps the resourceVersion on every write; the fake does not.
	f.kmmc.PrependReactor("update", "kafkamirrormakers", func(a clienttesting.Action) (bool, runtime.Object, error) {
		obj := a.(clienttesting.UpdateAction).GetObject().(*v1beta2.KafkaMirrorMaker).DeepCopy()
		live := f.kmm(obj.Name)
		if live.ResourceVersion != obj.ResourceVersion {
			return true, nil, apierrors.NewConflict(schema.GroupResource{Group: "kafka.strimzi.io", Resource: "kafkamirrormakers"}, obj.Name, errors.New("stale"))
		}
		obj.ResourceVersion = bumpRV(obj.ResourceVersion)
		return true, obj, f.kmmc.Tracker().Update(kmmGVR, obj, obj.Namespace)
	})
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Image = ptr.To("other:1") })
	stale := f.kmm("foo")
	f.mustReconcile("foo")
	require.Len(t, f.statusUpdates(), 1)
	// The caches see the Deployment change but not yet the status write.
	f.syncCaches()
	require.NoError(t, f.set.kmmInformer.GetIndexer().Update(stale))
	f.clearActions()

	// The next pass must neither write the status again nor conflict.
	st := f.mustReconcile("foo")
	assert.Equal(t, outcomeReady, st.outcome)
	assert.Empty(t, f.writes())
}

// TestSecretRotation: a changed referenced Secret enqueues its resource, is read once, and
// changes only the auth-hash annotation of the Pod template, with exactly one Deployment apply.
func TestSecretRotation(t *testing.T) {
	kmm, objs := referencingKMM()
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, objs)
	f.establish("foo")
	before := f.deployment("foo-mirror-maker").DeepCopy()

	oldMeta := partialMeta(newSecret("user-pw", "1", nil), "Secret")
	require.NoError(t, f.kube.Tracker().Update(secretsResource, newSecret("user-pw", "2", map[string]string{"password": "rotated"}), testNamespace))
	f.syncCaches()
	f.clearActions()
	f.c.onReferencedUpdate(f.set, secretIndex, oldMeta, partialMeta(newSecret("user-pw", "2", nil), "Secret"))
	require.Equal(t, 1, f.c.queue.Len())
	k, _ := f.c.queue.Get()
	assert.Equal(t, key("foo"), k)
	f.c.queue.Done(k)

	st := f.mustReconcile("foo")
	assert.Equal(t, resultOK, stepResult(st, stepDeployment))
	var verbs []string
	for _, a := range f.kube.Actions() {
		verbs = append(verbs, a.GetVerb()+" "+a.GetResource().Resource)
	}
	assert.Equal(t, []string{"get secrets", "patch deployments"}, verbs)

	after := f.deployment("foo-mirror-maker").DeepCopy()
	assert.NotEqual(t, before.Spec.Template.Annotations[model.AnnotationAuthHash], after.Spec.Template.Annotations[model.AnnotationAuthHash])
	for _, d := range []*appsv1.Deployment{before, after} {
		delete(d.Spec.Template.Annotations, model.AnnotationAuthHash)
		d.ManagedFields, d.ResourceVersion, d.Status = nil, "", appsv1.DeploymentStatus{}
	}
	assert.Equal(t, before, after, "only the auth-hash annotation changed")
	assert.Equal(t, []string{"Normal RollingUpdate Rolling Deployment foo-mirror-maker: Secret user-pw changed"}, f.events())
}

// TestUnrelatedSecretChangeEnqueuesNothing: events of Secrets and ConfigMaps no resource
// references do not enqueue anything.
func TestUnrelatedSecretChangeEnqueuesNothing(t *testing.T) {
	kmm, objs := referencingKMM()
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, objs)
	s1 := partialMeta(newSecret("unrelated", "1", nil), "Secret")
	s2 := partialMeta(newSecret("unrelated", "2", nil), "Secret")
	f.c.onReferenced(f.set, secretIndex, s1)
	f.c.onReferencedUpdate(f.set, secretIndex, s1, s2)
	f.c.onReferencedDelete(f.set, secretIndex, s2)
	cm := partialMeta(newConfigMap("foo-mirror-maker-config", "3", nil), "ConfigMap")
	f.c.onReferencedUpdate(f.set, configMapIndex, cm, partialMeta(newConfigMap("foo-mirror-maker-config", "4", nil), "ConfigMap"))
	assert.Equal(t, 0, f.c.queue.Len())

	// Referenced ones do: the logging ConfigMap.
	f.c.onReferencedUpdate(f.set, configMapIndex, partialMeta(newConfigMap("logging", "1", nil), "ConfigMap"), partialMeta(newConfigMap("logging", "2", nil), "ConfigMap"))
	assert.Equal(t, 1, f.c.queue.Len())
}

// TestExternalLoggingChange: a change of the external logging ConfigMap rolls the Pods through
// the logging hash, and the event names the ConfigMap.
func TestExternalLoggingChange(t *testing.T) {
	kmm, objs := referencingKMM()
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, objs)
	f.establish("foo")
	require.NoError(t, f.kube.Tracker().Update(configMapsResource, newConfigMap("logging", "2", map[string]string{"log4j.properties": "log4j.rootLogger=DEBUG, CONSOLE\n"}), testNamespace))
	f.syncCaches()
	f.clearActions()

	f.mustReconcile("foo")
	assert.Len(t, f.patches("configmaps"), 1)
	assert.Len(t, f.patches("deployments"), 1)
	assert.Equal(t, []string{
		"Normal Updated Updated ConfigMap foo-mirror-maker-config",
		"Normal RollingUpdate Rolling Deployment foo-mirror-maker: logging configuration in ConfigMap logging changed",
	}, f.events())
}

// TestFailureAtEveryStep: an API error injected in each step that calls the API ends the pass at
// that step, puts the error in NotReady and requeues the resource with backoff.
func TestFailureAtEveryStep(t *testing.T) {
	fresh := func(t *testing.T) *fixture {
		kmm, objs := referencingKMM()
		return newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, objs)
	}
	established := func(replicas int32) func(t *testing.T) *fixture {
		return func(t *testing.T) *fixture {
			f := fresh(t)
			f.establish("foo")
			f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Replicas = replicas })
			return f
		}
	}
	freshUncachedSecret := func(t *testing.T) *fixture {
		f := fresh(t)
		f.c.secretContent.evict(key("user-pw"))
		return f
	}
	cases := []struct {
		step, verb, resource string
		setup                func(t *testing.T) *fixture
	}{
		{stepServiceAccount, "patch", "serviceaccounts", fresh},
		{stepScaleDown, "patch", "deployments", established(1)},
		{stepConfigMap, "patch", "configmaps", fresh},
		{stepPodDisruptionBudget, "patch", "poddisruptionbudgets", fresh},
		{stepAuthTLSHash, "get", "secrets", freshUncachedSecret},
		{stepDeployment, "patch", "deployments", fresh},
		{stepScaleUp, "patch", "deployments", established(5)},
	}
	for _, tc := range cases {
		t.Run(tc.step, func(t *testing.T) {
			f := tc.setup(t)
			injected := "injected failure in " + tc.step
			f.kube.PrependReactor(tc.verb, tc.resource, func(clienttesting.Action) (bool, runtime.Object, error) {
				return true, nil, errors.New(injected)
			})
			if tc.step == stepAuthTLSHash {
				// The ConfigMap step reads ConfigMaps, not Secrets: only authTLSHash GETs a Secret.
				require.Equal(t, 0, f.c.secretContent.len())
			}

			st, err := f.reconcile("foo")
			require.Error(t, err)
			assert.Equal(t, resultError, stepResult(st, tc.step))
			names := stepNames(st)
			assert.Equal(t, tc.step, names[len(names)-1], "no step after the failing one runs")
			status := f.kmm("foo").Status
			require.NotEmpty(t, status.Conditions)
			assert.Contains(t, conditionsOf(status)[0], "NotReady/True/KubernetesClientException/")
			assert.Contains(t, conditionsOf(status)[0], injected)
			events := f.events()
			require.NotEmpty(t, events)
			assert.Contains(t, events[len(events)-1], "Warning KubernetesClientException ")
			assert.Contains(t, events[len(events)-1], injected)

			// Through the queue: the failure is retried with backoff.
			f.c.queue.Add(key("foo"))
			require.True(t, f.c.processNextWorkItem(f.ctx))
			assert.Positive(t, f.c.queue.NumRequeues(key("foo")))
		})
	}
}

// TestStatusConflictRequeues: a conflict on the status write requeues the resource.
func TestStatusConflictRequeues(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.kmmc.PrependReactor("update", "kafkamirrormakers", func(a clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewConflict(schema.GroupResource{Group: "kafka.strimzi.io", Resource: "kafkamirrormakers"}, "foo", errors.New("modified"))
	})
	_, err := f.reconcile("foo")
	require.True(t, apierrors.IsConflict(err), "%v", err)
	f.c.queue.Add(key("foo"))
	require.True(t, f.c.processNextWorkItem(f.ctx))
	assert.Equal(t, 1, f.c.queue.NumRequeues(key("foo")))
}

// TestPause: a paused resource gets no child change at all, not even for a rotated Secret; its
// status says ReconciliationPaused with the previous observedGeneration (spec §5.4); removing the
// annotation enqueues it and the pending changes are applied at once.
func TestPause(t *testing.T) {
	kmm, objs := referencingKMM()
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, objs)
	f.establish("foo")

	old := f.kmm("foo")
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) {
		k.Annotations = map[string]string{AnnotationPause: "true"}
		k.Spec.Image = ptr.To("other:1")
	})
	f.c.onKMMUpdate(f.set, old, f.kmm("foo"))
	require.Equal(t, 1, f.c.queue.Len())

	st := f.mustReconcile("foo")
	assert.Equal(t, outcomePaused, st.outcome)
	require.Len(t, f.writes(), 1, "only the status")
	assert.Empty(t, f.kube.Actions())
	status := f.kmm("foo").Status
	assert.Equal(t, []string{"ReconciliationPaused/True//"}, conditionsOf(status))
	assert.Equal(t, ptr.To[int64](1), status.ObservedGeneration, "the generation reconciled last")
	assert.Equal(t, ptr.To[int32](0), status.Replicas, "as Strimzi: a fresh status")
	assert.Nil(t, status.LabelSelector)
	assert.Len(t, f.events(), 1)
	f.c.updateGauges(f.set)
	assert.Equal(t, 1.0, testutil.ToFloat64(f.metrics.ResourcesPaused.WithLabelValues(metrics.Kind, "", "")))

	// A Secret rotation while paused changes nothing.
	require.NoError(t, f.kube.Tracker().Update(secretsResource, newSecret("user-pw", "2", map[string]string{"password": "rotated"}), testNamespace))
	f.syncCaches()
	f.clearActions()
	f.mustReconcile("foo")
	assert.Empty(t, f.actions())
	assert.Equal(t, "my-image:latest", f.deployment("foo-mirror-maker").Spec.Template.Spec.Containers[0].Image)

	// Resume.
	paused := f.kmm("foo")
	resumed := paused.DeepCopy()
	resumed.Annotations = nil
	resumed.ResourceVersion = bumpRV(resumed.ResourceVersion)
	f.updateKMM(resumed)
	f.c.onKMMUpdate(f.set, paused, resumed)
	assert.Equal(t, 1, f.c.queue.Len(), "removing the annotation enqueues at once")
	f.mustReconcile("foo")
	d := f.deployment("foo-mirror-maker")
	assert.Equal(t, "other:1", d.Spec.Template.Spec.Containers[0].Image)
	assert.Equal(t, ptr.To[int64](2), f.kmm("foo").Status.ObservedGeneration)
}

// TestValidationFailure: an invalid spec is NotReady with the model's reason and message, without
// replicas, labelSelector or the deprecation warning, with one Warning event; nothing is touched
// and the resource is not retried until it changes.
func TestValidationFailure(t *testing.T) {
	for _, tc := range []struct {
		name, reason, message string
		mutate                func(*v1beta2.KafkaMirrorMaker)
	}{
		{"no include", model.ReasonInvalidResource, "One of the fields include or whitelist needs to be specified.", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Include = nil }},
		{"no spec", model.ReasonInvalidResource, "Spec cannot be null", func(k *v1beta2.KafkaMirrorMaker) { k.Spec = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo", tc.mutate)}, nil)
			st, err := f.reconcile("foo")
			require.NoError(t, err, "not retried")
			assert.Equal(t, outcomeInvalid, st.outcome)
			assert.Empty(t, f.kube.Actions())
			status := f.kmm("foo").Status
			assert.Equal(t, []string{"NotReady/True/" + tc.reason + "/" + tc.message}, conditionsOf(status))
			assert.Nil(t, status.Replicas)
			assert.Nil(t, status.LabelSelector)
			assert.Equal(t, ptr.To[int64](1), status.ObservedGeneration)
			assert.Equal(t, []string{"Warning " + tc.reason + " " + tc.message}, f.events())

			f.syncCaches()
			f.clearActions()
			f.mustReconcile("foo")
			assert.Empty(t, f.actions())
			assert.Empty(t, f.events())
		})
	}
}

// TestValidationWarningsInStatus: the deprecated whitelist works and adds its Warning after the
// deprecation Warning.
func TestValidationWarningsInStatus(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo", func(k *v1beta2.KafkaMirrorMaker) {
		k.Spec.Include = nil
		k.Spec.Whitelist = ptr.To("topic-.*")
	})}, nil, func(c *Config) { c.DeprecationWarning = false })
	f.mustReconcile("foo")
	conds := conditionsOf(f.kmm("foo").Status)
	require.Len(t, conds, 2)
	assert.Contains(t, conds[1], "Warning/True/DeprecatedFields/In resource KafkaMirrorMaker(test/foo)")
}

// TestAdoptStrimziDeployment: children left by Strimzi with the same content are taken over
// without a single write (no rollout).
func TestAdoptStrimziDeployment(t *testing.T) {
	kmm := newKMM("foo")
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, strimziChildren(t, kmm, nil))

	st := f.mustReconcile("foo")
	assert.Equal(t, outcomeReady, st.outcome)
	for _, a := range f.writes() {
		assert.Equal(t, "kafkamirrormakers", a.GetResource().Resource, "only the status is written, not %s", a.GetResource().Resource)
	}
	// The manager owns nothing on Strimzi's objects yet, so the cache holds no digest of its
	// fields: each child is read once, to compare every desired field.
	var reads []string
	for _, a := range f.kube.Actions() {
		reads = append(reads, a.GetVerb()+" "+a.GetResource().Resource)
	}
	assert.ElementsMatch(t, []string{"get serviceaccounts", "get configmaps", "get poddisruptionbudgets", "get deployments"}, reads)
	assert.Empty(t, f.events())
	f.syncCaches()
	f.clearActions()
	assert.Equal(t, outcomeReady, f.mustReconcile("foo").outcome)
	assert.Empty(t, f.kube.Actions(), "the next pass reads nothing: the children were found to match at these versions")
	assert.Empty(t, f.writes())

	// An owner reference to an older resource of the same name does not block adoption by labels.
	f2 := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, strimziChildren(t, kmm, func(d *appsv1.Deployment) {
		d.OwnerReferences[0].UID = "uid-of-a-deleted-resource"
	}))
	st = f2.mustReconcile("foo")
	assert.Equal(t, outcomeReady, st.outcome)
	require.Len(t, f2.patches("deployments"), 1, "the owner reference is added")
	d := f2.deployment("foo-mirror-maker")
	assert.Len(t, d.OwnerReferences, 2)
	assert.Equal(t, "1", d.Annotations["deployment.kubernetes.io/revision"])
}

// TestRefuseForeignDeployment: a Deployment with the expected name that is neither owned by the
// resource nor carries its labels is never modified; the status and a Warning event name it.
func TestRefuseForeignDeployment(t *testing.T) {
	foreign := func(labels map[string]string) *appsv1.Deployment {
		return &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: "foo-mirror-maker", Namespace: testNamespace, ResourceVersion: "3", Labels: labels},
			Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](7)},
		}
	}
	for name, d := range map[string]*appsv1.Deployment{
		"unlabelled (not in the cache)": foreign(map[string]string{"app": "something-else"}),
		"labelled for another resource": foreign(map[string]string{model.LabelKind: model.Kind, model.LabelCluster: "bar"}),
		"owned by another KafkaMirrorMaker": func() *appsv1.Deployment {
			d := foreign(map[string]string{model.LabelKind: model.Kind})
			d.OwnerReferences = []metav1.OwnerReference{{APIVersion: model.APIVersion, Kind: model.Kind, Name: "foo", UID: "other-uid"}}
			return d
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, []runtime.Object{d})
			st, err := f.reconcile("foo")
			require.Error(t, err)
			assert.Equal(t, resultError, stepResult(st, stepScaleDown))
			assert.Empty(t, f.patches("deployments"))
			assert.Equal(t, ptr.To[int32](7), f.deployment("foo-mirror-maker").Spec.Replicas)
			cond := conditionsOf(f.kmm("foo").Status)[0]
			assert.Contains(t, cond, "NotReady/True/ResourceConflict/Deployment test/foo-mirror-maker already exists and is not managed by KafkaMirrorMaker test/foo")
			events := f.events()
			require.NotEmpty(t, events)
			assert.Contains(t, events[len(events)-1], "Warning ResourceConflict Deployment test/foo-mirror-maker")
		})
	}
}

// TestRestartedAtAnnotationSurvives: `kubectl rollout restart` adds a Pod template annotation the
// operator does not own; it is not reverted, neither by a no-op pass nor by a real update.
func TestRestartedAtAnnotationSurvives(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	const restartedAt = "kubectl.kubernetes.io/restartedAt"
	f.updateDeployment("foo-mirror-maker", "kubectl-rollout", func(d *appsv1.Deployment) {
		d.Spec.Template.Annotations[restartedAt] = "2026-05-01T12:00:00Z"
		d.Labels["team"] = "streaming"
	})
	f.clearActions()

	f.mustReconcile("foo")
	assert.Empty(t, f.patches("deployments"), "nothing of ours changed")

	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Image = ptr.To("other:1") })
	f.mustReconcile("foo")
	require.Len(t, f.patches("deployments"), 1)
	d := f.deployment("foo-mirror-maker")
	assert.Equal(t, "other:1", d.Spec.Template.Spec.Containers[0].Image)
	assert.Equal(t, "2026-05-01T12:00:00Z", d.Spec.Template.Annotations[restartedAt])
	assert.Equal(t, "streaming", d.Labels["team"])
	assert.Equal(t, "e697cf66", d.Spec.Template.Annotations[model.AnnotationLogging])
}

// TestDriftIsRepaired: a field the operator owns, changed by someone else, is set back.
func TestDriftIsRepaired(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	f.updateDeployment("foo-mirror-maker", "kubectl-edit", func(d *appsv1.Deployment) {
		d.Spec.Template.Spec.Containers[0].Image = "hacked:1"
	})
	f.clearActions()
	f.mustReconcile("foo")
	require.Len(t, f.patches("deployments"), 1)
	assert.Equal(t, "my-image:latest", f.deployment("foo-mirror-maker").Spec.Template.Spec.Containers[0].Image)
}

// TestChildComparedOncePerVersion: a child whose resourceVersion and desired body are unchanged
// since it was last found (or made) to match is not compared again. The test breaks that
// assumption on purpose (a change without a new resourceVersion, which the API server never
// makes) to show the comparison is skipped, and that a new desired body compares again.
func TestChildComparedOncePerVersion(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	d := f.deployment("foo-mirror-maker").DeepCopy()
	d.Spec.Template.Spec.Containers[0].Image = "hacked:1"
	require.NoError(t, f.kube.Tracker().Update(deploymentsGVR, d, testNamespace, metav1.UpdateOptions{FieldManager: "test"}))
	f.syncCaches()
	f.clearActions()
	f.mustReconcile("foo")
	assert.Empty(t, f.patches("deployments"), "same resourceVersion, same desired body: not compared")

	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Include = ptr.To("other.*") })
	f.mustReconcile("foo")
	require.Len(t, f.patches("deployments"), 1, "a new desired body is compared, and applied")
	assert.Equal(t, "my-image:latest", f.deployment("foo-mirror-maker").Spec.Template.Spec.Containers[0].Image)
}

// TestNoticesLoggedOncePerGeneration: what the model ignores (here the deprecated whitelist next
// to include) is logged on the first pass over a generation, not on every pass.
func TestNoticesLoggedOncePerGeneration(t *testing.T) {
	kmm := newKMM("foo")
	kmm.Spec.Whitelist = ptr.To("old.*")
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, nil)
	logger := ktesting.NewLogger(t, ktesting.NewConfig(ktesting.BufferLogs(true)))
	f.ctx = klog.NewContext(f.ctx, logger)
	buf := logger.GetSink().(ktesting.Underlier).GetBuffer()
	const notice = "Both include and whitelist fields are present. Whitelist is deprecated and will be ignored."
	f.mustReconcile("foo")
	f.syncCaches()
	f.mustReconcile("foo")
	assert.Equal(t, 1, strings.Count(buf.String(), notice), buf.String())
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Include = ptr.To("other.*") })
	f.mustReconcile("foo")
	assert.Equal(t, 2, strings.Count(buf.String(), notice), "a new generation logs it again")
}

// TestScaleDownBeforeTemplateChange: replicas go down first, with the old template, and the new
// template follows at the lower count.
func TestScaleDownBeforeTemplateChange(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) {
		k.Spec.Replicas = 1
		k.Spec.Image = ptr.To("other:1")
	})

	st := f.mustReconcile("foo")
	assert.Equal(t, resultOK, stepResult(st, stepScaleDown))
	assert.Equal(t, resultOK, stepResult(st, stepDeployment))
	patches := f.patches("deployments")
	require.Len(t, patches, 2)
	first, second := decodeDeployment(t, patches[0]), decodeDeployment(t, patches[1])
	assert.Equal(t, ptr.To[int32](1), first.Spec.Replicas)
	assert.Equal(t, "my-image:latest", first.Spec.Template.Spec.Containers[0].Image, "scale down with the old template")
	assert.Equal(t, ptr.To[int32](1), second.Spec.Replicas)
	assert.Equal(t, "other:1", second.Spec.Template.Spec.Containers[0].Image)
}

// TestNoScaleUpWithTemplateChange: more replicas and a new template: the template is applied at
// the current count, then scaleUp raises it.
func TestNoScaleUpWithTemplateChange(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) {
		k.Spec.Replicas = 5
		k.Spec.Image = ptr.To("other:1")
	})
	f.mustReconcile("foo")
	patches := f.patches("deployments")
	require.Len(t, patches, 2)
	first, second := decodeDeployment(t, patches[0]), decodeDeployment(t, patches[1])
	assert.Equal(t, ptr.To[int32](3), first.Spec.Replicas)
	assert.Equal(t, "other:1", first.Spec.Template.Spec.Containers[0].Image)
	assert.Equal(t, ptr.To[int32](5), second.Spec.Replicas)
	assert.Equal(t, "other:1", second.Spec.Template.Spec.Containers[0].Image)
}

// TestTimeoutWhileWaiting: waiting never blocks; it reports Progressing and requeues for the
// time left; past the operation timeout the status says TimeoutException with Strimzi's message.
func TestTimeoutWhileWaiting(t *testing.T) {
	for _, tc := range []struct {
		what   string
		mutate func(*appsv1.Deployment)
	}{
		{"observed", func(d *appsv1.Deployment) { d.Generation = 2 }},
		{"ready", func(d *appsv1.Deployment) { d.Status.AvailableReplicas = 1 }},
	} {
		t.Run(tc.what, func(t *testing.T) {
			f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
			f.establish("foo")
			f.updateDeployment("foo-mirror-maker", "kube-controller-manager", tc.mutate)
			f.clearActions()

			start := time.Now()
			st := f.mustReconcile("foo")
			assert.Less(t, time.Since(start), 5*time.Second, "never blocks")
			assert.Equal(t, outcomeWaiting, st.outcome)
			assert.Equal(t, 300*time.Second, st.requeueAfter)
			cond := conditionsOf(f.kmm("foo").Status)[0]
			assert.Contains(t, cond, "Ready/False/Progressing/Waiting for Deployment test/foo-mirror-maker to ")

			f.clock.Step(299 * time.Second)
			st = f.mustReconcile("foo")
			assert.Equal(t, outcomeWaiting, st.outcome)
			assert.Equal(t, time.Second, st.requeueAfter)

			f.clock.Step(time.Second)
			require.Eventually(t, func() bool { return f.c.queue.Len() == 1 }, 10*time.Second, 5*time.Millisecond, "the delayed requeue fires at the timeout")
			st, err := f.reconcile("foo")
			require.NoError(t, err, "a timeout is not retried with backoff; the Deployment's events wake the resource")
			assert.Equal(t, outcomeTimedOut, st.outcome)
			msg := fmt.Sprintf("Exceeded timeout of 300000ms while waiting for Deployment resource foo-mirror-maker in namespace test to be %s", tc.what)
			assert.Equal(t, "NotReady/True/TimeoutException/"+msg, conditionsOf(f.kmm("foo").Status)[0])
			assert.Contains(t, f.events(), "Warning TimeoutException "+msg)
			assert.Equal(t, 0.0, testutil.ToFloat64(f.metrics.ResourceState.WithLabelValues(metrics.Kind, "foo", testNamespace, reasonTimeout)))

			f.markReady("foo-mirror-maker")
			assert.Equal(t, outcomeReady, f.mustReconcile("foo").outcome)
		})
	}
}

// TestTransitionTimes: lastTransitionTime only moves when a condition's status changes.
func TestTransitionTimes(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.mustReconcile("foo") // Ready=False (Progressing) at t0
	t0 := *f.kmm("foo").Status.Conditions[0].LastTransitionTime
	dep0 := *f.kmm("foo").Status.Conditions[1].LastTransitionTime
	f.syncCaches()

	f.clock.Step(10 * time.Second)
	f.updateDeployment("foo-mirror-maker", "kube-controller-manager", func(d *appsv1.Deployment) { d.Status.AvailableReplicas = 1; d.Status.Replicas = 3 })
	f.mustReconcile("foo") // still Ready=False, another message
	status := f.kmm("foo").Status
	assert.Contains(t, *status.Conditions[0].Message, "1 of 3")
	assert.Equal(t, t0, *status.Conditions[0].LastTransitionTime)
	f.syncCaches()

	f.clock.Step(10 * time.Second)
	f.markReady("foo-mirror-maker")
	f.mustReconcile("foo") // Ready=True
	status = f.kmm("foo").Status
	assert.Equal(t, "2026-05-01T12:00:20Z", *status.Conditions[0].LastTransitionTime)
	assert.Equal(t, dep0, *status.Conditions[1].LastTransitionTime, "the Warning did not change")
}

// TestDeletedResource: a resource gone from the cache needs nothing (garbage collection removes
// its children) and its in-memory state and metrics are dropped.
func TestDeletedResource(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	require.NoError(t, f.kmmc.Tracker().Delete(kmmGVR, testNamespace, "foo"))
	f.syncCaches()
	f.clearActions()
	st, err := f.reconcile("foo")
	require.NoError(t, err)
	assert.Nil(t, st)
	assert.Empty(t, f.actions())
	assert.Equal(t, 0, testutil.CollectAndCount(f.metrics.ResourceState))
	assert.Empty(t, f.c.verified, "the children's comparison records go with the resource")
}

// TestReconciliationCountersExistFromTheStart: the reconciliation counters of every watched
// namespace exist at 0 before any reconciliation, so a rate or an alert over the failures works
// before the first one.
func TestReconciliationCountersExistFromTheStart(t *testing.T) {
	f := newFixture(t, nil, nil)
	for name, c := range map[string]*prometheus.CounterVec{
		"total": f.metrics.Reconciliations, "successful": f.metrics.ReconciliationsSuccessful,
		"failed": f.metrics.ReconciliationsFailed, "periodical": f.metrics.ReconciliationsPeriodical,
		"locked": f.metrics.ReconciliationsLocked,
	} {
		assert.Equal(t, 1, testutil.CollectAndCount(c), name)
		assert.Equal(t, 0.0, testutil.ToFloat64(c.WithLabelValues(metrics.Kind, f.set.namespace, f.c.selectorLabel)), name)
	}
}
