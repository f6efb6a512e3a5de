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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

func fromCRDError(t *testing.T, kmm *v1beta2.KafkaMirrorMaker) error {
	t.Helper()
	m, err := FromCRD(kmm, DefaultSettings())
	require.Nil(t, m)
	return err
}

func TestValidationSpecCannotBeNull(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec = nil
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, "Spec cannot be null")
	_, err := Render(kmm, DefaultSettings(), nil, nil)
	requireReason(t, err, ReasonInvalidResource, "Spec cannot be null")
}

func TestValidationIncludeOrWhitelist(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Include = nil
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, "One of the fields include or whitelist needs to be specified.")
}

func TestValidationCustomResourceLabels(t *testing.T) {
	kmm := baseKMM()
	kmm.Labels["strimzi.io/foo"] = "bar"
	requireReason(t, fromCRDError(t, kmm), ReasonIllegalArgument, "Labels starting with strimzi.io/ are not allowed in Custom Resources, such labels should be removed.")

	kmm = baseKMM()
	kmm.Labels["strimzi.io/cluster"] = "other"
	kmm.Labels["strimzi.io/cluster-extra"] = "kept"
	kmm.Labels["app.kubernetes.io/name"] = "dropped"
	kmm.Labels["app.kubernetes.io/version"] = "dropped"
	kmm.Labels["kustomize.toolkit.fluxcd.io/name"] = "dropped"
	m := mustModel(t, kmm, DefaultSettings())
	want := expectedLabels()
	want["strimzi.io/cluster-extra"] = "kept"
	assert.Equal(t, want, m.Labels())

	s := DefaultSettings()
	s.LabelsExclusion = MustParseLabelPattern("^my-user-label$")
	kmm = baseKMM()
	labels := mustModel(t, kmm, s).Labels()
	assert.NotContains(t, labels, "my-user-label")
	assert.Equal(t, "strimzi-mirror", labels["app.kubernetes.io/part-of"])
}

func TestValidationInstanceLabelTruncated(t *testing.T) {
	kmm := baseKMM()
	kmm.Name = "a-very-long-name-that-is-exactly-sixty-two-characters-long-xx-_y"
	labels := mustModel(t, kmm, DefaultSettings()).Labels()
	assert.Equal(t, "a-very-long-name-that-is-exactly-sixty-two-characters-long-xx", labels["app.kubernetes.io/instance"])
	assert.Equal(t, "strimzi-a-very-long-name-that-is-exactly-sixty-two-characters-l", labels["app.kubernetes.io/part-of"])
}

