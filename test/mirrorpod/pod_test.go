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
package mirrorpod

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

const (
	scramUser     = "mirror"
	scramPassword = "s3cret-Pa55word"
	groupID       = "pod-test-group"
)

// TestRenderedDeploymentRunsKmmMirror renders a KafkaMirrorMaker whose consumer authenticates
// with SCRAM-SHA-512 over TLS (a private CA) and whose producer uses TLS client authentication,
// runs kmm-mirror with exactly the rendered container, and checks it mirrors, answers the
// rendered probes, serves metrics on 9404 and stops cleanly.
func TestRenderedDeploymentRunsKmmMirror(t *testing.T) {
	pki, err := mirrortest.NewPKI()
	require.NoError(t, err)
	mtls, err := pki.ServerTLS()
	require.NoError(t, err)
	serverOnly := mtls.Clone()
	serverOnly.ClientAuth = tls.NoClientCert
	source, err := kfake.NewCluster(kfake.NumBrokers(2), kfake.TLS(serverOnly),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", scramUser, scramPassword))
	require.NoError(t, err)
	t.Cleanup(source.Close)
	target, err := kfake.NewCluster(kfake.NumBrokers(2), kfake.TLS(mtls))
	require.NoError(t, err)
	t.Cleanup(target.Close)

	clientTLS, err := pki.ClientTLS()
	require.NoError(t, err)
	sourceOpts := []kgo.Opt{kgo.SeedBrokers(source.ListenAddrs()...), kgo.DialTLSConfig(clientTLS),
		kgo.SASL(scram.Auth{User: scramUser, Pass: scramPassword}.AsSha512Mechanism())}
	targetOpts := []kgo.Opt{kgo.SeedBrokers(target.ListenAddrs()...), kgo.DialTLSConfig(clientTLS)}
	partitions := map[string]int32{"pod-orders": 6, "pod-audit": 2, "other": 1}
	for name, opts := range map[string][]kgo.Opt{"source": sourceOpts, "target": targetOpts} {
		adm := admin(t, opts)
		for topic, n := range partitions {
			_, err := adm.CreateTopic(context.Background(), n, 1, nil, topic)
			require.NoError(t, err, "%s: create %s", name, topic)
		}
	}

	input := fmt.Sprintf(`apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata:
  name: pod-test
  namespace: default
spec:
  version: 3.9.0
  replicas: 1
  image: kmm-mirror:test
  include: "pod-orders,pod-audit"
  consumer:
    bootstrapServers: %s
    groupId: %s
    numStreams: 2
    offsetCommitInterval: 1000
    tls:
      trustedCertificates:
        - secretName: source-cluster-ca-cert
          certificate: ca.crt
    authentication:
      type: scram-sha-512
      username: %s
      passwordSecret:
        secretName: mirror-user
        password: password
    config:
      auto.offset.reset: earliest
  producer:
    bootstrapServers: %s
    tls:
      trustedCertificates:
        - secretName: target-cluster-ca-cert
          pattern: "*.crt"
    authentication:
      type: tls
      certificateAndKey:
        secretName: mirror-tls-user
        certificate: user.crt
        key: user.key
    config:
      linger.ms: 5
  readinessProbe:
    initialDelaySeconds: 1
    periodSeconds: 2
  livenessProbe:
    initialDelaySeconds: 1
    periodSeconds: 2
  metricsConfig:
    type: jmxPrometheusExporter
    valueFrom:
      configMapKeyRef:
        name: mirror-metrics
        key: metrics-config.yml
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: mirror-metrics
  namespace: default
data:
  metrics-config.yml: |
    lowercaseOutputName: true
`, strings.Join(source.ListenAddrs(), ","), groupID, scramUser, strings.Join(target.ListenAddrs(), ",")) +
		secretYAML("source-cluster-ca-cert", map[string][]byte{"ca.crt": pki.CACert}) +
		secretYAML("target-cluster-ca-cert", map[string][]byte{"ca.crt": pki.CACert}) +
		secretYAML("mirror-user", map[string][]byte{"password": []byte(scramPassword + "\n")}) +
		secretYAML("mirror-tls-user", map[string][]byte{"user.crt": pki.ClientCert, "user.key": pki.ClientKey})

	r := render(t, input)
	spec := podSpecFor(t, r, secretsOf(t, input))
	podContainer := r.Deployment.Spec.Template.Spec.Containers[0]
	readiness := podContainer.ReadinessProbe.Exec.Command
	liveness := podContainer.LivenessProbe.Exec.Command
	require.Equal(t, []string{"/opt/kafka/kafka_mirror_maker_run.sh"}, spec.Args, "the rendered args")

	c := start(t, spec)
	require.Eventually(t, func() bool {
		require.False(t, c.exited(), "the mirror exited:\n%s", c.out.String())
		code, out := c.exec(readiness)
		if code != 0 {
			t.Logf("readiness probe: exit %d: %s", code, out)
		}
		return code == 0
	}, 60*time.Second, 500*time.Millisecond, "the rendered readiness probe %v passes", readiness)
	assert.Equal(t, "1001\t1001\t1001\t1001", c.procStatus("Uid"), "the mirror runs as the image's user")

	// Records on the included topics arrive, with everything intact; "other" is not mirrored.
	recs := mirrortest.Generate(mirrortest.GenSpec{Prefix: "pod", Topics: []string{"pod-orders", "pod-audit", "other"},
		Count: 3000, SourcePartitions: partitions})
	producer := client(t, append(sourceOpts, mirrortest.ProducerOpts()...))
	_, err = mirrortest.Produce(context.Background(), producer, recs)
	require.NoError(t, err)
	var want []mirrortest.Record
	for _, rec := range recs {
		if rec.Topic != "other" {
			want = append(want, rec)
		}
	}
	var report *mirrortest.Report
	require.Eventually(t, func() bool {
		got := readAll(t, targetOpts, "pod-orders", "pod-audit", "other")
		report = mirrortest.Verify(want, got, partitions)
		return report.Complete() && report.Found >= len(want)
	}, 60*time.Second, time.Second, "every record reaches the target")
	assert.Empty(t, report.Corrupted, "%s", report)
	assert.Zero(t, report.NumUnexp, "only the included topics are mirrored: %s", report)

	// The rendered liveness probe consumes the file; the mirror re-creates it within a period.
	code, out := c.exec(liveness)
	assert.Equal(t, 0, code, "liveness: %s", out)
	assert.Eventually(t, func() bool { code, _ := c.exec(liveness); return code == 0 },
		10*time.Second, 200*time.Millisecond, "the liveness file is re-created")

	// metricsConfig set: Prometheus metrics on 9404, where the JMX exporter was.
	metrics := get(t, "http://127.0.0.1:9404/metrics")
	assert.Contains(t, metrics, `kmm_mirror_records_produced_total{topic="pod-orders"}`)
	assert.NotContains(t, metrics, scramPassword, "no secret in the metrics")

	code, took := c.stop(10 * time.Second)
	assert.Equal(t, 0, code, "exit code after SIGTERM")
	t.Logf("stopped %s after SIGTERM", took.Round(time.Millisecond))
	assert.NotContains(t, c.out.String(), scramPassword, "no secret in the log")

	// Everything mirrored was committed at shutdown.
	adm := admin(t, sourceOpts)
	ends, err := mirrortest.EndOffsets(context.Background(), adm, "pod-orders", "pod-audit")
	require.NoError(t, err)
	committed, err := mirrortest.CommittedOffsets(context.Background(), adm, groupID)
	require.NoError(t, err)
	assert.Equal(t, ends.NonZero(), committed.NonZero())
}

func client(t *testing.T, opts []kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(opts...)
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return cl
}

func admin(t *testing.T, opts []kgo.Opt) *kadm.Client {
	return kadm.NewClient(client(t, opts))
}

func readAll(t *testing.T, opts []kgo.Opt, topics ...string) []mirrortest.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	recs, err := mirrortest.ReadAllWith(ctx, opts, topics...)
	require.NoError(t, err)
	return recs
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return string(body)
}
