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
	"crypto/tls"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

func balancerNames(v any) []string {
	var names []string
	for _, b := range v.([]kgo.GroupBalancer) {
		names = append(names, b.ProtocolName())
	}
	return names
}

func TestConsumerDefaults(t *testing.T) {
	c := newEnv(t).mustLoad()
	cl := newClient(t, c.ConsumerOpts(0))
	assert.Equal(t, "g-0", cl.OptValue(kgo.ClientID))
	assert.Equal(t, []string{"127.0.0.1:1"}, cl.OptValue(kgo.SeedBrokers))
	assert.Equal(t, "g", cl.OptValue(kgo.ConsumerGroup))
	assert.Equal(t, []string{"range", "cooperative-sticky"}, balancerNames(cl.OptValue(kgo.Balancers)))
	assert.Equal(t, true, cl.OptValue(kgo.ConsumeRegex))
	assert.Equal(t, []string{"^(?:.*)$"}, cl.OptValue(kgo.ConsumeTopics))
	assert.Equal(t, kgo.NewOffset().AtEnd(), cl.OptValue(kgo.ConsumeStartOffset))
	assert.Equal(t, kgo.NewOffset().AtEnd(), cl.OptValue(kgo.ConsumeResetOffset))
	assert.Equal(t, 45*time.Second, cl.OptValue(kgo.SessionTimeout))
	assert.Equal(t, 3*time.Second, cl.OptValue(kgo.HeartbeatInterval))
	assert.Equal(t, 5*time.Minute, cl.OptValue(kgo.RebalanceTimeout))
	assert.Equal(t, int32(1), cl.OptValue(kgo.FetchMinBytes))
	assert.Equal(t, int32(1048576), cl.OptValue(kgo.FetchMaxBytes), "kmm-mirror's default, not Java's 50 MiB")
	assert.Equal(t, int32(1048576), cl.OptValue(kgo.FetchMaxPartitionBytes))
	assert.Equal(t, 500*time.Millisecond, cl.OptValue(kgo.FetchMaxWait))
	assert.Equal(t, int8(0), cl.OptValue(kgo.FetchIsolationLevel))
	assert.Equal(t, 9*time.Minute, cl.OptValue(kgo.ConnIdleTimeout))
	assert.Equal(t, 30*time.Second, cl.OptValue(kgo.RequestTimeoutOverhead))
	assert.Equal(t, 5*time.Minute, cl.OptValue(kgo.MetadataMaxAge))
	assert.Equal(t, []any{"", false}, cl.OptValues(kgo.InstanceID))
	assert.Equal(t, "", cl.OptValue(kgo.Rack))
	assert.Nil(t, cl.OptValue(kgo.DialTLSConfig).(*tls.Config))
	assert.Empty(t, cl.OptValue(kgo.SASL))

	cl1 := newClient(t, c.ConsumerOpts(1))
	assert.Equal(t, "g-1", cl1.OptValue(kgo.ClientID))
}

