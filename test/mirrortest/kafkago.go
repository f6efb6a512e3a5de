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
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// The kafka-go helpers write and read with a second, independent Kafka client, so a test can
// check the mirror with a library that shares no code with franz-go (which the mirror uses):
// a bug common to the mirror and the harness's own franz-go reads cannot cancel itself out.

func (c *Cluster) kafkaGoSecurity() (sasl.Mechanism, *tls.Config, error) {
	switch c.Security {
	case SCRAM:
		m, err := scram.Mechanism(scram.SHA512, c.User, c.Password)
		return m, nil, err
	case MTLS:
		tc, err := c.PKI.ClientTLS()
		return nil, tc, err
	}
	return nil, nil, nil
}

// KafkaGoTransport is a kafka-go transport (for Writer and Client) with the cluster's security.
func (c *Cluster) KafkaGoTransport() (*kafka.Transport, error) {
	m, tc, err := c.kafkaGoSecurity()
	if err != nil {
		return nil, err
	}
	return &kafka.Transport{SASL: m, TLS: tc, DialTimeout: 5 * time.Second, ClientID: "mirrortest-kafka-go"}, nil
}

// KafkaGoDialer is a kafka-go dialer (for Reader) with the cluster's security.
func (c *Cluster) KafkaGoDialer() (*kafka.Dialer, error) {
	m, tc, err := c.kafkaGoSecurity()
	if err != nil {
		return nil, err
	}
	return &kafka.Dialer{SASLMechanism: m, TLS: tc, Timeout: 5 * time.Second, ClientID: "mirrortest-kafka-go"}, nil
}

// KafkaGoProduce writes recs with a kafka-go Writer. The partition is chosen by kafka-go's
// Murmur2Balancer (the Java-compatible one; its default Hash balancer is FNV-1a), so
// Record.Partition is ignored. kafka-go cannot write an empty non-nil key distinctly, so
// generate such records with NoEmptyKeys.
func KafkaGoProduce(ctx context.Context, c *Cluster, recs []Record) error {
	tr, err := c.KafkaGoTransport()
	if err != nil {
		return err
	}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{
		Addr:         kafka.TCP(c.Addrs()...),
		Balancer:     &kafka.Murmur2Balancer{},
		Transport:    tr,
		RequiredAcks: kafka.RequireAll,
		BatchSize:    1000,
		BatchBytes:   1 << 20,
		BatchTimeout: 5 * time.Millisecond,
	}
	defer w.Close()
	const chunk = 2000
	for start := 0; start < len(recs); start += chunk {
		end := min(start+chunk, len(recs))
		msgs := make([]kafka.Message, 0, end-start)
		for i := start; i < end; i++ {
			r := &recs[i]
			m := kafka.Message{Topic: r.Topic, Key: r.Key, Value: r.Value, Time: r.Timestamp}
			for _, h := range r.Headers {
				m.Headers = append(m.Headers, kafka.Header{Key: h.Key, Value: h.Value})
			}
			msgs = append(msgs, m)
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			return fmt.Errorf("kafka-go write: %w", err)
		}
	}
	return nil
}

// KafkaGoReadAll reads every record of the topics below the high watermark at the time of the
// call with kafka-go (one partition Reader each, no group). kafka-go returns an empty key as nil
// (values and tombstones are kept apart), so records with empty keys cannot be verified from
// its reads: generate them with NoEmptyKeys.
func KafkaGoReadAll(ctx context.Context, c *Cluster, topics ...string) ([]Record, error) {
	tr, err := c.KafkaGoTransport()
	if err != nil {
		return nil, err
	}
	defer tr.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(c.Addrs()...), Transport: tr, Timeout: 10 * time.Second}
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return nil, fmt.Errorf("kafka-go metadata: %w", err)
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for _, t := range md.Topics {
		if t.Error != nil {
			if errors.Is(t.Error, kafka.UnknownTopicOrPartition) {
				continue
			}
			return nil, fmt.Errorf("kafka-go metadata of %s: %w", t.Name, t.Error)
		}
		for _, p := range t.Partitions {
			req.Topics[t.Name] = append(req.Topics[t.Name], kafka.LastOffsetOf(p.ID))
		}
	}
	offs, err := client.ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("kafka-go list offsets: %w", err)
	}
	dialer, err := c.KafkaGoDialer()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(offs.Topics))
	for name := range offs.Topics {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []Record
	for _, topic := range names {
		for _, po := range offs.Topics[topic] {
			if po.Error != nil {
				return nil, fmt.Errorf("kafka-go offsets of %s/%d: %w", topic, po.Partition, po.Error)
			}
			if po.LastOffset <= 0 {
				continue
			}
			recs, err := kafkaGoReadPartition(ctx, c, dialer, topic, po.Partition, po.LastOffset)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
		}
	}
	return out, nil
}

func kafkaGoReadPartition(ctx context.Context, c *Cluster, dialer *kafka.Dialer, topic string, partition int, end int64) ([]Record, error) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   c.Addrs(),
		Topic:     topic,
		Partition: partition,
		Dialer:    dialer,
		MinBytes:  1,
		MaxBytes:  8 << 20,
		MaxWait:   200 * time.Millisecond,
	})
	defer r.Close()
	if err := r.SetOffset(kafka.FirstOffset); err != nil {
		return nil, err
	}
	var out []Record
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return nil, fmt.Errorf("kafka-go read %s/%d at %d of %d: %w", topic, partition, len(out), end, err)
		}
		rec := Record{Topic: m.Topic, Partition: int32(m.Partition), Offset: m.Offset, Key: m.Key, Value: m.Value, Timestamp: m.Time}
		for _, h := range m.Headers {
			rec.Headers = append(rec.Headers, Header{Key: h.Key, Value: h.Value})
		}
		out = append(out, rec)
		if m.Offset >= end-1 {
			return out, nil
		}
	}
}
