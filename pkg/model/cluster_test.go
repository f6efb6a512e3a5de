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

// The scenarios of Strimzi 0.45.2's KafkaMirrorMakerClusterTest, one test function each, with the
// upstream inputs and assertions.

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// expectedEnvVars is the environment of the "mm" variant, in order.
func expectedEnvVars() []corev1.EnvVar {
	return []corev1.EnvVar{
		{Name: "KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER", Value: "foo=buz\n"},
		{Name: "KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", Value: "foo=bar\n"},
		{Name: "KAFKA_MIRRORMAKER_METRICS_ENABLED", Value: "true"},
		{Name: "KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER", Value: testConsumerServers},
		{Name: "KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER", Value: testProducerServers},
		{Name: "KAFKA_MIRRORMAKER_INCLUDE", Value: testInclude},
		{Name: "KAFKA_MIRRORMAKER_GROUPID_CONSUMER", Value: testGroupID},
		{Name: "KAFKA_MIRRORMAKER_NUMSTREAMS", Value: "2"},
		{Name: "KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL", Value: "42000"},
		{Name: "KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE", Value: "false"},
		{Name: "STRIMZI_KAFKA_GC_LOG_ENABLED", Value: "false"},
		{Name: "KAFKA_HEAP_OPTS", Value: "-Xms128M"},
		{Name: "STRIMZI_LIVENESS_PERIOD", Value: "10"},
		{Name: "STRIMZI_READINESS_PERIOD", Value: "10"},
	}
}

func TestMetricsConfigMap(t *testing.T) {
	m := mustModel(t, baseMetricsKMM(), DefaultSettings())
	cm, err := m.ConfigMap(metricsConfigMaps())
	require.NoError(t, err)
	assert.Equal(t, `{"animal":"wombat"}`, cm.Data["metrics-config.json"])
	assert.Equal(t, "mirror-mirror-maker-config", cm.Name)
	assert.Equal(t, testNamespace, cm.Namespace)
	assert.Equal(t, expectedLabels(), cm.Labels)
	assert.Equal(t, defaultLog4j, cm.Data["log4j.properties"])
}

func TestDefaultValues(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Image = nil
	kmm.Spec.Consumer.Config = nil
	kmm.Spec.Producer.Config = nil
	m := mustModel(t, kmm, DefaultSettings())
	assert.Equal(t, "quay.io/strimzi/kafka:0.45.2-kafka-3.9.2", m.Image())
	d, err := m.Deployment(testPodAnnotations())
	require.NoError(t, err)
	env := envMap(container(d))
	assert.Equal(t, "", env["KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER"])
	assert.Equal(t, "", env["KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER"])
	assert.Contains(t, env, "KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER")
	assert.Contains(t, env, "KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER")
}

func TestFromCrd(t *testing.T) {
	m := mustModel(t, baseMetricsKMM(), DefaultSettings())
	assert.Equal(t, testReplicas, m.Replicas())
	assert.Equal(t, testImage, m.Image())
	assert.Equal(t, testConsumerServers, m.ConsumerBootstrapServers())
	assert.Equal(t, testProducerServers, m.ProducerBootstrapServers())
	assert.Equal(t, testInclude, m.Include())
	assert.Equal(t, testGroupID, m.GroupID())
}

func TestIncludeHandling(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Include = ptr.To("include")
	kmm.Spec.Whitelist = ptr.To("whitelist")
	assert.Equal(t, "include", mustModel(t, kmm, DefaultSettings()).Include())

	kmm.Spec.Include = nil
	assert.Equal(t, "whitelist", mustModel(t, kmm, DefaultSettings()).Include())

	kmm.Spec.Whitelist = nil
	_, err := FromCRD(kmm, DefaultSettings())
	requireReason(t, err, ReasonInvalidResource, "One of the fields include or whitelist needs to be specified.")
}

func TestEnvVars(t *testing.T) {
	d := mustDeployment(t, baseMetricsKMM(), DefaultSettings())
	assert.Equal(t, expectedEnvVars(), container(d).Env)
}

func TestGenerateDeployment(t *testing.T) {
	d := mustDeployment(t, baseMetricsKMM(), DefaultSettings())
	assert.Equal(t, "apps/v1", d.APIVersion)
	assert.Equal(t, "Deployment", d.Kind)
	assert.Equal(t, testComponentName, d.Name)
	assert.Equal(t, testNamespace, d.Namespace)
	assert.Equal(t, expectedLabels(), d.Labels)
	assert.Equal(t, expectedSelectorLabels(), d.Spec.Selector.MatchLabels)
	assert.Equal(t, testReplicas, *d.Spec.Replicas)
	assert.Equal(t, expectedLabels(), d.Spec.Template.Labels)
	require.Len(t, d.Spec.Template.Spec.Containers, 1)
	c := container(d)
	assert.Equal(t, testComponentName, c.Name)
	assert.Equal(t, testImage, c.Image)
	assert.Equal(t, expectedEnvVars(), c.Env)
	assert.Equal(t, []corev1.ContainerPort{{Name: "tcp-prometheus", ContainerPort: 9404, Protocol: corev1.ProtocolTCP}}, c.Ports)
	assert.Equal(t, appsv1.RollingUpdateDeploymentStrategyType, d.Spec.Strategy.Type)
	assert.Equal(t, intstr.FromInt32(1), *d.Spec.Strategy.RollingUpdate.MaxSurge)
	assert.Equal(t, intstr.FromInt32(0), *d.Spec.Strategy.RollingUpdate.MaxUnavailable)
	assert.Equal(t, tmpVolume("5Mi"), d.Spec.Template.Spec.Volumes[0])
	assert.Equal(t, "5Mi", d.Spec.Template.Spec.Volumes[0].EmptyDir.SizeLimit.String())
	assert.Equal(t, expectedOwnerReference(), d.OwnerReferences[0])
	assert.Len(t, d.OwnerReferences, 1)
}

