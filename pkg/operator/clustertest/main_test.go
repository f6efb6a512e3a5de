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
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	kafkav1beta2 "github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned"
)

var (
	root               string // repository root
	binary             string // the kmm-operator binary under test
	kubectl            string
	adminKubeconfig    string
	operatorKubeconfig string // token user kmm-operator, bound to ClusterRole kmm-operator only
	adminConfig        *rest.Config
	admin              kubernetes.Interface
	adminKMM           versioned.Interface
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("clustertest: skipped in -short mode (needs the local control plane)")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if root, err = RepoRoot(); err != nil {
		fmt.Fprintln(os.Stderr, "clustertest:", err)
		return 1
	}
	done, err := UseLocalCluster(root, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "clustertest:", err)
		return 1
	}
	defer done()

	tmp, err := os.MkdirTemp("", "kmm-clustertest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "clustertest:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	binary = filepath.Join(tmp, "kmm-operator")
	build := exec.Command("go", "build", "-o", binary, "./cmd/kmm-operator")
	build.Dir = root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "clustertest: building the operator: %v\n", err)
		return 1
	}

	kubectl = filepath.Join(root, "bin/kubectl")
	adminKubeconfig = filepath.Join(root, ".local/kubeconfig")
	operatorKubeconfig = filepath.Join(root, ".local/operator.kubeconfig")
	if adminConfig, err = clientcmd.BuildConfigFromFlags("", adminKubeconfig); err != nil {
		fmt.Fprintln(os.Stderr, "clustertest:", err)
		return 1
	}
	admin = kubernetes.NewForConfigOrDie(adminConfig)
	adminKMM = versioned.NewForConfigOrDie(adminConfig)
	return m.Run()
}

func randSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// newNamespace creates a namespace for the test and deletes it at the end.
func newNamespace(t *testing.T) string {
	t.Helper()
	base := strings.Trim(nonName.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(base) > 40 {
		base = base[:40]
	}
	name := "kmm-op-" + base + "-" + randSuffix()
	_, err := admin.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		if os.Getenv("KMM_KEEP_NAMESPACES") != "" {
			return
		}
		_ = admin.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	return name
}

// ensureNamespace creates the namespace if it is missing, and deletes it at the end only then.
func ensureNamespace(t *testing.T, name string) {
	t.Helper()
	_, err := admin.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return
	}
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

// poll waits for cond, checking every 100 ms, for at most timeout.
func poll(t *testing.T, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		return cond()
	})
	require.NoError(t, err, "waiting for %s", what)
}

// operatorProc is the kmm-operator binary running out of cluster (see Process).
type operatorProc struct {
	*Process
}

// startOperator runs `kmm-operator run` with the kubeconfig, args and environment (nothing
// is inherited but PATH and HOME), and stops it at the end of the test.
func startOperator(t *testing.T, name, kubeconfig string, args []string, env ...string) *operatorProc {
	t.Helper()
	proc, err := StartProcess(ProcessOptions{Name: name, Binary: binary, Kubeconfig: kubeconfig,
		LogPath: filepath.Join(t.TempDir(), name+".log"), Args: args, Env: env})
	require.NoError(t, err)
	p := &operatorProc{proc}
	t.Cleanup(func() {
		if _, _, err := p.Stop(syscall.SIGTERM, 10*time.Second); err != nil {
			t.Log(err)
		}
		if t.Failed() {
			t.Logf("---- log of operator %s (last 80 lines) ----\n%s", p.Name, Tail(p.Log(), 80))
		}
	})
	return p
}

// stop sends sig and waits for the exit; it returns the exit code and how long it took.
func (p *operatorProc) stop(t *testing.T, sig syscall.Signal, timeout time.Duration) (int, time.Duration) {
	t.Helper()
	code, took, err := p.Stop(sig, timeout)
	require.NoError(t, err)
	return code, took
}

// waitReady waits until /readyz answers 200, failing early if the process exits.
func (p *operatorProc) waitReady(t *testing.T, timeout time.Duration) {
	t.Helper()
	poll(t, timeout, p.Name+" /readyz", func() (bool, error) {
		if err := p.Alive(); err != nil {
			return false, err
		}
		code, _ := p.Status("/readyz")
		return code == http.StatusOK, nil
	})
}

// rss returns the resident set size and its peak, in MiB (0 when unreadable).
func (p *operatorProc) rss() (rss, peak float64) {
	rss, peak, _ = p.RSS()
	return rss, peak
}

// forbidden finds authorization failures in a log.
var forbidden = regexp.MustCompile(`(?i)\b403\b|forbidden`)

func requireNo403(t *testing.T, p *operatorProc) {
	t.Helper()
	if m := forbidden.FindString(p.Log()); m != "" {
		for _, line := range strings.Split(p.Log(), "\n") {
			if forbidden.MatchString(line) {
				t.Errorf("operator %s logged %q: %s", p.Name, m, line)
			}
		}
	}
}

// minimalMirrorMaker reads artifacts/examples/kafka-mirror-maker.yaml.
func minimalMirrorMaker(t *testing.T, ns string) *kafkav1beta2.KafkaMirrorMaker {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "artifacts/examples/kafka-mirror-maker.yaml"))
	require.NoError(t, err)
	k := &kafkav1beta2.KafkaMirrorMaker{}
	require.NoError(t, yaml.Unmarshal(b, k))
	k.Namespace = ns
	return k
}

// readyCondition returns the status of the Ready condition and the observed generation.
func readyCondition(k *kafkav1beta2.KafkaMirrorMaker) (string, int64) {
	var gen int64
	if k.Status == nil {
		return "", 0
	}
	if k.Status.ObservedGeneration != nil {
		gen = *k.Status.ObservedGeneration
	}
	for _, c := range k.Status.Conditions {
		if c.Type != nil && *c.Type == "Ready" && c.Status != nil {
			return *c.Status, gen
		}
	}
	return "", gen
}

// waitMirrorMakerReady waits until the resource is Ready for its current generation.
func waitMirrorMakerReady(t *testing.T, ns, name string, timeout time.Duration) *kafkav1beta2.KafkaMirrorMaker {
	t.Helper()
	var k *kafkav1beta2.KafkaMirrorMaker
	poll(t, timeout, "KafkaMirrorMaker "+ns+"/"+name+" Ready", func() (bool, error) {
		var err error
		k, err = adminKMM.KafkaV1beta2().KafkaMirrorMakers(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		status, gen := readyCondition(k)
		return status == "True" && gen == k.Generation, nil
	})
	return k
}

// writeKubeconfig writes a kubeconfig for token, trusting the local API server's certificate.
func writeKubeconfig(t *testing.T, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: %q, certificate-authority: %q}}]
users: [{name: u, user: {token: %q}}]
contexts: [{name: local, context: {cluster: local, user: u}}]
current-context: local
`, adminConfig.Host, adminConfig.TLSClientConfig.CAFile, token)
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	return path
}

// runKubectl runs bin/kubectl with the admin kubeconfig.
func runKubectl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(kubectl, append([]string{"--kubeconfig", adminKubeconfig}, args...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	return string(out), err
}