func TestValidationAuthentication(t *testing.T) {
	cases := []struct {
		name string
		auth *v1beta2.KafkaClientAuthentication
		msg  string
	}{
		{"tls", &v1beta2.KafkaClientAuthentication{Type: "tls"}, "TLS Client authentication selected, but no certificate and key configured."},
		{"scram-sha-256", &v1beta2.KafkaClientAuthentication{Type: "scram-sha-256", Username: ptr.To("u")}, "SCRAM-SHA-256 authentication selected, but username or password configuration is missing."},
		{"scram-sha-512", &v1beta2.KafkaClientAuthentication{Type: "scram-sha-512", PasswordSecret: &v1beta2.PasswordSecretSource{SecretName: "s", Password: "p"}}, "SCRAM-SHA-512 authentication selected, but username or password configuration is missing."},
		{"plain", &v1beta2.KafkaClientAuthentication{Type: "plain"}, "PLAIN authentication selected, but username or password configuration is missing."},
		{"oauth", &v1beta2.KafkaClientAuthentication{Type: "oauth", ClientID: ptr.To("c")}, oauthCombinationsMessage},
		{"oauth numbers", &v1beta2.KafkaClientAuthentication{
			Type: "oauth", AccessTokenLocation: ptr.To("/token"),
			ConnectTimeoutSeconds: ptr.To(int32(0)), ReadTimeoutSeconds: ptr.To(int32(-1)),
			HTTPRetries: ptr.To(int32(-1)), HTTPRetryPauseMs: ptr.To(int32(-5)),
		}, "OAUTH authentication selected, but some options are invalid. [If specified, 'connectTimeoutSeconds' has to be greater than 0, If specified, 'readTimeoutSeconds' has to be greater than 0, If specified, 'httpRetries' has to be greater or equal 0, If specified, 'httpRetryPauseMs' has to be greater or equal 0]"},
		{"oauth one number", &v1beta2.KafkaClientAuthentication{
			Type: "oauth", AccessToken: genericSecret("t", "k"), HTTPRetries: ptr.To(int32(-1)),
		}, "OAUTH authentication selected, but some options are invalid. [If specified, 'httpRetries' has to be greater or equal 0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, side := range []string{"consumer", "producer"} {
				kmm := baseKMM()
				if side == "consumer" {
					kmm.Spec.Consumer.Authentication = c.auth
				} else {
					kmm.Spec.Producer.Authentication = c.auth
				}
				requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, c.msg)
			}
		})
	}

	// Valid OAuth combinations.
	for _, auth := range []*v1beta2.KafkaClientAuthentication{
		oauth(accessTokenOAuth), oauth(refreshTokenOAuth), oauth(clientSecretOAuth), oauth(clientAssertionOAuth), oauth(passwordGrantOAuth),
		oauth(func(a *v1beta2.KafkaClientAuthentication) { withClient(a); a.ClientAssertionLocation = ptr.To("/a") }),
		oauth(func(a *v1beta2.KafkaClientAuthentication) {
			a.AccessTokenLocation = ptr.To("/t")
			a.HTTPRetries = ptr.To(int32(0))
		}),
	} {
		kmm := baseKMM()
		kmm.Spec.Consumer.Authentication = auth
		_, err := FromCRD(kmm, DefaultSettings())
		assert.NoError(t, err)
	}

	// TLS client authentication without tls is only a warning in Strimzi.
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = tlsAuth("user")
	_, err := FromCRD(kmm, DefaultSettings())
	assert.NoError(t, err)
}

func TestValidationImage(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Image = nil
	kmm.Spec.Version = ptr.To("3.8.0")
	assert.Equal(t, "quay.io/strimzi/kafka:0.45.2-kafka-3.8.0", mustModel(t, kmm, DefaultSettings()).Image())

	kmm.Spec.Version = ptr.To("2.8.0")
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, "Kafka version 2.8.0 is not supported. Supported versions are: 3.8.0, 3.8.1, 3.9.0, 3.9.1, 3.9.2.")

	kmm.Spec.Version = nil
	s := DefaultSettings()
	s.Images = map[string]string{"3.9.1": "img:3.9.1", "3.8.1": "img:3.8.1"}
	_, err := FromCRD(kmm, s)
	requireReason(t, err, ReasonInvalidResource, "Kafka version null is not supported. Supported versions are: 3.8.1, 3.9.1.")

	// spec.image wins over an unsupported version.
	kmm.Spec.Image = ptr.To("custom:1")
	kmm.Spec.Version = ptr.To("1.0.0")
	assert.Equal(t, "custom:1", mustModel(t, kmm, DefaultSettings()).Image())
}

func TestValidationMetricsAndLoggingReferences(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.MetricsConfig = &v1beta2.MetricsConfig{Type: v1beta2.MetricsConfigTypeJmxPrometheusExporter}
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, "Metrics configuration is invalid: [Config Map reference is missing]")

	kmm.Spec.MetricsConfig = metricsConfig("", "")
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, "Metrics configuration is invalid: [Name of the Config Map with metrics configuration is missing, The key under which the metrics configuration is stored in the ConfigMap is missing]")

	kmm.Spec.MetricsConfig = metricsConfig("cm", "")
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, "Metrics configuration is invalid: [The key under which the metrics configuration is stored in the ConfigMap is missing]")

	kmm = baseKMM()
	kmm.Spec.Logging = &v1beta2.Logging{Type: v1beta2.LoggingTypeExternal}
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, "Logging configuration is invalid: [Config Map reference is missing]")

	kmm.Spec.Logging.ValueFrom = &v1beta2.ExternalConfigurationReference{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{}}
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, "Logging configuration is invalid: [Name of the Config Map with logging configuration is missing, The key under which the logging configuration is stored in the ConfigMap is missing]")

	kmm.Spec.Logging.ValueFrom.ConfigMapKeyRef.Name = "logging"
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, "Logging configuration is invalid: [The key under which the logging configuration is stored in the ConfigMap is missing]")
}