func TestConsumerProperties(t *testing.T) {
	c := newEnv(t).set("KAFKA_MIRRORMAKER_NUMSTREAMS", "2", "KAFKA_MIRRORMAKER_INCLUDE", "a,b",
		"KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER", strings.Join([]string{
			"auto.offset.reset=earliest",
			"partition.assignment.strategy=org.apache.kafka.clients.consumer.RoundRobinAssignor, sticky",
			"session.timeout.ms=10000",
			"heartbeat.interval.ms=2000",
			"max.poll.interval.ms=60000",
			"max.poll.records=100",
			"fetch.min.bytes=10",
			"fetch.max.bytes=2000000",
			"max.partition.fetch.bytes=300000",
			"fetch.max.wait.ms=250",
			"isolation.level=read_committed",
			"exclude.internal.topics=true",
			"group.instance.id=pod-a",
			"client.rack=zone-1",
			"metadata.max.age.ms=60000",
			"connections.max.idle.ms=120000",
			"request.timeout.ms=20000",
			"default.api.timeout.ms=5000",
			"client.id=ignored",
			"enable.auto.commit=true",
			"key.deserializer=org.apache.kafka.common.serialization.StringDeserializer",
			"interceptor.classes=io.opentelemetry.instrumentation.kafkaclients.v2_6.TracingConsumerInterceptor",
			"foo.bar=baz",
		}, "\n")).mustLoad()
	cl := newClient(t, c.ConsumerOpts(1))
	assert.Equal(t, "g-1", cl.OptValue(kgo.ClientID))
	assert.Equal(t, []string{"^(?:a|b)$"}, cl.OptValue(kgo.ConsumeTopics))
	assert.Equal(t, kgo.NewOffset().AtStart(), cl.OptValue(kgo.ConsumeStartOffset))
	assert.Equal(t, kgo.NewOffset().AtStart(), cl.OptValue(kgo.ConsumeResetOffset))
	assert.Equal(t, []string{"roundrobin", "sticky"}, balancerNames(cl.OptValue(kgo.Balancers)))
	assert.Equal(t, 10*time.Second, cl.OptValue(kgo.SessionTimeout))
	assert.Equal(t, 2*time.Second, cl.OptValue(kgo.HeartbeatInterval))
	assert.Equal(t, time.Minute, cl.OptValue(kgo.RebalanceTimeout))
	assert.Equal(t, 100, c.MaxPollRecords)
	assert.Equal(t, int32(10), cl.OptValue(kgo.FetchMinBytes))
	assert.Equal(t, int32(2000000), cl.OptValue(kgo.FetchMaxBytes))
	assert.Equal(t, int32(300000), cl.OptValue(kgo.FetchMaxPartitionBytes))
	assert.Equal(t, 250*time.Millisecond, cl.OptValue(kgo.FetchMaxWait))
	assert.Equal(t, int8(1), cl.OptValue(kgo.FetchIsolationLevel))
	assert.Equal(t, []any{"pod-a-1", true}, cl.OptValues(kgo.InstanceID))
	assert.Equal(t, "zone-1", cl.OptValue(kgo.Rack))
	assert.Equal(t, time.Minute, cl.OptValue(kgo.MetadataMaxAge))
	assert.Equal(t, 2*time.Minute, cl.OptValue(kgo.ConnIdleTimeout))
	assert.Equal(t, 20*time.Second, cl.OptValue(kgo.RequestTimeoutOverhead))
	assert.Equal(t, 5*time.Second, c.CommitTimeout)

	assert.Equal(t, slog.LevelWarn, notice(t, c, "consumer property enable.auto.commit").Level)
	assert.Contains(t, notice(t, c, "consumer property enable.auto.commit").Message, "ignored: kmm-mirror commits only offsets of records the target acknowledged")
	assert.Contains(t, notice(t, c, "consumer property client.id").Message, "forces client.id")
	assert.Contains(t, notice(t, c, "consumer property key.deserializer").Message, "ByteArrayDeserializer")
	assert.Contains(t, notice(t, c, "consumer property interceptor.classes").Message, "ignored: Java interceptors")
	assert.Equal(t, "ignored: unknown to kmm-mirror", notice(t, c, "consumer property foo.bar").Message)
	assert.False(t, hasNotice(c, "consumer property partition.assignment.strategy"))
	assert.Contains(t, c.ConsumerSummary, "foo.bar=baz")
	assert.Contains(t, c.ConsumerSummary, "enable.auto.commit=false")

	// One stream: the instance id is used as given.
	c = newEnv(t).set("KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER", "group.instance.id=pod-a\nauto.offset.reset=none").mustLoad()
	cl = newClient(t, c.ConsumerOpts(0))
	assert.Equal(t, []any{"pod-a", true}, cl.OptValues(kgo.InstanceID))
	assert.Equal(t, kgo.NewOffset().AtCommitted(), cl.OptValue(kgo.ConsumeStartOffset))
	assert.Equal(t, kgo.NoResetOffset(), cl.OptValue(kgo.ConsumeResetOffset))
}

