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
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

func readYAML(t testing.TB, name string, into any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, into))
}

func requireSameJSON(t *testing.T, expected, actual any) {
	t.Helper()
	e, err := json.Marshal(expected)
	require.NoError(t, err)
	a, err := json.Marshal(actual)
	require.NoError(t, err)
	assert.JSONEq(t, string(e), string(a))
}

// TestUpstreamExample renders Strimzi's example resource (spec section 9) and compares every
// object with what Strimzi produced for it.
func TestUpstreamExample(t *testing.T) {
	var kmm v1beta2.KafkaMirrorMaker
	readYAML(t, "my-mirror-maker.yaml", &kmm)

	r, err := Render(&kmm, DefaultSettings(), fakeSecrets{}, fakeConfigMaps{})
	require.NoError(t, err)

	var wantDeployment appsv1.Deployment
	readYAML(t, "my-mirror-maker-deployment.yaml", &wantDeployment)
	requireSameJSON(t, &wantDeployment, r.Deployment)

	c := container(r.Deployment)
	assert.Equal(t, []corev1.EnvVar{
		{Name: "KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER"},
		{Name: "KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER"},
		{Name: "KAFKA_MIRRORMAKER_METRICS_ENABLED", Value: "false"},
		{Name: "KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER", Value: "cluster-a-kafka-bootstrap:9092"},
		{Name: "KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER", Value: "cluster-b-kafka-bootstrap:9092"},
		{Name: "KAFKA_MIRRORMAKER_INCLUDE", Value: ".*"},
		{Name: "KAFKA_MIRRORMAKER_GROUPID_CONSUMER", Value: "cluster-a-group-id"},
		{Name: "STRIMZI_KAFKA_GC_LOG_ENABLED", Value: "false"},
		{Name: "KAFKA_HEAP_OPTS", Value: "-Xms128M"},
		{Name: "STRIMZI_LIVENESS_PERIOD", Value: "10"},
		{Name: "STRIMZI_READINESS_PERIOD", Value: "10"},
	}, c.Env)
	assert.Equal(t, "quay.io/strimzi/kafka:0.45.2-kafka-3.9.2", c.Image)
	assert.Equal(t, map[string]string{"strimzi.io/logging-hash": "e697cf66", "strimzi.io/auth-hash": "0"}, r.Deployment.Spec.Template.Annotations)
	assert.Equal(t, "e697cf66", r.LoggingHash)
	assert.Equal(t, "0", r.AuthHash)

	var wantConfigMap corev1.ConfigMap
	readYAML(t, "my-mirror-maker-configmap.yaml", &wantConfigMap)
	requireSameJSON(t, &wantConfigMap, r.ConfigMap)

	assert.Equal(t, "my-mirror-maker-mirror-maker", r.ServiceAccount.Name)
	assert.Equal(t, "ServiceAccount", r.ServiceAccount.Kind)
	assert.Equal(t, wantDeployment.Labels, r.ServiceAccount.Labels)
	assert.Nil(t, r.ServiceAccount.Annotations)
	assert.Equal(t, "my-mirror-maker-mirror-maker", r.PodDisruptionBudget.Name)
	assert.Equal(t, wantDeployment.Spec.Selector, r.PodDisruptionBudget.Spec.Selector)

	assert.Equal(t, "strimzi.io/cluster=my-mirror-maker,strimzi.io/name=my-mirror-maker-mirror-maker,strimzi.io/kind=KafkaMirrorMaker", r.Model.LabelSelector())
	assert.Empty(t, r.Model.ReferencedSecrets())
	assert.Empty(t, r.Model.ReferencedConfigMaps())
	assert.Empty(t, r.Model.Warnings())
}

// TestUpstreamTLSExample renders the TLS variant of the example: trust by pattern on both sides.
func TestUpstreamTLSExample(t *testing.T) {
	var kmm v1beta2.KafkaMirrorMaker
	readYAML(t, "my-mirror-maker.yaml", &kmm)
	kmm.Spec.Consumer.BootstrapServers = "cluster-a-kafka-bootstrap:9093"
	kmm.Spec.Producer.BootstrapServers = "cluster-b-kafka-bootstrap:9093"
	pattern := "*.crt"
	kmm.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{{SecretName: "cluster-a-cluster-ca-cert", Pattern: &pattern}}}
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{{SecretName: "cluster-b-cluster-ca-cert", Pattern: &pattern}}}
	secrets := fakeSecrets{
		"cluster-a-cluster-ca-cert": newSecret("cluster-a-cluster-ca-cert", map[string]string{"ca.crt": "CERT", "ca.p12": "P12", "ca.password": "pw"}),
		"cluster-b-cluster-ca-cert": newSecret("cluster-b-cluster-ca-cert", map[string]string{"ca.crt": "CERT"}),
	}
	r, err := Render(&kmm, DefaultSettings(), secrets, nil)
	require.NoError(t, err)
	assert.Equal(t, "-1043755762", r.AuthHash) // 2 * hashCode("Q0VSVA==") = 3251211534, wrapped to int32
	c := container(r.Deployment)
	env := envMap(c)
	assert.Equal(t, "cluster-a-cluster-ca-cert/*.crt", env["KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER"])
	assert.Equal(t, "cluster-b-cluster-ca-cert/*.crt", env["KAFKA_MIRRORMAKER_TRUSTED_CERTS_PRODUCER"])
	assert.Equal(t, []corev1.VolumeMount{
		mount("strimzi-tmp", "/tmp"),
		mount("kafka-metrics-and-logging", "/opt/kafka/custom-config/"),
		mount("cluster-b-cluster-ca-cert", "/opt/kafka/producer-certs/cluster-b-cluster-ca-cert"),
		mount("cluster-a-cluster-ca-cert", "/opt/kafka/consumer-certs/cluster-a-cluster-ca-cert"),
	}, c.VolumeMounts)
	assert.Equal(t, []string{"cluster-a-cluster-ca-cert", "cluster-b-cluster-ca-cert"}, r.Model.ReferencedSecrets())
}