func TestValidationWarnings(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Include = nil
	kmm.Spec.Whitelist = ptr.To(".*")
	kmm.Spec.Tracing = &v1beta2.Tracing{Type: v1beta2.TracingTypeJaeger}
	m := mustModel(t, kmm, DefaultSettings())
	assert.Equal(t, []Warning{
		{Reason: "DeprecatedFields", Message: "In resource KafkaMirrorMaker(test/mirror) in API version kafka.strimzi.io/v1beta2 the whitelist property at path spec.whitelist has been deprecated, and should now be configured using spec.include."},
		{Reason: "DeprecatedObjects", Message: "In resource KafkaMirrorMaker(test/mirror) in API version kafka.strimzi.io/v1beta2 the object tracing at path spec.tracing has been deprecated. This object has been replaced with void."},
	}, m.Warnings())
	assert.Equal(t, ".*", m.Include())

	// jaeger still sets STRIMZI_TRACING but adds no interceptor.
	d, err := m.Deployment(testPodAnnotations())
	require.NoError(t, err)
	env := envMap(container(d))
	assert.Equal(t, "jaeger", env["STRIMZI_TRACING"])
	assert.Equal(t, "foo=buz\n", env["KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER"])

	// Warnings are available even when the model cannot be built.
	kmm.Spec.Whitelist = nil
	_, err = FromCRD(kmm, DefaultSettings())
	require.Error(t, err)
	assert.Len(t, ValidationWarnings(kmm), 1)

	assert.Empty(t, mustModel(t, baseKMM(), DefaultSettings()).Warnings())
	assert.Equal(t, Warning{Reason: "MirrorMaker1Deprecation", Message: "MirrorMaker 1 is deprecated and will be removed in the next Strimzi release (0.46.0). Please migrate to MirrorMaker 2."}, DeprecationWarning())
}

func TestConfigMapErrors(t *testing.T) {
	m := mustModel(t, baseMetricsKMM(), DefaultSettings())
	_, err := m.ConfigMap(fakeConfigMaps{})
	requireReason(t, err, ReasonInvalidConfiguration, "ConfigMap metrics-cm does not exist")

	_, err = m.ConfigMap(fakeConfigMaps{"metrics-cm": newConfigMap("metrics-cm", map[string]string{"other": "x"})})
	requireReason(t, err, ReasonInvalidConfiguration, "ConfigMap metrics-cm does not contain specified key metrics-config.yml")

	_, err = m.ConfigMap(fakeConfigMaps{"metrics-cm": newConfigMap("metrics-cm", map[string]string{testMetricsKey: "a: [b"})})
	requireReason(t, err, ReasonInvalidConfiguration, "Failed to parse metrics configuration")

	_, err = m.ConfigMap(fakeConfigMaps{"metrics-cm": newConfigMap("metrics-cm", map[string]string{testMetricsKey: "# only a comment\n"})})
	requireReason(t, err, ReasonInvalidConfiguration, "Failed to parse metrics configuration")

	cm, err := m.ConfigMap(fakeConfigMaps{"metrics-cm": newConfigMap("metrics-cm", map[string]string{testMetricsKey: ""})})
	require.NoError(t, err)
	assert.Equal(t, "{}", cm.Data["metrics-config.json"])

	kmm := baseKMM()
	kmm.Spec.Logging = &v1beta2.Logging{Type: v1beta2.LoggingTypeExternal, ValueFrom: &v1beta2.ExternalConfigurationReference{
		ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "logging"}, Key: "log4j.properties"},
	}}
	m = mustModel(t, kmm, DefaultSettings())
	_, err = m.ConfigMap(fakeConfigMaps{})
	requireReason(t, err, ReasonInvalidResource, "ConfigMap logging with external logging configuration does not exist or doesn't contain the configuration under the log4j.properties key.")
	_, err = m.ConfigMap(fakeConfigMaps{"logging": newConfigMap("logging", map[string]string{"other": "x"})})
	requireReason(t, err, ReasonInvalidResource, "ConfigMap logging with external logging configuration does not exist or doesn't contain the configuration under the log4j.properties key.")

	external := "log4j.rootLogger=WARN, CONSOLE\n"
	cm, err = m.ConfigMap(fakeConfigMaps{"logging": newConfigMap("logging", map[string]string{"log4j.properties": external})})
	require.NoError(t, err)
	assert.Equal(t, external, cm.Data["log4j.properties"])
	assert.Equal(t, []string{"logging"}, m.ReferencedConfigMaps())
}

