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
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// Test01MinimalResource: the minimal example becomes a ServiceAccount, a ConfigMap, a
// PodDisruptionBudget and a Deployment exactly as rendered (names, labels, owner references, env,
// volumes, hash annotations), its Pod runs on the kwok node and is Ready, the status is Ready with
// observedGeneration, replicas and labelSelector, and `kubectl wait --for=condition=Ready` works.
func Test01MinimalResource(t *testing.T) {
	begin(t)
	ns, op := namespaceWithOperator(t)

	start := time.Now()
	k := createKMM(t, minimalMirrorMaker(t, ns, ""))
	name := k.Name

	// kubectl wait, started right away, must see the condition once it is there.
	type result struct {
		out string
		err error
	}
	waited := make(chan result, 1)
	go func() {
		out, err := kubectl(t, "-n", ns, "wait", "--for=condition=Ready", "kmm/"+name, "--timeout=180s")
		waited <- result{out, err}
	}()

	k, _ = waitKMMReady(t, ns, name)
	t.Logf("minimal KafkaMirrorMaker Ready %s after creation", time.Since(start).Round(time.Millisecond))
	r := <-waited
	require.NoError(t, r.err, "kubectl wait --for=condition=Ready kmm/%s: %s", name, r.out)
	require.Contains(t, r.out, "condition met")
	t.Logf("kubectl wait --for=condition=Ready kmm/%s returned after %s: %s", name, time.Since(start).Round(time.Millisecond), strings.TrimSpace(r.out))

	// The children are what the model renders for the live resource.
	want := render(t, k)
	owner := metav1.OwnerReference{APIVersion: "kafka.strimzi.io/v1beta2", Kind: "KafkaMirrorMaker", Name: name, UID: k.UID,
		Controller: ptr.To(false), BlockOwnerDeletion: ptr.To(false)}

	sa, err := kube.CoreV1().ServiceAccounts(ns).Get(bg, deploymentName(name), metav1.GetOptions{})
	require.NoError(t, err)
	requireContains(t, sa, want.ServiceAccount, "ServiceAccount")
	cm, err := kube.CoreV1().ConfigMaps(ns).Get(bg, configMapName(name), metav1.GetOptions{})
	require.NoError(t, err)
	requireContains(t, cm, want.ConfigMap, "ConfigMap")
	require.Equal(t, want.ConfigMap.Data, cm.Data)
	pdb, err := kube.PolicyV1().PodDisruptionBudgets(ns).Get(bg, deploymentName(name), metav1.GetOptions{})
	require.NoError(t, err)
	requireContains(t, pdb, want.PodDisruptionBudget, "PodDisruptionBudget")
	d := getDeployment(t, ns, deploymentName(name))
	requireContains(t, d, want.Deployment, "Deployment")

	for _, m := range []metav1.Object{sa, cm, pdb, d} {
		require.Equal(t, []metav1.OwnerReference{owner}, m.GetOwnerReferences(), "owner references of %s", m.GetName())
		for key, value := range map[string]string{
			model.LabelCluster: name, model.LabelKind: model.Kind, model.LabelName: deploymentName(name),
			model.LabelKubernetesName: "kafka-mirror-maker", model.LabelInstance: name,
			model.LabelManagedBy: "strimzi-cluster-operator", model.LabelPartOf: "strimzi-" + name,
		} {
			require.Equal(t, value, m.GetLabels()[key], "label %s of %s", key, m.GetName())
		}
	}
	require.Equal(t, want.LoggingHash, d.Spec.Template.Annotations[model.AnnotationLogging])
	require.Equal(t, "0", d.Spec.Template.Annotations[model.AnnotationAuthHash])
	require.Len(t, d.Spec.Template.Spec.Containers, 1)
	c := d.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	require.Equal(t, "cluster-a-kafka-bootstrap:9092", env["KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER"], "env %v", env)
	require.Equal(t, "cluster-b-kafka-bootstrap:9092", env["KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER"], "env %v", env)
	require.Equal(t, "cluster-a-group-id", env["KAFKA_MIRRORMAKER_GROUPID_CONSUMER"], "env %v", env)
	require.Equal(t, ".*", env["KAFKA_MIRRORMAKER_INCLUDE"], "env %v", env)
	var volumes []string
	for _, v := range d.Spec.Template.Spec.Volumes {
		volumes = append(volumes, v.Name)
	}
	require.Contains(t, volumes, "kafka-metrics-and-logging")
	require.Equal(t, "my-mirror-maker-mirror-maker-config", func() string {
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.ConfigMap != nil {
				return v.ConfigMap.Name
			}
		}
		return ""
	}())
	require.Equal(t, want.Model.Image(), c.Image)
	t.Logf("children match the rendered objects: image %s, env %d variables, volumes %v, logging-hash %s, auth-hash %s",
		c.Image, len(c.Env), volumes, want.LoggingHash, want.AuthHash)

	// The Pod is scheduled on the kwok node and Ready.
	waitPodsReady(t, ns, name, 1)
	require.True(t, rolloutComplete(getDeployment(t, ns, deploymentName(name))))

	// The status.
	require.Equal(t, k.Generation, ptr.Deref(k.Status.ObservedGeneration, -1))
	require.Equal(t, int32(1), ptr.Deref(k.Status.Replicas, -1))
	require.Equal(t, want.Model.LabelSelector(), ptr.Deref(k.Status.LabelSelector, ""))
	require.NotNil(t, findCondition(k, v1beta2.ConditionWarning), "the MirrorMaker 1 deprecation warning")
	require.Nil(t, findCondition(k, v1beta2.ConditionNotReady))
	out, err := kubectl(t, "-n", ns, "get", "kmm", name)
	require.NoError(t, err, out)
	t.Logf("kubectl get kmm:\n%s", out)

	// The operator did its job as the non-admin identity without an authorization failure.
	requireNo403(t, op)
}

