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

package crdgen

// The subset of apiextensions.k8s.io/v1 that the generated CRD uses. Field names and JSON names
// follow k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1, which is not a dependency of
// this module.

// CustomResourceDefinition is an apiextensions.k8s.io/v1 CustomResourceDefinition.
type CustomResourceDefinition struct {
	APIVersion string                       `json:"apiVersion"`
	Kind       string                       `json:"kind"`
	Metadata   ObjectMeta                   `json:"metadata"`
	Spec       CustomResourceDefinitionSpec `json:"spec"`
}

// ObjectMeta is the part of metav1.ObjectMeta a CRD manifest sets.
type ObjectMeta struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
}

// CustomResourceDefinitionSpec describes how a custom resource is served.
type CustomResourceDefinitionSpec struct {
	Group      string                            `json:"group"`
	Names      CustomResourceDefinitionNames     `json:"names"`
	Scope      string                            `json:"scope"`
	Conversion *CustomResourceConversion         `json:"conversion,omitempty"`
	Versions   []CustomResourceDefinitionVersion `json:"versions"`
}

// CustomResourceDefinitionNames holds the names of the custom resource.
type CustomResourceDefinitionNames struct {
	Kind       string   `json:"kind"`
	ListKind   string   `json:"listKind,omitempty"`
	Singular   string   `json:"singular,omitempty"`
	Plural     string   `json:"plural"`
	ShortNames []string `json:"shortNames,omitempty"`
	Categories []string `json:"categories,omitempty"`
}

// CustomResourceConversion selects the conversion strategy between versions.
type CustomResourceConversion struct {
	Strategy string `json:"strategy"`
}

// CustomResourceDefinitionVersion is one served version.
type CustomResourceDefinitionVersion struct {
	Name                     string                      `json:"name"`
	Served                   bool                        `json:"served"`
	Storage                  bool                        `json:"storage"`
	Subresources             *CustomResourceSubresources `json:"subresources,omitempty"`
	AdditionalPrinterColumns []CustomResourceColumn      `json:"additionalPrinterColumns,omitempty"`
	Schema                   *CustomResourceValidation   `json:"schema,omitempty"`
}

// CustomResourceSubresources enables the status and scale subresources.
type CustomResourceSubresources struct {
	Status *struct{}                       `json:"status,omitempty"`
	Scale  *CustomResourceSubresourceScale `json:"scale,omitempty"`
}

// CustomResourceSubresourceScale maps the scale subresource onto the resource.
type CustomResourceSubresourceScale struct {
	SpecReplicasPath   string `json:"specReplicasPath"`
	StatusReplicasPath string `json:"statusReplicasPath"`
	LabelSelectorPath  string `json:"labelSelectorPath,omitempty"`
}

// CustomResourceColumn is one additional printer column.
type CustomResourceColumn struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	JSONPath    string `json:"jsonPath"`
	Type        string `json:"type"`
	Priority    int32  `json:"priority,omitempty"`
}

// CustomResourceValidation holds the OpenAPI v3 schema of a version.
type CustomResourceValidation struct {
	OpenAPIV3Schema *JSONSchemaProps `json:"openAPIV3Schema"`
}

// JSONSchemaProps is the subset of the structural OpenAPI v3 schema the generator emits.
type JSONSchemaProps struct {
	Type                   string                      `json:"type,omitempty"`
	Format                 string                      `json:"format,omitempty"`
	Description            string                      `json:"description,omitempty"`
	Properties             map[string]*JSONSchemaProps `json:"properties,omitempty"`
	Items                  *JSONSchemaProps            `json:"items,omitempty"`
	AdditionalProperties   *JSONSchemaProps            `json:"additionalProperties,omitempty"`
	Required               []string                    `json:"required,omitempty"`
	Enum                   []string                    `json:"enum,omitempty"`
	Minimum                *int64                      `json:"minimum,omitempty"`
	Pattern                string                      `json:"pattern,omitempty"`
	AnyOf                  []*JSONSchemaProps          `json:"anyOf,omitempty"`
	OneOf                  []*JSONSchemaProps          `json:"oneOf,omitempty"`
	XIntOrString           bool                        `json:"x-kubernetes-int-or-string,omitempty"`
	XPreserveUnknownFields bool                        `json:"x-kubernetes-preserve-unknown-fields,omitempty"`
}
