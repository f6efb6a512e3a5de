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

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kmm-operator/kmm-operator/artifacts/crds"
)

// The validation against the shipped CRD, message by message, is tested in pkg/render, where it
// is also compared with a real API server.

func TestShippedCRD(t *testing.T) {
	v, err := NewFromYAML([]byte(crds.KafkaMirrorMakersYAML), "v1beta2")
	require.NoError(t, err)
	assert.Equal(t, schema.GroupVersionKind{Group: "kafka.strimzi.io", Version: "v1beta2", Kind: "KafkaMirrorMaker"}, v.GroupVersionKind())
	assert.True(t, v.namespaced)
	assert.True(t, v.status)
	require.NotNil(t, v.scale)
	assert.Equal(t, ".spec.replicas", v.scale.SpecReplicasPath)

	_, err = NewFromYAML([]byte(crds.KafkaMirrorMakersYAML), "v1beta1")
	assert.ErrorContains(t, err, "does not serve version v1beta1")
}

// testCRD is a small CRD whose spec schema is specYAML (indented as the value of "spec:").
func testCRD(specYAML string) string {
	return `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
` + specYAML + `
          status:
            type: object
            properties:
              phase: {type: string}
`
}

func newTestValidator(t *testing.T, specYAML string) *Validator {
	t.Helper()
	v, err := NewFromYAML([]byte(testCRD(specYAML)), "v1")
	require.NoError(t, err)
	return v
}

func create(t *testing.T, v *Validator, body string) *Verdict {
	t.Helper()
	verdict, err := v.Create([]byte(body), "ns")
	require.NoError(t, err)
	return verdict
}

