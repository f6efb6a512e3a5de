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
package mirror

import (
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
)

// metrics are kmm-mirror's Prometheus metrics (names in docs/kmm-mirror.md). The JVM
// MirrorMaker exposed only what a user's JMX exporter rules made of its MBeans; these are fixed
// names, one per question an operator of a mirror asks.
type metrics struct {
	recordsConsumed *prometheus.CounterVec
	bytesConsumed   *prometheus.CounterVec
	recordsProduced *prometheus.CounterVec
	bytesProduced   *prometheus.CounterVec
	sendErrors      *prometheus.CounterVec
	droppedRecords  prometheus.Counter
	commits         prometheus.Counter
	commitFailures  prometheus.Counter
	commitLatency   prometheus.Histogram
	consumerLag     *prometheus.GaugeVec
	rebalances      prometheus.Counter
	assigned        *prometheus.GaugeVec
	connectionCount *prometheus.GaugeVec
	ready           prometheus.Gauge

	// topics caches the per-topic children of the vectors the producer's callbacks update for
	// every record, to spare a label lookup per record.
	topics sync.Map // topic → *topicMetrics

	connsMu sync.Mutex
	conns   map[string]*connSet
}

type topicMetrics struct {
	produced, producedBytes, sendErrors prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	const ns = "kmm_mirror"
	m := &metrics{
		recordsConsumed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "records_consumed_total",
			Help: "Records read from the source cluster and handed to the producer."}, []string{"topic"}),
		bytesConsumed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "bytes_consumed_total",
			Help: "Bytes (key, value and headers) of the records read from the source cluster."}, []string{"topic"}),
		recordsProduced: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "records_produced_total",
			Help: "Records the target cluster acknowledged."}, []string{"topic"}),
		bytesProduced: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "bytes_produced_total",
			Help: "Bytes (key, value and headers) of the records the target cluster acknowledged."}, []string{"topic"}),
		sendErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "send_errors_total",
			Help: "Records the producer failed to deliver to the target cluster."}, []string{"topic"}),
		droppedRecords: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "dropped_records_total",
			Help: "Records whose send failed (MirrorMaker 1's numDroppedMessages); with abort.on.send.failure=false their offsets are committed, so they are skipped."}),
		commits: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "commits_total",
			Help: "Offset commits that succeeded."}),
		commitFailures: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "commit_failures_total",
			Help: "Offset commits that failed (retried at the next commit point)."}),
		commitLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "commit_latency_seconds",
			Help:    "Time an offset commit took, after the records it covers were acknowledged.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}),
		consumerLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "consumer_lag",
			Help: "Records in a source partition after the last one handed to the producer (high watermark minus next offset), as of the last fetch."}, []string{"topic", "partition"}),
		rebalances: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "rebalances_total",
			Help: "Assignments the consumers received from the group (one per member per rebalance)."}),
		assigned: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "assigned_partitions",
			Help: "Source partitions assigned to each stream (consumer) of this process."}, []string{"stream"}),
		connectionCount: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "connection_count",
			Help: "Open broker connections of the consumers (client=consumer) and the producer (client=producer)."}, []string{"client"}),
		ready: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "ready",
			Help: "1 while the readiness file exists: both clusters answering, every consumer in the group, the copy loop not stalled."}),
		conns: map[string]*connSet{},
	}
	if reg != nil {
		reg.MustRegister(m.recordsConsumed, m.bytesConsumed, m.recordsProduced, m.bytesProduced, m.sendErrors,
			m.droppedRecords, m.commits, m.commitFailures, m.commitLatency, m.consumerLag, m.rebalances,
			m.assigned, m.connectionCount, m.ready)
	}
	return m
}

// producerBuffer registers the producer's buffered records and bytes: sent and not yet
// answered by the target, bounded by buffer.memory.
func (m *metrics) producerBuffer(reg prometheus.Registerer, p *kgo.Client) {
	if reg == nil {
		return
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "kmm_mirror", Name: "producer_buffered_records",
			Help: "Records handed to the producer and not yet answered by the target."},
			func() float64 { return float64(p.BufferedProduceRecords()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "kmm_mirror", Name: "producer_buffered_bytes",
			Help: "Bytes (key, value, headers) of the records handed to the producer and not yet answered by the target; at most buffer.memory."},
			func() float64 { return float64(p.BufferedProduceBytes()) }),
	)
}

