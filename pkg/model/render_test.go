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
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

func TestClientConfigurationValues(t *testing.T) {
	cfg := v1beta2.KafkaConfig{
		"linger.ms":                             v1beta2.RawConfigValue("5"),
		"as.float":                              v1beta2.RawConfigValue("5.0"),
		"fraction":                              v1beta2.RawConfigValue("1.5"),
		"huge":                                  v1beta2.RawConfigValue("1e21"),
		"small":                                 v1beta2.RawConfigValue("0.0001"),
		"exp":                                   v1beta2.RawConfigValue("1.5e10"),
		"long":                                  v1beta2.RawConfigValue("3000000000"),
		"negative":                              v1beta2.RawConfigValue("-0.5"),
		"big.double":                            v1beta2.RawConfigValue("12345678.9"),
		"flag":                                  v1beta2.RawConfigValue("true"),
		"off":                                   v1beta2.RawConfigValue("false"),
		"text":                                  v1beta2.StringConfigValue("5"),
		"compression":                           v1beta2.StringConfigValue("zstd"),
		"ssl.protocol":                          v1beta2.StringConfigValue("TLSv1.3"),
		"SSL.Protocol":                          v1beta2.StringConfigValue("x"),
		"ssl.truststore":                        v1beta2.StringConfigValue("x"),
		"group.id":                              v1beta2.StringConfigValue("x"),
		"Bootstrap.Servers":                     v1beta2.StringConfigValue("x"),
		"security.protocol":                     v1beta2.StringConfigValue("x"),
		"sasl.mechanism":                        v1beta2.StringConfigValue("x"),
		"interceptor.classes":                   v1beta2.StringConfigValue("x"),
		"ssl.endpoint.identification.algorithm": v1beta2.StringConfigValue(""),
	}
	got, err := clientConfiguration(cfg, consumerForbiddenPrefixes, "")
	require.NoError(t, err)
	assert.Equal(t, "as.float=5\n"+
		"big.double=1.23456789E7\n"+
		"compression=zstd\n"+
		"exp=15000000000\n"+
		"flag=true\n"+
		"fraction=1.5\n"+
		"huge=1.0E21\n"+
		"linger.ms=5\n"+
		"long=3000000000\n"+
		"negative=-0.5\n"+
		"off=false\n"+
		"small=1.0E-4\n"+
		"ssl.endpoint.identification.algorithm=\n"+
		"ssl.protocol=TLSv1.3\n"+
		"text=5\n", got)

	// group.id is forbidden for the consumer only.
	got, err = clientConfiguration(v1beta2.KafkaConfig{"group.id": v1beta2.StringConfigValue("g")}, producerForbiddenPrefixes, otelProducerInterceptor)
	require.NoError(t, err)
	assert.Equal(t, "group.id=g\ninterceptor.classes="+otelProducerInterceptor+"\n", got)
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{
		1.5: "1.5", 0.001: "0.001", 0.0001: "1.0E-4", 1e7: "1.0E7", 9999999.5: "9999999.5",
		123456789.125: "1.23456789125E8", -2.5e-7: "-2.5E-7", 0: "0.0", 100: "100.0",
	} {
		assert.Equal(t, want, javaDouble(f), "%v", f)
	}
}

func TestPropertiesEscaping(t *testing.T) {
	p := newOrderedProperties(2)
	p.put("a b=c:d\\e\tf\ng", " leading\ttab\r\nnew\\line")
	p.put("k", "\tx")
	assert.Equal(t, "# c1\n# c2\n"+
		`a\ b\=c\:d\\e\	f\ng=\ leading	tab\r\nnew\\line`+"\n"+
		"k=\\\tx\n", p.render("c1\r\nc2"))
}