// Test02SecretRotation: the TLS + SCRAM example with its Secrets. An unrelated Secret change
// causes no write; rotating the SCRAM password changes only the auth-hash annotation of the Pod
// template and starts a rollout within 2 s.
func Test02SecretRotation(t *testing.T) {
	begin(t)
	ns, op := namespaceWithOperator(t)

	unrelated, err := kube.CoreV1().Secrets(ns).Create(bg, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "unrelated"}, StringData: map[string]string{"password": "one"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	start := time.Now()
	out, err := kubectl(t, "-n", ns, "apply", "-f", "artifacts/examples/kafka-mirror-maker-tls-scram.yaml")
	require.NoError(t, err, out)
	const name, passwordSecret = "my-mirror-maker-tls", "mirror-maker-target-user"
	k, _ := waitKMMReady(t, ns, name)
	waitPodsReady(t, ns, name, 2)
	t.Logf("TLS + SCRAM KafkaMirrorMaker Ready with 2 Pods %s after kubectl apply", time.Since(start).Round(time.Millisecond))

	d0 := getDeployment(t, ns, deploymentName(name))
	want := render(t, k)
	requireContains(t, d0, want.Deployment, "Deployment")
	require.NotEqual(t, "0", want.AuthHash)
	require.Equal(t, want.AuthHash, d0.Spec.Template.Annotations[model.AnnotationAuthHash])

	// An unrelated Secret changes: no write. The barrier that proves the operator has seen that
	// change is a metadata-only change of a referenced Secret afterwards: it is delivered by the
	// same informer, after the first one, and makes the operator reconcile (and re-read the
	// Secret) without anything to write.
	count0 := op.quiesce(t, ns)
	writes0 := op.writes(t)
	kmmRV := getKMM(t, ns, name).ResourceVersion
	unrelated.StringData = map[string]string{"password": "two"}
	_, err = kube.CoreV1().Secrets(ns).Update(bg, unrelated, metav1.UpdateOptions{})
	require.NoError(t, err)
	s, err := kube.CoreV1().Secrets(ns).Get(bg, passwordSecret, metav1.GetOptions{})
	require.NoError(t, err)
	s.Labels = map[string]string{"e2e-barrier": "1"}
	_, err = kube.CoreV1().Secrets(ns).Update(bg, s, metav1.UpdateOptions{})
	require.NoError(t, err)
	eventually(t, 30*time.Second, "the reconciliation caused by the barrier", func() (bool, string) {
		n := op.reconciliations(t, ns)
		return n > count0, fmt.Sprintf("reconciliations %v (before: %v)", n, count0)
	})
	op.quiesce(t, ns)
	require.Equal(t, writes0, op.writes(t), "the unrelated Secret change and the metadata-only change must not cause a write (%s)", op.writesByResource(t))
	require.Equal(t, d0.ResourceVersion, getDeployment(t, ns, deploymentName(name)).ResourceVersion)
	require.Equal(t, kmmRV, getKMM(t, ns, name).ResourceVersion, "no status write")
	t.Logf("unrelated Secret change and a metadata-only change of a referenced Secret: no write (%v writes before and after)", writes0)

	// Rotate the password. The ReplicaSets are listed before, so that the watch from the list's
	// resourceVersion sees the new one being added.
	rsList, err := kube.AppsV1().ReplicaSets(ns).List(bg, metav1.ListOptions{LabelSelector: selectorOf(name)})
	require.NoError(t, err)
	rs0 := map[string]bool{}
	for _, rs := range rsList.Items {
		rs0[rs.Name] = true
	}
	s, err = kube.CoreV1().Secrets(ns).Get(bg, passwordSecret, metav1.GetOptions{})
	require.NoError(t, err)
	s.Data["password"] = []byte("rotated-" + randSuffix())
	rotated := time.Now()
	_, err = kube.CoreV1().Secrets(ns).Update(bg, s, metav1.UpdateOptions{})
	require.NoError(t, err)

	type observed struct {
		d    *appsv1.Deployment
		took time.Duration
		err  error
	}
	templateChanged := make(chan observed, 1)
	go func() {
		obj, took, err := watchUntil(rotated, 30*time.Second, "the Deployment's new auth-hash", d0.ResourceVersion,
			func(ctx2 context.Context, opts metav1.ListOptions) (watch.Interface, error) {
				opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", d0.Name).String()
				return kube.AppsV1().Deployments(ns).Watch(ctx2, opts)
			}, func(_ watch.EventType, obj runtime.Object) bool {
				d := obj.(*appsv1.Deployment)
				return d.Spec.Template.Annotations[model.AnnotationAuthHash] != d0.Spec.Template.Annotations[model.AnnotationAuthHash]
			})
		d, _ := obj.(*appsv1.Deployment)
		templateChanged <- observed{d, took, err}
	}()
	newRS, rolloutStarted, err := watchUntil(rotated, 30*time.Second, "a new ReplicaSet", rsList.ResourceVersion,
		func(ctx2 context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.LabelSelector = selectorOf(name)
			return kube.AppsV1().ReplicaSets(ns).Watch(ctx2, opts)
		}, func(ev watch.EventType, obj runtime.Object) bool {
			_, old := rs0[obj.(*appsv1.ReplicaSet).Name]
			return ev == watch.Added && !old
		})
	require.NoError(t, err)
	tc := <-templateChanged
	require.NoError(t, tc.err)
	t.Logf("password Secret rotated: Deployment template updated %s later, new ReplicaSet %s created %s later (rollout started)",
		tc.took.Round(time.Millisecond), newRS.(*appsv1.ReplicaSet).Name, rolloutStarted.Round(time.Millisecond))
	assert.LessOrEqual(t, rolloutStarted, 2*time.Second, "the rollout must start within 2 s of the Secret change")

	// Only the auth-hash changed, to the value of the new password.
	d1 := tc.d
	require.Equal(t, templateWithout(t, d0, model.AnnotationAuthHash), templateWithout(t, d1, model.AnnotationAuthHash),
		"only the auth-hash annotation of the Pod template may change")
	require.Equal(t, d0.Spec.Template.Annotations[model.AnnotationLogging], d1.Spec.Template.Annotations[model.AnnotationLogging])
	require.Equal(t, render(t, getKMM(t, ns, name)).AuthHash, d1.Spec.Template.Annotations[model.AnnotationAuthHash])
	require.True(t, equality.Semantic.DeepEqual(d0.Spec.Replicas, d1.Spec.Replicas))
	waitEvent(t, ns, name, corev1.EventTypeNormal, "RollingUpdate", func(msg string) bool {
		return strings.Contains(msg, "Secret "+passwordSecret+" changed")
	})

	// The rollout completes and the resource is Ready again.
	eventually(t, 2*time.Minute, "the rollout to complete", func() (bool, string) {
		d := getDeployment(t, ns, deploymentName(name))
		return rolloutComplete(d), fmt.Sprintf("%+v", d.Status)
	})
	waitKMMReady(t, ns, name)
	t.Logf("rollout complete and Ready %s after the rotation", time.Since(rotated).Round(time.Millisecond))
	requireNo403(t, op)
}

// Test03ExternalLoggingAndMetrics: editing the external logging ConfigMap changes the
// logging-hash and rolls the Pods; editing the metrics ConfigMap updates metrics-config.json in
// the operand ConfigMap (without a rollout).
func Test03ExternalLoggingAndMetrics(t *testing.T) {
	begin(t)
	ns, op := namespaceWithOperator(t)

	const name = "observed"
	const log4j1 = "log4j.rootLogger=INFO, CONSOLE\nlog4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\n"
	const log4j2 = "log4j.rootLogger=DEBUG, CONSOLE\nlog4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\n"
	const metrics1 = "lowercaseOutputName: true\nrules:\n- pattern: \"kafka.consumer<type=(.+)><>(.+):\"\n  name: kafka_consumer_$1_$2\n"
	const metrics2 = "lowercaseOutputName: false\nrules:\n- pattern: \"kafka.producer<type=(.+)><>(.+):\"\n  name: kafka_producer_$1_$2\n  type: GAUGE\n"
	for cm, data := range map[string]map[string]string{
		"mm-logging": {"log4j.properties": log4j1},
		"mm-metrics": {"metrics-config.yml": metrics1},
	} {
		_, err := kube.CoreV1().ConfigMaps(ns).Create(bg, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cm}, Data: data}, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	createKMM(t, mirrorMakerFromYAML(t, ns, `
metadata:
  name: observed
spec:
  version: 3.9.2
  replicas: 1
  consumer: {bootstrapServers: "a:9092", groupId: g}
  producer: {bootstrapServers: "b:9092"}
  include: ".*"
  logging:
    type: external
    valueFrom:
      configMapKeyRef: {name: mm-logging, key: log4j.properties}
  metricsConfig:
    type: jmxPrometheusExporter
    valueFrom:
      configMapKeyRef: {name: mm-metrics, key: metrics-config.yml}
`))
	k, took := waitKMMReady(t, ns, name)
	t.Logf("KafkaMirrorMaker with external logging and metrics Ready %s after creation", took.Round(time.Millisecond))
	d0 := getDeployment(t, ns, deploymentName(name))
	require.Equal(t, model.LoggingHash(log4j1), d0.Spec.Template.Annotations[model.AnnotationLogging])
	operand := func() *corev1.ConfigMap {
		cm, err := kube.CoreV1().ConfigMaps(ns).Get(bg, configMapName(name), metav1.GetOptions{})
		require.NoError(t, err)
		return cm
	}
	require.Equal(t, log4j1, operand().Data[model.Log4jPropertiesKey])
	require.Equal(t, render(t, k).ConfigMap.Data, operand().Data)
	rs0 := replicaSets(t, ns, name)

	// The logging ConfigMap changes: new logging-hash, rollout.
	edited := time.Now()
	_, err := kube.CoreV1().ConfigMaps(ns).Update(bg, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "mm-logging"},
		Data: map[string]string{"log4j.properties": log4j2}}, metav1.UpdateOptions{})
	require.NoError(t, err)
	hashTook := eventually(t, 30*time.Second, "the new logging-hash on the Deployment", func() (bool, string) {
		d := getDeployment(t, ns, deploymentName(name))
		h := d.Spec.Template.Annotations[model.AnnotationLogging]
		return h == model.LoggingHash(log4j2), "logging-hash " + h
	})
	rolloutTook := eventually(t, 30*time.Second, "a new ReplicaSet", func() (bool, string) {
		rs := replicaSets(t, ns, name)
		return len(rs) > len(rs0), fmt.Sprintf("%v", rs)
	}) + hashTook
	require.Equal(t, log4j2, operand().Data[model.Log4jPropertiesKey])
	d1 := getDeployment(t, ns, deploymentName(name))
	require.Equal(t, templateWithout(t, d0, model.AnnotationLogging), templateWithout(t, d1, model.AnnotationLogging),
		"only the logging-hash annotation of the Pod template may change")
	waitEvent(t, ns, name, corev1.EventTypeNormal, "RollingUpdate", func(msg string) bool {
		return strings.Contains(msg, "logging configuration in ConfigMap mm-logging changed")
	})
	waitKMMReady(t, ns, name)
	t.Logf("logging ConfigMap edited: logging-hash changed %s later, new ReplicaSet by %s, Ready again %s later",
		hashTook.Round(time.Millisecond), rolloutTook.Round(time.Millisecond), time.Since(edited).Round(time.Millisecond))

	// The metrics ConfigMap changes: metrics-config.json follows, no rollout.
	eventually(t, 2*time.Minute, "the rollout to complete", func() (bool, string) {
		d := getDeployment(t, ns, deploymentName(name))
		return rolloutComplete(d), fmt.Sprintf("%+v", d.Status)
	})
	d1 = getDeployment(t, ns, deploymentName(name))
	edited = time.Now()
	_, err = kube.CoreV1().ConfigMaps(ns).Update(bg, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "mm-metrics"},
		Data: map[string]string{"metrics-config.yml": metrics2}}, metav1.UpdateOptions{})
	require.NoError(t, err)
	wantJSON := render(t, getKMM(t, ns, name)).ConfigMap.Data[model.MetricsConfigKey]
	require.Contains(t, wantJSON, "kafka_producer_")
	metricsTook := eventually(t, 30*time.Second, "metrics-config.json to follow the metrics ConfigMap", func() (bool, string) {
		got := operand().Data[model.MetricsConfigKey]
		return got == wantJSON, got
	})
	t.Logf("metrics ConfigMap edited: metrics-config.json of %s updated %s later", configMapName(name), metricsTook.Round(time.Millisecond))
	op.quiesce(t, ns)
	require.Equal(t, d1.Generation, getDeployment(t, ns, deploymentName(name)).Generation, "a metrics change does not roll the Pods")
	requireNo403(t, op)
}

