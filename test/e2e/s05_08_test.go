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

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/model"
	"github.com/kmm-operator/kmm-operator/pkg/operator/clustertest"
)

const pauseAnnotation = "strimzi.io/pause-reconciliation"

// Test05Pause: with the pause annotation, spec changes are not applied and the status says
// ReconciliationPaused; removing the annotation applies them at once.
func Test05Pause(t *testing.T) {
	begin(t)
	ns, op := namespaceWithOperator(t)
	k := createKMM(t, minimalMirrorMaker(t, ns, ""))
	name := k.Name
	waitKMMReady(t, ns, name)
	d0 := getDeployment(t, ns, deploymentName(name))

	// Pause.
	start := time.Now()
	updateKMM(t, ns, name, func(k *v1beta2.KafkaMirrorMaker) {
		if k.Annotations == nil {
			k.Annotations = map[string]string{}
		}
		k.Annotations[pauseAnnotation] = "true"
	})
	_, took := waitKMM(t, ns, name, 30*time.Second, "ReconciliationPaused", func(k *v1beta2.KafkaMirrorMaker) bool {
		c := findCondition(k, v1beta2.ConditionReconciliationPaused)
		return c != nil && ptr.Deref(c.Status, "") == "True"
	})
	t.Logf("pause annotation set: status ReconciliationPaused %s later", took.Round(time.Millisecond))
	waitEvent(t, ns, name, corev1.EventTypeNormal, "ReconciliationPaused", func(string) bool { return true })
	paused, _ := clustertest.MetricSum(op.metrics(t), "strimzi_resources_paused", `namespace="`+ns+`"`)
	require.Equal(t, 1.0, paused, "strimzi_resources_paused")

	// Spec changes while paused are not applied: after the operator has processed the change
	// (its reconciliation count moved and its queue is empty), the Deployment is unchanged.
	before := op.quiesce(t, ns)
	writes := op.writes(t, "deployments", "serviceaccounts", "configmaps", "poddisruptionbudgets")
	changed := updateKMM(t, ns, name, func(k *v1beta2.KafkaMirrorMaker) {
		k.Spec.Replicas = 2
		k.Spec.Include = ptr.To("orders.*")
	})
	eventually(t, 30*time.Second, "the operator to process the change of the paused resource", func() (bool, string) {
		n := op.reconciliations(t, ns)
		return n > before, fmt.Sprintf("reconciliations %v (before %v)", n, before)
	})
	op.quiesce(t, ns)
	d := getDeployment(t, ns, deploymentName(name))
	require.Equal(t, d0.Generation, d.Generation, "a paused resource's Deployment must not change")
	require.Equal(t, int32(1), ptr.Deref(d.Spec.Replicas, 0))
	require.Equal(t, writes, op.writes(t, "deployments", "serviceaccounts", "configmaps", "poddisruptionbudgets"), "no child written while paused")
	k = getKMM(t, ns, name)
	require.NotNil(t, findCondition(k, v1beta2.ConditionReconciliationPaused), describeStatus(k))
	require.Nil(t, findCondition(k, v1beta2.ConditionReady), describeStatus(k))
	require.Less(t, ptr.Deref(k.Status.ObservedGeneration, -1), changed.Generation, "the paused change is not observed")

	// Unpause: the pending change is applied at once.
	resumed := time.Now()
	updateKMM(t, ns, name, func(k *v1beta2.KafkaMirrorMaker) { delete(k.Annotations, pauseAnnotation) })
	applied := eventually(t, 30*time.Second, "the paused change applied", func() (bool, string) {
		d := getDeployment(t, ns, deploymentName(name))
		env := ""
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			if e.Name == "KAFKA_MIRRORMAKER_INCLUDE" {
				env = e.Value
			}
		}
		return ptr.Deref(d.Spec.Replicas, 0) == 2 && env == "orders.*", fmt.Sprintf("replicas %d, include %q", ptr.Deref(d.Spec.Replicas, 0), env)
	})
	_, ready := waitKMMReady(t, ns, name)
	t.Logf("pause annotation removed: change applied %s later, Ready %s later (paused for %s in all)",
		applied.Round(time.Millisecond), ready.Round(time.Millisecond), resumed.Sub(start).Round(time.Millisecond))
	k = getKMM(t, ns, name)
	require.Nil(t, findCondition(k, v1beta2.ConditionReconciliationPaused))
	requireNo403(t, op)
}

