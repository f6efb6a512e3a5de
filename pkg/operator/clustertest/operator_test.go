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

package clustertest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// The objects the operator creates for the minimal example, by kind.
func childNames(name string) map[string]string {
	return map[string]string{
		"ServiceAccount": name + "-mirror-maker", "ConfigMap": name + "-mirror-maker-config",
		"PodDisruptionBudget": name + "-mirror-maker", "Deployment": name + "-mirror-maker",
	}
}

func requireChildren(t *testing.T, ns, name string) {
	t.Helper()
	ctx := context.Background()
	c := childNames(name)
	_, err := admin.CoreV1().ServiceAccounts(ns).Get(ctx, c["ServiceAccount"], metav1.GetOptions{})
	require.NoError(t, err)
	_, err = admin.CoreV1().ConfigMaps(ns).Get(ctx, c["ConfigMap"], metav1.GetOptions{})
	require.NoError(t, err)
	_, err = admin.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, c["PodDisruptionBudget"], metav1.GetOptions{})
	require.NoError(t, err)
	_, err = admin.AppsV1().Deployments(ns).Get(ctx, c["Deployment"], metav1.GetOptions{})
	require.NoError(t, err)
}

// TestOperatorAsNonAdminUser runs the binary out of cluster with .local/operator.kubeconfig:
// the token user kmm-operator, which has nothing but ClusterRole kmm-operator. It must do its
// whole job on the minimal example without a single authorization failure, serve its
// endpoints, and stop gracefully on SIGTERM.
func TestOperatorAsNonAdminUser(t *testing.T) {
	ns := newNamespace(t)
	p := startOperator(t, "user", operatorKubeconfig, []string{"--watch-namespaces", ns, "-v=2"})
	p.waitReady(t, 60*time.Second)

	k := minimalMirrorMaker(t, ns)
	start := time.Now()
	_, err := adminKMM.KafkaV1beta2().KafkaMirrorMakers(ns).Create(context.Background(), k, metav1.CreateOptions{})
	require.NoError(t, err)
	got := waitMirrorMakerReady(t, ns, k.Name, 2*time.Minute)
	t.Logf("KafkaMirrorMaker %s/%s Ready %s after creation (replicas %d)", ns, k.Name, time.Since(start).Round(time.Millisecond), ptr.Deref(got.Status.Replicas, -1))
	requireChildren(t, ns, k.Name)

	// The endpoints of a running leader.
	code, body := p.Status("/healthz")
	require.Equal(t, http.StatusOK, code, body)
	code, body = p.Status("/readyz")
	require.Equal(t, http.StatusOK, code, body)
	code, body = p.Status("/metrics")
	require.Equal(t, http.StatusOK, code)
	for _, m := range []struct{ name, filter string }{
		{"strimzi_reconciliations_total", `kind="KafkaMirrorMaker"`},
		{"strimzi_reconciliations_successful_total", `namespace="` + ns + `"`},
		{"strimzi_reconciliations_duration_seconds_count", ``},
		{"strimzi_resources", `namespace="` + ns + `"`},
		{"strimzi_resources_paused", ``},
		{"workqueue_depth", `name="kafkamirrormakers"`},
		{"workqueue_adds_total", ``},
		{"kmm_client_requests_total", `verb="apply"`},
		{"kmm_reconcile_step_duration_seconds_count", ``},
		{"go_goroutines", ``},
		{"process_resident_memory_bytes", ``},
	} {
		_, found := MetricSum(body, m.name, m.filter)
		require.True(t, found, "metric %s{%s} missing", m.name, m.filter)
	}
	resources, _ := MetricSum(body, "strimzi_resources", `namespace="`+ns+`"`)
	require.Equal(t, 1.0, resources)
	requests, _ := MetricSum(body, "kmm_client_requests_total")
	rss, peak := p.rss()
	t.Logf("operator: RSS %.1f MiB (peak %.1f MiB), %v API requests so far", rss, peak, requests)

	exit, took := p.stop(t, syscall.SIGTERM, 15*time.Second)
	require.Equal(t, 0, exit, "graceful shutdown exits 0")
	require.Less(t, took, 5*time.Second)
	t.Logf("SIGTERM to exit: %s", took.Round(time.Millisecond))
	requireNo403(t, p)
	require.Contains(t, p.Log(), "kmm-operator stopped")
}

