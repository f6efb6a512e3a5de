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

// The OpenAPI v3 part of the validation: kube-openapi's schema validator, which is the one the
// API server runs on custom resources, given the CRD's schema, and its findings turned into the
// API server's field errors (the messages and paths `kubectl apply` prints).

import (
	"encoding/json"
	"fmt"
	"strings"

	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	openapierrors "k8s.io/kube-openapi/pkg/validation/errors"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// validatorSchema is the CRD's openAPIV3Schema as kube-openapi's validator takes it. The CRD's
// JSON form is already an OpenAPI v3 schema, which spec.Schema decodes: nullable is one of its
// fields, which the validator's type check honours; the x-kubernetes-* extensions land in its
// Extensions, which the validator ignores (pruning, x-kubernetes-preserve-unknown-fields and the
// list types are the structural schema's business). Two things are then set from
// the schema as the API server reads it (in, the v1 schema converted to the internal types),
// node by node:
//   - x-kubernetes-int-or-string: such a node has no type of its own (an anyOf gives it), and
//     the API server checks it as the type "integer,string", whose message is the one `kubectl
//     apply` shows for a value that is neither;
//   - enum values: spec.Schema decodes every JSON number as a float64, the API server integers
//     as int64, and kube-openapi's enum check compares after converting the value to the
//     enum value's type, so that the type decides what is accepted (1.5 matches the int64 1).
//
// New refuses, before this, every schema keyword whose handling here would differ from the API
// server's (see unsupported).
func validatorSchema(v1 *apiextensionsv1.JSONSchemaProps, in *apiextensions.JSONSchemaProps) (*spec.Schema, error) {
	b, err := json.Marshal(v1)
	if err != nil {
		return nil, err
	}
	out := &spec.Schema{}
	if err := json.Unmarshal(b, out); err != nil {
		return nil, err
	}
	if err := setFromInternal(out, in, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// setFromInternal sets, in out and the schemas below it, the type of x-kubernetes-int-or-string
// and the enum values from in, the same schema; p is out's path, for errors.
func setFromInternal(out *spec.Schema, in *apiextensions.JSONSchemaProps, p *field.Path) error {
	if (out == nil) != (in == nil) {
		return fmt.Errorf("%s: the decoded schema differs from the CRD's", p)
	}
	if in == nil {
		return nil
	}
	if in.XIntOrString {
		out.Type = spec.StringOrArray{"integer", "string"}
	}
	if len(out.Enum) != len(in.Enum) {
		return fmt.Errorf("%s: the decoded enum differs from the CRD's", p)
	}
	for i, v := range in.Enum {
		out.Enum[i] = v
	}

	if len(out.Properties) != len(in.Properties) {
		return fmt.Errorf("%s: the decoded properties differ from the CRD's", p)
	}
	for k, inProp := range in.Properties {
		outProp, ok := out.Properties[k]
		if !ok {
			return fmt.Errorf("%s: the decoded properties differ from the CRD's", p)
		}
		if err := setFromInternal(&outProp, &inProp, p.Child("properties", k)); err != nil {
			return err
		}
		out.Properties[k] = outProp
	}
	if (out.Items == nil) != (in.Items == nil) {
		return fmt.Errorf("%s: the decoded items differ from the CRD's", p)
	}
	if in.Items != nil { // unsupported refuses items as an array
		if err := setFromInternal(out.Items.Schema, in.Items.Schema, p.Child("items")); err != nil {
			return err
		}
	}
	if (out.AdditionalProperties == nil) != (in.AdditionalProperties == nil) {
		return fmt.Errorf("%s: the decoded additionalProperties differ from the CRD's", p)
	}
	if in.AdditionalProperties != nil {
		if err := setFromInternal(out.AdditionalProperties.Schema, in.AdditionalProperties.Schema, p.Child("additionalProperties")); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		name string
		out  []spec.Schema
		in   []apiextensions.JSONSchemaProps
	}{{"allOf", out.AllOf, in.AllOf}, {"anyOf", out.AnyOf, in.AnyOf}, {"oneOf", out.OneOf, in.OneOf}} {
		if len(l.out) != len(l.in) {
			return fmt.Errorf("%s: the decoded %s differs from the CRD's", p, l.name)
		}
		for i := range l.in {
			if err := setFromInternal(&l.out[i], &l.in[i], p.Child(l.name).Index(i)); err != nil {
				return err
			}
		}
	}
	return setFromInternal(out.Not, in.Not, p.Child("not"))
}

// schemaFieldErrors turns what kube-openapi's validator found into the errors the API server
// reports for them. A finding about one value (a *openapierrors.Validation) names the value's
// path ("spec.consumer.numStreams", without the root); it becomes:
//   - a missing required property: Required ("spec.include: Required value");
//   - a value outside an enum: NotSupported, listing the allowed values, strings as they are
//     and other values as JSON ("Unsupported value: \"kerberos\": supported values: ...");
//   - a wrong type: TypeInvalid, the value being the JSON type found ("Invalid value:
//     \"string\": spec.replicas in body must be of type integer: \"string\"");
//   - a string over maxLength: TooLong, with the limit; an array over maxItems or an object over
//     maxProperties: TooMany, with the size and the limit;
//   - anything else (minimum, pattern, minLength, ...): Invalid, with the value and
//     kube-openapi's message.
//
// The failure of a oneOf, anyOf, allOf or not carries no path and no value: the API server
// reports it as an Invalid with the path <nil> and the value "", kube-openapi's message naming
// the value ("\"spec\" must validate one and only one schema (oneOf). Found none valid").
func schemaFieldErrors(findings []error) field.ErrorList {
	var errs field.ErrorList
	for _, finding := range findings {
		v, ok := finding.(*openapierrors.Validation)
		if !ok {
			errs = append(errs, field.Invalid(nil, "", finding.Error()))
			continue
		}
		var p *field.Path
		if name := strings.TrimPrefix(v.Name, "."); name != "" {
			p = field.NewPath(name)
		}
		value := v.Value
		if value == nil {
			value = ""
		}
		switch v.Code() {
		case openapierrors.RequiredFailCode:
			errs = append(errs, field.Required(p, ""))
		case openapierrors.EnumFailCode:
			allowed := make([]string, len(v.Values))
			for i, a := range v.Values {
				allowed[i] = enumValueString(a)
			}
			errs = append(errs, field.NotSupported(p, v.Value, allowed))
		case openapierrors.InvalidTypeCode:
			errs = append(errs, field.TypeInvalid(p, value, v.Error()))
		case openapierrors.TooLongFailCode:
			errs = append(errs, field.TooLong(p, nil, intOrMinusOne(v.Valid)))
		case openapierrors.MaxItemsFailCode, openapierrors.TooManyPropertiesCode:
			errs = append(errs, field.TooMany(p, intOrMinusOne(v.Value), intOrMinusOne(v.Valid)))
		default:
			errs = append(errs, field.Invalid(p, value, v.Error()))
		}
	}
	return errs
}

// enumValueString is an allowed value of an enum as the API server lists it.
func enumValueString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// intOrMinusOne is a size or a limit of a finding (kube-openapi gives them as int64); -1, which
// the field errors print as unknown, if it is not one.
func intOrMinusOne(v any) int {
	if i, ok := v.(int64); ok {
		return int(i)
	}
	return -1
}