func TestConsumerClamps(t *testing.T) {
	c := newEnv(t).set("KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER",
		"connections.max.idle.ms=-1\nfetch.max.wait.ms=0\nmetadata.max.age.ms=1000\nrequest.timeout.ms=10").mustLoad()
	cl := newClient(t, c.ConsumerOpts(0))
	assert.Equal(t, 15*time.Minute, cl.OptValue(kgo.ConnIdleTimeout))
	assert.Equal(t, 10*time.Millisecond, cl.OptValue(kgo.FetchMaxWait))
	assert.Equal(t, time.Second, cl.OptValue(kgo.MetadataMaxAge))
	assert.Equal(t, time.Second, cl.OptValue(kgo.MetadataMinAge))
	assert.Equal(t, 100*time.Millisecond, cl.OptValue(kgo.RequestTimeoutOverhead))
	assert.Equal(t, slog.LevelWarn, notice(t, c, "consumer property fetch.max.wait.ms").Level)
}

func partitionerFields(t *testing.T, p any) (typ string, bytes int64, adaptive, keys bool) {
	t.Helper()
	v := reflect.ValueOf(p)
	typ = v.Type().String()
	if typ != "*kgo.uniformBytesPartitioner" {
		return typ, 0, false, false
	}
	e := v.Elem()
	return typ, e.Field(0).Int(), e.Field(1).Bool(), e.Field(2).Bool()
}

func TestProducerDefaults(t *testing.T) {
	c := newEnv(t).mustLoad()
	cl := newClient(t, c.ProducerOpts())
	assert.Equal(t, "producer-1", cl.OptValue(kgo.ClientID))
	assert.Equal(t, []string{"127.0.0.1:1"}, cl.OptValue(kgo.SeedBrokers))
	assert.Equal(t, kgo.AllISRAcks(), cl.OptValue(kgo.RequiredAcks))
	assert.Equal(t, false, cl.OptValue(kgo.DisableIdempotentWrite))
	assert.Equal(t, 1, cl.OptValue(kgo.MaxProduceRequestsInflightPerBroker))
	assert.Equal(t, []kgo.CompressionCodec{kgo.NoCompression()}, cl.OptValue(kgo.ProducerBatchCompression))
	assert.Equal(t, time.Duration(0), cl.OptValue(kgo.ProducerLinger))
	assert.Equal(t, int32(1048576), cl.OptValue(kgo.ProducerBatchMaxBytes))
	assert.Equal(t, time.Duration(0), cl.OptValue(kgo.RecordDeliveryTimeout))
	assert.Equal(t, time.Duration(0), c.DeliveryTimeout)
	assert.Equal(t, int64(math.MaxInt64), cl.OptValue(kgo.RecordRetries))
	assert.Equal(t, true, cl.OptValue(kgo.AllowAutoTopicCreation))
	assert.Equal(t, int64(-1), cl.OptValue(kgo.UnknownTopicRetries))
	assert.Equal(t, int64(8388608), cl.OptValue(kgo.MaxBufferedBytes), "kmm-mirror's default, not Java's 32 MiB")
	assert.Equal(t, 30*time.Second, cl.OptValue(kgo.ProduceRequestTimeout))
	assert.Equal(t, 30*time.Second, cl.OptValue(kgo.RequestTimeoutOverhead))
	assert.Equal(t, 9*time.Minute, cl.OptValue(kgo.ConnIdleTimeout))
	assert.Equal(t, 5*time.Minute, cl.OptValue(kgo.MetadataMaxAge))
	typ, bytes, adaptive, keys := partitionerFields(t, cl.OptValue(kgo.RecordPartitioner))
	assert.Equal(t, "*kgo.uniformBytesPartitioner", typ)
	assert.Equal(t, int64(16384), bytes)
	assert.True(t, adaptive)
	assert.True(t, keys)
	assert.False(t, c.SyncSend)
}

