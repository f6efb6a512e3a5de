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
	"errors"
	"fmt"
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// childKind is what the generic create-or-apply code needs to know about one kind of child.
type childKind struct {
	kind string
	// cached reads the informer cache; a miss is a NotFound error.
	cached func(s *informerSet, ns, name string) (runtime.Object, error)
	// get reads the API server.
	get func(ctx context.Context, c *Controller, ns, name string) (runtime.Object, error)
	// extract returns, as JSON, the apply configuration the field manager owns on live (nil
	// when it owns nothing).
	extract func(live runtime.Object, fieldManager string) ([]byte, error)
	// apply server-side applies body, the JSON of an apply configuration.
	apply func(ctx context.Context, c *Controller, ns string, body []byte, opts metav1.ApplyOptions) (runtime.Object, error)
	// empty returns an empty typed object, to compare desired and owned configurations in.
	empty func() runtime.Object
}

// nilIfErr returns a nil interface when err is set, so that a typed nil pointer never hides in a
// runtime.Object.
func nilIfErr[T runtime.Object](obj T, err error) (runtime.Object, error) {
	if err != nil {
		return nil, err
	}
	return obj, nil
}

func unmarshalInto[T any](body []byte) (*T, error) {
	ac := new(T)
	if err := json.Unmarshal(body, ac); err != nil {
		return nil, err
	}
	return ac, nil
}

var (
	serviceAccountKind = childKind{
		kind: "ServiceAccount",
		cached: func(s *informerSet, ns, name string) (runtime.Object, error) {
			return nilIfErr(s.serviceAccounts.ServiceAccounts(ns).Get(name))
		},
		get: func(ctx context.Context, c *Controller, ns, name string) (runtime.Object, error) {
			return nilIfErr(c.kube.CoreV1().ServiceAccounts(ns).Get(ctx, name, metav1.GetOptions{}))
		},
		extract: ownedFields,
		apply: func(ctx context.Context, c *Controller, ns string, body []byte, opts metav1.ApplyOptions) (runtime.Object, error) {
			ac, err := unmarshalInto[corev1ac.ServiceAccountApplyConfiguration](body)
			if err != nil {
				return nil, err
			}
			return nilIfErr(c.kube.CoreV1().ServiceAccounts(ns).Apply(ctx, ac, opts))
		},
		empty: func() runtime.Object { return &corev1.ServiceAccount{} },
	}
	configMapKind = childKind{
		kind: "ConfigMap",
		cached: func(s *informerSet, ns, name string) (runtime.Object, error) {
			return nilIfErr(s.configMaps.ConfigMaps(ns).Get(name))
		},
		get: func(ctx context.Context, c *Controller, ns, name string) (runtime.Object, error) {
			return nilIfErr(c.kube.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{}))
		},
		extract: ownedFields,
		apply: func(ctx context.Context, c *Controller, ns string, body []byte, opts metav1.ApplyOptions) (runtime.Object, error) {
			ac, err := unmarshalInto[corev1ac.ConfigMapApplyConfiguration](body)
			if err != nil {
				return nil, err
			}
			return nilIfErr(c.kube.CoreV1().ConfigMaps(ns).Apply(ctx, ac, opts))
		},
		empty: func() runtime.Object { return &corev1.ConfigMap{} },
	}
	podDisruptionBudgetKind = childKind{
		kind: "PodDisruptionBudget",
		cached: func(s *informerSet, ns, name string) (runtime.Object, error) {
			return nilIfErr(s.pdbs.PodDisruptionBudgets(ns).Get(name))
		},
		get: func(ctx context.Context, c *Controller, ns, name string) (runtime.Object, error) {
			return nilIfErr(c.kube.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, name, metav1.GetOptions{}))
		},
		extract: ownedFields,
		apply: func(ctx context.Context, c *Controller, ns string, body []byte, opts metav1.ApplyOptions) (runtime.Object, error) {
			ac, err := unmarshalInto[policyv1ac.PodDisruptionBudgetApplyConfiguration](body)
			if err != nil {
				return nil, err
			}
			return nilIfErr(c.kube.PolicyV1().PodDisruptionBudgets(ns).Apply(ctx, ac, opts))
		},
		empty: func() runtime.Object { return &policyv1.PodDisruptionBudget{} },
	}
	deploymentKind = childKind{
		kind: "Deployment",
		cached: func(s *informerSet, ns, name string) (runtime.Object, error) {
			return nilIfErr(s.deployments.Deployments(ns).Get(name))
		},
		get: func(ctx context.Context, c *Controller, ns, name string) (runtime.Object, error) {
			return nilIfErr(c.kube.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{}))
		},
		extract: ownedFields,
		apply: func(ctx context.Context, c *Controller, ns string, body []byte, opts metav1.ApplyOptions) (runtime.Object, error) {
			ac, err := unmarshalInto[appsv1ac.DeploymentApplyConfiguration](body)
			if err != nil {
				return nil, err
			}
			return nilIfErr(c.kube.AppsV1().Deployments(ns).Apply(ctx, ac, opts))
		},
		empty: func() runtime.Object { return &appsv1.Deployment{} },
	}
)

