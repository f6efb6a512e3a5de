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
	"maps"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// addHandlers registers the event handlers of one informer set.
func (c *Controller) addHandlers(s *informerSet, logger klog.Logger) error {
	opts := cache.HandlerOptions{Logger: &logger}
	add := func(inf cache.SharedIndexInformer, h cache.ResourceEventHandler) error {
		reg, err := inf.AddEventHandlerWithOptions(h, opts)
		if err != nil {
			return err
		}
		c.registrations = append(c.registrations, reg)
		return nil
	}
	if err := add(s.kmmInformer, cache.ResourceEventHandlerDetailedFuncs{
		// The gauges are set once after the initial list (Run), not once per listed resource.
		AddFunc:    func(obj interface{}, initial bool) { c.onKMMAdd(s, obj, !initial) },
		UpdateFunc: func(old, cur interface{}) { c.onKMMUpdate(s, old, cur) },
		DeleteFunc: func(obj interface{}) { c.onKMMDelete(s, obj) },
	}); err != nil {
		return err
	}
	child := c.childHandlers(s)
	for _, inf := range []cache.SharedIndexInformer{s.deploymentInformer, s.serviceAccountInformer, s.configMapInformer, s.pdbInformer} {
		if err := add(inf, child); err != nil {
			return err
		}
	}
	for inf, index := range map[cache.SharedIndexInformer]string{s.secretMetaInformer: secretIndex, s.configMapMetaInformer: configMapIndex} {
		if err := add(inf, cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj interface{}) { c.onReferenced(s, index, obj) },
			UpdateFunc: func(old, cur interface{}) { c.onReferencedUpdate(s, index, old, cur) },
			DeleteFunc: func(obj interface{}) { c.onReferencedDelete(s, index, obj) },
		}); err != nil {
			return err
		}
	}
	return nil
}

// childHandlers are the handlers of the child informers.
func (c *Controller) childHandlers(s *informerSet) cache.ResourceEventHandlerFuncs {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj interface{}) { c.onChild(s, obj) },
		UpdateFunc: func(old, cur interface{}) { c.onChildUpdate(s, old, cur) },
		// The digest of a deleted child's owned fields goes with it (here rather than in a
		// handler of its own: every handler is a listener with its goroutines and buffer).
		DeleteFunc: func(obj interface{}) { s.owned.forget(obj); c.onChild(s, obj) },
	}
}

// metaOf returns the metadata of an informer object, unwrapping a deletion tombstone. The
// tombstone's object may be stale.
func metaOf(obj interface{}) (metav1.Object, bool) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	if obj == nil {
		return nil, false
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, false
	}
	return m, true
}

func (c *Controller) enqueue(m metav1.Object) {
	c.queue.Add(cache.MetaObjectToName(m))
}

func (c *Controller) onKMMAdd(s *informerSet, obj interface{}, gauges bool) {
	if m, ok := metaOf(obj); ok {
		c.enqueue(m)
		if gauges {
			c.updateGauges(s)
		}
	}
}

// onKMMUpdate enqueues only when the generation (the spec), the labels or the annotations
// (pause) changed: status-only updates, including the operator's own status writes, and resyncs
// do not wake the resource up.
func (c *Controller) onKMMUpdate(s *informerSet, oldObj, newObj interface{}) {
	old, ok1 := oldObj.(*v1beta2.KafkaMirrorMaker)
	cur, ok2 := newObj.(*v1beta2.KafkaMirrorMaker)
	if !ok1 || !ok2 || old.ResourceVersion == cur.ResourceVersion {
		return
	}
	if old.Generation == cur.Generation && maps.Equal(old.Labels, cur.Labels) && maps.Equal(old.Annotations, cur.Annotations) &&
		old.DeletionTimestamp.Equal(cur.DeletionTimestamp) {
		return
	}
	c.enqueue(cur)
	if !maps.Equal(old.Annotations, cur.Annotations) {
		c.updateGauges(s)
	}
	c.evictUnreferenced(old, cur)
}

func (c *Controller) onKMMDelete(s *informerSet, obj interface{}) {
	m, ok := metaOf(obj)
	if !ok {
		return
	}
	c.enqueue(m)
	c.forgetUID(m.GetUID())
	c.updateGauges(s)
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	if kmm, ok := obj.(*v1beta2.KafkaMirrorMaker); ok {
		c.evictUnreferenced(kmm, nil)
	}
}

