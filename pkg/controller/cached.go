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
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// The child caches (Deployments, ServiceAccounts, ConfigMaps, PodDisruptionBudgets) do not hold
// the children. The operator needs from a child only enough to decide: who owns it (owner
// references, the strimzi.io/cluster and strimzi.io/kind labels), whether the part this field
// manager owns differs from what it would apply, and, for a Deployment, its replicas, the two
// Pod-template hashes that name the cause of a roll, and the status fields readiness reads. So
// the informers' transform decides the second question once per resourceVersion, when the object
// enters the cache: it extracts the fields this manager owns, normalises them as the comparison
// does, and keeps their digest in ownedDigests; then it replaces the object with a copy holding
// only the fields above. A pass compares that digest with the desired body's: any change to the
// live object (drift, another tool) arrives as a new resourceVersion with a new digest and is
// repaired, and a steady pass makes no request.

// cachedOwned is the digest of the fields the field manager owns on one version of a child.
type cachedOwned struct {
	rv string
	// none: the manager owns nothing yet (an object Strimzi created): the pass reads the object
	// live to compare every desired field (adoption).
	none   bool
	digest [sha256.Size]byte
	// err is set when the owned fields could not be extracted; the pass reads the object live.
	err error
}

// ownedDigests holds, by kind, namespace and name, the cachedOwned of the last two versions of every cached child: the
// transform runs when an event arrives, a moment before the cache stores its object, so a pass
// may still read the previous version.
type ownedDigests struct {
	mu sync.Mutex
	m  map[freshKey][2]cachedOwned
}

func newOwnedDigests() *ownedDigests { return &ownedDigests{m: map[freshKey][2]cachedOwned{}} }

func (o *ownedDigests) set(key freshKey, rec cachedOwned) {
	o.mu.Lock()
	defer o.mu.Unlock()
	recs := o.m[key]
	if recs[0].rv != rec.rv {
		recs[1] = recs[0]
	}
	recs[0] = rec
	o.m[key] = recs
}

// get returns the record of the child at exactly resourceVersion rv; newer reports that the
// transform has already seen a version the cache does not hold yet (its event is on its way).
func (o *ownedDigests) get(key freshKey, rv string) (rec cachedOwned, ok, newer bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	recs, known := o.m[key]
	for _, r := range recs {
		if rv != "" && r.rv == rv {
			return r, true, false
		}
	}
	return cachedOwned{}, false, known && recs[0].rv != ""
}

// forget is the child informers' delete handler (tombstones included).
func (o *ownedDigests) forget(obj interface{}) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	ro, ok := obj.(runtime.Object)
	if !ok {
		return
	}
	k, ok := childKindOf(ro)
	m, err := meta.Accessor(ro)
	if !ok || err != nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.m, freshKey{k.kind, m.GetNamespace(), m.GetName()})
}

// childKindOf returns the childKind of a child object.
func childKindOf(obj runtime.Object) (childKind, bool) {
	switch obj.(type) {
	case *appsv1.Deployment:
		return deploymentKind, true
	case *corev1.ServiceAccount:
		return serviceAccountKind, true
	case *corev1.ConfigMap:
		return configMapKind, true
	case *policyv1.PodDisruptionBudget:
		return podDisruptionBudgetKind, true
	}
	return childKind{}, false
}

// slimChildren is the transform of the child informers (see above).
func slimChildren(fieldManager string, owned *ownedDigests) cache.TransformFunc {
	return func(in interface{}) (interface{}, error) {
		obj, ok := in.(runtime.Object)
		if !ok {
			return in, nil
		}
		k, ok := childKindOf(obj)
		if !ok {
			return in, nil
		}
		m, err := meta.Accessor(obj)
		if err != nil {
			return in, nil
		}
		if len(m.GetManagedFields()) == 0 {
			// Already slim: the informer may pass an object through its transform more than
			// once (an item of a relist that the cache holds), so the transform keeps what it
			// recorded. (The API server records managedFields on every object it returns.)
			return slim(obj), nil
		}
		rec := cachedOwned{rv: m.GetResourceVersion()}
		if !managesAny(m, fieldManager) {
			rec.none = true
		} else if body, err := k.extract(obj, fieldManager); err != nil {
			rec.err = fmt.Errorf("extracting the fields %s owns on %s %s/%s: %w", fieldManager, k.kind, m.GetNamespace(), m.GetName(), err)
		} else if rec.digest, err = normalizedDigest(k, body); err != nil {
			rec.err = err
		}
		owned.set(freshKey{k.kind, m.GetNamespace(), m.GetName()}, rec)
		return slim(obj), nil
	}
}

