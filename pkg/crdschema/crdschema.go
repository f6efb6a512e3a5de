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

// Package crdschema checks a custom resource against its CustomResourceDefinition the way the
// API server does when the resource is created with strict field validation (kubectl create and
// kubectl apply, which send fieldValidation=Strict by default): strict decoding (duplicate and
// unknown fields, malformed metadata), pruning, the dropping of nulls the schema does not allow,
// the OpenAPI v3 schema validator, the metadata checks (name format, labels, ...) and the scale
// subresource's replicas checks, with the API server's messages and field paths.
//
// The checks themselves are the libraries the API server runs: k8s.io/apiextensions-apiserver's
// structural schema, pruning and list-type validation, k8s.io/kube-openapi's schema validator,
// k8s.io/apimachinery's metadata validation. This package adds the sequence of a create, the
// schema the validator is given (openapi.go), the translation of the validator's findings into
// the API server's errors (openapi.go) and what the API server does besides the schema
// (object.go), all written for this package. The API server's own packages for that glue
// (apiextensions-apiserver's pkg/apiserver/validation, schema/defaulting, schema/objectmeta)
// are not imported: they would link CEL, the API server's feature gates and its metrics
// registry into the binary. Parity is tested against a real API server (pkg/render's
// TestParityWithAPIServer).
//
// New refuses a CRD that uses what this package does not implement, rather than validate it
// differently: CEL rules (x-kubernetes-validations), embedded resources, string formats,
// defaults (nothing is defaulted), references and the schema keywords the API server does not
// admit in a CRD (see unsupported).
//
// Nothing here runs at program start: a Validator is built on demand from the CRD.
package crdschema

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"

	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apimachinery/pkg/api/operation"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/api/validation/path"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// declarativeValidationBeta is the default, since Kubernetes 1.36, of the API server's feature
// gate DeclarativeValidationBeta, which the API server passes to the metadata validation.
const declarativeValidationBeta = true

// Validator validates objects of one served version of a CustomResourceDefinition. It is safe
// for concurrent use.
type Validator struct {
	gvk        schema.GroupVersionKind
	namespaced bool
	structural *structuralschema.Structural
	openAPI    *spec.Schema
	status     bool                                            // the status subresource is enabled
	scale      *apiextensionsv1.CustomResourceSubresourceScale // nil without the scale subresource
}

// NewFromYAML is New for a CRD given as YAML or JSON.
func NewFromYAML(crdYAML []byte, version string) (*Validator, error) {
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(crdYAML, &crd); err != nil {
		return nil, fmt.Errorf("decoding the CustomResourceDefinition: %w", err)
	}
	return New(&crd, version)
}

// New builds the Validator of version of crd: the structural schema (for pruning, nulls and list
// types) and the schema for kube-openapi's validator, both from the version's openAPIV3Schema.
// It fails for a CRD that uses what this package does not implement (see unsupported), and for
// spec.preserveUnknownFields.
func New(crd *apiextensionsv1.CustomResourceDefinition, version string) (*Validator, error) {
	if crd.Spec.PreserveUnknownFields {
		return nil, errors.New("spec.preserveUnknownFields is not supported")
	}
	var ver *apiextensionsv1.CustomResourceDefinitionVersion
	for i := range crd.Spec.Versions {
		if crd.Spec.Versions[i].Name == version {
			ver = &crd.Spec.Versions[i]
		}
	}
	if ver == nil || !ver.Served {
		return nil, fmt.Errorf("%s does not serve version %s", crd.Name, version)
	}
	if ver.Schema == nil || ver.Schema.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("%s version %s has no schema", crd.Name, version)
	}

	internal := &apiextensions.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(ver.Schema, internal, nil); err != nil {
		return nil, fmt.Errorf("converting the schema of %s %s: %w", crd.Name, version, err)
	}
	if err := unsupported(internal.OpenAPIV3Schema, field.NewPath("openAPIV3Schema")); err != nil {
		return nil, fmt.Errorf("%s %s: %w", crd.Name, version, err)
	}
	s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("the schema of %s %s is not structural: %w", crd.Name, version, err)
	}
	if errs := structuralschema.ValidateStructural(nil, s); len(errs) > 0 {
		return nil, fmt.Errorf("the schema of %s %s is not structural: %w", crd.Name, version, errs.ToAggregate())
	}
	openAPI, err := validatorSchema(ver.Schema.OpenAPIV3Schema, internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("reading the schema of %s %s: %w", crd.Name, version, err)
	}

	v := &Validator{
		gvk:        schema.GroupVersionKind{Group: crd.Spec.Group, Version: version, Kind: crd.Spec.Names.Kind},
		namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
		structural: s,
		openAPI:    openAPI,
	}
	if sub := ver.Subresources; sub != nil {
		v.status = sub.Status != nil
		v.scale = sub.Scale
	}
	return v, nil
}

