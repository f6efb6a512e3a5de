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
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/operator/clustertest"
)

func leaseHolder(ns, lease string) string {
	l, err := kube.CoordinationV1().Leases(ns).Get(bg, lease, metav1.GetOptions{})
	if err != nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// scaleKMM sets spec.replicas and returns the time of the change.
func scaleKMM(t *testing.T, ns, name string, n int32) time.Time {
	t.Helper()
	updateKMM(t, ns, name, func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Replicas = n })
	return time.Now()
}

// waitDeploymentReplicas waits until the Deployment's spec has n replicas.
func waitDeploymentReplicas(t *testing.T, ns, name string, n int32, timeout time.Duration) time.Duration {
	t.Helper()
	return eventually(t, timeout, fmt.Sprintf("Deployment %s replicas %d", name, n), func() (bool, string) {
		d, err := kube.AppsV1().Deployments(ns).Get(bg, name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return ptr.Deref(d.Spec.Replicas, 0) == n, fmt.Sprintf("replicas %d", ptr.Deref(d.Spec.Replicas, 0))
	})
}

// Test11LeaderElection: two operator processes with leader election; only the leader writes.
// SIGTERM on the leader: the standby takes over at once (the Lease is released) and applies a
// change made while there was no leader. SIGKILL: a standby takes over once the Lease expired.
func Test11LeaderElection(t *testing.T) {
	begin(t)
	ns := newNamespace(t, "")
	lease := "kmm-e2e-" + randSuffix()

	// ClusterRole kmm-operator has no Lease access: grant the install's Lease Role in the test
	// namespace, for this test's Lease name, to the token user.
	role := &rbacv1.Role{}
	readInstall(t, "base/030-Role-kmm-operator-leader-election.yaml", role)
	role.Namespace = ns
	for i := range role.Rules {
		if len(role.Rules[i].ResourceNames) > 0 {
			role.Rules[i].ResourceNames = []string{lease}
		}
	}
	_, err := kube.RbacV1().Roles(ns).Create(bg, role, metav1.CreateOptions{})
	require.NoError(t, err)
	rb := &rbacv1.RoleBinding{}
	readInstall(t, "base/031-RoleBinding-kmm-operator-leader-election.yaml", rb)
	rb.Namespace = ns
	rb.Subjects = []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "kmm-operator"}}
	_, err = kube.RbacV1().RoleBindings(ns).Create(bg, rb, metav1.CreateOptions{})
	require.NoError(t, err)
	waitAllowed(t, "kmm-operator", ns, "update", "coordination.k8s.io", "leases", lease)

	const leaseDuration, renewDeadline, retry = 6 * time.Second, 4 * time.Second, time.Second
	start := func(id string) *operatorProc {
		return startOperator(t, operatorOptions{name: id, namespaces: []string{ns}, args: []string{
			"--leader-elect", "--leader-election-lease-namespace", ns, "--leader-election-lease-name", lease,
			"--leader-election-identity", id, "--leader-election-lease-duration", leaseDuration.String(),
			"--leader-election-renew-deadline", renewDeadline.String(), "--leader-election-retry-period", retry.String(),
		}})
	}
	leads := func(p *operatorProc) func() (bool, string) {
		return func() (bool, string) {
			if err := p.Alive(); err != nil {
				t.Fatal(err)
			}
			h := leaseHolder(ns, lease)
			return h == p.Name, "holder " + h
		}
	}

	a := start("a")
	eventually(t, time.Minute, "a to lead", leads(a))
	a.waitReady(t)
	b := start("b")
	b.waitReady(t) // a standby is ready too
	_, body := b.Status("/readyz?verbose")
	require.Contains(t, body, "standby")

	k := createKMM(t, minimalMirrorMaker(t, ns, ""))
	name, dname := k.Name, deploymentName(k.Name)
	waitKMMReady(t, ns, name)

	// Only the leader writes.
	a.quiesce(t, ns)
	require.Greater(t, a.writes(t), 0.0, "the leader wrote the children and the status")
	require.Equal(t, 0.0, b.writes(t), "the standby must not write (%s)", b.writesByResource(t))
	require.Equal(t, 0.0, b.reconciliations(t, ns), "the standby must not reconcile")
	require.Contains(t, a.metrics(t), fmt.Sprintf(`leader_election_master_status{name=%q} 1`, lease))
	require.Contains(t, b.metrics(t), fmt.Sprintf(`leader_election_master_status{name=%q} 0`, lease))
	t.Logf("leader a wrote %v times (%s); standby b: 0 writes, 0 reconciliations", a.writes(t), a.writesByResource(t))

	// SIGTERM on the leader; a change is made once it has exited, while nobody may lead yet.
	signalled := time.Now()
	exit, exitTook := a.stop(t, syscall.SIGTERM, 15*time.Second)
	require.Equal(t, 0, exit, "graceful shutdown exits 0")
	changed := scaleKMM(t, ns, name, 2)
	eventually(t, 30*time.Second, "b to lead after a's SIGTERM", leads(b))
	handover := time.Since(signalled)
	waitDeploymentReplicas(t, ns, dname, 2, 30*time.Second)
	applied := time.Since(signalled)
	t.Logf("SIGTERM on the leader: it exited %s later; b held the Lease %s after the signal and applied the pending change %s after the signal (%s after the change)",
		exitTook.Round(time.Millisecond), handover.Round(time.Millisecond), applied.Round(time.Millisecond), time.Since(changed).Round(time.Millisecond))
	require.Less(t, applied, exitTook+2*retry+5*time.Second, "after a graceful stop the standby must not wait for the Lease to expire")
	waitKMMReady(t, ns, name)

	// SIGKILL on the leader: the Lease is not released; c takes over once it has expired.
	c := start("c")
	c.waitReady(t)
	b.quiesce(t, ns)
	killed := time.Now()
	b.stop(t, syscall.SIGKILL, 5*time.Second)
	scaleKMM(t, ns, name, 3)
	eventually(t, leaseDuration+30*time.Second, "c to lead after b's SIGKILL", leads(c))
	takeover := time.Since(killed)
	waitDeploymentReplicas(t, ns, dname, 3, 30*time.Second)
	applied = time.Since(killed)
	t.Logf("SIGKILL on the leader: c held the Lease %s after the kill and applied the pending change %s after the kill (lease duration %s, retry period %s)",
		takeover.Round(time.Millisecond), applied.Round(time.Millisecond), leaseDuration, retry)
	require.GreaterOrEqual(t, takeover, leaseDuration-2*retry, "a standby must not take over before the Lease expired")
	require.Less(t, applied, leaseDuration+2*retry+5*time.Second, "takeover within the lease duration plus a few seconds")
	waitKMMReady(t, ns, name)

	for _, p := range []*operatorProc{a, b, c} {
		requireNo403(t, p)
	}
}