func tlsKMM() *v1beta2.KafkaMirrorMaker {
	kmm := baseKMM()
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{
		certSource("my-secret-p", "cert.crt"), certSource("my-secret-p", "new-cert.crt"), certSource("my-another-secret-p", "another-cert.crt"),
	}}
	kmm.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{
		certSource("my-secret-c", "cert.crt"), certSource("my-secret-c", "new-cert.crt"), certSource("my-another-secret-c", "another-cert.crt"),
	}}
	return kmm
}

func TestGenerateDeploymentWithTls(t *testing.T) {
	d := mustDeployment(t, tlsKMM(), DefaultSettings())
	vols := d.Spec.Template.Spec.Volumes
	require.Len(t, vols, 6)
	assert.Equal(t, secretVolume("my-secret-p", "my-secret-p"), vols[2])
	assert.Equal(t, secretVolume("my-another-secret-p", "my-another-secret-p"), vols[3])
	assert.Equal(t, secretVolume("my-secret-c", "my-secret-c"), vols[4])
	assert.Equal(t, secretVolume("my-another-secret-c", "my-another-secret-c"), vols[5])

	c := container(d)
	assert.Equal(t, mount("my-secret-p", "/opt/kafka/producer-certs/my-secret-p"), c.VolumeMounts[2])
	assert.Equal(t, mount("my-another-secret-p", "/opt/kafka/producer-certs/my-another-secret-p"), c.VolumeMounts[3])
	assert.Equal(t, mount("my-secret-c", "/opt/kafka/consumer-certs/my-secret-c"), c.VolumeMounts[4])
	assert.Equal(t, mount("my-another-secret-c", "/opt/kafka/consumer-certs/my-another-secret-c"), c.VolumeMounts[5])

	env := envMap(c)
	assert.Equal(t, "true", env["KAFKA_MIRRORMAKER_TLS_PRODUCER"])
	assert.Equal(t, "true", env["KAFKA_MIRRORMAKER_TLS_CONSUMER"])
	assert.Equal(t, "my-secret-p/cert.crt;my-secret-p/new-cert.crt;my-another-secret-p/another-cert.crt", env["KAFKA_MIRRORMAKER_TRUSTED_CERTS_PRODUCER"])
	assert.Equal(t, "my-secret-c/cert.crt;my-secret-c/new-cert.crt;my-another-secret-c/another-cert.crt", env["KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER"])
}

func tlsAuth(secret string) *v1beta2.KafkaClientAuthentication {
	return &v1beta2.KafkaClientAuthentication{
		Type:              v1beta2.AuthenticationTypeTLS,
		CertificateAndKey: &v1beta2.CertAndKeySecretSource{SecretName: secret, Certificate: "user.crt", Key: "user.key"},
	}
}

func TestGenerateDeploymentWithTlsAuth(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("my-secret-p", "cert.crt")}}
	kmm.Spec.Producer.Authentication = tlsAuth("user-secret-p")
	kmm.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("my-secret-c", "cert.crt")}}
	kmm.Spec.Consumer.Authentication = tlsAuth("user-secret-c")
	d := mustDeployment(t, kmm, DefaultSettings())

	vols := d.Spec.Template.Spec.Volumes
	require.Len(t, vols, 6)
	assert.Equal(t, secretVolume("user-secret-p", "user-secret-p"), vols[3])
	assert.Equal(t, secretVolume("user-secret-c", "user-secret-c"), vols[5])
	c := container(d)
	assert.Equal(t, mount("user-secret-p", "/opt/kafka/producer-certs/user-secret-p"), c.VolumeMounts[3])
	assert.Equal(t, mount("user-secret-c", "/opt/kafka/consumer-certs/user-secret-c"), c.VolumeMounts[5])

	env := envMap(c)
	assert.Equal(t, "user-secret-p/user.crt", env["KAFKA_MIRRORMAKER_TLS_AUTH_CERT_PRODUCER"])
	assert.Equal(t, "user-secret-p/user.key", env["KAFKA_MIRRORMAKER_TLS_AUTH_KEY_PRODUCER"])
	assert.Equal(t, "user-secret-c/user.crt", env["KAFKA_MIRRORMAKER_TLS_AUTH_CERT_CONSUMER"])
	assert.Equal(t, "user-secret-c/user.key", env["KAFKA_MIRRORMAKER_TLS_AUTH_KEY_CONSUMER"])
}

func TestGenerateDeploymentWithTlsSameSecret(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("my-secret-p", "cert.crt")}}
	kmm.Spec.Producer.Authentication = tlsAuth("my-secret-p")
	kmm.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("my-secret-c", "cert.crt")}}
	kmm.Spec.Consumer.Authentication = tlsAuth("my-secret-c")
	d := mustDeployment(t, kmm, DefaultSettings())

	vols := d.Spec.Template.Spec.Volumes
	require.Len(t, vols, 4)
	assert.Equal(t, "strimzi-tmp", vols[0].Name)
	assert.Equal(t, configVolume("mirror-mirror-maker-config"), vols[1])
	assert.Equal(t, secretVolume("my-secret-p", "my-secret-p"), vols[2])
	assert.Equal(t, secretVolume("my-secret-c", "my-secret-c"), vols[3])
	assert.Len(t, container(d).VolumeMounts, 4)
}

func passwordAuth(kind, user, secret string) *v1beta2.KafkaClientAuthentication {
	return &v1beta2.KafkaClientAuthentication{
		Type:           kind,
		Username:       ptr.To(user),
		PasswordSecret: &v1beta2.PasswordSecretSource{SecretName: secret, Password: "password"},
	}
}

