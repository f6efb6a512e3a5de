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
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// limitCommand is the first argument with which the benchmark binary runs the limit loop instead
// of the benchmark. The loop runs in a process of its own, like the mirror, so that both compete
// with the in-process kfake clusters for the CPUs in the same way.
const limitCommand = "limit"

// startLimit re-executes the benchmark binary as the limit loop (round i), copying N records of
// the source topic to t on the target; its output goes to .local/bench/limit-<i>.log.
func (b *bench) startLimit(i int, t string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(b.outDir, fmt.Sprintf("limit-%d.log", i))
	_ = os.Remove(logPath)
	return b.startChild(fmt.Sprintf("limit loop %d", i), logPath, self, nil, limitCommand,
		"-from", strings.Join(b.kafka.srcAddrs, ","), "-to", strings.Join(b.kafka.dstAddrs, ","),
		"-topic", topic, "-target-topic", t, "-records", strconv.Itoa(b.cfg.n))
}

// runLimit is the limit: a bare franz-go consume-and-produce loop with no group, no offsets, no
// flushes and no bookkeeping, kgo defaults apart from the producer settings MirrorMaker 1 has and
// kmm-mirror keeps (linger 0, no compression). Once it has copied -records records it waits for
// SIGTERM (exit 0), so that the benchmark can read its VmHWM and CPU time in /proc first.
func runLimit(args []string) error {
	fs := flag.NewFlagSet(limitCommand, flag.ContinueOnError)
	from := fs.String("from", "", "source bootstrap servers, comma-separated")
	to := fs.String("to", "", "target bootstrap servers, comma-separated")
	src := fs.String("topic", "", "source topic")
	dst := fs.String("target-topic", "", "target topic")
	records := fs.Int("records", 0, "records to copy before exiting")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *src == "" || *dst == "" || *records < 1 {
		return errors.New("-from, -to, -topic, -target-topic and -records are required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	consumer, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(*from, ",")...), kgo.ConsumeTopics(*src),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return err
	}
	defer consumer.Close()
	producer, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(*to, ",")...), kgo.DefaultProduceTopic(*dst),
		kgo.ProducerLinger(0), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		return err
	}
	defer producer.Close()

	var failed atomic.Pointer[error]
	promise := func(_ *kgo.Record, err error) {
		if err != nil {
			failed.CompareAndSwap(nil, &err)
		}
	}
	start := time.Now()
	copied := 0
	for copied < *records {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			return fmt.Errorf("fetching %s[%d]: %w", errs[0].Topic, errs[0].Partition, errs[0].Err)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			producer.Produce(ctx, &kgo.Record{Key: r.Key, Value: r.Value, Headers: r.Headers, Timestamp: r.Timestamp}, promise)
			copied++
		})
		if p := failed.Load(); p != nil {
			return *p
		}
	}
	// Every record is produced: the benchmark may send SIGTERM any time from now on, which must
	// not cut the flush short.
	flushCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := producer.Flush(flushCtx); err != nil {
		return err
	}
	if p := failed.Load(); p != nil {
		return *p
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "limit loop: copied %d records from %s to %s in %.2f s (%.0f records/s); waiting for SIGTERM\n", copied, *src, *dst, secs, float64(copied)/secs)
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Minute):
	}
	return nil
}
