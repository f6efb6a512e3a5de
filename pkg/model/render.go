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

package model

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// ServiceAccount renders the ServiceAccount "<name>-mirror-maker" the Pods run as, with the
// labels and annotations of the serviceAccount template.
func (m *MirrorMaker) ServiceAccount() (*corev1.ServiceAccount, error) {
	var meta *v1beta2.MetadataTemplate
	if t := m.spec.Template; t != nil && t.ServiceAccount != nil {
		meta = t.ServiceAccount.Metadata
	}
	labels, err := withLabels(m.labels, metadataLabels(meta))
	if err != nil {
		return nil, err
	}
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: m.objectMeta(m.ComponentName(), labels, nonEmpty(metadataAnnotations(meta))),
	}, nil
}

// PodDisruptionBudget renders the PodDisruptionBudget "<name>-mirror-maker": maxUnavailable from
// the podDisruptionBudget template, 1 by default. It exists even with zero replicas.
func (m *MirrorMaker) PodDisruptionBudget() (*policyv1.PodDisruptionBudget, error) {
	var meta *v1beta2.MetadataTemplate
	maxUnavailable := int32(1)
	if t := m.spec.Template; t != nil && t.PodDisruptionBudget != nil {
		meta = t.PodDisruptionBudget.Metadata
		if t.PodDisruptionBudget.MaxUnavailable != nil {
			maxUnavailable = *t.PodDisruptionBudget.MaxUnavailable
		}
	}
	labels, err := withLabels(m.labels, metadataLabels(meta))
	if err != nil {
		return nil, err
	}
	mu := intstr.FromInt32(maxUnavailable)
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: m.objectMeta(m.ComponentName(), labels, nonEmpty(metadataAnnotations(meta))),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: &mu,
			Selector:       &metav1.LabelSelector{MatchLabels: m.SelectorLabels()},
		},
	}, nil
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return copyMap(m)
}

// Rendered is everything Strimzi generated for one resource.
type Rendered struct {
	ServiceAccount      *corev1.ServiceAccount
	ConfigMap           *corev1.ConfigMap
	PodDisruptionBudget *policyv1.PodDisruptionBudget
	Deployment          *appsv1.Deployment
	LoggingHash         string
	AuthHash            string
	Model               *MirrorMaker
}

// Render builds the model and renders every object in the order of Strimzi's reconciliation
// (ServiceAccount, ConfigMap, PodDisruptionBudget, auth hash, Deployment), so that the first
// failure is the one Strimzi reported.
func Render(kmm *v1beta2.KafkaMirrorMaker, s Settings, secrets SecretGetter, cms ConfigMapGetter) (*Rendered, error) {
	m, err := FromCRD(kmm, s)
	if err != nil {
		return nil, err
	}
	r := &Rendered{Model: m}
	if r.ServiceAccount, err = m.ServiceAccount(); err != nil {
		return nil, err
	}
	if r.ConfigMap, err = m.ConfigMap(cms); err != nil {
		return nil, err
	}
	r.LoggingHash = LoggingHash(r.ConfigMap.Data[Log4jPropertiesKey])
	if r.PodDisruptionBudget, err = m.PodDisruptionBudget(); err != nil {
		return nil, err
	}
	if r.AuthHash, err = AuthHash(m, secrets); err != nil {
		return nil, err
	}
	r.Deployment, err = m.Deployment(map[string]string{
		AnnotationLogging:  r.LoggingHash,
		AnnotationAuthHash: r.AuthHash,
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
