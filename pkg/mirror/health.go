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
package mirror

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// The files the Deployment's probes look at, as Strimzi's mirror-maker-agent keeps them: the
// readiness probe runs `test -f /tmp/mirror-maker-ready`, the liveness probe runs
// kafka_mirror_maker_liveness.sh, which deletes mirror-maker-alive and fails if it was missing.
const (
	ReadyFile = "mirror-maker-ready"
	AliveFile = "mirror-maker-alive"
)

// minHealthInterval bounds the file refresh when a probe period is 1 s (the agent's period/2
// integer division gives 0 there, and it then loops without sleeping).
const minHealthInterval = 100 * time.Millisecond

// health keeps the readiness and liveness files. Unlike the agent, whose liveness proved only
// that the JVM ran, both mean something:
//   - ready: the producer and the consumers each have an open broker connection, every
//     consumer is in the group with an assignment, and the copy loop is not stalled;
//   - alive: every stream polled or had a record acknowledged within the stall timeout (an idle
//     stream polls every second), so a copy loop stuck on an unreachable target or a hung commit
//     stops the file being re-created and the kubelet restarts the container.
type health struct {
	m                      *Mirror
	readyPath, alivePath   string
	readyEvery, aliveEvery time.Duration
	stall                  time.Duration
	pinging                atomic.Bool
}

func newHealth(m *Mirror) *health {
	return &health{
		m:          m,
		readyPath:  filepath.Join(m.cfg.TmpDir, ReadyFile),
		alivePath:  filepath.Join(m.cfg.TmpDir, AliveFile),
		readyEvery: max(m.cfg.ReadinessPeriod/2, minHealthInterval),
		aliveEvery: max(m.cfg.LivenessPeriod/2, minHealthInterval),
		stall:      StallTimeout(m.cfg.CommitTimeout),
	}
}

// StallTimeout is how long a stream may go without progress before the mirror stops reporting
// itself alive: longer than one offset commit may take, so a slow commit alone never restarts it.
func StallTimeout(commitTimeout time.Duration) time.Duration {
	return max(90*time.Second, commitTimeout+30*time.Second)
}

func (h *health) run(ctx context.Context) {
	h.checkReady()
	h.checkAlive()
	ready := time.NewTicker(h.readyEvery)
	defer ready.Stop()
	alive := time.NewTicker(h.aliveEvery)
	defer alive.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ready.C:
			h.checkReady()
		case <-alive.C:
			h.checkAlive()
		}
	}
}

func (h *health) checkReady() {
	producer := h.m.metrics.connections("producer").count()
	if producer == 0 {
		// The producer connects only to send. An idle one keeps its connection for
		// connections.max.idle.ms (9 minutes, as Java's), but at start and after the target
		// went away it has none: ask the target for metadata, which connects if it can.
		h.ping()
	}
	ok := producer > 0 && h.m.metrics.connections("consumer").count() > 0 &&
		!h.m.aborted() && h.m.sinceProgress(time.Now()) < h.stall
	for _, s := range h.m.streams {
		ok = ok && s.joined.Load()
	}
	if ok {
		h.m.metrics.ready.Set(1)
		touch(h.readyPath, h.m)
		return
	}
	h.m.metrics.ready.Set(0)
	remove(h.readyPath, h.m)
}

func (h *health) ping() {
	if !h.pinging.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer h.pinging.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), max(h.readyEvery, 5*time.Second))
		defer cancel()
		_ = h.m.producer.Ping(ctx)
	}()
}

func (h *health) checkAlive() {
	if h.m.sinceProgress(time.Now()) >= h.stall {
		h.m.log.Warn("Copy loop stalled, not refreshing the liveness file", "stalled", h.m.sinceProgress(time.Now()).Round(time.Second))
		return
	}
	touch(h.alivePath, h.m)
}

// clear removes the readiness file when the mirror stops, so the pod leaves its Service at once.
func (h *health) clear() {
	h.m.metrics.ready.Set(0)
	remove(h.readyPath, h.m)
}

func touch(path string, m *Mirror) {
	if _, err := os.Stat(path); err == nil {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		m.log.Error("Cannot create health file", "path", path, "err", err)
		return
	}
	_ = f.Close()
}

func remove(path string, m *Mirror) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		m.log.Error("Cannot delete health file", "path", path, "err", err)
	}
}

// ResetHealthFiles deletes both files at start, as Strimzi's run script and agent do; a file
// that cannot be deleted is a configuration error (the agent exits the JVM then).
func ResetHealthFiles(dir string) error {
	for _, name := range []string{ReadyFile, AliveFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
