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
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// kubeCalls lists the requests made to the fake API server of the children, as "verb resource".
func (f *fixture) kubeCalls() []string {
	var out []string
	for _, a := range f.kube.Actions() {
		out = append(out, a.GetVerb()+" "+a.GetResource().Resource)
	}
	return out
}

// TestCachedChildRecord: the child caches keep only what the steps decide on, and the digest of
// the fields this manager owns, taken when the object entered the cache.
func TestCachedChildRecord(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")

	live := f.deployment("foo-mirror-maker")
	cached, err := f.set.deployments.Deployments(testNamespace).Get("foo-mirror-maker")
	require.NoError(t, err)
	assert.Empty(t, cached.ManagedFields)
	assert.Empty(t, cached.Annotations)
	assert.Equal(t, map[string]string{model.LabelCluster: "foo", model.LabelKind: model.Kind}, cached.Labels)
	assert.Equal(t, live.OwnerReferences, cached.OwnerReferences)
	assert.Equal(t, live.Spec.Replicas, cached.Spec.Replicas)
	assert.Equal(t, map[string]string{
		model.AnnotationAuthHash: live.Spec.Template.Annotations[model.AnnotationAuthHash],
		model.AnnotationLogging:  live.Spec.Template.Annotations[model.AnnotationLogging],
	}, cached.Spec.Template.Annotations)
	assert.Empty(t, cached.Spec.Template.Spec.Containers, "the Pod template is not kept")
	assert.Equal(t, live.Status.AvailableReplicas, cached.Status.AvailableReplicas)
	assert.Equal(t, live.Status.ObservedGeneration, cached.Status.ObservedGeneration)
	for _, k := range []childKind{deploymentKind, serviceAccountKind, configMapKind, podDisruptionBudgetKind} {
		name := "foo-mirror-maker"
		if k.kind == "ConfigMap" {
			name += "-config"
		}
		obj, err := k.cached(f.set, testNamespace, name)
		require.NoError(t, err)
		rec, ok, _ := f.set.owned.get(freshKey{k.kind, testNamespace, name}, metaRV(obj))
		require.True(t, ok, "%s: a digest for the cached version", k.kind)
		assert.False(t, rec.none, k.kind)
		assert.NoError(t, rec.err, k.kind)
	}

	t.Run("a foreign manager's change is neither read nor written", func(t *testing.T) {
		f.updateDeployment("foo-mirror-maker", "someone", func(d *appsv1.Deployment) {
			d.Labels["team"] = "streaming"
			d.Spec.Template.Annotations["example.com/note"] = "x"
		})
		f.clearActions()
		assert.Equal(t, outcomeReady, f.mustReconcile("foo").outcome)
		assert.Empty(t, f.kubeCalls())
		assert.Equal(t, "x", f.deployment("foo-mirror-maker").Spec.Template.Annotations["example.com/note"])
	})

	t.Run("a drifted field is repaired from the cache, with one apply and no read", func(t *testing.T) {
		f.updateDeployment("foo-mirror-maker", "kubectl-edit", func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers[0].Env = append(d.Spec.Template.Spec.Containers[0].Env, corev1.EnvVar{Name: "X", Value: "y"})
			d.Spec.Template.Spec.Containers[0].Image = "hacked:1"
		})
		f.clearActions()
		f.mustReconcile("foo")
		assert.Equal(t, []string{"patch deployments"}, f.kubeCalls())
		assert.Equal(t, "my-image:latest", f.deployment("foo-mirror-maker").Spec.Template.Spec.Containers[0].Image)
		f.markReady("foo-mirror-maker")
		f.clearActions()
		assert.Equal(t, outcomeReady, f.mustReconcile("foo").outcome)
		assert.Empty(t, f.kubeCalls(), "repaired: the next version matches")
	})

	t.Run("a Deployment status change is read from the cache", func(t *testing.T) {
		f.updateDeployment("foo-mirror-maker", "kube-controller-manager", func(d *appsv1.Deployment) {
			d.Status.AvailableReplicas = 1
		})
		f.clearActions()
		st := f.mustReconcile("foo")
		assert.Equal(t, outcomeWaiting, st.outcome)
		assert.Empty(t, f.kubeCalls())
		f.markReady("foo-mirror-maker")
		f.clearActions()
		assert.Equal(t, outcomeReady, f.mustReconcile("foo").outcome)
		assert.Empty(t, f.kubeCalls())
	})

	t.Run("a scale reads the Deployment it re-applies", func(t *testing.T) {
		f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Replicas = 1 })
		f.clearActions()
		f.mustReconcile("foo")
		assert.Equal(t, []string{"get deployments", "patch deployments"}, f.kubeCalls())
		d := f.deployment("foo-mirror-maker")
		assert.Equal(t, ptr.To[int32](1), d.Spec.Replicas)
		assert.Equal(t, "my-image:latest", d.Spec.Template.Spec.Containers[0].Image, "the rest of the Deployment is kept")
	})
}

