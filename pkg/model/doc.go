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

// Package model turns a KafkaMirrorMaker resource, the Secrets and ConfigMaps it references and
// the operator settings into the objects Strimzi 0.45.2 rendered for it: a ServiceAccount, the
// metrics-and-logging ConfigMap, a PodDisruptionBudget and the Deployment, plus the hash
// annotations that roll the Pods when referenced data changes.
//
// The package makes no API calls: referenced objects come in through the small getter interfaces,
// which a namespaced lister satisfies. Everything is deterministic, so the rendered objects can be
// compared with the live ones and with what Strimzi produced for the same input.
//
// Failures are *Error values whose Reason is the simple class name of the exception Strimzi threw
// for the same input, and whose Message is Strimzi's message, because both end up verbatim in the
// NotReady condition of the resource status. Secret values never appear in an error, a warning or
// a rendered object; only Secret names, keys and the auth hash do.
package model
