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

// Package controller reconciles KafkaMirrorMaker resources into a ServiceAccount, the
// metrics-and-logging ConfigMap, a PodDisruptionBudget and a Deployment, and reports the result in
// the resource status, the way Strimzi 0.45's KafkaMirrorMakerAssemblyOperator did, on raw
// client-go informers and a workqueue.
//
// Data flow:
//
//	informers ──► handlers ──► queue ──► workers: sync(key) ──► steps ──► status
//
// Informers (one set per watched namespace, or one for all namespaces). KafkaMirrorMakers come from
// the generated informer, filtered by the custom resource selector, managedFields stripped, with
// two indexes from "namespace/name" of a referenced Secret or ConfigMap to the resources that
// reference it. The children (Deployment, ServiceAccount, ConfigMap, PodDisruptionBudget) come
// from informers restricted to the label strimzi.io/kind=KafkaMirrorMaker, whose transform keeps
// a small record of each (cached.go): identity, owner references, the two labels that tie it to a
// resource, a Deployment's replicas, Pod-template hashes and readiness status, and the digest of
// the fields this field manager owns, taken once per resourceVersion as the object enters the
// cache. User Secrets and ConfigMaps are watched metadata-only (no data, no annotations in
// memory).
//
// Handlers turn events into queue keys ("namespace/name" as cache.ObjectName). A resource is
// enqueued when it is added or deleted and when its generation, labels or annotations change,
// never on status-only updates, so the operator's own status writes do not wake it up. A child
// enqueues its owner (owner reference kind KafkaMirrorMaker with the UID checked against the
// lister). A Secret or ConfigMap event enqueues exactly the resources that reference it, through
// the index. Tombstones are unwrapped everywhere.
//
// The queue is a named, typed rate-limited workqueue: per-item exponential backoff capped at five
// minutes, under an overall token bucket. Workers take keys one at a time, so one resource is never
// reconciled twice concurrently. A periodic full pass re-adds every resource with a random delay
// spread over the interval instead of firing them all at once.
//
// sync reads the resource from the lister (a deep copy; cache objects are never mutated), handles
// deletion and the pause annotation, builds the model (step 0: a validation failure becomes NotReady
// and is not retried until the resource changes) and runs the steps in Strimzi's order:
// serviceAccount, scaleDown, metricsAndLoggingConfigMap, podDisruptionBudget, authTLSHash,
// deployment, scaleUp, waitForObserved, readiness. The first failing step ends the pass. Every
// write is a server-side apply with the operator's field manager, sent only when the digest of the
// desired object differs from the cached digest of what this manager owns (or, for an object left
// behind by Strimzi that the manager owns nothing of yet, read once per version, from the live
// values), so a pass where nothing changed makes no API call at all, and any change to a child
// (drift, another tool) arrives as a new version with a new digest and is repaired. Referenced Secret and ConfigMap contents are read with a
// live GET, and only when their metadata resourceVersion moved since the last read. Waiting for
// the Deployment never blocks a worker: the pass ends as "waiting" (Ready=False, reason
// Progressing), the Deployment's status change enqueues the resource again, and a delayed requeue
// fires at the operation timeout, after which the status says TimeoutException.
//
// Status is written through the status subresource only when it differs from the live status,
// ignoring lastTransitionTime, which is kept while a condition's status stays the same. Events
// record created and updated children, rollouts caused by a Secret or logging change, validation
// errors and conflicts; a no-op pass records none.
package controller
