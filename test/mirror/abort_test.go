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

// TestAbortOnSendFailure points the producer at an address nobody listens on: with
// abort.on.send.failure=true the mirror must exit 255 once the delivery timeout expires, and
// must not commit any offset (nothing was acknowledged by the target). A target started later
// on that address then receives everything from a restarted mirror, exactly once.
func TestAbortOnSendFailure(t *testing.T) {
	mirrorBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	source := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "source"})
	topics, srcParts, _ := topology(t, source, nil, topicSpec{"a-one", 3, 0}, topicSpec{"a-two", 2, 0})
	recs := produce(t, source, mirrortest.Generate(mirrortest.GenSpec{Prefix: "abort", Topics: topics, Count: 2000, SourcePartitions: srcParts}))

	port := mirrortest.FreePort(t)
	spec := mirrortest.MirrorSpec{
		Source: source, Group: "abort", Include: "a-one,a-two",
		ProducerConfig: "delivery.timeout.ms=3000\nrequest.timeout.ms=1000\n",
	}
	inst := mirrortest.NewInstance(t, spec)
	inst.Env = inst.Env.With("KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER", fmt.Sprintf("127.0.0.1:%d", port)).
		With("KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE", "true")
	m1 := startMirror(t, "mirror-1", inst)
	m1.MustExit(255, 60*time.Second)

	adm := source.Admin(t)
	committed, err := mirrortest.CommittedOffsets(ctx, adm, "abort")
	require.NoError(t, err)
	assert.Zero(t, committed.Total(), "offsets committed although no record reached the target: %v", committed)

	target, err := mirrortest.NewCluster(mirrortest.ClusterConfig{Name: "target", Ports: []int{port}})
	require.NoError(t, err, "start the target on the port the mirror was given")
	t.Cleanup(target.Close)
	tgtParts := map[string]int32{"a-one": 4, "a-two": 3}
	for topic, n := range tgtParts {
		target.MustCreateTopics(t, n, topic)
	}
	inst2 := mirrortest.NewInstance(t, spec)
	inst2.Env = inst2.Env.With("KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER", target.Bootstrap())
	m2 := startMirror(t, "mirror-2", inst2)
	m2.waitReady(t)
	rep := waitDelivered(t, target, mirrortest.ReadAll, recs, tgtParts, topics, m2)
	assert.True(t, rep.Complete(), rep.String())
	assert.Zero(t, rep.DuplicateCount(), "nothing reached the target before, so nothing can be a duplicate: %s", rep)
	m2.stop(t)

	ends, err := mirrortest.EndOffsets(ctx, adm, topics...)
	require.NoError(t, err)
	committed, err = mirrortest.CommittedOffsets(ctx, adm, "abort")
	require.NoError(t, err)
	assert.Equal(t, ends.NonZero(), committed.NonZero())
}
