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

package mirrortest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"time"
)

// IDHeader is the header that carries a record's unique id; the verifier matches target records
// to source records by it. The id is also embedded in the value, so a record whose headers were
// lost is still recognisable.
const IDHeader = "mm-test-id"

// Header is a record header.
type Header struct {
	Key   string
	Value []byte
}

// Record is a record independent of the client library that wrote or read it, so franz-go and
// kafka-go can both produce and consume for the same verifier.
type Record struct {
	Topic     string
	Partition int32 // on write: the partition to write to, or -1 to let the partitioner choose
	Offset    int64 // on read: the offset in the partition
	Key       []byte
	Value     []byte
	Headers   []Header
	Timestamp time.Time // millisecond precision, as Kafka stores it
}

// ID is the value of the id header, or "" if there is none.
func (r *Record) ID() string {
	for _, h := range r.Headers {
		if h.Key == IDHeader {
			return string(h.Value)
		}
	}
	return ""
}

// GenSpec describes records to generate.
type GenSpec struct {
	// Prefix makes ids unique across the batches of one test (e.g. "a", "late").
	Prefix string
	// Topics receive the records round-robin.
	Topics []string
	// Count is the number of records over all topics.
	Count int
	// SourcePartitions, when set, spreads each topic's records round-robin over that many
	// partitions explicitly, so every source partition has data; otherwise Partition is -1.
	SourcePartitions map[string]int32
	// Seed makes the payloads reproducible; 0 uses a fixed default.
	Seed uint64
	// NoEmptyKeys avoids zero-length (non-nil) keys, for writers that cannot express them.
	NoEmptyKeys bool
}

// Generate returns records that exercise everything the mirror must copy: keys that spread
// over all partitions plus some nil keys and empty keys (murmur2 of an empty key is still a
// partition), values of varying length with arbitrary bytes plus nil values (tombstones), zero to
// four headers besides the id including a duplicated key and an empty value (order matters), and
// explicit timestamps in the past that no broker or producer would assign.
func Generate(spec GenSpec) []Record {
	seed := spec.Seed
	if seed == 0 {
		seed = 0x6b6d6d
	}
	rng := rand.New(rand.NewPCG(seed, uint64(len(spec.Prefix))))
	base := time.Date(2021, 3, 14, 15, 9, 26, 0, time.UTC)
	out := make([]Record, spec.Count)
	perTopic := map[string]int32{}
	for i := range out {
		topic := spec.Topics[i%len(spec.Topics)]
		id := fmt.Sprintf("%s-%06d", spec.Prefix, i)
		r := Record{
			Topic:     topic,
			Partition: -1,
			Timestamp: base.Add(time.Duration(i)*1237*time.Millisecond + time.Duration(rng.IntN(1000))*time.Millisecond),
		}
		if n := spec.SourcePartitions[topic]; n > 0 {
			r.Partition = perTopic[topic] % n
			perTopic[topic]++
		}
		switch {
		case i%53 == 7:
			r.Key = nil // no key: the target partition is the partitioner's choice
		case i%61 == 11 && !spec.NoEmptyKeys:
			r.Key = []byte{}
		default:
			r.Key = []byte(fmt.Sprintf("key-%d", rng.IntN(5000)))
		}
		if i%29 != 3 { // every 29th record is a tombstone
			payload := make([]byte, 8+rng.IntN(200))
			for j := range payload {
				payload[j] = byte(rng.UintN(256))
			}
			r.Value = append([]byte("value-of-"+id+":"), payload...)
		}
		r.Headers = []Header{{Key: IDHeader, Value: []byte(id)}}
		switch i % 4 {
		case 1:
			r.Headers = append(r.Headers, Header{"trace", []byte(fmt.Sprintf("t-%x", rng.Uint64()))})
		case 2:
			r.Headers = append(r.Headers,
				Header{"dup", []byte("first")}, Header{"dup", []byte("second")}, Header{"empty", []byte{}})
		case 3:
			r.Headers = append(r.Headers,
				Header{"z-last", []byte("z")}, Header{"a-first", []byte("a")},
				Header{"bin", []byte{0, 1, 2, 255}}, Header{"dup", []byte("x")})
		}
		out[i] = r
	}
	return out
}

// diff compares two records' mirrored content: topic, key and value (including nil versus
// empty), headers in order, and timestamp, and describes each difference of o from r.
// Partition and offset are not content.
func (r *Record) diff(o *Record) []string {
	var d []string
	if r.Topic != o.Topic {
		d = append(d, fmt.Sprintf("topic %q, want %q", o.Topic, r.Topic))
	}
	if !bytesEqualNil(r.Key, o.Key) {
		d = append(d, fmt.Sprintf("key %s, want %s", showBytes(o.Key), showBytes(r.Key)))
	}
	if !bytesEqualNil(r.Value, o.Value) {
		d = append(d, fmt.Sprintf("value %s, want %s", showBytes(o.Value), showBytes(r.Value)))
	}
	if !headersEqual(r.Headers, o.Headers) {
		d = append(d, fmt.Sprintf("headers %s, want %s", showHeaders(o.Headers), showHeaders(r.Headers)))
	}
	if r.Timestamp.UnixMilli() != o.Timestamp.UnixMilli() {
		d = append(d, fmt.Sprintf("timestamp %d, want %d", o.Timestamp.UnixMilli(), r.Timestamp.UnixMilli()))
	}
	return d
}

// bytesEqualNil is bytes.Equal that also distinguishes nil (null in Kafka) from empty.
func bytesEqualNil(a, b []byte) bool {
	return (a == nil) == (b == nil) && bytes.Equal(a, b)
}

// headersEqual compares keys and values in order; a header value is compared by its bytes only,
// since not every client library keeps a null header value apart from an empty one.
func headersEqual(a, b []Header) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || !bytes.Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

func showBytes(b []byte) string {
	if b == nil {
		return "null"
	}
	if len(b) > 40 {
		return fmt.Sprintf("%q...(%d bytes)", b[:40], len(b))
	}
	return fmt.Sprintf("%q", b)
}

func showHeaders(hs []Header) string {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, h := range hs {
		if i > 0 {
			buf.WriteByte(' ')
		}
		fmt.Fprintf(&buf, "%s=%q", h.Key, h.Value)
	}
	buf.WriteByte(']')
	return buf.String()
}
