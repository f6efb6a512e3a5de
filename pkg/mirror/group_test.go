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
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// During the Deployment's rolling update the group holds Java MirrorMaker members and
// kmm-mirror members. The Java consumer (Kafka 3.x defaults) joins with the protocols
// [range, cooperative-sticky] and client id <group>-<i>; kmm-mirror must offer the same, so the
// group agrees on range, and must resume each partition from the offset the Java member
// committed.
func TestSharesTheGroupWithJavaMirrorMaker(t *testing.T) {
	source := cluster(t, kfake.SeedTopics(6, "t"))
	target := cluster(t, kfake.SeedTopics(6, "t"))

	var mu sync.Mutex
	protocols := map[string][]string{} // the distinct protocol lists JoinGroup requests offered
	source.ControlKey(int16(kmsg.JoinGroup), func(req kmsg.Request) (kmsg.Response, error, bool) {
		jr := req.(*kmsg.JoinGroupRequest)
		var names []string
		for _, p := range jr.Protocols {
			names = append(names, p.Name)
		}
		mu.Lock()
		protocols[jr.ProtocolType+" "+fmt.Sprint(names)] = names
		mu.Unlock()
		return nil, nil, false
	})

	// The "Java" member: Kafka 3.9's default assignors, MirrorMaker 1's client id, manual commits.
	java := client(t, source, kgo.ConsumerGroup(group), kgo.ConsumeTopics("t"), kgo.ClientID(group+"-0"),
		kgo.Balancers(kgo.RangeBalancer(), kgo.CooperativeStickyBalancer()), kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	produce(t, source, "t", 600, func(i int) []byte { return []byte(fmt.Sprint(i)) })
	// It mirrors (here: reads) what it is assigned and commits.
	javaRead := 0
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		fs := java.PollFetches(ctx)
		cancel()
		javaRead += fs.NumRecords()
		require.NoError(t, java.CommitUncommittedOffsets(context.Background()))
		return javaRead == 600
	}, 10*time.Second, 10*time.Millisecond, "alone in the group, the Java member reads every partition")

	m, _ := newMirror(t, baseEnv(source, target, "t"))
	cancel, done := run(m)
	adm := kadm.NewClient(client(t, source))
	var described kadm.DescribedGroup
	require.Eventually(t, func() bool {
		java.PollFetches(canceled()) // keeps the Java member in the rebalance
		groups, err := adm.DescribeGroups(context.Background(), group)
		if err != nil {
			return false
		}
		described = groups[group]
		return described.State == "Stable" && len(described.Members) == 2
	}, 20*time.Second, 50*time.Millisecond, "the Go member joins the Java member's group")
	assert.Equal(t, "range", described.Protocol, "the group agrees on range")
	assert.Equal(t, "consumer", described.ProtocolType)
	clientIDs := []string{described.Members[0].ClientID, described.Members[1].ClientID}
	slices.Sort(clientIDs)
	assert.Equal(t, []string{group + "-0", group + "-0"}, clientIDs, "both use MirrorMaker 1's client id")
	mu.Lock()
	assert.Equal(t, map[string][]string{"consumer [range cooperative-sticky]": {"range", "cooperative-sticky"}}, protocols,
		"both offer the same protocols in the same order")
	mu.Unlock()

	// The Java pod stops; the Go member takes its partitions and resumes from their commits:
	// nothing it had committed is mirrored again, everything new is.
	java.CloseAllowingRebalance()
	produce(t, source, "t", 60, func(i int) []byte { return []byte(fmt.Sprint("new", i)) })
	require.Eventually(t, func() bool { return total(endOffsets(t, target, "t")) == 60 },
		20*time.Second, 50*time.Millisecond, "the new records are mirrored")
	cancel()
	require.NoError(t, wait(t, done))
	assert.Equal(t, endOffsets(t, source, "t"), committed(t, source, "t"))
	assert.Equal(t, int64(60), total(endOffsets(t, target, "t")), "no record the Java member committed is mirrored again")
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
