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

// Command benchmirror measures kmm-mirror, the Go replacement for MirrorMaker 1, between two
// in-process kfake clusters: throughput against "the limit" (a bare franz-go consume-and-produce
// loop), its memory at that throughput, end-to-end latency at a fixed rate, and the records
// duplicated by a SIGKILL and restart at the default offset commit interval, in one run. See
// docs/benchmarks.md.
//
//	go run ./test/benchmirror                       # 1,000,000 records of 1 KiB
//	BENCH_MIRROR_QUICK=1 go run ./test/benchmirror  # quick mode (make test)
//
// Environment: BENCH_MIRROR_N (records of the throughput run, default 1000000, quick 20000),
// BENCH_MIRROR_ROUNDS (throughput rounds of each copier, alternating, the best one counts; default
// 3, quick 2), BENCH_MIRROR_LATENCY_SECONDS (length of the latency run, default 20, quick 3),
// BENCH_MIRROR_KILL (0 or false skips the SIGKILL run; on by default), BENCH_MIRROR_QUICK (the quick
// defaults above, a 2 s instead of 10 s stream before the SIGKILL and session.timeout.ms=6000 so
// the restarted mirror need not wait 45 s for the killed member to expire), BENCH_MIRROR_BINARY (a
// prebuilt kmm-mirror instead of building ./cmd/kmm-mirror), BENCH_MIRROR_TIMEOUT (whole run,
// default 5m + 1 ms per record), BENCH_MIRROR_CONSUMER_CONFIG and BENCH_MIRROR_PRODUCER_CONFIG
// (properties added to the mirror's configuration, separated by ';'). GOGC and GOMEMLIMIT, when set, are passed to the mirror and to
// the limit loop.
//
// Results go to stdout as a table and to .local/bench/mirror-results.json; the output of the
// mirrors to .local/bench/mirror-{a<round>,b,c}.log, of the limit loop to limit-<round>.log. Figures are reported, never
// asserted: the exit code says only whether every measurement completed.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kmm-operator/kmm-operator/pkg/operator/clustertest"
)

// config is the run's size, from the environment.
type config struct {
	n              int
	rounds         int
	latencySeconds int
	killStream     time.Duration // stream length before the SIGKILL
	kill           bool
	quick          bool
	binary         string // prebuilt kmm-mirror, or "" to build one
	timeout        time.Duration
}