func checkPasswordAuthDeployment(t *testing.T, kind string) {
	t.Helper()
	kmm := baseKMM()
	kmm.Spec.Producer.Authentication = passwordAuth(kind, "producer", "producer-secret")
	kmm.Spec.Consumer.Authentication = passwordAuth(kind, "consumer", "consumer-secret")
	d := mustDeployment(t, kmm, DefaultSettings())

	vols := d.Spec.Template.Spec.Volumes
	require.Len(t, vols, 4)
	assert.Equal(t, secretVolume("producer-secret", "producer-secret"), vols[2])
	assert.Equal(t, secretVolume("consumer-secret", "consumer-secret"), vols[3])
	c := container(d)
	assert.Equal(t, mount("producer-secret", "/opt/kafka/producer-password/producer-secret"), c.VolumeMounts[2])
	assert.Equal(t, mount("consumer-secret", "/opt/kafka/consumer-password/consumer-secret"), c.VolumeMounts[3])

	env := envMap(c)
	assert.Equal(t, kind, env["KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER"])
	assert.Equal(t, kind, env["KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER"])
	assert.Equal(t, "producer-secret/password", env["KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_PRODUCER"])
	assert.Equal(t, "consumer-secret/password", env["KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_CONSUMER"])
	assert.Equal(t, "producer", env["KAFKA_MIRRORMAKER_SASL_USERNAME_PRODUCER"])
	assert.Equal(t, "consumer", env["KAFKA_MIRRORMAKER_SASL_USERNAME_CONSUMER"])
}

func TestGenerateDeploymentWithScramSha512Auth(t *testing.T) {
	checkPasswordAuthDeployment(t, v1beta2.AuthenticationTypeScramSha512)
}

func TestGenerateDeploymentWithScramSha256Auth(t *testing.T) {
	checkPasswordAuthDeployment(t, v1beta2.AuthenticationTypeScramSha256)
}

func TestGenerateDeploymentWithPlain(t *testing.T) {
	checkPasswordAuthDeployment(t, v1beta2.AuthenticationTypePlain)
}

func TestTemplate(t *testing.T) {
	depLabels := map[string]string{"l1": "v1", "l2": "v2", "app.kubernetes.io/part-of": "custom-part"}
	depAnnotations := map[string]string{"a1": "v1", "a2": "v2"}
	podLabels := map[string]string{"l3": "v3", "l4": "v4"}
	podAnnotations := map[string]string{"a3": "v3", "a4": "v4"}
	pdbLabels := map[string]string{"l5": "v5", "l6": "v6"}
	pdbAnnotations := map[string]string{"a5": "v5", "a6": "v6"}
	saLabels := map[string]string{"l7": "v7", "l8": "v8"}
	saAnnotations := map[string]string{"a7": "v7", "a8": "v8"}
	hostAliases := []corev1.HostAlias{
		{IP: "127.0.0.1", Hostnames: []string{"foo-1", "foo-2"}},
		{IP: "127.0.0.2", Hostnames: []string{"bar-1", "bar-2"}},
	}

	kmm := baseKMM()
	kmm.Spec.Template = &v1beta2.KafkaMirrorMakerTemplate{
		Deployment: &v1beta2.DeploymentTemplate{
			Metadata:           &v1beta2.MetadataTemplate{Labels: depLabels, Annotations: depAnnotations},
			DeploymentStrategy: ptr.To(v1beta2.DeploymentStrategyRecreate),
		},
		Pod: &v1beta2.PodTemplate{
			Metadata:           &v1beta2.MetadataTemplate{Labels: podLabels, Annotations: podAnnotations},
			PriorityClassName:  ptr.To("top-priority"),
			SchedulerName:      ptr.To("my-scheduler"),
			HostAliases:        hostAliases,
			EnableServiceLinks: ptr.To(false),
			TmpDirSizeLimit:    ptr.To("10Mi"),
		},
		PodDisruptionBudget: &v1beta2.PodDisruptionBudgetTemplate{
			Metadata: &v1beta2.MetadataTemplate{Labels: pdbLabels, Annotations: pdbAnnotations},
		},
		ServiceAccount: &v1beta2.ResourceTemplate{
			Metadata: &v1beta2.MetadataTemplate{Labels: saLabels, Annotations: saAnnotations},
		},
	}
	m := mustModel(t, kmm, DefaultSettings())
	d, err := m.Deployment(testPodAnnotations())
	require.NoError(t, err)

	for k, v := range depLabels {
		assert.Equal(t, v, d.Labels[k], k)
	}
	assert.Equal(t, depAnnotations, d.Annotations)
	assert.Equal(t, "top-priority", d.Spec.Template.Spec.PriorityClassName)
	assert.Equal(t, appsv1.RecreateDeploymentStrategyType, d.Spec.Strategy.Type)
	assert.Nil(t, d.Spec.Strategy.RollingUpdate)
	for k, v := range podLabels {
		assert.Equal(t, v, d.Spec.Template.Labels[k], k)
	}
	for k, v := range podAnnotations {
		assert.Equal(t, v, d.Spec.Template.Annotations[k], k)
	}
	assert.Equal(t, "my-scheduler", d.Spec.Template.Spec.SchedulerName)
	assert.Equal(t, hostAliases, d.Spec.Template.Spec.HostAliases)
	assert.Equal(t, ptr.To(false), d.Spec.Template.Spec.EnableServiceLinks)
	assert.Equal(t, resource.MustParse("10Mi"), *d.Spec.Template.Spec.Volumes[0].EmptyDir.SizeLimit)

	pdb, err := m.PodDisruptionBudget()
	require.NoError(t, err)
	for k, v := range pdbLabels {
		assert.Equal(t, v, pdb.Labels[k], k)
	}
	assert.Equal(t, pdbAnnotations, pdb.Annotations)

	sa, err := m.ServiceAccount()
	require.NoError(t, err)
	for k, v := range saLabels {
		assert.Equal(t, v, sa.Labels[k], k)
	}
	assert.Equal(t, saAnnotations, sa.Annotations)
}

