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
//   - ready: the target and the source each answered a metadata request within the last
//     readiness period, every consumer is in the group with an assignment, and the copy loop is
//     not stalled. An answer, not an open connection: a client learns that a broker closed an
//     idle connection only when it next uses it, so a count of open connections stays up long
//     after a cluster went away;
//   - alive: every stream polled or had a record acknowledged within the stall timeout (an idle
//     stream polls every second), so a copy loop stuck on an unreachable target or a hung commit
//     stops the file being re-created and the kubelet restarts the container.
type health struct {
	m                      *Mirror
	readyPath, alivePath   string
	readyEvery, aliveEvery time.Duration
	stall                  time.Duration
}

func newHealth(m *Mirror) *health {
	return &health{
		m:          m,
		readyPath:  filepath.Join(m.cfg.TmpDir, ReadyFile),
		alivePath:  filepath.Join(m.cfg.TmpDir, AliveFile),
		readyEvery: refreshInterval(m.cfg.ReadinessPeriod),
		aliveEvery: refreshInterval(m.cfg.LivenessPeriod),
		stall:      StallTimeout(m.cfg.CommitTimeout),
	}
}

// refreshInterval is the agent's period/2 in whole seconds (integer division), at least
// minHealthInterval.
func refreshInterval(period time.Duration) time.Duration {
	return max(time.Duration(int64(period/time.Second)/2)*time.Second, minHealthInterval)
}

// StallTimeout is how long a stream may go without progress before the mirror stops reporting
// itself alive: longer than one offset commit may take, so a slow commit alone never restarts it.
func StallTimeout(commitTimeout time.Duration) time.Duration {
	return max(90*time.Second, commitTimeout+30*time.Second)
}

// run keeps both files until ctx is done. The two run apart, so a slow readiness check (a
// metadata request to a cluster that does not answer) never delays the liveness file.
func (h *health) run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		every(ctx, h.aliveEvery, h.checkAlive)
	}()
	every(ctx, h.readyEvery, func() { h.checkReady(ctx) })
	<-done
}

// every runs fn now and then every interval until ctx is done.
func every(ctx context.Context, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (h *health) checkReady(ctx context.Context) {
	ok := !h.m.aborted() && h.m.sinceProgress(time.Now()) < h.stall
	for _, s := range h.m.streams {
		ok = ok && s.joined.Load()
	}
	// Both clusters answer (this also keeps an idle producer's connection in use).
	ok = ok && h.answers(ctx, h.m.producer) && h.answers(ctx, h.m.streams[0].consumer)
	if ok {
		h.m.metrics.ready.Set(1)
		touch(h.readyPath, h.m)
		return
	}
	h.m.metrics.ready.Set(0)
	remove(h.readyPath, h.m)
}

// answers reports whether the client's cluster answers a metadata request within the
// readiness interval (at least 2 s).
func (h *health) answers(ctx context.Context, cl interface{ Ping(context.Context) error }) bool {
	ctx, cancel := context.WithTimeout(ctx, max(h.readyEvery, 2*time.Second))
	defer cancel()
	return cl.Ping(ctx) == nil
}

func (h *health) checkAlive() {
	if stalled := h.m.sinceProgress(time.Now()); stalled >= h.stall {
		h.m.log.Warn("Copy loop stalled, not refreshing the liveness file", "stalled", stalled.Round(time.Second))
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
