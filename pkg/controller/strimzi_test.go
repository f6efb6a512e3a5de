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

// The nine scenarios of Strimzi's KafkaMirrorMakerAssemblyOperatorTest (spec §5.1), adapted to
// this architecture: instead of mocked resource operators, fake clientsets record the applies,
// and a pass that has to wait for the Deployment ends as "waiting" until the test plays the
// Deployment controller.

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/metrics"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

const fooSelector = "strimzi.io/cluster=foo,strimzi.io/name=foo-mirror-maker,strimzi.io/kind=KafkaMirrorMaker"

// desiredBody renders what the model says the child should be, as the apply body.
func desiredBody(t *testing.T, obj runtime.Object) string {
	t.Helper()
	b, err := applyBody(obj)
	require.NoError(t, err)
	return string(b)
}

func modelOf(t *testing.T, f *fixture, kmm *v1beta2.KafkaMirrorMaker) *model.MirrorMaker {
	t.Helper()
	m, err := model.FromCRD(kmm, f.c.cfg.Settings)
	require.NoError(t, err)
	return m
}

func defaultHashes() map[string]string {
	return map[string]string{model.AnnotationLogging: "e697cf66", model.AnnotationAuthHash: "0"}
}

func decodeDeployment(t *testing.T, body []byte) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	require.NoError(t, json.Unmarshal(body, &d))
	return &d
}

// TestCreateCluster: a new resource gets exactly one apply of each child, the Deployment and PDB
// equal to the model's (hash annotations e697cf66 and 0), then Ready with the deprecation Warning,
// replicas and labelSelector once the Deployment is ready.
func TestCreateCluster(t *testing.T) {
	kmm := newKMM("foo")
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, nil)
	m := modelOf(t, f, kmm)

	st := f.mustReconcile("foo")
	assert.Equal(t, allSteps, stepNames(st))
	assert.Equal(t, outcomeWaiting, st.outcome)

	wantDeployment, err := m.Deployment(defaultHashes())
	require.NoError(t, err)
	deployments := f.patches("deployments")
	require.Len(t, deployments, 1)
	assert.JSONEq(t, desiredBody(t, wantDeployment), string(deployments[0]))
	d := decodeDeployment(t, deployments[0])
	assert.Equal(t, "foo-mirror-maker", d.Name)
	assert.Equal(t, "e697cf66", d.Spec.Template.Annotations[model.AnnotationLogging])
	assert.Equal(t, "0", d.Spec.Template.Annotations[model.AnnotationAuthHash])

	wantPDB, err := m.PodDisruptionBudget()
	require.NoError(t, err)
	pdbs := f.patches("poddisruptionbudgets")
	require.Len(t, pdbs, 1)
	assert.JSONEq(t, desiredBody(t, wantPDB), string(pdbs[0]))
	assert.Len(t, f.patches("serviceaccounts"), 1)
	assert.Len(t, f.patches("configmaps"), 1)

	updates := f.statusUpdates()
	require.Len(t, updates, 1)
	assert.Equal(t, []string{
		"Ready/False/Progressing/Waiting for Deployment test/foo-mirror-maker to be ready: 0 of 3 replicas available, 0 updated",
		deprecationCondition,
	}, conditionsOf(updates[0].Status))
	assert.Empty(t, f.events(), "creating the children of a new resource records no Event")

	// The Deployment controller catches up; its status change wakes the resource.
	f.syncCaches()
	f.markReady("foo-mirror-maker")
	f.clearActions()
	st = f.mustReconcile("foo")
	assert.Equal(t, outcomeReady, st.outcome)
	assert.Empty(t, f.patches("deployments"))
	require.Len(t, f.writes(), 1, "only the status is written")
	status := f.kmm("foo").Status
	assert.Equal(t, []string{"Ready/True//", deprecationCondition}, conditionsOf(status))
	assert.Equal(t, ptr.To[int32](3), status.Replicas)
	assert.Equal(t, ptr.To(fooSelector), status.LabelSelector)
	assert.Equal(t, ptr.To[int64](1), status.ObservedGeneration)
	assert.Empty(t, f.events())

	labels := []string{metrics.Kind, "", ""}
	assert.Equal(t, 2.0, testutil.ToFloat64(f.metrics.Reconciliations.WithLabelValues(labels...)))
	assert.Equal(t, 2.0, testutil.ToFloat64(f.metrics.ReconciliationsSuccessful.WithLabelValues(labels...)))
	assert.Equal(t, 1.0, testutil.ToFloat64(f.metrics.ResourceState.WithLabelValues(metrics.Kind, "foo", testNamespace, "none")))
}

