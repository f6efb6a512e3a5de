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
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// latency streams latencyRate records/s for BENCH_MIRROR_LATENCY_SECONDS through the running,
// caught-up mirror and measures, per record, the time from handing it to the source producer to
// its fetch returning on the target. The warm-up records are not counted.
func (b *bench) latency(ctx context.Context, m *mirror) error {
	const name = "latency"
	ends, _, err := endOffsets(ctx, b.kafka.dstAdm, topic)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var ms []float64
	warm := 0
	w, err := b.watchTarget(ctx, ends, func(r *kgo.Record, at time.Time) {
		if string(header(r, streamHeader)) != name {
			return
		}
		id, sent := header(r, idHeader), header(r, sentHeader)
		if len(id) != 8 || len(sent) != 8 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if binary.BigEndian.Uint64(id) < partitions {
			warm++
			return
		}
		ms = append(ms, float64(at.UnixNano()-int64(binary.BigEndian.Uint64(sent)))/1e6)
	})
	if err != nil {
		return err
	}
	defer w.close()
	received := func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		return warm, len(ms)
	}

	s, err := b.newStream(ctx, name)
	if err != nil {
		return err
	}
	defer s.cl.Close()
	if err := poll(ctx, time.Minute, 20*time.Millisecond, "the warm-up records on the target", func() (bool, string, error) {
		if err := m.alive(); err != nil {
			return false, "", err
		}
		wm, _ := received()
		return wm >= partitions, fmt.Sprintf("%d of %d", wm, partitions), w.failed()
	}); err != nil {
		return err
	}
	d := time.Duration(b.cfg.latencySeconds) * time.Second
	logf("latency: %d records/s for %s through the running mirror", latencyRate, d)
	s.run(ctx, latencyRate, d, nil)
	if err := s.finish(ctx); err != nil {
		return fmt.Errorf("producing to the source: %w", err)
	}
	want := int(s.sent.Load()) - partitions
	if err := poll(ctx, time.Minute, 50*time.Millisecond, fmt.Sprintf("%d latency records on the target", want), func() (bool, string, error) {
		if err := m.alive(); err != nil {
			return false, "", err
		}
		_, n := received()
		return n >= want, fmt.Sprintf("%d arrived", n), w.failed()
	}); err != nil {
		return err
	}
	mu.Lock()
	lat := slices.Clone(ms)
	mu.Unlock()
	if len(lat) == 0 {
		return fmt.Errorf("no latency records in %s", d)
	}
	b.res.LatencyRatePerSec = latencyRate
	b.res.LatencyRecords = len(lat)
	b.res.LatencyP50Ms = percentile(lat, 50)
	b.res.LatencyP99Ms = percentile(lat, 99)
	b.res.LatencyMaxMs = slices.Max(lat)
	if len(lat) > want {
		b.notes = append(b.notes, fmt.Sprintf("latency: %d records arrived for %d produced (duplicates while running)", len(lat), want))
	}
	if rss, _, err := m.memory(); err == nil {
		b.res.RSSMiBAfterLatency = rss
	}
	logf("latency: %d records, p50 %.1f ms, p99 %.1f ms, max %.1f ms; RSS now %.1f MiB",
		len(lat), b.res.LatencyP50Ms, b.res.LatencyP99Ms, b.res.LatencyMaxMs, b.res.RSSMiBAfterLatency)
	return nil
}