func TestGracePeriod(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Template = &v1beta2.KafkaMirrorMakerTemplate{Pod: &v1beta2.PodTemplate{TerminationGracePeriodSeconds: ptr.To(int64(123))}}
	d := mustDeployment(t, kmm, DefaultSettings())
	assert.Equal(t, ptr.To(int64(123)), d.Spec.Template.Spec.TerminationGracePeriodSeconds)
}

func TestDefaultGracePeriod(t *testing.T) {
	d := mustDeployment(t, baseKMM(), DefaultSettings())
	assert.Equal(t, ptr.To(int64(30)), d.Spec.Template.Spec.TerminationGracePeriodSeconds)
}

func TestImagePullSecrets(t *testing.T) {
	secrets := []corev1.LocalObjectReference{{Name: "some-pull-secret"}, {Name: "some-other-pull-secret"}}
	kmm := baseKMM()
	kmm.Spec.Template = &v1beta2.KafkaMirrorMakerTemplate{Pod: &v1beta2.PodTemplate{ImagePullSecrets: secrets}}
	d := mustDeployment(t, kmm, DefaultSettings())
	assert.Equal(t, secrets, d.Spec.Template.Spec.ImagePullSecrets)
}

func TestImagePullSecretsFromCo(t *testing.T) {
	s := DefaultSettings()
	s.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "some-pull-secret"}, {Name: "some-other-pull-secret"}}
	d := mustDeployment(t, baseKMM(), s)
	assert.Equal(t, s.ImagePullSecrets, d.Spec.Template.Spec.ImagePullSecrets)
}

func TestImagePullSecretsFromBoth(t *testing.T) {
	s := DefaultSettings()
	s.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "co-pull-secret"}}
	kmm := baseKMM()
	kmm.Spec.Template = &v1beta2.KafkaMirrorMakerTemplate{Pod: &v1beta2.PodTemplate{
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "template-pull-secret"}},
	}}
	d := mustDeployment(t, kmm, s)
	assert.Equal(t, []corev1.LocalObjectReference{{Name: "template-pull-secret"}}, d.Spec.Template.Spec.ImagePullSecrets)
}

func TestDefaultImagePullSecrets(t *testing.T) {
	d := mustDeployment(t, baseKMM(), DefaultSettings())
	assert.Nil(t, d.Spec.Template.Spec.ImagePullSecrets)
}

func TestSecurityContext(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Template = &v1beta2.KafkaMirrorMakerTemplate{Pod: &v1beta2.PodTemplate{SecurityContext: &corev1.PodSecurityContext{
		FSGroup: ptr.To(int64(123)), RunAsGroup: ptr.To(int64(456)), RunAsUser: ptr.To(int64(789)),
	}}}
	d := mustDeployment(t, kmm, DefaultSettings())
	sc := d.Spec.Template.Spec.SecurityContext
	require.NotNil(t, sc)
	assert.Equal(t, ptr.To(int64(123)), sc.FSGroup)
	assert.Equal(t, ptr.To(int64(456)), sc.RunAsGroup)
	assert.Equal(t, ptr.To(int64(789)), sc.RunAsUser)
}

func TestDefaultSecurityContext(t *testing.T) {
	d := mustDeployment(t, baseKMM(), DefaultSettings())
	assert.Nil(t, d.Spec.Template.Spec.SecurityContext)
	assert.Nil(t, container(d).SecurityContext)
}

func TestRestrictedSecurityContext(t *testing.T) {
	s := DefaultSettings()
	s.SecurityProfile = SecurityProfileRestricted
	d := mustDeployment(t, baseKMM(), s)
	assert.Nil(t, d.Spec.Template.Spec.SecurityContext)
	sc := container(d).SecurityContext
	require.NotNil(t, sc)
	assert.Equal(t, ptr.To(false), sc.AllowPrivilegeEscalation)
	assert.Equal(t, ptr.To(true), sc.RunAsNonRoot)
	assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, sc.SeccompProfile.Type)
	assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
}

func TestPodDisruptionBudget(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Template = &v1beta2.KafkaMirrorMakerTemplate{PodDisruptionBudget: &v1beta2.PodDisruptionBudgetTemplate{MaxUnavailable: ptr.To(int32(2))}}
	pdb, err := mustModel(t, kmm, DefaultSettings()).PodDisruptionBudget()
	require.NoError(t, err)
	assert.Equal(t, intstr.FromInt32(2), *pdb.Spec.MaxUnavailable)
}

func TestDefaultPodDisruptionBudget(t *testing.T) {
	pdb, err := mustModel(t, baseKMM(), DefaultSettings()).PodDisruptionBudget()
	require.NoError(t, err)
	assert.Equal(t, "policy/v1", pdb.APIVersion)
	assert.Equal(t, testComponentName, pdb.Name)
	assert.Equal(t, intstr.FromInt32(1), *pdb.Spec.MaxUnavailable)
	assert.Equal(t, expectedSelectorLabels(), pdb.Spec.Selector.MatchLabels)
	assert.Equal(t, expectedLabels(), pdb.Labels)
	assert.Equal(t, []metav1.OwnerReference{expectedOwnerReference()}, pdb.OwnerReferences)
}

func TestImagePullPolicy(t *testing.T) {
	for _, policy := range []corev1.PullPolicy{corev1.PullAlways, corev1.PullIfNotPresent} {
		s := DefaultSettings()
		s.ImagePullPolicy = policy
		assert.Equal(t, policy, container(mustDeployment(t, baseKMM(), s)).ImagePullPolicy)
	}
}

