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
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// clientGoExtract is client-go's extraction, with the full schema: the reference ownedFields is
// checked against.
func clientGoExtract(t *testing.T, obj runtime.Object, fm string) []byte {
	t.Helper()
	var ac any
	var err error
	switch o := obj.(type) {
	case *appsv1.Deployment:
		ac, err = appsv1ac.ExtractDeployment(o, fm)
	case *corev1.ServiceAccount:
		ac, err = corev1ac.ExtractServiceAccount(o, fm)
	case *corev1.ConfigMap:
		ac, err = corev1ac.ExtractConfigMap(o, fm)
	default:
		ac, err = policyv1ac.ExtractPodDisruptionBudget(obj.(*policyv1.PodDisruptionBudget), fm)
	}
	require.NoError(t, err)
	b, err := json.Marshal(ac)
	require.NoError(t, err)
	return b
}

// requireSameOwned: ownedFields and client-go's extraction decode to semantically equal objects.
func requireSameOwned(t *testing.T, obj runtime.Object, fm string) {
	t.Helper()
	k, ok := childKindOf(obj)
	require.True(t, ok)
	mine, err := ownedFields(obj, fm)
	require.NoError(t, err)
	require.NotNil(t, mine, "%s: the manager owns fields", k.kind)
	theirs := clientGoExtract(t, obj, fm)
	a, b := k.empty(), k.empty()
	require.NoError(t, json.Unmarshal(mine, a))
	require.NoError(t, json.Unmarshal(theirs, b))
	for _, o := range []runtime.Object{a, b} {
		o.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
	}
	assert.True(t, equality.Semantic.DeepEqual(a, b), "%s:\nownedFields: %s\nclient-go:   %s", k.kind, mine, theirs)
}

// TestOwnedFieldsAsClientGo: the FieldsV1 walk extracts what client-go's schema-based extraction
// does, for every child kind, after the operator's applies and other managers' changes (as the
// fake API server's field management records them).
func TestOwnedFieldsAsClientGo(t *testing.T) {
	kmm := newKMM("foo", func(k *v1beta2.KafkaMirrorMaker) {
		k.Spec.Template = nil
	})
	f := newFixture(t, []*v1beta2.KafkaMirrorMaker{kmm}, nil)
	f.establish("foo")
	fm := f.c.cfg.FieldManager
	check := func() {
		t.Helper()
		requireSameOwned(t, f.deployment("foo-mirror-maker"), fm)
		for _, r := range childResources[1:] {
			for _, o := range listTracker(t, f.kube.Tracker(), r.gvr, r.kind) {
				requireSameOwned(t, o, fm)
			}
		}
	}
	check()
	// Other managers' changes: a field taken over, a list item added, an annotation.
	f.updateDeployment("foo-mirror-maker", "kubectl-edit", func(d *appsv1.Deployment) {
		c := &d.Spec.Template.Spec.Containers[0]
		c.Image = "other:1"
		c.Env = append(c.Env, corev1.EnvVar{Name: "EXTRA", Value: "1"})
		d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] = "now"
		d.Labels["team"] = "x"
	})
	check()
	f.editKMM("foo", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Replicas = 1 })
	f.mustReconcile("foo")
	check()

	// Not owned at all: nil.
	out, err := ownedFields(f.deployment("foo-mirror-maker"), "nobody")
	require.NoError(t, err)
	assert.Nil(t, out)
}
