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
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// producerMapping is the mapped producer configuration.
type producerMapping struct {
	opts            []kgo.Opt
	syncSend        bool
	deliveryTimeout time.Duration
}

// producerJavaOnly are producer keys kgo has no use for, and why.
var producerJavaOnly = withCommon(map[string]string{
	"key.serializer":                      "MirrorMaker 1 forces ByteArraySerializer; records are copied as bytes",
	"value.serializer":                    "MirrorMaker 1 forces ByteArraySerializer; records are copied as bytes",
	"max.block.ms":                        "producing blocks while the buffer is full, as with MirrorMaker 1's unbounded default",
	"partitioner.availability.timeout.ms": "kgo's adaptive partitioner has no availability timeout",
	"transactional.id":                    "MirrorMaker 1 never uses transactions",
	"transaction.timeout.ms":              "MirrorMaker 1 never uses transactions",
	"metadata.max.idle.ms":                "Java-only setting",
	"compression.lz4.level":               "kgo uses its own lz4 level scale; the default level is used",
	"compression.zstd.level":              "kgo uses its own zstd level scale; the default level is used",
})

// Partitioner classes Kafka ships and their kgo equivalents.
var partitioners = map[string]func() kgo.Partitioner{
	"org.apache.kafka.clients.producer.internals.DefaultPartitioner": func() kgo.Partitioner { return kgo.StickyKeyPartitioner(nil) },
	"org.apache.kafka.clients.producer.UniformStickyPartitioner":     kgo.StickyPartitioner,
	"org.apache.kafka.clients.producer.RoundRobinPartitioner":        kgo.RoundRobinPartitioner,
	"DefaultPartitioner":       func() kgo.Partitioner { return kgo.StickyKeyPartitioner(nil) },
	"UniformStickyPartitioner": kgo.StickyPartitioner,
	"RoundRobinPartitioner":    kgo.RoundRobinPartitioner,
}

// maxIdempotentInflight is Java's MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE.
const maxIdempotentInflight = 5

// DefaultBufferMemory is kmm-mirror's default buffer.memory, the bytes of records sent but not yet
// acknowledged by the target: 8 MiB, not Java's 32 MiB (sized for a JVM heap of hundreds of MiB).
// Each record also holds the fetched batch it came from until it is acknowledged, so this bounds
// most of the mirror's memory. Smaller is not better: when the target is slow to answer for a
// moment, a full buffer stops the copy loop, and in make bench-mirror 2 and 4 MiB turned such
// moments into a p99 latency of 200-400 ms where 8 MiB kept it at 2 ms (docs/benchmarks.md).
const DefaultBufferMemory = 8 << 20

