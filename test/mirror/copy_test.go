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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

// copyCase is one end-to-end copy through a given kind of security.
type copyCase struct {
	security mirrortest.Security
	// kafkaGo writes the source and reads the target with segmentio/kafka-go instead of
	// franz-go, so the mirror is not only checked by the library it is built on.
	kafkaGo bool
	// viaScript starts the mirror as kafka_mirror_maker_run.sh, as the Deployment does.
	viaScript bool
}

// TestCopyPlaintext mirrors 10,000 records between plaintext clusters, started under the
// script name the Strimzi Deployment uses.
func TestCopyPlaintext(t *testing.T) {
	testCopy(t, copyCase{security: mirrortest.Plaintext, viaScript: true})
}

// TestCopySCRAM mirrors 10,000 records between clusters that require SCRAM-SHA-512 (each with
// its own user, the password mounted as a file with a trailing newline); the source is written
// and the target read with kafka-go.
func TestCopySCRAM(t *testing.T) {
	testCopy(t, copyCase{security: mirrortest.SCRAM, kafkaGo: true})
}

// TestCopyMTLS mirrors 10,000 records between clusters that require TLS with a client
// certificate; each cluster has its own private CA, so the mirror must trust and present the
// certificates mounted for the right side.
func TestCopyMTLS(t *testing.T) {
	testCopy(t, copyCase{security: mirrortest.MTLS})
}

// testCopy writes half of the records before the mirror starts (they must be picked up with
// auto.offset.reset=earliest) and half while it runs, then checks every record: key, value
// (tombstones stay null), headers in order, timestamp, and the murmur2 partition on a target
// whose partition counts differ from the source's. A clean run must produce no duplicates and,
// after SIGTERM, leave the group's committed offsets at the end of every source partition.
func testCopy(t *testing.T, tc copyCase) {
	mirrorBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	source := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "source", Security: tc.security})
	target := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "target", Security: tc.security})
	topics, srcParts, tgtParts := topology(t, source, target,
		topicSpec{"c-alpha", 4, 6}, topicSpec{"c-beta", 5, 4}, topicSpec{"c-gamma", 6, 5})

	const total = 10000
	recs := mirrortest.Generate(mirrortest.GenSpec{
		Prefix: "copy", Topics: topics, Count: total, SourcePartitions: srcParts, NoEmptyKeys: tc.kafkaGo,
	})
	write := func(batch []mirrortest.Record) {
		if tc.kafkaGo {
			require.NoError(t, mirrortest.KafkaGoProduce(ctx, source, batch))
			return
		}
		produce(t, source, batch)
	}
	read := mirrortest.Reader(mirrortest.ReadAll)
	if tc.kafkaGo {
		read = mirrortest.KafkaGoReadAll
	}

	write(recs[:total/2])
	group := "copy-" + tc.security.String()
	inst := mirrortest.NewInstance(t, mirrortest.MirrorSpec{Source: source, Target: target, Group: group, Include: "c-.*"})
	var m *mirror
	if tc.viaScript {
		m = startMirrorViaScript(t, "mirror", inst)
	} else {
		m = startMirror(t, "mirror", inst)
	}
	m.waitReady(t)
	write(recs[total/2:])

	rep := waitDelivered(t, target, read, recs, tgtParts, topics, m)
	assert.True(t, rep.Complete(), rep.String())
	assert.Zero(t, rep.DuplicateCount(), "a run without failures must not duplicate: %s", rep)

	m.stop(t)
	adm := source.Admin(t)
	ends, err := mirrortest.EndOffsets(ctx, adm, topics...)
	require.NoError(t, err)
	committed, err := mirrortest.CommittedOffsets(ctx, adm, group)
	require.NoError(t, err)
	assert.Equal(t, ends.NonZero(), committed.NonZero(), "after SIGTERM the group %s must have committed everything it copied", group)
}
