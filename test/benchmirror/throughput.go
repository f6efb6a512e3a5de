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
	"runtime/debug"
	"slices"
	"syscall"
	"time"
)

// copyRun is one throughput round of a copier: when its first record and its last of N were on
// the target, from its start, and what it used.
type copyRun struct {
	first, all time.Duration
	ready      time.Duration // the mirror's ready file, from its start (0: not seen)
	cpu        float64       // CPU seconds
	rssPeak    float64       // MiB
	rss        []float64     // VmRSS samples, MiB
}

func (r copyRun) recordsPerSec(n int) float64 { return float64(n) / r.all.Seconds() }

// copyTimeout bounds a throughput round: a minute to start, then at least 2,000 records/s.
func (b *bench) copyTimeout() time.Duration {
	return time.Minute + time.Duration(b.cfg.n)*time.Second/2000
}

// waitCopied polls the target's high watermarks of t every 20 ms until they add up to base + N
// records, measured from the copier's start. alive ends the wait early when the copier has failed.
func (b *bench) waitCopied(ctx context.Context, t string, base int64, c *child, alive func() error) (copyRun, error) {
	var r copyRun
	lastLog := time.Now()
	err := poll(ctx, b.copyTimeout(), 20*time.Millisecond, fmt.Sprintf("%d records on the target topic %s", b.cfg.n, t), func() (bool, string, error) {
		_, sum, err := endOffsets(ctx, b.kafka.dstAdm, t)
		now := time.Since(c.started)
		if err != nil {
			return false, err.Error(), nil
		}
		copied := sum - base
		if copied > 0 && r.first == 0 {
			r.first = now
		}
		if copied >= int64(b.cfg.n) {
			r.all = now
			return true, "", nil
		}
		if err := alive(); err != nil {
			return false, "", err
		}
		if time.Since(lastLog) >= 5*time.Second {
			lastLog = time.Now()
			logf("  %s: %d of %d records copied after %.0f s", c.name, copied, b.cfg.n, now.Seconds())
		}
		return false, fmt.Sprintf("%d copied", copied), nil
	})
	return r, err
}

// throughput alternates the limit loop and kmm-mirror, each copying the pre-loaded topic
// BENCH_MIRROR_ROUNDS times, and reports the best round of each: the machine is shared, and a
// round slowed by a neighbour says nothing about either copier. The last mirror keeps running,
// caught up, for the latency run.
func (b *bench) throughput(ctx context.Context) (*mirror, error) {
	var limits, mirrors []copyRun
	var m *mirror
	for i := 1; i <= b.cfg.rounds; i++ {
		settleHeap()
		l, err := b.limitRound(ctx, i)
		if err != nil {
			return nil, fmt.Errorf("limit loop, round %d: %w", i, err)
		}
		limits = append(limits, l)
		settleHeap()
		r, mm, err := b.mirrorRound(ctx, i)
		if err != nil {
			return nil, fmt.Errorf("kmm-mirror, round %d: %w", i, err)
		}
		mirrors = append(mirrors, r)
		logf("throughput round %d of %d: limit %.0f records/s, kmm-mirror %.0f records/s (ratio %.2f)",
			i, b.cfg.rounds, l.recordsPerSec(b.cfg.n), r.recordsPerSec(b.cfg.n), r.recordsPerSec(b.cfg.n)/l.recordsPerSec(b.cfg.n))
		if i == b.cfg.rounds {
			m = mm
			break
		}
		if err := b.stopMirror(mm); err != nil {
			return nil, err
		}
		// The next round copies to the same topic; dropping this round's records keeps
		// kfake's memory (and so its garbage collector's work) the same in every round.
		if err := b.truncateTarget(ctx); err != nil {
			return nil, err
		}
	}
	b.summarizeThroughput(limits, mirrors)
	return m, nil
}

// settleHeap collects this process's garbage (the records of the previous round, which kfake has
// dropped) before a round, so that no copier shares the CPUs with a collection of its
// predecessor's records, and every round starts from the same heap.
func settleHeap() { debug.FreeOSMemory() }

// fastest returns the round with the shortest time and the slowest round's records/s.
func fastest(runs []copyRun, n int) (best copyRun, worst float64) {
	best = slices.MinFunc(runs, func(a, b copyRun) int { return int(a.all - b.all) })
	worst = slices.MaxFunc(runs, func(a, b copyRun) int { return int(a.all - b.all) }).recordsPerSec(n)
	return best, worst
}

func (b *bench) summarizeThroughput(limits, mirrors []copyRun) {
	r, n := &b.res, b.cfg.n
	l, lworst := fastest(limits, n)
	m, mworst := fastest(mirrors, n)
	r.ThroughputRounds = len(mirrors)
	r.LimitRecordsPerSec, r.LimitRecordsPerSecWorst = l.recordsPerSec(n), lworst
	r.LimitMBPerSec = r.LimitRecordsPerSec * recordBytes / 1e6
	r.LimitSeconds, r.LimitFirstRecordSeconds = l.all.Seconds(), l.first.Seconds()
	r.MirrorRecordsPerSec, r.MirrorRecordsPerSecWorst = m.recordsPerSec(n), mworst
	r.MirrorMBPerSec = r.MirrorRecordsPerSec * recordBytes / 1e6
	r.MirrorSeconds, r.MirrorFirstRecordSeconds, r.MirrorReadySeconds = m.all.Seconds(), m.first.Seconds(), m.ready.Seconds()
	r.ThroughputRatio = r.MirrorRecordsPerSec / r.LimitRecordsPerSec

	var samples []float64
	for _, x := range mirrors {
		samples = append(samples, x.rss...)
		r.RSSMiBPeak = max(r.RSSMiBPeak, x.rssPeak)
		r.RSSMiBPeakSampled = max(r.RSSMiBPeakSampled, slices.Max(x.rss))
		r.MirrorCPUSeconds += x.cpu / float64(len(mirrors))
	}
	r.RSSMiBMedian = median(samples)
	r.RSSSamples = len(samples)
	for _, x := range limits {
		r.LimitRSSMiBPeak = max(r.LimitRSSMiBPeak, x.rssPeak)
		r.LimitCPUSeconds += x.cpu / float64(len(limits))
	}
	logf("throughput: best of %d rounds: kmm-mirror %.0f records/s (%.1f MB/s), limit loop %.0f records/s (%.1f MB/s), ratio %.2f",
		len(mirrors), r.MirrorRecordsPerSec, r.MirrorMBPerSec, r.LimitRecordsPerSec, r.LimitMBPerSec, r.ThroughputRatio)
	logf("memory: kmm-mirror RSS peak %.1f MiB (VmHWM), median %.1f MiB over %d samples; the limit loop's peak %.1f MiB",
		r.RSSMiBPeak, r.RSSMiBMedian, len(samples), r.LimitRSSMiBPeak)
}

