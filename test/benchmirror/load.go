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

package main

import (
	"context"
	"encoding/binary"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	// latencyRate is the records/s of the latency and SIGKILL runs.
	latencyRate = 5000
	// sentHeader carries the wall-clock time (Unix ns, big endian) the benchmark handed a record
	// to its producer; the record timestamp would do, but the producer truncates it to ms.
	sentHeader = "kmm-bench-sent"
	// idHeader carries a record's sequence number (big endian) within its stream.
	idHeader = "kmm-bench-id"
	// streamHeader names the stream (the run) a record belongs to.
	streamHeader = "kmm-bench-stream"
)

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// header returns the value of the header key of r, or nil.
func header(r *kgo.Record, key string) []byte {
	for _, h := range r.Headers {
		if h.Key == key {
			return h.Value
		}
	}
	return nil
}

// stream produces records to the source topic at a fixed rate. It has a producer of its own with
// linger 0, so that its batching adds nothing to the latency measured. Every record carries the
// stream's name, its sequence number and the time it was handed to the producer.
type stream struct {
	name   string
	cl     *kgo.Client
	sent   atomic.Int64
	failed atomic.Pointer[error]
}

// newStream connects to the source and produces one record to each partition (sequence numbers
// 0 to partitions-1, the warm-up), so that connections and metadata are in place before anything
// is timed; the mirror copies them like any other.
func (b *bench) newStream(ctx context.Context, name string) (*stream, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.kafka.srcAddrs...), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerLinger(0), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		return nil, err
	}
	s := &stream{name: name, cl: cl}
	for range partitions {
		if err := cl.ProduceSync(ctx, s.record()).FirstErr(); err != nil {
			cl.Close()
			return nil, err
		}
	}
	return s, nil
}

// record returns the stream's next record.
func (s *stream) record() *kgo.Record {
	seq := s.sent.Add(1) - 1
	return &kgo.Record{Partition: int32(seq % partitions), Value: payload, Headers: []kgo.RecordHeader{
		{Key: streamHeader, Value: []byte(s.name)},
		{Key: idHeader, Value: u64(uint64(seq))},
		{Key: sentHeader, Value: u64(uint64(time.Now().UnixNano()))},
	}}
}

// run produces rate records/s for d (or until stop is closed when d is 0), round-robin over the
// partitions. It catches up on ticks it missed, so the average rate holds on a loaded machine.
func (s *stream) run(ctx context.Context, rate int, d time.Duration, stop <-chan struct{}) {
	start := time.Now()
	base := s.sent.Load()
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	promise := func(_ *kgo.Record, err error) {
		if err != nil {
			s.failed.CompareAndSwap(nil, &err)
		}
	}
	for {
		elapsed := time.Since(start)
		if d > 0 && elapsed >= d {
			return
		}
		due := base + int64(elapsed.Seconds()*float64(rate))
		for s.sent.Load() < due {
			s.cl.Produce(ctx, s.record(), promise)
		}
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// finish flushes what the stream produced and returns the first error; the caller closes s.cl.
func (s *stream) finish(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.cl.Flush(ctx); err != nil {
		return err
	}
	if p := s.failed.Load(); p != nil {
		return *p
	}
	return nil
}