// unsupported reports the first schema node that uses what this package does not implement, so
// that such a CRD is refused instead of validated differently:
//   - x-kubernetes-validations (CEL rules), x-kubernetes-embedded-resource and formats: the API
//     server checks them with code this package does not link;
//   - default: nothing is defaulted (the shipped CRD declares no defaults);
//   - $ref, id, $schema, definitions, dependencies, patternProperties, additionalItems,
//     uniqueItems and items given as an array: keywords the API server does not admit in a CRD
//     schema, which validatorSchema would pass on to kube-openapi's validator.
func unsupported(s *apiextensions.JSONSchemaProps, p *field.Path) error {
	if s == nil {
		return nil
	}
	var keyword string
	switch {
	case len(s.XValidations) > 0:
		return fmt.Errorf("%s: x-kubernetes-validations (CEL) is not supported", p)
	case s.XEmbeddedResource:
		return fmt.Errorf("%s: x-kubernetes-embedded-resource is not supported", p)
	case s.Format != "":
		return fmt.Errorf("%s: format %q is not supported", p, s.Format)
	case s.Default != nil:
		return fmt.Errorf("%s: default is not supported (nothing is defaulted)", p)
	case s.Ref != nil:
		keyword = "$ref"
	case s.ID != "":
		keyword = "id"
	case s.Schema != "":
		keyword = "$schema"
	case len(s.Definitions) > 0:
		keyword = "definitions"
	case len(s.Dependencies) > 0:
		keyword = "dependencies"
	case len(s.PatternProperties) > 0:
		keyword = "patternProperties"
	case s.AdditionalItems != nil:
		keyword = "additionalItems"
	case s.UniqueItems:
		keyword = "uniqueItems"
	case s.Items != nil && s.Items.Schema == nil:
		keyword = "items as an array of schemas"
	}
	if keyword != "" {
		return fmt.Errorf("%s: %s is not supported", p, keyword)
	}
	for k := range s.Properties {
		prop := s.Properties[k]
		if err := unsupported(&prop, p.Child("properties", k)); err != nil {
			return err
		}
	}
	if s.Items != nil {
		if err := unsupported(s.Items.Schema, p.Child("items")); err != nil {
			return err
		}
	}
	if s.AdditionalProperties != nil {
		if err := unsupported(s.AdditionalProperties.Schema, p.Child("additionalProperties")); err != nil {
			return err
		}
	}
	for name, list := range map[string][]apiextensions.JSONSchemaProps{"allOf": s.AllOf, "oneOf": s.OneOf, "anyOf": s.AnyOf} {
		for i := range list {
			if err := unsupported(&list[i], p.Child(name).Index(i)); err != nil {
				return err
			}
		}
	}
	return unsupported(s.Not, p.Child("not"))
}

// GroupVersionKind is the kind the Validator validates.
func (v *Validator) GroupVersionKind() schema.GroupVersionKind { return v.gvk }

// HTTP status codes of a Verdict, as the API server answers.
const (
	Created    = 201 // the object would be created
	BadRequest = 400 // the body cannot be handled as the kind: strict decoding errors (duplicate or unknown fields) or malformed metadata; nothing was validated
	Invalid    = 422 // the object was decoded but failed validation
)

// Error is one reason the API server gives for rejecting an object: a field path and a message,
// printed by the API server (and by kubectl) as "<field>: <detail>".
type Error struct {
	// Field is the path as the API server prints it: "spec.include", "metadata.name", or what
	// the API server prints for a nil path ("<nil>", e.g. for a failed oneOf) or for the scale
	// subresource's replicas path (".spec.replicas"). Empty for a decoding error without a path.
	Field string
	// Detail is the API server's message, e.g. "Required value" or `unknown field "spec.foo"`.
	Detail string
}

func (e Error) String() string {
	if e.Field == "" {
		return e.Detail
	}
	return e.Field + ": " + e.Detail
}

// Verdict is what the API server would answer to the creation of an object.
type Verdict struct {
	// Code is Created, BadRequest or Invalid.
	Code int
	// Errors are the reasons of a BadRequest or an Invalid, in the API server's order, except that
	// the schema validator's errors, which the API server lists in random order, are sorted.
	Errors []Error
	// Object is the object as the API server decodes and prunes it (nulls the schema does not
	// allow dropped, metadata as an ObjectMeta serializes it), with the namespace set; what the create itself changes next (status dropped, generation, uid, timestamps) is
	// not applied. Nil unless Code is Created.
	Object map[string]any
}

