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

package mirror

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

// healthPeriod is STRIMZI_READINESS_PERIOD and STRIMZI_LIVENESS_PERIOD in the tests; the files
// are refreshed every half period.
const healthPeriod = 2 * time.Second

// TestHealthFiles follows the probes of the Deployment: the readiness file appears once the
// mirror is connected and joined (and `test -f` sees it), the liveness script succeeds by
// deleting the alive file, which the mirror re-creates within a liveness period, and the
// readiness file disappears once the target cluster is gone. MirrorMaker 1's agent sees the
// closed connections at its next check (half a readiness period); 30 s, fifteen periods, is the
// bound here. Metrics are enabled and served.
func TestHealthFiles(t *testing.T) {
	b := mirrorBinary(t)
	source := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "source"})
	target, err := mirrortest.NewCluster(mirrortest.ClusterConfig{Name: "target"})
	require.NoError(t, err)
	t.Cleanup(target.Close)
	topics, srcParts, tgtParts := topology(t, source, target, topicSpec{"h-topic", 3, 3})
	recs := produce(t, source, mirrortest.Generate(mirrortest.GenSpec{Prefix: "health", Topics: topics, Count: 500, SourcePartitions: srcParts}))

	inst := mirrortest.NewInstance(t, mirrortest.MirrorSpec{Source: source, Target: target, Group: "health", Include: "h-topic"})
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", mirrortest.FreePort(t))
	inst.Env = inst.Env.With("KAFKA_MIRRORMAKER_METRICS_ENABLED", "true").With("KMM_MIRROR_METRICS_ADDRESS", metricsAddr)
	m := startMirror(t, "mirror", inst)
	m.waitReady(t)
	waitDelivered(t, target, mirrortest.ReadAll, recs, tgtParts, topics, m)

	probeEnv := mirrortest.Env{"KMM_MIRROR_TMP_DIR": inst.TmpDir}
	run := func(path string, args ...string) mirrortest.Result {
		t.Helper()
		res, err := mirrortest.Run(context.Background(), 10*time.Second, path, probeEnv, args...)
		require.NoError(t, err)
		return res
	}
	assert.Equal(t, 0, run(b.Path, "test", "-f", inst.ReadyFile()).Code, "readiness probe (test -f) on a ready mirror")

	// The liveness probe deletes the file; the mirror must re-create it before the next probe,
	// which Kubernetes runs every period. Three rounds, alternating both command forms.
	for i := 0; i < 3; i++ {
		m.WaitForFile(inst.AliveFile(), true, healthPeriod)
		path, args := b.LiveLink, []string(nil)
		if i%2 == 1 {
			path, args = b.Path, []string{"liveness"}
		}
		before, err := os.Stat(inst.AliveFile())
		require.NoError(t, err)
		res := run(path, args...)
		require.Equal(t, 0, res.Code, "liveness probe %d: %+v", i, res)
		// The file may already be back, but then as a new file: same inode and same
		// modification time mean the probe did not delete it.
		if after, err := os.Stat(inst.AliveFile()); err == nil {
			require.False(t, os.SameFile(before, after) && before.ModTime().Equal(after.ModTime()),
				"liveness probe %d exited 0 but did not delete %s", i, inst.AliveFile())
		}
		took := m.WaitForFile(inst.AliveFile(), true, healthPeriod+500*time.Millisecond)
		t.Logf("alive file re-created %v after liveness probe %d", took.Round(time.Millisecond), i)
	}

	code, body := scrape(t, metricsAddr)
	assert.Equal(t, http.StatusOK, code)
	assert.NotEmpty(t, body)

	target.Close()
	took, err := mirrortest.WaitForFile(inst.ReadyFile(), false, 30*time.Second)
	m.AssertRunning()
	if err != nil {
		_, body := scrape(t, metricsAddr)
		t.Fatalf("ready file still there %v after the target cluster was closed: %v\nmetrics about connections and readiness:\n%s",
			took.Round(time.Millisecond), err, grepLines(body, "kmm_mirror_connection", "kmm_mirror_ready"))
	}
	t.Logf("ready file removed %v after the target cluster was closed", took.Round(time.Millisecond))
	assert.Equal(t, 1, run(b.Path, "test", "-f", inst.ReadyFile()).Code, "readiness probe (test -f) without a target")
	m.AssertRunning()
	m.stop(t)
}