func TestConfigValueErrors(t *testing.T) {
	cases := []struct {
		raw string
		msg string
	}{
		{"null", "foo: A null value is not allowed for this key"},
		{`{"a":1}`, "foo: Unsupported type class java.util.LinkedHashMap in configuration for this key"},
		{`[1,2]`, "foo: Unsupported type class java.util.ArrayList in configuration for this key"},
		{"12345678901234567890", "foo: Unsupported type class java.math.BigInteger in configuration for this key"},
	}
	for _, c := range cases {
		for _, consumer := range []bool{true, false} {
			kmm := baseKMM()
			cfg := v1beta2.KafkaConfig{"foo": v1beta2.RawConfigValue(c.raw)}
			if consumer {
				kmm.Spec.Consumer.Config = cfg
			} else {
				kmm.Spec.Producer.Config = cfg
			}
			m := mustModel(t, kmm, DefaultSettings())
			_, err := m.Deployment(testPodAnnotations())
			requireReason(t, err, ReasonInvalidConfigParameter, c.msg)
		}
	}

	// Values are converted before forbidden options are dropped, so a null forbidden option fails.
	kmm := baseKMM()
	kmm.Spec.Consumer.Config = v1beta2.KafkaConfig{"ssl.keystore.location": v1beta2.RawConfigValue("null")}
	_, err := mustModel(t, kmm, DefaultSettings()).Deployment(testPodAnnotations())
	requireReason(t, err, ReasonInvalidConfigParameter, "ssl.keystore.location: A null value is not allowed for this key")
}

