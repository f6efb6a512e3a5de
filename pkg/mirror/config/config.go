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

// Package config turns the container contract of Strimzi's MirrorMaker 1 image (the
// KAFKA_MIRRORMAKER_* variables the operator renders and the files it mounts under /opt/kafka)
// into franz-go client options with MirrorMaker 1's defaults, so that kmm-mirror runs in the pod
// the operator renders with nothing changed but the image.
package config

import (
	"log/slog"
	"regexp"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Config is everything the copy loop needs, read once at start.
type Config struct {
	// Include is KAFKA_MIRRORMAKER_INCLUDE as given; TopicRegex is the Java regular expression
	// MirrorMaker 1 made of it (the run script's word splitting, then Kafka's TopicFilter);
	// Topics is TopicRegex compiled to match a whole topic name.
	Include    string
	TopicRegex string
	Topics     *regexp.Regexp

	GroupID              string        // KAFKA_MIRRORMAKER_GROUPID_CONSUMER
	NumStreams           int           // KAFKA_MIRRORMAKER_NUMSTREAMS, default 1
	OffsetCommitInterval time.Duration // KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL, default 60 s
	AbortOnSendFailure   bool          // KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE, default true
	SyncSend             bool          // producer property producer.type=sync
	// DeliveryTimeout is the producer's delivery.timeout.ms, counted from each record's send
	// (Java's meaning); zero means none (MirrorMaker 1's default of Integer.MAX_VALUE ms).
	DeliveryTimeout time.Duration

	// MaxPollRecords is the consumer's max.poll.records (default 500); CommitTimeout its
	// default.api.timeout.ms (default 60 s), the bound of one offset commit.
	MaxPollRecords int
	CommitTimeout  time.Duration

	MetricsEnabled  bool          // KAFKA_MIRRORMAKER_METRICS_ENABLED=true
	ReadinessPeriod time.Duration // STRIMZI_READINESS_PERIOD seconds, default 10
	LivenessPeriod  time.Duration // STRIMZI_LIVENESS_PERIOD seconds, default 10
	LogLevel        slog.Level    // mirrormaker.root.logger of the mounted log4j.properties, default INFO

	// KafkaHome is $KAFKA_HOME, default /opt/kafka: the base of every mounted file
	// (<base>/<side>-certs, <base>/<side>-password, <base>/<side>-oauth-certs, <base>/custom-config).
	KafkaHome string
	// TmpDir is KMM_MIRROR_TMP_DIR, default /tmp: where the mirror-maker-ready and
	// mirror-maker-alive files live.
	TmpDir string
	// MetricsAddress is KMM_MIRROR_METRICS_ADDRESS, default ":9404": where Prometheus metrics are
	// served when MetricsEnabled.
	MetricsAddress string

	// Notices are logged once at start: properties and variables that are ignored, and values
	// MirrorMaker 1 would override. They never contain secret values.
	Notices []Notice

	// Summary is the effective configuration of each side as "key=value" lines, with every
	// secret replaced by [hidden], for the start-up log (as the image's run script prints it).
	ConsumerSummary []string
	ProducerSummary []string

	consumerOpts func(stream int) []kgo.Opt
	producerOpts []kgo.Opt
}

// Notice is one start-up message about the configuration.
type Notice struct {
	Level   slog.Level
	Message string
	// Name is the variable, file or property the notice is about.
	Name string
}

// ConsumerOpts returns the options of the consumer of stream i (0 ≤ i < NumStreams): seed
// brokers, TLS, SASL, consumer group (GroupID, balancers, client id "<group>-<i>"), the topic
// regex, start and reset offsets, and the mapped consumer properties. The copy loop adds its
// own: DisableAutoCommit, BlockRebalanceOnPoll, the rebalance callbacks, hooks and the logger.
func (c *Config) ConsumerOpts(stream int) []kgo.Opt { return c.consumerOpts(stream) }

// ProducerOpts returns the options of the one producer all streams share: seed brokers, TLS,
// SASL, client id, MirrorMaker 1's producer defaults and the mapped producer properties.
func (c *Config) ProducerOpts() []kgo.Opt { return c.producerOpts }