func TestInlineLogging(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Logging = &v1beta2.Logging{Type: v1beta2.LoggingTypeInline, Loggers: map[string]string{
		"log4j.rootLogger":         "DEBUG",
		"log4j.logger.org.apache":  "WARN",
		"log4j.logger.kafka":       "ERROR",
		"mirrormaker.root.logger":  "TRACE",
		"log4j.logger.with spaces": " value",
	}}
	log4j, err := mustModel(t, kmm, DefaultSettings()).Log4jProperties(nil)
	require.NoError(t, err)
	assert.Equal(t, "# Do not change this generated file. Logging can be configured in the corresponding Kubernetes resource.\n"+
		"log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\n"+
		"log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout\n"+
		"log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %p %m (%c) [%t]%n\n"+
		"mirrormaker.root.logger=TRACE\n"+
		"log4j.rootLogger=DEBUG, CONSOLE\n"+
		"log4j.logger.kafka=ERROR\n"+
		"log4j.logger.org.apache=WARN\n"+
		"log4j.logger.with\\ spaces=\\ value\n", log4j)

	kmm.Spec.Logging.Loggers = map[string]string{"log4j.rootLogger": "INFO, FILE"}
	log4j, err = mustModel(t, kmm, DefaultSettings()).Log4jProperties(nil)
	require.NoError(t, err)
	assert.Contains(t, log4j, "\nlog4j.rootLogger=INFO, FILE\n")

	kmm.Spec.Logging.Loggers = nil
	log4j, err = mustModel(t, kmm, DefaultSettings()).Log4jProperties(nil)
	require.NoError(t, err)
	assert.Equal(t, defaultLog4j, log4j)
}

func TestMetricsJSON(t *testing.T) {
	yamlText := `lowercaseOutputName: true
rules:
# a comment
- pattern: "kafka.server<type=(.+), name=(.+)><>Value"
  name: kafka_server_$1_$2
  type: GAUGE
  labels:
    clientId: "$3"
  valueFactor: 0.5
  tab: "a\tb\u0001"
`
	got, err := yamlToCompactJSON(yamlText)
	require.NoError(t, err)
	// Keys keep the document order, as Jackson keeps them.
	assert.Equal(t, `{"lowercaseOutputName":true,"rules":[{"pattern":"kafka.server<type=(.+), name=(.+)><>Value","name":"kafka_server_$1_$2","type":"GAUGE","labels":{"clientId":"$3"},"valueFactor":0.5,"tab":"a\tb\u0001"}]}`, got)

	cases := map[string]string{
		"b: 1\na: 2\n":                             `{"b":1,"a":2}`,
		"ratio: 1.0\ncount: 10\n":                  `{"ratio":1.0,"count":10}`,
		"x: null\ny: ~\nz: yes\n":                  `{"x":null,"y":null,"z":"yes"}`,
		"base: &b {k: v}\nuse: *b\n":               `{"base":{"k":"v"},"use":{"k":"v"}}`,
		"a: 1\nb: 2\na: 3\n":                       `{"a":3,"b":2}`,
		"list: [1, two, 3.5]\n":                    `{"list":[1,"two",3.5]}`,
		"big: 12345678901234567890\n":              `{"big":12345678901234567890}`,
		"when: 2001-12-14\n":                       `{"when":"2001-12-14"}`,
		"# only a comment\nrules: []\n":            `{"rules":[]}`,
		"quoted: \"1\"\nunquoted: 1\n":             `{"quoted":"1","unquoted":1}`,
		"nested:\n  deeper:\n    z: 1\n    a: 2\n": `{"nested":{"deeper":{"z":1,"a":2}}}`,
	}
	for in, want := range cases {
		got, err := yamlToCompactJSON(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	_, err = yamlToCompactJSON("a: [unclosed\n")
	assert.Error(t, err)
	_, err = yamlToCompactJSON("# nothing but a comment\n")
	assert.Error(t, err)
}

func TestVolumeNameSanitising(t *testing.T) {
	assert.Equal(t, "my-secret", validVolumeName("my-secret"))
	long := "a-very-long-secret-name-that-goes-on-and-on-and-on-and-on-and-on"
	got := validVolumeName(long)
	assert.Len(t, got, 63)
	assert.Equal(t, long[:54]+"-"+hashStub(long), got)
	got = validVolumeName("my.secret_name")
	assert.Equal(t, "my-secret-name-"+hashStub("my.secret_name"), got)
	assert.Equal(t, "x-"+hashStub("x"), validVolumeName("x"))

	// Dotted Secret names get a sanitised volume and mount name; de-duplication compares the
	// original name, as Strimzi does.
	kmm := baseKMM()
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("ca.cert", "a"), certSource("ca.cert", "b")}}
	d := mustDeployment(t, kmm, DefaultSettings())
	vols := d.Spec.Template.Spec.Volumes
	require.Len(t, vols, 4)
	assert.Equal(t, "ca-cert-"+hashStub("ca.cert"), vols[2].Name)
	assert.Equal(t, "ca.cert", vols[2].Secret.SecretName)
	assert.Equal(t, vols[2].Name, vols[3].Name)
}

