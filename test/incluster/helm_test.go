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
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

const (
	helmRelease   = "helm-kmm-operator" // contains the chart's name: the objects are named after it
	helmNamespace = "kmm-helm"
	chartDir      = "artifacts/helm/kmm-operator"
)

// TestHelmChart installs the Helm chart the way a user does, with the Prometheus Operator's CRDs
// in the cluster: every object the chart renders, for several value sets, passes a server-side
// dry-run; then `helm install` runs the operator on the real node, it reconciles a
// KafkaMirrorMaker to Ready, and the monitoring objects exist. The operator's /metrics are
// saved for the alert and dashboard check (hack/promcheck.sh in make test).
func TestHelmChart(t *testing.T) {
	// No other operator may manage the test's resources: remove the kustomize install.
	require.NoError(t, undeploy())
	helm := helmBinary(t)
	loadImages(t)
	installPrometheusOperatorCRDs(t)

	watched := newNamespace(t, "watched")
	nodeValues := filepath.Join(t.TempDir(), "real-node.yaml")
	require.NoError(t, os.WriteFile(nodeValues, []byte(fmt.Sprintf(`image:
  repository: kmm.local/kmm-operator
  tag: %q
nodeSelector:
  %s: "true"
tolerations:
- key: %s
  operator: Exists
  effect: NoSchedule
`, version, realNodeLabel, realNodeLabel)), 0o644))

	_, err := kube.CoreV1().Namespaces().Create(bg, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: helmNamespace}}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
	t.Cleanup(func() { _ = kube.CoreV1().Namespaces().Delete(bg, helmNamespace, metav1.DeleteOptions{}) })

	for name, args := range map[string][]string{
		"defaults":      nil,
		"namespaced":    {"--set", "watchNamespaces={" + watched + "}"},
		"custom image":  {"--set", "image.repository=registry.example/kmm/kmm-operator", "--set", "image.digest=sha256:" + strings.Repeat("ab", 32), "--set", "image.pullSecrets={regcred}"},
		"monitoring on": {"--set", "monitoring.enabled=true"},
		"real node":     {"-f", nodeValues, "--set", "monitoring.enabled=true", "--set", "leaderElection.warmStandby=false", "--set", "logFormat=json"},
	} {
		t.Run("server-side dry-run/"+name, func(t *testing.T) {
			rendered := runHelm(t, helm, append([]string{"template", helmRelease, chartDir, "-n", helmNamespace, "--include-crds"}, args...)...)
			cmd := exec.Command(kubectlPath, "--kubeconfig", adminKubeconfig, "apply", "--server-side", "--dry-run=server",
				"--force-conflicts", "--field-manager=helm-chart-test", "-f", "-")
			cmd.Stdin = strings.NewReader(rendered)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "kubectl apply --dry-run=server of the rendered chart:\n%s", out)
			objects := strings.Count(rendered, "\nkind: ") + map[bool]int{true: 1}[strings.HasPrefix(rendered, "kind: ")]
			assert.Equal(t, objects, strings.Count(strings.TrimSpace(string(out)), "\n")+1, "one line per object:\n%s", out)
		})
	}

	start := time.Now()
	out := runHelm(t, helm, "install", helmRelease, chartDir, "-n", helmNamespace, "-f", nodeValues,
		"--set", "monitoring.enabled=true", "--wait", "--timeout", "3m")
	t.Logf("helm install took %s:\n%s", time.Since(start).Round(time.Millisecond), lastLines(out, 12))
	t.Cleanup(func() {
		if out, err := exec.Command(helm, "--kubeconfig", adminKubeconfig, "uninstall", helmRelease, "-n", helmNamespace, "--wait", "--timeout", "2m").CombinedOutput(); err != nil {
			t.Errorf("helm uninstall: %v\n%s", err, out)
		}
	})

	pods, err := kube.CoreV1().Pods(helmNamespace).List(bg, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=kmm-operator"})
	require.NoError(t, err)
	require.Len(t, pods.Items, 2)
	names := map[string]string{}
	for _, p := range pods.Items {
		assert.Equal(t, realNode, p.Spec.NodeName, "pod %s", p.Name)
		assert.Equal(t, operatorImage, p.Spec.Containers[0].Image)
		names[p.Name] = p.Status.PodIP
	}
	var holder string
	eventually(t, time.Minute, "a holder of the chart's Lease", func() (bool, string) {
		l, err := kube.CoordinationV1().Leases(helmNamespace).Get(bg, helmRelease, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		holder = ptr.Deref(l.Spec.HolderIdentity, "")
		_, ok := names[holder]
		return ok, "holder " + holder
	})

	kmmNS := newNamespace(t, "")
	k := createMinimalKMM(t, kmmNS, "helm")
	_, took := waitKMMReady(t, kmmNS, k.Name)
	t.Logf("KafkaMirrorMaker %s/%s Ready %s after creation, reconciled by the chart's operator", kmmNS, k.Name, took.Round(time.Millisecond))

	for _, r := range []string{"podmonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"} {
		out, err := kubectl(t, "-n", helmNamespace, "get", r, "-o", "name")
		require.NoError(t, err, out)
		assert.NotEmpty(t, strings.TrimSpace(out), "the chart's %s", r)
	}
	cms, err := kube.CoreV1().ConfigMaps(helmNamespace).List(bg, metav1.ListOptions{LabelSelector: "grafana_dashboard=1"})
	require.NoError(t, err)
	assert.Len(t, cms.Items, 2, "the two Grafana dashboards")

	// The leader's metrics, as Prometheus scrapes them through the PodMonitor (port http).
	metrics := httpGet(t, fmt.Sprintf("http://%s:8080/metrics", names[holder]))
	for _, m := range []string{"strimzi_reconciliations_total", "strimzi_resource_state", "leader_election_master_status", "workqueue_depth"} {
		assert.Contains(t, metrics, "\n"+m+"{", "the leader exports %s", m)
	}
	saveScrape(t, "operator.prom", metrics)

	// Leave nothing for the next install's operator to find: the resource's namespace goes while
	// the chart's operator still runs (a namespace being deleted refuses the children an
	// operator would re-create in it).
	require.NoError(t, deleteNamespace(kmmNS))
}

// helmBinary builds bin/helm from hack/tools/helm when it is missing or stale (hack/helm.sh).
func helmBinary(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "hack/helm.sh"), "--build-only")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "hack/helm.sh --build-only:\n%s", out)
	return filepath.Join(root, "bin/helm")
}