// liveChild returns the current child: from the informer cache, or the object returned by the
// operator's last write while the cache lags behind it, or, on a cache miss, from a live GET.
// The GET matters for safety: the child informers only see labelled objects, so an unlabelled
// object with the same name is only found this way, and must not be overwritten by an apply. It
// returns nil when the child does not exist. A pass where every child is cached makes no call.
func (c *Controller) liveChild(ctx context.Context, st *reconcileState, k childKind, name string) (runtime.Object, error) {
	ns := st.kmm.Namespace
	cached, err := k.cached(st.set, ns, name)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	if obj := c.freshen(k.kind, ns, name, cached); obj != nil {
		return obj, nil
	}
	live, err := k.get(ctx, c, ns, name)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return live, err
}

// conflictError reports a child with the expected name that belongs to something else.
type conflictError struct {
	kind, namespace, name string
	owner                 string
}

func (e *conflictError) Error() string {
	return fmt.Sprintf("%s %s/%s already exists and is not managed by KafkaMirrorMaker %s: it has neither an owner reference to it nor its strimzi.io/cluster and strimzi.io/kind labels; the operator will not modify it (delete or rename it)",
		e.kind, e.namespace, e.name, e.owner)
}

// checkOwned returns a conflictError unless the existing child belongs to kmm: an owner
// reference to its UID, or the strimzi.io/cluster=<name> and strimzi.io/kind=KafkaMirrorMaker
// labels Strimzi put on everything it created.
func checkOwned(kind string, obj runtime.Object, kmm *v1beta2.KafkaMirrorMaker) error {
	m, err := meta.Accessor(obj)
	if err != nil {
		return err
	}
	for _, ref := range m.GetOwnerReferences() {
		if ref.Kind == model.Kind && ref.UID == kmm.UID {
			return nil
		}
	}
	l := m.GetLabels()
	if l[model.LabelCluster] == kmm.Name && l[model.LabelKind] == model.Kind {
		return nil
	}
	return &conflictError{kind: kind, namespace: m.GetNamespace(), name: m.GetName(), owner: kmm.Namespace + "/" + kmm.Name}
}

// ensure makes the child match desired with one server-side apply, or with none when it already
// does. live is the current child (nil when absent). It returns the child as it now is and whether
// it wrote.
//
// "Matches" means: when this field manager already owns fields of the child, the configuration
// it owns equals the desired one (compared as typed objects with semantic equality, so "1Gi" and
// "1024Mi" are the same); when it owns nothing yet (an object Strimzi created), every desired
// field already has the desired value on the live object. Fields owned by others (a restartedAt
// annotation, another tool's label, the deployment.kubernetes.io/revision annotation) are never
// compared and an apply leaves them alone.
func (c *Controller) ensure(ctx context.Context, st *reconcileState, k childKind, desired runtime.Object, live runtime.Object) (runtime.Object, bool, error) {
	body, err := applyBody(desired)
	if err != nil {
		return nil, false, fmt.Errorf("encoding %s: %w", k.kind, err)
	}
	dm, err := meta.Accessor(desired)
	if err != nil {
		return nil, false, err
	}
	ns, name := st.kmm.Namespace, dm.GetName()
	digest := sha256.Sum256(body)
	if live != nil {
		if err := checkOwned(k.kind, live, st.kmm); err != nil {
			return nil, false, err
		}
		lm, err := meta.Accessor(live)
		if err != nil {
			return nil, false, err
		}
		// The comparison decodes the owned fields with the schema and allocates far more than
		// the rest of the pass: it is made once per version of the child and desired body, so a
		// periodic pass over unchanged resources costs next to nothing.
		if c.isVerified(k.kind, ns, name, lm.GetResourceVersion(), digest) {
			return live, false, nil
		}
		same, err := c.matches(ctx, st, k, name, body, digest, live)
		if errors.Is(err, errNewerVersion) {
			return live, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		if same {
			c.setVerified(k.kind, ns, name, lm.GetResourceVersion(), digest)
			return live, false, nil
		}
	}
	out, wrote, err := c.apply(ctx, st, k, name, body, live)
	if err != nil {
		c.setVerified(k.kind, ns, name, "", digest)
		return nil, false, err
	}
	// The object the apply returned is what body makes; the cache shows the same version later.
	if om, err := meta.Accessor(out); err == nil {
		c.setVerified(k.kind, ns, name, om.GetResourceVersion(), digest)
	}
	return out, wrote, nil
}

// apply sends body and remembers the result for the next pass while the cache catches up.
func (c *Controller) apply(ctx context.Context, st *reconcileState, k childKind, name string, body []byte, live runtime.Object) (runtime.Object, bool, error) {
	ns := st.kmm.Namespace
	out, err := k.apply(ctx, c, ns, body, metav1.ApplyOptions{FieldManager: c.cfg.FieldManager, Force: true})
	if err != nil {
		return nil, false, err
	}
	staleRV := ""
	if live != nil {
		if lm, err := meta.Accessor(live); err == nil {
			staleRV = lm.GetResourceVersion()
		}
	}
	c.remember(k.kind, ns, name, staleRV, out)
	return out, true, nil
}

// applyBody turns a desired object into the JSON of its apply configuration: everything but the
// status, without null values.
func applyBody(obj runtime.Object) ([]byte, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	pruneNulls(m)
	return json.Marshal(m)
}

func pruneNulls(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if x == nil {
				delete(t, k)
				continue
			}
			pruneNulls(x)
		}
	case []any:
		for _, x := range t {
			pruneNulls(x)
		}
	}
}