func TestResources(t *testing.T) {
	res := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("512Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("1024Mi")},
	}
	kmm := baseKMM()
	kmm.Spec.Resources = res.DeepCopy()
	c := container(mustDeployment(t, kmm, DefaultSettings()))
	assert.Equal(t, res, c.Resources)
	env := envMap(c)
	assert.Equal(t, "75", env["STRIMZI_DYNAMIC_HEAP_PERCENTAGE"])
	assert.NotContains(t, env, "KAFKA_HEAP_OPTS")
}

func TestJvmOptions(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.JvmOptions = &v1beta2.JvmOptions{
		XX:  map[string]string{"UseG1GC": "true", "MaxGCPauseMillis": "20"},
		Xms: ptr.To("512m"),
		Xmx: ptr.To("1024m"),
	}
	env := envMap(container(mustDeployment(t, kmm, DefaultSettings())))
	assert.Contains(t, env["KAFKA_JVM_PERFORMANCE_OPTS"], "-XX:+UseG1GC")
	assert.Contains(t, env["KAFKA_JVM_PERFORMANCE_OPTS"], "-XX:MaxGCPauseMillis=20")
	assert.Contains(t, env["KAFKA_HEAP_OPTS"], "-Xmx1024m")
	assert.Contains(t, env["KAFKA_HEAP_OPTS"], "-Xms512m")
	assert.Equal(t, "-XX:MaxGCPauseMillis=20 -XX:+UseG1GC", env["KAFKA_JVM_PERFORMANCE_OPTS"])
	assert.Equal(t, "-Xms512m -Xmx1024m", env["KAFKA_HEAP_OPTS"])
}

func TestDefaultProbes(t *testing.T) {
	c := container(mustDeployment(t, baseKMM(), DefaultSettings()))
	assert.Equal(t, &corev1.Probe{
		ProbeHandler:        corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"/opt/kafka/kafka_mirror_maker_liveness.sh"}}},
		InitialDelaySeconds: 60,
		TimeoutSeconds:      5,
	}, c.LivenessProbe)
	assert.Equal(t, &corev1.Probe{
		ProbeHandler:        corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"test", "-f", "/tmp/mirror-maker-ready"}}},
		InitialDelaySeconds: 60,
		TimeoutSeconds:      5,
	}, c.ReadinessProbe)
	env := envMap(c)
	assert.Equal(t, "10", env["STRIMZI_READINESS_PERIOD"])
	assert.Equal(t, "10", env["STRIMZI_LIVENESS_PERIOD"])
}

func TestConfiguredProbes(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.LivenessProbe = &v1beta2.Probe{InitialDelaySeconds: ptr.To(int32(120)), TimeoutSeconds: ptr.To(int32(10)), PeriodSeconds: ptr.To(int32(60))}
	kmm.Spec.ReadinessProbe = &v1beta2.Probe{InitialDelaySeconds: ptr.To(int32(121)), TimeoutSeconds: ptr.To(int32(11)), PeriodSeconds: ptr.To(int32(61))}
	c := container(mustDeployment(t, kmm, DefaultSettings()))
	assert.Equal(t, int32(120), c.LivenessProbe.InitialDelaySeconds)
	assert.Equal(t, int32(10), c.LivenessProbe.TimeoutSeconds)
	assert.Equal(t, int32(60), c.LivenessProbe.PeriodSeconds)
	assert.Equal(t, int32(121), c.ReadinessProbe.InitialDelaySeconds)
	assert.Equal(t, int32(11), c.ReadinessProbe.TimeoutSeconds)
	assert.Equal(t, int32(61), c.ReadinessProbe.PeriodSeconds)
	env := envMap(c)
	assert.Equal(t, "61", env["STRIMZI_READINESS_PERIOD"])
	assert.Equal(t, "60", env["STRIMZI_LIVENESS_PERIOD"])
}

func templateEnv(kv ...string) *v1beta2.KafkaMirrorMakerTemplate {
	var env []v1beta2.ContainerEnvVar
	for i := 0; i+1 < len(kv); i += 2 {
		env = append(env, v1beta2.ContainerEnvVar{Name: ptr.To(kv[i]), Value: ptr.To(kv[i+1])})
	}
	return &v1beta2.KafkaMirrorMakerTemplate{MirrorMakerContainer: &v1beta2.ContainerTemplate{Env: env}}
}

func TestKafkaMMContainerEnvVars(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Template = templateEnv("TEST_ENV_1", "test.env.one", "TEST_ENV_2", "test.env.two")
	c := container(mustDeployment(t, kmm, DefaultSettings()))
	env := envMap(c)
	assert.Equal(t, "test.env.one", env["TEST_ENV_1"])
	assert.Equal(t, "test.env.two", env["TEST_ENV_2"])
	n := len(c.Env)
	assert.Equal(t, "TEST_ENV_1", c.Env[n-2].Name)
	assert.Equal(t, "TEST_ENV_2", c.Env[n-1].Name)
}

func TestKafkaMMContainerEnvVarsConflict(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Template = templateEnv("KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER", "test.env.one", "KAFKA_MIRRORMAKER_INCLUDE", "test.env.two")
	c := container(mustDeployment(t, kmm, DefaultSettings()))
	env := envMap(c)
	assert.Equal(t, testConsumerServers, env["KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER"])
	assert.Equal(t, testInclude, env["KAFKA_MIRRORMAKER_INCLUDE"])
	assert.Len(t, c.Env, len(expectedEnvVars()))
}

