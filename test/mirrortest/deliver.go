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
)

// Reader reads all records of topics from a cluster: ReadAll (franz-go) or KafkaGoReadAll.
type Reader func(ctx context.Context, c *Cluster, topics ...string) ([]Record, error)

// WaitDelivered waits until every expected record is on the target and returns the verifier's
// report of the last read. It counts the target's records cheaply (end offsets) until there are
// at least as many as expected, and only then reads and verifies everything, repeating while
// records are still missing (duplicates can make the count complete before the last record
// lands). The returned error says what was still missing at the timeout.
func WaitDelivered(ctx context.Context, target *Cluster, read Reader, expected []Record, targetPartitions map[string]int32, topics []string) (*Report, error) {
	cl, err := newPlainClient(target)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var rep *Report
	var lastCount int64
	err = Poll(ctx, 100*time.Millisecond, func() (bool, string) {
		ends, err := EndOffsets(ctx, cl, topics...)
		if err != nil {
			return false, err.Error()
		}
		lastCount = ends.Total()
		if lastCount < int64(len(expected)) {
			return false, fmt.Sprintf("target has %d of %d records", lastCount, len(expected))
		}
		got, err := read(ctx, target, topics...)
		if err != nil {
			return false, err.Error()
		}
		rep = Verify(expected, got, targetPartitions)
		return len(rep.Missing) == 0, rep.String()
	})
	if err != nil {
		return rep, fmt.Errorf("records not delivered: %w", err)
	}
	return rep, nil
}
