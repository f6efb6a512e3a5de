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
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned"
	"github.com/kmm-operator/kmm-operator/pkg/operator/clustertest"
)

// Environment variables of the suite.
const (
	// envKeepCluster leaves a control plane that the suite started running at the end.
	envKeepCluster = "KMM_KEEP_CLUSTER"
	// envKeepLogs keeps the operator logs of a passing run (they are always kept on failure).
	envKeepLogs = "KMM_E2E_KEEP_LOGS"
	// envKeepNamespaces keeps the test namespaces, for inspection after a run.
	envKeepNamespaces = "KMM_KEEP_NAMESPACES"
	// envSkipRestart skips Test12ControlPlaneRestart, which makes the shared API server
	// unavailable for a few seconds.
	envSkipRestart = "KMM_E2E_SKIP_RESTART"
)

var (
	root               string // repository root
	binary             string // the kmm-operator binary under test
	kubectlPath        string // bin/kubectl
	adminKubeconfig    string // .local/kubeconfig: cluster admin
	operatorKubeconfig string // .local/operator.kubeconfig: token user kmm-operator, ClusterRole kmm-operator only
	logDir             string // operator logs of this run
	adminConfig        *rest.Config
	kube               kubernetes.Interface
	kmmClient          versioned.Interface
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped in -short mode (needs the local control plane)")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) (code int) {
	var err error
	if root, err = clustertest.RepoRoot(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	script := filepath.Join(root, "hack/cluster/cluster.sh")
	// `up` is idempotent: on a healthy cluster it returns at once (re-applying the CRD and the
	// RBAC, so that the ones under test are the current ones). The cluster is taken down at the
	// end only when this run brought it up.
	wasUp := exec.Command(script, "status").Run() == nil
	up := exec.Command(script, "up")
	up.Stdout, up.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := up.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: FAIL: hack/cluster/cluster.sh up failed (%v); the control plane logs are in .local/logs/\n", err)
		printComponentLogs(os.Stderr, 40)
		return 1
	}
	if !wasUp {
		fmt.Fprintf(os.Stderr, "e2e: started the local control plane in %s\n", time.Since(start).Round(time.Second))
		defer func() {
			if os.Getenv(envKeepCluster) != "" {
				fmt.Fprintf(os.Stderr, "e2e: %s is set: leaving the control plane up (hack/cluster/cluster.sh down)\n", envKeepCluster)
				return
			}
			down := exec.Command(script, "down")
			down.Stdout, down.Stderr = os.Stderr, os.Stderr
			_ = down.Run()
		}()
	}

	if logDir, err = os.MkdirTemp("", "kmm-e2e-"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer func() {
		if code == 0 && os.Getenv(envKeepLogs) == "" {
			_ = os.RemoveAll(logDir)
			return
		}
		fmt.Fprintf(os.Stderr, "e2e: operator logs kept in %s\n", logDir)
	}()

	binary = filepath.Join(logDir, "kmm-operator")
	build := exec.Command("go", "build", "-o", binary, "./cmd/kmm-operator")
	build.Dir = root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	buildStart := time.Now()
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: FAIL: building the operator: %v\n", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: built %s in %s\n", binary, time.Since(buildStart).Round(time.Millisecond))

	kubectlPath = filepath.Join(root, "bin/kubectl")
	adminKubeconfig = filepath.Join(root, ".local/kubeconfig")
	operatorKubeconfig = filepath.Join(root, ".local/operator.kubeconfig")
	if adminConfig, err = clientcmd.BuildConfigFromFlags("", adminKubeconfig); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	// The suite's own requests must not be throttled on the client side.
	adminConfig.QPS, adminConfig.Burst = -1, 0
	kube = kubernetes.NewForConfigOrDie(adminConfig)
	kmmClient = versioned.NewForConfigOrDie(adminConfig)

	// Keep the kwok node healthy for the duration of the suite (see nodelease_test.go).
	guardCtx, stopGuard := context.WithCancel(context.Background())
	startNodeLeaseGuard(guardCtx)
	defer func() {
		stopGuard()
		stopNodeLeaseGuard()
	}()

	suiteStart := time.Now()
	code = m.Run()
	fmt.Fprintf(os.Stderr, "e2e: suite took %s\n", time.Since(suiteStart).Round(time.Second))
	return code
}

// printComponentLogs writes the last lines of every control plane log in .local/logs.
func printComponentLogs(w interface{ Write([]byte) (int, error) }, lines int) {
	files, _ := filepath.Glob(filepath.Join(root, ".local/logs/*.log"))
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		rel, _ := filepath.Rel(root, f)
		fmt.Fprintf(w, "---- last %d lines of %s ----\n%s\n", lines, rel, clustertest.Tail(string(b), lines))
	}
}
