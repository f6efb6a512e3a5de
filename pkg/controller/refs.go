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
	"sort"
	"sync"

	"k8s.io/client-go/tools/cache"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// Names of the indexes on the KafkaMirrorMaker informer: "namespace/name" of a referenced Secret
// or ConfigMap to the resources referencing it.
const (
	secretIndex    = "kmm.strimzi.io/secrets"
	configMapIndex = "kmm.strimzi.io/configmaps"
)

// specReferences returns the sorted names of the Secrets and ConfigMaps a spec references,
// whether or not the spec validates: a resource whose Secret is missing must be woken up when the
// Secret appears. Every field that can name a Secret is taken, whatever the authentication type.
func specReferences(spec *v1beta2.KafkaMirrorMakerSpec) (secrets, configMaps []string) {
	if spec == nil {
		return nil, nil
	}
	s := map[string]struct{}{}
	add := func(name string) {
		if name != "" {
			s[name] = struct{}{}
		}
	}
	addCerts := func(certs []v1beta2.CertSecretSource) {
		for _, c := range certs {
			add(c.SecretName)
		}
	}
	addGeneric := func(g *v1beta2.GenericSecretSource) {
		if g != nil {
			add(g.SecretName)
		}
	}
	side := func(tls *v1beta2.ClientTLS, a *v1beta2.KafkaClientAuthentication) {
		if tls != nil {
			addCerts(tls.TrustedCertificates)
		}
		if a == nil {
			return
		}
		if a.CertificateAndKey != nil {
			add(a.CertificateAndKey.SecretName)
		}
		if a.PasswordSecret != nil {
			add(a.PasswordSecret.SecretName)
		}
		addGeneric(a.AccessToken)
		addGeneric(a.ClientSecret)
		addGeneric(a.RefreshToken)
		addGeneric(a.ClientAssertion)
		addCerts(a.TLSTrustedCertificates)
	}
	if spec.Consumer != nil {
		side(spec.Consumer.TLS, spec.Consumer.Authentication)
	}
	if spec.Producer != nil {
		side(spec.Producer.TLS, spec.Producer.Authentication)
	}

	c := map[string]struct{}{}
	if l := spec.Logging; l != nil && l.ValueFrom != nil && l.ValueFrom.ConfigMapKeyRef != nil && l.ValueFrom.ConfigMapKeyRef.Name != "" {
		c[l.ValueFrom.ConfigMapKeyRef.Name] = struct{}{}
	}
	if mc := spec.MetricsConfig; mc != nil && mc.ValueFrom != nil && mc.ValueFrom.ConfigMapKeyRef != nil && mc.ValueFrom.ConfigMapKeyRef.Name != "" {
		c[mc.ValueFrom.ConfigMapKeyRef.Name] = struct{}{}
	}
	return sortedKeys(s), sortedKeys(c)
}

func sortedKeys(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func refKeys(namespace string, names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, namespace+"/"+n)
	}
	return out
}

// indexBySecret and indexByConfigMap are the informer index functions.
func indexBySecret(obj interface{}) ([]string, error) {
	kmm, ok := obj.(*v1beta2.KafkaMirrorMaker)
	if !ok {
		return nil, nil
	}
	s, _ := specReferences(kmm.Spec)
	return refKeys(kmm.Namespace, s), nil
}

func indexByConfigMap(obj interface{}) ([]string, error) {
	kmm, ok := obj.(*v1beta2.KafkaMirrorMaker)
	if !ok {
		return nil, nil
	}
	_, c := specReferences(kmm.Spec)
	return refKeys(kmm.Namespace, c), nil
}

// contentCache holds the contents of referenced Secrets (or ConfigMaps) read with a live GET,
// keyed by namespace/name, with the resourceVersion they were read at. An entry is used as long as
// the metadata informer reports the same resourceVersion; it is evicted when the object is deleted
// or no longer referenced. Only referenced objects ever enter it.
type contentCache[T any] struct {
	mu      sync.Mutex
	entries map[cache.ObjectName]contentEntry[T]
}

type contentEntry[T any] struct {
	// rv is the resourceVersion of the content read; metaRV the metadata informer's
	// resourceVersion when it was read, which may lag behind.
	rv, metaRV string
	obj        T
}

func newContentCache[T any]() *contentCache[T] {
	return &contentCache[T]{entries: map[cache.ObjectName]contentEntry[T]{}}
}

// get returns the cached content when it is current for the metadata resourceVersion metaRV.
func (c *contentCache[T]) get(key cache.ObjectName, metaRV string) (T, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || metaRV == "" || (metaRV != e.rv && metaRV != e.metaRV) {
		var zero T
		return zero, "", false
	}
	return e.obj, e.rv, true
}

func (c *contentCache[T]) put(key cache.ObjectName, rv, metaRV string, obj T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = contentEntry[T]{rv: rv, metaRV: metaRV, obj: obj}
}

func (c *contentCache[T]) evict(key cache.ObjectName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}

func (c *contentCache[T]) keys() []cache.ObjectName {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]cache.ObjectName, 0, len(c.entries))
	for k := range c.entries {
		out = append(out, k)
	}
	return out
}

func (c *contentCache[T]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
