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
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

// TestSigtermCommitsWhatWasDelivered stops the mirror with SIGTERM while records are still
// arriving. It must exit 0 within 10 s after flushing and committing, and the commit must match
// the target exactly: every source record below the committed offset is on the target (nothing
// committed that was not acknowledged) and no record at or above it is (everything delivered
// was committed). Restarts therefore produce no duplicates at all: one that finishes the
// stream, and one that starts on an idle stream and only copies new records.
func TestSigtermCommitsWhatWasDelivered(t *testing.T) {
	mirrorBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	source := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "source"})
	target := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "target"})
	topics, srcParts, tgtParts := topology(t, source, target, topicSpec{"t-one", 4, 4}, topicSpec{"t-two", 3, 5})
	const total = 8000
	recs := mirrortest.Generate(mirrortest.GenSpec{Prefix: "term", Topics: topics, Count: total, SourcePartitions: srcParts})
	spec := mirrortest.MirrorSpec{Source: source, Target: target, Group: "term", Include: "t-.*"}
	adm := source.Admin(t)

	m1 := startMirror(t, "mirror-1", mirrortest.NewInstance(t, spec))
	m1.waitReady(t)
	feeder := mirrortest.StartFeeder(ctx, source.NewClient(t, mirrortest.ProducerOpts()...), recs, 200, 60*time.Millisecond)
	count := waitCount(t, target, total/5, topics, m1)
	m1.stop(t)
	require.Less(t, count, int64(total), "the mirror must be stopped mid-stream")

	committed, err := mirrortest.CommittedOffsets(ctx, adm, "term")
	require.NoError(t, err)
	got, err := mirrortest.ReadAll(ctx, target, topics...)
	require.NoError(t, err)
	produced, err := feeder.Wait(60 * time.Second)
	require.NoError(t, err)
	require.Len(t, produced, total)
	t.Logf("stopped with %d records on the target, %d committed", len(got), committed.Total())

	onTarget := mirrortest.CountIDs(got)
	var below []mirrortest.Record
	var lost, uncommitted, dups []string
	for _, r := range produced {
		n := onTarget[r.ID()]
		isBelow := r.Offset < committed.Get(r.Topic, r.Partition)
		if isBelow {
			below = append(below, r)
		}
		switch {
		case isBelow && n == 0:
			lost = append(lost, fmt.Sprintf("%s (%s/%d@%d)", r.ID(), r.Topic, r.Partition, r.Offset))
		case !isBelow && n > 0:
			uncommitted = append(uncommitted, fmt.Sprintf("%s (%s/%d@%d)", r.ID(), r.Topic, r.Partition, r.Offset))
		}
		if n > 1 {
			dups = append(dups, r.ID())
		}
	}
	assert.Empty(t, first(lost), "%d records below the committed offsets are not on the target (committed %v)", len(lost), committed)
	assert.Empty(t, first(uncommitted), "%d records are on the target but not covered by the commit (committed %v)", len(uncommitted), committed)
	assert.Empty(t, first(dups), "%d records duplicated in a run without failures", len(dups))
	rep := mirrortest.Verify(below, got, tgtParts)
	assert.Empty(t, rep.Corrupted, rep.String())
	assert.Zero(t, rep.NumUnexp, rep.String())

	// A second mirror finishes the stream from the commit: no duplicates.
	m2 := startMirror(t, "mirror-2", mirrortest.NewInstance(t, spec))
	m2.waitReady(t)
	rep = waitDelivered(t, target, mirrortest.ReadAll, produced, tgtParts, topics, m2)
	assert.True(t, rep.Complete(), rep.String())
	assert.Zero(t, rep.DuplicateCount(), "restart after SIGTERM duplicated: %s", rep)
	m2.stop(t)
	ends, err := mirrortest.EndOffsets(ctx, adm, topics...)
	require.NoError(t, err)
	committed, err = mirrortest.CommittedOffsets(ctx, adm, "term")
	require.NoError(t, err)
	assert.Equal(t, ends.NonZero(), committed.NonZero(), "after SIGTERM on an idle stream everything is committed")

	// A third mirror starts on an idle stream; one new record per source partition proves it
	// fetched from every partition, and after its SIGTERM nothing old was copied again.
	m3 := startMirror(t, "mirror-3", mirrortest.NewInstance(t, spec))
	m3.waitReady(t)
	var extra []mirrortest.Record
	for _, topic := range topics {
		extra = append(extra, mirrortest.Generate(mirrortest.GenSpec{
			Prefix: "extra-" + topic, Topics: []string{topic}, Count: int(srcParts[topic]), SourcePartitions: srcParts,
		})...)
	}
	extra = produce(t, source, extra)
	all := append(append([]mirrortest.Record(nil), produced...), extra...)
	waitDelivered(t, target, mirrortest.ReadAll, all, tgtParts, topics, m3)
	m3.stop(t)
	got, err = mirrortest.ReadAll(ctx, target, topics...)
	require.NoError(t, err)
	rep = mirrortest.Verify(all, got, tgtParts)
	assert.True(t, rep.Complete(), rep.String())
	assert.Zero(t, rep.DuplicateCount(), "restart on an idle stream duplicated: %s", rep)
}

// first keeps the first ten entries of a list of offenders for the failure message.
func first(xs []string) []string {
	if len(xs) > 10 {
		return xs[:10]
	}
	return xs
}