func TestNewRefusesWhatItDoesNotImplement(t *testing.T) {
	for name, spec := range map[string]string{
		"x-kubernetes-validations (CEL)": `            type: object
            x-kubernetes-validations: [{rule: "self.size > 0"}]`,
		"x-kubernetes-embedded-resource": `            type: object
            properties:
              template: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}`,
		`format "date-time"`: `            type: object
            properties:
              at: {type: string, format: date-time}`,
		"default is not supported": `            type: object
            properties:
              size: {type: integer, default: 3}`,
		"$ref is not supported": `            type: object
            properties:
              a: {$ref: "#/definitions/a"}`,
		"uniqueItems is not supported": `            type: object
            properties:
              tags: {type: array, uniqueItems: true, items: {type: string}}`,
		"patternProperties is not supported": `            type: object
            patternProperties:
              "^a": {type: string}`,
		"not structural": `            properties:
              a: {type: string}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewFromYAML([]byte(testCRD(spec)), "v1")
			assert.ErrorContains(t, err, strings.TrimPrefix(name, "not "))
		})
	}
	_, err := NewFromYAML([]byte(strings.Replace(testCRD("            type: object"), "  scope: Namespaced", "  scope: Namespaced\n  preserveUnknownFields: true", 1)), "v1")
	assert.ErrorContains(t, err, "preserveUnknownFields")
}

// Nulls the schema does not allow are dropped from objects, where they mean "not set"; nullable
// nulls stay, and so do nulls in lists, which the type check then reports.
func TestNulls(t *testing.T) {
	v := newTestValidator(t, `            type: object
            properties:
              size: {type: integer}
              note: {type: string, nullable: true}
              parts:
                type: array
                items:
                  type: object
                  properties:
                    weight: {type: integer}
              labels:
                type: object
                additionalProperties: {type: string}
              free: {type: object, x-kubernetes-preserve-unknown-fields: true}`)
	verdict := create(t, v, `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},
		"spec":{"size":null,"note":null,"parts":[{"weight":null},{"weight":5}],"labels":{"a":"x","b":null},"free":{"c":null}}}`)
	require.Equal(t, Created, verdict.Code, verdict.Errors)
	assert.Equal(t, map[string]any{
		"note":   nil,
		"parts":  []any{map[string]any{}, map[string]any{"weight": int64(5)}},
		"labels": map[string]any{"a": "x"},
		"free":   map[string]any{"c": nil},
	}, verdict.Object["spec"])
	assert.Equal(t, "ns", verdict.Object["metadata"].(map[string]any)["namespace"])

	verdict = create(t, v, `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"parts":[null]}}`)
	assert.Equal(t, Invalid, verdict.Code)
	assert.Equal(t, []Error{{Field: "spec.parts[0]", Detail: `Invalid value: "null": spec.parts[0] in body must be of type object: "null"`}}, verdict.Errors)
}

// The findings of kube-openapi's validator that the shipped CRD cannot produce, in the API
// server's forms: x-kubernetes-int-or-string as the type "integer,string", numeric enums (whose
// values are int64, as the API server decodes them: the validator then converts the value to
// int64 before comparing), maxLength, maxItems and maxProperties as Too long and Too many, the
// other limits as Invalid.
func TestSchemaFindings(t *testing.T) {
	v := newTestValidator(t, `            type: object
            properties:
              count: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
              level: {type: number, enum: [1, 2.5]}
              name: {type: string, minLength: 2, maxLength: 3}
              tags: {type: array, minItems: 1, maxItems: 2, items: {type: string}}
              labels: {type: object, maxProperties: 1, additionalProperties: {type: string}}
              ratio: {type: number, maximum: 1, exclusiveMaximum: true}
              step: {type: number, multipleOf: 0.5}`)
	verdict := create(t, v, `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},
		"spec":{"count":"3","level":1.5,"name":"abcd","tags":["a","b","c"],"labels":{"a":"1","b":"2"},"ratio":1}}`)
	assert.Equal(t, Invalid, verdict.Code)
	assert.Equal(t, []Error{
		{Field: "spec.labels", Detail: "Too many: 2: must have at most 1 item"},
		{Field: "spec.name", Detail: "Too long: may not be more than 3 bytes"},
		{Field: "spec.ratio", Detail: "Invalid value: 1: spec.ratio in body should be less than 1"},
		{Field: "spec.tags", Detail: "Too many: 3: must have at most 2 items"},
	}, verdict.Errors)

	verdict = create(t, v, `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},
		"spec":{"count":true,"level":3,"name":"a","tags":[],"step":0.7}}`)
	assert.Equal(t, Invalid, verdict.Code)
	assert.Equal(t, []Error{
		{Field: "<nil>", Detail: `Invalid value: "": "spec.count" must validate at least one schema (anyOf)`},
		{Field: "spec.count", Detail: `Invalid value: "boolean": spec.count in body must be of type integer,string: "boolean"`},
		{Field: "spec.count", Detail: `Invalid value: "boolean": spec.count in body must be of type integer: "boolean"`},
		{Field: "spec.level", Detail: `Unsupported value: 3: supported values: "1", "2.5"`},
		{Field: "spec.name", Detail: `Invalid value: "a": spec.name in body should be at least 2 chars long`},
		{Field: "spec.step", Detail: `Invalid value: 0.7: spec.step in body should be a multiple of 0.5`},
		{Field: "spec.tags", Detail: `Invalid value: 0: spec.tags in body should have at least 1 items`},
	}, verdict.Errors)
}

// The create drops status (status subresource) before validation, but not before pruning.
func TestStatusOnCreate(t *testing.T) {
	v := newTestValidator(t, `            type: object`)
	verdict := create(t, v, `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"status":{"phase":7}}`)
	assert.Equal(t, Created, verdict.Code, verdict.Errors)
	verdict = create(t, v, `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"status":{"phaze":"x"}}`)
	assert.Equal(t, BadRequest, verdict.Code)
	assert.Equal(t, []Error{{Field: "status.phaze", Detail: `unknown field "status.phaze"`}}, verdict.Errors)
}

func TestListTypes(t *testing.T) {
	v := newTestValidator(t, `            type: object
            properties:
              tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}`)
	verdict := create(t, v, `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"tags":["a","b","a"]}}`)
	assert.Equal(t, Invalid, verdict.Code)
	assert.Equal(t, []Error{{Field: "spec.tags[2]", Detail: `Duplicate value: "a"`}}, verdict.Errors)
}

func TestStrictDecoding(t *testing.T) {
	v := newTestValidator(t, `            type: object
            properties:
              size: {type: integer}`)
	verdict := create(t, v, `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","nam":"x"},"spec":{"size":1,"size":2,"sise":3}}`)
	assert.Equal(t, BadRequest, verdict.Code)
	assert.Equal(t, []Error{
		{Field: "spec.size", Detail: `duplicate field "spec.size"`},
		{Field: "metadata.nam", Detail: `unknown field "metadata.nam"`},
		{Field: "spec.sise", Detail: `unknown field "spec.sise"`},
	}, verdict.Errors)
	assert.Nil(t, verdict.Object)

	_, err := v.Create([]byte(`{"apiVersion":"example.com/v1","kind":"Gadget"}`), "ns")
	assert.ErrorContains(t, err, "not a example.com/v1, Kind=Widget")
	_, err = v.Create([]byte(`{"apiVersion":`), "ns")
	assert.Error(t, err)
}
