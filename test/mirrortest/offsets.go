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
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// Offsets are per-partition offsets by topic.
type Offsets map[string]map[int32]int64

// Total is the sum of all offsets: with logs starting at 0 and no deletions, for end offsets it
// is the number of records.
func (o Offsets) Total() int64 {
	var n int64
	for _, ps := range o {
		for _, v := range ps {
			n += v
		}
	}
	return n
}

// NonZero is o without the zero offsets: an empty partition and a partition without a commit
// are the same for a comparison of what was copied.
func (o Offsets) NonZero() Offsets {
	out := Offsets{}
	for t, ps := range o {
		for p, v := range ps {
			if v == 0 {
				continue
			}
			if out[t] == nil {
				out[t] = map[int32]int64{}
			}
			out[t][p] = v
		}
	}
	return out
}

// Get is o[topic][partition], 0 when absent.
func (o Offsets) Get(topic string, partition int32) int64 { return o[topic][partition] }

// EndOffsets are the high watermarks of the topics' partitions; a topic that does not exist has
// no entries.
func EndOffsets(ctx context.Context, adm *kadm.Client, topics ...string) (Offsets, error) {
	lo, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, err
	}
	out := Offsets{}
	for _, o := range lo.Offsets().Sorted() {
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]int64{}
		}
		out[o.Topic][o.Partition] = o.At
	}
	for _, ps := range lo {
		for _, o := range ps {
			if o.Err != nil && !errors.Is(o.Err, kerr.UnknownTopicOrPartition) {
				return nil, fmt.Errorf("end offset %s/%d: %w", o.Topic, o.Partition, o.Err)
			}
		}
	}
	return out, nil
}

// CommittedOffsets are the offsets the group has committed (topics and partitions without a
// commit are absent).
func CommittedOffsets(ctx context.Context, adm *kadm.Client, group string) (Offsets, error) {
	resp, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		return nil, err
	}
	if err := resp.Error(); err != nil {
		return nil, err
	}
	out := Offsets{}
	for _, o := range resp.Offsets().Sorted() {
		if o.At < 0 {
			continue
		}
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]int64{}
		}
		out[o.Topic][o.Partition] = o.At
	}
	return out, nil
}
