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
	"maps"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	"k8s.io/client-go/tools/cache"

	"github.com/kmm-operator/kmm-operator/pkg/metrics"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// This file holds the controller's small in-memory state: objects returned by its own writes,
// the start of waits, and which Secret versions the Pods were rolled with.

type freshKey struct{ kind, namespace, name string }

// freshRecord is an object returned by the operator's write, newer than staleRV, the version the
// cache had when the write was made ("" when the object was created).
type freshRecord struct {
	staleRV string
	obj     runtime.Object
}

// remember records the result of a write, so the next pass does not act on the older cached
// version (a stale cache right after one's own write is the classic raw-informer pitfall: a
// duplicate create, a needless re-apply, a status write doomed to a conflict).
func (c *Controller) remember(kind, ns, name, staleRV string, obj runtime.Object) {
	key := freshKey{kind, ns, name}
	c.mu.Lock()
	defer c.mu.Unlock()
	if rec, ok := c.fresh[key]; ok {
		if rm, err := meta.Accessor(rec.obj); err == nil && rm.GetResourceVersion() == staleRV {
			// A second write in the same pass, on top of the first one's result: the cache
			// still holds what the first write replaced.
			staleRV = rec.staleRV
		}
	}
	m, err := meta.Accessor(obj)
	if err != nil || m.GetResourceVersion() == "" || m.GetResourceVersion() == staleRV {
		// Nothing newer than the cache to remember.
		delete(c.fresh, key)
		return
	}
	c.fresh[key] = freshRecord{staleRV: staleRV, obj: obj}
}

// freshen returns the remembered result of the operator's last write when the cache still holds
// the version that write replaced (or still misses an object the write created); otherwise the
// cached object, forgetting the record. cached may be nil.
func (c *Controller) freshen(kind, ns, name string, cached runtime.Object) runtime.Object {
	key := freshKey{kind, ns, name}
	c.mu.Lock()
	defer c.mu.Unlock()
	rec, ok := c.fresh[key]
	if !ok {
		return cached
	}
	cachedRV := ""
	if cached != nil {
		if m, err := meta.Accessor(cached); err == nil {
			cachedRV = m.GetResourceVersion()
		}
	}
	if cachedRV == rec.staleRV {
		return rec.obj
	}
	// The cache may also hold a version between the one the write replaced and the write's
	// result: another writer's change (the Deployment controller's status, a kubectl edit) made
	// before the write, whose event arrives first. The write's result includes it. Resource
	// versions are comparable integers (KEP-5504); one that is not well formed compares as unknown.
	if m, err := meta.Accessor(rec.obj); err == nil {
		if cmp, err := resourceversion.CompareResourceVersion(cachedRV, m.GetResourceVersion()); err == nil && cmp < 0 {
			return rec.obj
		}
	}
	delete(c.fresh, key)
	return cached
}

// verifiedRecord says that the child at resourceVersion rv already is what applying the body
// with digest body makes it.
type verifiedRecord struct {
	rv   string
	body [sha256.Size]byte
}

// isVerified reports whether the child at rv was already found to match body.
func (c *Controller) isVerified(kind, ns, name, rv string, body [sha256.Size]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec, ok := c.verified[freshKey{kind, ns, name}]
	return ok && rv != "" && rec.rv == rv && rec.body == body
}

// setVerified records that the child at rv matches body; an empty rv forgets the child.
func (c *Controller) setVerified(kind, ns, name, rv string, body [sha256.Size]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := freshKey{kind, ns, name}
	if rv == "" {
		delete(c.verified, key)
		return
	}
	c.verified[key] = verifiedRecord{rv: rv, body: body}
}

// desiredRecord is the normalised digest (normalizedDigest) of a desired body, by the body's own
// digest: a desired body is decoded and normalised once, not on every pass.
type desiredRecord struct {
	body, normalized [sha256.Size]byte
}

// desiredDigest returns the normalised digest of the desired body of a child.
func (c *Controller) desiredDigest(k childKind, ns, name string, bodyDigest [sha256.Size]byte, body []byte) ([sha256.Size]byte, error) {
	key := freshKey{k.kind, ns, name}
	c.mu.Lock()
	rec, ok := c.desired[key]
	c.mu.Unlock()
	if ok && rec.body == bodyDigest {
		return rec.normalized, nil
	}
	d, err := normalizedDigest(k, body)
	if err != nil {
		return d, err
	}
	c.mu.Lock()
	c.desired[key] = desiredRecord{body: bodyDigest, normalized: d}
	c.mu.Unlock()
	return d, nil
}

// waitRecord remembers since when a resource has been waiting for its Deployment to be observed
// or ready at one generation.
type waitRecord struct {
	what       string
	generation int64
	since      time.Time
}

// waitStart returns since when the resource uid has been waiting for what at generation,
// starting the wait now if it is a new one.
func (c *Controller) waitStart(uid types.UID, what string, generation int64) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec, ok := c.waits[uid]
	if !ok || rec.what != what || rec.generation != generation {
		rec = waitRecord{what: what, generation: generation, since: c.clock.Now()}
		c.waits[uid] = rec
	}
	return rec.since
}

func (c *Controller) waitDone(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.waits, uid)
}

// lastUsedRefs returns the resourceVersions of the referenced Secrets and ConfigMaps the
// Deployment of uid was last reconciled with ("Secret/name" -> resourceVersion).
func (c *Controller) lastUsedRefs(uid types.UID) (map[string]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.usedRefs[uid]
	return m, ok
}

func (c *Controller) setUsedRefs(uid types.UID, refs map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.usedRefs[uid] = maps.Clone(refs)
}

// firstPassOfGeneration reports whether this is the first pass over generation of the resource
// uid (in this process).
func (c *Controller) firstPassOfGeneration(uid types.UID, generation int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seen, ok := c.generations[uid]; ok && seen == generation {
		return false
	}
	c.generations[uid] = generation
	return true
}

// forgetUID drops the state of a deleted resource.
func (c *Controller) forgetUID(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.waits, uid)
	delete(c.usedRefs, uid)
	delete(c.generations, uid)
}

// forgetResource drops the state kept by name for a resource that no longer exists.
func (c *Controller) forgetResource(key cache.ObjectName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	component := key.Name + "-mirror-maker"
	for k := range c.fresh {
		if k.namespace != key.Namespace {
			continue
		}
		switch {
		case k.kind == model.Kind && k.name == key.Name,
			k.name == component, k.name == component+"-config":
			delete(c.fresh, k)
		}
	}
	for k := range c.verified {
		if k.namespace == key.Namespace && (k.name == component || k.name == component+"-config") {
			delete(c.verified, k)
		}
	}
	for k := range c.desired {
		if k.namespace == key.Namespace && (k.name == component || k.name == component+"-config") {
			delete(c.desired, k)
		}
	}
	if reason, ok := c.states[key]; ok {
		c.metrics.ResourceState.DeleteLabelValues(metrics.Kind, key.Name, key.Namespace, reason)
		delete(c.states, key)
	}
}

// setResourceState sets strimzi_resource_state of a resource: 1 when ready, else 0, with the
// reason as a label (the previous series is removed when the reason changes).
func (c *Controller) setResourceState(key cache.ObjectName, ready bool, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.states[key]; ok && old != reason {
		c.metrics.ResourceState.DeleteLabelValues(metrics.Kind, key.Name, key.Namespace, old)
	}
	c.states[key] = reason
	v := 0.0
	if ready {
		v = 1
	}
	c.metrics.ResourceState.WithLabelValues(metrics.Kind, key.Name, key.Namespace, reason).Set(v)
}
