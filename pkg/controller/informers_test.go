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
)

func TestKeepManagedFieldsOf(t *testing.T) {
	entry := func(manager string, op metav1.ManagedFieldsOperationType, sub string) metav1.ManagedFieldsEntry {
		return metav1.ManagedFieldsEntry{Manager: manager, Operation: op, Subresource: sub, APIVersion: "apps/v1",
			FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:metadata":{}}`)}}
	}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "foo-mirror-maker", ManagedFields: []metav1.ManagedFieldsEntry{
		entry("strimzi-cluster-operator", metav1.ManagedFieldsOperationUpdate, ""),
		entry("kmm-operator", metav1.ManagedFieldsOperationApply, ""),
		entry("kube-controller-manager", metav1.ManagedFieldsOperationUpdate, "status"),
		entry("kubectl-rollout", metav1.ManagedFieldsOperationUpdate, ""),
	}}}
	out, err := keepManagedFieldsOf("kmm-operator")(d)
	require.NoError(t, err)
	got := out.(*appsv1.Deployment).ManagedFields
	require.Len(t, got, 1)
	assert.Equal(t, "kmm-operator", got[0].Manager)
	assert.Equal(t, metav1.ManagedFieldsOperationApply, got[0].Operation)
	assert.True(t, managesAny(out.(*appsv1.Deployment), "kmm-operator"), "the apply entry the comparison reads stays")

	// A child this manager never applied keeps no entry, and so is compared field by field.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{
		entry("strimzi-cluster-operator", metav1.ManagedFieldsOperationUpdate, ""),
	}}}
	out, err = keepManagedFieldsOf("kmm-operator")(sa)
	require.NoError(t, err)
	assert.Empty(t, out.(*corev1.ServiceAccount).ManagedFields)
	assert.False(t, managesAny(out.(*corev1.ServiceAccount), "kmm-operator"))

	// Not an object: passed through.
	out, err = keepManagedFieldsOf("kmm-operator")("tombstone")
	require.NoError(t, err)
	assert.Equal(t, "tombstone", out)
}
