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

package model

import (
	"testing"

	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// BenchmarkRender renders the TLS variant of the upstream example with SCRAM-SHA-512 on both
// sides: what the controller does for a typical resource on every reconciliation.
func BenchmarkRender(b *testing.B) {
	var kmm v1beta2.KafkaMirrorMaker
	readYAML(b, "my-mirror-maker.yaml", &kmm)
	kmm.Spec.Consumer.BootstrapServers = "cluster-a-kafka-bootstrap:9093"
	kmm.Spec.Producer.BootstrapServers = "cluster-b-kafka-bootstrap:9093"
	kmm.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{{SecretName: "cluster-a-cluster-ca-cert", Pattern: ptr.To("*.crt")}}}
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{{SecretName: "cluster-b-cluster-ca-cert", Pattern: ptr.To("*.crt")}}}
	kmm.Spec.Consumer.Authentication = passwordAuth(v1beta2.AuthenticationTypeScramSha512, "source-user", "source-user")
	kmm.Spec.Producer.Authentication = passwordAuth(v1beta2.AuthenticationTypeScramSha512, "target-user", "target-user")
	kmm.Spec.Consumer.Config = v1beta2.KafkaConfig{"auto.offset.reset": v1beta2.StringConfigValue("earliest"), "max.poll.records": v1beta2.RawConfigValue("500")}
	kmm.Spec.Producer.Config = v1beta2.KafkaConfig{"compression.type": v1beta2.StringConfigValue("zstd"), "linger.ms": v1beta2.RawConfigValue("5")}
	secrets := fakeSecrets{
		"cluster-a-cluster-ca-cert": newSecret("cluster-a-cluster-ca-cert", map[string]string{"ca.crt": "-----BEGIN CERTIFICATE-----A", "ca.p12": "p12", "ca.password": "pw"}),
		"cluster-b-cluster-ca-cert": newSecret("cluster-b-cluster-ca-cert", map[string]string{"ca.crt": "-----BEGIN CERTIFICATE-----B", "ca.p12": "p12", "ca.password": "pw"}),
		"source-user":               newSecret("source-user", map[string]string{"password": "source-password", "sasl.jaas.config": "x"}),
		"target-user":               newSecret("target-user", map[string]string{"password": "target-password", "sasl.jaas.config": "x"}),
	}
	s := DefaultSettings()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Render(&kmm, s, secrets, nil); err != nil {
			b.Fatal(err)
		}
	}
}
