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
	st := Stats{GCCycles: 10, HeapFree: 64 << 20}
	released := 0
	r := New(clocktesting.NewFakeClock(time.Now()), time.Second, 4<<20,
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

func TestRunChecksEveryInterval(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Now())
	calls := make(chan struct{}, 10)
	r := New(clk, time.Second, 0, func() Stats { calls <- struct{}{}; return Stats{} }, func() {})
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

	r := New(clocktesting.NewFakeClock(time.Now()), time.Second, 4<<20, ReadStats, debug.FreeOSMemory)
	r.Check(context.Background())
	require.True(t, r.Check(context.Background()), "nothing allocated in between: the heap is quiet")
	assert.Less(t, ReadStats().HeapFree, before.HeapFree/2)
}
