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
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// consumerMapping is the mapped consumer configuration shared by every stream.
type consumerMapping struct {
	opts           []kgo.Opt // everything but client id and instance id
	instanceID     string    // group.instance.id, "" when unset
	maxPollRecords int
	commitTimeout  time.Duration
}

// Class names of Kafka's built-in assignors and the kgo balancers that speak the same protocol.
var assignors = map[string]func() kgo.GroupBalancer{
	"org.apache.kafka.clients.consumer.RangeAssignor":             kgo.RangeBalancer,
	"org.apache.kafka.clients.consumer.RoundRobinAssignor":        kgo.RoundRobinBalancer,
	"org.apache.kafka.clients.consumer.StickyAssignor":            kgo.StickyBalancer,
	"org.apache.kafka.clients.consumer.CooperativeStickyAssignor": kgo.CooperativeStickyBalancer,
	"RangeAssignor":             kgo.RangeBalancer,
	"RoundRobinAssignor":        kgo.RoundRobinBalancer,
	"StickyAssignor":            kgo.StickyBalancer,
	"CooperativeStickyAssignor": kgo.CooperativeStickyBalancer,
	"range":                     kgo.RangeBalancer,
	"roundrobin":                kgo.RoundRobinBalancer,
	"sticky":                    kgo.StickyBalancer,
	"cooperative-sticky":        kgo.CooperativeStickyBalancer,
}

const defaultAssignors = "org.apache.kafka.clients.consumer.RangeAssignor,org.apache.kafka.clients.consumer.CooperativeStickyAssignor"

// consumerJavaOnly are consumer keys kgo has no use for, and why.
var consumerJavaOnly = withCommon(map[string]string{
	"key.deserializer":              "MirrorMaker 1 forces ByteArrayDeserializer; records are copied as bytes",
	"value.deserializer":            "MirrorMaker 1 forces ByteArrayDeserializer; records are copied as bytes",
	"auto.commit.interval.ms":       "kmm-mirror commits only offsets of records the target acknowledged",
	"check.crcs":                    "kgo always validates record CRCs",
	"allow.auto.create.topics":      "a pattern subscription never creates topics",
	"internal.leave.group.on.close": "kgo always leaves the group on close, as Java's default",
	"group.remote.assignor":         "only used by the KIP-848 protocol, which kmm-mirror does not use",
	"client.id":                     "MirrorMaker 1 forces client.id <group>-<stream>",
	"metadata.max.idle.ms":          "Java-only setting",
})

// DefaultFetchMaxBytes is kmm-mirror's default fetch.max.bytes, the most one fetch from a broker
// returns: 1 MiB, not Java's 50 MiB. A mirror holds each fetched batch until the target has
// acknowledged its records, so what a fetch may return is what the process must keep in memory,
// per broker; 1 MiB per round trip and broker keeps a mirror of 1 KiB records near the copy rate
// of a bare consume-and-produce loop on a local network at a fraction of its memory
// (docs/benchmarks.md). Over a link with a long round trip, raise it (and buffer.memory).
const DefaultFetchMaxBytes = 1 << 20