func (m *metrics) topic(t string) *topicMetrics {
	if tm, ok := m.topics.Load(t); ok {
		return tm.(*topicMetrics)
	}
	tm, _ := m.topics.LoadOrStore(t, &topicMetrics{
		produced:      m.recordsProduced.WithLabelValues(t),
		producedBytes: m.bytesProduced.WithLabelValues(t),
		sendErrors:    m.sendErrors.WithLabelValues(t),
	})
	return tm.(*topicMetrics)
}

func (m *metrics) consumed(topic string, records, bytes int) {
	m.recordsConsumed.WithLabelValues(topic).Add(float64(records))
	m.bytesConsumed.WithLabelValues(topic).Add(float64(bytes))
}

func (m *metrics) produced(topic string, bytes int) {
	tm := m.topic(topic)
	tm.produced.Inc()
	tm.producedBytes.Add(float64(bytes))
}

func (m *metrics) sendError(topic string) { m.topic(topic).sendErrors.Inc() }
func (m *metrics) dropped()               { m.droppedRecords.Inc() }

func (m *metrics) lag(topic string, partition int32, lag int64) {
	if lag < 0 {
		lag = 0
	}
	m.consumerLag.WithLabelValues(topic, strconv.Itoa(int(partition))).Set(float64(lag))
}

func (m *metrics) commit(took time.Duration, err error) {
	if err != nil {
		m.commitFailures.Inc()
		return
	}
	m.commits.Inc()
	m.commitLatency.Observe(took.Seconds())
}

func (m *metrics) rebalance(stream int, assigned map[string][]int32) {
	m.rebalances.Inc()
	n := 0
	for _, ps := range assigned {
		n += len(ps)
	}
	m.assigned.WithLabelValues(strconv.Itoa(stream)).Add(float64(n))
}

// revoked forgets the lag of partitions this process no longer reads: a stale lag would alert.
func (m *metrics) revoked(stream int, parts map[string][]int32) {
	n := 0
	for t, ps := range parts {
		for _, p := range ps {
			m.consumerLag.DeleteLabelValues(t, strconv.Itoa(int(p)))
		}
		n += len(ps)
	}
	m.assigned.WithLabelValues(strconv.Itoa(stream)).Sub(float64(n))
}

// connections returns the hook that counts the open broker connections of one kind of client
// (all consumers share "consumer") in kmm_mirror_connection_count.
func (m *metrics) connections(client string) *connSet {
	m.connsMu.Lock()
	defer m.connsMu.Unlock()
	if c, ok := m.conns[client]; ok {
		return c
	}
	c := &connSet{open: map[net.Conn]struct{}{}, gauge: m.connectionCount.WithLabelValues(client)}
	m.conns[client] = c
	return c
}

// connSet is a kgo hook keeping the set of a client's open connections. A set, not a counter:
// kgo reports the close of a connection whose initialisation (SASL, ApiVersions) failed, but
// not its opening.
type connSet struct {
	mu    sync.Mutex
	open  map[net.Conn]struct{}
	gauge prometheus.Gauge
}

var (
	_ kgo.HookBrokerConnect    = (*connSet)(nil)
	_ kgo.HookBrokerDisconnect = (*connSet)(nil)
)

func (c *connSet) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, conn net.Conn, err error) {
	if err != nil || conn == nil {
		return
	}
	c.mu.Lock()
	c.open[conn] = struct{}{}
	c.gauge.Set(float64(len(c.open)))
	c.mu.Unlock()
}

func (c *connSet) OnBrokerDisconnect(_ kgo.BrokerMetadata, conn net.Conn) {
	c.mu.Lock()
	delete(c.open, conn)
	c.gauge.Set(float64(len(c.open)))
	c.mu.Unlock()
}
