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
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned"
	"github.com/kmm-operator/kmm-operator/pkg/operator/clustertest"
)

// The local cluster's real node (hack/cluster/node.sh).
const (
	realNode      = "kmm-node"
	realNodeLabel = "node.kmm-operator.dev/real"
	// nodeIP is the node's address, on a bridge of the local cluster: pods reach the host there
	// (the test's Kafka clusters listen on it).
	nodeIP = "10.250.0.1"
	// containerdSock is the real node's containerd (the CRI namespace is k8s.io).
	containerdSock = "/run/kmm-node/containerd/containerd.sock"

	operatorNamespace = "kmm-operator"
	operatorLease     = "kmm-operator"
)

var (
	bg              = context.Background()
	root            string // repository root
	kubectlPath     string
	adminKubeconfig string
	adminConfig     *rest.Config
	kube            kubernetes.Interface
	kmmClient       versioned.Interface
	version         string // the images' tag: git describe, as make images and make deploy use
	operatorImage   string
	mirrorImage     string
	suiteStartedAt  time.Time
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("incluster: skipped in -short mode (needs the local cluster's real node)")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if root, err = clustertest.RepoRoot(); err != nil {
		fmt.Fprintln(os.Stderr, "incluster:", err)
		return 1
	}
	if os.Getenv("KMM_REAL_NODE") == "0" {
		fmt.Fprintln(os.Stderr, "incluster: FAIL: KMM_REAL_NODE=0 disables the real node these tests run on")
		return 1
	}
	script := filepath.Join(root, "hack/cluster/cluster.sh")
	wasUp := exec.Command(script, "status").Run() == nil
	up := exec.Command(script, "up")
	up.Stdout, up.Stderr = os.Stderr, os.Stderr
	if err := up.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "incluster: FAIL: hack/cluster/cluster.sh up failed (%v); logs are in .local/logs/\n", err)
		return 1
	}
	if !wasUp && os.Getenv("KMM_KEEP_CLUSTER") == "" {
		defer func() {
			down := exec.Command(script, "down")
			down.Stdout, down.Stderr = os.Stderr, os.Stderr
			if err := down.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "incluster: hack/cluster/cluster.sh down failed: %v\n", err)
			}
		}()
	}
	out, err := exec.Command("git", "-C", root, "describe", "--tags", "--always", "--dirty").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "incluster: git describe:", err)
		return 1
	}
	version = strings.TrimSpace(string(out))
	operatorImage = "kmm.local/kmm-operator:" + version
	mirrorImage = "kmm.local/kmm-mirror:" + version

	kubectlPath = filepath.Join(root, "bin/kubectl")
	adminKubeconfig = filepath.Join(root, ".local/kubeconfig")
	if adminConfig, err = clientcmd.BuildConfigFromFlags("", adminKubeconfig); err != nil {
		fmt.Fprintln(os.Stderr, "incluster:", err)
		return 1
	}
	adminConfig.QPS, adminConfig.Burst = -1, 0
	kube = kubernetes.NewForConfigOrDie(adminConfig)
	kmmClient = versioned.NewForConfigOrDie(adminConfig)
	suiteStartedAt = time.Now()
	code := m.Run()
	// Leave no operator running: the next suites (benchmarks) run their own out of cluster.
	if err := undeploy(); err != nil {
		fmt.Fprintln(os.Stderr, "incluster: removing the operator:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// ---- deploying ---------------------------------------------------------------------------

// deploy runs hack/deploy.sh (make deploy) for the variant, after removing any earlier install,
// and returns how long the script took (images built and loaded, applied, rolled out).
func deploy(t *testing.T, variant string) time.Duration {
	t.Helper()
	require.NoError(t, undeploy())
	logOperatorOnFailure(t)
	start := time.Now()
	cmd := exec.Command(filepath.Join(root, "hack/deploy.sh"), variant)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "VERSION="+version)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("hack/deploy.sh %s: %v\n%s", variant, err, out.String())
	}
	took := time.Since(start)
	t.Logf("hack/deploy.sh %s took %s:\n%s", variant, took.Round(time.Millisecond), lastLines(out.String(), 6))
	return took
}

// ensureDeployed makes sure the variant of the install runs this build's image, rolled out and
// Ready; it deploys only when it does not (tests that only need an operator share one install).
func ensureDeployed(t *testing.T, variant string) {
	t.Helper()
	logOperatorOnFailure(t)
	d, err := kube.AppsV1().Deployments(operatorNamespace).Get(bg, "kmm-operator", metav1.GetOptions{})
	if err == nil && len(d.Spec.Template.Spec.Containers) == 1 && d.Spec.Template.Spec.Containers[0].Image == operatorImage &&
		watchedNamespaces(d) == map[string]string{"cluster-wide": "*", "namespaced": "kafka"}[variant] &&
		d.Status.ObservedGeneration == d.Generation && d.Status.UpdatedReplicas == *d.Spec.Replicas &&
		d.Status.ReadyReplicas == *d.Spec.Replicas && d.Status.Replicas == *d.Spec.Replicas {
		return
	}
	deploy(t, variant)
}