// Test04Scale: `kubectl scale kmm/<name>` drives the Deployment; zero replicas is Ready with no Pods.
func Test04Scale(t *testing.T) {
	begin(t)
	ns, op := namespaceWithOperator(t)
	k := createKMM(t, minimalMirrorMaker(t, ns, ""))
	waitKMMReady(t, ns, k.Name)

	for _, n := range []int32{3, 0, 1} {
		start := time.Now()
		out, err := kubectl(t, "-n", ns, "scale", "kmm/"+k.Name, fmt.Sprintf("--replicas=%d", n))
		require.NoError(t, err, out)
		deploymentTook := eventually(t, 30*time.Second, fmt.Sprintf("Deployment replicas %d", n), func() (bool, string) {
			d := getDeployment(t, ns, deploymentName(k.Name))
			return ptr.Deref(d.Spec.Replicas, -1) == n, fmt.Sprintf("replicas %d", ptr.Deref(d.Spec.Replicas, -1))
		})
		got, _ := waitKMM(t, ns, k.Name, 3*time.Minute, fmt.Sprintf("Ready with %d replicas", n), func(k *v1beta2.KafkaMirrorMaker) bool {
			return isReady(k) && ptr.Deref(k.Status.Replicas, -1) == n
		})
		readyTook := time.Since(start)
		podsTook := waitPodsReady(t, ns, k.Name, int(n))
		require.Equal(t, n, got.Spec.Replicas)
		t.Logf("kubectl scale --replicas=%d: Deployment followed %s later, Ready %s later, %d Pods Ready %s later",
			n, deploymentTook.Round(time.Millisecond), readyTook.Round(time.Millisecond), n, (readyTook + podsTook).Round(time.Millisecond))
		if n == 0 {
			require.Empty(t, listPods(t, ns, k.Name), "zero replicas: no Pods")
			require.True(t, isReady(got))
		}
		out, err = kubectl(t, "-n", ns, "get", "kmm", k.Name, "-o", "jsonpath={.status.replicas} {.status.labelSelector}")
		require.NoError(t, err, out)
		require.True(t, strings.HasPrefix(out, fmt.Sprintf("%d ", n)), out)
	}
	requireNo403(t, op)
}
