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

package mirrortest

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ProducerOpts are the options for a franz-go client that writes source records: explicit
// partitions (Record.Partition), or the Kafka partitioner for records without one.
func ProducerOpts() []kgo.Opt {
	return []kgo.Opt{
		kgo.RecordPartitioner(kgo.BasicConsistentPartitioner(func(string) func(*kgo.Record, int) int {
			return func(r *kgo.Record, n int) int {
				if r.Partition >= 0 {
					return int(r.Partition)
				}
				if r.Key == nil {
					return 0
				}
				return int(KeyPartition(r.Key, int32(n)))
			}
		})),
		kgo.ProducerLinger(0),
	}
}

// Produce writes recs with cl (built with ProducerOpts) and returns them with the partitions and
// offsets they got.
func Produce(ctx context.Context, cl *kgo.Client, recs []Record) ([]Record, error) {
	krs := make([]*kgo.Record, len(recs))
	for i := range recs {
		krs[i] = toKgo(&recs[i])
	}
	if err := cl.ProduceSync(ctx, krs...).FirstErr(); err != nil {
		return nil, fmt.Errorf("produce: %w", err)
	}
	out := make([]Record, len(krs))
	for i, kr := range krs {
		out[i] = fromKgo(kr)
	}
	return out, nil
}

func toKgo(r *Record) *kgo.Record {
	kr := &kgo.Record{Topic: r.Topic, Partition: r.Partition, Key: r.Key, Value: r.Value, Timestamp: r.Timestamp}
	for _, h := range r.Headers {
		kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
	}
	return kr
}

func fromKgo(kr *kgo.Record) Record {
	r := Record{Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset, Key: kr.Key, Value: kr.Value, Timestamp: kr.Timestamp}
	for _, h := range kr.Headers {
		r.Headers = append(r.Headers, Header{Key: h.Key, Value: h.Value})
	}
	return r
}

// ReadAll reads every record of the topics that is below the high watermark at the time of
// the call, using a fresh franz-go client that consumes the partitions directly (no group).
func ReadAll(ctx context.Context, c *Cluster, topics ...string) ([]Record, error) {
	recs, err := ReadAllWith(ctx, c.ClientOpts(), topics...)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", c.Name, err)
	}
	return recs, nil
}

// ReadAllWith is ReadAll for a cluster reached with the client options opts.
func ReadAllWith(ctx context.Context, opts []kgo.Opt, topics ...string) ([]Record, error) {
	admCl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	defer admCl.Close()
	ends, err := EndOffsets(ctx, kadm.NewClient(admCl), topics...)
	if err != nil {
		return nil, err
	}
	want := map[string]map[int32]kgo.Offset{}
	remaining := map[string]map[int32]int64{}
	total := 0
	for topic, ps := range ends {
		for p, end := range ps {
			if end <= 0 {
				continue
			}
			if want[topic] == nil {
				want[topic] = map[int32]kgo.Offset{}
				remaining[topic] = map[int32]int64{}
			}
			want[topic][p] = kgo.NewOffset().AtStart()
			remaining[topic][p] = end
			total++
		}
	}
	if total == 0 {
		return nil, nil
	}
	cl, err := kgo.NewClient(append(append([]kgo.Opt{}, opts...),
		kgo.ConsumePartitions(want),
		kgo.FetchMaxWait(200*time.Millisecond),
	)...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var out []Record
	for total > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%d partitions not read to the end)", ctx.Err(), total)
		}
		if err := fs.Err(); err != nil {
			return nil, err
		}
		fs.EachRecord(func(kr *kgo.Record) {
			end, ok := remaining[kr.Topic][kr.Partition]
			if !ok || kr.Offset >= end {
				return
			}
			out = append(out, fromKgo(kr))
			if kr.Offset == end-1 {
				delete(remaining[kr.Topic], kr.Partition)
				total--
			}
		})
	}
	return out, nil
}
