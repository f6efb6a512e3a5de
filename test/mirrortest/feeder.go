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
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Feeder produces records in the background in batches with a pause between them, so that a
// mirror can be killed or stopped while records are still arriving on the source (mid-stream),
// not only after everything was written.
type Feeder struct {
	done     chan struct{}
	produced atomic.Int64

	mu   sync.Mutex
	recs []Record
	err  error
}

// StartFeeder writes recs with cl (built with ProducerOpts) batch records at a time, pausing
// pause after each batch, until all are written or ctx ends.
func StartFeeder(ctx context.Context, cl *kgo.Client, recs []Record, batch int, pause time.Duration) *Feeder {
	f := &Feeder{done: make(chan struct{})}
	go func() {
		defer close(f.done)
		for start := 0; start < len(recs); start += batch {
			end := min(start+batch, len(recs))
			out, err := Produce(ctx, cl, recs[start:end])
			f.mu.Lock()
			f.recs = append(f.recs, out...)
			f.err = err
			f.mu.Unlock()
			if err != nil {
				return
			}
			f.produced.Add(int64(len(out)))
			if end < len(recs) {
				select {
				case <-ctx.Done():
					f.mu.Lock()
					f.err = ctx.Err()
					f.mu.Unlock()
					return
				case <-time.After(pause):
				}
			}
		}
	}()
	return f
}

// Produced is the number of records acknowledged by the source so far.
func (f *Feeder) Produced() int64 { return f.produced.Load() }

// Wait waits up to timeout for the feeder to finish and returns the written records with their
// source partitions and offsets.
func (f *Feeder) Wait(timeout time.Duration) ([]Record, error) {
	select {
	case <-f.done:
	case <-time.After(timeout):
		return nil, context.DeadlineExceeded
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.recs, f.err
}
