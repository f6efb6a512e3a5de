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
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// idCounts counts how often each sequence number of one stream arrived on the target, and the
// records of the window that belong to no such stream.
type idCounts struct {
	mu     sync.Mutex
	stream string
	counts []uint32
	other  int
}

func (c *idCounts) add(r *kgo.Record, _ time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := header(r, idHeader)
	if string(header(r, streamHeader)) != c.stream || len(id) != 8 {
		c.other++
		return
	}
	i := int(binary.BigEndian.Uint64(id))
	if i >= len(c.counts) {
		c.counts = append(c.counts, make([]uint32, i+1-len(c.counts))...)
	}
	c.counts[i]++
}

// missingBelow returns how many of the sequence numbers 0..n-1 have not arrived.
func (c *idCounts) missingBelow(n int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var missing int64
	for i := range n {
		if i >= int64(len(c.counts)) || c.counts[i] == 0 {
			missing++
		}
	}
	return missing
}

// tally returns the records of the stream that arrived, the distinct ones among them, and the
// other records.
func (c *idCounts) tally() (records, distinct int64, other int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.counts {
		records += int64(n)
		if n > 0 {
			distinct++
		}
	}
	return records, distinct, c.other
}

// killRestart measures what a crash costs at the default commit interval. The mirror of the
// earlier runs ends with SIGTERM (it commits on the way out, so its successor should copy nothing
// again: duplicates_after_sigterm). A new mirror then carries a steady stream for a while, shorter
// than the 60 s commit interval, and is killed with SIGKILL; its successor starts from the last
// commit, so it copies again everything the killed one had copied (duplicates_after_kill), as
// MirrorMaker 1 does. The stream goes on until the successor has caught up.
func (b *bench) killRestart(ctx context.Context, a *mirror) error {
	const name = "kill"
	code, took, err := a.stop(syscall.SIGTERM, 30*time.Second)
	if err != nil {
		return err
	}
	b.res.SigtermExitSeconds = took.Seconds()
	if code != 0 {
		b.notes = append(b.notes, fmt.Sprintf("%s exited with code %d after SIGTERM (log: %s)", a.name, code, a.logPath))
	}
	logf("kill: %s exited with code %d, %.2f s after SIGTERM", a.name, code, took.Seconds())
	ends, before, err := endOffsets(ctx, b.kafka.dstAdm, topic)
	if err != nil {
		return err
	}
	counts := &idCounts{stream: name}
	w, err := b.watchTarget(ctx, ends, counts.add)
	if err != nil {
		return err
	}
	defer w.close()

	mb, err := b.startMirror("mirror-b")
	if err != nil {
		return err
	}
	if _, err := mb.waitReady(ctx, time.Minute); err != nil {
		return err
	}
	s, err := b.newStream(ctx, name)
	if err != nil {
		return err
	}
	defer s.cl.Close()
	stop, streamDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(streamDone)
		s.run(ctx, latencyRate, 0, stop)
	}()
	stopStream := sync.OnceFunc(func() {
		close(stop)
		<-streamDone
	})
	defer stopStream()

	logf("kill: %d records/s through mirror-b (commit interval %d ms, the default); SIGKILL after %s", latencyRate, defaultCommitIntervalMs, b.cfg.killStream)
	select {
	case <-time.After(b.cfg.killStream):
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := mb.alive(); err != nil {
		return err
	}
	if _, _, err := mb.stop(syscall.SIGKILL, 10*time.Second); err != nil {
		return err
	}
	sentAtKill := s.sent.Load()
	_, atKill, err := endOffsets(ctx, b.kafka.dstAdm, topic)
	if err != nil {
		return err
	}
	b.res.KillCopiedBeforeKill = atKill - before

	mc, err := b.startMirror("mirror-c")
	if err != nil {
		return err
	}
	restartSent := s.sent.Load()
	logf("kill: SIGKILL after %d records produced, %d copied; restarted as mirror-c", sentAtKill, b.res.KillCopiedBeforeKill)
	// The killed member stays in the group until its session times out (45 s unless quick mode
	// shortens it); only then can the new one join.
	readyAt, err := mc.waitReady(ctx, 45*time.Second+time.Minute)
	if err != nil {
		return err
	}
	b.res.KillRestartReadySeconds = readyAt.Sub(mc.started).Seconds()
	if err := poll(ctx, 2*time.Minute, 50*time.Millisecond, "mirror-c to copy every record produced before it started", func() (bool, string, error) {
		if err := mc.alive(); err != nil {
			return false, "", err
		}
		missing := counts.missingBelow(restartSent)
		return missing == 0, fmt.Sprintf("%d missing", missing), w.failed()
	}); err != nil {
		return err
	}
	b.res.KillRecoverySeconds = time.Since(mc.started).Seconds()
	logf("kill: mirror-c ready %.2f s after its start, caught up after %.2f s; streaming 2 s more", b.res.KillRestartReadySeconds, b.res.KillRecoverySeconds)

	select {
	case <-time.After(2 * time.Second):
	case <-ctx.Done():
		return ctx.Err()
	}
	stopStream()
	if err := s.finish(ctx); err != nil {
		return fmt.Errorf("producing to the source: %w", err)
	}
	total := s.sent.Load()
	if err := poll(ctx, 2*time.Minute, 50*time.Millisecond, fmt.Sprintf("all %d records of the stream on the target", total), func() (bool, string, error) {
		if err := mc.alive(); err != nil {
			return false, "", err
		}
		missing := counts.missingBelow(total)
		return missing == 0, fmt.Sprintf("%d missing", missing), w.failed()
	}); err != nil {
		return err
	}
	if err := b.drain(ctx, w); err != nil {
		return err
	}
	records, distinct, other := counts.tally()
	b.res.KillRecordsTotal = total
	b.res.DuplicatesAfterKill = records - distinct
	b.res.KillLostRecords = total - distinct
	b.res.DuplicatesAfterSigterm = int64(other)
	b.res.KillRatePerSec = latencyRate
	b.res.KillAfterSeconds = b.cfg.killStream.Seconds()
	b.res.KillCommitIntervalMs = defaultCommitIntervalMs
	logf("kill: %d records produced, %d on the target, %d duplicates (mirror-b had copied %d), %d lost; %d records re-copied after the SIGTERM restart",
		total, records, b.res.DuplicatesAfterKill, b.res.KillCopiedBeforeKill, b.res.KillLostRecords, other)
	return b.stopMirror(mc)
}