// bench is the state of one run.
type bench struct {
	cfg    config
	root   string
	outDir string
	work   string // private scratch directory: the binary, the mirror's tmp and KAFKA_HOME dirs
	binary string
	kafka  *clusters
	group  string // consumer group of the mirror the later phases continue from
	procs  []*child

	res   results
	notes []string
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == limitCommand {
		if err := runLimit(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "benchmirror limit: FAILED:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchmirror: FAILED:", err)
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

func envBool(name string, def bool) (bool, error) {
	switch strings.ToLower(os.Getenv(name)) {
	case "":
		return def, nil
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%s=%q: want true or false", name, os.Getenv(name))
}

func loadConfig() (config, error) {
	var c config
	var err error
	if c.quick, err = envBool("BENCH_MIRROR_QUICK", false); err != nil {
		return c, err
	}
	n, rounds, latency, stream := 1000000, 3, 20, 10
	if c.quick {
		n, rounds, latency, stream = 20000, 2, 3, 2
	}
	if c.n, err = envInt("BENCH_MIRROR_N", n); err != nil {
		return c, err
	}
	if c.rounds, err = envInt("BENCH_MIRROR_ROUNDS", rounds); err != nil {
		return c, err
	}
	if c.latencySeconds, err = envInt("BENCH_MIRROR_LATENCY_SECONDS", latency); err != nil {
		return c, err
	}
	c.killStream = time.Duration(stream) * time.Second
	if c.kill, err = envBool("BENCH_MIRROR_KILL", true); err != nil {
		return c, err
	}
	c.binary = os.Getenv("BENCH_MIRROR_BINARY")
	c.timeout = 5*time.Minute + time.Duration(c.n)*time.Millisecond
	if v := os.Getenv("BENCH_MIRROR_TIMEOUT"); v != "" {
		if c.timeout, err = time.ParseDuration(v); err != nil {
			return c, fmt.Errorf("BENCH_MIRROR_TIMEOUT: %w", err)
		}
	}
	return c, nil
}

func run() error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	b := &bench{cfg: cfg}
	if b.root, err = clustertest.RepoRoot(); err != nil {
		return err
	}
	b.outDir = filepath.Join(b.root, ".local/bench")
	if err := os.MkdirAll(b.outDir, 0o755); err != nil {
		return err
	}
	resultsPath := filepath.Join(b.outDir, "mirror-results.json")
	_ = os.Remove(resultsPath)
	if b.work, err = os.MkdirTemp("", "kmm-benchmirror-"); err != nil {
		return err
	}
	defer os.RemoveAll(b.work)

	// SIGINT/SIGTERM end the run through the same clean-up as a failure.
	sigCtx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(sigCtx, cfg.timeout)
	defer cancel()
	start := time.Now()
	logf("N=%d records of %d bytes over %d partitions, %d throughput rounds, latency run %d s at %d records/s, SIGKILL run %v; whole run bounded by %s",
		cfg.n, recordBytes, partitions, cfg.rounds, cfg.latencySeconds, latencyRate, cfg.kill, cfg.timeout)
	b.res.Load1Start = loadAverage()

	if err := b.prepareBinary(ctx); err != nil {
		return err
	}
	if b.kafka, err = startClusters(); err != nil {
		return err
	}
	// Deferred after the clusters, so it runs first: the processes go before their brokers.
	defer b.kafka.close()
	defer b.cleanup()

	runErr := b.measure(ctx)
	if runErr == nil {
		b.res.Load1End = loadAverage()
		b.res.print(os.Stdout, b)
		if err := b.res.write(resultsPath); err != nil {
			return err
		}
		logf("wrote %s; whole run took %s; this process (kfake included) peaked at %.0f MiB RSS",
			resultsPath, time.Since(start).Round(time.Second), selfPeakMiB())
	}
	if errors.Is(runErr, context.DeadlineExceeded) && sigCtx.Err() == nil {
		runErr = fmt.Errorf("%w (whole run bounded by BENCH_MIRROR_TIMEOUT=%s)", runErr, cfg.timeout)
	}
	return runErr
}

// measure runs the phases in order; each leaves the clusters as the next one expects.
func (b *bench) measure(ctx context.Context) error {
	b.res.N, b.res.RecordBytes, b.res.Partitions, b.res.Nproc = b.cfg.n, recordBytes, partitions, runtime.NumCPU()
	if err := b.preload(ctx); err != nil {
		return fmt.Errorf("pre-loading the source: %w", err)
	}
	m, err := b.throughput(ctx)
	if err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	if err := b.latency(ctx, m); err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	if !b.cfg.kill {
		r := &b.res
		r.DuplicatesAfterKill, r.KillRecordsTotal, r.KillLostRecords, r.KillCopiedBeforeKill, r.DuplicatesAfterSigterm = -1, -1, -1, -1, -1
		b.notes = append(b.notes, "BENCH_MIRROR_KILL is off: the counts of the SIGKILL run are -1 (not measured)")
		return b.stopMirror(m)
	}
	if err := b.killRestart(ctx, m); err != nil {
		return fmt.Errorf("SIGKILL and restart: %w", err)
	}
	return nil
}

// cleanup stops every process the run started that is still running.
func (b *bench) cleanup() {
	for _, p := range b.procs {
		if _, _, err := p.stop(syscall.SIGTERM, 15*time.Second); err != nil {
			logf("cleanup: %v", err)
		}
	}
}

// selfPeakMiB is the benchmark process's VmHWM: the kfake clusters hold every record in memory.
func selfPeakMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v / 1024
		}
	}
	return 0
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchmirror %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// poll checks cond every interval for at most timeout; on timeout the error names what and, when
// cond gave one, the last reason it was not yet true. cond's error ends the poll at once.
func poll(ctx context.Context, timeout, interval time.Duration, what string, cond func() (done bool, why string, err error)) error {
	deadline := time.Now().Add(timeout)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		done, why, err := cond()
		if err != nil || done {
			return err
		}
		if time.Now().After(deadline) {
			if why != "" {
				return fmt.Errorf("timed out after %s waiting for %s (%s)", timeout, what, why)
			}
			return fmt.Errorf("timed out after %s waiting for %s", timeout, what)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
}
