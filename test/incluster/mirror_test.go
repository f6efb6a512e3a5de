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

package incluster

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

// mmAuthHashAnnotation is the Pod-template annotation with the hash of the referenced Secrets'
// credentials; a new password changes it and so rolls the Deployment.
const mmAuthHashAnnotation = "strimzi.io/auth-hash"

// TestRealMirror runs a KafkaMirrorMaker whose pod runs the kmm-mirror image on the real node,
// between two SCRAM-SHA-512 kfake clusters the test starts on the node address: records arrive,
// the Deployment is Ready through the mirror's exec readiness probe, rotating the source
// password rolls the pod and mirroring continues with the new password, and deleting the pod
// loses nothing.
func TestRealMirror(t *testing.T) {
	ensureDeployed(t, "cluster-wide")
	ns := newNamespace(t, "")

	const (
		name       = "real"
		deployName = name + "-mirror-maker"
		group      = "real-mirror-group"
		srcSecret  = "source-user"
		dstSecret  = "target-user"
	)
	topics := []string{"orders", "payments"}
	partitions := map[string]int32{"orders": 3, "payments": 3}
	podSelector := "strimzi.io/name=" + deployName

	src := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "source", Security: mirrortest.SCRAM, Host: nodeIP})
	dst := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "target", Security: mirrortest.SCRAM, Host: nodeIP})
	src.MustCreateTopics(t, 3, topics...)
	dst.MustCreateTopics(t, 3, topics...)
	t.Logf("source %s (user %s), target %s (user %s)", src.Bootstrap(), src.User, dst.Bootstrap(), dst.User)

	// The test's own producer reads the source password at every new connection, so it keeps
	// working across the rotation.
	var srcPassword atomic.Pointer[string]
	srcPassword.Store(ptr.To(src.Password))
	producer, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(src.Addrs()...),
		kgo.SASL(scram.Sha512(func(context.Context) (scram.Auth, error) {
			return scram.Auth{User: src.User, Pass: *srcPassword.Load()}, nil
		})),
	}, mirrortest.ProducerOpts()...)...)
	require.NoError(t, err)
	t.Cleanup(producer.Close)

	// On failure: the mirror pods' logs, the resource's status, the namespace's objects and events.
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, args := range [][]string{
			{"-n", ns, "get", "kafkamirrormakers.kafka.strimzi.io,deployments,replicasets,pods", "-o", "wide"},
			{"-n", ns, "get", "kafkamirrormakers.kafka.strimzi.io", name, "-o", "jsonpath={.status}"},
			{"-n", ns, "get", "deployment", deployName, "-o", "jsonpath={.status}"},
			{"-n", ns, "get", "events", "--sort-by=.lastTimestamp"},
		} {
			out, err := kubectl(t, args...)
			t.Logf("kubectl %s (err %v):\n%s", strings.Join(args, " "), err, out)
		}
		pods, err := kube.CoreV1().Pods(ns).List(bg, metav1.ListOptions{LabelSelector: podSelector})
		if err != nil {
			t.Logf("listing mirror pods: %v", err)
			return
		}
		for _, p := range pods.Items {
			out, err := kubectl(t, "-n", ns, "logs", p.Name, "--all-containers", "--tail=150")
			t.Logf("logs of %s (err %v):\n%s", p.Name, err, out)
			if len(p.Status.ContainerStatuses) > 0 && p.Status.ContainerStatuses[0].RestartCount > 0 {
				out, err := kubectl(t, "-n", ns, "logs", p.Name, "--all-containers", "--previous", "--tail=80")
				t.Logf("previous logs of %s (err %v):\n%s", p.Name, err, out)
			}
		}
	})

	for secret, pw := range map[string]string{srcSecret: src.Password, dstSecret: dst.Password} {
		_, err := kube.CoreV1().Secrets(ns).Create(bg, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: secret},
			StringData: map[string]string{"password": pw},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
	}

	_, err = kube.CoreV1().ConfigMaps(ns).Create(bg, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "mirror-metrics"},
		Data:       map[string]string{"metrics-config.yml": "lowercaseOutputName: true\n"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	tolerations, affinity := tolerateRealNode()
	kmm := &v1beta2.KafkaMirrorMaker{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: &v1beta2.KafkaMirrorMakerSpec{
			Replicas: 1,
			Image:    ptr.To(mirrorImage),
			Consumer: &v1beta2.KafkaMirrorMakerConsumerSpec{
				BootstrapServers:     src.Bootstrap(),
				GroupID:              group,
				OffsetCommitInterval: ptr.To[int32](1000),
				Authentication: &v1beta2.KafkaClientAuthentication{
					Type:           "scram-sha-512",
					Username:       ptr.To(src.User),
					PasswordSecret: &v1beta2.PasswordSecretSource{SecretName: srcSecret, Password: "password"},
				},
				// Records written before the group's first join are mirrored too.
				Config: v1beta2.KafkaConfig{"auto.offset.reset": v1beta2.StringConfigValue("earliest")},
			},
			Producer: &v1beta2.KafkaMirrorMakerProducerSpec{
				BootstrapServers: dst.Bootstrap(),
				Authentication: &v1beta2.KafkaClientAuthentication{
					Type:           "scram-sha-512",
					Username:       ptr.To(dst.User),
					PasswordSecret: &v1beta2.PasswordSecretSource{SecretName: dstSecret, Password: "password"},
				},
			},
			Include: ptr.To(strings.Join(topics, "|")),
			// Metrics on port 9404, as Strimzi's metricsConfig turns them on.
			MetricsConfig: &v1beta2.MetricsConfig{Type: v1beta2.MetricsConfigTypeJmxPrometheusExporter, ValueFrom: &v1beta2.ExternalConfigurationReference{
				ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "mirror-metrics"}, Key: "metrics-config.yml"},
			}},
			// Strimzi's default probes wait 60 s before the first check.
			ReadinessProbe: &v1beta2.Probe{InitialDelaySeconds: ptr.To[int32](1), PeriodSeconds: ptr.To[int32](2)},
			LivenessProbe:  &v1beta2.Probe{InitialDelaySeconds: ptr.To[int32](15), PeriodSeconds: ptr.To[int32](5)},
			Template: &v1beta2.KafkaMirrorMakerTemplate{Pod: &v1beta2.PodTemplate{
				Affinity:    affinity,
				Tolerations: tolerations,
			}},
		},
	}
	created := time.Now()
	_, err = kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Create(bg, kmm, metav1.CreateOptions{})
	require.NoError(t, err)

	// ---- Ready through the exec readiness probe ----
	toReady := eventually(t, 3*time.Minute, "the KafkaMirrorMaker to be Ready", func() (bool, string) {
		k, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Get(bg, name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return mmKMMReady(k)
	})
	t.Logf("FIGURE KafkaMirrorMaker created -> Ready: %s", toReady.Round(time.Millisecond))
	d, err := kube.AppsV1().Deployments(ns).Get(bg, deployName, metav1.GetOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 1, d.Status.ReadyReplicas, "Deployment ready replicas")
	require.Equal(t, mirrorImage, d.Spec.Template.Spec.Containers[0].Image)
	hash1 := d.Spec.Template.Annotations[mmAuthHashAnnotation]
	require.NotEmpty(t, hash1, "pod template annotation %s", mmAuthHashAnnotation)

	pod1 := waitMirrorPod(t, ns, podSelector, "", "the mirror pod to be Ready")
	checkMirrorPod(t, pod1)
	t.Logf("FIGURE pod %s created -> Ready (condition timestamps, 1 s resolution): %s; KafkaMirrorMaker created -> pod Ready: %s",
		pod1.Name, mmPodReadyAfter(pod1), mmPodReadyTime(pod1).Sub(created.Truncate(time.Second)))
	probes := waitProbeCount(t, pod1.Name, "Readiness", "successful")
	require.Positive(t, probes, "kubelet's successful readiness probes of %s", pod1.Name)
	t.Logf("kubelet prober_probe_total{pod=%q,probe_type=Readiness,result=successful} = %d", pod1.Name, probes)

	// ---- records arrive ----
	var expected []mirrortest.Record
	recs := mirrortest.Generate(mirrortest.GenSpec{Prefix: "a", Topics: topics, Count: 2000, SourcePartitions: partitions})
	ctx, cancel := context.WithTimeout(bg, time.Minute)
	written, err := mirrortest.Produce(ctx, producer, recs)
	cancel()
	require.NoError(t, err)
	expected = append(expected, written...)
	dups := waitAllMirrored(t, dst, expected, partitions, topics, "initial 2000 records", 0)

	// The mirror's metrics, as Prometheus scrapes them through the PodMonitor (port
	// tcp-prometheus), saved for the alert and dashboard check (hack/promcheck.sh).
	metrics := httpGet(t, fmt.Sprintf("http://%s:9404/metrics", mmGetPod(t, ns, pod1.Name).Status.PodIP))
	for _, m := range []string{"kmm_mirror_records_consumed_total", "kmm_mirror_consumer_lag"} {
		require.Contains(t, metrics, "\n"+m+"{", "the mirror exports %s", m)
	}
	saveScrape(t, "mirror.prom", metrics)

	// ---- SCRAM password rotation ----
	stream := startMirrorStream(t, producer, "b", topics, partitions)
	eventually(t, 30*time.Second, "records flowing before the rotation", func() (bool, string) {
		return stream.produced() >= 200, fmt.Sprintf("%d produced", stream.produced())
	})
	oldPassword, newPassword := src.Password, src.Password+"-rotated-2"
	adm := src.Admin(t)
	ctx, cancel = context.WithTimeout(bg, 30*time.Second)
	altered, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{
		User: src.User, Mechanism: kadm.ScramSha512, Iterations: 4096, Password: newPassword,
	}})
	cancel()
	require.NoError(t, err)
	require.NoError(t, altered.Error())
	srcPassword.Store(ptr.To(newPassword))
	src.Password = newPassword
	// Only the new password works on the source now.
	require.NoError(t, mmSCRAMProbe(src, src.User, newPassword), "a client with the new password")
	oldErr := mmSCRAMProbe(src, src.User, oldPassword)
	require.Error(t, oldErr, "a client with the old password must be refused")
	t.Logf("a fresh client with the old password is refused: %v", oldErr)

	sec, err := kube.CoreV1().Secrets(ns).Get(bg, srcSecret, metav1.GetOptions{})
	require.NoError(t, err)
	sec.Data["password"] = []byte(newPassword)
	rotated := time.Now()
	_, err = kube.CoreV1().Secrets(ns).Update(bg, sec, metav1.UpdateOptions{})
	require.NoError(t, err)
	var hash2 string
	toPatch := eventually(t, time.Minute, "the operator to change the pod template's "+mmAuthHashAnnotation, func() (bool, string) {
		d, err := kube.AppsV1().Deployments(ns).Get(bg, deployName, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		hash2 = d.Spec.Template.Annotations[mmAuthHashAnnotation]
		return hash2 != hash1, fmt.Sprintf("%s=%s", mmAuthHashAnnotation, hash2)
	})
	pod2 := waitMirrorPod(t, ns, podSelector, pod1.UID, "the rotated pod to replace "+pod1.Name)
	mmWaitRolledOut(t, ns, deployName, pod1)
	rollTime := time.Since(rotated)
	checkMirrorPod(t, pod2)
	require.NotEqual(t, pod1.Labels["pod-template-hash"], pod2.Labels["pod-template-hash"], "a new ReplicaSet")
	t.Logf("FIGURE rotation: %s %s -> %s after %s; pod %s (ReplicaSet hash %s) replaced %s (%s); rolled out, old pod gone, after %s; new pod created -> Ready %s",
		mmAuthHashAnnotation, hash1, hash2, toPatch.Round(time.Millisecond), pod2.Name, pod2.Labels["pod-template-hash"],
		pod1.Name, pod1.Labels["pod-template-hash"], rollTime.Round(time.Millisecond), mmPodReadyAfter(pod2))
	after := stream.produced()
	eventually(t, 30*time.Second, "records flowing after the rotation", func() (bool, string) {
		return stream.produced() >= after+500, fmt.Sprintf("%d produced", stream.produced())
	})
	written, err = stream.stop()
	require.NoError(t, err)
	t.Logf("rotation: %d records produced during and after it", len(written))
	expected = append(expected, written...)
	dups = waitAllMirrored(t, dst, expected, partitions, topics, "records produced across the rotation", dups)
	// The new pod reached the source with the new password only: it stayed up and Ready.
	pod2 = mmGetPod(t, ns, pod2.Name)
	require.Zero(t, pod2.Status.ContainerStatuses[0].RestartCount, "restarts of %s", pod2.Name)
	require.True(t, podReady(pod2), "%s Ready", pod2.Name)

	// ---- deleting the mirror pod ----
	stream = startMirrorStream(t, producer, "c", topics, partitions)
	eventually(t, 30*time.Second, "records flowing before the pod deletion", func() (bool, string) {
		return stream.produced() >= 200, fmt.Sprintf("%d produced", stream.produced())
	})
	deleted := time.Now()
	require.NoError(t, kube.CoreV1().Pods(ns).Delete(bg, pod2.Name, metav1.DeleteOptions{}))
	pod3 := waitMirrorPod(t, ns, podSelector, pod2.UID, "a replacement for the deleted pod "+pod2.Name)
	replaced := time.Since(deleted)
	mmWaitRolledOut(t, ns, deployName, pod2)
	checkMirrorPod(t, pod3)
	t.Logf("FIGURE pod deletion: replacement %s Ready %s after the delete (created -> Ready %s); old pod gone after %s",
		pod3.Name, replaced.Round(time.Millisecond), mmPodReadyAfter(pod3), time.Since(deleted).Round(time.Millisecond))
	after = stream.produced()
	eventually(t, 30*time.Second, "records flowing after the replacement", func() (bool, string) {
		return stream.produced() >= after+500, fmt.Sprintf("%d produced", stream.produced())
	})
	written, err = stream.stop()
	require.NoError(t, err)
	t.Logf("pod deletion: %d records produced during and after it", len(written))
	expected = append(expected, written...)
	waitAllMirrored(t, dst, expected, partitions, topics, "records produced across the pod deletion", dups)
}

