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
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	authorizationv1 "k8s.io/api/authorization/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

const operatorSA = "system:serviceaccount:kmm-operator:kmm-operator"

// TestInstall: `make deploy` (kubectl apply -k of artifacts/install) gives two Running, Ready
// replicas on the real node, one holding the Lease, whose probes the kubelet answers over HTTP,
// running as UID 65532 with a read-only root and no capabilities in a namespace that enforces the
// restricted Pod Security Standard.
func TestInstall(t *testing.T) {
	took := deploy(t, "cluster-wide")
	pods := operatorPods(t, 2)
	for _, p := range pods {
		assert.Equal(t, realNode, p.Spec.NodeName, "pod %s", p.Name)
		assert.Equal(t, operatorImage, p.Spec.Containers[0].Image, "pod %s", p.Name)
		require.Len(t, p.Status.ContainerStatuses, 1)
		assert.Zero(t, p.Status.ContainerStatuses[0].RestartCount, "pod %s restarted", p.Name)
		ready := podCondition(&p, corev1.PodReady)
		t.Logf("pod %s: created %s, Ready %s later (deploy took %s)", p.Name, p.CreationTimestamp.Format(time.RFC3339),
			ready.LastTransitionTime.Sub(p.CreationTimestamp.Time), took.Round(time.Millisecond))
	}

	holder := leaseHolder(t)
	assert.Contains(t, []string{pods[0].Name, pods[1].Name}, holder, "the Lease holder is one of the replicas")

	// The restricted level is enforced, not only labelled: a root Pod is refused.
	ns, err := kube.CoreV1().Namespaces().Get(bg, operatorNamespace, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "restricted", ns.Labels["pod-security.kubernetes.io/enforce"])
	_, err = kube.CoreV1().Pods(operatorNamespace).Create(bg, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "root-pod"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: operatorImage}}},
	}, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	require.Error(t, err, "a Pod violating the restricted level must be refused in %s", operatorNamespace)
	assert.Contains(t, err.Error(), `violates PodSecurity "restricted:latest"`)

	// What the containers really run with, read from the host's /proc.
	for _, p := range pods {
		pid := containerPID(t, p.Status.ContainerStatuses[0].ContainerID)
		status := readProc(t, pid, "status")
		assert.Regexp(t, `(?m)^Uid:\s+65532\s+65532\s+65532\s+65532$`, status, "pod %s", p.Name)
		assert.Regexp(t, `(?m)^Gid:\s+65532\s+65532\s+65532\s+65532$`, status, "pod %s", p.Name)
		assert.Regexp(t, `(?m)^CapEff:\s+0+$`, status, "pod %s: no capabilities", p.Name)
		assert.Regexp(t, `(?m)^NoNewPrivs:\s+1$`, status, "pod %s: no privilege escalation", p.Name)
		assert.Regexp(t, `(?m)^Seccomp:\s+2$`, status, "pod %s: seccomp filter (RuntimeDefault)", p.Name)
		assert.True(t, rootReadOnly(t, pid), "pod %s: root file system read-only", p.Name)
	}

	// The kubelet probes them over HTTP: its prober counts successes for each probe of each pod
	// (the liveness probe starts once the startup probe passed, every 10 s).
	for _, p := range pods {
		for _, probe := range []string{"Startup", "Readiness", "Liveness"} {
			eventually(t, 40*time.Second, fmt.Sprintf("a successful %s probe of %s", probe, p.Name), func() (bool, string) {
				n := probeCount(t, p.Name, probe, "successful")
				return n > 0, fmt.Sprintf("%s successful=%v", probe, n)
			})
			assert.Zero(t, probeCount(t, p.Name, probe, "failed"), "%s probe failures of %s", probe, p.Name)
		}
	}
}