// grantNamespacedRBAC creates, in ns, what artifacts/install/namespaced grants the operator in
// each watched namespace (the Role and RoleBinding of the manifests) plus the Lease Role of
// the operator namespace, all bound to the ServiceAccount ns/kmm-operator, and returns a
// kubeconfig with that ServiceAccount's token.
func grantNamespacedRBAC(t *testing.T, ns string) string {
	t.Helper()
	ctx := context.Background()
	_, err := admin.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "kmm-operator"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	sa := rbacv1.Subject{Kind: "ServiceAccount", Name: "kmm-operator", Namespace: ns}
	for _, f := range []struct{ role, binding string }{
		{"namespaced/020-Role-kmm-operator.yaml", "namespaced/021-RoleBinding-kmm-operator.yaml"},
		{"base/030-Role-kmm-operator-leader-election.yaml", "base/031-RoleBinding-kmm-operator-leader-election.yaml"},
	} {
		role := &rbacv1.Role{}
		readInstall(t, f.role, role)
		role.Namespace = ns
		_, err := admin.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{})
		require.NoError(t, err)
		rb := &rbacv1.RoleBinding{}
		readInstall(t, f.binding, rb)
		rb.Namespace = ns
		rb.Subjects = []rbacv1.Subject{sa}
		_, err = admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	// RBAC is effective once the API server's authorizer has seen the bindings.
	user := "system:serviceaccount:" + ns + ":kmm-operator"
	waitAllowed(t, user, nil, ns, "list", "kafka.strimzi.io", "kafkamirrormakers", "")
	waitAllowed(t, user, nil, ns, "update", "coordination.k8s.io", "leases", "kmm-operator")

	tr, err := admin.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "kmm-operator", &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	return writeKubeconfig(t, tr.Status.Token)
}

func readInstall(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "artifacts/install", path))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, into))
}

// waitAllowed waits until user may do verb on the resource.
func waitAllowed(t *testing.T, user string, groups []string, ns, verb, group, resource, name string) {
	t.Helper()
	poll(t, 10*time.Second, fmt.Sprintf("%s may %s %s", user, verb, resource), func() (bool, error) {
		r, err := admin.AuthorizationV1().SubjectAccessReviews().Create(context.Background(), &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{User: user, Groups: groups, ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: ns, Verb: verb, Group: group, Resource: resource, Name: name,
			}},
		}, metav1.CreateOptions{})
		return err == nil && r.Status.Allowed, nil
	})
}

// TestOperatorNamespacedRBAC runs the operator as a ServiceAccount that has only the namespaced
// install's Roles (no ClusterRole at all), with leader election: the Roles-only variant must
// be enough for the whole job.
func TestOperatorNamespacedRBAC(t *testing.T) {
	ns := newNamespace(t)
	kubeconfig := grantNamespacedRBAC(t, ns)
	p := startOperator(t, "serviceaccount", kubeconfig, []string{"--watch-namespaces", ns, "--leader-elect",
		"--leader-election-lease-namespace", ns, "--leader-election-identity", "sa-0", "-v=2"})
	p.waitReady(t, 60*time.Second)
	poll(t, 30*time.Second, "sa-0 holds the Lease", func() (bool, error) { return leaseHolder(ns) == "sa-0", p.Alive() })

	k := minimalMirrorMaker(t, ns)
	_, err := adminKMM.KafkaV1beta2().KafkaMirrorMakers(ns).Create(context.Background(), k, metav1.CreateOptions{})
	require.NoError(t, err)
	waitMirrorMakerReady(t, ns, k.Name, 2*time.Minute)
	requireChildren(t, ns, k.Name)

	exit, _ := p.stop(t, syscall.SIGTERM, 15*time.Second)
	require.Equal(t, 0, exit)
	require.Equal(t, "", leaseHolder(ns), "a graceful shutdown releases the Lease")
	requireNo403(t, p)
}