// mmKMMReady reports whether the resource's Ready condition is True.
func mmKMMReady(k *v1beta2.KafkaMirrorMaker) (bool, string) {
	if k.Status == nil {
		return false, "no status"
	}
	var states []string
	for _, c := range k.Status.Conditions {
		typ, status := ptr.Deref(c.Type, ""), ptr.Deref(c.Status, "")
		if typ == v1beta2.ConditionReady && status == "True" {
			return true, "Ready"
		}
		states = append(states, fmt.Sprintf("%s=%s(%s: %s)", typ, status, ptr.Deref(c.Reason, ""), ptr.Deref(c.Message, "")))
	}
	return false, strings.Join(states, ", ")
}

func mmPodReadyTime(p *corev1.Pod) time.Time {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return c.LastTransitionTime.Time
		}
	}
	return time.Time{}
}

func mmPodReadyAfter(p *corev1.Pod) time.Duration {
	return mmPodReadyTime(p).Sub(p.CreationTimestamp.Time)
}

func mmGetPod(t *testing.T, ns, name string) *corev1.Pod {
	t.Helper()
	p, err := kube.CoreV1().Pods(ns).Get(bg, name, metav1.GetOptions{})
	require.NoError(t, err)
	return p
}

// waitMirrorPod waits for the one mirror pod that is not being deleted, is not the pod with
// UID not, and is Ready, and returns it.
func waitMirrorPod(t *testing.T, ns, selector string, not types.UID, what string) *corev1.Pod {
	t.Helper()
	var found *corev1.Pod
	eventually(t, 3*time.Minute, what, func() (bool, string) {
		pods, err := kube.CoreV1().Pods(ns).List(bg, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return false, err.Error()
		}
		var states []string
		found = nil
		for i := range pods.Items {
			p := &pods.Items[i]
			state := fmt.Sprintf("%s %s ready=%v", p.Name, p.Status.Phase, podReady(p))
			if len(p.Status.ContainerStatuses) > 0 {
				cs := p.Status.ContainerStatuses[0]
				state += fmt.Sprintf(" restarts=%d", cs.RestartCount)
				if cs.State.Waiting != nil {
					state += " waiting=" + cs.State.Waiting.Reason
				}
			}
			if p.DeletionTimestamp != nil {
				state += " terminating"
			}
			states = append(states, state)
			if p.UID != not && p.DeletionTimestamp == nil && podReady(p) {
				found = p
			}
		}
		return found != nil, strings.Join(states, "; ")
	})
	return found
}

