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

// TestInclude checks that KAFKA_MIRRORMAKER_INCLUDE selects exactly the matching topics, with
// MirrorMaker 1's rules (a comma means "or", the whole name must match): "orders-.*,audit"
// mirrors orders-1, orders-2 and audit but not ordersX, audit2 or other, and a matching topic
// created after the mirror started (orders-3) is picked up at the next metadata refresh.
func TestInclude(t *testing.T) {
	mirrorBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	source := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "source"})
	target := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "target"})
	matching := []string{"orders-1", "orders-2", "audit"}
	other := []string{"ordersX", "audit2", "other"}
	var specs []topicSpec
	for _, name := range append(append([]string(nil), matching...), other...) {
		specs = append(specs, topicSpec{name, 3, 2})
	}
	// Every topic exists on the target too, so a record mirrored by mistake would land there
	// and be seen, instead of failing in the producer.
	_, srcParts, tgtParts := topology(t, source, target, specs...)

	want := produce(t, source, mirrortest.Generate(mirrortest.GenSpec{Prefix: "in", Topics: matching, Count: 600, SourcePartitions: srcParts}))
	produce(t, source, mirrortest.Generate(mirrortest.GenSpec{Prefix: "out", Topics: other, Count: 600, SourcePartitions: srcParts}))

	group := "include"
	inst := mirrortest.NewInstance(t, mirrortest.MirrorSpec{
		Source: source, Target: target, Group: group, Include: "orders-.*,audit",
		ConsumerConfig: "auto.offset.reset=earliest\nmetadata.max.age.ms=1000\n",
	})
	m := startMirror(t, "mirror", inst)
	m.waitReady(t)

	// The late topic: on the target first, so the mirror can write to it once it sees it.
	target.MustCreateTopics(t, 2, "orders-3")
	source.MustCreateTopics(t, 3, "orders-3")
	srcParts["orders-3"], tgtParts["orders-3"] = 3, 2
	late := produce(t, source, mirrortest.Generate(mirrortest.GenSpec{Prefix: "late", Topics: []string{"orders-3"}, Count: 300, SourcePartitions: srcParts}))
	want = append(want, late...)
	matching = append(matching, "orders-3")

	rep := waitDelivered(t, target, mirrortest.ReadAll, want, tgtParts, matching, m)
	assert.True(t, rep.Complete(), rep.String())
	assert.Zero(t, rep.DuplicateCount(), rep.String())

	// The group's assignment is what the mirror subscribed to: exactly the matching topics.
	adm := source.Admin(t)
	var members []mirrortest.GroupMember
	mirrortest.Eventually(t, 30*time.Second, "assignment of the late topic", func() (bool, string) {
		_, ms, err := mirrortest.DescribeGroup(ctx, adm, group)
		if err != nil {
			return false, err.Error()
		}
		members = ms
		return len(mirrortest.AssignedTopics(ms)) >= 4, ""
	})
	assert.Equal(t, []string{"audit", "orders-1", "orders-2", "orders-3"}, mirrortest.AssignedTopics(members))

	// Nothing of the other topics was copied or committed. The matching records are all on
	// the target, so the mirror had every chance to copy the others too.
	tgtEnds, err := mirrortest.EndOffsets(ctx, target.Admin(t), other...)
	require.NoError(t, err)
	assert.Zero(t, tgtEnds.Total(), "records copied from non-matching topics: %v", tgtEnds)
	m.stop(t)
	committed, err := mirrortest.CommittedOffsets(ctx, adm, group)
	require.NoError(t, err)
	for _, topic := range other {
		assert.NotContains(t, committed, topic, "offsets committed for non-matching topic %s", topic)
	}
	for _, topic := range matching {
		assert.Contains(t, committed, topic, "no offsets committed for matching topic %s", topic)
	}
}
