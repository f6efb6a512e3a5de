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

// Package mirrortest is the harness for the integration tests of kmm-mirror (test/mirror): it
// builds the binary, starts fake Kafka clusters (kfake) with the security the Strimzi operator can
// configure (plaintext, SCRAM-SHA-512, TLS with client certificates from a private CA), lays out
// the files a pod mounts under KAFKA_HOME, runs the mirror as a separate process with exactly the
// environment the operator renders, produces records that carry an id, and verifies what arrived
// on the target record by record.
//
// The mirror is checked as a black box through its process contract (environment, files, exit
// codes, signals) because that is what the Strimzi image contract fixes; nothing here imports
// pkg/mirror. Every wait is a bounded poll so that a broken mirror fails a test instead of hanging
// it.
package mirrortest