// mmWaitRolledOut waits until the Deployment has exactly one updated, ready replica and the old
// pod is gone.
func mmWaitRolledOut(t *testing.T, ns, deployName string, old *corev1.Pod) {
	t.Helper()
	eventually(t, 3*time.Minute, "the Deployment to be rolled out and "+old.Name+" gone", func() (bool, string) {
		d, err := kube.AppsV1().Deployments(ns).Get(bg, deployName, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		_, err = kube.CoreV1().Pods(ns).Get(bg, old.Name, metav1.GetOptions{})
		gone := apierrors.IsNotFound(err)
		s := d.Status
		state := fmt.Sprintf("generation %d observed %d, replicas %d updated %d ready %d available %d, old pod gone %v",
			d.Generation, s.ObservedGeneration, s.Replicas, s.UpdatedReplicas, s.ReadyReplicas, s.AvailableReplicas, gone)
		return gone && s.ObservedGeneration == d.Generation && s.Replicas == 1 && s.UpdatedReplicas == 1 && s.ReadyReplicas == 1, state
	})
}

// checkMirrorPod checks that the pod runs the kmm-mirror image on the real node and that its
// Ready condition is True.
func checkMirrorPod(t *testing.T, p *corev1.Pod) {
	t.Helper()
	require.Equal(t, realNode, p.Spec.NodeName, "node of %s", p.Name)
	require.Len(t, p.Spec.Containers, 1)
	require.Equal(t, mirrorImage, p.Spec.Containers[0].Image, "image of %s", p.Name)
	rp := p.Spec.Containers[0].ReadinessProbe
	require.NotNil(t, rp, "readiness probe of %s", p.Name)
	require.NotNil(t, rp.Exec, "readiness probe of %s is an exec probe", p.Name)
	require.Equal(t, []string{"test", "-f", "/tmp/mirror-maker-ready"}, rp.Exec.Command)
	require.True(t, podReady(p), "%s Ready", p.Name)
	require.Len(t, p.Status.ContainerStatuses, 1)
	require.True(t, p.Status.ContainerStatuses[0].Ready, "container of %s ready", p.Name)
}

// waitProbeCount waits until the kubelet counts a probe of the pod with this result, and returns
// the count.
func waitProbeCount(t *testing.T, pod, probeType, result string) int {
	t.Helper()
	var n float64
	eventually(t, 30*time.Second, "the kubelet's "+probeType+" probe metrics of "+pod, func() (bool, string) {
		n = probeCount(t, pod, probeType, result)
		return n > 0, fmt.Sprintf("%v", n)
	})
	return int(n)
}

// mmSCRAMProbe connects a fresh client to c with the given SCRAM-SHA-512 credentials and asks for
// metadata; it returns the error (an authentication failure for a wrong password).
func mmSCRAMProbe(c *mirrortest.Cluster, user, password string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...),
		kgo.SASL(scram.Auth{User: user, Pass: password}.AsSha512Mechanism()))
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	_, err = kadm.NewClient(cl).BrokerMetadata(ctx)
	return err
}