func TestSameTrustedSecretBothSides(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("ca", "ca.crt")}}
	kmm.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("ca", "ca.crt")}}
	kmm.Spec.Producer.Authentication = passwordAuth("scram-sha-512", "u", "pw")
	kmm.Spec.Consumer.Authentication = passwordAuth("scram-sha-512", "u", "pw")
	d := mustDeployment(t, kmm, DefaultSettings())
	assert.Len(t, d.Spec.Template.Spec.Volumes, 4)
	assert.Equal(t, []corev1.VolumeMount{
		mount("strimzi-tmp", "/tmp"),
		mount("kafka-metrics-and-logging", "/opt/kafka/custom-config/"),
		mount("ca", "/opt/kafka/producer-certs/ca"),
		mount("pw", "/opt/kafka/producer-password/pw"),
		mount("pw", "/opt/kafka/consumer-password/pw"),
	}, container(d).VolumeMounts)
}

func TestOpenShiftSecretMode(t *testing.T) {
	s := DefaultSettings()
	s.OpenShift = true
	d := mustDeployment(t, tlsKMM(), s)
	assert.Equal(t, ptr.To(int32(0o440)), d.Spec.Template.Spec.Volumes[2].Secret.DefaultMode)
}

func TestHeapOptions(t *testing.T) {
	mem := &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}}
	cases := []struct {
		jvm     *v1beta2.JvmOptions
		res     *corev1.ResourceRequirements
		dynamic bool
		heap    string
	}{
		{nil, nil, false, "-Xms128M"},
		{nil, mem, true, ""},
		{&v1beta2.JvmOptions{Xms: ptr.To("1g")}, nil, false, "-Xms1g"},
		{&v1beta2.JvmOptions{Xms: ptr.To("1g")}, mem, true, "-Xms1g"},
		{&v1beta2.JvmOptions{Xmx: ptr.To("2g")}, mem, false, "-Xmx2g"},
		{&v1beta2.JvmOptions{XX: map[string]string{"MaxRAMPercentage": "80", "InitialRAMPercentage": "20"}}, mem, false, "-XX:InitialRAMPercentage=20 -XX:MaxRAMPercentage=80"},
		{&v1beta2.JvmOptions{XX: map[string]string{"InitialRAMPercentage": "20"}}, nil, false, "-XX:InitialRAMPercentage=20"},
	}
	for i, c := range cases {
		env := envMapOf(heapOptions(nil, c.jvm, c.res))
		if c.dynamic {
			assert.Equal(t, "75", env["STRIMZI_DYNAMIC_HEAP_PERCENTAGE"], i)
		} else {
			assert.NotContains(t, env, "STRIMZI_DYNAMIC_HEAP_PERCENTAGE", i)
		}
		if c.heap == "" {
			assert.NotContains(t, env, "KAFKA_HEAP_OPTS", i)
		} else {
			assert.Equal(t, c.heap, env["KAFKA_HEAP_OPTS"], i)
		}
	}

	env := envMapOf(jvmPerformanceOptions(nil, &v1beta2.JvmOptions{XX: map[string]string{
		"UseG1GC": "TRUE", "UseZGC": "false", "UnlockExperimentalVMOptions": "true", "UnlockDiagnosticVMOptions": "true",
		"MaxRAMPercentage": "80", "A": "1",
	}}))
	assert.Equal(t, "-XX:+UnlockDiagnosticVMOptions -XX:+UnlockExperimentalVMOptions -XX:A=1 -XX:+UseG1GC -XX:-UseZGC", env["KAFKA_JVM_PERFORMANCE_OPTS"])

	env = envMapOf(jvmSystemProperties(nil, &v1beta2.JvmOptions{JavaSystemProperties: []v1beta2.SystemProperty{
		{Name: ptr.To("a"), Value: ptr.To("1")}, {Name: ptr.To("b"), Value: ptr.To("x y")},
	}}))
	assert.Equal(t, "-Da=1 -Db=x y", env["STRIMZI_JAVA_SYSTEM_PROPERTIES"])
}

func envMapOf(env []corev1.EnvVar) map[string]string {
	return envMap(corev1.Container{Env: env})
}