// Test12ControlPlaneRestart: kube-apiserver and etcd restart while the operator runs; the
// operator keeps running, its watches recover, a change made after the restart is applied, and
// no object is duplicated.
func Test12ControlPlaneRestart(t *testing.T) {
	if os.Getenv(envSkipRestart) != "" {
		t.Skipf("%s is set: not restarting the shared control plane", envSkipRestart)
	}
	begin(t)
	ns, op := namespaceWithOperator(t)
	k := createKMM(t, minimalMirrorMaker(t, ns, ""))
	name, dname := k.Name, deploymentName(k.Name)
	waitKMMReady(t, ns, name)
	waitPodsReady(t, ns, name, 1)
	op.quiesce(t, ns)
	d0 := getDeployment(t, ns, dname)
	rs0 := replicaSets(t, ns, name)

	down, up := restartAPIServerAndEtcd(t)
	outage := up.Sub(down)
	require.NoError(t, op.Alive(), "the operator must survive the API server's restart")

	// Its watches recover: a change made now is applied.
	changed := scaleKMM(t, ns, name, 2)
	took := waitDeploymentReplicas(t, ns, dname, 2, 2*time.Minute)
	waitKMM(t, ns, name, 3*time.Minute, "Ready with 2 replicas", func(k *v1beta2.KafkaMirrorMaker) bool {
		return isReady(k) && ptr.Deref(k.Status.Replicas, 0) == 2
	})
	t.Logf("API server and etcd restarted (outage %s); the operator kept running; a change made afterwards was applied %s later, Ready %s after the change",
		outage.Round(time.Millisecond), took.Round(time.Millisecond), time.Since(changed).Round(time.Millisecond))
	waitPodsReady(t, ns, name, 2)
	require.NoError(t, op.Alive())

	// No duplicate objects: one of each child, the same Deployment, no new ReplicaSet.
	opts := metav1.ListOptions{LabelSelector: "strimzi.io/cluster=" + name}
	deployments, err := kube.AppsV1().Deployments(ns).List(bg, opts)
	require.NoError(t, err)
	require.Len(t, deployments.Items, 1)
	require.Equal(t, d0.UID, deployments.Items[0].UID)
	sas, err := kube.CoreV1().ServiceAccounts(ns).List(bg, opts)
	require.NoError(t, err)
	require.Len(t, sas.Items, 1)
	cms, err := kube.CoreV1().ConfigMaps(ns).List(bg, opts)
	require.NoError(t, err)
	require.Len(t, cms.Items, 1)
	pdbs, err := kube.PolicyV1().PodDisruptionBudgets(ns).List(bg, opts)
	require.NoError(t, err)
	require.Len(t, pdbs.Items, 1)
	require.Equal(t, rs0, replicaSets(t, ns, name), "scaling after the restart creates no ReplicaSet")
	kmms, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).List(bg, metav1.ListOptions{})
	require.NoError(t, err)
	require.Len(t, kmms.Items, 1)
	t.Logf("no duplicates: 1 Deployment (same UID), 1 ServiceAccount, 1 ConfigMap, 1 PodDisruptionBudget, ReplicaSets %v", keys(rs0))

	// The log shows the watches failing and recovering, not the process restarting.
	log := op.Log()
	require.Equal(t, 1, strings.Count(log, "Starting kmm-operator"), "the operator process did not restart")
	// Right after its start, the API server may deny requests for a moment, until its RBAC
	// authorizer's caches are filled: such 403s are tolerated for 30 s after the restart, no
	// others.
	tolerated := requireNo403Outside(t, op, down, up.Add(30*time.Second))
	t.Logf("the operator's watches failed during the outage and recovered; %d transient authorization failures right after the restart", tolerated)
}