// waitAllMirrored waits until every expected record is on the target, requires that none is
// missing, corrupted or unexpected, logs the duplicates (the total and those new since
// prevDups) and returns the total.
func waitAllMirrored(t *testing.T, dst *mirrortest.Cluster, expected []mirrortest.Record, partitions map[string]int32, topics []string, what string, prevDups int) int {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(bg, 2*time.Minute)
	defer cancel()
	rep, err := mirrortest.WaitDelivered(ctx, dst, mirrortest.ReadAll, expected, partitions, topics)
	if err != nil {
		if rep != nil {
			t.Logf("last report: %s", rep)
		}
		t.Fatalf("%s: %v", what, err)
	}
	require.Empty(t, rep.Missing, "%s: lost records", what)
	require.True(t, rep.Complete(), "%s: %s", what, rep)
	dups := rep.DuplicateCount()
	t.Logf("FIGURE %s: all %d records on the target %s after the last write; 0 lost; duplicates %d (total %d)",
		what, rep.Expected, time.Since(start).Round(time.Millisecond), dups-prevDups, dups)
	return dups
}

// mirrorStream produces records in batches until stopped, so a mirror can be rolled or deleted
// while records are still arriving on the source. It stops only between batches, so every
// record it reports was acknowledged and no other was written.
type mirrorStream struct {
	stopCh chan struct{}
	done   chan struct{}
	count  atomic.Int64

	mu   sync.Mutex
	recs []mirrortest.Record
	err  error
}

