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
// Command kmm-mirror is MirrorMaker 1 in Go, a drop-in for the Java MirrorMaker in Strimzi's
// image: it reads the same environment and mounted files, keeps the same probe files, and
// resumes the same consumer group's offsets.
//
// It is one static binary, multi-call by the name it is run as, so that the image needs no
// shell: kafka_mirror_maker_run.sh (the Deployment's args) runs the mirror,
// kafka_mirror_maker_liveness.sh is the liveness check, test (or [) answers the readiness probe.
// Run as kmm-mirror, the first argument names the command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kmm-operator/kmm-operator/pkg/mirror"
	"github.com/kmm-operator/kmm-operator/pkg/mirror/config"
	"github.com/kmm-operator/kmm-operator/pkg/mirror/probe"
	"github.com/kmm-operator/kmm-operator/pkg/version"
)

// Exit codes, as MirrorMaker 1 in Strimzi's image (tini maps the JVM's 143 on SIGTERM to 0).
const (
	exitOK          = 0
	exitConfigError = 1
	exitUsage       = 2
	exitAborted     = 255
)

const usage = `Usage: kmm-mirror <command>

Commands:
  run        mirror, configured by the KAFKA_MIRRORMAKER_* environment of Strimzi's image
  liveness   delete the liveness file; fail if it did not exist
  test ...   the POSIX test utility (the readiness probe runs 'test -f /tmp/mirror-maker-ready')
  version    print the version

The same binary run as kafka_mirror_maker_run.sh, kafka_mirror_maker_liveness.sh or test
(symbolic links) runs that command.
`

func main() {
	os.Exit(dispatch(os.Args, os.Stdout, os.Stderr, os.LookupEnv))
}

func dispatch(args []string, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	name := filepath.Base(args[0])
	rest := args[1:]
	if name == "kmm-mirror" || name == "main" {
		if len(rest) == 0 {
			fmt.Fprint(stderr, usage)
			return exitUsage
		}
		name, rest = rest[0], rest[1:]
	}
	switch name {
	case "kafka_mirror_maker_run.sh", "run":
		return run(stdout, stderr, lookup)
	case "kafka_mirror_maker_liveness.sh", "liveness":
		return probe.Liveness(tmpDir(lookup), stderr)
	case "test":
		return probe.Test(rest, false, stderr)
	case "[":
		return probe.Test(rest, true, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, version.String())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "kmm-mirror: unknown command %q\n\n%s", name, usage)
	return exitUsage
}

// tmpDir is where the probe files live; the liveness check runs in the container's environment,
// so it sees the same KMM_MIRROR_TMP_DIR as the mirror.
func tmpDir(lookup func(string) (string, bool)) string {
	if v, ok := lookup("KMM_MIRROR_TMP_DIR"); ok && v != "" {
		return v
	}
	return "/tmp"
}

// run is kafka_mirror_maker_run.sh: read the configuration, mirror until SIGTERM (exit 0
// after the last flush and commit) or a fatal error (exit 255).
func run(stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	cfg, err := config.Load(lookup)
	if err != nil {
		fmt.Fprintf(stderr, "kmm-mirror: configuration error: %v\n", err)
		return exitConfigError
	}
	log := slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	log.Info("Starting kmm-mirror", "version", version.String(), "include", cfg.TopicRegex,
		"group", cfg.GroupID, "numStreams", cfg.NumStreams, "offsetCommitInterval", cfg.OffsetCommitInterval,
		"abortOnSendFailure", cfg.AbortOnSendFailure)
	for _, line := range cfg.ConsumerSummary {
		log.Info("Consumer configuration", "property", line)
	}
	for _, line := range cfg.ProducerSummary {
		log.Info("Producer configuration", "property", line)
	}
	for _, n := range cfg.Notices {
		log.Log(context.Background(), n.Level, n.Message, "name", n.Name)
	}

	if err := mirror.ResetHealthFiles(cfg.TmpDir); err != nil {
		fmt.Fprintf(stderr, "kmm-mirror: configuration error: KMM_MIRROR_TMP_DIR: %v\n", err)
		return exitConfigError
	}

	reg := prometheus.NewRegistry()
	m, err := mirror.New(cfg, log, reg)
	if err != nil {
		fmt.Fprintf(stderr, "kmm-mirror: configuration error: %v\n", err)
		return exitConfigError
	}
	if cfg.MetricsEnabled {
		stopMetrics, err := serveMetrics(cfg.MetricsAddress, reg, log)
		if err != nil {
			fmt.Fprintf(stderr, "kmm-mirror: configuration error: KAFKA_MIRRORMAKER_METRICS_ENABLED: %v\n", err)
			return exitConfigError
		}
		defer stopMetrics()
	}

	if addr, ok := lookup("KMM_MIRROR_PPROF_ADDRESS"); ok && addr != "" {
		if err := servePprof(addr, log); err != nil {
			fmt.Fprintf(stderr, "kmm-mirror: configuration error: KMM_MIRROR_PPROF_ADDRESS: %v\n", err)
			return exitConfigError
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-ctx.Done()
		// A second signal ends the process at once.
		stop()
	}()
	err = m.Run(ctx)
	if errors.Is(err, mirror.ErrAborted) {
		log.Error("Mirror maker thread exited abnormally, stopping the whole mirror maker.", "err", err)
		return exitAborted
	}
	if err != nil {
		log.Error("Mirror maker stopped", "err", err)
		return exitAborted
	}
	log.Info("Mirror maker stopped after flushing and committing")
	return exitOK
}

// serveMetrics serves the mirror's metrics, Go runtime and process metrics on /metrics, where
// Strimzi's image ran the JMX exporter (port 9404).
func serveMetrics(addr string, reg *prometheus.Registry, log *slog.Logger) (func(), error) {
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
	)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("Metrics server stopped", "err", err)
		}
	}()
	log.Info("Serving metrics", "address", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// servePprof serves Go's profiles (/debug/pprof/) for diagnosing memory and CPU use; off unless
// KMM_MIRROR_PPROF_ADDRESS is set (they reveal internals, so keep the address private).
func servePprof(addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("Serving profiles", "address", ln.Addr().String())
	return nil
}
