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
	"math/rand/v2"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

// The harness tests check the checker: if the murmur2 reference, the clients or the verifier
// were wrong, the mirror tests would prove nothing.

// TestHarnessMurmur2 compares the harness's murmur2 with Kafka's own test vectors
// (UtilsTest.testMurmur2) and with the partitioners of franz-go and kafka-go.
func TestHarnessMurmur2(t *testing.T) {
	vectors := map[string]int32{
		"21":                         -973932308,
		"foobar":                     -790332482,
		"a-little-bit-long-string":   -985981536,
		"a-little-bit-longer-string": -1486304829,
		"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
		"abc": 479470107,
	}
	for in, want := range vectors {
		assert.Equal(t, want, mirrortest.Murmur2([]byte(in)), "murmur2(%q)", in)
	}
	kgoPart := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		key := make([]byte, rng.IntN(40))
		for j := range key {
			key[j] = byte(rng.UintN(256))
		}
		n := 1 + rng.IntN(64)
		want := mirrortest.KeyPartition(key, int32(n))
		require.Equal(t, int(want), kgoPart.Partition(&kgo.Record{Key: key}, n), "franz-go, key %x over %d", key, n)
		parts := make([]int, n)
		for p := range parts {
			parts[p] = p
		}
		require.Equal(t, int(want), (&kafka.Murmur2Balancer{}).Balance(kafka.Message{Key: key}, parts...), "kafka-go, key %x over %d", key, n)
	}
}

// TestHarnessClients writes and reads generated records with franz-go and kafka-go against each
// kind of cluster the mirror tests use, and checks that the verifier accepts them: this proves
// that SCRAM and TLS with client certificates work with kfake and that both readers keep keys,
// tombstones, headers and timestamps.
func TestHarnessClients(t *testing.T) {
	for _, sec := range []mirrortest.Security{mirrortest.Plaintext, mirrortest.SCRAM, mirrortest.MTLS} {
		t.Run(sec.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "h" + sec.String(), Security: sec})
			topics := []string{"h-one", "h-two"}
			c.MustCreateTopics(t, 5, topics...)
			parts := map[string]int32{"h-one": 5, "h-two": 5}

			viaKgo := mirrortest.Generate(mirrortest.GenSpec{Prefix: "kgo", Topics: topics, Count: 400})
			_, err := mirrortest.Produce(ctx, c.NewClient(t, mirrortest.ProducerOpts()...), viaKgo)
			require.NoError(t, err)
			viaKafkaGo := mirrortest.Generate(mirrortest.GenSpec{Prefix: "kgo2", Topics: topics, Count: 400, NoEmptyKeys: true})
			require.NoError(t, mirrortest.KafkaGoProduce(ctx, c, viaKafkaGo))
			all := append(append([]mirrortest.Record(nil), viaKgo...), viaKafkaGo...)

			for name, read := range map[string]func(context.Context, *mirrortest.Cluster, ...string) ([]mirrortest.Record, error){
				"franz-go": mirrortest.ReadAll,
				"kafka-go": mirrortest.KafkaGoReadAll,
			} {
				got, err := read(ctx, c, topics...)
				require.NoError(t, err, name)
				expected := all
				if name == "kafka-go" {
					// kafka-go returns an empty key as nil: leave those records out.
					expected, got = withoutEmptyKeys(all), withoutIDs(got, emptyKeyIDs(all))
				}
				rep := mirrortest.Verify(expected, got, parts)
				// Unkeyed records were written to partition 0 by franz-go and anywhere by
				// kafka-go; only keyed ones are checked for their partition.
				assert.True(t, rep.Complete(), "%s: %s", name, rep)
				assert.Zero(t, rep.DuplicateCount(), "%s: %s", name, rep)
			}
		})
	}
}

func emptyKeyIDs(recs []mirrortest.Record) map[string]bool {
	ids := map[string]bool{}
	for i := range recs {
		if recs[i].Key != nil && len(recs[i].Key) == 0 {
			ids[recs[i].ID()] = true
		}
	}
	return ids
}

func withoutEmptyKeys(recs []mirrortest.Record) []mirrortest.Record {
	return withoutIDs(recs, emptyKeyIDs(recs))
}

func withoutIDs(recs []mirrortest.Record, ids map[string]bool) []mirrortest.Record {
	var out []mirrortest.Record
	for _, r := range recs {
		if !ids[r.ID()] {
			out = append(out, r)
		}
	}
	return out
}

// TestHarnessVerify checks that the verifier reports each kind of damage.
func TestHarnessVerify(t *testing.T) {
	parts := map[string]int32{"a": 3}
	want := mirrortest.Generate(mirrortest.GenSpec{Prefix: "v", Topics: []string{"a"}, Count: 200})
	place := func(recs []mirrortest.Record) []mirrortest.Record {
		out := make([]mirrortest.Record, len(recs))
		for i, r := range recs {
			r.Partition = 0
			if r.Key != nil {
				r.Partition = mirrortest.KeyPartition(r.Key, 3)
			}
			out[i] = r
		}
		return out
	}
	got := place(want)
	rep := mirrortest.Verify(want, got, parts)
	require.True(t, rep.Complete(), rep.String())
	require.Zero(t, rep.DuplicateCount())

	damaged := place(want)
	damaged = damaged[1:]                         // missing v-000000
	damaged = append(damaged, damaged[5])         // duplicate
	damaged[10].Value = nil                       // corrupted value (tombstone where a value was)
	damaged[20].Headers = damaged[20].Headers[:1] // lost headers
	damaged[30].Timestamp = damaged[30].Timestamp.Add(time.Millisecond)
	damaged[40].Partition = (damaged[40].Partition + 1) % 3
	damaged = append(damaged, mirrortest.Record{Topic: "a", Value: []byte("stray")})
	if damaged[20].Key == nil || len(want[21].Headers) == 1 {
		t.Fatalf("generator changed: adjust the damaged indices (%d headers)", len(want[21].Headers))
	}
	rep = mirrortest.Verify(want, damaged, parts)
	assert.Equal(t, []string{"v-000000"}, rep.Missing)
	assert.Equal(t, 1, rep.DuplicateCount())
	assert.Len(t, rep.Corrupted, 4, rep.String())
	assert.Equal(t, 1, rep.NumUnexp)
	assert.False(t, rep.Complete())
	t.Log(rep)
}
