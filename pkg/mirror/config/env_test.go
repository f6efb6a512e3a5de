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

package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadDefaults(t *testing.T) {
	e := newEnv(t)
	c := e.mustLoad()
	assert.Equal(t, ".*", c.Include)
	assert.Equal(t, ".*", c.TopicRegex)
	assert.True(t, c.Topics.MatchString("anything"))
	assert.Equal(t, "g", c.GroupID)
	assert.Equal(t, 1, c.NumStreams)
	assert.Equal(t, 60*time.Second, c.OffsetCommitInterval)
	assert.True(t, c.AbortOnSendFailure)
	assert.False(t, c.SyncSend)
	assert.Equal(t, 500, c.MaxPollRecords)
	assert.Equal(t, 60*time.Second, c.CommitTimeout)
	assert.False(t, c.MetricsEnabled)
	assert.Equal(t, 10*time.Second, c.ReadinessPeriod)
	assert.Equal(t, 10*time.Second, c.LivenessPeriod)
	assert.Equal(t, slog.LevelInfo, c.LogLevel)
	assert.Equal(t, e.home, c.KafkaHome)
	assert.Equal(t, "/tmp", c.TmpDir)
	assert.Equal(t, ":9404", c.MetricsAddress)
	assert.Equal(t, slog.LevelWarn, notice(t, c, "consumer property partition.assignment.strategy").Level)
	assert.False(t, hasNotice(c, "STRIMZI_KAFKA_GC_LOG_ENABLED"), "false is not worth a notice")
	assert.Contains(t, c.ConsumerSummary, "bootstrap.servers=127.0.0.1:1")
	assert.Contains(t, c.ConsumerSummary, "group.id=g")
	assert.Contains(t, c.ConsumerSummary, "client.id=g-0")
	assert.Contains(t, c.ConsumerSummary, "security.protocol=PLAINTEXT")
	assert.Contains(t, c.ConsumerSummary, "auto.offset.reset=latest")
	assert.Contains(t, c.ProducerSummary, "client.id=producer-1")
	assert.Contains(t, c.ProducerSummary, "acks=all")
	assert.Contains(t, c.ProducerSummary, "max.in.flight.requests.per.connection=1")
	assert.Contains(t, c.ProducerSummary, "delivery.timeout.ms=2147483647")
}

func TestLoadKafkaHomeDefault(t *testing.T) {
	e := newEnv(t).unset("KAFKA_HOME")
	assert.Equal(t, "/opt/kafka", e.mustLoad().KafkaHome)
	e.set("KAFKA_HOME", "")
	assert.Equal(t, "/opt/kafka", e.mustLoad().KafkaHome)
}

func TestLoadEveryVariable(t *testing.T) {
	e := newEnv(t).set(
		"KAFKA_MIRRORMAKER_NUMSTREAMS", "3",
		"KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL", "42000",
		"KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE", "FALSE",
		"KAFKA_MIRRORMAKER_METRICS_ENABLED", "true",
		"STRIMZI_READINESS_PERIOD", "7",
		"STRIMZI_LIVENESS_PERIOD", "9",
		"KMM_MIRROR_TMP_DIR", "/scratch",
		"KMM_MIRROR_METRICS_ADDRESS", "127.0.0.1:9999",
		"KAFKA_MIRRORMAKER_INCLUDE", `"a,b"`,
		"KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER", "max.poll.records=7\ndefault.api.timeout.ms=1234\n",
		"KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", "producer.type=sync\n",
	)
	c := e.mustLoad()
	assert.Equal(t, 3, c.NumStreams)
	assert.Equal(t, 42*time.Second, c.OffsetCommitInterval)
	assert.False(t, c.AbortOnSendFailure)
	assert.True(t, c.MetricsEnabled)
	assert.Equal(t, 7*time.Second, c.ReadinessPeriod)
	assert.Equal(t, 9*time.Second, c.LivenessPeriod)
	assert.Equal(t, "/scratch", c.TmpDir)
	assert.Equal(t, "127.0.0.1:9999", c.MetricsAddress)
	assert.Equal(t, "a|b", c.TopicRegex)
	assert.Equal(t, 7, c.MaxPollRecords)
	assert.Equal(t, 1234*time.Millisecond, c.CommitTimeout)
	assert.True(t, c.SyncSend)
	assert.Contains(t, c.ConsumerSummary, "client.id=g-0..g-2")
}

