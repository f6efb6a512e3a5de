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
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
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

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// operatorProc is the kmm-operator binary running out of cluster.
type operatorProc struct {
	name     string
	cmd      *exec.Cmd
	url      string // http://127.0.0.1:<port>
	log      *syncBuffer
	exited   chan struct{}
	exitCode int
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startOperator runs `kmm-operator run` with the kubeconfig, args and environment (nothing
// is inherited but PATH and HOME), and stops it at the end of the test.
func startOperator(t *testing.T, name, kubeconfig string, args []string, env ...string) *operatorProc {
	t.Helper()
	port := freePort(t)
	p := &operatorProc{name: name, url: fmt.Sprintf("http://127.0.0.1:%d", port), log: &syncBuffer{}, exited: make(chan struct{})}
	all := append([]string{"run", "--kubeconfig", kubeconfig, "--http-address", fmt.Sprintf("127.0.0.1:%d", port)}, args...)
	p.cmd = exec.Command(binary, all...)
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	require.NoError(t, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait()
		p.exitCode = p.cmd.ProcessState.ExitCode()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.exited:
			case <-time.After(10 * time.Second):
				_ = p.cmd.Process.Kill()
				<-p.exited
			}
		}
		if t.Failed() {
			t.Logf("---- log of operator %s (last 80 lines) ----\n%s", p.name, tail(p.log.String(), 80))
		}
	})
	return p
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stop sends sig and waits for the exit; it returns the exit code and how long it took.
func (p *operatorProc) stop(t *testing.T, sig syscall.Signal, timeout time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	require.NoError(t, p.cmd.Process.Signal(sig))
	select {
	case <-p.exited:
		return p.exitCode, time.Since(start)
	case <-time.After(timeout):
		t.Fatalf("operator %s did not exit within %s of %s", p.name, timeout, sig)
		return -1, 0
	}
}

func (p *operatorProc) get(path string) (int, string) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(p.url + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitReady waits until /readyz answers 200, failing early if the process exits.
func (p *operatorProc) waitReady(t *testing.T, timeout time.Duration) {
	t.Helper()
	poll(t, timeout, p.name+" /readyz", func() (bool, error) {
		select {
		case <-p.exited:
			return false, fmt.Errorf("operator %s exited with code %d", p.name, p.exitCode)
		default:
		}
		code, _ := p.get("/readyz")
		return code == http.StatusOK, nil
	})
}

// alive fails the poll when the process has exited.
func (p *operatorProc) alive() error {
	select {
	case <-p.exited:
		return fmt.Errorf("operator %s exited with code %d", p.name, p.exitCode)
	default:
		return nil
	}
}

// metricSum adds up the samples of the metric name whose label text contains every filter.
func metricSum(body, name string, filters ...string) (float64, bool) {
	sum, found := 0.0, false
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		labels := ""
		if i, j := strings.Index(line, "{"), strings.LastIndex(line, "}"); i >= 0 && j > i && i == len(name) {
			labels = line[i:j]
		}
		ok := true
		for _, f := range filters {
			if !strings.Contains(labels, f) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err == nil {
			sum += v
			found = true
		}
	}
	return sum, found
}

// forbidden finds authorization failures in a log.
var forbidden = regexp.MustCompile(`(?i)\b403\b|forbidden`)

func requireNo403(t *testing.T, p *operatorProc) {
	t.Helper()
	if m := forbidden.FindString(p.log.String()); m != "" {
		for _, line := range strings.Split(p.log.String(), "\n") {
			if forbidden.MatchString(line) {
				t.Errorf("operator %s logged %q: %s", p.name, m, line)
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

// processRSS returns the resident set size and its peak, in MiB, from /proc.
func processRSS(pid int) (rss, peak float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak
}