// evictUnreferenced drops the cached contents of the Secrets and ConfigMaps old referenced and cur
// (nil after a deletion) no longer does, unless another resource still references them.
func (c *Controller) evictUnreferenced(old, cur *v1beta2.KafkaMirrorMaker) {
	oldSecrets, oldCMs := specReferences(old.Spec)
	var curSecrets, curCMs []string
	if cur != nil {
		curSecrets, curCMs = specReferences(cur.Spec)
	}
	for _, name := range minus(oldSecrets, curSecrets) {
		key := cache.ObjectName{Namespace: old.Namespace, Name: name}
		if !c.referenced(secretIndex, key) {
			c.secretContent.evict(key)
		}
	}
	for _, name := range minus(oldCMs, curCMs) {
		key := cache.ObjectName{Namespace: old.Namespace, Name: name}
		if !c.referenced(configMapIndex, key) {
			c.configMapContent.evict(key)
		}
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		found := false
		for _, y := range b {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}

// onChildUpdate ignores resyncs (same resourceVersion); any real change of a child, including the
// Deployment's status, enqueues its owner.
func (c *Controller) onChildUpdate(s *informerSet, oldObj, newObj interface{}) {
	old, ok1 := metaOf(oldObj)
	cur, ok2 := metaOf(newObj)
	if ok1 && ok2 && old.GetResourceVersion() == cur.GetResourceVersion() {
		return
	}
	c.onChild(s, newObj)
}

// onChild enqueues the KafkaMirrorMaker owning a child: the one named by an owner reference of kind
// KafkaMirrorMaker whose UID matches the lister's object. A child without such an owner
// reference (left behind by Strimzi for a resource since re-created) maps to the resource named
// by its strimzi.io/cluster label, which may adopt it.
func (c *Controller) onChild(s *informerSet, obj interface{}) {
	m, ok := metaOf(obj)
	if !ok {
		return
	}
	for _, ref := range m.GetOwnerReferences() {
		if ref.Kind != model.Kind {
			continue
		}
		kmm, err := s.kmms.KafkaMirrorMakers(m.GetNamespace()).Get(ref.Name)
		if err != nil || kmm.UID != ref.UID {
			continue
		}
		c.enqueue(kmm)
		return
	}
	// No owner reference to a live resource: garbage collection deals with the child, unless a
	// resource named by its cluster label may adopt it.
	if name := m.GetLabels()[model.LabelCluster]; name != "" {
		if kmm, err := s.kmms.KafkaMirrorMakers(m.GetNamespace()).Get(name); err == nil {
			c.enqueue(kmm)
		}
	}
}

// onReferenced enqueues exactly the resources referencing a Secret (index secretIndex) or
// ConfigMap (configMapIndex), through the index on the KafkaMirrorMaker informer.
func (c *Controller) onReferenced(s *informerSet, index string, obj interface{}) {
	m, ok := metaOf(obj)
	if !ok {
		return
	}
	key := cache.ObjectName{Namespace: m.GetNamespace(), Name: m.GetName()}
	objs, err := s.kmmInformer.GetIndexer().ByIndex(index, key.String())
	if err != nil {
		return
	}
	for _, o := range objs {
		if kmm, ok := o.(*v1beta2.KafkaMirrorMaker); ok {
			c.enqueue(kmm)
		}
	}
}

func (c *Controller) onReferencedUpdate(s *informerSet, index string, oldObj, newObj interface{}) {
	old, ok1 := metaOf(oldObj)
	cur, ok2 := metaOf(newObj)
	if ok1 && ok2 && old.GetResourceVersion() == cur.GetResourceVersion() {
		return
	}
	c.onReferenced(s, index, newObj)
}

func (c *Controller) onReferencedDelete(s *informerSet, index string, obj interface{}) {
	m, ok := metaOf(obj)
	if !ok {
		return
	}
	key := cache.ObjectName{Namespace: m.GetNamespace(), Name: m.GetName()}
	if index == secretIndex {
		c.secretContent.evict(key)
	} else {
		c.configMapContent.evict(key)
	}
	c.onReferenced(s, index, obj)
}
