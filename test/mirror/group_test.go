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

// TestTwoProcessesOneKilled runs two mirrors (two replicas of the Deployment) with
// KAFKA_MIRRORMAKER_NUMSTREAMS=3 each in one group on a 12-partition topic: the group must have
// six members sharing the partitions. One process is SIGKILLed mid-stream; the other must take
// over its partitions and nothing may be lost (duplicates are allowed and reported).
func TestTwoProcessesOneKilled(t *testing.T) {
	mirrorBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	source := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "source"})
	target := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "target"})
	topics, srcParts, tgtParts := topology(t, source, target, topicSpec{"g-events", 12, 10})
	const total = 12000
	recs := mirrortest.Generate(mirrortest.GenSpec{Prefix: "grp", Topics: topics, Count: total, SourcePartitions: srcParts})

	spec := mirrortest.MirrorSpec{Source: source, Target: target, Group: "streams", Include: "g-events", ConsumerConfig: killConsumerConfig}
	instA := mirrortest.NewInstance(t, spec)
	instA.Env = instA.Env.With("KAFKA_MIRRORMAKER_NUMSTREAMS", "3")
	instB := mirrortest.NewInstance(t, spec)
	instB.Env = instB.Env.With("KAFKA_MIRRORMAKER_NUMSTREAMS", "3")
	a := startMirror(t, "mirror-a", instA)
	a.waitReady(t)
	b := startMirror(t, "mirror-b", instB)
	b.waitReady(t)

	adm := source.Admin(t)
	waitGroup := func(members, partitions int) {
		t.Helper()
		mirrortest.Eventually(t, 60*time.Second, fmt.Sprintf("group with %d members owning %d partitions", members, partitions), func() (bool, string) {
			state, ms, err := mirrortest.DescribeGroup(ctx, adm, "streams")
			if err != nil {
				return false, err.Error()
			}
			assigned := 0
			for _, m := range ms {
				assigned += m.Assigned
			}
			status := fmt.Sprintf("state %s, %d members, %d partitions assigned: %+v", state, len(ms), assigned, ms)
			return state == "Stable" && len(ms) == members && assigned == partitions, status
		})
	}
	waitGroup(6, 12)
	_, members, err := mirrortest.DescribeGroup(ctx, adm, "streams")
	require.NoError(t, err)
	for _, m := range members {
		assert.Equal(t, 2, m.Assigned, "12 partitions over 6 consumers: %+v", members)
	}
	t.Logf("group members: %+v", members)

	feeder := mirrortest.StartFeeder(ctx, source.NewClient(t, mirrortest.ProducerOpts()...), recs, 300, 100*time.Millisecond)
	waitCommitted(t, source, "streams", 1, b)
	count := waitCount(t, target, total/4, topics, b)
	b.Kill()
	require.Less(t, count, int64(total), "the mirror must be killed mid-stream")
	t.Logf("killed mirror-b with %d records on the target, %d produced", count, feeder.Produced())

	produced, err := feeder.Wait(60 * time.Second)
	require.NoError(t, err)
	rep := waitDelivered(t, target, mirrortest.ReadAll, produced, tgtParts, topics, a)
	assert.True(t, rep.Complete(), rep.String())
	t.Logf("duplicates after SIGKILL of one of two processes: %d records copied twice or more (%d ids)", rep.DuplicateCount(), len(rep.Duplicates))
	waitGroup(3, 12)
	a.stop(t)
}
