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
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

// Bounds of the waits. They are generous for a race-instrumented mirror on a loaded machine;
// a healthy mirror needs a fraction of them.
const (
	readyTimeout   = 45 * time.Second // start, connect both clusters, join the group
	deliverTimeout = 90 * time.Second // copy everything a test produced
	stopTimeout    = 10 * time.Second // SIGTERM to exit, the bound the spec gives
	caseTimeout    = 110 * time.Second
)

// mirror is a running kmm-mirror together with its pod-like directories.
type mirror struct {
	*mirrortest.Process
	inst *mirrortest.Instance
}

// startMirror runs `kmm-mirror run` with the instance's environment.
func startMirror(t *testing.T, name string, inst *mirrortest.Instance) *mirror {
	t.Helper()
	return &mirror{Process: mirrortest.Start(t, name, mirrorBinary(t).Path, inst.Env, "run"), inst: inst}
}

// startMirrorViaScript runs the binary under the name the Strimzi Deployment uses as container
// args (kafka_mirror_maker_run.sh, a symlink), without arguments.
func startMirrorViaScript(t *testing.T, name string, inst *mirrortest.Instance) *mirror {
	t.Helper()
	return &mirror{Process: mirrortest.Start(t, name, mirrorBinary(t).RunLink, inst.Env), inst: inst}
}

// waitReady waits for the readiness file, which the contract says exists only once both
// clusters are connected and every consumer has joined the group.
func (m *mirror) waitReady(t *testing.T) {
	t.Helper()
	took := m.WaitForFile(m.inst.ReadyFile(), true, readyTimeout)
	t.Logf("%s: ready after %v", m.Name, took.Round(time.Millisecond))
}

// stop sends SIGTERM and requires exit code 0 within the spec's bound.
func (m *mirror) stop(t *testing.T) {
	t.Helper()
	m.Signal(syscall.SIGTERM)
	m.MustExit(0, stopTimeout)
}

// topicSpec is a topic with its partition counts on the source and on the target; they differ
// on purpose, so a mirror that kept the source partition would put records on the wrong one.
type topicSpec struct {
	name     string
	src, tgt int32
}

// topology creates the topics on both clusters and returns their names and the partition counts
// per cluster.
func topology(t *testing.T, source, target *mirrortest.Cluster, specs ...topicSpec) (names []string, srcParts, tgtParts map[string]int32) {
	t.Helper()
	srcParts, tgtParts = map[string]int32{}, map[string]int32{}
	for _, s := range specs {
		names = append(names, s.name)
		srcParts[s.name], tgtParts[s.name] = s.src, s.tgt
		source.MustCreateTopics(t, s.src, s.name)
		if target != nil {
			target.MustCreateTopics(t, s.tgt, s.name)
		}
	}
	return names, srcParts, tgtParts
}

// produce writes recs to the cluster with franz-go and returns them with their offsets.
func produce(t *testing.T, c *mirrortest.Cluster, recs []mirrortest.Record) []mirrortest.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := mirrortest.Produce(ctx, c.NewClient(t, mirrortest.ProducerOpts()...), recs)
	require.NoError(t, err)
	return out
}

// waitDelivered waits until every expected record is on the target and returns the report;
// records missing at the deadline fail the test with the report.
func waitDelivered(t *testing.T, target *mirrortest.Cluster, read mirrortest.Reader, expected []mirrortest.Record, tgtParts map[string]int32, topics []string, procs ...*mirror) *mirrortest.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deliverTimeout)
	defer cancel()
	start := time.Now()
	rep, err := mirrortest.WaitDelivered(ctx, target, read, expected, tgtParts, topics)
	for _, p := range procs {
		if p.Exited() {
			t.Errorf("%s exited while records were being delivered", p.Name)
		}
	}
	require.NoError(t, err)
	t.Logf("delivered after %v: %s", time.Since(start).Round(time.Millisecond), rep)
	return rep
}

// waitCount waits until the target holds at least n records in the topics; tests use it to act
// in the middle of a stream.
func waitCount(t *testing.T, c *mirrortest.Cluster, n int64, topics []string, m *mirror) int64 {
	t.Helper()
	adm := c.Admin(t)
	var count int64
	mirrortest.Eventually(t, deliverTimeout, "target record count", func() (bool, string) {
		if m != nil && m.Exited() {
			return true, ""
		}
		ends, err := mirrortest.EndOffsets(context.Background(), adm, topics...)
		if err != nil {
			return false, err.Error()
		}
		count = ends.Total()
		return count >= n, ""
	})
	if m != nil {
		m.AssertRunning()
	}
	return count
}

// waitCommitted waits until the group has committed at least n offsets in total on the source,
// so that a kill afterwards tests resuming from a commit, not only re-reading from the start.
func waitCommitted(t *testing.T, c *mirrortest.Cluster, group string, n int64, m *mirror) int64 {
	t.Helper()
	adm := c.Admin(t)
	var total int64
	mirrortest.Eventually(t, 30*time.Second, "committed offsets of "+group, func() (bool, string) {
		if m != nil && m.Exited() {
			return true, ""
		}
		committed, err := mirrortest.CommittedOffsets(context.Background(), adm, group)
		if err != nil {
			return false, err.Error()
		}
		total = committed.Total()
		return total >= n, ""
	})
	if m != nil {
		m.AssertRunning()
	}
	return total
}