// mapProducer maps KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER to kgo options with MirrorMaker 1's
// producer defaults (mirrormaker1-dataplane.md §2.2, §9.1, §9.2):
//
//   - acks (default all), enable.idempotence, retries and max.in.flight.requests.per.connection
//     (MirrorMaker 1 default 1) follow ProducerConfig.postProcessAndValidateIdempotenceConfigs:
//     idempotence is on by default but silently off when acks is not all, retries is 0 or more
//     than 5 requests may be in flight, unless enable.idempotence=true was given, which makes those
//     combinations an error. kgo accepts MaxProduceRequestsInflightPerBroker only without
//     idempotence; with it kgo keeps up to 5 requests in flight and the sequence numbers keep the
//     order, as Java's idempotent producer does;
//   - compression.type (default none; kgo's is snappy), compression.gzip.level;
//   - linger.ms (default 0; kgo's is 10 ms);
//   - max.request.size (default 1048576) → ProducerBatchMaxBytes. kgo has no per-partition
//     "batch.size" target: its batch limit is what bounds a single record, which in Java is
//     max.request.size. batch.size instead sets how many bytes the built-in uniform sticky
//     partitioner sends to one partition before switching, which is what Java's built-in
//     partitioner uses it for;
//   - delivery.timeout.ms (MirrorMaker 1 default 2147483647, i.e. none) → Config.DeliveryTimeout,
//     which the copy loop applies per record from its send. Not kgo's RecordDeliveryTimeout: that
//     counts from the record's timestamp, which for a mirrored record is the source's, so every
//     record older than the timeout would fail at once;
//   - partitioner.class: Kafka's three partitioners map to kgo's; unset uses the built-in
//     UniformBytesPartitioner with partitioner.ignore.keys and
//     partitioner.adaptive.partitioning.enable;
//   - buffer.memory (kmm-mirror's default DefaultBufferMemory, not Java's 32 MiB) → MaxBufferedBytes;
//   - producer.type=sync → Config.SyncSend (MirrorMaker 1 removes the key before building the
//     producer);
//   - request.timeout.ms also becomes ProduceRequestTimeout, the timeout Java sends in Produce;
//   - AllowAutoTopicCreation and UnknownTopicRetries(-1): Java asks the broker to create missing
//     topics and waits for them forever.
func mapProducer(p *props, n *notices) (*producerMapping, error) {
	m := &producerMapping{}
	common, err := mapClientCommon(p, n)
	if err != nil {
		return nil, err
	}
	opts := append(common, kgo.AllowAutoTopicCreation(), kgo.UnknownTopicRetries(-1))

	if v, ok := p.str("producer.type"); ok {
		m.syncSend = v == "sync"
		p.setEffective("producer.type", v)
	}

	clientID := "producer-1"
	if v, ok := p.str("client.id"); ok && v != "" {
		clientID = v
	}
	p.setEffective("client.id", clientID)
	opts = append(opts, kgo.ClientID(clientID))

	acksValue, err := p.choice("acks", "all", true, "all", "-1", "0", "1")
	if err != nil {
		return nil, err
	}
	acks := map[string]kgo.Acks{"all": kgo.AllISRAcks(), "-1": kgo.AllISRAcks(), "1": kgo.LeaderAck(), "0": kgo.NoAck()}[acksValue]
	allAcks := acksValue == "all" || acksValue == "-1"
	opts = append(opts, kgo.RequiredAcks(acks))

	retries, retriesSet, err := p.int32Prop("retries", math.MaxInt32, 0)
	if err != nil {
		return nil, err
	}
	inflight, _, err := p.int32Prop("max.in.flight.requests.per.connection", 1, 1)
	if err != nil {
		return nil, err
	}
	idempotent, explicit, err := p.boolean("enable.idempotence", true)
	if err != nil {
		return nil, err
	}
	if idempotent {
		var why string
		switch {
		case retries == 0:
			why = "retries is 0"
		case !allAcks:
			why = "acks is not all"
		case inflight > maxIdempotentInflight:
			why = "max.in.flight.requests.per.connection is more than 5"
		}
		if why != "" {
			if explicit {
				return nil, p.invalid("enable.idempotence", p.vals["enable.idempotence"], "cannot be honoured because %s", why)
			}
			n.info(p.name("enable.idempotence"), "idempotence is disabled because %s, as the Java producer does", why)
			idempotent = false
			p.setEffective("enable.idempotence", "false")
		}
	}
	if !idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite(), kgo.MaxProduceRequestsInflightPerBroker(int(inflight)))
	}
	if retriesSet && retries < math.MaxInt32 {
		opts = append(opts, kgo.RecordRetries(int(retries)))
	}

	codec, err := mapCompression(p)
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.ProducerBatchCompression(codec))

	linger, _, err := p.millis("linger.ms", 0, 0, 64)
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.ProducerLinger(clamp(p, n, "linger.ms", linger, 0, time.Minute)))

	maxRequest, _, err := p.int32Prop("max.request.size", 1048576, 0)
	if err != nil {
		return nil, err
	}
	if maxRequest < 512 || maxRequest > 1<<30 {
		return nil, p.invalid("max.request.size", strconv.FormatInt(maxRequest, 10), "must be between 512 and %d for kgo", 1<<30)
	}
	opts = append(opts, kgo.ProducerBatchMaxBytes(int32(maxRequest)))
	if maxRequest > 100<<20 {
		opts = append(opts, kgo.BrokerMaxWriteBytes(int32(maxRequest)))
	}

	reqTimeout, _, err := p.millis("request.timeout.ms", 30000, 0, 32)
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.ProduceRequestTimeout(max(reqTimeout, 100*time.Millisecond)))

	delivery, deliverySet, err := p.millis("delivery.timeout.ms", math.MaxInt32, 0, 32)
	if err != nil {
		return nil, err
	}
	if deliverySet && delivery < math.MaxInt32*time.Millisecond {
		if delivery < linger+reqTimeout {
			return nil, p.invalid("delivery.timeout.ms", p.vals["delivery.timeout.ms"], "should be equal to or larger than linger.ms + request.timeout.ms (%d)", (linger + reqTimeout).Milliseconds())
		}
		m.deliveryTimeout = clamp(p, n, "delivery.timeout.ms", delivery, time.Second, delivery)
		// Java fails a record at its delivery timeout even when its request was sent; kgo's
		// idempotent producer keeps such records unless told it may fail them. A record failed so
		// may reach the target after all: a duplicate, as with Java, never a loss.
		opts = append(opts, kgo.AllowIdempotentProduceCancellation())
	}

	part, err := mapPartitioner(p)
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.RecordPartitioner(part))

	buffer, _, err := p.integer("buffer.memory", DefaultBufferMemory, 0, 64)
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.MaxBufferedBytes(int(buffer)))

	p.setEffective("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer")
	p.setEffective("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer")
	for _, key := range []string{"key.serializer", "value.serializer"} {
		if v, ok := p.vals[key]; ok {
			p.use(key)
			n.info(p.name(key), "ignored: MirrorMaker 1 forces ByteArraySerializer (%q given)", v)
		}
	}
	m.opts = opts
	return m, nil
}