// TestIdentity: the installed operator authenticates with its ServiceAccount's token (in-cluster
// configuration, no other credential in the pod), has exactly the RBAC of artifacts/install, and
// reconciles a KafkaMirrorMaker to Ready with it.
func TestIdentity(t *testing.T) {
	ensureDeployed(t, "cluster-wide")
	pods := operatorPods(t, 2)
	for _, p := range pods {
		assert.Equal(t, "kmm-operator", p.Spec.ServiceAccountName)
		assert.Empty(t, p.Spec.Volumes[1:], "pod %s: only the projected ServiceAccount token volume", p.Name)
		for _, e := range p.Spec.Containers[0].Env {
			assert.NotContains(t, e.Name, "KUBECONFIG", "pod %s", p.Name)
		}
	}
	logs, err := kubectl(t, "-n", operatorNamespace, "logs", pods[0].Name)
	require.NoError(t, err, logs)
	assert.Contains(t, logs, `apiServer="https://10.0.0.1:443"`, "in-cluster configuration: the kubernetes Service")

	// Exactly the install's bindings name the ServiceAccount, with the install's rules.
	bindings := bindingsOf(t, "kmm-operator", operatorNamespace)
	assert.ElementsMatch(t, []string{
		"ClusterRoleBinding/kmm-operator -> ClusterRole/kmm-operator",
		"RoleBinding kmm-operator/kmm-operator-leader-election -> Role/kmm-operator-leader-election",
	}, bindings)
	var wantCR rbacv1.ClusterRole
	readManifest(t, "artifacts/install/020-ClusterRole-kmm-operator.yaml", &wantCR)
	cr, err := kube.RbacV1().ClusterRoles().Get(bg, "kmm-operator", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, wantCR.Rules, cr.Rules, "ClusterRole kmm-operator as installed")
	var wantRole rbacv1.Role
	readManifest(t, "artifacts/install/base/030-Role-kmm-operator-leader-election.yaml", &wantRole)
	role, err := kube.RbacV1().Roles(operatorNamespace).Get(bg, "kmm-operator-leader-election", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, wantRole.Rules, role.Rules)
	// And the API server's verdict for the ServiceAccount, a few allowed and refused requests.
	for _, c := range []struct {
		ns, verb, group, resource, name string
		allowed                         bool
	}{
		{"", "watch", "kafka.strimzi.io", "kafkamirrormakers", "", true},
		{"", "patch", "apps", "deployments", "", true},
		{operatorNamespace, "update", "coordination.k8s.io", "leases", operatorLease, true},
		{operatorNamespace, "update", "coordination.k8s.io", "leases", "another", false},
		{"default", "update", "coordination.k8s.io", "leases", operatorLease, false},
		{"", "delete", "", "nodes", "", false},
		{"", "create", "rbac.authorization.k8s.io", "clusterrolebindings", "", false},
		{"", "delete", "", "namespaces", "", false},
	} {
		assert.Equal(t, c.allowed, allowed(t, operatorSA, nil, c.ns, c.verb, c.group, c.resource, c.name),
			"%s %s.%s %q in %q", c.verb, c.resource, c.group, c.name, c.ns)
	}

	ns := newNamespace(t, "")
	k := createMinimalKMM(t, ns, "identity")
	_, took := waitKMMReady(t, ns, k.Name)
	t.Logf("KafkaMirrorMaker %s/%s Ready %s after creation, reconciled by the in-cluster operator", ns, k.Name, took.Round(time.Millisecond))
	logs, err = kubectl(t, "-n", operatorNamespace, "logs", "--prefix", "-l", "app.kubernetes.io/name=kmm-operator")
	require.NoError(t, err, logs)
	assert.NotRegexp(t, `(?i)forbidden|(^|[^\d.])403([^\d.]|$)`, logs, "no request of the operator was refused")
}

