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

package heaprelease

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	clocktesting "k8s.io/utils/clock/testing"
)

func TestCheckReleasesOnlyAfterAQuietInterval(t *testing.T) {
	st := Stats{GCCycles: 10, HeapFree: 64 << 20, HeapLive: 100 << 20}
	released := 0
	r := New(clocktesting.NewFakeClock(time.Now()), time.Second, 4<<20, time.Minute,
		func() Stats { return st },
		func() { released++; st.GCCycles++; st.HeapFree = 1 << 20 })
	ctx := context.Background()

	assert.False(t, r.Check(ctx), "the first look has nothing to compare with")
	st.GCCycles = 11 // a collection ran: the heap is busy
	assert.False(t, r.Check(ctx))
	assert.Equal(t, 0, released)

	assert.True(t, r.Check(ctx), "a whole interval without a collection, 64 MiB free")
	assert.Equal(t, 1, released)

	// The release's own collection does not count as work; little is free now.
	assert.False(t, r.Check(ctx))
	st.HeapFree = 3 << 20
	assert.False(t, r.Check(ctx), "3 MiB is below the 4 MiB worth a collection")
	st.HeapFree = 5 << 20
	assert.True(t, r.Check(ctx))
	assert.Equal(t, 2, released)
}

func TestCheckReleasesWhatABurstLeftBehindWhileBusy(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Now())
	st := Stats{GCCycles: 10, HeapFree: 30 << 20, HeapLive: 20 << 20}
	released := 0
	r := New(clk, time.Second, 4<<20, 30*time.Second,
		func() Stats { return st },
		func() { released++; st.GCCycles++; st.HeapFree = 2 << 20 })
	ctx := context.Background()
	busy := func() bool {
		st.GCCycles++ // a collection in every interval
		clk.Step(time.Second)
		return r.Check(ctx)
	}

	assert.True(t, busy(), "30 MiB freed and held, more than the 20 MiB live heap")
	st.HeapFree = 30 << 20
	for range 29 {
		assert.False(t, busy(), "at most one release every 30 s while busy")
	}
	assert.True(t, busy())
	st.HeapFree = 19 << 20
	clk.Step(time.Minute)
	assert.False(t, busy(), "less freed memory than the live heap: the collector's own headroom")
	assert.Equal(t, 2, released)
}

func TestRunChecksEveryInterval(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Now())
	calls := make(chan struct{}, 10)
	r := New(clk, time.Second, 0, time.Minute, func() Stats { calls <- struct{}{}; return Stats{} }, func() {})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	require.Eventually(t, clk.HasWaiters, 5*time.Second, time.Millisecond)
	clk.Step(time.Second)
	select {
	case <-calls:
	case <-time.After(5 * time.Second):
		t.Fatal("no check after one interval")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
}

var sink [][]byte

// TestReleaseReturnsFreedHeap runs the default reader and release against this test's own heap.
func TestReleaseReturnsFreedHeap(t *testing.T) {
	for range 64 << 10 {
		sink = append(sink, make([]byte, 1024))
	}
	sink = nil
	runtime.GC()
	before := ReadStats()
	require.GreaterOrEqual(t, before.HeapFree, uint64(32<<20), "64 MiB of garbage was collected")

	r := New(clocktesting.NewFakeClock(time.Now()), time.Second, 4<<20, time.Hour, ReadStats, debug.FreeOSMemory)
	require.Greater(t, before.HeapFree, before.HeapLive)
	require.True(t, r.Check(context.Background()), "more freed heap held than live heap")
	assert.Less(t, ReadStats().HeapFree, before.HeapFree/2)
}
