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
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	kubefake "k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2/ktesting"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	kmmfake "github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned/fake"
	"github.com/kmm-operator/kmm-operator/pkg/metrics"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

const testNamespace = "test"

var (
	deploymentsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	kmmGVR         = schema.GroupVersionResource{Group: "kafka.strimzi.io", Version: "v1beta2", Resource: "kafkamirrormakers"}
	childResources = []struct {
		gvr  schema.GroupVersionResource
		kind string
	}{
		{deploymentsGVR, "Deployment"},
		{schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}, "ServiceAccount"},
		{schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "ConfigMap"},
		{schema.GroupVersionResource{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets"}, "PodDisruptionBudget"},
	}
)

// newKMM returns the resource of Strimzi's KafkaMirrorMakerAssemblyOperatorTest (spec §5.1).
func newKMM(name string, mutate ...func(*v1beta2.KafkaMirrorMaker)) *v1beta2.KafkaMirrorMaker {
	k := &v1beta2.KafkaMirrorMaker{
		TypeMeta: metav1.TypeMeta{APIVersion: model.APIVersion, Kind: model.Kind},
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: testNamespace, UID: types.UID("uid-" + name), Generation: 1, ResourceVersion: "1",
			Labels: map[string]string{"app.kubernetes.io/part-of": "tests", "my-user-label": "cromulent"},
		},
		Spec: &v1beta2.KafkaMirrorMakerSpec{
			Replicas: 3,
			Image:    ptr.To("my-image:latest"),
			Consumer: &v1beta2.KafkaMirrorMakerConsumerSpec{BootstrapServers: "bar-kafka:9092", GroupID: "my-group-id", NumStreams: ptr.To[int32](2)},
			Producer: &v1beta2.KafkaMirrorMakerProducerSpec{BootstrapServers: "foo-kafka:9092"},
			Include:  ptr.To(".*"),
		},
	}
	for _, m := range mutate {
		m(k)
	}
	return k
}

func newSecret(name, rv string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace, ResourceVersion: rv},
		Data:       map[string][]byte{},
	}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func newConfigMap(name, rv string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace, ResourceVersion: rv},
		Data:       data,
	}
}

// fixture is a controller on fake clientsets whose informer caches are filled from the fakes by
// syncCaches (the informers are not started), with a fake clock and a fake recorder.
type fixture struct {
	t        testing.TB
	ctx      context.Context
	kube     *kubefake.Clientset
	kmmc     *kmmfake.Clientset
	recorder *record.FakeRecorder
	clock    *clocktesting.FakeClock
	metrics  *metrics.Metrics
	c        *Controller
	set      *informerSet
}

func newFixture(t testing.TB, kmms []*v1beta2.KafkaMirrorMaker, objs []runtime.Object, mods ...func(*Config)) *fixture {
	t.Helper()
	_, ctx := ktesting.NewTestContext(t)
	f := &fixture{t: t, ctx: ctx}
	var kmmObjs []runtime.Object
	for _, k := range kmms {
		kmmObjs = append(kmmObjs, k)
	}
	f.kube = kubefake.NewClientset(objs...)
	f.kmmc = kmmfake.NewSimpleClientset(kmmObjs...)
	md := metadatafake.NewSimpleMetadataClient(metadatafake.NewTestScheme())
	f.recorder = record.NewFakeRecorder(100)
	f.clock = clocktesting.NewFakeClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	f.metrics = metrics.New()
	cfg := DefaultConfig()
	cfg.Clock = f.clock
	cfg.Settings.OpenShift = true
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg, f.kube, f.kmmc, md, f.recorder, f.metrics)
	require.NoError(t, err)
	f.c = c
	f.set = c.setFor(testNamespace)
	f.syncCaches()
	f.clearActions()
	return f
}

func listTracker(t testing.TB, tr clienttesting.ObjectTracker, gvr schema.GroupVersionResource, kind string) []runtime.Object {
	t.Helper()
	list, err := tr.List(gvr, gvr.GroupVersion().WithKind(kind), "")
	require.NoError(t, err)
	items, err := meta.ExtractList(list)
	require.NoError(t, err)
	return items
}