func TestOpenTelemetryTracing(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Tracing = &v1beta2.Tracing{Type: v1beta2.TracingTypeOpenTelemetry}
	env := envMap(container(mustDeployment(t, kmm, DefaultSettings())))
	assert.Equal(t, "opentelemetry", env["STRIMZI_TRACING"])
	assert.Contains(t, env["KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER"], "interceptor.classes=io.opentelemetry.instrumentation.kafkaclients.v2_6.TracingConsumerInterceptor")
	assert.Contains(t, env["KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER"], "interceptor.classes=io.opentelemetry.instrumentation.kafkaclients.v2_6.TracingProducerInterceptor")
	assert.Equal(t, "foo=buz\ninterceptor.classes=io.opentelemetry.instrumentation.kafkaclients.v2_6.TracingConsumerInterceptor\n", env["KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER"])
}

const (
	testOAuthClientID = "my-client-id"
	testOAuthURI      = "http://my-oauth-server"
	testOAuthConfig   = `oauth.client.id="my-client-id" oauth.token.endpoint.uri="http://my-oauth-server"`
)

func oauth(opts func(a *v1beta2.KafkaClientAuthentication)) *v1beta2.KafkaClientAuthentication {
	a := &v1beta2.KafkaClientAuthentication{Type: v1beta2.AuthenticationTypeOAuth}
	opts(a)
	return a
}

func withClient(a *v1beta2.KafkaClientAuthentication) {
	a.ClientID = ptr.To(testOAuthClientID)
	a.TokenEndpointURI = ptr.To(testOAuthURI)
}

func accessTokenOAuth(a *v1beta2.KafkaClientAuthentication) {
	a.AccessToken = genericSecret("my-token-secret", "my-token-key")
}

func refreshTokenOAuth(a *v1beta2.KafkaClientAuthentication) {
	withClient(a)
	a.RefreshToken = genericSecret("my-token-secret", "my-token-key")
}

func clientSecretOAuth(a *v1beta2.KafkaClientAuthentication) {
	withClient(a)
	a.ClientSecret = genericSecret("my-secret-secret", "my-secret-key")
}

func clientAssertionOAuth(a *v1beta2.KafkaClientAuthentication) {
	withClient(a)
	a.ClientAssertion = genericSecret("my-secret-secret", "my-secret-key")
}

func passwordGrantOAuth(a *v1beta2.KafkaClientAuthentication) {
	withClient(a)
	a.Username = ptr.To("user1")
	a.PasswordSecret = &v1beta2.PasswordSecretSource{SecretName: "my-password-secret", Password: "user1.password"}
	a.ClientSecret = genericSecret("my-secret-secret", "my-secret-key")
}

func oauthDeployment(t *testing.T, consumer, producer *v1beta2.KafkaClientAuthentication) corev1.Container {
	t.Helper()
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = consumer
	kmm.Spec.Producer.Authentication = producer
	return container(mustDeployment(t, kmm, DefaultSettings()))
}

