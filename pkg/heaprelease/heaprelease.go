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

// Package heaprelease returns the heap a burst of work has freed to the operating system once
// the burst is over.
//
// Go's collector keeps freed pages mapped and returns them gradually: its background scavenger
// retains about the heap goal, twice the live heap under the default GOGC. After the operator
// creates or resynchronises a thousand resources, the process therefore keeps the burst's peak
// resident for minutes, although the live heap is a fraction of it. The releaser returns freed
// memory at once (debug.FreeOSMemory: one collection and a scavenge) in two cases:
//   - the heap is quiet, no collection has run for a whole interval, and at least minFree is
//     held: the burst is over;
//   - more freed memory is held than the whole live heap, which the collector's own pacing
//     (at most one live heap of garbage under GOGC=100) no longer needs: a burst left it
//     behind while work goes on, as with a short full-reconciliation interval. This costs one
//     collection, so it happens at most once every busyEvery.
package heaprelease

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

const (
	sampleGCCycles = "/gc/cycles/total:gc-cycles"
	// sampleHeapFree is heap memory that is free and still resident (not yet returned).
	sampleHeapFree = "/memory/classes/heap/free:bytes"
	sampleHeapLive = "/gc/heap/live:bytes"
)

// Stats is what the releaser reads of the runtime.
type Stats struct {
	GCCycles uint64
	HeapFree uint64
	// HeapLive is the heap marked live by the last collection.
	HeapLive uint64
}

// ReadStats reads Stats from runtime/metrics.
func ReadStats() Stats {
	s := []metrics.Sample{{Name: sampleGCCycles}, {Name: sampleHeapFree}, {Name: sampleHeapLive}}
	metrics.Read(s)
	u := func(i int) uint64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return s[i].Value.Uint64()
		}
		return 0
	}
	return Stats{GCCycles: u(0), HeapFree: u(1), HeapLive: u(2)}
}

// Releaser decides when to return freed heap.
type Releaser struct {
	clock    clock.WithTicker
	interval time.Duration
	// minFree is the least freed memory worth a collection to return.
	minFree uint64
	// busyEvery is the least time between two releases while the heap is busy.
	busyEvery time.Duration
	read      func() Stats
	release   func()

	lastCycles  uint64
	primed      bool
	lastRelease time.Time
}

// New returns a Releaser that looks at the heap every interval (see the package doc for when it
// releases). read and release are ReadStats and debug.FreeOSMemory outside tests.
func New(clk clock.WithTicker, interval time.Duration, minFree uint64, busyEvery time.Duration, read func() Stats, release func()) *Releaser {
	return &Releaser{clock: clk, interval: interval, minFree: minFree, busyEvery: busyEvery, read: read, release: release}
}

// NewDefault returns the operator's Releaser: it looks every 5 s, returns at least 4 MiB, and
// while busy at most every 30 s.
func NewDefault() *Releaser {
	return New(clock.RealClock{}, 5*time.Second, 4<<20, 30*time.Second, ReadStats, debug.FreeOSMemory)
}

// Run checks the heap every interval until ctx is done.
func (r *Releaser) Run(ctx context.Context) {
	t := r.clock.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			r.Check(ctx)
		}
	}
}

// Check is one look at the heap; it reports whether it returned memory.
func (r *Releaser) Check(ctx context.Context) bool {
	st := r.read()
	quiet := r.primed && st.GCCycles == r.lastCycles
	r.lastCycles, r.primed = st.GCCycles, true
	now := r.clock.Now()
	leftBehind := st.HeapFree > st.HeapLive && (r.lastRelease.IsZero() || now.Sub(r.lastRelease) >= r.busyEvery)
	if st.HeapFree < r.minFree || !(quiet || leftBehind) {
		return false
	}
	r.release()
	r.lastRelease = now
	after := r.read()
	// The release ran a collection of its own: the next interval is measured from it.
	r.lastCycles = after.GCCycles
	klog.FromContext(ctx).V(4).Info("Returned freed heap to the system", "bytes", st.HeapFree-min(st.HeapFree, after.HeapFree), "quiet", quiet)
	return true
}
