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
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// strimziFieldManager is the field manager of the objects "Strimzi" created in Test09.
const strimziFieldManager = "strimzi-cluster-operator"

// Test09TakeOverFromStrimzi: the four objects exist as Strimzi 0.45.2 left them (rendered, created
// by another field manager with Strimzi's owner reference) and their Pods run; the operator
// starts, the resource becomes Ready, and no ReplicaSet is created and no Pod restarted.
func Test09TakeOverFromStrimzi(t *testing.T) {
	begin(t)
	ns := newNamespace(t, "")
	k := createKMM(t, minimalMirrorMaker(t, ns, ""))
	name := k.Name

	// What Strimzi created, by another field manager (an Update, as Strimzi's fabric8 client did).
	r := render(t, k)
	create := metav1.CreateOptions{FieldManager: strimziFieldManager}
	_, err := kube.CoreV1().ServiceAccounts(ns).Create(bg, r.ServiceAccount, create)
	require.NoError(t, err)
	_, err = kube.CoreV1().ConfigMaps(ns).Create(bg, r.ConfigMap, create)
	require.NoError(t, err)
	_, err = kube.PolicyV1().PodDisruptionBudgets(ns).Create(bg, r.PodDisruptionBudget, create)
	require.NoError(t, err)
	_, err = kube.AppsV1().Deployments(ns).Create(bg, r.Deployment, create)
	require.NoError(t, err)
	require.Equal(t, k.UID, r.Deployment.OwnerReferences[0].UID)
	require.False(t, ptr.Deref(r.Deployment.OwnerReferences[0].Controller, true), "Strimzi's owner reference is not a controller reference")
	waitPodsReady(t, ns, name, 1)
	eventually(t, time.Minute, "the Strimzi Deployment's rollout to complete", func() (bool, string) {
		d := getDeployment(t, ns, deploymentName(name))
		return rolloutComplete(d), fmt.Sprintf("%+v", d.Status)
	})
	d0 := getDeployment(t, ns, deploymentName(name))
	rs0, pods0 := replicaSets(t, ns, name), podUIDs(t, ns, name)
	require.Len(t, rs0, 1)
	managers := func() []string {
		var m []string
		for _, f := range getDeployment(t, ns, deploymentName(name)).ManagedFields {
			m = append(m, fmt.Sprintf("%s/%s", f.Manager, f.Operation))
		}
		return m
	}
	t.Logf("Strimzi's objects in place: Deployment managed by %v, ReplicaSet %v, Pods %v", managers(), keys(rs0), keys(pods0))

	// The operator takes over.
	op := startOperator(t, operatorOptions{namespaces: []string{ns}})
	start := time.Now()
	op.waitReady(t)
	k, _ = waitKMMReady(t, ns, name)
	t.Logf("operator started: KafkaMirrorMaker Ready %s after the start", time.Since(start).Round(time.Millisecond))
	op.quiesce(t, ns)

	require.Equal(t, rs0, replicaSets(t, ns, name), "no new ReplicaSet")
	require.Equal(t, pods0, podUIDs(t, ns, name), "no Pod restarted")
	d := getDeployment(t, ns, deploymentName(name))
	require.Equal(t, d0.Generation, d.Generation, "the Deployment's spec is unchanged")
	require.Equal(t, int32(1), ptr.Deref(k.Status.Replicas, -1))
	require.Equal(t, r.Model.LabelSelector(), ptr.Deref(k.Status.LabelSelector, ""))
	t.Logf("after the take-over: same ReplicaSet and Pods, Deployment generation %d, managed by %v; operator writes: %s",
		d.Generation, managers(), op.writesByResource(t))
	requireNo403(t, op)
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// neverReadyLabel makes kwok run a Pod without ever making it Ready (hack/cluster/stages).
const neverReadyLabel = "kmm-test/never-ready"

// Test10RolloutTimeout: Pods that never become Ready make the resource Ready=False/Progressing,
// then NotReady/TimeoutException once the (short) operation timeout has passed.
func Test10RolloutTimeout(t *testing.T) {
	begin(t)
	ns := newNamespace(t, "")
	const timeout = 10 * time.Second
	op := startOperator(t, operatorOptions{namespaces: []string{ns}, operationTimeout: timeout})
	op.waitReady(t)

	k := minimalMirrorMaker(t, ns, "never-ready")
	k.Spec.Template = &v1beta2.KafkaMirrorMakerTemplate{Pod: &v1beta2.PodTemplate{
		Metadata: &v1beta2.MetadataTemplate{Labels: map[string]string{neverReadyLabel: "true"}},
	}}
	start := time.Now()
	k = createKMM(t, k)
	name, dname := k.Name, deploymentName(k.Name)

	_, progressing := waitKMM(t, ns, name, 30*time.Second, "Ready=False/Progressing", func(k *v1beta2.KafkaMirrorMaker) bool {
		c := findCondition(k, v1beta2.ConditionReady)
		return c != nil && ptr.Deref(c.Status, "") == "False" && ptr.Deref(c.Reason, "") == "Progressing"
	})
	got := getKMM(t, ns, name)
	t.Logf("Ready=False/Progressing %s after creation: %q", progressing.Round(time.Millisecond), ptr.Deref(findCondition(got, v1beta2.ConditionReady).Message, ""))

	// The Pod runs on the kwok node but is never Ready.
	eventually(t, time.Minute, "a Running, un-ready Pod", func() (bool, string) {
		pods := listPods(t, ns, name)
		if len(pods) != 1 {
			return false, fmt.Sprintf("%d Pods", len(pods))
		}
		p := pods[0]
		return p.Spec.NodeName == kwokNode && p.Status.Phase == corev1.PodRunning && !podReady(&p) && p.Labels[neverReadyLabel] == "true",
			fmt.Sprintf("node %q phase %s ready %v", p.Spec.NodeName, p.Status.Phase, podReady(&p))
	})

	message := fmt.Sprintf("Exceeded timeout of %dms while waiting for Deployment resource %s in namespace %s to be ready", timeout.Milliseconds(), dname, ns)
	got, _ = waitKMM(t, ns, name, timeout+time.Minute, "NotReady/TimeoutException", notReadyWith("TimeoutException", message))
	timedOut := time.Since(start)
	t.Logf("NotReady/TimeoutException %s after creation (operation timeout %s): %q", timedOut.Round(time.Millisecond), timeout, message)
	require.GreaterOrEqual(t, timedOut, timeout, "not before the operation timeout")
	require.Less(t, timedOut, timeout+30*time.Second)
	require.Nil(t, findCondition(got, v1beta2.ConditionReady), describeStatus(got))
	waitEvent(t, ns, name, corev1.EventTypeWarning, "TimeoutException", func(msg string) bool { return msg == message })
	requireNo403(t, op)
}
