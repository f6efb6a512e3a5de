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

package mirrortest

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// Env is a set of environment variables for the mirror process.
type Env map[string]string

// Merge returns a copy of e with the variables of others added; later values win.
func (e Env) Merge(others ...Env) Env {
	out := Env{}
	for k, v := range e {
		out[k] = v
	}
	for _, o := range others {
		for k, v := range o {
			out[k] = v
		}
	}
	return out
}

// With returns a copy of e with k set to v.
func (e Env) With(k, v string) Env { return e.Merge(Env{k: v}) }

// Without returns a copy of e without the given variables.
func (e Env) Without(keys ...string) Env {
	out := e.Merge()
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// List is the process environment: only PATH and HOME from the test's own environment plus e,
// so that nothing the developer happens to have set leaks into the mirror's configuration.
func (e Env) List() []string {
	all := Env{"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")}.Merge(e)
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+all[k])
	}
	return out
}

// MirrorSpec is what a test chooses about a mirror; everything else gets the defaults of
// MirrorEnv.
type MirrorSpec struct {
	// Source and Target render the connection variables of each side; a nil cluster leaves
	// them to the test (e.g. a target address nobody listens on yet).
	Source, Target *Cluster
	Group          string
	Include        string
	// ConsumerConfig and ProducerConfig are KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER/_PRODUCER
	// (Java properties text). An empty ConsumerConfig means "auto.offset.reset=earliest",
	// because MirrorMaker 1's default (latest) would skip records produced before the start.
	ConsumerConfig string
	ProducerConfig string
}

// Instance holds the per-process directories of one mirror: KAFKA_HOME with the mounted files
// and the directory of the ready and alive files (each process needs its own, as each pod has
// its own /tmp).
type Instance struct {
	Home   *Home
	TmpDir string
	Env    Env
}

// ReadyFile is where the mirror signals readiness.
func (i *Instance) ReadyFile() string { return filepath.Join(i.TmpDir, "mirror-maker-ready") }

// AliveFile is where the mirror signals liveness.
func (i *Instance) AliveFile() string { return filepath.Join(i.TmpDir, "mirror-maker-alive") }

// NewInstance lays out a pod-like home and tmp directory and renders the environment the
// operator would give the container for spec: both clusters' connection and security variables,
// group, include, one stream, a 1 s commit interval and 2 s health periods (so tests are quick),
// abort on send failure, metrics off.
func NewInstance(t testing.TB, spec MirrorSpec) *Instance {
	t.Helper()
	inst := &Instance{Home: NewHome(t), TmpDir: t.TempDir()}
	consumerCfg := spec.ConsumerConfig
	if consumerCfg == "" {
		consumerCfg = "auto.offset.reset=earliest\n"
	}
	inst.Env = Env{
		"KAFKA_HOME":                               inst.Home.Dir,
		"KMM_MIRROR_TMP_DIR":                       inst.TmpDir,
		"KAFKA_MIRRORMAKER_GROUPID_CONSUMER":       spec.Group,
		"KAFKA_MIRRORMAKER_INCLUDE":                spec.Include,
		"KAFKA_MIRRORMAKER_NUMSTREAMS":             "1",
		"KAFKA_MIRRORMAKER_OFFSET_COMMIT_INTERVAL": "1000",
		"KAFKA_MIRRORMAKER_ABORT_ON_SEND_FAILURE":  "true",
		"KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER": consumerCfg,
		"KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER": spec.ProducerConfig,
		"KAFKA_MIRRORMAKER_METRICS_ENABLED":        "false",
		"STRIMZI_READINESS_PERIOD":                 "2",
		"STRIMZI_LIVENESS_PERIOD":                  "2",
	}
	if spec.Source != nil {
		inst.Env = inst.Env.Merge(spec.Source.MirrorEnv(t, inst.Home, Consumer))
	}
	if spec.Target != nil {
		inst.Env = inst.Env.Merge(spec.Target.MirrorEnv(t, inst.Home, Producer))
	}
	return inst
}
