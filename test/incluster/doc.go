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

// Package incluster holds the end-to-end tests that run the project's images as real pods on
// the local cluster's real node (hack/cluster/node.sh): the operator installed with `make deploy`
// (kubectl apply -k of artifacts/install through hack/deploy/), its probes, leader election,
// failover and rolling updates with real containers, the namespaced install, and KafkaMirrorMakers
// whose kmm-mirror pods copy records between Kafka clusters the tests start on the node address.
//
// The tests run one at a time and after the other end-to-end suites (hack/test.sh), since the
// installed operator watches every namespace.
package incluster
