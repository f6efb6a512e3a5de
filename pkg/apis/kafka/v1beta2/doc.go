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

// Package v1beta2 holds the kafka.strimzi.io/v1beta2 KafkaMirrorMaker API, field for field the
// schema Strimzi 0.45.2 served, so that resources written for Strimzi decode here unchanged.
//
// The JSON names are Strimzi's. Where Strimzi's schema is a core/v1 type (resources, affinity,
// tolerations, security contexts, ...) the core/v1 Go type is reused. Optional scalars are
// pointers so that an explicit false or 0 survives a decode/encode round trip.
//
// Markers read by hack/crdgen (the CRD generator) on fields and types:
//
//	+kmm:required                  the field is listed in its parent's "required"
//	+kmm:minimum=N                 integer minimum
//	+kmm:enum=a;b;c                string enum
//	+kmm:pattern=REGEX             string pattern
//	+kmm:oneOfRequired=a;b         on a type: exactly one of the named fields must be present
//	+kmm:preserveUnknownFields     on a field: free-form object
//
// +k8s:deepcopy-gen=package
// +groupName=kafka.strimzi.io
package v1beta2