func TestGenerateDeploymentWithConsumerOAuthWithAccessToken(t *testing.T) {
	c := oauthDeployment(t, oauth(accessTokenOAuth), nil)
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER"])
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_ACCESS_TOKEN_CONSUMER", "my-token-secret", "my-token-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_ACCESS_TOKEN_CONSUMER"))
	assert.Equal(t, "", env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER"])
	assert.NotNil(t, findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER"))
}

func TestGenerateDeploymentWithConsumerOAuthWithRefreshToken(t *testing.T) {
	c := oauthDeployment(t, oauth(refreshTokenOAuth), nil)
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER"])
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_REFRESH_TOKEN_CONSUMER", "my-token-secret", "my-token-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_REFRESH_TOKEN_CONSUMER"))
	assert.Equal(t, testOAuthConfig, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER"])
}

func TestGenerateDeploymentWithConsumerOAuthWithClientSecret(t *testing.T) {
	c := oauthDeployment(t, oauth(clientSecretOAuth), nil)
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER"])
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_CONSUMER", "my-secret-secret", "my-secret-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_CONSUMER"))
	assert.Equal(t, testOAuthConfig, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER"])
}

func TestGenerateDeploymentWithConsumerOAuthWithClientAssertion(t *testing.T) {
	c := oauthDeployment(t, oauth(clientAssertionOAuth), nil)
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER"])
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_CLIENT_ASSERTION_CONSUMER", "my-secret-secret", "my-secret-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_CLIENT_ASSERTION_CONSUMER"))
	assert.Equal(t, testOAuthConfig, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER"])
}

func TestGenerateDeploymentWithConsumerOAuthWithUsernameAndPassword(t *testing.T) {
	c := oauthDeployment(t, oauth(passwordGrantOAuth), nil)
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER"])
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_PASSWORD_GRANT_PASSWORD_CONSUMER", "my-password-secret", "user1.password"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_PASSWORD_GRANT_PASSWORD_CONSUMER"))
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_CONSUMER", "my-secret-secret", "my-secret-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_CONSUMER"))
	assert.Equal(t, `oauth.client.id="my-client-id" oauth.password.grant.username="user1" oauth.token.endpoint.uri="http://my-oauth-server"`, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER"])
}

func missingClientSecretOAuth(a *v1beta2.KafkaClientAuthentication) { withClient(a) }

func missingURIOAuth(a *v1beta2.KafkaClientAuthentication) {
	a.ClientID = ptr.To(testOAuthClientID)
	a.ClientSecret = genericSecret("my-secret-secret", "my-secret-key")
}

func TestGenerateDeploymentWithConsumerOAuthWithMissingClientSecret(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = oauth(missingClientSecretOAuth)
	_, err := FromCRD(kmm, DefaultSettings())
	requireReason(t, err, ReasonInvalidResource, oauthCombinationsMessage)
}

func TestGenerateDeploymentWithConsumerOAuthWithMissingUri(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = oauth(missingURIOAuth)
	_, err := FromCRD(kmm, DefaultSettings())
	requireReason(t, err, ReasonInvalidResource, oauthCombinationsMessage)
}

func oauthWithTLS(first, second string) func(a *v1beta2.KafkaClientAuthentication) {
	return func(a *v1beta2.KafkaClientAuthentication) {
		clientSecretOAuth(a)
		a.DisableTLSHostnameVerification = ptr.To(true)
		a.TLSTrustedCertificates = []v1beta2.CertSecretSource{
			certSource(first, "ca.crt"), certSource(second, "tls.crt"), certSource(first, "ca2.crt"),
		}
	}
}

func TestGenerateDeploymentWithConsumerOAuthWithTls(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = oauth(oauthWithTLS("first-certificate", "second-certificate"))
	d := mustDeployment(t, kmm, DefaultSettings())
	c := container(d)
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER"])
	assert.Equal(t, testOAuthConfig+` oauth.ssl.endpoint.identification.algorithm=""`, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER"])
	assert.Equal(t, "first-certificate/ca.crt;second-certificate/tls.crt;first-certificate/ca2.crt", env["KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS_CONSUMER"])
	assert.NotContains(t, env, "KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS_PRODUCER")

	assert.Equal(t, []corev1.VolumeMount{
		mount("strimzi-tmp", "/tmp"),
		mount("kafka-metrics-and-logging", "/opt/kafka/custom-config/"),
		mount("consumer-oauth-certs-first-certificate", "/opt/kafka/consumer-oauth-certs/first-certificate"),
		mount("consumer-oauth-certs-second-certificate", "/opt/kafka/consumer-oauth-certs/second-certificate"),
	}, c.VolumeMounts)
	vols := d.Spec.Template.Spec.Volumes
	require.Len(t, vols, 4)
	assert.Equal(t, secretVolume("consumer-oauth-certs-first-certificate", "first-certificate"), vols[2])
	assert.Equal(t, secretVolume("consumer-oauth-certs-second-certificate", "second-certificate"), vols[3])
	assert.Nil(t, vols[2].Secret.Items)
}

func TestGenerateDeploymentWithProducerOAuthWithAccessToken(t *testing.T) {
	c := oauthDeployment(t, nil, oauth(accessTokenOAuth))
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER"])
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_ACCESS_TOKEN_PRODUCER", "my-token-secret", "my-token-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_ACCESS_TOKEN_PRODUCER"))
	assert.Equal(t, "", env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER"])
}

func TestGenerateDeploymentWithProducerOAuthWithAccessTokenLocation(t *testing.T) {
	c := oauthDeployment(t, nil, oauth(func(a *v1beta2.KafkaClientAuthentication) {
		a.AccessTokenLocation = ptr.To("/var/run/secrets/kubernetes.io/serviceaccount/token")
	}))
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER"])
	assert.Equal(t, `oauth.access.token.location="/var/run/secrets/kubernetes.io/serviceaccount/token"`, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER"])
}

func TestGenerateDeploymentWithProducerOAuthWithRefreshToken(t *testing.T) {
	c := oauthDeployment(t, nil, oauth(refreshTokenOAuth))
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER"])
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_REFRESH_TOKEN_PRODUCER", "my-token-secret", "my-token-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_REFRESH_TOKEN_PRODUCER"))
	assert.Equal(t, testOAuthConfig, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER"])
}

func TestGenerateDeploymentWithProducerOAuthWithClientSecret(t *testing.T) {
	c := oauthDeployment(t, nil, oauth(clientSecretOAuth))
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER"])
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_PRODUCER", "my-secret-secret", "my-secret-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_PRODUCER"))
	assert.Equal(t, testOAuthConfig, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER"])
}

func TestGenerateDeploymentWithProducerOAuthWithClientSecretAndSaslExtensions(t *testing.T) {
	c := oauthDeployment(t, nil, oauth(func(a *v1beta2.KafkaClientAuthentication) {
		clientSecretOAuth(a)
		a.SaslExtensions = map[string]string{"key2": "value2", "key1": "value1"}
	}))
	env := envMap(c)
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_PRODUCER", "my-secret-secret", "my-secret-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_PRODUCER"))
	assert.Equal(t, testOAuthConfig+` oauth.sasl.extension.key1="value1" oauth.sasl.extension.key2="value2"`, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER"])
}

func TestGenerateDeploymentWithProducerOAuthWithClientAssertion(t *testing.T) {
	c := oauthDeployment(t, nil, oauth(clientAssertionOAuth))
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER"])
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_CLIENT_ASSERTION_PRODUCER", "my-secret-secret", "my-secret-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_CLIENT_ASSERTION_PRODUCER"))
	assert.Equal(t, testOAuthConfig, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER"])
}

func TestGenerateDeploymentWithProducerOAuthWithUsernameAndPassword(t *testing.T) {
	c := oauthDeployment(t, nil, oauth(passwordGrantOAuth))
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER"])
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_PASSWORD_GRANT_PASSWORD_PRODUCER", "my-password-secret", "user1.password"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_PASSWORD_GRANT_PASSWORD_PRODUCER"))
	assert.Equal(t, secretKeyRefEnv("KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_PRODUCER", "my-secret-secret", "my-secret-key"), *findEnv(c, "KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_PRODUCER"))
	assert.Equal(t, `oauth.client.id="my-client-id" oauth.password.grant.username="user1" oauth.token.endpoint.uri="http://my-oauth-server"`, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER"])
}

func TestGenerateDeploymentWithProducerOAuthWithMissingClientSecret(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Producer.Authentication = oauth(missingClientSecretOAuth)
	_, err := FromCRD(kmm, DefaultSettings())
	requireReason(t, err, ReasonInvalidResource, oauthCombinationsMessage)
}

func TestGenerateDeploymentWithProducerOAuthWithMissingUri(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Producer.Authentication = oauth(missingURIOAuth)
	_, err := FromCRD(kmm, DefaultSettings())
	requireReason(t, err, ReasonInvalidResource, oauthCombinationsMessage)
}

func TestGenerateDeploymentWithProducerOAuthWithTls(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Producer.Authentication = oauth(oauthWithTLS("third-certificate", "fourth-certificate"))
	d := mustDeployment(t, kmm, DefaultSettings())
	c := container(d)
	env := envMap(c)
	assert.Equal(t, "oauth", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER"])
	assert.Equal(t, testOAuthConfig+` oauth.ssl.endpoint.identification.algorithm=""`, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER"])
	assert.Equal(t, "third-certificate/ca.crt;fourth-certificate/tls.crt;third-certificate/ca2.crt", env["KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS_PRODUCER"])
	assert.NotContains(t, env, "KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS_CONSUMER")
	assert.Equal(t, []corev1.VolumeMount{
		mount("strimzi-tmp", "/tmp"),
		mount("kafka-metrics-and-logging", "/opt/kafka/custom-config/"),
		mount("producer-oauth-certs-third-certificate", "/opt/kafka/producer-oauth-certs/third-certificate"),
		mount("producer-oauth-certs-fourth-certificate", "/opt/kafka/producer-oauth-certs/fourth-certificate"),
	}, c.VolumeMounts)
	vols := d.Spec.Template.Spec.Volumes
	require.Len(t, vols, 4)
	assert.Equal(t, secretVolume("producer-oauth-certs-third-certificate", "third-certificate"), vols[2])
	assert.Equal(t, secretVolume("producer-oauth-certs-fourth-certificate", "fourth-certificate"), vols[3])
}

func TestGenerateDeploymentWithBothSidedOAuthWithTls(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = oauth(oauthWithTLS("first-certificate", "second-certificate"))
	kmm.Spec.Producer.Authentication = oauth(func(a *v1beta2.KafkaClientAuthentication) {
		clientSecretOAuth(a)
		a.DisableTLSHostnameVerification = ptr.To(true)
		a.TLSTrustedCertificates = []v1beta2.CertSecretSource{
			certSource("third-certificate", "ca.crt"), certSource("fourth-certificate", "tls.crt"), certSource("fourth-certificate", "ca2.crt"),
		}
	})
	d := mustDeployment(t, kmm, DefaultSettings())
	c := container(d)
	env := envMap(c)
	assert.Equal(t, "first-certificate/ca.crt;second-certificate/tls.crt;first-certificate/ca2.crt", env["KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS_CONSUMER"])
	assert.Equal(t, "third-certificate/ca.crt;fourth-certificate/tls.crt;fourth-certificate/ca2.crt", env["KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS_PRODUCER"])
	assert.Equal(t, []corev1.VolumeMount{
		mount("strimzi-tmp", "/tmp"),
		mount("kafka-metrics-and-logging", "/opt/kafka/custom-config/"),
		mount("producer-oauth-certs-third-certificate", "/opt/kafka/producer-oauth-certs/third-certificate"),
		mount("producer-oauth-certs-fourth-certificate", "/opt/kafka/producer-oauth-certs/fourth-certificate"),
		mount("consumer-oauth-certs-first-certificate", "/opt/kafka/consumer-oauth-certs/first-certificate"),
		mount("consumer-oauth-certs-second-certificate", "/opt/kafka/consumer-oauth-certs/second-certificate"),
	}, c.VolumeMounts)
	vols := d.Spec.Template.Spec.Volumes
	require.Len(t, vols, 6)
	assert.Equal(t, secretVolume("producer-oauth-certs-third-certificate", "third-certificate"), vols[2])
	assert.Equal(t, secretVolume("producer-oauth-certs-fourth-certificate", "fourth-certificate"), vols[3])
	assert.Equal(t, secretVolume("consumer-oauth-certs-first-certificate", "first-certificate"), vols[4])
	assert.Equal(t, secretVolume("consumer-oauth-certs-second-certificate", "second-certificate"), vols[5])
}

func TestGenerateDeploymentWithOAuthUsingOpaqueTokens(t *testing.T) {
	opaque := func(a *v1beta2.KafkaClientAuthentication) {
		clientSecretOAuth(a)
		a.AccessTokenIsJwt = ptr.To(false)
		a.MaxTokenExpirySeconds = ptr.To(int32(600))
	}
	c := oauthDeployment(t, oauth(opaque), oauth(opaque))
	env := envMap(c)
	want := `oauth.client.id="my-client-id" oauth.token.endpoint.uri="http://my-oauth-server" oauth.access.token.is.jwt="false" oauth.max.token.expiry.seconds="600"`
	assert.Equal(t, want, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER"])
	assert.Equal(t, want, env["KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER"])
}

func TestMetricsParsingFromConfigMap(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.MetricsConfig = metricsConfig("my-metrics-configuration", "config.yaml")
	m := mustModel(t, kmm, DefaultSettings())
	assert.True(t, m.MetricsEnabled())
	name, key := m.MetricsConfigMap()
	assert.Equal(t, "my-metrics-configuration", name)
	assert.Equal(t, "config.yaml", key)
}

func TestMetricsParsingNoMetrics(t *testing.T) {
	m := mustModel(t, baseKMM(), DefaultSettings())
	assert.False(t, m.MetricsEnabled())
	name, key := m.MetricsConfigMap()
	assert.Empty(t, name)
	assert.Empty(t, key)
	d, err := m.Deployment(testPodAnnotations())
	require.NoError(t, err)
	assert.Empty(t, container(d).Ports)
	assert.Equal(t, "false", envMap(container(d))["KAFKA_MIRRORMAKER_METRICS_ENABLED"])
}
