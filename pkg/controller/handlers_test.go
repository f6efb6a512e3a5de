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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// drain empties the queue and returns what was in it.
func drain(f *fixture) []cache.ObjectName {
	var out []cache.ObjectName
	for f.c.queue.Len() > 0 {
		k, _ := f.c.queue.Get()
		f.c.queue.Done(k)
		f.c.queue.Forget(k)
		out = append(out, k)
	}
	return out
}

// TestKMMUpdateHandler: status-only updates (the operator's own writes) and resyncs do not
// enqueue; spec (generation), label and annotation changes do.
func TestKMMUpdateHandler(t *testing.T) {
	f := newFixture(t, nil, nil)
	base := newKMM("foo")
	changed := func(mutate func(k *v1beta2.KafkaMirrorMaker)) *v1beta2.KafkaMirrorMaker {
		k := base.DeepCopy()
		k.ResourceVersion = "2"
		mutate(k)
		return k
	}

	f.c.onKMMUpdate(f.set, base, changed(func(k *v1beta2.KafkaMirrorMaker) {
		k.Status = &v1beta2.KafkaMirrorMakerStatus{Replicas: ptr.To[int32](3)}
	}))
	f.c.onKMMUpdate(f.set, base, base.DeepCopy()) // resync
	assert.Empty(t, drain(f), "status-only update and resync")

	for name, mutate := range map[string]func(*v1beta2.KafkaMirrorMaker){
		"generation": func(k *v1beta2.KafkaMirrorMaker) { k.Generation = 2 },
		"labels":     func(k *v1beta2.KafkaMirrorMaker) { k.Labels["x"] = "y" },
		"annotation": func(k *v1beta2.KafkaMirrorMaker) { k.Annotations = map[string]string{AnnotationPause: "true"} },
	} {
		f.c.onKMMUpdate(f.set, base, changed(mutate))
		assert.Equal(t, []cache.ObjectName{key("foo")}, drain(f), name)
	}
}

// TestChildHandlerOwnerUIDCheck: a child enqueues the resource its owner reference names only
// when the UID matches the cached resource.
func TestChildHandlerOwnerUIDCheck(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	child := func(uid types.UID, labels map[string]string) *appsv1.Deployment {
		return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{
			Name: "foo-mirror-maker", Namespace: testNamespace, ResourceVersion: "1", Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: model.APIVersion, Kind: model.Kind, Name: "foo", UID: uid}},
		}}
	}
	f.c.onChild(f.set, child("uid-of-another-foo", map[string]string{model.LabelKind: model.Kind}))
	assert.Empty(t, drain(f), "owner UID differs")

	f.c.onChild(f.set, child("uid-foo", nil))
	assert.Equal(t, []cache.ObjectName{key("foo")}, drain(f))

	// Not owned (yet) but carrying the Strimzi labels of foo: foo may adopt it.
	orphan := child("", map[string]string{model.LabelKind: model.Kind, model.LabelCluster: "foo"})
	orphan.OwnerReferences = nil
	f.c.onChild(f.set, orphan)
	assert.Equal(t, []cache.ObjectName{key("foo")}, drain(f))

	// Updates: a resync (same resourceVersion) is ignored, a status change is not.
	old := child("uid-foo", nil)
	f.c.onChildUpdate(f.set, old, old.DeepCopy())
	assert.Empty(t, drain(f))
	cur := old.DeepCopy()
	cur.ResourceVersion = "2"
	cur.Status.AvailableReplicas = 3
	f.c.onChildUpdate(f.set, old, cur)
	assert.Equal(t, []cache.ObjectName{key("foo")}, drain(f))

	// Owner not in the cache: nothing.
	f.c.onChild(f.set, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "bar-mirror-maker", Namespace: testNamespace,
		OwnerReferences: []metav1.OwnerReference{{Kind: model.Kind, Name: "bar", UID: "uid-bar"}}}})
	assert.Empty(t, drain(f))
}

// TestHandlersTombstones: every delete handler unwraps cache.DeletedFinalStateUnknown (a value)
// and survives an empty one.
func TestHandlersTombstones(t *testing.T) {
	kmm, objs := referencingKMM()
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, objs)
	f.establish("foo")
	require.Equal(t, 2, f.c.secretContent.len())

	f.c.onKMMDelete(f.set, cache.DeletedFinalStateUnknown{Key: "test/foo", Obj: kmm})
	assert.Equal(t, []cache.ObjectName{key("foo")}, drain(f))

	owned := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "foo-mirror-maker", Namespace: testNamespace,
		OwnerReferences: []metav1.OwnerReference{{Kind: model.Kind, Name: "foo", UID: "uid-foo"}}}}
	digestKey := freshKey{"Deployment", testNamespace, "foo-mirror-maker"}
	f.set.owned.set(digestKey, cachedOwned{rv: "7"})
	f.c.childHandlers(f.set).OnDelete(cache.DeletedFinalStateUnknown{Key: "test/foo-mirror-maker", Obj: owned})
	assert.Equal(t, []cache.ObjectName{key("foo")}, drain(f))
	_, recorded, newer := f.set.owned.get(digestKey, "7")
	assert.False(t, recorded || newer, "the deleted child's digest is dropped")

	secret := partialMeta(newSecret("user-pw", "1", nil), "Secret")
	f.c.onReferencedDelete(f.set, secretIndex, cache.DeletedFinalStateUnknown{Key: "test/user-pw", Obj: secret})
	assert.Equal(t, []cache.ObjectName{key("foo")}, drain(f))
	assert.Equal(t, 1, f.c.secretContent.len(), "the deleted Secret's content is dropped")

	for _, h := range []func(interface{}){
		func(o interface{}) { f.c.onKMMDelete(f.set, o) },
		f.c.childHandlers(f.set).OnDelete,
		func(o interface{}) { f.c.onReferencedDelete(f.set, secretIndex, o) },
	} {
		assert.NotPanics(t, func() { h(cache.DeletedFinalStateUnknown{Key: "test/x"}) })
		assert.NotPanics(t, func() { h("not an object") })
	}
	assert.Empty(t, drain(f))
}