// TestNormalizedDigest: the digest sees values as the comparison does (canonical quantities, nil
// and empty alike) and tells any real difference.
func TestNormalizedDigest(t *testing.T) {
	d := func(body string) [32]byte {
		t.Helper()
		sum, err := normalizedDigest(deploymentKind, []byte(body))
		require.NoError(t, err)
		return sum
	}
	base := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"1024Mi"}}}]}}}}`
	assert.Equal(t, d(base), d(`{"metadata":{"name":"a","labels":{}},"spec":{"template":{"spec":{"containers":[{"name":"c","env":[],"resources":{"limits":{"memory":"1Gi"}}}]}}}}`))
	assert.NotEqual(t, d(base), d(`{"metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"1023Mi"}}}]}}}}`))
	assert.NotEqual(t, d(base), d(`{"metadata":{"name":"a"},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"1Gi"}}}]}}}}`))
	_, err := normalizedDigest(deploymentKind, []byte(`{"spec":{"replicas":"x"}}`))
	assert.Error(t, err)
}

// TestSlimChildrenIdempotent: the informer may transform an object it already transformed (an
// item of a relist that the cache holds); the record taken from the whole object stays.
func TestSlimChildrenIdempotent(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	d := f.deployment("foo-mirror-maker")
	require.NotEmpty(t, d.ManagedFields)
	owned := newOwnedDigests()
	tr := slimChildren(f.c.cfg.FieldManager, owned)
	once, err := tr(d.DeepCopy())
	require.NoError(t, err)
	key := freshKey{"Deployment", testNamespace, "foo-mirror-maker"}
	first, ok, _ := owned.get(key, d.ResourceVersion)
	require.True(t, ok)
	require.False(t, first.none)
	twice, err := tr(once)
	require.NoError(t, err)
	again, ok, _ := owned.get(key, d.ResourceVersion)
	require.True(t, ok)
	assert.Equal(t, first, again, "the second pass through the transform keeps the digest")
	assert.Equal(t, once, twice)
}

// TestNewerVersionDecides: when the transform has already recorded versions newer than the one
// the cache holds (events queued under load), the pass neither reads nor writes the child: the
// newer version's event enqueues the resource, and that pass decides.
func TestNewerVersionDecides(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	key := freshKey{"Deployment", testNamespace, "foo-mirror-maker"}
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Include = ptr.To("other.*") })
	cached, err := f.set.deployments.Deployments(testNamespace).Get("foo-mirror-maker")
	require.NoError(t, err)
	// Two newer versions seen by the transform, past the two records kept.
	f.set.owned.set(key, cachedOwned{rv: "newer-1"})
	f.set.owned.set(key, cachedOwned{rv: "newer-2"})
	_, ok, newer := f.set.owned.get(key, cached.ResourceVersion)
	require.False(t, ok)
	require.True(t, newer)
	f.clearActions()
	f.mustReconcile("foo")
	assert.Empty(t, f.kubeCalls(), "no read and no write of the child until the newer version is cached")
	f.syncCaches() // the newer version arrives (here: the fake's current object, with its digest)
	f.clearActions()
	f.mustReconcile("foo")
	assert.Equal(t, []string{"patch deployments"}, f.kubeCalls(), "then the change is applied")
}

// BenchmarkSlimChildren is the transform's cost for one event of a Deployment the operator applied.
func BenchmarkSlimChildren(b *testing.B) {
	f := newFixture(b, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	d := f.deployment("foo-mirror-maker")
	require.NotEmpty(b, d.ManagedFields)
	tr := slimChildren(f.c.cfg.FieldManager, newOwnedDigests())
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in := d.DeepCopy()
		in.ResourceVersion = strconv.Itoa(i)
		if _, err := tr(in); err != nil {
			b.Fatal(err)
		}
	}
}