// syncCaches makes the informer caches reflect the fake API servers, as the informers would:
// the children filtered by the strimzi.io/kind label and slimmed by the informers' transform,
// Secrets and ConfigMaps as metadata only.
func (f *fixture) syncCaches() {
	f.t.Helper()
	kmms := listTracker(f.t, f.kmmc.Tracker(), kmmGVR, model.Kind)
	require.NoError(f.t, f.set.kmmInformer.GetIndexer().Replace(toInterfaces(kmms), ""))
	infs := map[string]cache.SharedIndexInformer{
		"Deployment": f.set.deploymentInformer, "ServiceAccount": f.set.serviceAccountInformer,
		"ConfigMap": f.set.configMapInformer, "PodDisruptionBudget": f.set.pdbInformer,
	}
	transform := slimChildren(f.set.fieldManager, f.set.owned)
	for _, r := range childResources {
		var items []interface{}
		for _, o := range listTracker(f.t, f.kube.Tracker(), r.gvr, r.kind) {
			m, _ := meta.Accessor(o)
			if m.GetLabels()[model.LabelKind] == model.Kind {
				if m.GetResourceVersion() == "" {
					// The fake API server leaves resourceVersion empty where a real one
					// never does: a version derived from the content stands in for it.
					b, err := json.Marshal(o)
					require.NoError(f.t, err)
					o = o.DeepCopyObject()
					m, _ = meta.Accessor(o)
					m.SetResourceVersion(fmt.Sprintf("c%x", sha256.Sum256(b))[:17])
				}
				obj, err := transform(o)
				require.NoError(f.t, err)
				items = append(items, obj)
			}
		}
		require.NoError(f.t, infs[r.kind].GetIndexer().Replace(items, ""))
	}
	for _, r := range []struct {
		gvr  schema.GroupVersionResource
		kind string
		inf  cache.SharedIndexInformer
	}{
		{secretsResource, "Secret", f.set.secretMetaInformer},
		{configMapsResource, "ConfigMap", f.set.configMapMetaInformer},
	} {
		var items []interface{}
		for _, o := range listTracker(f.t, f.kube.Tracker(), r.gvr, r.kind) {
			items = append(items, partialMeta(o, r.kind))
		}
		require.NoError(f.t, r.inf.GetIndexer().Replace(items, ""))
	}
}

func partialMeta(o runtime.Object, kind string) *metav1.PartialObjectMetadata {
	m, _ := meta.Accessor(o)
	return &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: kind},
		ObjectMeta: metav1.ObjectMeta{Name: m.GetName(), Namespace: m.GetNamespace(), UID: m.GetUID(), ResourceVersion: m.GetResourceVersion()},
	}
}

func toInterfaces(objs []runtime.Object) []interface{} {
	out := make([]interface{}, 0, len(objs))
	for _, o := range objs {
		out = append(out, o)
	}
	return out
}

func (f *fixture) clearActions() {
	f.kube.ClearActions()
	f.kmmc.ClearActions()
}

func key(name string) cache.ObjectName { return cache.ObjectName{Namespace: testNamespace, Name: name} }

// reconcile runs one pass for name and returns its state and error.
func (f *fixture) reconcile(name string) (*reconcileState, error) {
	f.t.Helper()
	return f.c.reconcileKey(f.ctx, key(name))
}

// mustReconcile runs one pass that must not return an error.
func (f *fixture) mustReconcile(name string) *reconcileState {
	f.t.Helper()
	st, err := f.reconcile(name)
	require.NoError(f.t, err)
	require.NotNil(f.t, st)
	return st
}