func TestProducerProperties(t *testing.T) {
	c := newEnv(t).set("KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", strings.Join([]string{
		"acks=1",
		"compression.type=gzip",
		"compression.gzip.level=5",
		"linger.ms=20",
		"batch.size=32768",
		"max.request.size=2097152",
		"delivery.timeout.ms=120000",
		"max.in.flight.requests.per.connection=3",
		"retries=7",
		"client.id=mirror-producer",
		"partitioner.ignore.keys=true",
		"partitioner.adaptive.partitioning.enable=false",
		"buffer.memory=1000000",
		"producer.type=sync",
		"request.timeout.ms=15000",
		"metadata.max.age.ms=30000",
		"connections.max.idle.ms=60000",
		"value.serializer=x.Y",
		"max.block.ms=1000",
	}, "\n")).mustLoad()
	cl := newClient(t, c.ProducerOpts())
	assert.Equal(t, "mirror-producer", cl.OptValue(kgo.ClientID))
	assert.Equal(t, kgo.LeaderAck(), cl.OptValue(kgo.RequiredAcks))
	assert.Equal(t, true, cl.OptValue(kgo.DisableIdempotentWrite))
	assert.Equal(t, 3, cl.OptValue(kgo.MaxProduceRequestsInflightPerBroker))
	assert.Equal(t, []kgo.CompressionCodec{kgo.GzipCompression().WithLevel(5)}, cl.OptValue(kgo.ProducerBatchCompression))
	assert.Equal(t, 20*time.Millisecond, cl.OptValue(kgo.ProducerLinger))
	assert.Equal(t, int32(2097152), cl.OptValue(kgo.ProducerBatchMaxBytes))
	assert.Equal(t, time.Duration(0), cl.OptValue(kgo.RecordDeliveryTimeout), "counted from the record's timestamp: never set")
	assert.Equal(t, 2*time.Minute, c.DeliveryTimeout)
	assert.Equal(t, int64(7), cl.OptValue(kgo.RecordRetries))
	assert.Equal(t, int64(1000000), cl.OptValue(kgo.MaxBufferedBytes))
	assert.Equal(t, 15*time.Second, cl.OptValue(kgo.ProduceRequestTimeout))
	assert.Equal(t, 15*time.Second, cl.OptValue(kgo.RequestTimeoutOverhead))
	assert.Equal(t, 30*time.Second, cl.OptValue(kgo.MetadataMaxAge))
	assert.Equal(t, time.Minute, cl.OptValue(kgo.ConnIdleTimeout))
	typ, bytes, adaptive, keys := partitionerFields(t, cl.OptValue(kgo.RecordPartitioner))
	assert.Equal(t, "*kgo.uniformBytesPartitioner", typ)
	assert.Equal(t, int64(32768), bytes)
	assert.False(t, adaptive)
	assert.False(t, keys)
	assert.True(t, c.SyncSend)
	assert.Contains(t, notice(t, c, "producer property enable.idempotence").Message, "acks is not all")
	assert.Contains(t, notice(t, c, "producer property value.serializer").Message, "ByteArraySerializer")
	assert.Contains(t, notice(t, c, "producer property max.block.ms").Message, "ignored")
	assert.False(t, hasNotice(c, "producer property producer.type"), "producer.type is MirrorMaker 1's own key")
	assert.Contains(t, c.ProducerSummary, "enable.idempotence=false")
}

