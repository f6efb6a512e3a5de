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

package crdschema

// What the API server does to a custom resource besides the OpenAPI schema: it reads metadata
// as an ObjectMeta, drops the nulls the schema does not allow, and, with the scale subresource,
// checks the replicas and label selector at the paths the CRD names.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"
)

// decodeMetadata reads the object's metadata as the API server does for a custom resource: as
// an ObjectMeta, strictly. It returns the ObjectMeta (empty when the object has no metadata), the
// paths of the fields ObjectMeta does not have ("metadata.labelz"), which a strict create
// rejects, and an error for metadata that is no ObjectMeta at all (`labels: app`), which the API
// server answers with the decoder's message and no path.
func decodeMetadata(obj map[string]any) (*metav1.ObjectMeta, []string, error) {
	meta := &metav1.ObjectMeta{}
	raw, found := obj["metadata"]
	if !found {
		return meta, nil, nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, nil, err
	}
	strictErrs, err := kjson.UnmarshalStrict(b, meta)
	if err != nil {
		return nil, nil, err
	}
	var unknown []string
	for _, e := range strictErrs {
		var fe kjson.FieldError
		if errors.As(e, &fe) {
			unknown = append(unknown, "metadata."+fe.FieldPath())
		}
	}
	return meta, unknown, nil
}

// dropDisallowedNulls removes, from the objects in x, the fields whose value is null while their
// schema does not declare them nullable, as the API server does before validating (null then
// means "not set"). Fields the schema does not describe keep their nulls, and so do array
// items: a null item that the schema does not allow is a type error.
func dropDisallowedNulls(x any, s *structuralschema.Structural) {
	if s == nil {
		return
	}
	switch x := x.(type) {
	case map[string]any:
		for k, v := range x {
			fieldSchema := propertySchema(s, k)
			if v == nil && fieldSchema != nil && !fieldSchema.Nullable {
				delete(x, k)
				continue
			}
			dropDisallowedNulls(v, fieldSchema)
		}
	case []any:
		for _, item := range x {
			dropDisallowedNulls(item, s.Items)
		}
	}
}

// propertySchema is the schema of the property k of an object of schema s: the declared
// property's, or additionalProperties' schema; nil if the schema says nothing of it.
func propertySchema(s *structuralschema.Structural, k string) *structuralschema.Structural {
	if p, ok := s.Properties[k]; ok {
		return &p
	}
	if s.AdditionalProperties != nil {
		return s.AdditionalProperties.Structural
	}
	return nil
}

// validateScale checks what the scale subresource reads from an object: the replicas at the
// spec and status paths the CRD names (".spec.replicas") are integers of an int32 when present,
// and the label selector a string. The errors carry the path as the CRD writes it, leading dot
// included, as the API server reports them.
func validateScale(obj map[string]any, scale *apiextensionsv1.CustomResourceSubresourceScale) field.ErrorList {
	if scale == nil {
		return nil
	}
	var errs field.ErrorList
	for _, replicasPath := range []string{scale.SpecReplicasPath, scale.StatusReplicasPath} {
		n, _, err := unstructured.NestedInt64(obj, jsonPathFields(replicasPath)...)
		p := field.NewPath(replicasPath)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(p, n, err.Error()))
		case n < 0:
			errs = append(errs, field.Invalid(p, n, "should be a non-negative integer"))
		case n > math.MaxInt32:
			errs = append(errs, field.Invalid(p, n, fmt.Sprintf("should be less than or equal to %d", math.MaxInt32)))
		}
	}
	if selectorPath := scale.LabelSelectorPath; selectorPath != nil {
		if s, _, err := unstructured.NestedString(obj, jsonPathFields(*selectorPath)...); err != nil {
			errs = append(errs, field.Invalid(field.NewPath(*selectorPath), s, err.Error()))
		}
	}
	return errs
}

// jsonPathFields splits a scale subresource path, ".spec.replicas", into its fields.
func jsonPathFields(path string) []string {
	return strings.Split(strings.TrimPrefix(path, "."), ".")
}
