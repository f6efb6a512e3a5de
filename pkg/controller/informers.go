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

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	policylisters "k8s.io/client-go/listers/policy/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"

	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned"
	kmminformers "github.com/kmm-operator/kmm-operator/pkg/generated/informers/externalversions"
	kmmlisters "github.com/kmm-operator/kmm-operator/pkg/generated/listers/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

var (
	secretsResource    = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	configMapsResource = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// childSelector restricts the child informers to objects of this kind of operand, so the cache
// never holds unrelated Deployments, ServiceAccounts, ConfigMaps or PodDisruptionBudgets.
var childSelector = labels.Set{model.LabelKind: model.Kind}.String()

// informerSet is everything watched in one namespace ("" for all namespaces).
type informerSet struct {
	namespace string

	kmmFactory  kmminformers.SharedInformerFactory
	kubeFactory kubeinformers.SharedInformerFactory
	metaFactory metadatainformer.SharedInformerFactory

	kmmInformer            cache.SharedIndexInformer
	deploymentInformer     cache.SharedIndexInformer
	serviceAccountInformer cache.SharedIndexInformer
	configMapInformer      cache.SharedIndexInformer
	pdbInformer            cache.SharedIndexInformer
	secretMetaInformer     cache.SharedIndexInformer
	configMapMetaInformer  cache.SharedIndexInformer

	kmms            kmmlisters.KafkaMirrorMakerLister
	deployments     appslisters.DeploymentLister
	serviceAccounts corelisters.ServiceAccountLister
	configMaps      corelisters.ConfigMapLister
	pdbs            policylisters.PodDisruptionBudgetLister
	secretMeta      cache.GenericLister
	configMapMeta   cache.GenericLister

	informers []cache.SharedIndexInformer

	// owned holds the digests of the fields fieldManager owns on the cached children (cached.go).
	owned        *ownedDigests
	fieldManager string
}

// newInformerSet builds the informers of one namespace. fieldManager is the operator's server-side
// apply field manager: the child caches keep the digest of what it owns (cached.go).
func newInformerSet(namespace string, selector labels.Selector, fieldManager string, kube kubernetes.Interface, kmm versioned.Interface, md metadata.Interface) (*informerSet, error) {
	s := &informerSet{namespace: namespace, owned: newOwnedDigests(), fieldManager: fieldManager}
	s.kmmFactory = kmminformers.NewSharedInformerFactoryWithOptions(kmm, 0,
		kmminformers.WithNamespace(namespace),
		kmminformers.WithTweakListOptions(func(o *metav1.ListOptions) {
			if !selector.Empty() {
				o.LabelSelector = selector.String()
			}
		}),
		kmminformers.WithTransform(stripManagedFields),
	)
	s.kubeFactory = kubeinformers.NewSharedInformerFactoryWithOptions(kube, 0,
		kubeinformers.WithNamespace(namespace),
		kubeinformers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = childSelector }),
		kubeinformers.WithTransform(slimChildren(fieldManager, s.owned)),
	)
	s.metaFactory = metadatainformer.NewFilteredSharedInformerFactory(md, 0, namespace, nil)

	kmmInf := s.kmmFactory.Kafka().V1beta2().KafkaMirrorMakers()
	s.kmmInformer = kmmInf.Informer()
	if err := s.kmmInformer.AddIndexers(cache.Indexers{secretIndex: indexBySecret, configMapIndex: indexByConfigMap}); err != nil {
		return nil, fmt.Errorf("adding indexers: %w", err)
	}
	s.kmms = kmmInf.Lister()

	deployments := s.kubeFactory.Apps().V1().Deployments()
	serviceAccounts := s.kubeFactory.Core().V1().ServiceAccounts()
	configMaps := s.kubeFactory.Core().V1().ConfigMaps()
	pdbs := s.kubeFactory.Policy().V1().PodDisruptionBudgets()
	s.deploymentInformer = deployments.Informer()
	s.serviceAccountInformer = serviceAccounts.Informer()
	s.configMapInformer = configMaps.Informer()
	s.pdbInformer = pdbs.Informer()
	s.deployments = deployments.Lister()
	s.serviceAccounts = serviceAccounts.Lister()
	s.configMaps = configMaps.Lister()
	s.pdbs = pdbs.Lister()

	secretMeta := s.metaFactory.ForResource(secretsResource)
	configMapMeta := s.metaFactory.ForResource(configMapsResource)
	s.secretMetaInformer = secretMeta.Informer()
	s.configMapMetaInformer = configMapMeta.Informer()
	for _, inf := range []cache.SharedIndexInformer{s.secretMetaInformer, s.configMapMetaInformer} {
		if err := inf.SetTransform(stripMetadata); err != nil {
			return nil, fmt.Errorf("setting transform: %w", err)
		}
	}
	s.secretMeta = secretMeta.Lister()
	s.configMapMeta = configMapMeta.Lister()

	s.informers = []cache.SharedIndexInformer{
		s.kmmInformer,
		s.deploymentInformer, s.serviceAccountInformer, s.configMapInformer, s.pdbInformer,
		s.secretMetaInformer, s.configMapMetaInformer,
	}
	return s, nil
}

func (s *informerSet) start(ctx context.Context) {
	s.kmmFactory.Start(ctx.Done())
	s.kubeFactory.Start(ctx.Done())
	s.metaFactory.Start(ctx.Done())
}

func (s *informerSet) shutdown() {
	s.kmmFactory.Shutdown()
	s.kubeFactory.Shutdown()
	s.metaFactory.Shutdown()
}

func (s *informerSet) hasSynced() bool {
	for _, inf := range s.informers {
		if !inf.HasSynced() {
			return false
		}
	}
	return true
}

// stripManagedFields drops managedFields from cached KafkaMirrorMakers: the operator never applies
// them, and they are the bulk of an object's metadata. Other types pass unchanged.
func stripManagedFields(obj interface{}) (interface{}, error) {
	if a, err := meta.Accessor(obj); err == nil {
		a.SetManagedFields(nil)
	}
	return obj, nil
}

// stripMetadata keeps only what the metadata-only Secret and ConfigMap informers are for: name,
// namespace, uid and resourceVersion. Annotations go too, because a
// kubectl.kubernetes.io/last-applied-configuration annotation carries the Secret's data.
func stripMetadata(obj interface{}) (interface{}, error) {
	if a, err := meta.Accessor(obj); err == nil {
		a.SetManagedFields(nil)
		a.SetAnnotations(nil)
		a.SetLabels(nil)
		a.SetOwnerReferences(nil)
	}
	return obj, nil
}