// scrape GETs /metrics from the mirror's metrics listener.
func scrape(t *testing.T, addr string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err, "metrics endpoint")
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// grepLines keeps the lines of text that contain any of words.
func grepLines(text string, words ...string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		for _, w := range words {
			if strings.Contains(line, w) {
				out = append(out, line)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// TestLivenessCommand checks the probe commands themselves: exit 0 and delete the alive file if
// it exists, else exit 1; `test -f` is the POSIX test.
func TestLivenessCommand(t *testing.T) {
	b := mirrorBinary(t)
	dir := t.TempDir()
	env := mirrortest.Env{"KMM_MIRROR_TMP_DIR": dir}
	alive := filepath.Join(dir, "mirror-maker-alive")
	for _, form := range [][]string{{b.LiveLink}, {b.Path, "liveness"}} {
		require.NoError(t, os.WriteFile(alive, nil, 0o644))
		res, err := mirrortest.Run(context.Background(), 10*time.Second, form[0], env, form[1:]...)
		require.NoError(t, err)
		assert.Equal(t, 0, res.Code, "%v with the alive file: %+v", form, res)
		assert.NoFileExists(t, alive, "%v must delete the alive file", form)
		res, err = mirrortest.Run(context.Background(), 10*time.Second, form[0], env, form[1:]...)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Code, "%v without the alive file: %+v", form, res)
	}
	for file, want := range map[string]int{alive: 1, filepath.Join(dir, "present"): 0, dir: 1} {
		if strings.HasSuffix(file, "present") {
			require.NoError(t, os.WriteFile(file, nil, 0o644))
		}
		res, err := mirrortest.Run(context.Background(), 10*time.Second, b.Path, env, "test", "-f", file)
		require.NoError(t, err)
		assert.Equal(t, want, res.Code, "test -f %s: %+v", file, res)
	}
}

// TestConfigErrors checks that invalid configuration ends the mirror with exit code 1 and a
// message on stderr that names what is wrong, as a crash-looping pod's log must.
func TestConfigErrors(t *testing.T) {
	b := mirrorBinary(t)
	base := func(t *testing.T, sec mirrortest.Security) *mirrortest.Instance {
		// Real clusters, so that a mirror that does not detect the error would run (and time
		// out the test) rather than fail for another reason.
		source := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "source", Security: sec, Brokers: 1})
		target := mirrortest.StartCluster(t, mirrortest.ClusterConfig{Name: "target", Security: sec, Brokers: 1})
		return mirrortest.NewInstance(t, mirrortest.MirrorSpec{Source: source, Target: target, Group: "cfg", Include: ".*"})
	}
	cases := []struct {
		name    string
		sec     mirrortest.Security
		change  func(t *testing.T, inst *mirrortest.Instance)
		anyName []string // stderr must contain one of these
	}{
		{"numstreams", mirrortest.Plaintext, func(t *testing.T, inst *mirrortest.Instance) {
			inst.Env = inst.Env.With("KAFKA_MIRRORMAKER_NUMSTREAMS", "abc")
		}, []string{"KAFKA_MIRRORMAKER_NUMSTREAMS"}},
		{"commit-interval", mirrortest.Plaintext, func(t *testing.T, inst *mirrortest.Instance) {
			inst.Env = inst.Env.With("KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL", "1s")
		}, []string{"KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL"}},
		{"producer-property", mirrortest.Plaintext, func(t *testing.T, inst *mirrortest.Instance) {
			inst.Env = inst.Env.With("KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", "delivery.timeout.ms=soon\n")
		}, []string{"delivery.timeout.ms"}},
		{"password-file", mirrortest.SCRAM, func(t *testing.T, inst *mirrortest.Instance) {
			inst.Env = inst.Env.With("KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_CONSUMER", "no-such-secret/password")
		}, []string{"no-such-secret/password"}},
		{"trusted-certs", mirrortest.MTLS, func(t *testing.T, inst *mirrortest.Instance) {
			inst.Env = inst.Env.With("KAFKA_MIRRORMAKER_TRUSTED_CERTS_PRODUCER", "no-such-secret/ca.crt")
		}, []string{"no-such-secret/ca.crt", "KAFKA_MIRRORMAKER_TRUSTED_CERTS_PRODUCER"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inst := base(t, tc.sec)
			tc.change(t, inst)
			p := mirrortest.Start(t, "mirror", b.Path, inst.Env, "run")
			p.MustExit(1, 30*time.Second)
			stderr := p.Stderr()
			found := false
			for _, s := range tc.anyName {
				found = found || strings.Contains(stderr, s)
			}
			assert.True(t, found, "stderr must name one of %q; it is:\n%s", tc.anyName, stderr)
			assert.NoFileExists(t, filepath.Join(inst.TmpDir, "mirror-maker-ready"))
		})
	}
}
