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
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kmm-operator/kmm-operator/pkg/mirror/config"
)

// These tests run the engine in-process against two kfake clusters; test/mirror runs the
// binary the same way a pod does.

const group = "mirror-test"

func cluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func client(t *testing.T, c *kfake.Cluster, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return cl
}

// newMirror loads the configuration from env as the binary does.
func newMirror(t *testing.T, env map[string]string) (*Mirror, *prometheus.Registry) {
	t.Helper()
	env["KAFKA_HOME"] = t.TempDir()
	env["KMM_MIRROR_TMP_DIR"] = t.TempDir()
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	m, err := New(cfg, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})), reg)
	require.NoError(t, err)
	return m, reg
}

func baseEnv(source, target *kfake.Cluster, include string) map[string]string {
	return map[string]string{
		"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER": strings.Join(source.ListenAddrs(), ","),
		"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER": strings.Join(target.ListenAddrs(), ","),
		"KAFKA_MIRRORMAKER_GROUPID_CONSUMER":           group,
		"KAFKA_MIRRORMAKER_INCLUDE":                    include,
		"KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL":     "100",
		"KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER":     "auto.offset.reset=earliest\n",
		"KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER":     "",
		"STRIMZI_READINESS_PERIOD":                     "1",
		"STRIMZI_LIVENESS_PERIOD":                      "1",
	}
}

// produce writes n records to topic (keys k<i>, every tenth value nil) and returns the end
// offsets per partition.
func produce(t *testing.T, c *kfake.Cluster, topic string, n int, value func(i int) []byte) {
	t.Helper()
	cl := client(t, c, kgo.DefaultProduceTopic(topic))
	for i := 0; i < n; i++ {
		r := &kgo.Record{Key: []byte(fmt.Sprintf("k%d", i)), Value: value(i),
			Headers: []kgo.RecordHeader{{Key: "id", Value: []byte(fmt.Sprint(i))}}}
		cl.Produce(context.Background(), r, func(_ *kgo.Record, err error) { require.NoError(t, err) })
	}
	require.NoError(t, cl.Flush(context.Background()))
}

func endOffsets(t *testing.T, c *kfake.Cluster, topic string) map[int32]int64 {
	t.Helper()
	adm := kadm.NewClient(client(t, c))
	ends, err := adm.ListEndOffsets(context.Background(), topic)
	require.NoError(t, err)
	out := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { out[o.Partition] = o.Offset })
	return out
}

func committed(t *testing.T, c *kfake.Cluster, topic string) map[int32]int64 {
	t.Helper()
	adm := kadm.NewClient(client(t, c))
	out := map[int32]int64{}
	offs, err := adm.FetchOffsets(context.Background(), group)
	if err != nil {
		return out // the group does not exist yet
	}
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic {
			out[o.Partition] = o.At
		}
	})
	return out
}

func total(m map[int32]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

func run(m *Mirror) (context.CancelFunc, chan error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	return cancel, done
}

func wait(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("mirror did not stop within 30 s")
		return nil
	}
}