// mapCompression maps compression.type (none, gzip, snappy, lz4, zstd) and compression.gzip.level.
func mapCompression(p *props) (kgo.CompressionCodec, error) {
	name, err := p.choice("compression.type", "none", false, "none", "gzip", "snappy", "lz4", "zstd")
	if err != nil {
		return kgo.CompressionCodec{}, err
	}
	switch name {
	case "gzip":
		level, set, err := p.int32Prop("compression.gzip.level", -1, -1)
		if err != nil {
			return kgo.CompressionCodec{}, err
		}
		if set && (level == 0 || level > 9) {
			return kgo.CompressionCodec{}, p.invalid("compression.gzip.level", p.vals["compression.gzip.level"], "must be -1 or between 1 and 9")
		}
		if set && level > 0 {
			return kgo.GzipCompression().WithLevel(int(level)), nil
		}
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.NoCompression(), nil
}

// mapPartitioner maps partitioner.class, partitioner.ignore.keys,
// partitioner.adaptive.partitioning.enable and batch.size.
func mapPartitioner(p *props) (kgo.Partitioner, error) {
	batch, _, err := p.int32Prop("batch.size", 16384, 0)
	if err != nil {
		return nil, err
	}
	ignoreKeys, _, err := p.boolean("partitioner.ignore.keys", false)
	if err != nil {
		return nil, err
	}
	adaptive, _, err := p.boolean("partitioner.adaptive.partitioning.enable", true)
	if err != nil {
		return nil, err
	}
	if v, ok := p.str("partitioner.class"); ok && strings.TrimSpace(v) != "" {
		mk, known := partitioners[strings.TrimSpace(v)]
		if !known {
			return nil, p.invalid("partitioner.class", v, "is not one of Kafka's built-in partitioners: kmm-mirror cannot load Java classes")
		}
		p.setEffective("partitioner.class", strings.TrimSpace(v))
		return mk(), nil
	}
	return kgo.UniformBytesPartitioner(int(max(batch, 1)), adaptive, !ignoreKeys, nil), nil
}
