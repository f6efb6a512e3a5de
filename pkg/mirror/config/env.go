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

// Variables of kmm-mirror itself (not rendered by the operator).
const (
	envTmpDir         = "KMM_MIRROR_TMP_DIR"
	envMetricsAddress = "KMM_MIRROR_METRICS_ADDRESS"
)

// jvmOnly are variables the operator renders (or users commonly set) that only configure the JVM
// or Java agents of the Java image (mirrormaker1-dataplane.md §8 last row; strimzi-kafkamirrormaker.md
// §3.6, §3.8, §6.1). They become notices when set.
var jvmOnly = []struct{ name, why string }{
	{"KAFKA_HEAP_OPTS", "JVM only"},
	{"KAFKA_JVM_PERFORMANCE_OPTS", "JVM only"},
	{"KAFKA_OPTS", "JVM only"},
	{"STRIMZI_JAVA_SYSTEM_PROPERTIES", "JVM only"},
	{"STRIMZI_DYNAMIC_HEAP_PERCENTAGE", "JVM only"},
	{"STRIMZI_DYNAMIC_HEAP_MAX", "JVM only"},
	{"FIPS_MODE", "JVM only (Go's crypto is used as built)"},
	{"KAFKA_LOG4J_OPTS", "JVM only (the level is read from custom-config/log4j.properties)"},
	{"GC_LOG_ENABLED", "JVM only"},
	{"LOG_DIR", "JVM only"},
	{"STRIMZI_TRACING", "tracing agents are JVM only; kmm-mirror does not trace"},
}

// loader carries the state of one Load.
type loader struct {
	lookup func(string) (string, bool)
	base   string
	n      notices
}

// get returns a variable's value, "" when unset.
func (l *loader) get(name string) string {
	v, _ := l.lookup(name)
	return v
}