// TestFailover: the standby takes over and applies the spec changes made meanwhile, when the
// leader is deleted (`kubectl delete pod`: it releases the Lease on the way out), when its
// container process is killed (containerd task kill: the kubelet restarts it, and the restarted
// process, with the same identity, resumes the Lease it held), and when it hangs (containerd task
// pause: nothing renews the Lease until it expires; once thawed, the old leader finds it lost the
// Lease and exits, and the kubelet restarts it as a standby).
func TestFailover(t *testing.T) {
	ensureDeployed(t, "cluster-wide")
	ns := newNamespace(t, "")
	k := createMinimalKMM(t, ns, "failover")
	waitKMMReady(t, ns, k.Name)

	t.Run("delete-pod", func(t *testing.T) {
		pods := operatorPods(t, 2)
		leader := leaseHolder(t)
		standby := otherPod(pods, leader)
		start := time.Now()
		out, err := kubectl(t, "-n", operatorNamespace, "delete", "pod", leader, "--wait=false")
		require.NoError(t, err, out)
		setReplicas(t, ns, k.Name, 2) // while the leader stops
		// The standby tries every retry period; the leader's replacement, starting meanwhile, may
		// get there first. Either way another process leads.
		var next string
		handover := eventually(t, time.Minute, "another pod holding the Lease", func() (bool, string) {
			next = leaseHolder(t)
			return next != "" && next != leader, "holder=" + next
		})
		waitApplied(t, ns, k.Name, 2, start)
		start2 := time.Now()
		setReplicas(t, ns, k.Name, 3) // once the new leader leads
		applied := waitApplied(t, ns, k.Name, 3, start2)
		t.Logf("delete pod: leader %s deleted; %s (%s) held the Lease %s later and applied the next change in %s",
			leader, next, map[bool]string{true: "the standby", false: "the replacement pod"}[next == standby],
			handover.Round(time.Millisecond), applied.Round(time.Millisecond))
	})

	t.Run("kill-container", func(t *testing.T) {
		pods := operatorPods(t, 2) // the deleted pod's replacement is Ready
		leader := leaseHolder(t)
		leaderPod := podNamed(t, pods, leader)
		cid := strings.TrimPrefix(leaderPod.Status.ContainerStatuses[0].ContainerID, "containerd://")
		restarts := leaderPod.Status.ContainerStatuses[0].RestartCount
		start := time.Now()
		ctr(t, "tasks", "kill", "--signal", "SIGKILL", cid)
		setReplicas(t, ns, k.Name, 1)
		took := waitApplied(t, ns, k.Name, 1, start)
		t.Logf("kill: leader %s's process killed; the change was applied %s later, by %s", leader, took.Round(time.Millisecond), leaseHolder(t))
		waitRestarted(t, leader, restarts)
	})

	t.Run("hang", func(t *testing.T) {
		pods := operatorPods(t, 2)
		leader := leaseHolder(t)
		standby := otherPod(pods, leader)
		leaderPod := podNamed(t, pods, leader)
		cid := strings.TrimPrefix(leaderPod.Status.ContainerStatuses[0].ContainerID, "containerd://")
		restarts := leaderPod.Status.ContainerStatuses[0].RestartCount
		start := time.Now()
		ctr(t, "tasks", "pause", cid)
		thawed := false
		defer func() {
			if !thawed {
				ctr(t, "tasks", "resume", cid)
			}
		}()
		setReplicas(t, ns, k.Name, 2)
		handover := waitHolder(t, standby, start)
		applied := waitApplied(t, ns, k.Name, 2, start)
		ctr(t, "tasks", "resume", cid)
		thawed = true
		t.Logf("hang: leader %s frozen; %s held the expired Lease %s later and applied the change %s after the freeze",
			leader, standby, handover.Round(time.Millisecond), applied.Round(time.Millisecond))
		waitRestarted(t, leader, restarts)
		assert.Equal(t, standby, leaseHolder(t), "the thawed old leader did not take the Lease back")
	})
}

func podNamed(t *testing.T, pods []corev1.Pod, name string) *corev1.Pod {
	t.Helper()
	for i := range pods {
		if pods[i].Name == name {
			return &pods[i]
		}
	}
	t.Fatalf("the Lease holder %q is not a Ready replica", name)
	return nil
}

// waitHolder waits until holder holds the operator Lease and returns the time since start.
func waitHolder(t *testing.T, holder string, start time.Time) time.Duration {
	t.Helper()
	eventually(t, time.Minute, "Lease held by "+holder, func() (bool, string) {
		h := leaseHolder(t)
		return h == holder, "holder=" + h
	})
	return time.Since(start)
}