func TestProducerIdempotenceRules(t *testing.T) {
	tests := []struct {
		props      string
		disabled   bool
		inflight   int
		acks       kgo.Acks
		wantErr    string
		wantNotice string
	}{
		{props: "", acks: kgo.AllISRAcks(), inflight: 1},
		{props: "acks=-1\nmax.in.flight.requests.per.connection=5", acks: kgo.AllISRAcks(), inflight: 1},
		{props: "acks=0", disabled: true, acks: kgo.NoAck(), inflight: 1, wantNotice: "acks is not all"},
		{props: "retries=0", disabled: true, acks: kgo.AllISRAcks(), inflight: 1, wantNotice: "retries is 0"},
		{props: "max.in.flight.requests.per.connection=6", disabled: true, acks: kgo.AllISRAcks(), inflight: 6, wantNotice: "more than 5"},
		{props: "enable.idempotence=false\nmax.in.flight.requests.per.connection=2", disabled: true, acks: kgo.AllISRAcks(), inflight: 2},
		{props: "enable.idempotence=true\nacks=1", wantErr: `producer property enable.idempotence: "true" cannot be honoured because acks is not all`},
		{props: "enable.idempotence=true\nretries=0", wantErr: "because retries is 0"},
		{props: "enable.idempotence=TRUE\nmax.in.flight.requests.per.connection=9", wantErr: "because max.in.flight.requests.per.connection is more than 5"},
	}
	for _, tt := range tests {
		t.Run(tt.props, func(t *testing.T) {
			e := newEnv(t).set("KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", tt.props)
			if tt.wantErr != "" {
				assert.Contains(t, e.loadErr().Error(), tt.wantErr)
				return
			}
			c := e.mustLoad()
			cl := newClient(t, c.ProducerOpts())
			assert.Equal(t, tt.disabled, cl.OptValue(kgo.DisableIdempotentWrite))
			assert.Equal(t, tt.inflight, cl.OptValue(kgo.MaxProduceRequestsInflightPerBroker))
			assert.Equal(t, tt.acks, cl.OptValue(kgo.RequiredAcks))
			if tt.wantNotice != "" {
				assert.Contains(t, notice(t, c, "producer property enable.idempotence").Message, tt.wantNotice)
			}
		})
	}
}

func TestProducerPartitionerClasses(t *testing.T) {
	tests := map[string]string{
		"org.apache.kafka.clients.producer.RoundRobinPartitioner":        "*kgo.roundRobinPartitioner",
		"org.apache.kafka.clients.producer.UniformStickyPartitioner":     "*kgo.stickyPartitioner",
		"org.apache.kafka.clients.producer.internals.DefaultPartitioner": "*kgo.keyPartitioner",
		"RoundRobinPartitioner": "*kgo.roundRobinPartitioner",
	}
	for class, want := range tests {
		c := newEnv(t).set("KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", "partitioner.class="+class).mustLoad()
		cl := newClient(t, c.ProducerOpts())
		assert.Equal(t, want, reflect.TypeOf(cl.OptValue(kgo.RecordPartitioner)).String(), class)
	}
}

func TestCompressionTypes(t *testing.T) {
	for name, want := range map[string]kgo.CompressionCodec{
		"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(), "snappy": kgo.SnappyCompression(),
		"lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression(),
	} {
		c := newEnv(t).set("KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", "compression.type="+name).mustLoad()
		cl := newClient(t, c.ProducerOpts())
		assert.Equal(t, []kgo.CompressionCodec{want}, cl.OptValue(kgo.ProducerBatchCompression), name)
	}
}