func TestLoadOptionalVariablesEmpty(t *testing.T) {
	// The run script tests these with -n: empty means absent.
	e := newEnv(t).set(
		"KAFKA_MIRRORMAKER_NUMSTREAMS", "",
		"KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL", "",
		"KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE", "",
		"KAFKA_MIRRORMAKER_MESSAGE_HANDLER", "",
		"STRIMZI_READINESS_PERIOD", "",
		"KMM_MIRROR_TMP_DIR", "",
	)
	c := e.mustLoad()
	assert.Equal(t, 1, c.NumStreams)
	assert.Equal(t, time.Minute, c.OffsetCommitInterval)
	assert.True(t, c.AbortOnSendFailure)
	assert.Equal(t, 10*time.Second, c.ReadinessPeriod)
	assert.Equal(t, "/tmp", c.TmpDir)
}

func TestLoadNegativeCommitInterval(t *testing.T) {
	c := newEnv(t).set("KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL", "-5").mustLoad()
	assert.Equal(t, time.Duration(0), c.OffsetCommitInterval)
	assert.Contains(t, notice(t, c, "KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL").Message, "every record")
}

func TestLoadIncludeWordSplittingNotice(t *testing.T) {
	c := newEnv(t).set("KAFKA_MIRRORMAKER_INCLUDE", "a, b").mustLoad()
	assert.Equal(t, "a|", c.TopicRegex)
	n := notice(t, c, "KAFKA_MIRRORMAKER_INCLUDE")
	assert.Equal(t, slog.LevelWarn, n.Level)
	assert.Contains(t, n.Message, `"b\""`)
}