func TestCopiesAndCommitsWhatTheTargetAcknowledged(t *testing.T) {
	source := cluster(t, kfake.SeedTopics(3, "orders", "other"))
	target := cluster(t, kfake.SeedTopics(3, "orders"))
	produce(t, source, "orders", 600, func(i int) []byte {
		if i%10 == 0 {
			return nil
		}
		return []byte(fmt.Sprintf("v%d", i))
	})
	produce(t, source, "other", 10, func(int) []byte { return []byte("x") })

	m, reg := newMirror(t, baseEnv(source, target, "orders"))
	cancel, done := run(m)
	require.Eventually(t, func() bool { return total(endOffsets(t, target, "orders")) == 600 },
		20*time.Second, 50*time.Millisecond, "every record reaches the target")
	assertMetricsDocumented(t, reg) // while running: the lag of assigned partitions is shown
	cancel()
	require.NoError(t, wait(t, done), "a shutdown is clean")

	assert.Equal(t, endOffsets(t, source, "orders"), committed(t, source, "orders"),
		"the shutdown commit covers every record, and only records the target acknowledged")
	assert.Empty(t, committed(t, source, "other"), "topics the include does not match are not read")
	assert.Equal(t, 600.0, testutil.ToFloat64(m.metrics.recordsProduced.WithLabelValues("orders")))
	assert.Equal(t, 600.0, testutil.ToFloat64(m.metrics.recordsConsumed.WithLabelValues("orders")))
	assert.Positive(t, testutil.ToFloat64(m.metrics.commits))
	n, err := testutil.GatherAndCount(reg, "kmm_mirror_records_produced_total")
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	// The records arrive intact, each on the partition its key hashes to.
	cons := client(t, target, kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	want := kgo.StickyKeyPartitioner(nil).ForTopic("orders")
	seen := 0
	for seen < 600 {
		ctx, c := context.WithTimeout(context.Background(), 10*time.Second)
		fs := cons.PollFetches(ctx)
		c()
		require.NoError(t, fs.Err0())
		fs.EachRecord(func(r *kgo.Record) {
			seen++
			var i int
			_, err := fmt.Sscanf(string(r.Key), "k%d", &i)
			require.NoError(t, err)
			if i%10 == 0 {
				assert.Nil(t, r.Value, "a tombstone stays a tombstone")
			} else {
				assert.Equal(t, fmt.Sprintf("v%d", i), string(r.Value))
			}
			require.Len(t, r.Headers, 1)
			assert.Equal(t, fmt.Sprint(i), string(r.Headers[0].Value))
			assert.Equal(t, want.Partition(r, 3), int(r.Partition), "murmur2 partition of key %s", r.Key)
		})
	}
}

// A record the target refuses (larger than max.request.size) with abort.on.send.failure=true:
// the mirror stops (exit 255 in the binary) and commits nothing past it.
func TestSendFailureAbortsWithoutCommittingPastIt(t *testing.T) {
	source := cluster(t, kfake.SeedTopics(1, "t"))
	target := cluster(t, kfake.SeedTopics(1, "t"))
	small := func(int) []byte { return []byte("small") }
	produce(t, source, "t", 30, small)
	env := baseEnv(source, target, "t")
	env["KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER"] = "max.request.size=2048\n"
	env["KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL"] = "0" // a commit point after every poll
	m, _ := newMirror(t, env)
	_, done := run(m)
	require.Eventually(t, func() bool { return committed(t, source, "t")[0] == 30 },
		20*time.Second, 50*time.Millisecond, "the first records are mirrored and committed")

	produce(t, source, "t", 20, func(i int) []byte {
		if i == 0 {
			return make([]byte, 4096) // offset 30
		}
		return small(i)
	})
	err := wait(t, done)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrAborted), "%v", err)
	assert.Equal(t, 1.0, testutil.ToFloat64(m.metrics.droppedRecords))
	assert.Equal(t, int64(30), committed(t, source, "t")[0], "no offset past the failed record is committed")
}

// With abort.on.send.failure=false the failed record is counted as dropped and skipped, as
// MirrorMaker 1 does.
func TestSendFailureWithoutAbortDropsTheRecord(t *testing.T) {
	source := cluster(t, kfake.SeedTopics(1, "t"))
	target := cluster(t, kfake.SeedTopics(1, "t"))
	produce(t, source, "t", 50, func(i int) []byte {
		if i == 30 {
			return make([]byte, 4096)
		}
		return []byte("small")
	})
	env := baseEnv(source, target, "t")
	env["KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER"] = "max.request.size=2048\n"
	env["KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE"] = "false"
	m, _ := newMirror(t, env)
	cancel, done := run(m)
	require.Eventually(t, func() bool { return total(endOffsets(t, target, "t")) == 49 },
		20*time.Second, 50*time.Millisecond)
	cancel()
	require.NoError(t, wait(t, done))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.metrics.droppedRecords))
	assert.Equal(t, int64(50), committed(t, source, "t")[0], "the dropped record's offset is committed too")
}

// testWriter sends the mirror's log to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

var _ io.Writer = testWriter{}