// waitRestarted waits until the pod's container restarted and is Ready again.
func waitRestarted(t *testing.T, pod string, restarts int32) {
	t.Helper()
	eventually(t, 90*time.Second, pod+" restarted and Ready", func() (bool, string) {
		p, err := kube.CoreV1().Pods(operatorNamespace).Get(bg, pod, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		cs := p.Status.ContainerStatuses[0]
		return cs.RestartCount > restarts && cs.Ready, fmt.Sprintf("restarts=%d ready=%v", cs.RestartCount, cs.Ready)
	})
}

// TestRollingUpdate: `kubectl rollout restart` of the operator replaces both pods one at a time
// with two replicas available throughout; a spec change made during the rollout is applied, and
// a resource that did not change gets no write from the new leader.
func TestRollingUpdate(t *testing.T) {
	ensureDeployed(t, "cluster-wide")
	ns := newNamespace(t, "")
	steady := createMinimalKMM(t, ns, "steady")
	changing := createMinimalKMM(t, ns, "changing")
	waitKMMReady(t, ns, steady.Name)
	waitKMMReady(t, ns, changing.Name)
	before := versionsOf(t, ns, steady.Name)
	oldPods := map[string]bool{}
	for _, p := range operatorPods(t, 2) {
		oldPods[p.Name] = true
	}

	// Watch availability and readiness while the rollout runs.
	stop := make(chan struct{})
	minAvailable, notReady := int32(2), 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if d, err := kube.AppsV1().Deployments(operatorNamespace).Get(bg, "kmm-operator", metav1.GetOptions{}); err == nil && d.Status.AvailableReplicas < minAvailable {
				minAvailable = d.Status.AvailableReplicas
			}
			if k, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Get(bg, steady.Name, metav1.GetOptions{}); err == nil && !isReady(k) {
				notReady++
			}
		}
	}()

	// Changes all through the rollout, every 300 ms, including while the Lease changes hands:
	// the last one must be applied.
	var last int32 = 1
	changes, changeErrs := 0, 0
	changesDone := make(chan struct{})
	stopChanges := make(chan struct{})
	go func() {
		defer close(changesDone)
		tick := time.NewTicker(300 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopChanges:
				return
			case <-tick.C:
			}
			n := last%3 + 1
			if err := trySetReplicas(ns, changing.Name, n); err != nil {
				changeErrs++
				continue
			}
			last = n
			changes++
		}
	}()

	start := time.Now()
	out, err := kubectl(t, "-n", operatorNamespace, "rollout", "restart", "deployment/kmm-operator")
	require.NoError(t, err, out)
	out, err = kubectl(t, "-n", operatorNamespace, "rollout", "status", "deployment/kmm-operator", "--timeout=180s")
	require.NoError(t, err, out)
	rolled := time.Since(start)
	pods := operatorPods(t, 2)
	newLeader := eventually(t, time.Minute, "a new pod holding the Lease", func() (bool, string) {
		h := leaseHolder(t)
		return h == pods[0].Name || h == pods[1].Name, "holder=" + h
	})
	close(stopChanges)
	<-changesDone
	waitApplied(t, ns, changing.Name, last, start)
	close(stop)
	<-done

	for _, p := range pods {
		assert.False(t, oldPods[p.Name], "pod %s is from before the rollout", p.Name)
	}
	assert.Zero(t, changeErrs, "spec changes refused during the rollout")
	assert.Greater(t, changes, 10, "spec changes made during the rollout")
	assert.EqualValues(t, 2, minAvailable, "available operator replicas during the rollout")
	assert.Zero(t, notReady, "observations of the steady KafkaMirrorMaker not Ready during the rollout")
	// The new leader found the steady resource as it left it: no write to it or its children.
	_, _ = waitKMMReady(t, ns, changing.Name)
	assert.Equal(t, before, versionsOf(t, ns, steady.Name), "resourceVersions of the steady KafkaMirrorMaker and its children")
	t.Logf("rollout restart took %s, a new pod led %s after it ended; available replicas never below %d; the last of %d spec changes made meanwhile was applied",
		rolled.Round(time.Millisecond), newLeader.Round(time.Millisecond), minAvailable, changes)
}

// ---- helpers -----------------------------------------------------------------------------

// operatorPods waits until the operator Deployment has exactly n pods, all Running and Ready and
// none terminating, and returns them.
func operatorPods(t *testing.T, n int) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	eventually(t, 3*time.Minute, fmt.Sprintf("%d Ready operator pods", n), func() (bool, string) {
		l, err := kube.CoreV1().Pods(operatorNamespace).List(bg, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=kmm-operator"})
		if err != nil {
			return false, err.Error()
		}
		pods = l.Items
		var states []string
		ready := 0
		for i := range pods {
			p := &pods[i]
			c := podCondition(p, corev1.PodReady)
			ok := p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && c != nil && c.Status == corev1.ConditionTrue
			if ok {
				ready++
			}
			states = append(states, fmt.Sprintf("%s:%s/ready=%v", p.Name, p.Status.Phase, ok))
		}
		return ready == n && len(pods) == n, strings.Join(states, " ")
	})
	return pods
}

// podReady: the Pod's Ready condition is True.
func podReady(p *corev1.Pod) bool {
	c := podCondition(p, corev1.PodReady)
	return c != nil && c.Status == corev1.ConditionTrue
}

