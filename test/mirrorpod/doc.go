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
// Package mirrorpod runs kmm-mirror the way a kubelet would run the Deployment kmm-operator
// renders: the container's args, environment and volume mounts are taken from
// `kmm-operator render` output, the Secret and ConfigMap volumes are mounted at their rendered
// paths in a private mount namespace laid out like kmm-mirror's image (/opt/kafka, `test` on
// PATH, a 5 MiB memory /tmp), the process runs as UID 1001, and the probes are the rendered exec
// commands, run in that namespace. So the contract between the operator and the mirror is
// tested end to end, not re-typed in a test.
//
// It needs root (mount namespaces), as CI has.
package mirrorpod
