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
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// pollTimeout is how long one poll waits for records, as MirrorMaker 1's poll(Duration.ofSeconds(1)):
// an idle stream still reaches its commit point and marks progress once a second.
const pollTimeout = time.Second

// stream is one of MirrorMaker 1's mirror threads: a consumer in the group, copying into the
// shared producer. Its commit points are maybeCommit (periodic), onRevoked and close.
type stream struct {
	m        *Mirror
	id       int
	log      *slog.Logger
	consumer *kgo.Client

	// inflight counts the records this stream handed to the producer whose result (ack or
	// failure) is not known yet; a commit point waits for it to reach zero.
	inflight inflight
	// polled is the time (UnixNano) of the stream's last poll; answered counts the records the
	// target answered for. Together they tell whether the stream makes progress (sinceProgress)
	// without reading the clock for every record.
	polled   atomic.Int64
	answered atomic.Uint64
	// lastAnswered and answeredAt are sinceProgress's view of answered: its value at the last
	// look, and when it was last seen to change.
	progressMu   sync.Mutex
	lastAnswered uint64
	answeredAt   time.Time
	// joined is true while the consumer is a member of the group with an assignment.
	joined atomic.Bool
	// sentFn is s.sent, bound once: a method value passed per record would allocate per record.
	sentFn func(*kgo.Record, error)

	// mu guards handed and lastCommit. The loop holds it while it copies and commits, the
	// rebalance callbacks while they commit; BlockRebalanceOnPoll already keeps the two apart.
	mu sync.Mutex
	// handed holds, per partition, the offset after the last record handed to the producer and
	// not yet committed (MirrorMaker 1's offsets map: record.offset + 1, noted at hand-out).
	handed     map[string]map[int32]kgo.EpochOffset
	lastCommit time.Time
}

func newStream(m *Mirror, id int) (*stream, error) {
	s := &stream{
		m:      m,
		id:     id,
		log:    m.log.With("stream", id),
		handed: map[string]map[int32]kgo.EpochOffset{},
	}
	s.inflight.zero.L = &s.inflight.mu
	s.sentFn = s.sent
	s.markPolled()
	s.answeredAt = time.Now()
	opts := append(append([]kgo.Opt{}, m.cfg.ConsumerOpts(id)...),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsAssigned(s.onAssigned),
		kgo.OnPartitionsRevoked(s.onRevoked),
		kgo.OnPartitionsLost(s.onLost),
		kgo.WithLogger(kgoLogger{log: s.log.With("client", "consumer"), level: m.cfg.LogLevel}),
		kgo.WithHooks(m.metrics.connections("consumer"), groupErrors{s}),
	)
	c, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	s.consumer = c
	return s, nil
}

// run is the copy loop: poll, hand every record to the producer, reach the periodic commit
// point, let a pending rebalance in. It returns when ctx is done, after the final commit point.
func (s *stream) run(ctx context.Context) {
	defer s.close()
	s.mu.Lock()
	s.lastCommit = time.Now()
	s.mu.Unlock()
	for ctx.Err() == nil {
		pollCtx, cancel := context.WithTimeout(ctx, pollTimeout)
		fetches := s.consumer.PollRecords(pollCtx, s.m.cfg.MaxPollRecords)
		cancel()
		s.markPolled()
		if fetches.IsClientClosed() {
			return
		}
		s.checkFetchErrors(fetches)

		s.mu.Lock()
		s.copy(ctx, fetches)
		if time.Since(s.lastCommit) > s.m.cfg.OffsetCommitInterval {
			s.flushAndCommit("periodic")
			s.lastCommit = time.Now()
		}
		s.mu.Unlock()

		s.consumer.AllowRebalance()
	}
}

// copy hands the polled records to the producer. As MirrorMaker 1 checks its shutdown flag
// before each record, a shutdown stops the hand-out mid-batch: records not handed out are
// neither sent nor committed, so the next owner of the partition reads them again.
func (s *stream) copy(ctx context.Context, fetches kgo.Fetches) {
	fetches.EachPartition(func(p kgo.FetchTopicPartition) {
		var bytes int
		handed := 0
		for _, r := range p.Records {
			if ctx.Err() != nil {
				break
			}
			s.send(r)
			bytes += recordSize(r)
			handed++
		}
		if handed == 0 {
			return
		}
		// The partition's next offset: the one after the last record handed out.
		last := p.Records[handed-1]
		offsets := s.handed[p.Topic]
		if offsets == nil {
			offsets = map[int32]kgo.EpochOffset{}
			s.handed[p.Topic] = offsets
		}
		offsets[p.Partition] = kgo.EpochOffset{Epoch: last.LeaderEpoch, Offset: last.Offset + 1}
		s.m.metrics.consumed(p.Topic, handed, bytes)
		s.m.metrics.lag(p.Topic, p.Partition, p.HighWatermark-(last.Offset+1))
	})
}