func TestPropertyErrors(t *testing.T) {
	tests := []struct {
		side, props, want string
	}{
		{"CONSUMER", "max.poll.records=x", `consumer property max.poll.records: "x" is not an integer`},
		{"CONSUMER", "max.poll.records=0", `consumer property max.poll.records: "0" must be at least 1`},
		{"CONSUMER", "session.timeout.ms=99999999999", `consumer property session.timeout.ms: "99999999999" is not an integer`},
		{"CONSUMER", "metadata.max.age.ms=abc", `consumer property metadata.max.age.ms: "abc" is not a long integer`},
		{"CONSUMER", "auto.offset.reset=smallest", `consumer property auto.offset.reset: "smallest" is not one of latest, earliest, none`},
		{"CONSUMER", "enable.auto.commit=yes", `consumer property enable.auto.commit: "yes" is not a boolean (true or false)`},
		{"CONSUMER", "exclude.internal.topics=false", `consumer property exclude.internal.topics: "false" cannot be honoured`},
		{"CONSUMER", "isolation.level=serializable", `consumer property isolation.level: "serializable" is not one of read_uncommitted, read_committed`},
		{"CONSUMER", "partition.assignment.strategy=com.example.MyAssignor", `consumer property partition.assignment.strategy: "com.example.MyAssignor" names "com.example.MyAssignor", which is not one of Kafka's built-in assignors: kmm-mirror cannot load Java classes`},
		{"CONSUMER", "session.timeout.ms=1000\nheartbeat.interval.ms=2000", `consumer property heartbeat.interval.ms: "2000" must not be larger than session.timeout.ms (1000)`},
		{"CONSUMER", "group.protocol=consumer", `consumer property group.protocol: "consumer" is not supported`},
		{"CONSUMER", "ssl.endpoint.identification.algorithm=ldap", `consumer property ssl.endpoint.identification.algorithm: "ldap" is not supported`},
		{"CONSUMER", "ssl.enabled.protocols=SSLv3", `consumer property ssl.enabled.protocols: "SSLv3" names unsupported protocol "SSLv3"`},
		{"CONSUMER", "ssl.protocol=SSLv2", `consumer property ssl.protocol: "SSLv2" is not a supported protocol`},
		{"CONSUMER", "ssl.protocol=TLSv1.2\nssl.enabled.protocols=TLSv1.3", `consumer property ssl.protocol: "TLSv1.2" leaves no protocol`},
		{"CONSUMER", "ssl.cipher.suites=TLS_FOO", `consumer property ssl.cipher.suites: "TLS_FOO" names cipher suite "TLS_FOO" unknown to Go`},
		{"PRODUCER", "acks=2", `producer property acks: "2" is not one of all, -1, 0, 1`},
		{"PRODUCER", "linger.ms=-1", `producer property linger.ms: "-1" must be at least 0`},
		{"PRODUCER", "compression.type=brotli", `producer property compression.type: "brotli" is not one of none, gzip, snappy, lz4, zstd`},
		{"PRODUCER", "compression.type=gzip\ncompression.gzip.level=12", `producer property compression.gzip.level: "12" must be -1 or between 1 and 9`},
		{"PRODUCER", "max.request.size=100", `producer property max.request.size: "100" must be between 512`},
		{"PRODUCER", "delivery.timeout.ms=1000", `producer property delivery.timeout.ms: "1000" should be equal to or larger than linger.ms + request.timeout.ms (30000)`},
		{"PRODUCER", "partitioner.class=com.example.P", `producer property partitioner.class: "com.example.P" is not one of Kafka's built-in partitioners: kmm-mirror cannot load Java classes`},
		{"PRODUCER", "partitioner.ignore.keys=maybe", `producer property partitioner.ignore.keys: "maybe" is not a boolean`},
		{"PRODUCER", "buffer.memory=-5", `producer property buffer.memory: "-5" must be at least 0`},
		{"PRODUCER", "retries=many", `producer property retries: "many" is not an integer`},
		{"PRODUCER", "enable.idempotence=1", `producer property enable.idempotence: "1" is not a boolean`},
	}
	for _, tt := range tests {
		t.Run(tt.props, func(t *testing.T) {
			ce := newEnv(t).set("KAFKA_MIRRORMAKER_CONFIGURATION_"+tt.side, tt.props).
				set("KAFKA_MIRRORMAKER_TLS_"+tt.side, "true").loadErr()
			assert.True(t, strings.HasPrefix(ce.Error(), tt.want), "got %q\nwant prefix %q", ce.Error(), tt.want)
		})
	}
}

