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

// Package mirror is kmm-mirror's engine: MirrorMaker 1's copy loop on franz-go.
//
// The data flow, end to end: each of NumStreams consumers (one kgo.Client each, all in one
// consumer group, as MirrorMaker 1's threads) polls records of the topics the include pattern
// selects, hands each one to the one shared producer and notes the record's next offset as
// "handed out". At a commit point (every offset.commit.interval.ms, when partitions are revoked,
// at shutdown) the stream first waits until the target has answered for every record it handed
// out, then commits the handed-out offsets. So an offset is committed only for records the target
// acknowledged: at least once, never less. A send failure with abort.on.send.failure=true stops
// the mirror before any later commit (exit 255); with false the record is counted as dropped and
// its offset is committed, as MirrorMaker 1 does.
package mirror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kmm-operator/kmm-operator/pkg/mirror/config"
)

// ErrAborted is returned by Run when the mirror stopped because of a failed send or another
// fatal error (MirrorMaker 1's "Mirror maker thread exited abnormally"): the process exits 255.
var ErrAborted = errors.New("mirror aborted")

// Mirror copies records from the source cluster to the target cluster.
type Mirror struct {
	cfg      *config.Config
	log      *slog.Logger
	metrics  *metrics
	producer *kgo.Client
	streams  []*stream
	// deadlines expire records the target did not answer within delivery.timeout.ms.
	deadlines sendDeadlines

	// abort is closed once, by the first fatal error; fatal holds that error.
	abortOnce sync.Once
	abort     chan struct{}
	fatal     atomic.Pointer[error]
}

// New builds the producer and the NumStreams consumers. No connection is made until Run.
// reg receives the mirror's metrics (nil: none are registered).
func New(cfg *config.Config, log *slog.Logger, reg prometheus.Registerer) (*Mirror, error) {
	m := &Mirror{
		cfg:       cfg,
		log:       log,
		metrics:   newMetrics(reg),
		abort:     make(chan struct{}),
		deadlines: sendDeadlines{timeout: cfg.DeliveryTimeout},
	}
	klog := kgoLogger{log: log.With("client", "producer"), level: cfg.LogLevel}
	popts := append(append([]kgo.Opt{}, cfg.ProducerOpts()...),
		kgo.WithLogger(klog),
		kgo.WithHooks(m.metrics.connections("producer")),
	)
	producer, err := kgo.NewClient(popts...)
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	m.producer = producer
	m.metrics.producerBuffer(reg, producer)
	for i := 0; i < cfg.NumStreams; i++ {
		s, err := newStream(m, i)
		if err != nil {
			m.closeClients()
			return nil, fmt.Errorf("consumer %d: %w", i, err)
		}
		m.streams = append(m.streams, s)
	}
	return m, nil
}

// Run mirrors until ctx is cancelled (a clean shutdown: every stream flushes and commits, leaves
// the group; Run returns nil) or until a fatal error (Run returns an error wrapping ErrAborted,
// after committing nothing past the failure). Run also keeps the readiness and liveness files.
func (m *Mirror) Run(ctx context.Context) error {
	h := newHealth(m)
	healthCtx, stopHealth := context.WithCancel(context.Background())
	healthDone := make(chan struct{})
	go func() {
		defer close(healthDone)
		h.run(healthCtx)
	}()

	// The streams stop on a shutdown request or on the first fatal error.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-m.abort:
			cancel()
		case <-runCtx.Done():
		}
	}()

	var wg sync.WaitGroup
	for _, s := range m.streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.run(runCtx)
		}()
	}
	wg.Wait()
	m.producer.Close()

	stopHealth()
	<-healthDone
	h.clear()

	if errp := m.fatal.Load(); errp != nil {
		return fmt.Errorf("%w: %w", ErrAborted, *errp)
	}
	return nil
}

// fail records the first fatal error and stops every stream. As MirrorMaker 1 closes its
// producer with a zero timeout on a send failure, the producer is closed at once: records still
// buffered fail fast instead of keeping the shutdown waiting, and no stream commits after this.
func (m *Mirror) fail(err error) {
	m.abortOnce.Do(func() {
		m.fatal.Store(&err)
		m.log.Error("Mirror maker thread failure, stopping the whole mirror maker", "err", err)
		close(m.abort)
		go m.producer.Close()
	})
}

// aborted reports whether a fatal error stopped the mirror; a stream that sees it commits nothing.
func (m *Mirror) aborted() bool { return m.fatal.Load() != nil }

func (m *Mirror) closeClients() {
	for _, s := range m.streams {
		s.consumer.Close()
	}
	m.producer.Close()
}

// sinceProgress is how long ago the least recently progressing stream last made progress.
func (m *Mirror) sinceProgress(now time.Time) time.Duration {
	var worst time.Duration
	for _, s := range m.streams {
		worst = max(worst, s.sinceProgress(now))
	}
	return worst
}
