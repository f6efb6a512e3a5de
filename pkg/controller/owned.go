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
	"fmt"
	"reflect"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// ownedFields returns, as JSON, the part of obj that fieldManager owns through a server-side apply
// (its managedFields entry with operation Apply and no subresource), or nil when it owns nothing.
//
// It is what client-go's applyconfigurations Extract<Kind> functions return, read from the
// FieldsV1 set directly: those functions parse the OpenAPI schema of every built-in type on
// first use and keep it, about 3 MiB of heap for the life of the process. The set itself says how
// to walk the object: "f:<name>" is a field, "k:{...}" the list item with these key fields,
// "v:<value>" the set item with this value, "i:<n>" the n-th item, "." the node itself; a node
// without children is owned whole.
func ownedFields(obj runtime.Object, fieldManager string) ([]byte, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	var entry *metav1.ManagedFieldsEntry
	for i, e := range m.GetManagedFields() {
		if e.Manager == fieldManager && e.Operation == metav1.ManagedFieldsOperationApply && e.Subresource == "" {
			entry = &m.GetManagedFields()[i]
			break
		}
	}
	if entry == nil || entry.FieldsV1 == nil {
		return nil, nil
	}
	var set map[string]any
	if err := json.Unmarshal(entry.FieldsV1.Raw, &set); err != nil {
		return nil, fmt.Errorf("decoding the managed fields of %s: %w", fieldManager, err)
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(withoutStatus(obj))
	if err != nil {
		return nil, err
	}
	out, _ := extractOwned(set, u).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	// An apply configuration names its type and object, as Extract<Kind> does.
	for _, k := range []string{"apiVersion", "kind"} {
		if v, ok := u[k]; ok {
			out[k] = v
		}
	}
	md, _ := out["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		out["metadata"] = md
	}
	md["name"] = m.GetName()
	if ns := m.GetNamespace(); ns != "" {
		md["namespace"] = ns
	}
	return json.Marshal(out)
}

// extractOwned returns the part of value that set (a FieldsV1 node) covers.
func extractOwned(set map[string]any, value any) any {
	children := 0
	for k := range set {
		if k != "." {
			children++
		}
	}
	if children == 0 {
		return value // owned whole
	}
	switch v := value.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, sub := range set {
			name, ok := strings.CutPrefix(k, "f:")
			if !ok {
				continue
			}
			fv, present := v[name]
			if !present {
				continue
			}
			subSet, _ := sub.(map[string]any)
			out[name] = extractOwned(subSet, fv)
		}
		return out
	case []any:
		keys := parseItemKeys(set)
		var out []any
		for i, item := range v {
			for _, k := range keys {
				if !k.matches(i, item) {
					continue
				}
				x := extractOwned(k.set, item)
				// An item keeps its key fields, which identify it in an apply.
				if xm, ok := x.(map[string]any); ok && k.kind == 'k' {
					for f := range k.fields {
						if iv, ok := item.(map[string]any)[f]; ok {
							xm[f] = iv
						}
					}
				}
				out = append(out, x)
				break
			}
		}
		return out
	}
	return value
}

// itemKey is a FieldsV1 key of a list item, parsed: "k:{...}" (kind 'k', the key fields),
// "v:<value>" ('v') or "i:<n>" ('i'), with the set below it.
type itemKey struct {
	kind   byte
	fields map[string]any
	value  any
	index  int
	set    map[string]any
}

// parseItemKeys parses the item keys of a list's FieldsV1 node once, not once per item.
func parseItemKeys(set map[string]any) []itemKey {
	var keys []itemKey
	for k, sub := range set {
		subSet, _ := sub.(map[string]any)
		ik := itemKey{set: subSet}
		var err error
		switch {
		case strings.HasPrefix(k, "k:"):
			ik.kind = 'k'
			err = json.Unmarshal([]byte(k[2:]), &ik.fields)
		case strings.HasPrefix(k, "v:"):
			ik.kind = 'v'
			err = json.Unmarshal([]byte(k[2:]), &ik.value)
		case strings.HasPrefix(k, "i:"):
			ik.kind = 'i'
			ik.index, err = strconv.Atoi(k[2:])
		default:
			continue
		}
		if err == nil {
			keys = append(keys, ik)
		}
	}
	return keys
}

// matches reports whether the list item at index i is the one the key names.
func (k itemKey) matches(i int, item any) bool {
	switch k.kind {
	case 'k':
		m, ok := item.(map[string]any)
		if !ok {
			return false
		}
		for f, want := range k.fields {
			if !jsonEqual(m[f], want) {
				return false
			}
		}
		return true
	case 'v':
		return jsonEqual(item, k.value)
	case 'i':
		return k.index == i
	}
	return false
}

// jsonEqual compares two values as JSON does (numbers of any Go type by value).
func jsonEqual(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	ab, err1 := json.Marshal(a)
	bb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ab) == string(bb)
}

// withoutStatus returns a shallow copy of obj without its managedFields and status, which an apply
// without a subresource never owns: converting them is most of the cost of a Deployment.
func withoutStatus(obj runtime.Object) runtime.Object {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		c := *o
		c.ManagedFields, c.Status = nil, appsv1.DeploymentStatus{}
		return &c
	case *policyv1.PodDisruptionBudget:
		c := *o
		c.ManagedFields, c.Status = nil, policyv1.PodDisruptionBudgetStatus{}
		return &c
	case *corev1.ServiceAccount:
		c := *o
		c.ManagedFields = nil
		return &c
	case *corev1.ConfigMap:
		c := *o
		c.ManagedFields = nil
		return &c
	}
	return obj
}