func TestTLSSettings(t *testing.T) {
	tests := []struct {
		props    string
		min, max uint16
		verify   bool
		suites   int
	}{
		{"", tls.VersionTLS12, tls.VersionTLS13, true, 0},
		{"ssl.endpoint.identification.algorithm=", tls.VersionTLS12, tls.VersionTLS13, false, 0},
		{"ssl.endpoint.identification.algorithm=HTTPS", tls.VersionTLS12, tls.VersionTLS13, true, 0},
		{"ssl.protocol=TLSv1.2", tls.VersionTLS12, tls.VersionTLS12, true, 0},
		{"ssl.enabled.protocols=TLSv1.3", tls.VersionTLS13, tls.VersionTLS13, true, 0},
		{"ssl.enabled.protocols=TLSv1.1, TLSv1.2", tls.VersionTLS11, tls.VersionTLS12, true, 0},
		{"ssl.cipher.suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256", tls.VersionTLS12, tls.VersionTLS13, true, 1},
		{"ssl.cipher.suites=TLS_AES_256_GCM_SHA384", tls.VersionTLS13, tls.VersionTLS13, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.props, func(t *testing.T) {
			c := newEnv(t).set("KAFKA_MIRRORMAKER_TLS_PRODUCER", "true", "KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", tt.props).mustLoad()
			cfg := newClient(t, c.ProducerOpts()).OptValue(kgo.DialTLSConfig).(*tls.Config)
			require.NotNil(t, cfg)
			assert.Equal(t, tt.min, cfg.MinVersion, "min")
			assert.Equal(t, tt.max, cfg.MaxVersion, "max")
			assert.Equal(t, !tt.verify, cfg.InsecureSkipVerify)
			assert.Equal(t, !tt.verify, cfg.VerifyConnection != nil)
			assert.Len(t, cfg.CipherSuites, tt.suites)
			assert.Nil(t, cfg.RootCAs, "no trusted certs: system roots")
			assert.Contains(t, c.ProducerSummary, "security.protocol=SSL")
		})
	}
}

func TestSSLPropertiesWithoutTLS(t *testing.T) {
	c := newEnv(t).set("KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER", "ssl.protocol=TLSv1.2").mustLoad()
	assert.Contains(t, notice(t, c, "consumer property ssl.protocol").Message, "ignored")
	assert.Nil(t, newClient(t, c.ConsumerOpts(0)).OptValue(kgo.DialTLSConfig).(*tls.Config))
}

func TestSecurityProtocolSummary(t *testing.T) {
	e := newEnv(t).set("KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER", "plain", "KAFKA_MIRRORMAKER_SASL_USERNAME_CONSUMER", "u",
		"KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_CONSUMER", "s/p",
		"KAFKA_MIRRORMAKER_TLS_PRODUCER", "true", "KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER", "scram-sha-256",
		"KAFKA_MIRRORMAKER_SASL_USERNAME_PRODUCER", "u", "KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_PRODUCER", "s/p")
	e.file("consumer-password/s/p", "x")
	e.file("producer-password/s/p", "x")
	c := e.mustLoad()
	assert.Contains(t, c.ConsumerSummary, "security.protocol=SASL_PLAINTEXT")
	assert.Contains(t, c.ConsumerSummary, "sasl.mechanism=PLAIN")
	assert.Contains(t, c.ProducerSummary, "security.protocol=SASL_SSL")
	assert.Contains(t, c.ProducerSummary, "sasl.mechanism=SCRAM-SHA-256")
	mechs := newClient(t, c.ProducerOpts()).OptValue(kgo.SASL)
	assert.Equal(t, "SCRAM-SHA-256", fmt.Sprint(reflect.ValueOf(mechs).Index(0).MethodByName("Name").Call(nil)[0]))
}