// actions returns the recorded actions of both clientsets, without list and watch.
func (f *fixture) actions() []clienttesting.Action {
	var out []clienttesting.Action
	for _, a := range append(f.kube.Actions(), f.kmmc.Actions()...) {
		if a.GetVerb() == "list" || a.GetVerb() == "watch" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// writes returns the recorded write actions.
func (f *fixture) writes() []clienttesting.Action {
	var out []clienttesting.Action
	for _, a := range f.actions() {
		switch a.GetVerb() {
		case "create", "update", "patch", "delete":
			out = append(out, a)
		}
	}
	return out
}

// patches returns the bodies of the apply patches sent for resource.
func (f *fixture) patches(resource string) [][]byte {
	var out [][]byte
	for _, a := range f.kube.Actions() {
		if p, ok := a.(clienttesting.PatchAction); ok && a.GetResource().Resource == resource {
			out = append(out, p.GetPatch())
		}
	}
	return out
}

func (f *fixture) statusUpdates() []*v1beta2.KafkaMirrorMaker {
	var out []*v1beta2.KafkaMirrorMaker
	for _, a := range f.kmmc.Actions() {
		if u, ok := a.(clienttesting.UpdateAction); ok && a.GetSubresource() == "status" {
			out = append(out, u.GetObject().(*v1beta2.KafkaMirrorMaker))
		}
	}
	return out
}

func (f *fixture) deployment(name string) *appsv1.Deployment {
	f.t.Helper()
	o, err := f.kube.Tracker().Get(deploymentsGVR, testNamespace, name)
	require.NoError(f.t, err)
	return o.(*appsv1.Deployment)
}

func (f *fixture) kmm(name string) *v1beta2.KafkaMirrorMaker {
	f.t.Helper()
	o, err := f.kmmc.Tracker().Get(kmmGVR, testNamespace, name)
	require.NoError(f.t, err)
	return o.(*v1beta2.KafkaMirrorMaker)
}

// updateKMM stores a changed resource in the fake API server and the cache.
func (f *fixture) updateKMM(k *v1beta2.KafkaMirrorMaker) {
	f.t.Helper()
	require.NoError(f.t, f.kmmc.Tracker().Update(kmmGVR, k, testNamespace))
	f.syncCaches()
	f.clearActions()
}

// editKMM changes the spec of a resource (bumping its generation and resourceVersion).
func (f *fixture) editKMM(name string, mutate func(*v1beta2.KafkaMirrorMaker)) {
	f.t.Helper()
	k := f.kmm(name).DeepCopy()
	mutate(k)
	k.Generation++
	k.ResourceVersion = bumpRV(k.ResourceVersion)
	f.updateKMM(k)
}

func bumpRV(rv string) string {
	n := 0
	for _, c := range rv {
		n = n*10 + int(c-'0')
	}
	return strconv.Itoa(n + 1)
}

// updateDeployment plays the Deployment controller (or another actor): it changes the Deployment
// in the fake API server as manager, then refreshes the caches.
func (f *fixture) updateDeployment(name, manager string, mutate func(*appsv1.Deployment)) {
	f.t.Helper()
	d := f.deployment(name).DeepCopy()
	mutate(d)
	d.ResourceVersion = bumpRV(d.ResourceVersion)
	require.NoError(f.t, f.kube.Tracker().Update(deploymentsGVR, d, testNamespace, metav1.UpdateOptions{FieldManager: manager}))
	f.syncCaches()
}

// markReady plays the Deployment controller: the Deployment has observed its generation and
// every replica is available.
func (f *fixture) markReady(name string) {
	f.t.Helper()
	f.updateDeployment(name, "kube-controller-manager", func(d *appsv1.Deployment) {
		r := ptr.Deref(d.Spec.Replicas, 1)
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: r, UpdatedReplicas: r, ReadyReplicas: r, AvailableReplicas: r}
	})
}

// establish brings a resource to a fully reconciled, Ready state, then clears the recorded
// actions and events.
func (f *fixture) establish(name string) {
	f.t.Helper()
	st := f.mustReconcile(name)
	if st.outcome == outcomeWaiting {
		f.syncCaches()
		f.markReady(name + "-mirror-maker")
		st = f.mustReconcile(name)
	}
	require.Equal(f.t, outcomeReady, st.outcome, "steps: %v", st.ran)
	f.syncCaches()
	f.clearActions()
	f.events()
}

// events drains the recorded events.
func (f *fixture) events() []string {
	var out []string
	for {
		select {
		case e := <-f.recorder.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

func stepNames(st *reconcileState) []string {
	out := make([]string, 0, len(st.ran))
	for _, r := range st.ran {
		out = append(out, r.name)
	}
	return out
}

func stepResult(st *reconcileState, name string) string {
	for _, r := range st.ran {
		if r.name == name {
			return r.result
		}
	}
	return ""
}

var allSteps = []string{"model", stepServiceAccount, stepScaleDown, stepConfigMap, stepPodDisruptionBudget, stepAuthTLSHash, stepDeployment, stepScaleUp, stepWaitForObserved, stepReadiness}

// conditionsOf renders the conditions as "Type/Status/Reason/Message" for compact assertions.
func conditionsOf(s *v1beta2.KafkaMirrorMakerStatus) []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, c := range s.Conditions {
		out = append(out, ptr.Deref(c.Type, "")+"/"+ptr.Deref(c.Status, "")+"/"+ptr.Deref(c.Reason, "")+"/"+ptr.Deref(c.Message, ""))
	}
	return out
}

var deprecationCondition = "Warning/True/" + DeprecationReason + "/" + DeprecationMessage
