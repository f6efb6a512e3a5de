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

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// testEnv is a fake container: variables plus a KAFKA_HOME in a temporary directory.
type testEnv struct {
	t    *testing.T
	home string
	vars map[string]string
}

// newEnv returns the smallest environment the operator renders (§3.6): both bootstrap servers,
// the group and the include, with KAFKA_HOME pointing to an empty temporary directory.
func newEnv(t *testing.T) *testEnv {
	home := t.TempDir()
	return &testEnv{t: t, home: home, vars: map[string]string{
		"KAFKA_HOME": home,
		"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER": "127.0.0.1:1",
		"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER": "127.0.0.1:1",
		"KAFKA_MIRRORMAKER_GROUPID_CONSUMER":           "g",
		"KAFKA_MIRRORMAKER_INCLUDE":                    ".*",
		"KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER":     "",
		"KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER":     "",
		"KAFKA_MIRRORMAKER_METRICS_ENABLED":            "false",
		"STRIMZI_KAFKA_GC_LOG_ENABLED":                 "false",
		"STRIMZI_LIVENESS_PERIOD":                      "10",
		"STRIMZI_READINESS_PERIOD":                     "10",
	}}
}

func (e *testEnv) set(kv ...string) *testEnv {
	for i := 0; i < len(kv); i += 2 {
		e.vars[kv[i]] = kv[i+1]
	}
	return e
}

func (e *testEnv) unset(keys ...string) *testEnv {
	for _, k := range keys {
		delete(e.vars, k)
	}
	return e
}

// file writes content to <KAFKA_HOME>/rel and returns the full path.
func (e *testEnv) file(rel, content string) string {
	p := filepath.Join(e.home, rel)
	require.NoError(e.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(e.t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func (e *testEnv) lookup(k string) (string, bool) {
	v, ok := e.vars[k]
	return v, ok
}

func (e *testEnv) load() (*Config, error) { return Load(e.lookup) }

func (e *testEnv) mustLoad() *Config {
	c, err := e.load()
	require.NoError(e.t, err)
	return c
}

// loadErr loads and returns the *Error, failing the test when there is none.
func (e *testEnv) loadErr() *Error {
	_, err := e.load()
	require.Error(e.t, err)
	var ce *Error
	require.ErrorAs(e.t, err, &ce)
	return ce
}

// newClient builds a client from opts without using it; kgo connects lazily (a consumer fetches
// metadata in the background, which fails harmlessly against 127.0.0.1:1).
func newClient(t *testing.T, opts []kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(opts...)
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return cl
}

// notice returns the first notice about name, failing when there is none.
func notice(t *testing.T, c *Config, name string) Notice {
	t.Helper()
	for _, n := range c.Notices {
		if n.Name == name {
			return n
		}
	}
	require.Failf(t, "no notice", "no notice about %s in %v", name, c.Notices)
	return Notice{}
}

func hasNotice(c *Config, name string) bool {
	for _, n := range c.Notices {
		if n.Name == name {
			return true
		}
	}
	return false
}

// assertNoSecret fails when secret appears in any error, notice or summary of c/err.
func assertNoSecret(t *testing.T, c *Config, err error, secrets ...string) {
	t.Helper()
	var texts []string
	if err != nil {
		texts = append(texts, err.Error())
	}
	if c != nil {
		for _, n := range c.Notices {
			texts = append(texts, n.Name+" "+n.Message)
		}
		texts = append(texts, c.ConsumerSummary...)
		texts = append(texts, c.ProducerSummary...)
	}
	all := strings.Join(texts, "\n")
	for _, s := range secrets {
		assert.NotContains(t, all, s)
	}
}