// runHelm runs helm against the local cluster with its configuration and caches in a
// temporary directory.
func runHelm(t *testing.T, helm string, args ...string) string {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(helm, append([]string{"--kubeconfig", adminKubeconfig}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HELM_CONFIG_HOME="+home+"/config", "HELM_CACHE_HOME="+home+"/cache", "HELM_DATA_HOME="+home+"/data")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "helm %s:\n%s%s", strings.Join(args, " "), stdout.String(), stderr.String())
	return stdout.String()
}

// loadImages builds this version's images (make images) and loads them into the real node.
func loadImages(t *testing.T) {
	t.Helper()
	for _, c := range [][]string{{"hack/images.sh"}, {"hack/cluster/cluster.sh", "load-images"}} {
		cmd := exec.Command(filepath.Join(root, c[0]), c[1:]...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "VERSION="+version)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s:\n%s", strings.Join(c, " "), out)
	}
}

// installPrometheusOperatorCRDs installs the PodMonitor, ServiceMonitor and PrometheusRule CRDs
// (test/testdata/prometheus-operator-crds) and waits until they are served.
func installPrometheusOperatorCRDs(t *testing.T) {
	t.Helper()
	dir := filepath.Join(root, "test/testdata/prometheus-operator-crds")
	out, err := kubectl(t, "apply", "--server-side", "--field-manager=kmm-incluster-test", "-f", dir)
	require.NoError(t, err, out)
	out, err = kubectl(t, "wait", "--for=condition=Established", "--timeout=60s",
		"crd/podmonitors.monitoring.coreos.com", "crd/servicemonitors.monitoring.coreos.com", "crd/prometheusrules.monitoring.coreos.com")
	require.NoError(t, err, out)
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", url, body)
	return string(body)
}

// saveScrape writes a /metrics scrape to .local/scrapes, where hack/promcheck.sh checks the
// alerts and dashboards against it.
func saveScrape(t *testing.T, name, body string) {
	t.Helper()
	dir := filepath.Join(root, ".local/scrapes")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	t.Logf("saved %s (%d bytes)", filepath.Join(dir, name), len(body))
}
