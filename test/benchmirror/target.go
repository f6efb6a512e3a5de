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
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// watcher reads the mirrored topic on the target from given offsets, without a group, and hands
// every record to fn with the time its fetch returned: when the record became visible.
type watcher struct {
	cl     *kgo.Client
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex
	next map[int32]int64 // offset after the last record read, per partition
	err  error
}

func (b *bench) watchTarget(ctx context.Context, from map[int32]int64, fn func(r *kgo.Record, at time.Time)) (*watcher, error) {
	offsets := map[int32]kgo.Offset{}
	next := map[int32]int64{}
	for p, o := range from {
		offsets[p] = kgo.NewOffset().At(o)
		next[p] = o
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.kafka.dstAddrs...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets}))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &watcher{cl: cl, cancel: cancel, done: make(chan struct{}), next: next}
	go func() {
		defer close(w.done)
		for {
			fetches := cl.PollFetches(ctx)
			at := time.Now()
			if ctx.Err() != nil || fetches.IsClientClosed() {
				return
			}
			for _, e := range fetches.Errors() {
				w.mu.Lock()
				if w.err == nil {
					w.err = fmt.Errorf("reading the target %s[%d]: %w", e.Topic, e.Partition, e.Err)
				}
				w.mu.Unlock()
			}
			fetches.EachRecord(func(r *kgo.Record) {
				fn(r, at)
				w.mu.Lock()
				w.next[r.Partition] = r.Offset + 1
				w.mu.Unlock()
			})
		}
	}()
	return w, nil
}

// failed returns the first fetch error.
func (w *watcher) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// readUpTo reports whether the watcher has read every record below ends.
func (w *watcher) readUpTo(ends map[int32]int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for p, o := range ends {
		if w.next[p] < o {
			return false
		}
	}
	return true
}

func (w *watcher) close() {
	w.cancel()
	<-w.done
	w.cl.Close()
}

// drain waits until the watcher has read the target topic up to its end, and the end has not
// moved for a second: whatever the mirror still had to write is then counted.
func (b *bench) drain(ctx context.Context, w *watcher) error {
	var last int64 = -1
	var since time.Time
	return poll(ctx, time.Minute, 50*time.Millisecond, "the target topic to stay unchanged for 1 s and be read to its end", func() (bool, string, error) {
		if err := w.failed(); err != nil {
			return false, "", err
		}
		ends, sum, err := endOffsets(ctx, b.kafka.dstAdm, topic)
		if err != nil {
			return false, err.Error(), nil
		}
		if sum != last {
			last, since = sum, time.Now()
		}
		return w.readUpTo(ends) && time.Since(since) >= time.Second, fmt.Sprintf("%d records on the target", sum), nil
	})
}
