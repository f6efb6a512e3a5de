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

// Package e2e is the end-to-end suite: every user-visible behaviour of the operator, proven
// against the real local control plane of hack/cluster (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and a kwok node).
//
// The operator under test is the real binary, built once by TestMain and run as a separate
// process per test, out of cluster, with the non-admin identity of .local/operator.kubeconfig
// (or, for the namespace-scoping scenario, a ServiceAccount that has only the Roles of the
// namespaced install). Tests set up and assert with the admin kubeconfig. Each test works in its
// own namespaces, waits with bounded polls or watches, and logs the latencies it measured. On a
// failure the tail of the operator's log and of the control plane's logs (.local/logs) is printed.
//
// TestMain runs `hack/cluster/cluster.sh up` (a no-op on a healthy cluster, about 12 minutes the
// first time, when the control plane is built) and `down` at the end only if it started the
// cluster. See README.md for how to run it and what every scenario checks.
package e2e