func TestLoadVariableErrors(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
		want string
	}{
		{"no consumer bootstrap", []string{"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER", ""}, "KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER: must be set"},
		{"no producer bootstrap", []string{"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER", " "}, "KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER: must be set"},
		{"bootstrap without port", []string{"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER", "a:9092,b"}, `KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER: "a:9092,b" has an invalid address "b"`},
		{"bootstrap bad port", []string{"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER", "a:x"}, `KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER: "a:x" has an invalid port`},
		{"no group", []string{"KAFKA_MIRRORMAKER_GROUPID_CONSUMER", ""}, "KAFKA_MIRRORMAKER_GROUPID_CONSUMER: must be set"},
		{"no include", []string{"KAFKA_MIRRORMAKER_INCLUDE", ""}, "KAFKA_MIRRORMAKER_INCLUDE: include list must be specified"},
		{"numstreams", []string{"KAFKA_MIRRORMAKER_NUMSTREAMS", "abc"}, `KAFKA_MIRRORMAKER_NUMSTREAMS: "abc" is not an integer`},
		{"numstreams zero", []string{"KAFKA_MIRRORMAKER_NUMSTREAMS", "0"}, `KAFKA_MIRRORMAKER_NUMSTREAMS: "0" must be at least 1`},
		{"interval", []string{"KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL", "1m"}, `KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL: "1m" is not an integer`},
		{"abort", []string{"KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE", "yes"}, `KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE: "yes" is not a boolean`},
		{"handler", []string{"KAFKA_MIRRORMAKER_MESSAGE_HANDLER", "com.example.Handler"}, `KAFKA_MIRRORMAKER_MESSAGE_HANDLER: "com.example.Handler" names a Java message handler class: kmm-mirror cannot load Java classes`},
		{"readiness", []string{"STRIMZI_READINESS_PERIOD", "ten"}, `STRIMZI_READINESS_PERIOD: "ten" is not an integer`},
		{"liveness", []string{"STRIMZI_LIVENESS_PERIOD", "-1"}, `STRIMZI_LIVENESS_PERIOD: "-1" must be at least 0`},
		{"consumer properties", []string{"KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER", `a=\u12`}, `KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER: is not a valid Java properties text: malformed \uxxxx encoding`},
		{"producer properties", []string{"KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", `a=\uXYZW`}, `KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER: is not a valid Java properties text`},
		{"sasl mechanism", []string{"KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER", "gssapi"}, `KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER: "gssapi" is not a supported SASL mechanism`},
		{"sasl without user", []string{"KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER", "plain", "KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_PRODUCER", "s/p"}, `KAFKA_MIRRORMAKER_SASL_USERNAME_PRODUCER: must be set for SASL mechanism plain`},
		{"sasl without password file", []string{"KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER", "scram-sha-512", "KAFKA_MIRRORMAKER_SASL_USERNAME_CONSUMER", "u"}, `KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_CONSUMER: must be set for SASL mechanism scram-sha-512`},
		{"password file missing", []string{"KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER", "scram-sha-256", "KAFKA_MIRRORMAKER_SASL_USERNAME_CONSUMER", "u", "KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_CONSUMER", "secret/password"}, `KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_CONSUMER: "secret/password" password file `},
		{"trusted certs unmatched", []string{"KAFKA_MIRRORMAKER_TLS_CONSUMER", "true", "KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER", "ca/*.crt"}, `KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER: "ca/*.crt" matches no file below `},
		{"cert without key", []string{"KAFKA_MIRRORMAKER_TLS_PRODUCER", "true", "KAFKA_MIRRORMAKER_TLS_AUTH_CERT_PRODUCER", "user/user.crt"}, `KAFKA_MIRRORMAKER_TLS_AUTH_CERT_PRODUCER: "user/user.crt" is set but KAFKA_MIRRORMAKER_TLS_AUTH_KEY_PRODUCER is not`},
		{"key without cert", []string{"KAFKA_MIRRORMAKER_TLS_PRODUCER", "true", "KAFKA_MIRRORMAKER_TLS_AUTH_KEY_PRODUCER", "user/user.key"}, `KAFKA_MIRRORMAKER_TLS_AUTH_KEY_PRODUCER: "user/user.key" is set but KAFKA_MIRRORMAKER_TLS_AUTH_CERT_PRODUCER is not`},
		{"cert file missing", []string{"KAFKA_MIRRORMAKER_TLS_CONSUMER", "true", "KAFKA_MIRRORMAKER_TLS_AUTH_CERT_CONSUMER", "user/user.crt", "KAFKA_MIRRORMAKER_TLS_AUTH_KEY_CONSUMER", "user/user.key"}, `KAFKA_MIRRORMAKER_TLS_AUTH_CERT_CONSUMER: "user/user.crt" certificate file `},
		{"oauth without endpoint", []string{"KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER", "oauth", "KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER", `oauth.client.id="c"`}, `KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER: invalid OAuth configuration: oauth.token.endpoint.uri: access token not specified`},
		{"oauth bad jaas", []string{"KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER", "oauth", "KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER", `oauth.client.id="c`}, `KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER: is not a valid JAAS option list: option "oauth.client.id": unterminated quoted value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := newEnv(t).set(tt.kv...).loadErr()
			assert.True(t, strings.HasPrefix(ce.Error(), tt.want), "got %q, want prefix %q", ce.Error(), tt.want)
		})
	}
}

func TestLoadBadPEMFiles(t *testing.T) {
	e := newEnv(t).set("KAFKA_MIRRORMAKER_TLS_CONSUMER", "true", "KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER", "ca/ca.crt")
	path := e.file("consumer-certs/ca/ca.crt", "not a certificate")
	ce := e.loadErr()
	assert.Equal(t, "KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER", ce.Name)
	assert.Contains(t, ce.Error(), path)
	assert.Contains(t, ce.Error(), "contains no PEM certificate")

	e.file("consumer-certs/ca/ca.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	assert.Contains(t, e.loadErr().Error(), "invalid certificate")
}

func TestLoadJVMOnlyVariables(t *testing.T) {
	e := newEnv(t).set(
		"KAFKA_HEAP_OPTS", "-Xms128M",
		"KAFKA_JVM_PERFORMANCE_OPTS", "-XX:+UseG1GC",
		"STRIMZI_JAVA_SYSTEM_PROPERTIES", "-Da=b",
		"STRIMZI_DYNAMIC_HEAP_PERCENTAGE", "75",
		"STRIMZI_DYNAMIC_HEAP_MAX", "1G",
		"STRIMZI_KAFKA_GC_LOG_ENABLED", "true",
		"FIPS_MODE", "disabled",
		"KAFKA_LOG4J_OPTS", "-Dlog4j.configuration=file:x",
		"STRIMZI_TRACING", "opentelemetry",
	)
	c := e.mustLoad()
	for _, name := range []string{"KAFKA_HEAP_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "STRIMZI_JAVA_SYSTEM_PROPERTIES",
		"STRIMZI_DYNAMIC_HEAP_PERCENTAGE", "STRIMZI_DYNAMIC_HEAP_MAX", "STRIMZI_KAFKA_GC_LOG_ENABLED", "FIPS_MODE",
		"KAFKA_LOG4J_OPTS", "STRIMZI_TRACING"} {
		n := notice(t, c, name)
		assert.Contains(t, n.Message, "ignored", name)
	}
	assert.Contains(t, notice(t, c, "KAFKA_HEAP_OPTS").Message, "JVM only")
}

func TestLoadMessageHandlerArgsAlone(t *testing.T) {
	c := newEnv(t).set("KAFKA_MIRRORMAKER_MESSAGE_HANDLER_ARGS", "x").mustLoad()
	assert.Contains(t, notice(t, c, "KAFKA_MIRRORMAKER_MESSAGE_HANDLER_ARGS").Message, "ignored")
}

func TestLoadLogLevel(t *testing.T) {
	tests := []struct {
		file string
		want slog.Level
	}{
		{"mirrormaker.root.logger=INFO\nlog4j.rootLogger=${mirrormaker.root.logger}, CONSOLE\n", slog.LevelInfo},
		{"mirrormaker.root.logger=DEBUG\nlog4j.rootLogger=${mirrormaker.root.logger}, CONSOLE\n", slog.LevelDebug},
		{"mirrormaker.root.logger=TRACE\nlog4j.rootLogger=${mirrormaker.root.logger}, CONSOLE\n", LevelTrace},
		{"mirrormaker.root.logger=ALL\nlog4j.rootLogger=${mirrormaker.root.logger}, CONSOLE\n", LevelTrace},
		{"mirrormaker.root.logger=warn\nlog4j.rootLogger=${mirrormaker.root.logger}, CONSOLE\n", slog.LevelWarn},
		{"mirrormaker.root.logger=ERROR\nlog4j.rootLogger=${mirrormaker.root.logger}, CONSOLE\n", slog.LevelError},
		{"mirrormaker.root.logger=FATAL\nlog4j.rootLogger=${mirrormaker.root.logger}, CONSOLE\n", slog.LevelError},
		{"mirrormaker.root.logger=OFF\nlog4j.rootLogger=${mirrormaker.root.logger}, CONSOLE\n", LevelOff},
		{"mirrormaker.root.logger=INFO, CONSOLE\n", slog.LevelInfo},
		{"mirrormaker.root.logger=WARN\nlog4j.rootLogger=ERROR, CONSOLE\n", slog.LevelError},
		{"# inline logging\nlog4j.rootLogger=WARN\n", slog.LevelWarn},
		{"log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\n", slog.LevelInfo},
		{"log4j.rootLogger=, CONSOLE\n", slog.LevelDebug},
	}
	for _, tt := range tests {
		e := newEnv(t)
		e.file("custom-config/log4j.properties", tt.file)
		assert.Equal(t, tt.want, e.mustLoad().LogLevel, tt.file)
	}

	e := newEnv(t)
	path := e.file("custom-config/log4j.properties", "log4j.rootLogger=VERBOSE, CONSOLE\n")
	c := e.mustLoad()
	assert.Equal(t, slog.LevelDebug, c.LogLevel)
	assert.Contains(t, notice(t, c, path).Message, `"VERBOSE"`)
}

func TestLoadTLSValueNotTrue(t *testing.T) {
	c := newEnv(t).set("KAFKA_MIRRORMAKER_TLS_CONSUMER", "TRUE", "KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER", "ca/ca.crt").mustLoad()
	assert.Contains(t, c.ConsumerSummary, "security.protocol=PLAINTEXT")
	assert.Equal(t, slog.LevelWarn, notice(t, c, "KAFKA_MIRRORMAKER_TLS_CONSUMER").Level)
	assert.Contains(t, notice(t, c, "KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER").Message, "ignored")
}

func TestReadPasswordStripsTrailingNewlines(t *testing.T) {
	e := newEnv(t)
	e.file("producer-password/s/p", "pa ss\n\n\n")
	got, path, err := readPassword("V", e.home+"/producer-password", "s/p")
	require.NoError(t, err)
	assert.Equal(t, "pa ss", got)
	assert.Equal(t, e.home+"/producer-password/s/p", path)
	e.file("producer-password/s/q", "\nx\r\n")
	got, _, err = readPassword("V", e.home+"/producer-password", "s/q")
	require.NoError(t, err)
	assert.Equal(t, "\nx\r", got)
}

func TestSecretsNeverShown(t *testing.T) {
	const pw = "Sup3rS3cretPw"
	e := newEnv(t).set(
		"KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER", "scram-sha-512",
		"KAFKA_MIRRORMAKER_SASL_USERNAME_CONSUMER", "user",
		"KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_CONSUMER", "s/password",
		"KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER", "oauth",
		"KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER", `oauth.client.id="cid" oauth.token.endpoint.uri="http://127.0.0.1:1/token" oauth.unknown="v"`,
		"KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_PRODUCER", "cl13ntS3cret",
		"KAFKA_MIRRORMAKER_OAUTH_REFRESH_TOKEN_PRODUCER", "r3freshT0ken",
		"KAFKA_MIRRORMAKER_OAUTH_ACCESS_TOKEN_CONSUMER", "acc3ssT0ken",
		"KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER", "ssl.key.password=k3yPass\nsasl.jaas.config=jaasT3xt\n",
	)
	e.file("consumer-password/s/password", pw+"\n")
	c, err := e.load()
	require.NoError(t, err)
	assert.Contains(t, c.ConsumerSummary, "sasl.jaas.config="+Hidden)
	assert.Contains(t, c.ConsumerSummary, "ssl.key.password="+Hidden)
	assertNoSecret(t, c, err, pw, "cl13ntS3cret", "r3freshT0ken", "acc3ssT0ken", "k3yPass", "jaasT3xt")

	// Errors about secrets show [hidden].
	ce := &Error{Name: "X", Value: pw, Secret: true, Reason: "is wrong"}
	assert.Equal(t, "X: [hidden] is wrong", ce.Error())

	// An OAuth configuration error with secrets set names the option, never the value.
	e.set("KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER", `oauth.token.endpoint.uri="http://127.0.0.1:1/token" oauth.max.token.expiry.seconds="5"`)
	c, err = e.load()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "oauth.client.id")
	assertNoSecret(t, c, err, pw, "cl13ntS3cret", "r3freshT0ken")
}