// Create returns what the API server answers to a create of the JSON object body in namespace
// with fieldValidation=Strict (kubectl's default), as far as the object alone decides: it does
// not check what depends on the cluster or the request (the namespace exists, the name is free,
// admission, resourceVersion and uid are not set, quotas). namespace is set on an object that
// has none, as the API server does. The object's apiVersion and kind must be the Validator's.
func (v *Validator) Create(body []byte, namespace string) (*Verdict, error) {
	// The request body, decoded as the API server's strict JSON serializer decodes a custom
	// resource (k8s.io/apimachinery's serializer/json Serializer.unmarshal): duplicate fields
	// are strict errors; integers are int64, other numbers float64.
	obj := map[string]any{}
	strictErrs, err := kjson.UnmarshalStrict(body, &obj)
	if err != nil {
		return nil, err
	}
	if apiVersion, kind := obj["apiVersion"], obj["kind"]; apiVersion != v.gvk.GroupVersion().String() || kind != v.gvk.Kind {
		return nil, fmt.Errorf("apiVersion %v, kind %v: not a %s", apiVersion, kind, v.gvk)
	}
	var errs []Error
	for _, e := range strictErrs {
		errs = append(errs, strictError(e))
	}

	// Metadata is read as an ObjectMeta (its unknown fields come first), then the fields the
	// schema does not declare are pruned (their paths sorted) and the nulls it does not allow
	// dropped.
	meta, unknown, err := decodeMetadata(obj)
	if err != nil {
		return &Verdict{Code: BadRequest, Errors: []Error{{Detail: err.Error()}}}, nil
	}
	unknown = append(unknown, pruning.PruneWithOptions(obj, v.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	dropDisallowedNulls(obj, v.structural)

	// Strict decoding errors end a create there: 400, nothing validated.
	for _, p := range unknown {
		errs = append(errs, Error{Field: p, Detail: fmt.Sprintf("unknown field %q", p)})
	}
	if len(errs) > 0 {
		return &Verdict{Code: BadRequest, Errors: errs}, nil
	}

	// What the create would store: the namespace of the request on an object without one, and
	// the metadata as the ObjectMeta serializes it (fields it does not know are gone).
	if v.namespaced && meta.Namespace == "" {
		meta.Namespace = namespace
	}
	if obj["metadata"], err = runtime.DefaultUnstructuredConverter.ToUnstructured(meta); err != nil {
		return nil, err
	}
	if errs := v.validate(obj, meta); len(errs) > 0 {
		return &Verdict{Code: Invalid, Errors: errs}, nil
	}
	return &Verdict{Code: Created, Object: obj}, nil
}

// validate checks obj, whose metadata is meta, as a create does: the status is not the create's
// (with the status subresource, it is neither stored nor validated), the generation is 1; then
// the metadata, the OpenAPI schema, the scale subresource's fields and the list types are
// checked, each error reported; and, only if all that passed, the generic metadata checks of
// any object.
func (v *Validator) validate(obj map[string]any, meta *metav1.ObjectMeta) []Error {
	if v.status {
		obj = maps.Clone(obj)
		delete(obj, "status")
	}
	created := *meta
	created.Generation = 1

	errs := apimachineryvalidation.ValidateObjectMetaDeclaratively(context.Background(), operation.Create, &created, nil,
		v.namespaced, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"), declarativeValidationBeta)
	// kube-openapi reports in no particular order (it walks maps); sorted, the output is stable.
	schemaErrs := schemaFieldErrors(validate.NewSchemaValidator(v.openAPI, nil, "", strfmt.Default).Validate(obj).Errors)
	sort.SliceStable(schemaErrs, func(i, j int) bool { return schemaErrs[i].Error() < schemaErrs[j].Error() })
	errs = append(errs, schemaErrs...)
	errs = append(errs, validateScale(obj, v.scale)...)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, v.structural, obj)...)
	if len(errs) > 0 {
		return toErrors(errs)
	}
	return toErrors(apimachineryvalidation.ValidateObjectMetaAccessor(&created, v.namespaced, path.ValidatePathSegmentName, field.NewPath("metadata")))
}

func toErrors(errs field.ErrorList) []Error {
	out := make([]Error, 0, len(errs))
	for _, e := range errs {
		// What the API server puts in the Status causes (apierrors.NewInvalid).
		out = append(out, Error{Field: e.Field, Detail: e.ErrorBody()})
	}
	return out
}

// strictError is a strict decoding error of the body, with its field path when it has one.
func strictError(err error) Error {
	var fe kjson.FieldError
	if errors.As(err, &fe) {
		return Error{Field: fe.FieldPath(), Detail: err.Error()}
	}
	return Error{Detail: err.Error()}
}