// send copies one record as MirrorMaker 1's default message handler does: same topic, key,
// value (a nil value, a tombstone, stays nil), headers and timestamp; no partition, so the
// producer's partitioner picks it (murmur2 of the key, as Java's). A source timestamp of -1
// (none) becomes the zero time, which the producer replaces with the current time, as Java does.
func (s *stream) send(r *kgo.Record) {
	out := &kgo.Record{
		Topic:     r.Topic,
		Key:       r.Key,
		Value:     r.Value,
		Headers:   r.Headers,
		Timestamp: r.Timestamp,
	}
	if r.Timestamp.UnixMilli() < 0 {
		out.Timestamp = time.Time{}
	}
	s.inflight.add()
	ctx := s.m.deadlines.ctx()
	if !s.m.cfg.SyncSend {
		s.m.producer.Produce(ctx, out, s.sentFn)
		return
	}
	// producer.type=sync: every send waits for its answer, and a failure is fatal whatever
	// abort.on.send.failure says (MirrorMaker 1's send(record).get() throws in the thread).
	done := make(chan struct{})
	s.m.producer.Produce(ctx, out, func(r *kgo.Record, err error) {
		defer close(done)
		s.sent(r, err)
		if err != nil {
			s.m.fail(fmt.Errorf("synchronous send to topic %s: %w", r.Topic, err))
		}
	})
	<-done
}

// sent is the producer's answer for one record. The mirror's abort is recorded before the
// record leaves inflight, so a commit point that waited for inflight sees it and skips the commit.
func (s *stream) sent(r *kgo.Record, err error) {
	defer s.inflight.done()
	s.answered.Add(1)
	if err == nil {
		s.m.metrics.produced(r.Topic, recordSize(r))
		return
	}
	s.m.metrics.sendError(r.Topic)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("delivery.timeout.ms (%s) expired before the target acknowledged the record: %w", s.m.cfg.DeliveryTimeout, err)
	}
	if s.m.aborted() {
		// Records still buffered when the mirror aborted fail with the closed producer.
		return
	}
	s.log.Error("Error when sending message to topic",
		"topic", r.Topic, "key", sizeOf(r.Key), "value", sizeOf(r.Value), "err", err)
	if s.m.cfg.SyncSend {
		return
	}
	s.m.metrics.dropped()
	if s.m.cfg.AbortOnSendFailure {
		s.log.Info("Closing producer due to send failure.")
		s.m.fail(fmt.Errorf("send to topic %s: %w", r.Topic, err))
	}
}

// flushAndCommit is MirrorMaker 1's commit point: wait until the target answered for every
// record this stream handed out, then commit the handed-out offsets, unless the mirror is
// aborting, in which case nothing more may be committed. Called with s.mu held.
func (s *stream) flushAndCommit(why string) {
	s.inflight.wait()
	if s.m.aborted() {
		s.log.Info("Exiting on send failure, skip committing offsets.", "commit", why)
		return
	}
	if len(s.handed) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.m.cfg.CommitTimeout)
	defer cancel()
	start := time.Now()
	var failed []string
	var firstErr error
	s.consumer.CommitOffsetsSync(ctx, s.handed, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			firstErr = err
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					if firstErr == nil {
						firstErr = err
					}
					failed = append(failed, t.Topic+"-"+strconv.Itoa(int(p.Partition)))
					continue
				}
				// Committed: forget it, unless a newer offset was handed out meanwhile (never,
				// while s.mu is held, but the map is the source of truth).
				delete(s.handed[t.Topic], p.Partition)
				if len(s.handed[t.Topic]) == 0 {
					delete(s.handed, t.Topic)
				}
			}
		}
	})
	s.m.metrics.commit(time.Since(start), firstErr)
	if firstErr == nil {
		s.log.Debug("Committed offsets", "commit", why)
		return
	}
	if isFatal(firstErr) {
		s.m.fail(fmt.Errorf("commit offsets of group %s: %w", s.m.cfg.GroupID, firstErr))
		return
	}
	// MirrorMaker 1 keeps the offsets and tries again at the next commit point.
	s.log.Warn("Failed to commit offsets, will retry at the next commit point",
		"commit", why, "partitions", failed, "err", firstErr)
}

// onAssigned runs when the group gave this member its partitions (also an empty assignment).
func (s *stream) onAssigned(_ context.Context, _ *kgo.Client, assigned map[string][]int32) {
	s.joined.Store(true)
	s.m.metrics.rebalance(s.id, assigned)
	s.log.Info("Partitions assigned", "partitions", describePartitions(assigned))
}