// TestUpdateClusterNoDiff: every step runs (scaleDown and scaleUp decide for themselves), and
// with nothing to change the pass makes no API call at all and records no event.
func TestUpdateClusterNoDiff(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")

	st := f.mustReconcile("foo")
	assert.Equal(t, outcomeReady, st.outcome)
	assert.Equal(t, allSteps, stepNames(st))
	assert.Equal(t, resultSkipped, stepResult(st, stepScaleDown))
	assert.Equal(t, resultSkipped, stepResult(st, stepScaleUp))
	assert.Equal(t, resultSkipped, stepResult(st, stepDeployment))
	assert.Equal(t, resultSkipped, stepResult(st, stepPodDisruptionBudget))
	assert.Empty(t, f.actions(), "a no-op pass makes no API call")
	assert.Empty(t, f.events())
}

// TestUpdateCluster: a new image makes exactly one Deployment apply, equal to the new model's
// Deployment with the same hash annotations; the other children are left alone.
func TestUpdateCluster(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Image = ptr.To("some/different:image") })

	st := f.mustReconcile("foo")
	assert.Equal(t, allSteps, stepNames(st))
	want, err := modelOf(t, f, f.kmm("foo")).Deployment(defaultHashes())
	require.NoError(t, err)
	deployments := f.patches("deployments")
	require.Len(t, deployments, 1)
	assert.JSONEq(t, desiredBody(t, want), string(deployments[0]))
	assert.Empty(t, f.patches("poddisruptionbudgets"))
	assert.Empty(t, f.patches("configmaps"))
	assert.Empty(t, f.patches("serviceaccounts"))
	assert.Equal(t, "some/different:image", f.deployment("foo-mirror-maker").Spec.Template.Spec.Containers[0].Image)
	assert.Equal(t, []string{"Normal Updated Updated Deployment foo-mirror-maker"}, f.events())
}

// TestUpdateClusterFailure: a failing Deployment apply fails the pass.
func TestUpdateClusterFailure(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Image = ptr.To("some/different:image") })
	f.kube.PrependReactor("patch", "deployments", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("failure")
	})

	st, err := f.reconcile("foo")
	require.Error(t, err)
	assert.Equal(t, outcomeFailed, st.outcome)
	assert.Equal(t, resultError, stepResult(st, stepDeployment))
	assert.Equal(t, []string{"NotReady/True/KubernetesClientException/failure", deprecationCondition}, conditionsOf(f.kmm("foo").Status))
}

// TestUpdateClusterScaleUp: more replicas are applied by scaleUp, after the (unchanged) template.
func TestUpdateClusterScaleUp(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	before := f.deployment("foo-mirror-maker").DeepCopy()
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Replicas = 4 })

	st := f.mustReconcile("foo")
	assert.Equal(t, resultSkipped, stepResult(st, stepDeployment))
	assert.Equal(t, resultOK, stepResult(st, stepScaleUp))
	deployments := f.patches("deployments")
	require.Len(t, deployments, 1)
	assert.Equal(t, ptr.To[int32](4), decodeDeployment(t, deployments[0]).Spec.Replicas)
	after := f.deployment("foo-mirror-maker")
	assert.Equal(t, ptr.To[int32](4), after.Spec.Replicas)
	assert.Equal(t, before.Spec.Template, after.Spec.Template)
	assert.Equal(t, outcomeWaiting, st.outcome)
	assert.Equal(t, []string{"Normal ScaledUp Scaled Deployment foo-mirror-maker up from 3 to 4 replicas"}, f.events())

	f.markReady("foo-mirror-maker")
	assert.Equal(t, outcomeReady, f.mustReconcile("foo").outcome)
	assert.Equal(t, ptr.To[int32](4), f.kmm("foo").Status.Replicas)
}

