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
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestDispatchByName(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "mirror-maker-ready")
	require.NoError(t, os.WriteFile(ready, nil, 0o644))
	vars := env(map[string]string{"KMM_MIRROR_TMP_DIR": dir})

	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"/usr/local/bin/test", "-f", ready}, 0},
		{[]string{"test", "-f", filepath.Join(dir, "missing")}, 1},
		{[]string{"[", "-f", ready, "]"}, 0},
		{[]string{"/opt/kafka/kmm-mirror", "test", "-f", ready}, 0},
		// The liveness script: no alive file yet.
		{[]string{"/opt/kafka/kafka_mirror_maker_liveness.sh"}, 1},
		{[]string{"kmm-mirror", "liveness"}, 1},
		{[]string{"kmm-mirror", "version"}, 0},
		{[]string{"kmm-mirror", "help"}, 0},
		{[]string{"kmm-mirror"}, exitUsage},
		{[]string{"kmm-mirror", "mirror"}, exitUsage},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, tc.want, dispatch(tc.args, &stdout, &stderr, vars), "%q: %s", tc.args, stderr.String())
	}

	require.NoError(t, os.WriteFile(filepath.Join(dir, "mirror-maker-alive"), nil, 0o644))
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 0, dispatch([]string{"/opt/kafka/kafka_mirror_maker_liveness.sh"}, &stdout, &stderr, vars))
	assert.NoFileExists(t, filepath.Join(dir, "mirror-maker-alive"))
}

// A configuration error exits 1 with a message naming the variable, before any connection.
func TestRunConfigurationError(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{
			"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER": "127.0.0.1:1",
			"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER": "127.0.0.1:1",
			"KAFKA_MIRRORMAKER_GROUPID_CONSUMER":           "g",
			"KAFKA_MIRRORMAKER_INCLUDE":                    ".*",
			"KAFKA_MIRRORMAKER_NUMSTREAMS":                 "abc",
		}, "KAFKA_MIRRORMAKER_NUMSTREAMS"},
		{map[string]string{
			"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER": "127.0.0.1:1",
			"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER": "127.0.0.1:1",
			"KAFKA_MIRRORMAKER_GROUPID_CONSUMER":           "g",
			"KAFKA_MIRRORMAKER_INCLUDE":                    "",
		}, "KAFKA_MIRRORMAKER_INCLUDE"},
	} {
		tc.vars["KAFKA_HOME"] = t.TempDir()
		tc.vars["KMM_MIRROR_TMP_DIR"] = t.TempDir()
		var stdout, stderr bytes.Buffer
		assert.Equal(t, exitConfigError, dispatch([]string{"/opt/kafka/kafka_mirror_maker_run.sh"}, &stdout, &stderr, env(tc.vars)))
		assert.Contains(t, stderr.String(), tc.want)
	}
}
