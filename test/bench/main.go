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

// Command bench measures kmm-operator on the local control plane (hack/cluster): throughput
// against a plain-Deployment baseline, API requests, memory, Secret-rotation and spec-change
// latency, leader-election failover and start-up, in one run. See docs/benchmarks.md.
//
//	go run ./test/bench             # BENCH_N=1000
//	BENCH_N=50 go run ./test/bench  # quick mode
//
// Environment: BENCH_N (resources, default 1000), BENCH_SECRETS (unrelated 10 KiB Secrets, default
// 10*BENCH_N, i.e. 10,000 at N=1000), BENCH_TIMEOUT (whole run, default 10m + 2s per resource),
// BENCH_PROFILE (when set, the operator runs with --enable-pprof and a heap profile is saved next
// to each memory figure, as .local/bench/heap-<phase>.pb.gz for `go tool pprof`), KMM_KEEP_CLUSTER
// (do not take down a cluster this program started). GOGC and GOMEMLIMIT, when set, are passed to
// the operator processes.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned"
	"github.com/kmm-operator/kmm-operator/pkg/operator/clustertest"
)

const namespaceCount = 10

type bench struct {
	root               string
	outDir             string
	binary             string
	operatorKubeconfig string
	adminConfig        *rest.Config
	kube               kubernetes.Interface
	kmm                versioned.Interface

	n          int
	secrets    int
	prefix     string   // namespace prefix of this run
	namespaces []string // watched namespaces
	baseNS     []string // baseline namespaces (not watched)
	leaseNS    string
	created    []string // every namespace this run created
	procs      []*operator

	res   results
	notes []string

	createRequests, steadyRequests, startupRequests, restartRequests map[string]float64
	reconcilesPerCycle                                               float64
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench: FAILED:", err)
		os.Exit(1)
	}
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q: want a positive integer", name, v)
	}
	return n, nil
}

func run() error {
	b := &bench{}
	var err error
	if b.n, err = envInt("BENCH_N", 1000); err != nil {
		return err
	}
	if b.secrets, err = envInt("BENCH_SECRETS", 10*b.n); err != nil {
		return err
	}
	timeout := 10*time.Minute + time.Duration(b.n)*2*time.Second
	if v := os.Getenv("BENCH_TIMEOUT"); v != "" {
		if timeout, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("BENCH_TIMEOUT: %w", err)
		}
	}
	if b.root, err = clustertest.RepoRoot(); err != nil {
		return err
	}
	b.outDir = filepath.Join(b.root, ".local/bench")
	if err := os.MkdirAll(b.outDir, 0o755); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(b.outDir, "results.json"))

	// SIGINT/SIGTERM end the run through the same clean-up as a failure.
	sigCtx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(sigCtx, timeout)
	defer cancel()
	start := time.Now()
	logf("N=%d resources over %d namespaces, %d unrelated Secrets; whole run bounded by %s", b.n, namespaceCount, b.secrets, timeout)

	logf("bringing up the local control plane (hack/cluster/cluster.sh up)")
	done, err := clustertest.UseLocalCluster(b.root, os.Stderr)
	if err != nil {
		return err
	}
	defer done()

	if b.binary = os.Getenv("BENCH_OPERATOR"); b.binary != "" {
		// Another build (e.g. the previous commit's), measured by the same harness.
		logf("using the operator binary %s (BENCH_OPERATOR)", b.binary)
	} else {
		logf("building bin/kmm-operator")
		b.binary = filepath.Join(b.root, "bin/kmm-operator")
		build := exec.Command("go", "build", "-mod=vendor", "-o", b.binary, "./cmd/kmm-operator")
		build.Dir = b.root
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building bin/kmm-operator: %w", err)
		}
	}

	b.operatorKubeconfig = filepath.Join(b.root, ".local/operator.kubeconfig")
	if b.adminConfig, err = clientcmd.BuildConfigFromFlags("", filepath.Join(b.root, ".local/kubeconfig")); err != nil {
		return err
	}
	// The benchmark's own client must not be the limit.
	b.adminConfig.QPS, b.adminConfig.Burst = -1, 1
	b.adminConfig.UserAgent = "kmm-bench"
	b.kube = kubernetes.NewForConfigOrDie(b.adminConfig)
	b.kmm = versioned.NewForConfigOrDie(b.adminConfig)

	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	b.prefix = "kmm-bench-" + hex.EncodeToString(suffix)
	defer b.cleanup()

	runErr := b.measure(ctx)
	if runErr == nil {
		b.res.print(os.Stdout, b)
		path := filepath.Join(b.outDir, "results.json")
		if err := b.res.write(path); err != nil {
			return err
		}
		logf("wrote %s; whole run took %s", path, time.Since(start).Round(time.Second))
	}
	if errors.Is(runErr, context.DeadlineExceeded) {
		runErr = fmt.Errorf("%w (whole run bounded by BENCH_TIMEOUT=%s)", runErr, timeout)
	}
	return runErr
}

func (b *bench) measure(ctx context.Context) error {
	if err := b.setupNamespaces(ctx); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	w, err := b.startWatchers(ctx)
	if err != nil {
		return fmt.Errorf("watchers: %w", err)
	}
	if err := b.baseline(ctx, w); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	if err := b.throughputMemoryLatency(ctx, w); err != nil {
		return err
	}
	if err := b.startup(ctx); err != nil {
		return fmt.Errorf("start-up: %w", err)
	}
	if err := b.failover(ctx, w); err != nil {
		return fmt.Errorf("failover: %w", err)
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// poll checks cond every interval for at most timeout; on timeout the error names what.
func poll(ctx context.Context, timeout, interval time.Duration, what string, cond func() (bool, error)) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, interval, timeout, true, func(context.Context) (bool, error) {
		ok, err := cond()
		return ok, err
	})
	if err != nil && wait.Interrupted(err) {
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
		if last != nil {
			return fmt.Errorf("timed out after %s waiting for %s: %v", timeout, what, last)
		}
		return fmt.Errorf("timed out after %s waiting for %s", timeout, what)
	}
	return err
}
