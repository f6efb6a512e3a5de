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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

// killConsumerConfig shortens the group session so the coordinator drops a SIGKILLed member
// after seconds rather than MirrorMaker 1's default 45 s; the replacement can only get the
// partitions once the dead member is gone.
const killConsumerConfig = "auto.offset.reset=earliest\nsession.timeout.ms=6000\nheartbeat.interval.ms=500\n"

// TestKillAndRestart SIGKILLs the mirror while records are still being produced and mirrored,
// after it has committed at least once, then starts it again: at-least-once means no record may
// be lost; duplicates of what was copied after the last commit are allowed and reported.
func TestKillAndRestart(t *testing.T) {
	mirrorBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	source := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "source"})
	target := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "target"})
	topics, srcParts, tgtParts := topology(t, source, target,
		topicSpec{"k-one", 4, 4}, topicSpec{"k-two", 4, 3}, topicSpec{"k-three", 4, 5})
	const total = 10000
	recs := mirrortest.Generate(mirrortest.GenSpec{Prefix: "kill", Topics: topics, Count: total, SourcePartitions: srcParts})

	spec := mirrortest.MirrorSpec{Source: source, Target: target, Group: "kill", Include: "k-.*", ConsumerConfig: killConsumerConfig}
	m1 := startMirror(t, "mirror-1", mirrortest.NewInstance(t, spec))
	m1.waitReady(t)

	feeder := mirrortest.StartFeeder(ctx, source.NewClient(t, mirrortest.ProducerOpts()...), recs, 250, 100*time.Millisecond)
	waitCommitted(t, source, "kill", 1, m1)
	count := waitCount(t, target, total/4, topics, m1)
	m1.Kill()
	require.Less(t, count, int64(total), "the mirror must be killed mid-stream")
	committed, err := mirrortest.CommittedOffsets(ctx, source.Admin(t), "kill")
	require.NoError(t, err)
	require.NotZero(t, committed.Total(), "the group had committed before the kill")
	ends, err := mirrortest.EndOffsets(ctx, target.Admin(t), topics...)
	require.NoError(t, err)
	copied := ends.Total() // final: the killed mirror can add nothing
	t.Logf("killed with %d records on the target, %d produced, %d committed", copied, feeder.Produced(), committed.Total())

	m2 := startMirror(t, "mirror-2", mirrortest.NewInstance(t, spec))
	m2.waitReady(t)
	produced, err := feeder.Wait(60 * time.Second)
	require.NoError(t, err)
	require.Len(t, produced, total)

	rep := waitDelivered(t, target, mirrortest.ReadAll, produced, tgtParts, topics, m2)
	assert.True(t, rep.Complete(), rep.String())
	t.Logf("duplicates after SIGKILL and restart: %d records copied twice or more (%d ids)", rep.DuplicateCount(), len(rep.Duplicates))
	// The restart resumes from the commit, so it can only repeat what the killed mirror copied
	// beyond it.
	assert.LessOrEqual(t, int64(rep.DuplicateCount()), copied-committed.Total(),
		"more duplicates than records copied after the last commit: the restart did not resume from the committed offsets")
	m2.stop(t)
}