// TestReferenceIndex: the index maps every Secret and ConfigMap a spec names, valid or not, to
// the resource; content of Secrets no longer referenced is evicted.
func TestReferenceIndex(t *testing.T) {
	kmm, objs := referencingKMM()
	kmm.Spec.Consumer.Authentication = &v1beta2.KafkaClientAuthentication{
		Type:         v1beta2.AuthenticationTypeOAuth,
		ClientSecret: &v1beta2.GenericSecretSource{SecretName: "oauth-client", Key: "secret"},
		// Not used by the oauth type, but named: a fix of the type must find it.
		CertificateAndKey:      &v1beta2.CertAndKeySecretSource{SecretName: "stray-cert"},
		TLSTrustedCertificates: []v1beta2.CertSecretSource{{SecretName: "oauth-ca"}},
	}
	secrets, cms := specReferences(kmm.Spec)
	assert.Equal(t, []string{"ca-cert", "oauth-ca", "oauth-client", "stray-cert", "user-pw"}, secrets)
	assert.Equal(t, []string{"logging", "metrics"}, cms)

	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, objs)
	for _, name := range secrets {
		f.c.onReferenced(f.set, secretIndex, partialMeta(newSecret(name, "1", nil), "Secret"))
		assert.Equal(t, []cache.ObjectName{key("foo")}, drain(f), name)
	}

	// Dropping the SCRAM authentication evicts the cached password once nothing references it.
	f.c.secretContent.put(key("user-pw"), "1", "1", newSecret("user-pw", "1", nil))
	updated := kmm.DeepCopy()
	updated.Spec.Producer.Authentication = nil
	updated.Generation, updated.ResourceVersion = 2, "2"
	require.NoError(t, f.set.kmmInformer.GetIndexer().Update(updated))
	f.c.onKMMUpdate(f.set, kmm, updated)
	_, _, ok := f.c.secretContent.get(key("user-pw"), "1")
	assert.False(t, ok)
}

// TestFreshObjectsAfterOwnWrites: the result of a write replaces the cached object until the
// cache moves past the version the write replaced; chained writes keep the first stale version.
func TestFreshObjectsAfterOwnWrites(t *testing.T) {
	f := newFixture(t, nil, nil)
	obj := func(rv string) *appsv1.Deployment {
		return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "d", Namespace: testNamespace, ResourceVersion: rv}}
	}
	// Created: the cache misses it until it catches up.
	f.c.remember("Deployment", testNamespace, "d", "", obj("5"))
	assert.Equal(t, "5", f.c.freshen("Deployment", testNamespace, "d", nil).(*appsv1.Deployment).ResourceVersion)
	assert.Equal(t, "5", f.c.freshen("Deployment", testNamespace, "d", obj("5")).(*appsv1.Deployment).ResourceVersion)
	assert.Nil(t, f.c.freshen("Deployment", testNamespace, "d", nil), "record dropped once the cache moved")

	// Two writes in one pass, on top of cached version 5.
	f.c.remember("Deployment", testNamespace, "d", "5", obj("6"))
	f.c.remember("Deployment", testNamespace, "d", "6", obj("7"))
	assert.Equal(t, "7", f.c.freshen("Deployment", testNamespace, "d", obj("5")).(*appsv1.Deployment).ResourceVersion)
	assert.Equal(t, "8", f.c.freshen("Deployment", testNamespace, "d", obj("8")).(*appsv1.Deployment).ResourceVersion)

	// Another writer's change made before the write (version 9) reaches the cache first: the
	// write's result (10) includes it and stays; a version after it replaces the record.
	f.c.remember("Deployment", testNamespace, "d", "8", obj("10"))
	assert.Equal(t, "10", f.c.freshen("Deployment", testNamespace, "d", obj("9")).(*appsv1.Deployment).ResourceVersion)
	assert.Equal(t, "10", f.c.freshen("Deployment", testNamespace, "d", obj("9")).(*appsv1.Deployment).ResourceVersion, "kept while the cache is older")
	assert.Equal(t, "11", f.c.freshen("Deployment", testNamespace, "d", obj("11")).(*appsv1.Deployment).ResourceVersion)
	assert.Equal(t, "9", f.c.freshen("Deployment", testNamespace, "d", obj("9")).(*appsv1.Deployment).ResourceVersion, "record dropped once the cache passed it")

	// A write the server did not change (same resourceVersion) is not remembered.
	f.c.remember("Deployment", testNamespace, "d", "8", obj("8"))
	assert.Equal(t, "8", f.c.freshen("Deployment", testNamespace, "d", obj("8")).(*appsv1.Deployment).ResourceVersion)
}
