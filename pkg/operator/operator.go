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

// Package operator is the operator process behind `kmm-operator run`: configuration from
// flags and Strimzi's environment variables, the API clients, the start-up checks, leader
// election with a Lease, the /healthz, /readyz and /metrics endpoints, Events, logging and the
// graceful shutdown. The reconciliation itself is pkg/controller.
package operator

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"k8s.io/klog/v2"

	"github.com/kmm-operator/kmm-operator/pkg/metrics"
	"github.com/kmm-operator/kmm-operator/pkg/version"
)

// Exit codes of the run command.
const (
	ExitOK          = 0 // graceful shutdown
	ExitFailure     = 1 // runtime failure: API server unreachable, CRD missing, leadership lost, ...
	ExitInvalidArgs = 2 // invalid flag or environment variable
)

// Main runs `kmm-operator run` with args (without the command name) and returns the exit
// code. It stops gracefully on SIGTERM or SIGINT; a second signal exits at once.
func Main(args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	cfg, err := ParseConfig(args, lookupEnv)
	if errors.Is(err, flag.ErrHelp) {
		PrintUsage(stdout)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "kmm-operator: %v\nRun 'kmm-operator run --help' for the flags and their environment variables.\n", err)
		return ExitInvalidArgs
	}
	logger := setupLogging(cfg.LogFormat, cfg.Verbosity, stderr)
	defer klog.Flush()

	ctx, stop := signalContext(klog.NewContext(context.Background(), logger))
	defer stop()
	return run(ctx, cfg, stderr)
}

func run(ctx context.Context, cfg Config, stderr io.Writer) int {
	logger := klog.FromContext(ctx)
	restCfg, ns, err := loadRESTConfig(&cfg)
	if err != nil {
		var ce configError
		if errors.As(err, &ce) {
			fmt.Fprintf(stderr, "kmm-operator: %v\n", err)
			return ExitInvalidArgs
		}
		logger.Error(err, "Loading the API server configuration")
		return ExitFailure
	}
	if err := completeLeaderElection(&cfg, ns); err != nil {
		fmt.Fprintf(stderr, "kmm-operator: %v\n", err)
		return ExitInvalidArgs
	}

	namespaces := strings.Join(cfg.Namespaces, ",")
	if cfg.WatchesAllNamespaces() {
		namespaces = AllNamespaces
	}
	kv := []any{"version", version.String(), "apiServer", restCfg.Host, "namespaces", namespaces,
		"selector", cfg.Selector.String(), "workers", cfg.Workers, "qps", cfg.QPS, "burst", cfg.Burst,
		"leaderElection", cfg.LeaderElection.Enabled}
	if cfg.LeaderElection.Enabled {
		kv = append(kv, "lease", klog.KRef(cfg.LeaderElection.LeaseNamespace, cfg.LeaderElection.LeaseName), "identity", cfg.LeaderElection.Identity)
	}
	logger.Info("Starting kmm-operator", kv...)

	m := metrics.New()
	clients, err := NewClients(restCfg, &cfg, m)
	if err != nil {
		logger.Error(err, "Creating the API clients")
		return ExitFailure
	}
	if err := checkAPI(ctx, clients.Kube.Discovery(), restCfg.Host, cfg.APICheckTimeout); err != nil {
		if ctx.Err() != nil {
			return ExitOK // stopped by a signal while waiting
		}
		logger.Error(err, "Start-up check failed")
		return ExitFailure
	}
	if err := checkPermissions(ctx, clients.Kube, &cfg); err != nil {
		if ctx.Err() != nil {
			return ExitOK
		}
		logger.Error(err, "Start-up check failed")
		return ExitFailure
	}
	if err := Run(ctx, cfg, Deps{Clients: clients, Metrics: m}); err != nil {
		logger.Error(err, "kmm-operator stopped")
		return ExitFailure
	}
	logger.Info("kmm-operator stopped")
	return ExitOK
}

// completeLeaderElection fills in the Lease namespace (from the operator's namespace) and the
// identity when they were not configured.
func completeLeaderElection(cfg *Config, namespace string) error {
	le := &cfg.LeaderElection
	if !le.Enabled {
		return nil
	}
	if le.LeaseNamespace == "" {
		if namespace == "" {
			return errors.New("leader election is enabled but the Lease namespace is unknown: set --leader-election-lease-namespace or STRIMZI_LEADER_ELECTION_LEASE_NAMESPACE")
		}
		le.LeaseNamespace = namespace
	}
	if le.Identity == "" {
		le.Identity = defaultIdentity()
	}
	return nil
}

// signalContext returns a context cancelled by the first SIGTERM or SIGINT; a second one exits
// the process at once with code 1.
func signalContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		select {
		case s := <-ch:
			klog.FromContext(parent).Info("Received signal: shutting down gracefully (send it again to exit at once)", "signal", s.String())
			cancel()
		case <-ctx.Done():
			return
		}
		s := <-ch
		klog.FromContext(parent).Info("Received a second signal: exiting now", "signal", s.String())
		klog.FlushAndExit(klog.ExitFlushTimeout, ExitFailure)
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel()
	}
}