// managesAny reports whether fieldManager owns anything on obj through an apply.
func managesAny(obj metav1.Object, fieldManager string) bool {
	for _, e := range obj.GetManagedFields() {
		if e.Manager == fieldManager && e.Operation == metav1.ManagedFieldsOperationApply && e.Subresource == "" {
			return true
		}
	}
	return false
}

// matches reports whether live already is what applying body (whose digest is bodyDigest) would
// make it (see ensure). A cached child is decided by the digest of its owned fields, taken when
// it entered the cache (cached.go); the object is read live only when the manager owns nothing
// on it yet (adoption: every desired field is compared) or the cache has no digest for it.
func (c *Controller) matches(ctx context.Context, st *reconcileState, k childKind, name string, body []byte, bodyDigest [sha256.Size]byte, live runtime.Object) (bool, error) {
	m, err := meta.Accessor(live)
	if err != nil {
		return false, err
	}
	if len(m.GetManagedFields()) > 0 {
		// A whole object: the result of a write, or read live.
		return c.matchesObject(k, body, live)
	}
	// The cached copy.
	rec, ok, newer := st.set.owned.get(freshKey{k.kind, st.kmm.Namespace, name}, m.GetResourceVersion())
	if ok && !rec.none && rec.err == nil {
		want, err := c.desiredDigest(k, st.kmm.Namespace, name, bodyDigest, body)
		if err != nil {
			return false, err
		}
		return want == rec.digest, nil
	}
	if !ok && newer {
		// A newer version is on its way to the cache, past the records kept for this one:
		// its event enqueues the resource again, and that pass decides on it.
		return false, errNewerVersion
	}
	// Nothing to compare in the cache (the manager owns nothing yet): the object as it is now.
	full, err := k.get(ctx, c, st.kmm.Namespace, name)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return c.matchesObject(k, body, full)
}

// errNewerVersion: the cached child is about to be replaced by a newer version, which decides.
var errNewerVersion = errors.New("a newer version of the child is on its way to the cache")

// matchesObject is matches on a whole object, as the API server returns it.
func (c *Controller) matchesObject(k childKind, body []byte, live runtime.Object) (bool, error) {
	m, err := meta.Accessor(live)
	if err != nil {
		return false, err
	}
	if !managesAny(m, c.cfg.FieldManager) {
		return liveHasAll(body, live)
	}
	owned, err := k.extract(live, c.cfg.FieldManager)
	if err != nil {
		return false, fmt.Errorf("extracting the fields %s owns on %s %s: %w", c.cfg.FieldManager, k.kind, m.GetName(), err)
	}
	want, have := k.empty(), k.empty()
	if err := json.Unmarshal(body, want); err != nil {
		return false, err
	}
	if err := json.Unmarshal(owned, have); err != nil {
		return false, err
	}
	for _, o := range []runtime.Object{want, have} {
		o.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
	}
	return equality.Semantic.DeepEqual(want, have), nil
}

// liveHasAll reports whether every field of the apply configuration body already has its value on
// live: maps must contain the desired keys, lists must have the same items in the same order (each
// item containing the desired fields), scalars must be equal. Both sides are encoded from typed
// objects, so quantities and other values are in canonical form.
func liveHasAll(body []byte, live runtime.Object) (bool, error) {
	var want map[string]any
	if err := json.Unmarshal(body, &want); err != nil {
		return false, err
	}
	lb, err := json.Marshal(live)
	if err != nil {
		return false, err
	}
	var have map[string]any
	if err := json.Unmarshal(lb, &have); err != nil {
		return false, err
	}
	delete(want, "apiVersion")
	delete(want, "kind")
	return contains(have, want), nil
}

func contains(have, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return have == nil && len(w) == 0
		}
		for k, wv := range w {
			hv, ok := h[k]
			if !ok {
				if isEmptyValue(wv) {
					continue
				}
				return false
			}
			if !contains(hv, wv) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok {
			return have == nil && len(w) == 0
		}
		if len(h) != len(w) {
			return false
		}
		for i := range w {
			if !contains(h[i], w[i]) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(have, want)
	}
}

func isEmptyValue(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}
