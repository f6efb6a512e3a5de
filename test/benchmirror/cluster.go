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
	"crypto/rand"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	topic            = "bench"       // the source topic, and its mirror on the target
	limitTopicPrefix = "bench-limit" // the limit loop's round i copies the source topic to <prefix>-<i> on the target
	partitions       = 12
	recordBytes      = 1024 // value size; records have no key
	brokers          = 3    // per cluster, kfake's default and the usual minimum of a production cluster
)

// clusters are the source and target kfake clusters, served from this process on 127.0.0.1,
// with an admin client on each.
type clusters struct {
	src, dst           *kfake.Cluster
	srcAddrs, dstAddrs []string
	srcCl, dstCl       *kgo.Client
	srcAdm, dstAdm     *kadm.Client
}

// startClusters starts both clusters with the mirrored topic pre-created at 12 partitions on both
// (as are the limit loop's target topics later), so that the target partitioning does not depend
// on auto-creation defaults.
func startClusters() (*clusters, error) {
	c := &clusters{}
	var err error
	if c.src, err = kfake.NewCluster(kfake.NumBrokers(brokers), kfake.SeedTopics(partitions, topic)); err != nil {
		return nil, fmt.Errorf("source kfake cluster: %w", err)
	}
	if c.dst, err = kfake.NewCluster(kfake.NumBrokers(brokers), kfake.SeedTopics(partitions, topic),
		kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(partitions)); err != nil {
		c.src.Close()
		return nil, fmt.Errorf("target kfake cluster: %w", err)
	}
	c.srcAddrs, c.dstAddrs = c.src.ListenAddrs(), c.dst.ListenAddrs()
	if c.srcCl, err = kgo.NewClient(kgo.SeedBrokers(c.srcAddrs...)); err != nil {
		c.close()
		return nil, err
	}
	if c.dstCl, err = kgo.NewClient(kgo.SeedBrokers(c.dstAddrs...)); err != nil {
		c.close()
		return nil, err
	}
	c.srcAdm, c.dstAdm = kadm.NewClient(c.srcCl), kadm.NewClient(c.dstCl)
	logf("kfake clusters up: source %s, target %s (%d brokers each)", strings.Join(c.srcAddrs, ","), strings.Join(c.dstAddrs, ","), brokers)
	return c, nil
}

func (c *clusters) close() {
	for _, cl := range []*kgo.Client{c.srcCl, c.dstCl} {
		if cl != nil {
			cl.Close()
		}
	}
	for _, k := range []*kfake.Cluster{c.src, c.dst} {
		if k != nil {
			k.Close()
		}
	}
}

// endOffsets returns the high watermark of every partition of t and their sum, the number of
// records in t (nothing is ever deleted).
func endOffsets(ctx context.Context, adm *kadm.Client, t string) (map[int32]int64, int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	lo, err := adm.ListEndOffsets(ctx, t)
	if err != nil {
		return nil, 0, err
	}
	if err := lo.Error(); err != nil {
		return nil, 0, err
	}
	ends := map[int32]int64{}
	var sum int64
	lo.Each(func(o kadm.ListedOffset) {
		ends[o.Partition] = o.Offset
		sum += o.Offset
	})
	if len(ends) != partitions {
		return nil, 0, fmt.Errorf("topic %s has %d partitions, want %d", t, len(ends), partitions)
	}
	return ends, sum, nil
}

// payload is the value of every record: random, so that nothing along the way could profit from
// compressing it.
var payload = func() []byte {
	b := make([]byte, recordBytes)
	_, _ = rand.Read(b)
	return b
}()

// preload writes N records, spread evenly over the partitions, to the source topic.
func (b *bench) preload(ctx context.Context) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.kafka.srcAddrs...), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		return err
	}
	defer cl.Close()
	logf("pre-loading %d records into the source topic %s", b.cfg.n, topic)
	start := time.Now()
	var failed atomic.Pointer[error]
	promise := func(_ *kgo.Record, err error) {
		if err != nil {
			failed.CompareAndSwap(nil, &err)
		}
	}
	for i := range b.cfg.n {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		cl.Produce(ctx, &kgo.Record{Partition: int32(i % partitions), Value: payload}, promise)
	}
	if err := cl.Flush(ctx); err != nil {
		return err
	}
	if p := failed.Load(); p != nil {
		return *p
	}
	secs := time.Since(start).Seconds()
	_, sum, err := endOffsets(ctx, b.kafka.srcAdm, topic)
	if err != nil {
		return err
	}
	if sum != int64(b.cfg.n) {
		return fmt.Errorf("source topic holds %d records after pre-loading %d", sum, b.cfg.n)
	}
	b.res.PreloadRecordsPerSec = float64(b.cfg.n) / secs
	logf("pre-loaded in %.1f s (%.0f records/s into kfake)", secs, b.res.PreloadRecordsPerSec)
	return nil
}