// onRevoked is the rebalance commit point (MirrorMaker 1's onPartitionsRevoked): flush, commit
// everything handed out, forget the revoked partitions.
func (s *stream) onRevoked(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushAndCommit("partitions revoked")
	s.forget(revoked)
	s.m.metrics.revoked(s.id, revoked)
}

// onLost runs when the member lost its partitions without a rebalance (session expired,
// fenced): another member may own them now, so their offsets are not committed. MirrorMaker 1
// keeps them and commits them later, which can move the group's offsets backwards; dropping
// them cannot lose a record either, and keeps the group's offsets monotonic.
func (s *stream) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	s.joined.Store(false)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget(lost)
	s.m.metrics.revoked(s.id, lost)
	s.log.Warn("Partitions lost", "partitions", describePartitions(lost))
}

func (s *stream) forget(parts map[string][]int32) {
	for t, ps := range parts {
		for _, p := range ps {
			delete(s.handed[t], p)
		}
		if len(s.handed[t]) == 0 {
			delete(s.handed, t)
		}
	}
}

// close is the last commit point, as MirrorMaker 1's thread exit: flush, commit (skipped after
// an abort), then leave the group.
func (s *stream) close() {
	s.mu.Lock()
	s.flushAndCommit("shutdown")
	s.mu.Unlock()
	s.consumer.CloseAllowingRebalance()
	s.joined.Store(false)
}

// checkFetchErrors logs what a poll reported. An authentication or authorization failure is
// fatal, as the exception it raises in MirrorMaker 1's thread is; everything else the client
// retries by itself.
func (s *stream) checkFetchErrors(fetches kgo.Fetches) {
	fetches.EachError(func(topic string, partition int32, err error) {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return
		}
		if isFatal(err) {
			s.m.fail(fmt.Errorf("fetch %s-%d: %w", topic, partition, err))
			return
		}
		s.log.Warn("Fetch error", "topic", topic, "partition", partition, "err", err)
	})
}

func (s *stream) markPolled() { s.polled.Store(time.Now().UnixNano()) }

// sinceProgress is how long ago the stream last polled or last had a record answered (as far
// as the periodic looks of the health checks can tell).
func (s *stream) sinceProgress(now time.Time) time.Duration {
	s.progressMu.Lock()
	defer s.progressMu.Unlock()
	if n := s.answered.Load(); n != s.lastAnswered {
		s.lastAnswered, s.answeredAt = n, now
	}
	return min(now.Sub(time.Unix(0, s.polled.Load())), now.Sub(s.answeredAt))
}

// groupErrors tells the stream when its group session failed, so that readiness drops until
// it joins again.
type groupErrors struct{ s *stream }

func (g groupErrors) OnGroupManageError(err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, kgo.ErrClientClosed) {
		return
	}
	g.s.joined.Store(false)
	if isFatal(err) {
		g.s.m.fail(fmt.Errorf("consumer group %s: %w", g.s.m.cfg.GroupID, err))
		return
	}
	g.s.log.Warn("Consumer group error, rejoining", "err", err)
}

// isFatal reports errors no retry can fix: the credentials or the ACLs are wrong.
func isFatal(err error) bool {
	for _, e := range []error{
		kerr.SaslAuthenticationFailed, kerr.GroupAuthorizationFailed, kerr.TopicAuthorizationFailed,
		kerr.ClusterAuthorizationFailed, kerr.TransactionalIDAuthorizationFailed,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// inflight is a counter a commit point can wait on until it is zero. Adding and finishing a
// record are one atomic operation each; the lock is taken only when the count reaches zero.
type inflight struct {
	n    atomic.Int64
	mu   sync.Mutex
	zero sync.Cond
}

func (f *inflight) add() { f.n.Add(1) }

func (f *inflight) done() {
	if f.n.Add(-1) == 0 {
		// Under the lock, so a waiter between its check and its Wait cannot miss it.
		f.mu.Lock()
		f.zero.Broadcast()
		f.mu.Unlock()
	}
}

// wait blocks until no record is in flight. Like MirrorMaker 1's producer.flush() it has no
// timeout: with the target unreachable and no delivery.timeout.ms, it waits (the liveness check
// then reports the stall).
func (f *inflight) wait() {
	f.mu.Lock()
	for f.n.Load() > 0 {
		f.zero.Wait()
	}
	f.mu.Unlock()
}

// recordSize is the bytes of a record the metrics count: key, value and headers.
func recordSize(r *kgo.Record) int {
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

// sizeOf renders a key or value as MirrorMaker 1's ErrorLoggingCallback does: its length, never
// its content.
func sizeOf(b []byte) string {
	if b == nil {
		return "null"
	}
	return strconv.Itoa(len(b)) + " bytes"
}

func describePartitions(parts map[string][]int32) string {
	n := 0
	for _, ps := range parts {
		n += len(ps)
	}
	return fmt.Sprintf("%d partitions of %d topics", n, len(parts))
}