func startMirrorStream(t *testing.T, cl *kgo.Client, prefix string, topics []string, partitions map[string]int32) *mirrorStream {
	const batch, pause, max = 20, 20 * time.Millisecond, 100000
	recs := mirrortest.Generate(mirrortest.GenSpec{Prefix: prefix, Topics: topics, Count: max, SourcePartitions: partitions})
	s := &mirrorStream{stopCh: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for start := 0; start < len(recs); start += batch {
			select {
			case <-s.stopCh:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(bg, time.Minute)
			out, err := mirrortest.Produce(ctx, cl, recs[start:min(start+batch, len(recs))])
			cancel()
			s.mu.Lock()
			s.recs = append(s.recs, out...)
			s.err = err
			s.mu.Unlock()
			if err != nil {
				return
			}
			s.count.Add(int64(len(out)))
			select {
			case <-s.stopCh:
				return
			case <-time.After(pause):
			}
		}
	}()
	t.Cleanup(func() { _, _ = s.stop() })
	return s
}

func (s *mirrorStream) produced() int64 { return s.count.Load() }

// stop ends the stream after the batch in flight and returns the records written.
func (s *mirrorStream) stop() ([]mirrortest.Record, error) {
	select {
	case <-s.stopCh:
	default:
		close(s.stopCh)
	}
	select {
	case <-s.done:
	case <-time.After(2 * time.Minute):
		return nil, fmt.Errorf("the producer did not stop")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recs, s.err
}