// TestUpdateClusterScaleDown: fewer replicas are applied by scaleDown; scaleUp still runs and
// has nothing to do.
func TestUpdateClusterScaleDown(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo")}, nil)
	f.establish("foo")
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Replicas = 2 })

	st := f.mustReconcile("foo")
	assert.Equal(t, resultOK, stepResult(st, stepScaleDown))
	assert.Equal(t, resultSkipped, stepResult(st, stepScaleUp))
	assert.Equal(t, ptr.To[int32](2), f.deployment("foo-mirror-maker").Spec.Replicas)
	require.Len(t, f.patches("deployments"), 1)

	f.markReady("foo-mirror-maker")
	assert.Equal(t, outcomeReady, f.mustReconcile("foo").outcome)
	assert.Equal(t, ptr.To[int32](2), f.kmm("foo").Status.Replicas)
}

// TestReconcile: the periodic full pass enqueues every resource (foo and bar), spread over the
// interval, and both get reconciled.
func TestReconcile(t *testing.T) {
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{newKMM("foo"), newKMM("bar")}, nil)
	f.c.enqueueAll(f.ctx)
	assert.Equal(t, 1.0, testutil.ToFloat64(f.metrics.ReconciliationsPeriodical.WithLabelValues(metrics.Kind, "", "")))

	f.clock.Step(f.c.cfg.FullReconciliationInterval)
	require.Eventually(t, func() bool { return f.c.queue.Len() == 2 }, 10*time.Second, 5*time.Millisecond)
	for range 2 {
		require.True(t, f.c.processNextWorkItem(f.ctx))
	}
	for _, name := range []string{"foo", "bar"} {
		d := f.deployment(name + "-mirror-maker")
		assert.Equal(t, name, d.Labels[model.LabelCluster])
	}
}

// TestCreateClusterStatusNotReady: when scaleUp fails with "failure" the status is NotReady with
// that message, followed by the deprecation Warning.
func TestCreateClusterStatusNotReady(t *testing.T) {
	kmm := newKMM("foo")
	// Left behind by Strimzi with one replica: the template matches, so only scaleUp writes.
	objs := strimziChildren(t, kmm, func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](1) })
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, objs)
	f.kube.PrependReactor("patch", "deployments", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("failure")
	})

	st, err := f.reconcile("foo")
	require.Error(t, err)
	assert.Equal(t, resultError, stepResult(st, stepScaleUp))
	assert.NotContains(t, stepNames(st), stepWaitForObserved)
	updates := f.statusUpdates()
	require.Len(t, updates, 1)
	assert.Equal(t, []string{"NotReady/True/KubernetesClientException/failure", deprecationCondition}, conditionsOf(updates[0].Status))
}

// TestCreateOrUpdateZeroReplica: with zero replicas readiness is not checked and the resource is
// Ready at once.
func TestCreateOrUpdateZeroReplica(t *testing.T) {
	kmm := newKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Replicas = 0 })
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, nil)

	st := f.mustReconcile("foo")
	assert.Equal(t, outcomeReady, st.outcome)
	assert.Equal(t, resultSkipped, stepResult(st, stepReadiness))
	status := f.kmm("foo").Status
	assert.Equal(t, []string{"Ready/True//", deprecationCondition}, conditionsOf(status))
	assert.Equal(t, ptr.To[int32](0), status.Replicas)
	assert.Equal(t, ptr.To[int32](0), f.deployment("foo-mirror-maker").Spec.Replicas)
}
