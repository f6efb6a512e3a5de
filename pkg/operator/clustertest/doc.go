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

// Package clustertest holds the operator-process tests that need the local control plane
// (hack/cluster): the install manifests applied with --dry-run=server, the real binary running
// as the non-admin RBAC identities, and leader election between operator processes.
//
// TestMain brings the control plane up with `hack/cluster/cluster.sh up` (building it the first
// time, about 12 minutes) and takes it down afterwards only if the tests started it and no other
// test binary still uses it (UseLocalCluster, which other test packages can share); set
// KMM_KEEP_CLUSTER=1 to keep it. `go test -short` skips the package. Each test works in its own
// namespace.
package clustertest