// delivery.timeout.ms counts from the send, as Java's does, not from the record's timestamp:
// records written years ago are mirrored to a healthy target with a short timeout.
func TestDeliveryTimeoutCountsFromTheSend(t *testing.T) {
	source := cluster(t, kfake.SeedTopics(2, "t"))
	target := cluster(t, kfake.SeedTopics(2, "t"))
	cl := client(t, source, kgo.DefaultProduceTopic("t"))
	old := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	for i := 0; i < 100; i++ {
		require.NoError(t, cl.ProduceSync(context.Background(), &kgo.Record{Value: []byte("v"), Timestamp: old}).FirstErr())
	}
	env := baseEnv(source, target, "t")
	env["KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER"] = "delivery.timeout.ms=31000\nrequest.timeout.ms=1000\n"
	m, _ := newMirror(t, env)
	cancel, done := run(m)
	require.Eventually(t, func() bool { return total(endOffsets(t, target, "t")) == 100 },
		20*time.Second, 50*time.Millisecond)
	cancel()
	require.NoError(t, wait(t, done))
	assert.Zero(t, testutil.ToFloat64(m.metrics.droppedRecords))

	mirrored := client(t, target, kgo.ConsumeTopics("t"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	ctx, c := context.WithTimeout(context.Background(), 10*time.Second)
	defer c()
	fs := mirrored.PollFetches(ctx)
	require.NoError(t, fs.Err0())
	fs.EachRecord(func(r *kgo.Record) { assert.True(t, r.Timestamp.Equal(old), "the source timestamp is kept") })
}

func TestSendDeadlines(t *testing.T) {
	var none sendDeadlines
	assert.Nil(t, none.ctx().Done(), "no delivery.timeout.ms: records never expire")

	d := sendDeadlines{timeout: time.Hour}
	now := time.Now()
	a := d.at(now)
	assert.Same(t, a, d.at(now.Add(deadlineGranularity/2)), "records sent close together share a deadline")
	b := d.at(now.Add(2 * deadlineGranularity))
	assert.NotSame(t, a, b)
	for _, ctx := range []context.Context{a, b} {
		dl, ok := ctx.Deadline()
		require.True(t, ok)
		assert.GreaterOrEqual(t, dl.Sub(now), time.Hour, "a record never expires before its timeout")
	}

	short := sendDeadlines{timeout: time.Millisecond}
	ctx := short.ctx()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the deadline did not expire")
	}
	assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
}

// assertMetricsDocumented checks that docs/kmm-mirror.md names exactly the metrics the mirror
// registers, so a dashboard built from the documentation finds every series.
func assertMetricsDocumented(t *testing.T, reg *prometheus.Registry) {
	t.Helper()
	doc, err := os.ReadFile("../../docs/kmm-mirror.md")
	require.NoError(t, err)
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`(kmm_mirror_[a-z_]+)`").FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}
	families, err := reg.Gather()
	require.NoError(t, err)
	registered := map[string]bool{}
	for _, f := range families {
		registered[f.GetName()] = true
	}
	assert.Equal(t, documented, registered)
}

// The liveness file follows the copy loop: it is re-created while every stream polls or has
// records answered, and not once a stream made no progress for the stall timeout.
func TestLivenessFollowsTheCopyLoop(t *testing.T) {
	source := cluster(t, kfake.SeedTopics(1, "t"))
	target := cluster(t, kfake.SeedTopics(1, "t"))
	m, _ := newMirror(t, baseEnv(source, target, "t"))
	t.Cleanup(m.closeClients)
	h := newHealth(m)
	h.stall = time.Minute
	s := m.streams[0]

	s.markPolled()
	h.checkAlive()
	assert.FileExists(t, h.alivePath, "a stream that just polled is alive")

	require.NoError(t, os.Remove(h.alivePath)) // what the liveness probe does
	stalled := time.Now().Add(-2 * time.Minute)
	s.polled.Store(stalled.UnixNano())
	s.answeredAt = stalled
	h.checkAlive()
	assert.NoFileExists(t, h.alivePath, "a stream stuck for longer than the stall timeout is not alive")

	s.answered.Add(1) // the target answered for a record: progress, though the loop did not poll
	h.checkAlive()
	assert.FileExists(t, h.alivePath)

	assert.Equal(t, 90*time.Second, StallTimeout(30*time.Second))
	assert.Equal(t, 90*time.Second, StallTimeout(60*time.Second), "longer than the default commit timeout")
	assert.Equal(t, 150*time.Second, StallTimeout(2*time.Minute))
	assert.Equal(t, 5*time.Second, refreshInterval(10*time.Second), "the agent's period/2")
	assert.Equal(t, time.Second, refreshInterval(3*time.Second), "in whole seconds, as the agent's integer division")
	assert.Equal(t, minHealthInterval, refreshInterval(time.Second))
}