func podCondition(p *corev1.Pod, typ corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == typ {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

func otherPod(pods []corev1.Pod, name string) string {
	for _, p := range pods {
		if p.Name != name {
			return p.Name
		}
	}
	return ""
}

// leaseHolder is the operator Lease's holder (empty when released).
func leaseHolder(t *testing.T) string {
	t.Helper()
	var l *coordinationv1.Lease
	l, err := kube.CoordinationV1().Leases(operatorNamespace).Get(bg, operatorLease, metav1.GetOptions{})
	require.NoError(t, err)
	return ptr.Deref(l.Spec.HolderIdentity, "")
}

func readProc(t *testing.T, pid int, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), file))
	require.NoError(t, err)
	return string(b)
}

// rootReadOnly: the container's "/" is mounted read-only (field 6 of mountinfo, the mount options).
func rootReadOnly(t *testing.T, pid int) bool {
	t.Helper()
	for _, line := range strings.Split(readProc(t, pid, "mountinfo"), "\n") {
		f := strings.Fields(line)
		if len(f) > 5 && f[4] == "/" {
			return strings.Split(f[5], ",")[0] == "ro"
		}
	}
	t.Fatalf("no / mount in /proc/%d/mountinfo", pid)
	return false
}

var probeLine = regexp.MustCompile(`^prober_probe_total\{([^}]*)\} (\S+)$`)

// probeCount: the kubelet's prober_probe_total for a pod's probe type and result.
func probeCount(t *testing.T, pod, probeType, result string) float64 {
	t.Helper()
	out, err := kube.CoreV1().RESTClient().Get().AbsPath("/api/v1/nodes", realNode, "proxy/metrics/probes").DoRaw(bg)
	require.NoError(t, err)
	var n float64
	for _, line := range strings.Split(string(out), "\n") {
		m := probeLine.FindStringSubmatch(line)
		if m == nil || !strings.Contains(m[1], `pod="`+pod+`"`) || !strings.Contains(m[1], `probe_type="`+probeType+`"`) ||
			!strings.Contains(m[1], `result="`+result+`"`) {
			continue
		}
		v, err := strconv.ParseFloat(m[2], 64)
		require.NoError(t, err)
		n += v
	}
	return n
}

// bindingsOf lists every ClusterRoleBinding and RoleBinding naming the ServiceAccount.
func bindingsOf(t *testing.T, sa, saNamespace string) []string {
	t.Helper()
	names := func(subjects []rbacv1.Subject) bool {
		for _, s := range subjects {
			if s.Kind == rbacv1.ServiceAccountKind && s.Name == sa && s.Namespace == saNamespace {
				return true
			}
			if s.Kind == rbacv1.GroupKind && (s.Name == "system:serviceaccounts" || s.Name == "system:serviceaccounts:"+saNamespace || s.Name == "system:authenticated") {
				return true
			}
		}
		return false
	}
	var out []string
	crbs, err := kube.RbacV1().ClusterRoleBindings().List(bg, metav1.ListOptions{})
	require.NoError(t, err)
	for _, b := range crbs.Items {
		if names(b.Subjects) && !strings.HasPrefix(b.Name, "system:") {
			out = append(out, fmt.Sprintf("ClusterRoleBinding/%s -> %s/%s", b.Name, b.RoleRef.Kind, b.RoleRef.Name))
		}
	}
	rbs, err := kube.RbacV1().RoleBindings("").List(bg, metav1.ListOptions{})
	require.NoError(t, err)
	for _, b := range rbs.Items {
		if names(b.Subjects) && !strings.HasPrefix(b.Name, "system:") {
			out = append(out, fmt.Sprintf("RoleBinding %s/%s -> %s/%s", b.Namespace, b.Name, b.RoleRef.Kind, b.RoleRef.Name))
		}
	}
	return out
}

func readManifest(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, path))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, into))
}

// allowed asks the API server (SubjectAccessReview) whether user may do verb on resource.
func allowed(t *testing.T, user string, groups []string, ns, verb, group, resource, name string) bool {
	t.Helper()
	r, err := kube.AuthorizationV1().SubjectAccessReviews().Create(bg, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: user, Groups: groups,
		ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Verb: verb, Group: group, Resource: resource, Name: name},
	}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return r.Status.Allowed
}

// createMinimalKMM creates artifacts/examples/kafka-mirror-maker.yaml under another name. Its
// pods land on the kwok node (they do not ask for the real one), which simulates them Ready.
func createMinimalKMM(t *testing.T, ns, name string) *v1beta2.KafkaMirrorMaker {
	t.Helper()
	k := &v1beta2.KafkaMirrorMaker{}
	readManifest(t, "artifacts/examples/kafka-mirror-maker.yaml", k)
	k.Namespace, k.Name = ns, name
	out, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Create(bg, k, metav1.CreateOptions{})
	require.NoError(t, err)
	return out
}