// Test06InvalidInput: resources that pass the schema but not the model are NotReady with the
// reason and message Strimzi used, with an Event, without disturbing other resources; creating a
// missing Secret later makes its resource Ready without anything else.
func Test06InvalidInput(t *testing.T) {
	begin(t)
	ns, op := namespaceWithOperator(t)

	good := createKMM(t, minimalMirrorMaker(t, ns, "good"))
	waitKMMReady(t, ns, good.Name)
	goodDeployment := getDeployment(t, ns, deploymentName(good.Name))

	cases := []struct {
		name, yaml, reason, message string
	}{{
		name: "tls-no-key",
		yaml: `
metadata: {name: tls-no-key}
spec:
  replicas: 1
  consumer:
    bootstrapServers: "a:9093"
    groupId: g
    authentication: {type: tls}
  producer: {bootstrapServers: "b:9092"}
  include: ".*"
`,
		reason:  model.ReasonInvalidResource,
		message: "TLS Client authentication selected, but no certificate and key configured.",
	}, {
		name: "missing-secret",
		yaml: `
metadata: {name: missing-secret}
spec:
  replicas: 1
  consumer: {bootstrapServers: "a:9092", groupId: g}
  producer:
    bootstrapServers: "b:9092"
    authentication:
      type: scram-sha-512
      username: mirror
      passwordSecret: {secretName: mirror-password, password: password}
  include: ".*"
`,
		reason:  model.ReasonInvalidConfiguration,
		message: "Secret mirror-password not found in namespace " + ns,
	}, {
		name: "null-config",
		yaml: `
metadata: {name: null-config}
spec:
  replicas: 1
  consumer:
    bootstrapServers: "a:9092"
    groupId: g
    config:
      max.poll.records: null
  producer: {bootstrapServers: "b:9092"}
  include: ".*"
`,
		reason:  model.ReasonInvalidConfigParameter,
		message: "max.poll.records: A null value is not allowed for this key",
	}, {
		name: "object-config",
		yaml: `
metadata: {name: object-config}
spec:
  replicas: 1
  consumer: {bootstrapServers: "a:9092", groupId: g}
  producer:
    bootstrapServers: "b:9092"
    config:
      linger.ms: {ms: 5}
  include: ".*"
`,
		reason:  model.ReasonInvalidConfigParameter,
		message: "linger.ms: Unsupported type class java.util.LinkedHashMap in configuration for this key",
	}}
	for _, c := range cases {
		start := time.Now()
		k := mirrorMakerFromYAML(t, ns, c.yaml)
		_, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Create(bg, k, metav1.CreateOptions{})
		require.NoError(t, err, "%s must pass the schema", c.name)
		got, _ := waitKMM(t, ns, c.name, 30*time.Second, "NotReady "+c.reason, notReadyWith(c.reason, c.message))
		require.Nil(t, findCondition(got, v1beta2.ConditionReady), describeStatus(got))
		waitEvent(t, ns, c.name, corev1.EventTypeWarning, c.reason, func(msg string) bool { return msg == c.message })
		_, err = kube.AppsV1().Deployments(ns).Get(bg, deploymentName(c.name), metav1.GetOptions{})
		require.True(t, apierrors.IsNotFound(err), "no Deployment for an invalid resource (%v)", err)
		t.Logf("%s: NotReady %s %q with a Warning Event %s after creation", c.name, c.reason, c.message, time.Since(start).Round(time.Millisecond))
	}

	// Other resources are unaffected.
	op.quiesce(t, ns)
	k := getKMM(t, ns, good.Name)
	require.True(t, isReady(k), describeStatus(k))
	require.Equal(t, goodDeployment.Generation, getDeployment(t, ns, deploymentName(good.Name)).Generation)

	// The missing Secret appears: Ready with no other action.
	_, err := kube.CoreV1().Secrets(ns).Create(bg, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "mirror-password"},
		StringData: map[string]string{"password": "secret"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, took := waitKMMReady(t, ns, "missing-secret")
	t.Logf("missing Secret created: missing-secret Ready %s later", took.Round(time.Millisecond))
	require.Nil(t, findCondition(getKMM(t, ns, "missing-secret"), v1beta2.ConditionNotReady))
	d := getDeployment(t, ns, deploymentName("missing-secret"))
	require.Equal(t, render(t, getKMM(t, ns, "missing-secret")).AuthHash, d.Spec.Template.Annotations[model.AnnotationAuthHash])

	// The resources that stay invalid keep their condition.
	for _, c := range cases {
		if c.name == "missing-secret" {
			continue
		}
		got := getKMM(t, ns, c.name)
		require.True(t, notReadyWith(c.reason, c.message)(got), describeStatus(got))
	}
	requireNo403(t, op)
}

// Test07Drift: a hand-made change of the Deployment's image is reverted, a deleted Deployment is
// recreated, and `kubectl rollout restart` is left alone (its restartedAt annotation stays and the
// operator does not roll the Pods again).
func Test07Drift(t *testing.T) {
	begin(t)
	ns, op := namespaceWithOperator(t)
	k := createKMM(t, minimalMirrorMaker(t, ns, ""))
	name, dname := k.Name, deploymentName(k.Name)
	waitKMMReady(t, ns, name)
	d0 := getDeployment(t, ns, dname)
	image := d0.Spec.Template.Spec.Containers[0].Image
	container := d0.Spec.Template.Spec.Containers[0].Name

	// The image changed by hand (kubectl set image) is restored.
	out, err := kubectl(t, "-n", ns, "set", "image", "deployment/"+dname, container+"=quay.io/example/hacked:1")
	require.NoError(t, err, out)
	took := eventually(t, 30*time.Second, "the image restored", func() (bool, string) {
		img := getDeployment(t, ns, dname).Spec.Template.Spec.Containers[0].Image
		return img == image, img
	})
	t.Logf("image changed by hand: restored %s later", took.Round(time.Millisecond))
	waitKMMReady(t, ns, name)

	// The deleted Deployment is recreated.
	old := getDeployment(t, ns, dname)
	require.NoError(t, kube.AppsV1().Deployments(ns).Delete(bg, dname, metav1.DeleteOptions{}))
	took = eventually(t, 30*time.Second, "the Deployment recreated", func() (bool, string) {
		d, err := kube.AppsV1().Deployments(ns).Get(bg, dname, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return d.UID != old.UID, "uid " + string(d.UID)
	})
	_, ready := waitKMMReady(t, ns, name)
	waitPodsReady(t, ns, name, 1)
	t.Logf("Deployment deleted: recreated %s later, Ready %s after the deletion", took.Round(time.Millisecond), (took + ready).Round(time.Millisecond))
	eventually(t, 60*time.Second, "the recreated Deployment's rollout to complete", func() (bool, string) {
		d := getDeployment(t, ns, dname)
		return rolloutComplete(d), fmt.Sprintf("%+v", d.Status)
	})

	// kubectl rollout restart: the restart is the user's; the operator leaves it alone.
	count := op.quiesce(t, ns)
	writes := op.writes(t, "deployments")
	out, err = kubectl(t, "-n", ns, "rollout", "restart", "deployment/"+dname)
	require.NoError(t, err, out)
	restarted := getDeployment(t, ns, dname)
	restartedAt := restarted.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"]
	require.NotEmpty(t, restartedAt)
	took = eventually(t, 2*time.Minute, "the restart's rollout to complete", func() (bool, string) {
		d := getDeployment(t, ns, dname)
		return d.Generation == restarted.Generation && rolloutComplete(d), fmt.Sprintf("generation %d, %+v", d.Generation, d.Status)
	})
	rs := replicaSets(t, ns, name)
	eventually(t, 30*time.Second, "the operator to process the Deployment's changes", func() (bool, string) {
		n := op.reconciliations(t, ns)
		return n > count, fmt.Sprintf("reconciliations %v (before %v)", n, count)
	})
	op.quiesce(t, ns)
	waitKMMReady(t, ns, name)
	op.quiesce(t, ns)
	d := getDeployment(t, ns, dname)
	require.Equal(t, restartedAt, d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"], "the restartedAt annotation stays")
	require.Equal(t, restarted.Generation, d.Generation, "the operator must not change the restarted Deployment")
	require.Equal(t, rs, replicaSets(t, ns, name), "no further ReplicaSet: the Pods are not rolled again")
	require.Equal(t, writes, op.writes(t, "deployments"), "no Deployment write after the restart")
	t.Logf("kubectl rollout restart: rollout complete %s later; restartedAt kept, no operator write, %d ReplicaSets", took.Round(time.Millisecond), len(rs))
	requireNo403(t, op)
}

// Test08Delete: deleting the KafkaMirrorMaker garbage-collects its children.
func Test08Delete(t *testing.T) {
	begin(t)
	ns, op := namespaceWithOperator(t)
	k := createKMM(t, minimalMirrorMaker(t, ns, ""))
	name := k.Name
	waitKMMReady(t, ns, name)
	waitPodsReady(t, ns, name, 1)

	require.NoError(t, kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Delete(bg, name, metav1.DeleteOptions{}))
	took := eventually(t, 2*time.Minute, "the children garbage-collected", func() (bool, string) {
		var left []string
		opts := metav1.ListOptions{LabelSelector: "strimzi.io/cluster=" + name}
		if l, err := kube.AppsV1().Deployments(ns).List(bg, opts); err == nil && len(l.Items) > 0 {
			left = append(left, fmt.Sprintf("%d Deployment", len(l.Items)))
		}
		if l, err := kube.AppsV1().ReplicaSets(ns).List(bg, opts); err == nil && len(l.Items) > 0 {
			left = append(left, fmt.Sprintf("%d ReplicaSet", len(l.Items)))
		}
		if l, err := kube.CoreV1().Pods(ns).List(bg, opts); err == nil && len(l.Items) > 0 {
			left = append(left, fmt.Sprintf("%d Pod", len(l.Items)))
		}
		if l, err := kube.CoreV1().ConfigMaps(ns).List(bg, opts); err == nil && len(l.Items) > 0 {
			left = append(left, fmt.Sprintf("%d ConfigMap", len(l.Items)))
		}
		if l, err := kube.CoreV1().ServiceAccounts(ns).List(bg, opts); err == nil && len(l.Items) > 0 {
			left = append(left, fmt.Sprintf("%d ServiceAccount", len(l.Items)))
		}
		if l, err := kube.PolicyV1().PodDisruptionBudgets(ns).List(bg, opts); err == nil && len(l.Items) > 0 {
			left = append(left, fmt.Sprintf("%d PodDisruptionBudget", len(l.Items)))
		}
		return len(left) == 0, "left: " + strings.Join(left, ", ")
	})
	t.Logf("KafkaMirrorMaker deleted: Deployment, ReplicaSet, Pods, ConfigMap, ServiceAccount and PodDisruptionBudget gone %s later", took.Round(time.Millisecond))

	// The operator noticed and does not recreate anything.
	op.quiesce(t, ns)
	l, err := kube.AppsV1().Deployments(ns).List(bg, metav1.ListOptions{})
	require.NoError(t, err)
	require.Empty(t, l.Items)
	resources, _ := clustertest.MetricSum(op.metrics(t), "strimzi_resources", `namespace="`+ns+`"`)
	require.Equal(t, 0.0, resources, "strimzi_resources after the deletion")
	requireNo403(t, op)
}
