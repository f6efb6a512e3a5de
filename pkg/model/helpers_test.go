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

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// The base resource of Strimzi's KafkaMirrorMakerClusterTest.
const (
	testNamespace        = "test"
	testName             = "mirror"
	testUID              = "6f0a4a6b-0000-4000-8000-000000000001"
	testImage            = "my-image:latest"
	testReplicas         = int32(2)
	testProducerServers  = "target-kafka:9092"
	testConsumerServers  = "source-kafka:9092"
	testGroupID          = "my-group-id"
	testNumStreams       = int32(2)
	testOffsetCommit     = int32(42000)
	testInclude          = ".*"
	testMetricsConfigMap = "metrics-cm"
	testMetricsKey       = "metrics-config.yml"
	testComponentName    = "mirror-mirror-maker"
)

type fakeSecrets map[string]*corev1.Secret

func (f fakeSecrets) Get(name string) (*corev1.Secret, error) {
	if s, ok := f[name]; ok {
		return s, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("secrets"), name)
}

type fakeConfigMaps map[string]*corev1.ConfigMap

func (f fakeConfigMaps) Get(name string) (*corev1.ConfigMap, error) {
	if cm, ok := f[name]; ok {
		return cm, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("configmaps"), name)
}

func newSecret(name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func newConfigMap(name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace}, Data: data}
}

func config(kv ...string) v1beta2.KafkaConfig {
	c := v1beta2.KafkaConfig{}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = v1beta2.StringConfigValue(kv[i+1])
	}
	return c
}

// baseKMM is the resource of KafkaMirrorMakerClusterTest: test/mirror with the labels of
// testGenerateDeployment.
func baseKMM() *v1beta2.KafkaMirrorMaker {
	return &v1beta2.KafkaMirrorMaker{
		TypeMeta: metav1.TypeMeta{APIVersion: APIVersion, Kind: Kind},
		ObjectMeta: metav1.ObjectMeta{
			Name:      testName,
			Namespace: testNamespace,
			UID:       testUID,
			Labels: map[string]string{
				"app.kubernetes.io/part-of": "tests",
				"my-user-label":             "cromulent",
			},
		},
		Spec: &v1beta2.KafkaMirrorMakerSpec{
			Replicas: testReplicas,
			Image:    ptr.To(testImage),
			Producer: &v1beta2.KafkaMirrorMakerProducerSpec{
				BootstrapServers:   testProducerServers,
				AbortOnSendFailure: ptr.To(false),
				Config:             config("foo", "bar"),
			},
			Consumer: &v1beta2.KafkaMirrorMakerConsumerSpec{
				BootstrapServers:     testConsumerServers,
				GroupID:              testGroupID,
				NumStreams:           ptr.To(testNumStreams),
				OffsetCommitInterval: ptr.To(testOffsetCommit),
				Config:               config("foo", "buz"),
			},
			Include: ptr.To(testInclude),
		},
	}
}

// baseMetricsKMM is the "mm" variant: the base resource with metrics from metrics-cm.
func baseMetricsKMM() *v1beta2.KafkaMirrorMaker {
	kmm := baseKMM()
	kmm.Spec.MetricsConfig = metricsConfig(testMetricsConfigMap, testMetricsKey)
	return kmm
}

func metricsConfig(name, key string) *v1beta2.MetricsConfig {
	return &v1beta2.MetricsConfig{
		Type: v1beta2.MetricsConfigTypeJmxPrometheusExporter,
		ValueFrom: &v1beta2.ExternalConfigurationReference{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: name},
			Key:                  key,
		}},
	}
}

func metricsConfigMaps() fakeConfigMaps {
	return fakeConfigMaps{testMetricsConfigMap: newConfigMap(testMetricsConfigMap, map[string]string{testMetricsKey: "animal: wombat"})}
}

func mustModel(t *testing.T, kmm *v1beta2.KafkaMirrorMaker, s Settings) *MirrorMaker {
	t.Helper()
	m, err := FromCRD(kmm, s)
	require.NoError(t, err)
	return m
}

func testPodAnnotations() map[string]string {
	return map[string]string{AnnotationLogging: "e697cf66", AnnotationAuthHash: "0"}
}

func mustDeployment(t *testing.T, kmm *v1beta2.KafkaMirrorMaker, s Settings) *appsv1.Deployment {
	t.Helper()
	d, err := mustModel(t, kmm, s).Deployment(testPodAnnotations())
	require.NoError(t, err)
	return d
}

func container(d *appsv1.Deployment) corev1.Container {
	return d.Spec.Template.Spec.Containers[0]
}

// envMap returns the plain-valued environment variables of the container.
func envMap(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			out[e.Name] = e.Value
		}
	}
	return out
}

func findEnv(c corev1.Container, name string) *corev1.EnvVar {
	for i := range c.Env {
		if c.Env[i].Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

// expectedLabels are the labels of every object generated for the base resource.
func expectedLabels() map[string]string {
	return map[string]string{
		"my-user-label":                "cromulent",
		"strimzi.io/kind":              "KafkaMirrorMaker",
		"strimzi.io/name":              testComponentName,
		"strimzi.io/cluster":           testName,
		"strimzi.io/component-type":    "kafka-mirror-maker",
		"app.kubernetes.io/name":       "kafka-mirror-maker",
		"app.kubernetes.io/instance":   testName,
		"app.kubernetes.io/part-of":    "strimzi-" + testName,
		"app.kubernetes.io/managed-by": "strimzi-cluster-operator",
	}
}

func expectedSelectorLabels() map[string]string {
	return map[string]string{
		"strimzi.io/cluster": testName,
		"strimzi.io/name":    testComponentName,
		"strimzi.io/kind":    "KafkaMirrorMaker",
	}
}

func expectedOwnerReference() metav1.OwnerReference {
	return metav1.OwnerReference{
		APIVersion:         "kafka.strimzi.io/v1beta2",
		Kind:               "KafkaMirrorMaker",
		Name:               testName,
		UID:                testUID,
		BlockOwnerDeletion: ptr.To(false),
		Controller:         ptr.To(false),
	}
}

func secretVolume(name, secret string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
		SecretName: secret, DefaultMode: ptr.To(int32(0o444)),
	}}}
}

func mount(name, path string) corev1.VolumeMount {
	return corev1.VolumeMount{Name: name, MountPath: path}
}

func tmpVolume(size string) corev1.Volume {
	q := resource.MustParse(size)
	return corev1.Volume{Name: "strimzi-tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
		Medium: corev1.StorageMediumMemory, SizeLimit: &q,
	}}}
}

func configVolume(cm string) corev1.Volume {
	return corev1.Volume{Name: "kafka-metrics-and-logging", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: cm},
	}}}
}

func secretKeyRefEnv(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key,
	}}}
}

func certSource(secret, cert string) v1beta2.CertSecretSource {
	return v1beta2.CertSecretSource{SecretName: secret, Certificate: ptr.To(cert)}
}

func genericSecret(secret, key string) *v1beta2.GenericSecretSource {
	return &v1beta2.GenericSecretSource{SecretName: secret, Key: key}
}

// requireReason asserts that err is an *Error with the given reason and message.
func requireReason(t *testing.T, err error, reason, message string) {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, reason, e.Reason)
	require.Equal(t, message, e.Message)
}