func TestTemplateMetadataValidation(t *testing.T) {
	withTemplate := func(f func(tpl *v1beta2.KafkaMirrorMakerTemplate)) *MirrorMaker {
		kmm := baseKMM()
		kmm.Spec.Template = &v1beta2.KafkaMirrorMakerTemplate{}
		f(kmm.Spec.Template)
		return mustModel(t, kmm, DefaultSettings())
	}
	strimziLabels := "Labels starting with strimzi.io/ are not allowed in Custom Resources, such labels should be removed."

	m := withTemplate(func(tpl *v1beta2.KafkaMirrorMakerTemplate) {
		tpl.Deployment = &v1beta2.DeploymentTemplate{Metadata: &v1beta2.MetadataTemplate{Labels: map[string]string{"strimzi.io/x": "y"}}}
	})
	_, err := m.Deployment(testPodAnnotations())
	requireReason(t, err, ReasonIllegalArgument, strimziLabels)

	m = withTemplate(func(tpl *v1beta2.KafkaMirrorMakerTemplate) {
		tpl.Deployment = &v1beta2.DeploymentTemplate{Metadata: &v1beta2.MetadataTemplate{Annotations: map[string]string{"strimzi.io/b": "y", "strimzi.io/a": "y"}}}
	})
	_, err = m.Deployment(testPodAnnotations())
	requireReason(t, err, ReasonInvalidResource, "User provided labels or annotations includes a Strimzi annotation: [strimzi.io/a, strimzi.io/b]")

	m = withTemplate(func(tpl *v1beta2.KafkaMirrorMakerTemplate) {
		tpl.Pod = &v1beta2.PodTemplate{Metadata: &v1beta2.MetadataTemplate{Labels: map[string]string{"strimzi.io/x": "y"}}}
	})
	_, err = m.Deployment(testPodAnnotations())
	requireReason(t, err, ReasonInvalidResource, "User provided labels or annotations includes a Strimzi annotation: [strimzi.io/x]")

	m = withTemplate(func(tpl *v1beta2.KafkaMirrorMakerTemplate) {
		tpl.Pod = &v1beta2.PodTemplate{Metadata: &v1beta2.MetadataTemplate{Annotations: map[string]string{"strimzi.io/logging-hash": "x"}}}
	})
	_, err = m.Deployment(testPodAnnotations())
	requireReason(t, err, ReasonInvalidResource, "User provided labels or annotations includes a Strimzi annotation: [strimzi.io/logging-hash]")

	m = withTemplate(func(tpl *v1beta2.KafkaMirrorMakerTemplate) {
		tpl.ServiceAccount = &v1beta2.ResourceTemplate{Metadata: &v1beta2.MetadataTemplate{Labels: map[string]string{"strimzi.io/x": "y"}}}
	})
	_, err = m.ServiceAccount()
	requireReason(t, err, ReasonIllegalArgument, strimziLabels)

	m = withTemplate(func(tpl *v1beta2.KafkaMirrorMakerTemplate) {
		tpl.PodDisruptionBudget = &v1beta2.PodDisruptionBudgetTemplate{Metadata: &v1beta2.MetadataTemplate{Labels: map[string]string{"strimzi.io/x": "y"}}}
	})
	_, err = m.PodDisruptionBudget()
	requireReason(t, err, ReasonIllegalArgument, strimziLabels)

	// app.kubernetes.io/ keys of Pod and Deployment annotations and Pod labels are dropped;
	// Deployment labels may override them.
	m = withTemplate(func(tpl *v1beta2.KafkaMirrorMakerTemplate) {
		tpl.Pod = &v1beta2.PodTemplate{Metadata: &v1beta2.MetadataTemplate{
			Labels:      map[string]string{"app.kubernetes.io/part-of": "x", "pod": "label"},
			Annotations: map[string]string{"app.kubernetes.io/a": "x", "pod": "annotation"},
		}}
		tpl.Deployment = &v1beta2.DeploymentTemplate{Metadata: &v1beta2.MetadataTemplate{
			Labels:      map[string]string{"app.kubernetes.io/part-of": "custom"},
			Annotations: map[string]string{"app.kubernetes.io/a": "x"},
		}}
	})
	d, err := m.Deployment(testPodAnnotations())
	require.NoError(t, err)
	assert.Equal(t, "strimzi-mirror", d.Spec.Template.Labels["app.kubernetes.io/part-of"])
	assert.Equal(t, "label", d.Spec.Template.Labels["pod"])
	assert.Equal(t, map[string]string{"pod": "annotation", "strimzi.io/logging-hash": "e697cf66", "strimzi.io/auth-hash": "0"}, d.Spec.Template.Annotations)
	assert.Equal(t, "custom", d.Labels["app.kubernetes.io/part-of"])
	assert.Nil(t, d.Annotations)
}

func TestCustomPodLabels(t *testing.T) {
	s := DefaultSettings()
	s.CustomPodLabels = map[string]string{"team": "a", "env": "prod"}
	kmm := baseKMM()
	kmm.Spec.Template = &v1beta2.KafkaMirrorMakerTemplate{Pod: &v1beta2.PodTemplate{Metadata: &v1beta2.MetadataTemplate{Labels: map[string]string{"env": "dev"}}}}
	d := mustDeployment(t, kmm, s)
	assert.Equal(t, "a", d.Spec.Template.Labels["team"])
	assert.Equal(t, "dev", d.Spec.Template.Labels["env"])
	assert.NotContains(t, d.Labels, "team")
}

func TestUnsupportedEnumValues(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = &v1beta2.KafkaClientAuthentication{Type: "kerberos"}
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, `Authentication type "kerberos" is not supported. Supported types are: tls, scram-sha-256, scram-sha-512, plain, oauth.`)

	kmm = baseKMM()
	kmm.Spec.Tracing = &v1beta2.Tracing{Type: "zipkin"}
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, `Tracing type "zipkin" is not supported. Supported types are: jaeger, opentelemetry.`)

	kmm = baseKMM()
	kmm.Spec.Logging = &v1beta2.Logging{Type: "file"}
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, `Logging type "file" is not supported. Supported types are: inline, external.`)

	kmm = baseKMM()
	kmm.Spec.MetricsConfig = &v1beta2.MetricsConfig{Type: "other"}
	requireReason(t, fromCRDError(t, kmm), ReasonInvalidResource, "Unsupported metrics type other")
}

func TestErrorString(t *testing.T) {
	assert.Equal(t, "InvalidResourceException: Spec cannot be null", (&Error{Reason: ReasonInvalidResource, Message: "Spec cannot be null"}).Error())
}