// slim returns the copy of a child that the cache keeps.
func slim(obj runtime.Object) runtime.Object {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		d := &appsv1.Deployment{ObjectMeta: slimMeta(&o.ObjectMeta)}
		if o.Spec.Replicas != nil {
			d.Spec.Replicas = ptr.To(*o.Spec.Replicas)
		}
		d.Spec.Template.Annotations = keep(o.Spec.Template.Annotations, model.AnnotationAuthHash, model.AnnotationLogging)
		d.Status = appsv1.DeploymentStatus{
			ObservedGeneration: o.Status.ObservedGeneration,
			Replicas:           o.Status.Replicas,
			UpdatedReplicas:    o.Status.UpdatedReplicas,
			ReadyReplicas:      o.Status.ReadyReplicas,
			AvailableReplicas:  o.Status.AvailableReplicas,
		}
		return d
	case *corev1.ServiceAccount:
		return &corev1.ServiceAccount{ObjectMeta: slimMeta(&o.ObjectMeta)}
	case *corev1.ConfigMap:
		return &corev1.ConfigMap{ObjectMeta: slimMeta(&o.ObjectMeta)}
	case *policyv1.PodDisruptionBudget:
		return &policyv1.PodDisruptionBudget{ObjectMeta: slimMeta(&o.ObjectMeta)}
	}
	return obj
}

// slimMeta keeps the identity of a child, its owner references and the two labels that tie it
// to a KafkaMirrorMaker. What it keeps is copied, strings included, so that the decoded object
// is garbage as a whole and no small piece of it stays behind in the heap.
func slimMeta(in *metav1.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{
		Name:            strings.Clone(in.Name),
		Namespace:       strings.Clone(in.Namespace),
		UID:             types.UID(strings.Clone(string(in.UID))),
		ResourceVersion: strings.Clone(in.ResourceVersion),
		Generation:      in.Generation,
	}
	if in.DeletionTimestamp != nil {
		out.DeletionTimestamp = ptr.To(*in.DeletionTimestamp)
	}
	if len(in.OwnerReferences) > 0 {
		out.OwnerReferences = make([]metav1.OwnerReference, len(in.OwnerReferences))
		for i, r := range in.OwnerReferences {
			out.OwnerReferences[i] = metav1.OwnerReference{
				APIVersion: strings.Clone(r.APIVersion), Kind: strings.Clone(r.Kind), Name: strings.Clone(r.Name),
				UID: types.UID(strings.Clone(string(r.UID))), Controller: cloneBool(r.Controller), BlockOwnerDeletion: cloneBool(r.BlockOwnerDeletion),
			}
		}
	}
	out.Labels = keep(in.Labels, model.LabelCluster, model.LabelKind)
	return out
}

// keep returns a copy of the entries of m with these keys, or nil when there is none.
func keep(m map[string]string, keys ...string) map[string]string {
	var out map[string]string
	for _, k := range keys {
		if v, ok := m[k]; ok {
			if out == nil {
				out = make(map[string]string, len(keys))
			}
			out[k] = strings.Clone(v)
		}
	}
	return out
}

func cloneBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	return ptr.To(*b)
}

// normalizedDigest is the digest of an apply configuration of kind k (JSON) in the form the
// comparison uses: decoded into the typed object (quantities and other values in canonical form),
// encoded again, without nulls and empty lists or maps (nil and empty are the same to it).
func normalizedDigest(k childKind, body []byte) ([sha256.Size]byte, error) {
	obj := k.empty()
	if err := json.Unmarshal(body, obj); err != nil {
		return [sha256.Size]byte{}, fmt.Errorf("decoding a %s apply configuration: %w", k.kind, err)
	}
	obj.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
	b, err := json.Marshal(obj)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return [sha256.Size]byte{}, err
	}
	pruneEmpty(v)
	b, err = json.Marshal(v) // map keys sorted: a canonical encoding
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// pruneEmpty removes nulls and empty maps and lists, recursively.
func pruneEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case map[string]any:
		for k, x := range t {
			if pruneEmpty(x) {
				delete(t, k)
			}
		}
		return len(t) == 0
	case []any:
		for _, x := range t {
			pruneEmpty(x)
		}
		return len(t) == 0
	}
	return false
}