func leaseHolder(ns string) string {
	l, err := admin.CoordinationV1().Leases(ns).Get(context.Background(), "kmm-operator", metav1.GetOptions{})
	if err != nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// writesBy sums a process's write requests, apart from the Lease and the start-up access
// reviews.
func writesBy(t *testing.T, p *operatorProc) float64 {
	t.Helper()
	code, body := p.Status("/metrics")
	require.Equal(t, http.StatusOK, code)
	total := 0.0
	for _, verb := range []string{"apply", "create", "update", "patch", "delete"} {
		all, _ := MetricSum(body, "kmm_client_requests_total", `verb="`+verb+`"`)
		leases, _ := MetricSum(body, "kmm_client_requests_total", `verb="`+verb+`"`, `resource="leases"`)
		reviews, _ := MetricSum(body, "kmm_client_requests_total", `verb="`+verb+`"`, `resource="selfsubjectaccessreviews"`)
		total += all - leases - reviews
	}
	return total
}

// TestLeaderElection runs operator processes against one API server with leader election:
// exactly one reconciles; SIGTERM on the leader hands the Lease over at once (ReleaseOnCancel)
// and the new leader applies a pending change; SIGKILL on the leader lets a standby take over
// once the Lease has expired, not before.
func TestLeaderElection(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	// The token user has ClusterRole kmm-operator, which has no Lease access: grant the
	// install's Lease Role in the test namespace.
	role := &rbacv1.Role{}
	readInstall(t, "base/030-Role-kmm-operator-leader-election.yaml", role)
	role.Namespace = ns
	_, err := admin.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{})
	require.NoError(t, err)
	rb := &rbacv1.RoleBinding{}
	readInstall(t, "base/031-RoleBinding-kmm-operator-leader-election.yaml", rb)
	rb.Namespace = ns
	rb.Subjects = []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "kmm-operator"}}
	_, err = admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{})
	require.NoError(t, err)
	waitAllowed(t, "kmm-operator", nil, ns, "update", "coordination.k8s.io", "leases", "kmm-operator")

	const leaseDuration, retry = 8 * time.Second, time.Second
	args := func(id string) []string {
		return []string{"--watch-namespaces", ns, "--leader-elect", "--leader-election-lease-namespace", ns,
			"--leader-election-identity", id, "--leader-election-lease-duration", leaseDuration.String(),
			"--leader-election-renew-deadline=5s", "--leader-election-retry-period", retry.String()}
	}

	a := startOperator(t, "a", operatorKubeconfig, args("a"))
	poll(t, 60*time.Second, "a leads", func() (bool, error) { return leaseHolder(ns) == "a", a.Alive() })
	a.waitReady(t, 60*time.Second)
	b := startOperator(t, "b", operatorKubeconfig, args("b"))
	b.waitReady(t, 60*time.Second) // a standby is ready
	_, body := b.Status("/readyz?verbose")
	require.Contains(t, body, "standby")
	rss, _ := b.rss()
	t.Logf("standby RSS %.1f MiB", rss)

	k := minimalMirrorMaker(t, ns)
	_, err = adminKMM.KafkaV1beta2().KafkaMirrorMakers(ns).Create(ctx, k, metav1.CreateOptions{})
	require.NoError(t, err)
	waitMirrorMakerReady(t, ns, k.Name, 2*time.Minute)

	// Exactly one reconciles: the leader wrote, the standby neither reconciled nor wrote.
	require.Greater(t, writesBy(t, a), 0.0)
	require.Equal(t, 0.0, writesBy(t, b), "the standby must not write")
	_, body = b.Status("/metrics")
	n, _ := MetricSum(body, "strimzi_reconciliations_total")
	require.Equal(t, 0.0, n, "the standby must not reconcile")
	require.Contains(t, body, `leader_election_master_status{name="kmm-operator"} 0`)
	_, body = a.Status("/metrics")
	require.Contains(t, body, `leader_election_master_status{name="kmm-operator"} 1`)

	// Graceful stop of the leader: the Lease is released and b takes over within a few seconds.
	stopAt := time.Now()
	exit, took := a.stop(t, syscall.SIGTERM, 15*time.Second)
	require.Equal(t, 0, exit)
	poll(t, 10*time.Second, "b leads after a's SIGTERM", func() (bool, error) { return leaseHolder(ns) == "b", b.Alive() })
	handover := time.Since(stopAt)
	t.Logf("SIGTERM on the leader: it exited after %s; the standby held the Lease %s after the signal",
		took.Round(time.Millisecond), handover.Round(time.Millisecond))
	require.Less(t, handover, took+2*retry+2*time.Second, "the standby must not wait for the Lease to expire")

	// b applies a change made after the handover.
	scale := func(n int32) time.Time {
		patch := fmt.Sprintf(`{"spec":{"replicas":%d}}`, n)
		_, err := adminKMM.KafkaV1beta2().KafkaMirrorMakers(ns).Patch(ctx, k.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
		require.NoError(t, err)
		return time.Now()
	}
	waitReplicas := func(n int32) {
		poll(t, time.Minute, fmt.Sprintf("Deployment replicas %d", n), func() (bool, error) {
			d, err := admin.AppsV1().Deployments(ns).Get(ctx, childNames(k.Name)["Deployment"], metav1.GetOptions{})
			return err == nil && ptr.Deref(d.Spec.Replicas, 0) == n, nil
		})
	}
	at := scale(2)
	waitReplicas(2)
	t.Logf("new leader b applied a change %s after it was made", time.Since(at).Round(time.Millisecond))

	// SIGKILL on the leader: the Lease is not released; c takes over once it has expired.
	c := startOperator(t, "c", operatorKubeconfig, args("c"))
	c.waitReady(t, 60*time.Second)
	killAt := time.Now()
	b.stop(t, syscall.SIGKILL, 5*time.Second)
	poll(t, leaseDuration+30*time.Second, "c leads after b's SIGKILL", func() (bool, error) { return leaseHolder(ns) == "c", c.Alive() })
	takeover := time.Since(killAt)
	t.Logf("SIGKILL on the leader: the standby held the Lease %s after the kill (lease duration %s, retry period %s)",
		takeover.Round(time.Millisecond), leaseDuration, retry)
	require.GreaterOrEqual(t, takeover, leaseDuration-2*retry, "the standby took over before the Lease expired")
	require.Less(t, takeover, leaseDuration+3*retry+5*time.Second)
	at = scale(3)
	waitReplicas(3)
	t.Logf("new leader c applied a change %s after it was made", time.Since(at).Round(time.Millisecond))

	for _, p := range []*operatorProc{a, b, c} {
		requireNo403(t, p)
	}
}

// TestBinaryStartupFailures: the real binary exits at once with a clear message, instead of
// hanging, when the API server is unreachable, and with 2 on invalid configuration.
func TestBinaryStartupFailures(t *testing.T) {
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	port, err := FreePort() // nothing listens there
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, port)), 0o600))

	run := func(env []string, args ...string) (int, string, time.Duration) {
		cmd := exec.Command(binary, args...)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
		start := time.Now()
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out), time.Since(start)
	}

	code, out, took := run([]string{"KMM_API_CHECK_TIMEOUT=3s"}, "--kubeconfig", kubeconfig, "--http-address=127.0.0.1:0")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "is not reachable")
	require.Less(t, took, 10*time.Second)

	code, out, _ = run([]string{"STRIMZI_OPERATION_TIMEOUT_MS=soon"}, "--kubeconfig", kubeconfig)
	require.Equal(t, 2, code, out)
	require.Contains(t, out, `invalid value "soon" for STRIMZI_OPERATION_TIMEOUT_MS`)

	code, out, _ = run(nil) // no kubeconfig, not in a cluster
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "give --kubeconfig or set KUBECONFIG")

	code, out, _ = run(nil, "version")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(out, "kmm-operator "), out)
}