// watchedNamespaces is the operator Deployment's STRIMZI_NAMESPACE.
func watchedNamespaces(d *appsv1.Deployment) string {
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "STRIMZI_NAMESPACE" {
			return e.Value
		}
	}
	return ""
}

// logOperatorOnFailure logs every operator pod's log (and its previous container's) at the end of
// a failed test.
func logOperatorOnFailure(t *testing.T) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		pods, err := kube.CoreV1().Pods(operatorNamespace).List(bg, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=kmm-operator"})
		if err != nil {
			t.Logf("listing the operator pods: %v", err)
			return
		}
		for _, p := range pods.Items {
			for _, previous := range []bool{true, false} {
				out, err := kubectl(t, "-n", operatorNamespace, "logs", p.Name, fmt.Sprintf("--previous=%v", previous), "--tail=40")
				if err == nil {
					t.Logf("---- %s (previous=%v):\n%s", p.Name, previous, out)
				}
			}
		}
	})
}

// undeploy removes what hack/deploy.sh installed apart from the CRD and the ClusterRole (the
// local cluster's own operator user is bound to it): the operator's namespace, the
// ClusterRoleBinding, the namespaced variant's Role and RoleBinding. It waits until the
// namespace is gone, so no operator pod is left running.
func undeploy() error {
	_ = kube.RbacV1().ClusterRoleBindings().Delete(bg, "kmm-operator", metav1.DeleteOptions{})
	_ = kube.RbacV1().RoleBindings("kafka").Delete(bg, "kmm-operator", metav1.DeleteOptions{})
	_ = kube.RbacV1().Roles("kafka").Delete(bg, "kmm-operator", metav1.DeleteOptions{})
	return deleteNamespace(operatorNamespace)
}

// deleteNamespace deletes a namespace and waits (at most 2 minutes) until it is gone.
func deleteNamespace(ns string) error {
	if err := kube.CoreV1().Namespaces().Delete(bg, ns, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if err := wait.PollUntilContextTimeout(bg, 200*time.Millisecond, 2*time.Minute, true, func(context.Context) (bool, error) {
		_, err := kube.CoreV1().Namespaces().Get(bg, ns, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	}); err != nil {
		return fmt.Errorf("waiting for namespace %s to be deleted: %w", ns, err)
	}
	return nil
}

// ---- waiting -----------------------------------------------------------------------------

// eventually polls cond every 100 ms until it is true, for at most timeout, and returns how long
// it took; on a timeout it fails with the sequence of states cond described.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	last := ""
	var seen []string
	err := wait.PollUntilContextTimeout(bg, 100*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		ok, state := cond()
		if state != last && len(seen) < 30 {
			seen = append(seen, fmt.Sprintf("+%s %s", time.Since(start).Round(time.Millisecond), state))
		}
		last = state
		return ok, nil
	})
	if err != nil {
		t.Fatalf("timed out after %s waiting for %s; last seen: %s\nseen:\n  %s", timeout, what, last, strings.Join(seen, "\n  "))
	}
	return time.Since(start)
}

// ---- namespaces, kubectl, ctr ------------------------------------------------------------

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// newNamespace creates a namespace for the test and deletes it at the end.
func newNamespace(t *testing.T, tag string) string {
	t.Helper()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	base := strings.Trim(nonName.ReplaceAllString(strings.ToLower(strings.TrimPrefix(t.Name(), "Test")), "-"), "-")
	if len(base) > 30 {
		base = base[:30]
	}
	name := "incluster-" + base
	if tag != "" {
		name += "-" + tag
	}
	name += "-" + hex.EncodeToString(b)
	_, err := kube.CoreV1().Namespaces().Create(bg, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		if os.Getenv("KMM_KEEP_NAMESPACES") == "" {
			_ = kube.CoreV1().Namespaces().Delete(bg, name, metav1.DeleteOptions{})
		}
	})
	return name
}

// kubectl runs bin/kubectl with the admin kubeconfig.
func kubectl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(kubectlPath, append([]string{"--kubeconfig", adminKubeconfig}, args...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// ctr runs containerd's ctr against the real node's containerd, in the CRI namespace.
func ctr(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ctr", append([]string{"--address", containerdSock, "--namespace", "k8s.io"}, args...)...).CombinedOutput()
	require.NoError(t, err, "ctr %s: %s", strings.Join(args, " "), out)
	return string(out)
}

// containerPID is the host pid of a running container's process (ctr task ls), from the
// container ID in the Pod's status ("containerd://<id>").
func containerPID(t *testing.T, containerID string) int {
	t.Helper()
	id := strings.TrimPrefix(containerID, "containerd://")
	for _, line := range strings.Split(ctr(t, "tasks", "ls"), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == id && f[2] == "RUNNING" {
			var pid int
			_, err := fmt.Sscan(f[1], &pid)
			require.NoError(t, err)
			return pid
		}
	}
	t.Fatalf("no running task for container %s", id)
	return 0
}

// tolerateRealNode is the node selection a Pod template needs to run on the real node.
func tolerateRealNode() ([]corev1.Toleration, *corev1.Affinity) {
	return []corev1.Toleration{{Key: realNodeLabel, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
		&corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{
				Key: realNodeLabel, Operator: corev1.NodeSelectorOpIn, Values: []string{"true"},
			}}}},
		}}}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