// limitRound times the limit loop copying the pre-loaded topic to a new target topic, lets it
// exit, and deletes that topic again.
func (b *bench) limitRound(ctx context.Context, i int) (copyRun, error) {
	t := fmt.Sprintf("%s-%d", limitTopicPrefix, i)
	if _, err := b.kafka.dstAdm.CreateTopic(ctx, partitions, 1, nil, t); err != nil {
		return copyRun{}, fmt.Errorf("creating %s on the target: %w", t, err)
	}
	logf("throughput round %d: the limit loop copies %d records %s -> %s", i, b.cfg.n, topic, t)
	c, err := b.startLimit(i, t)
	if err != nil {
		return copyRun{}, err
	}
	rss := sampleRSS(c)
	r, err := b.waitCopied(ctx, t, 0, c, c.alive)
	r.rss = rss.finish()
	if err != nil {
		return r, err
	}
	// The loop has copied everything and waits for SIGTERM.
	_, hwm, err := c.memory()
	if err != nil {
		return r, err
	}
	r.rssPeak = max(hwm, slices.Max(append(r.rss, 0)))
	if r.cpu, err = c.cpuSeconds(); err != nil {
		return r, err
	}
	if code, _, err := c.stop(syscall.SIGTERM, 30*time.Second); err != nil || code != 0 {
		return r, fmt.Errorf("the limit loop did not finish cleanly (exit code %d, %v; log: %s)", code, err, c.logPath)
	}
	if _, err := b.kafka.dstAdm.DeleteTopic(ctx, t); err != nil {
		return r, fmt.Errorf("deleting %s on the target: %w", t, err)
	}
	return r, nil
}

// mirrorRound times a new kmm-mirror, in a new group, copying the pre-loaded topic from the
// start (auto.offset.reset=earliest), sampling its RSS throughout, and returns it still running.
func (b *bench) mirrorRound(ctx context.Context, i int) (copyRun, *mirror, error) {
	_, base, err := endOffsets(ctx, b.kafka.dstAdm, topic)
	if err != nil {
		return copyRun{}, nil, err
	}
	b.group = fmt.Sprintf("%s-%d", groupPrefix, i)
	name := fmt.Sprintf("mirror-a%d", i)
	logf("throughput round %d: kmm-mirror (%s, group %s) copies %d records %s -> %s", i, name, b.group, b.cfg.n, topic, topic)
	m, err := b.startMirror(name)
	if err != nil {
		return copyRun{}, nil, err
	}
	rss := sampleRSS(m.child)
	readyAt := make(chan time.Duration, 1)
	go func() {
		defer close(readyAt)
		if at, err := m.waitReady(ctx, b.copyTimeout()); err == nil {
			readyAt <- at.Sub(m.started)
		}
	}()
	r, err := b.waitCopied(ctx, topic, base, m.child, m.alive)
	r.rss = rss.finish()
	if err != nil {
		return r, nil, err
	}
	// One more sample at the end, so that a round shorter than 100 ms (quick mode) has one.
	last, hwm, err := m.memory()
	if err != nil {
		return r, nil, err
	}
	r.rss = append(r.rss, last)
	r.rssPeak = max(hwm, slices.Max(r.rss))
	if r.cpu, err = m.cpuSeconds(); err != nil {
		return r, nil, err
	}
	select {
	case r.ready = <-readyAt:
	case <-time.After(10 * time.Second):
	}
	if r.ready == 0 {
		b.notes = append(b.notes, name+" copied every record but did not write mirror-maker-ready within 10 s")
	}

	// Nothing more arrives on the source: a count above N after a quiet second is duplicates.
	time.Sleep(time.Second)
	_, sum, err := endOffsets(ctx, b.kafka.dstAdm, topic)
	if err != nil {
		return r, nil, err
	}
	if sum-base != int64(b.cfg.n) {
		b.notes = append(b.notes, fmt.Sprintf("%s: the target topic received %d records for %d mirrored", name, sum-base, b.cfg.n))
	}
	b.res.MirrorTargetRecords = max(b.res.MirrorTargetRecords, sum-base)
	return r, m, nil
}

// truncateTarget deletes every record of the mirrored topic on the target (offsets go on).
func (b *bench) truncateTarget(ctx context.Context) error {
	lo, err := b.kafka.dstAdm.ListEndOffsets(ctx, topic)
	if err != nil {
		return err
	}
	resp, err := b.kafka.dstAdm.DeleteRecords(ctx, lo.Offsets())
	if err != nil {
		return err
	}
	return resp.Error()
}