// Load reads the container contract of the Java MirrorMaker 1 image (strimzi-kafkamirrormaker.md
// §3.6, §6; mirrormaker1-dataplane.md §1, §8) from lookup (os.LookupEnv in production) and from
// the files the operator mounts below $KAFKA_HOME (default /opt/kafka), and returns the
// configuration with franz-go options carrying MirrorMaker 1's defaults. A configuration Java
// MirrorMaker 1 would not have started with is a *Error; the caller exits 1 (§1.2). Load does not
// contact any broker or token endpoint.
func Load(lookup func(string) (string, bool)) (*Config, error) {
	l := &loader{lookup: lookup}
	c, err := l.load()
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (l *loader) load() (*Config, error) {
	c := &Config{}
	l.base = l.get("KAFKA_HOME")
	if l.base == "" {
		l.base = defaultKafkaHome
	}
	c.KafkaHome = l.base
	if c.TmpDir = l.get(envTmpDir); c.TmpDir == "" {
		c.TmpDir = "/tmp"
	}
	if c.MetricsAddress = l.get(envMetricsAddress); c.MetricsAddress == "" {
		c.MetricsAddress = ":9404"
	}
	l.jvmNotices()

	c.Include = l.get(envInclude)
	inc, err := parseInclude(c.Include)
	if err != nil {
		return nil, err
	}
	inc.notices(&l.n)
	c.TopicRegex, c.Topics = inc.regex, inc.topics

	groupVar := consumerSide.v("GROUPID")
	if c.GroupID = l.get(groupVar); c.GroupID == "" {
		return nil, errorf(groupVar, "must be set (group.id)")
	}
	if err := l.cliOptions(c); err != nil {
		return nil, err
	}
	if c.LogLevel, err = logLevel(l.base, &l.n); err != nil {
		return nil, err
	}

	cp, err := l.properties(consumerSide)
	if err != nil {
		return nil, err
	}
	pp, err := l.properties(producerSide)
	if err != nil {
		return nil, err
	}
	cconn, err := l.connect(consumerSide, cp)
	if err != nil {
		return nil, err
	}
	pconn, err := l.connect(producerSide, pp)
	if err != nil {
		return nil, err
	}
	cm, err := mapConsumer(cp, &l.n, c.GroupID, c.TopicRegex)
	if err != nil {
		return nil, err
	}
	pm, err := mapProducer(pp, &l.n)
	if err != nil {
		return nil, err
	}
	if !cp.has("partition.assignment.strategy") {
		// MirrorMaker 1 prints this to stderr when the strategy is not configured (MM L520-524).
		l.n.warn(cp.name("partition.assignment.strategy"), "not set: using [range, cooperative-sticky] like MirrorMaker 1 (\"The default partition assignment strategy of the mirror maker will change from 'range' to 'roundrobin' in an upcoming release\")")
	}
	cp.leftovers(&l.n, consumerJavaOnly)
	pp.leftovers(&l.n, producerJavaOnly)

	c.MaxPollRecords = cm.maxPollRecords
	c.CommitTimeout = cm.commitTimeout
	c.SyncSend = pm.syncSend
	c.DeliveryTimeout = pm.deliveryTimeout
	c.consumerOpts = consumerOptsFunc(cconn.opts, cm, c.GroupID, c.NumStreams)
	c.producerOpts = append(append([]kgo.Opt(nil), pconn.opts...), pm.opts...)

	c.ConsumerSummary = append(append(append([]string(nil), cconn.summary...), "group.id="+c.GroupID, "client.id="+clientIDSummary(c.GroupID, c.NumStreams)), cp.summary()...)
	c.ProducerSummary = append(append([]string(nil), pconn.summary...), pp.summary()...)
	c.Notices = l.n
	return c, nil
}

// consumerOptsFunc returns the per-stream option builder: shared options plus MirrorMaker 1's
// client id <group>-<i> and, with several streams, group.instance.id suffixed -<i> so that the
// streams of one pod do not fence each other (mirrormaker1-dataplane.md §6, §9.2).
func consumerOptsFunc(conn []kgo.Opt, cm *consumerMapping, group string, streams int) func(int) []kgo.Opt {
	return func(stream int) []kgo.Opt {
		opts := make([]kgo.Opt, 0, len(conn)+len(cm.opts)+2)
		opts = append(opts, conn...)
		opts = append(opts, cm.opts...)
		opts = append(opts, kgo.ClientID(streamClientID(group, stream)))
		if cm.instanceID != "" {
			id := cm.instanceID
			if streams > 1 {
				id = fmt.Sprintf("%s-%d", id, stream)
			}
			opts = append(opts, kgo.InstanceID(id))
		}
		return opts
	}
}

func clientIDSummary(group string, streams int) string {
	if streams == 1 {
		return streamClientID(group, 0)
	}
	return streamClientID(group, 0) + ".." + streamClientID(group, streams-1)
}

// properties parses KAFKA_MIRRORMAKER_CONFIGURATION_<S>.
func (l *loader) properties(s side) (*props, error) {
	name := s.v("CONFIGURATION")
	list, err := parseProperties(l.get(name))
	if err != nil {
		return nil, &Error{Name: name, Reason: "is not a valid Java properties text", Err: err}
	}
	return newProps(s.name, list), nil
}

// jvmNotices reports set JVM-only variables.
func (l *loader) jvmNotices() {
	for _, v := range jvmOnly {
		if val, ok := l.lookup(v.name); ok && val != "" {
			l.n.info(v.name, "ignored: %s", v.why)
		}
	}
	if l.get("STRIMZI_KAFKA_GC_LOG_ENABLED") == "true" {
		l.n.info("STRIMZI_KAFKA_GC_LOG_ENABLED", "ignored: JVM only (Go has no GC log)")
	}
}

// cliOptions reads the variables the run script turns into MirrorMaker 1 options (§1.1, RUN
// L83-107); an empty variable means the option is absent, as the script tests with -n.
func (l *loader) cliOptions(c *Config) error {
	var err error
	if c.NumStreams, err = l.intVar("KAFKA_MIRRORMAKER_NUMSTREAMS", 1, 1); err != nil {
		return err
	}
	interval, err := l.intVar("KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL", 60000, math32Min)
	if err != nil {
		return err
	}
	if interval < 0 {
		// MirrorMaker 1 compares "now - last > interval": a negative interval commits after every
		// record, as 0 does.
		l.n.info("KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL", "%d is negative: offsets are committed after every record, as with 0", interval)
		interval = 0
	}
	c.OffsetCommitInterval = time.Duration(interval) * time.Millisecond

	c.AbortOnSendFailure = true
	if v := l.get("KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE"); v != "" {
		// Scala's String.toBoolean: true or false, any case.
		switch strings.ToLower(v) {
		case "true":
		case "false":
			c.AbortOnSendFailure = false
		default:
			return valueError("KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE", v, "is not a boolean (true or false)")
		}
	}
	c.MetricsEnabled = l.get("KAFKA_MIRRORMAKER_METRICS_ENABLED") == "true"

	if h := l.get("KAFKA_MIRRORMAKER_MESSAGE_HANDLER"); h != "" {
		return valueError("KAFKA_MIRRORMAKER_MESSAGE_HANDLER", h, "names a Java message handler class: kmm-mirror cannot load Java classes")
	}
	if a := l.get("KAFKA_MIRRORMAKER_MESSAGE_HANDLER_ARGS"); a != "" {
		l.n.warn("KAFKA_MIRRORMAKER_MESSAGE_HANDLER_ARGS", "ignored: no message handler is set (MirrorMaker 1 ignores it too)")
	}

	readiness, err := l.intVar("STRIMZI_READINESS_PERIOD", 10, 0)
	if err != nil {
		return err
	}
	liveness, err := l.intVar("STRIMZI_LIVENESS_PERIOD", 10, 0)
	if err != nil {
		return err
	}
	c.ReadinessPeriod = time.Duration(readiness) * time.Second
	c.LivenessPeriod = time.Duration(liveness) * time.Second
	return nil
}

const math32Min = -1 << 31

// intVar reads a variable holding a Java Integer (jopt-simple's Integer.valueOf after bash word
// splitting trimmed it), at least lo; def when unset or empty.
func (l *loader) intVar(name string, def, lo int) (int, error) {
	v := strings.TrimSpace(l.get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, valueError(name, l.get(name), "is not an integer")
	}
	if int(n) < lo {
		return 0, valueError(name, l.get(name), "must be at least %d", lo)
	}
	return int(n), nil
}