func TestFullEnvironmentOrder(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Tracing = &v1beta2.Tracing{Type: v1beta2.TracingTypeOpenTelemetry}
	kmm.Spec.Resources = &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}}
	kmm.Spec.JvmOptions = &v1beta2.JvmOptions{
		Xms: ptr.To("512m"), GcLoggingEnabled: ptr.To(true), XX: map[string]string{"UseG1GC": "true"},
		JavaSystemProperties: []v1beta2.SystemProperty{{Name: ptr.To("a"), Value: ptr.To("b")}},
	}
	kmm.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("ca-c", "ca.crt")}}
	kmm.Spec.Consumer.Authentication = tlsAuth("user-c")
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{}
	kmm.Spec.Producer.Authentication = passwordAuth("plain", "p", "pw-p")
	kmm.Spec.Template = &v1beta2.KafkaMirrorMakerTemplate{MirrorMakerContainer: &v1beta2.ContainerTemplate{Env: []v1beta2.ContainerEnvVar{
		{Name: ptr.To("FROM_SECRET"), ValueFrom: &v1beta2.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}}},
		{Name: ptr.To("HTTP_PROXY"), Value: ptr.To("ignored")},
		{Name: ptr.To("NO_VALUE")},
	}}}
	s := DefaultSettings()
	s.ProxyEnv = []corev1.EnvVar{{Name: "HTTP_PROXY", Value: "http://proxy"}, {Name: "FIPS_MODE", Value: "disabled"}}
	c := container(mustDeployment(t, kmm, s))
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{
		"KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER",
		"KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER",
		"KAFKA_MIRRORMAKER_METRICS_ENABLED",
		"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER",
		"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER",
		"KAFKA_MIRRORMAKER_INCLUDE",
		"KAFKA_MIRRORMAKER_GROUPID_CONSUMER",
		"KAFKA_MIRRORMAKER_NUMSTREAMS",
		"KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL",
		"KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE",
		"STRIMZI_KAFKA_GC_LOG_ENABLED",
		"STRIMZI_TRACING",
		"STRIMZI_DYNAMIC_HEAP_PERCENTAGE",
		"KAFKA_HEAP_OPTS",
		"KAFKA_JVM_PERFORMANCE_OPTS",
		"STRIMZI_JAVA_SYSTEM_PROPERTIES",
		"KAFKA_MIRRORMAKER_TLS_CONSUMER",
		"KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER",
		"KAFKA_MIRRORMAKER_TLS_AUTH_CERT_CONSUMER",
		"KAFKA_MIRRORMAKER_TLS_AUTH_KEY_CONSUMER",
		"KAFKA_MIRRORMAKER_TLS_PRODUCER",
		"KAFKA_MIRRORMAKER_SASL_USERNAME_PRODUCER",
		"KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_PRODUCER",
		"KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER",
		"STRIMZI_LIVENESS_PERIOD",
		"STRIMZI_READINESS_PERIOD",
		"HTTP_PROXY",
		"FIPS_MODE",
		"FROM_SECRET",
	}, names)
	env := envMap(c)
	assert.Equal(t, "true", env["STRIMZI_KAFKA_GC_LOG_ENABLED"])
	assert.Equal(t, "-Xms512m", env["KAFKA_HEAP_OPTS"])
	assert.Equal(t, "http://proxy", env["HTTP_PROXY"])
	assert.Equal(t, "plain", env["KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER"])
}

func TestReferencedSecrets(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("trust-c", "ca.crt")}}
	kmm.Spec.Consumer.Authentication = tlsAuth("user-c")
	kmm.Spec.Producer.Authentication = oauth(func(a *v1beta2.KafkaClientAuthentication) {
		passwordGrantOAuth(a)
		a.AccessToken = genericSecret("token", "t")
		a.RefreshToken = genericSecret("token", "r")
		a.ClientAssertion = genericSecret("assertion", "a")
		a.TLSTrustedCertificates = []v1beta2.CertSecretSource{certSource("sso-ca", "ca.crt")}
	})
	kmm.Spec.MetricsConfig = metricsConfig("metrics", "m.yaml")
	kmm.Spec.Logging = &v1beta2.Logging{Type: v1beta2.LoggingTypeExternal, ValueFrom: &v1beta2.ExternalConfigurationReference{
		ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "logging"}, Key: "l"},
	}}
	m := mustModel(t, kmm, DefaultSettings())
	assert.Equal(t, []string{"assertion", "my-password-secret", "my-secret-secret", "sso-ca", "token", "trust-c", "user-c"}, m.ReferencedSecrets())
	assert.Equal(t, []string{"logging", "metrics"}, m.ReferencedConfigMaps())
}