// isReady: Ready=True for the current generation.
func isReady(k *v1beta2.KafkaMirrorMaker) bool {
	if k.Status == nil || k.Status.ObservedGeneration == nil || *k.Status.ObservedGeneration != k.Generation {
		return false
	}
	for _, c := range k.Status.Conditions {
		if ptr.Deref(c.Type, "") == v1beta2.ConditionReady {
			return ptr.Deref(c.Status, "") == "True"
		}
	}
	return false
}

func waitKMMReady(t *testing.T, ns, name string) (*v1beta2.KafkaMirrorMaker, time.Duration) {
	t.Helper()
	var k *v1beta2.KafkaMirrorMaker
	took := eventually(t, 3*time.Minute, fmt.Sprintf("KafkaMirrorMaker %s/%s Ready", ns, name), func() (bool, string) {
		var err error
		if k, err = kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Get(bg, name, metav1.GetOptions{}); err != nil {
			return false, err.Error()
		}
		if k.Status == nil {
			return false, "no status"
		}
		return isReady(k), fmt.Sprintf("generation=%d observed=%d conditions=%d", k.Generation, ptr.Deref(k.Status.ObservedGeneration, -1), len(k.Status.Conditions))
	})
	return k, took
}

// setReplicas changes spec.replicas, retrying on conflicts with the operator's status writes.
func setReplicas(t *testing.T, ns, name string, n int32) {
	t.Helper()
	require.NoError(t, trySetReplicas(ns, name, n))
}

func trySetReplicas(ns, name string, n int32) error {
	for i := 0; ; i++ {
		k, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Get(bg, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		k.Spec.Replicas = n
		if _, err = kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Update(bg, k, metav1.UpdateOptions{}); err == nil || !apierrors.IsConflict(err) || i == 10 {
			return err
		}
	}
}

// waitApplied waits until the KafkaMirrorMaker's Deployment has n replicas in its spec (the
// operator applied the change) and returns the time since start.
func waitApplied(t *testing.T, ns, name string, n int32, start time.Time) time.Duration {
	t.Helper()
	eventually(t, 2*time.Minute, fmt.Sprintf("Deployment %s/%s-mirror-maker with %d replicas", ns, name, n), func() (bool, string) {
		d, err := kube.AppsV1().Deployments(ns).Get(bg, name+"-mirror-maker", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return ptr.Deref(d.Spec.Replicas, 1) == n, fmt.Sprintf("replicas=%d", ptr.Deref(d.Spec.Replicas, 1))
	})
	return time.Since(start)
}

// versionsOf: the resourceVersions of a KafkaMirrorMaker and of every object it owns.
func versionsOf(t *testing.T, ns, name string) map[string]string {
	t.Helper()
	out := map[string]string{}
	k, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Get(bg, name, metav1.GetOptions{})
	require.NoError(t, err)
	out["KafkaMirrorMaker/"+name] = k.ResourceVersion
	owned := func(m metav1.Object) bool {
		for _, r := range m.GetOwnerReferences() {
			if r.UID == k.UID {
				return true
			}
		}
		return false
	}
	ds, err := kube.AppsV1().Deployments(ns).List(bg, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range ds.Items {
		if owned(&ds.Items[i]) {
			out["Deployment/"+ds.Items[i].Name] = ds.Items[i].ResourceVersion
		}
	}
	cms, err := kube.CoreV1().ConfigMaps(ns).List(bg, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range cms.Items {
		if owned(&cms.Items[i]) {
			out["ConfigMap/"+cms.Items[i].Name] = cms.Items[i].ResourceVersion
		}
	}
	sas, err := kube.CoreV1().ServiceAccounts(ns).List(bg, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range sas.Items {
		if owned(&sas.Items[i]) {
			out["ServiceAccount/"+sas.Items[i].Name] = sas.Items[i].ResourceVersion
		}
	}
	pdbs, err := kube.PolicyV1().PodDisruptionBudgets(ns).List(bg, metav1.ListOptions{})
	require.NoError(t, err)
	for i := range pdbs.Items {
		if owned(&pdbs.Items[i]) {
			out["PodDisruptionBudget/"+pdbs.Items[i].Name] = pdbs.Items[i].ResourceVersion
		}
	}
	require.Contains(t, out, "Deployment/"+name+"-mirror-maker")
	return out
}
