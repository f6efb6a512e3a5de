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
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
)

// The group protocol is checked against a consumer that is not franz-go: librdkafka, through
// kcat (Debian package kcat; make test installs it). Like Java's consumer it implements the
// classic group protocol and the range assignor on its own, so a group it shares with kmm-mirror
// shows that the member metadata, the assignment and the committed offsets carry over between
// implementations, as they must between the Java and the Go pods of a rolling update.
func TestSharesTheGroupWithLibrdkafka(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	require.NoError(t, err, "this test needs kcat (librdkafka's command-line client): apt-get install kcat")

	source := cluster(t, kfake.SeedTopics(6, "t"))
	target := cluster(t, kfake.SeedTopics(6, "t"))
	produce(t, source, "t", 600, func(i int) []byte { return []byte(fmt.Sprint(i)) })

	// The librdkafka member: MirrorMaker 1's client id, the range assignor, offsets committed.
	cmd := exec.Command(kcat, "-b", strings.Join(source.ListenAddrs(), ","), "-G", group,
		"-X", "client.id="+group+"-0", "-X", "partition.assignment.strategy=range",
		"-X", "auto.offset.reset=earliest", "-X", "auto.commit.interval.ms=100",
		"-q", "-u", "-f", "%p %o\n", "t")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	var read atomic.Int64
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			read.Add(1)
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("kcat stderr:\n%s", stderr.String())
		}
	})
	require.Eventually(t, func() bool { return read.Load() == 600 && total(committed(t, source, "t")) == 600 },
		30*time.Second, 50*time.Millisecond, "alone in the group, librdkafka reads and commits every partition")

	m, _ := newMirror(t, baseEnv(source, target, "t"))
	cancel, done := run(m)
	adm := kadm.NewClient(client(t, source))
	var described kadm.DescribedGroup
	require.Eventually(t, func() bool {
		groups, err := adm.DescribeGroups(context.Background(), group)
		if err != nil {
			return false
		}
		described = groups[group]
		return described.State == "Stable" && len(described.Members) == 2
	}, 30*time.Second, 50*time.Millisecond, "kmm-mirror joins librdkafka's group")
	assert.Equal(t, "range", described.Protocol)
	for _, member := range described.Members {
		assigned, ok := member.Assigned.AsConsumer()
		require.True(t, ok, "member %s: a consumer assignment", member.ClientID)
		n := 0
		for _, tp := range assigned.Topics {
			n += len(tp.Partitions)
		}
		assert.Equal(t, 3, n, "range gives member %s (%s) half of the 6 partitions", member.MemberID, member.ClientID)
	}

	// The librdkafka member stops (it commits and leaves); kmm-mirror takes its partitions and
	// resumes from its commits: only the new records are mirrored.
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatal("kcat did not stop within 20 s of SIGTERM")
	}
	produce(t, source, "t", 60, func(i int) []byte { return []byte(fmt.Sprint("new", i)) })
	require.Eventually(t, func() bool { return total(endOffsets(t, target, "t")) == 60 },
		30*time.Second, 50*time.Millisecond, "the new records are mirrored")
	cancel()
	require.NoError(t, wait(t, done))
	assert.Equal(t, endOffsets(t, source, "t"), committed(t, source, "t"))
	assert.Equal(t, int64(60), total(endOffsets(t, target, "t")), "no record librdkafka committed is mirrored again")
}