// mapConsumer maps KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER to kgo options with MirrorMaker 1's
// consumer defaults (mirrormaker1-dataplane.md §2.1, §9.1, §9.2). topicRegex is the Java include
// pattern, which kgo gets anchored because its ConsumeRegex matches unanchored.
func mapConsumer(p *props, n *notices, group, topicRegex string) (*consumerMapping, error) {
	m := &consumerMapping{}
	common, err := mapClientCommon(p, n)
	if err != nil {
		return nil, err
	}
	opts := append(common, kgo.ConsumerGroup(group), kgo.ConsumeRegex(), kgo.ConsumeTopics(anchored(topicRegex)))

	reset, err := p.choice("auto.offset.reset", "latest", false, "latest", "earliest", "none")
	if err != nil {
		return nil, err
	}
	switch reset {
	case "latest":
		opts = append(opts, kgo.ConsumeStartOffset(kgo.NewOffset().AtEnd()), kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()))
	case "earliest":
		opts = append(opts, kgo.ConsumeStartOffset(kgo.NewOffset().AtStart()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	case "none":
		opts = append(opts, kgo.ConsumeStartOffset(kgo.NewOffset().AtCommitted()), kgo.ConsumeResetOffset(kgo.NoResetOffset()))
	}

	autoCommit, _, err := p.boolean("enable.auto.commit", false)
	if err != nil {
		return nil, err
	}
	if autoCommit {
		n.warn(p.name("enable.auto.commit"), "ignored: kmm-mirror commits only offsets of records the target acknowledged")
		p.setEffective("enable.auto.commit", "false")
	}

	balancers, err := mapAssignors(p)
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.Balancers(balancers...))

	session, _, err := p.millis("session.timeout.ms", 45000, 0, 32)
	if err != nil {
		return nil, err
	}
	heartbeat, _, err := p.millis("heartbeat.interval.ms", 3000, 0, 32)
	if err != nil {
		return nil, err
	}
	if session < minRequestOverhead {
		return nil, p.invalid("session.timeout.ms", p.vals["session.timeout.ms"], "must be at least 100")
	}
	if heartbeat > session {
		return nil, p.invalid("heartbeat.interval.ms", strconv.FormatInt(heartbeat.Milliseconds(), 10), "must not be larger than session.timeout.ms (%d)", session.Milliseconds())
	}
	pollInterval, _, err := p.millis("max.poll.interval.ms", 300000, 1, 32)
	if err != nil {
		return nil, err
	}
	if pollInterval < minRequestOverhead {
		return nil, p.invalid("max.poll.interval.ms", p.vals["max.poll.interval.ms"], "must be at least 100 (kgo's smallest rebalance timeout)")
	}
	opts = append(opts, kgo.SessionTimeout(session), kgo.HeartbeatInterval(heartbeat), kgo.RebalanceTimeout(pollInterval))

	records, _, err := p.int32Prop("max.poll.records", 500, 1)
	if err != nil {
		return nil, err
	}
	m.maxPollRecords = int(records)

	minBytes, _, err := p.int32Prop("fetch.min.bytes", 1, 0)
	if err != nil {
		return nil, err
	}
	maxBytes, _, err := p.int32Prop("fetch.max.bytes", DefaultFetchMaxBytes, 0)
	if err != nil {
		return nil, err
	}
	partBytes, _, err := p.int32Prop("max.partition.fetch.bytes", 1048576, 0)
	if err != nil {
		return nil, err
	}
	if maxBytes > 1<<30 {
		return nil, p.invalid("fetch.max.bytes", p.vals["fetch.max.bytes"], "is above kgo's limit of %d", 1<<30)
	}
	if maxBytes > 100<<20 {
		opts = append(opts, kgo.BrokerMaxReadBytes(int32(maxBytes)))
	}
	wait, _, err := p.millis("fetch.max.wait.ms", 500, 0, 32)
	if err != nil {
		return nil, err
	}
	wait = clamp(p, n, "fetch.max.wait.ms", wait, 10*time.Millisecond, time.Duration(1<<31-1)*time.Millisecond)
	opts = append(opts, kgo.FetchMinBytes(int32(minBytes)), kgo.FetchMaxBytes(int32(maxBytes)),
		kgo.FetchMaxPartitionBytes(int32(partBytes)), kgo.FetchMaxWait(wait))

	isolation, err := p.choice("isolation.level", "read_uncommitted", false, "read_uncommitted", "read_committed")
	if err != nil {
		return nil, err
	}
	if isolation == "read_committed" {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	} else {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadUncommitted()))
	}

	exclude, _, err := p.boolean("exclude.internal.topics", true)
	if err != nil {
		return nil, err
	}
	if !exclude {
		return nil, p.invalid("exclude.internal.topics", p.vals["exclude.internal.topics"], "cannot be honoured: kgo's regex subscription never consumes internal topics")
	}

	protocol, err := p.choice("group.protocol", "classic", true, "classic", "consumer")
	if err != nil {
		return nil, err
	}
	if protocol == "consumer" {
		// KIP-848 is early access in Kafka 3.9 and needs kgo's ServerSideBalancer on Kafka 4.
		return nil, p.invalid("group.protocol", p.vals["group.protocol"], "is not supported: kmm-mirror uses the classic group protocol")
	}

	if v, ok := p.str("group.instance.id"); ok && strings.TrimSpace(v) != "" {
		m.instanceID = strings.TrimSpace(v)
		p.setEffective("group.instance.id", m.instanceID)
	}
	if v, ok := p.str("client.rack"); ok && strings.TrimSpace(v) != "" {
		opts = append(opts, kgo.Rack(strings.TrimSpace(v)))
		p.setEffective("client.rack", strings.TrimSpace(v))
	}

	apiTimeout, _, err := p.millis("default.api.timeout.ms", 60000, 0, 32)
	if err != nil {
		return nil, err
	}
	m.commitTimeout = apiTimeout

	if v, ok := p.vals["client.id"]; ok {
		p.use("client.id")
		n.info(p.name("client.id"), "ignored: MirrorMaker 1 forces client.id <group>-<stream> (%q given)", v)
	}
	p.setEffective("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer")
	p.setEffective("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer")
	for _, key := range []string{"key.deserializer", "value.deserializer"} {
		if v, ok := p.vals[key]; ok {
			p.use(key)
			n.info(p.name(key), "ignored: MirrorMaker 1 forces ByteArrayDeserializer (%q given)", v)
		}
	}
	m.opts = opts
	return m, nil
}

// mapAssignors maps partition.assignment.strategy (default [RangeAssignor,
// CooperativeStickyAssignor], so a group mixing Java and Go members agrees on range) to kgo
// balancers; a class that is not one of Kafka's four built-in assignors cannot be loaded.
func mapAssignors(p *props) ([]kgo.GroupBalancer, error) {
	v, ok := p.str("partition.assignment.strategy")
	if !ok {
		v = defaultAssignors
	}
	var out []kgo.GroupBalancer
	seen := map[string]bool{}
	for _, name := range splitList(v) {
		mk, known := assignors[name]
		if !known {
			return nil, p.invalid("partition.assignment.strategy", v, "names %q, which is not one of Kafka's built-in assignors: kmm-mirror cannot load Java classes", name)
		}
		b := mk()
		if seen[b.ProtocolName()] {
			continue
		}
		seen[b.ProtocolName()] = true
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, p.invalid("partition.assignment.strategy", v, "names no assignor")
	}
	p.setEffective("partition.assignment.strategy", v)
	return out, nil
}

// streamClientID is MirrorMaker 1's forced consumer client.id (MM L111-115).
func streamClientID(group string, stream int) string { return fmt.Sprintf("%s-%d", group, stream) }
