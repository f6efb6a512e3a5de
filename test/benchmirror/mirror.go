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

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const (
	// groupPrefix names the consumer groups: <prefix>-<round>, a new one for every throughput
	// round, so that each starts from the beginning of the topic.
	groupPrefix = "kmm-bench-mirror"
	// defaultCommitIntervalMs is MirrorMaker 1's offset.commit.interval.ms, which kmm-mirror
	// keeps when KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL is unset, as it is here.
	defaultCommitIntervalMs = 60000
	// quickSessionTimeoutMs lets the mirror restarted after a SIGKILL join without waiting out the
	// killed member's 45 s session (kfake's minimum is 6 s); quick mode only.
	quickSessionTimeoutMs = 6000
)

// prepareBinary builds ./cmd/kmm-mirror the way the image does, unless BENCH_MIRROR_BINARY names
// one.
func (b *bench) prepareBinary(ctx context.Context) error {
	if b.cfg.binary != "" {
		b.binary = b.cfg.binary
		if _, err := os.Stat(b.binary); err != nil {
			return fmt.Errorf("BENCH_MIRROR_BINARY: %w", err)
		}
		logf("using %s", b.binary)
		return nil
	}
	b.binary = filepath.Join(b.work, "kmm-mirror")
	logf("building ./cmd/kmm-mirror")
	build := exec.CommandContext(ctx, "go", "build", "-mod=vendor", "-trimpath", "-o", b.binary, "./cmd/kmm-mirror")
	build.Dir = b.root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building ./cmd/kmm-mirror: %w", err)
	}
	return nil
}

// mirror is one kmm-mirror process and its private tmp directory (the ready and alive files).
type mirror struct {
	*child
	tmp string
}

// consumerConfig is the KafkaMirrorMaker spec.consumer.config the benchmark gives every mirror:
// MirrorMaker 1 starts a new group at the log end (auto.offset.reset=latest), which would mirror
// nothing of the pre-loaded topic.
func (b *bench) consumerConfig() string {
	c := "auto.offset.reset=earliest\n"
	if b.cfg.quick {
		c += fmt.Sprintf("session.timeout.ms=%d\n", quickSessionTimeoutMs)
	}
	return c + extraConfig("BENCH_MIRROR_CONSUMER_CONFIG")
}

// extraConfig is the properties text a user adds to the mirror's configuration through name
// (BENCH_MIRROR_CONSUMER_CONFIG, BENCH_MIRROR_PRODUCER_CONFIG), one property per line or
// separated by ';', to measure a setting.
func extraConfig(name string) string {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return ""
	}
	return strings.ReplaceAll(v, ";", "\n") + "\n"
}

// startMirror runs `kmm-mirror run` configured by environment only, as Strimzi's Deployment does:
// one stream, the source topic, the default commit interval, a 1 s readiness period; output to
// .local/bench/<name>.log.
func (b *bench) startMirror(name string) (*mirror, error) {
	tmp := filepath.Join(b.work, name+"-tmp")
	home := filepath.Join(b.work, name+"-kafka-home")
	for _, d := range []string{tmp, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	env := []string{
		"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER=" + strings.Join(b.kafka.srcAddrs, ","),
		"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER=" + strings.Join(b.kafka.dstAddrs, ","),
		"KAFKA_MIRRORMAKER_GROUPID_CONSUMER=" + b.group,
		"KAFKA_MIRRORMAKER_INCLUDE=" + topic,
		"KAFKA_MIRRORMAKER_NUMSTREAMS=1",
		"KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER=" + b.consumerConfig(),
		"KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER=" + extraConfig("BENCH_MIRROR_PRODUCER_CONFIG"),
		"KMM_MIRROR_TMP_DIR=" + tmp,
		// The ready file is checked every half period: 0.5 s instead of the default 5 s, so
		// that the benchmark sees the mirror join its group when it does.
		"STRIMZI_READINESS_PERIOD=1",
		"KAFKA_HOME=" + home,
	}
	// KMM_MIRROR_PPROF_ADDRESS, KMM_MIRROR_METRICS_ADDRESS and KAFKA_MIRRORMAKER_METRICS_ENABLED
	// pass through, to profile or scrape the mirror while it is measured.
	for _, k := range []string{"KMM_MIRROR_PPROF_ADDRESS", "KMM_MIRROR_METRICS_ADDRESS", "KAFKA_MIRRORMAKER_METRICS_ENABLED"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	// BENCH_MIRROR_GOMEMLIMIT is the mirror's GOMEMLIMIT alone (GOMEMLIMIT applies to the limit
	// loop as well).
	if v, ok := os.LookupEnv("BENCH_MIRROR_GOMEMLIMIT"); ok {
		env = append(env, "GOMEMLIMIT="+v)
	}
	logPath := filepath.Join(b.outDir, name+".log")
	_ = os.Remove(logPath)
	c, err := b.startChild(name, logPath, b.binary, env, "run")
	if err != nil {
		return nil, err
	}
	return &mirror{child: c, tmp: tmp}, nil
}

// ready reports whether the mirror has written its ready file (connected and joined).
func (m *mirror) ready() bool {
	_, err := os.Stat(filepath.Join(m.tmp, "mirror-maker-ready"))
	return err == nil
}

// waitReady waits at most timeout for the ready file and returns when it appeared.
func (m *mirror) waitReady(ctx context.Context, timeout time.Duration) (time.Time, error) {
	var at time.Time
	err := poll(ctx, timeout, 20*time.Millisecond, m.name+" to write "+filepath.Join(m.tmp, "mirror-maker-ready"), func() (bool, string, error) {
		if err := m.alive(); err != nil {
			return false, "", err
		}
		at = time.Now()
		return m.ready(), "", nil
	})
	return at, err
}

// stopMirror ends a mirror as Kubernetes does (SIGTERM) and reports a slow or failed exit.
func (b *bench) stopMirror(m *mirror) error {
	code, took, err := m.stop(syscall.SIGTERM, 30*time.Second)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("%s exited with code %d after SIGTERM (log: %s)", m.name, code, m.logPath)
	}
	logf("%s exited 0, %.2f s after SIGTERM", m.name, took.Seconds())
	return nil
}