// Test13NamespaceScoping: an operator watching namespace A, with nothing but the Roles of the
// namespaced install (no ClusterRole at all), manages A's resources and ignores B's; the same
// holds for the cluster-wide identity restricted to A with --watch-namespaces.
func Test13NamespaceScoping(t *testing.T) {
	begin(t)
	nsA := newNamespace(t, "a")
	nsB := newNamespace(t, "b")

	// A ServiceAccount with the namespaced install's Roles in A: the watched namespace's Role and
	// the Lease Role (A is the operator's namespace here as well).
	_, err := kube.CoreV1().ServiceAccounts(nsA).Create(bg, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "kmm-operator"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	sa := rbacv1.Subject{Kind: "ServiceAccount", Name: "kmm-operator", Namespace: nsA}
	grantRole(t, nsA, "namespaced/020-Role-kmm-operator.yaml", "namespaced/021-RoleBinding-kmm-operator.yaml", sa)
	grantRole(t, nsA, "base/030-Role-kmm-operator-leader-election.yaml", "base/031-RoleBinding-kmm-operator-leader-election.yaml", sa)
	user := "system:serviceaccount:" + nsA + ":kmm-operator"
	waitAllowed(t, user, nsA, "list", "kafka.strimzi.io", "kafkamirrormakers", "")
	waitAllowed(t, user, nsA, "update", "coordination.k8s.io", "leases", "kmm-operator")
	kubeconfig := serviceAccountKubeconfig(t, nsA, "kmm-operator")
	out, err := kubectl(t, "auth", "can-i", "list", "kafkamirrormakers.kafka.strimzi.io", "-n", nsB, "--as", user)
	require.Error(t, err, "the Roles-only identity must not reach namespace B: %s", out)

	// B's resource exists before the operator starts.
	inB := createKMM(t, minimalMirrorMaker(t, nsB, "in-b"))
	op := startOperator(t, operatorOptions{name: "roles-only", kubeconfig: kubeconfig, namespaces: []string{nsA}, args: []string{
		"--leader-elect", "--leader-election-lease-namespace", nsA, "--leader-election-identity", "roles-only-0",
	}})
	op.waitReady(t)
	inA := createKMM(t, minimalMirrorMaker(t, nsA, "in-a"))
	_, took := waitKMMReady(t, nsA, inA.Name)
	waitPodsReady(t, nsA, inA.Name, 1)
	t.Logf("Roles-only operator watching %s: in-a Ready %s after creation", nsA, took.Round(time.Millisecond))

	// B was ignored: no status, no children; no authorization failure in the log (the operator
	// never tried to reach B).
	op.quiesce(t, nsA)
	requireUntouched := func(what string) {
		t.Helper()
		k := getKMM(t, nsB, inB.Name)
		require.Nil(t, k.Status, "%s: the resource in B must have no status: %s", what, describeStatus(k))
		for _, list := range []func() (int, error){
			func() (int, error) {
				l, err := kube.AppsV1().Deployments(nsB).List(bg, metav1.ListOptions{})
				return len(l.Items), err
			},
			func() (int, error) {
				l, err := kube.PolicyV1().PodDisruptionBudgets(nsB).List(bg, metav1.ListOptions{})
				return len(l.Items), err
			},
			func() (int, error) {
				l, err := kube.CoreV1().ConfigMaps(nsB).List(bg, metav1.ListOptions{LabelSelector: "strimzi.io/cluster"})
				return len(l.Items), err
			},
		} {
			n, err := list()
			require.NoError(t, err)
			require.Zero(t, n, "%s: no children in B", what)
		}
	}
	requireUntouched("Roles-only operator")
	requireNo403(t, op)
	require.Equal(t, "roles-only-0", leaseHolder(nsA, "kmm-operator"))
	exit, _ := op.stop(t, syscall.SIGTERM, 15*time.Second)
	require.Equal(t, 0, exit)

	// The cluster-wide identity could reach B, but --watch-namespaces A keeps it out.
	op2 := startOperator(t, operatorOptions{name: "cluster-role", namespaces: []string{nsA}})
	op2.waitReady(t)
	scaleKMM(t, nsB, inB.Name, 2)
	scaleKMM(t, nsA, inA.Name, 2)
	took = waitDeploymentReplicas(t, nsA, deploymentName(inA.Name), 2, 30*time.Second)
	waitKMMReady(t, nsA, inA.Name)
	op2.quiesce(t, nsA)
	requireUntouched("cluster-wide identity watching A")
	resources, _ := clustertest.MetricSum(op2.metrics(t), "strimzi_resources", `namespace="`+nsB+`"`)
	require.Zero(t, resources, "strimzi_resources of B")
	t.Logf("cluster-wide identity watching %s: change in A applied %s later, B untouched", nsA, took.Round(time.Millisecond))
	requireNo403(t, op2)
}
