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

package operator

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/kmm-operator/kmm-operator/pkg/model"
)

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := ParseConfig(nil, envMap(nil))
	require.NoError(t, err)
	require.True(t, cfg.WatchesAllNamespaces())
	require.Nil(t, cfg.Namespaces)
	require.True(t, cfg.Selector.Empty())
	require.Equal(t, float32(DefaultQPS), cfg.QPS)
	require.Equal(t, DefaultBurst, cfg.Burst)
	require.Equal(t, 120*time.Second, cfg.FullReconciliationInterval)
	require.Equal(t, 300*time.Second, cfg.OperationTimeout)
	require.Equal(t, DefaultWorkers, cfg.Workers)
	require.Equal(t, "kmm-operator", cfg.FieldManager)
	require.True(t, cfg.DeprecationWarning)
	require.Equal(t, model.DefaultSettings().Images, cfg.Settings.Images)
	require.Equal(t, LeaderElectionConfig{
		LeaseName: "kmm-operator", LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second,
		WarmStandby: true,
	}, cfg.LeaderElection)
	require.Equal(t, ":8080", cfg.HTTPAddress)
	require.False(t, cfg.EnablePprof)
	require.Equal(t, "text", cfg.LogFormat)
	require.Equal(t, 0, cfg.Verbosity)
	require.Equal(t, 10*time.Second, cfg.ShutdownTimeout)
}

// TestParseConfigValid covers every Strimzi variable the operator accepts, and the flag of each
// setting, with a valid value.
func TestParseConfigValid(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"STRIMZI_NAMESPACE one", nil, map[string]string{"STRIMZI_NAMESPACE": "kafka"},
			func(t *testing.T, c Config) { require.Equal(t, []string{"kafka"}, c.Namespaces) }},
		{"STRIMZI_NAMESPACE list with spaces and duplicates", nil, map[string]string{"STRIMZI_NAMESPACE": " b, a ,b"},
			func(t *testing.T, c Config) { require.Equal(t, []string{"a", "b"}, c.Namespaces) }},
		{"STRIMZI_NAMESPACE all", nil, map[string]string{"STRIMZI_NAMESPACE": "*"},
			func(t *testing.T, c Config) { require.True(t, c.WatchesAllNamespaces()) }},
		{"--watch-namespaces wins over STRIMZI_NAMESPACE", []string{"--watch-namespaces=x"}, map[string]string{"STRIMZI_NAMESPACE": "y"},
			func(t *testing.T, c Config) { require.Equal(t, []string{"x"}, c.Namespaces) }},
		{"STRIMZI_FULL_RECONCILIATION_INTERVAL_MS", nil, map[string]string{"STRIMZI_FULL_RECONCILIATION_INTERVAL_MS": "60000"},
			func(t *testing.T, c Config) { require.Equal(t, time.Minute, c.FullReconciliationInterval) }},
		{"--full-reconciliation-interval as a duration", []string{"--full-reconciliation-interval", "5m"}, nil,
			func(t *testing.T, c Config) { require.Equal(t, 5*time.Minute, c.FullReconciliationInterval) }},
		{"STRIMZI_OPERATION_TIMEOUT_MS", nil, map[string]string{"STRIMZI_OPERATION_TIMEOUT_MS": "1500"},
			func(t *testing.T, c Config) { require.Equal(t, 1500*time.Millisecond, c.OperationTimeout) }},
		{"--operation-timeout", []string{"-operation-timeout=90s"}, nil,
			func(t *testing.T, c Config) { require.Equal(t, 90*time.Second, c.OperationTimeout) }},
		{"STRIMZI_CUSTOM_RESOURCE_SELECTOR", nil, map[string]string{"STRIMZI_CUSTOM_RESOURCE_SELECTOR": "env=prod,team=a"},
			func(t *testing.T, c Config) { require.Equal(t, "env=prod,team=a", c.Selector.String()) }},
		{"--custom-resource-selector", []string{"--custom-resource-selector=shard in (1,2)"}, nil,
			func(t *testing.T, c Config) { require.Equal(t, "shard in (1,2)", c.Selector.String()) }},
		{"STRIMZI_KAFKA_MIRROR_MAKER_IMAGES", nil, map[string]string{"STRIMZI_KAFKA_MIRROR_MAKER_IMAGES": "3.9.2=reg/kafka:a\n3.8.0=reg/kafka:b"},
			func(t *testing.T, c Config) {
				require.Equal(t, map[string]string{"3.9.2": "reg/kafka:a", "3.8.0": "reg/kafka:b"}, c.Settings.Images)
			}},
		{"--kafka-mirror-maker-images wins", []string{"--kafka-mirror-maker-images=3.9.2=flag/kafka:1"}, map[string]string{"STRIMZI_KAFKA_MIRROR_MAKER_IMAGES": "3.9.2=env/kafka:1"},
			func(t *testing.T, c Config) {
				require.Equal(t, map[string]string{"3.9.2": "flag/kafka:1"}, c.Settings.Images)
			}},
		{"STRIMZI_IMAGE_PULL_POLICY", nil, map[string]string{"STRIMZI_IMAGE_PULL_POLICY": "Never"},
			func(t *testing.T, c Config) { require.Equal(t, corev1.PullNever, c.Settings.ImagePullPolicy) }},
		{"--image-pull-policy", []string{"--image-pull-policy=Always"}, map[string]string{"STRIMZI_IMAGE_PULL_POLICY": "Never"},
			func(t *testing.T, c Config) { require.Equal(t, corev1.PullAlways, c.Settings.ImagePullPolicy) }},
		{"STRIMZI_IMAGE_PULL_SECRETS", nil, map[string]string{"STRIMZI_IMAGE_PULL_SECRETS": "a, b"},
			func(t *testing.T, c Config) {
				require.Equal(t, []corev1.LocalObjectReference{{Name: "a"}, {Name: "b"}}, c.Settings.ImagePullSecrets)
			}},
		{"STRIMZI_LABELS_EXCLUSION_PATTERN", nil, map[string]string{"STRIMZI_LABELS_EXCLUSION_PATTERN": "^secret.*"},
			func(t *testing.T, c Config) {
				require.True(t, c.Settings.LabelsExclusion.Matches("secret-label"))
				require.False(t, c.Settings.LabelsExclusion.Matches("app.kubernetes.io/name"))
			}},
		{"STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS", nil, map[string]string{"STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS": "a=1,b=2"},
			func(t *testing.T, c Config) {
				require.Equal(t, map[string]string{"a": "1", "b": "2"}, c.Settings.CustomPodLabels)
			}},
		{"STRIMZI_POD_SECURITY_PROVIDER_CLASS class name", nil, map[string]string{"STRIMZI_POD_SECURITY_PROVIDER_CLASS": "io.strimzi.plugin.security.profiles.impl.RestrictedPodSecurityProvider"},
			func(t *testing.T, c Config) {
				require.Equal(t, model.SecurityProfileRestricted, c.Settings.SecurityProfile)
			}},
		{"--pod-security-provider-class", []string{"--pod-security-provider-class=restricted"}, nil,
			func(t *testing.T, c Config) {
				require.Equal(t, model.SecurityProfileRestricted, c.Settings.SecurityProfile)
			}},
		{"proxies are copied", nil, map[string]string{"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "10.0.0.1"},
			func(t *testing.T, c Config) {
				require.Equal(t, []corev1.EnvVar{{Name: "HTTPS_PROXY", Value: "http://proxy:3128"}, {Name: "NO_PROXY", Value: "10.0.0.1"}}, c.Settings.ProxyEnv)
			}},
		{"--openshift", []string{"--openshift"}, nil,
			func(t *testing.T, c Config) { require.True(t, c.Settings.OpenShift) }},
		{"leader election variables", nil, map[string]string{
			"STRIMZI_LEADER_ELECTION_ENABLED":           "TRUE",
			"STRIMZI_LEADER_ELECTION_LEASE_NAME":        "my-lease",
			"STRIMZI_LEADER_ELECTION_LEASE_NAMESPACE":   "ops",
			"STRIMZI_LEADER_ELECTION_IDENTITY":          "pod-0",
			"STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS": "30000",
			"STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS": "20000",
			"STRIMZI_LEADER_ELECTION_RETRY_PERIOD_MS":   "5000",
		}, func(t *testing.T, c Config) {
			require.Equal(t, LeaderElectionConfig{Enabled: true, LeaseName: "my-lease", LeaseNamespace: "ops", Identity: "pod-0",
				LeaseDuration: 30 * time.Second, RenewDeadline: 20 * time.Second, RetryPeriod: 5 * time.Second, WarmStandby: true}, c.LeaderElection)
		}},
		{"leader election flags", []string{"--leader-elect", "--leader-election-lease-name=l", "--leader-election-lease-namespace=n",
			"--leader-election-identity=i", "--leader-election-lease-duration=6s", "--leader-election-renew-deadline=4s", "--leader-election-retry-period=1s"},
			map[string]string{"STRIMZI_LEADER_ELECTION_ENABLED": "false"},
			func(t *testing.T, c Config) {
				require.Equal(t, LeaderElectionConfig{Enabled: true, LeaseName: "l", LeaseNamespace: "n", Identity: "i",
					LeaseDuration: 6 * time.Second, RenewDeadline: 4 * time.Second, RetryPeriod: time.Second, WarmStandby: true}, c.LeaderElection)
			}},
		{"cold standby", nil, map[string]string{"KMM_LEADER_ELECTION_WARM_STANDBY": "false"},
			func(t *testing.T, c Config) { require.False(t, c.LeaderElection.WarmStandby) }},
		{"--leader-elect=false wins over the variable", []string{"--leader-elect=false"}, map[string]string{"STRIMZI_LEADER_ELECTION_ENABLED": "true"},
			func(t *testing.T, c Config) { require.False(t, c.LeaderElection.Enabled) }},
		{"connection", []string{"--kubeconfig=/k", "--context=c", "--kube-api-qps=-1", "--kube-api-burst=7", "--api-check-timeout=3s"}, nil,
			func(t *testing.T, c Config) {
				require.Equal(t, "/k", c.Kubeconfig)
				require.Equal(t, "c", c.Context)
				require.Equal(t, float32(-1), c.QPS)
				require.Equal(t, 7, c.Burst)
				require.Equal(t, 3*time.Second, c.APICheckTimeout)
			}},
		{"KUBECONFIG path list", nil, map[string]string{"KUBECONFIG": "/a:/b"},
			func(t *testing.T, c Config) {
				require.Equal(t, "/a:/b", c.KubeconfigEnv)
				require.Empty(t, c.Kubeconfig)
			}},
		{"KMM variables", nil, map[string]string{"KMM_WORKERS": "8", "KMM_KUBE_API_QPS": "50.5", "KMM_KUBE_API_BURST": "60",
			"KMM_HTTP_ADDRESS": "127.0.0.1:9090", "KMM_ENABLE_PPROF": "true", "KMM_LOG_FORMAT": "JSON", "KMM_LOG_VERBOSITY": "4",
			"KMM_SHUTDOWN_TIMEOUT": "3s", "KMM_DEPRECATION_WARNING": "false", "KMM_FIELD_MANAGER": "fm", "KMM_API_CHECK_TIMEOUT": "5000",
			"KMM_KUBECONFIG_CONTEXT": "ctx", "KMM_OPENSHIFT": "true"},
			func(t *testing.T, c Config) {
				require.Equal(t, 8, c.Workers)
				require.Equal(t, float32(50.5), c.QPS)
				require.Equal(t, 60, c.Burst)
				require.Equal(t, "127.0.0.1:9090", c.HTTPAddress)
				require.True(t, c.EnablePprof)
				require.Equal(t, "json", c.LogFormat)
				require.Equal(t, 4, c.Verbosity)
				require.Equal(t, 3*time.Second, c.ShutdownTimeout)
				require.False(t, c.DeprecationWarning)
				require.Equal(t, "fm", c.FieldManager)
				require.Equal(t, 5*time.Second, c.APICheckTimeout)
				require.Equal(t, "ctx", c.Context)
				require.True(t, c.Settings.OpenShift)
			}},
		{"an empty variable counts as unset", nil, map[string]string{"STRIMZI_NAMESPACE": " ", "STRIMZI_OPERATION_TIMEOUT_MS": ""},
			func(t *testing.T, c Config) {
				require.True(t, c.WatchesAllNamespaces())
				require.Equal(t, 300*time.Second, c.OperationTimeout)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig(tc.args, envMap(tc.env))
			require.NoError(t, err)
			tc.check(t, cfg)
		})
	}
}

// TestParseConfigInvalid checks that every bad value is reported with the flag or variable
// that carried it and the value itself.
func TestParseConfigInvalid(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // substrings of the error
	}{
		{"STRIMZI_NAMESPACE bad name", nil, map[string]string{"STRIMZI_NAMESPACE": "Kafka_NS"}, []string{"STRIMZI_NAMESPACE", `"Kafka_NS"`}},
		{"STRIMZI_NAMESPACE * and names", nil, map[string]string{"STRIMZI_NAMESPACE": "*,a"}, []string{"STRIMZI_NAMESPACE", `"*,a"`, "cannot be combined"}},
		{"STRIMZI_NAMESPACE empty item", nil, map[string]string{"STRIMZI_NAMESPACE": "a,,b"}, []string{"STRIMZI_NAMESPACE", "empty namespace"}},
		{"--watch-namespaces bad name", []string{"--watch-namespaces=a/b"}, nil, []string{"--watch-namespaces", `"a/b"`}},
		{"STRIMZI_FULL_RECONCILIATION_INTERVAL_MS text", nil, map[string]string{"STRIMZI_FULL_RECONCILIATION_INTERVAL_MS": "often"}, []string{"STRIMZI_FULL_RECONCILIATION_INTERVAL_MS", `"often"`}},
		{"STRIMZI_FULL_RECONCILIATION_INTERVAL_MS zero", nil, map[string]string{"STRIMZI_FULL_RECONCILIATION_INTERVAL_MS": "0"}, []string{"STRIMZI_FULL_RECONCILIATION_INTERVAL_MS", "greater than zero"}},
		{"STRIMZI_OPERATION_TIMEOUT_MS negative", nil, map[string]string{"STRIMZI_OPERATION_TIMEOUT_MS": "-5"}, []string{"STRIMZI_OPERATION_TIMEOUT_MS", `"-5"`}},
		{"--operation-timeout text", []string{"--operation-timeout=soon"}, nil, []string{"--operation-timeout", `"soon"`}},
		{"STRIMZI_CUSTOM_RESOURCE_SELECTOR", nil, map[string]string{"STRIMZI_CUSTOM_RESOURCE_SELECTOR": "a=b=c"}, []string{"STRIMZI_CUSTOM_RESOURCE_SELECTOR", `"a=b=c"`}},
		{"STRIMZI_KAFKA_MIRROR_MAKER_IMAGES", nil, map[string]string{"STRIMZI_KAFKA_MIRROR_MAKER_IMAGES": "3.9.2"}, []string{"STRIMZI_KAFKA_MIRROR_MAKER_IMAGES", `"3.9.2"`}},
		{"--kafka-mirror-maker-images", []string{"--kafka-mirror-maker-images=oops"}, nil, []string{"--kafka-mirror-maker-images", `"oops"`}},
		{"STRIMZI_IMAGE_PULL_POLICY", nil, map[string]string{"STRIMZI_IMAGE_PULL_POLICY": "Sometimes"}, []string{"STRIMZI_IMAGE_PULL_POLICY", `"Sometimes"`}},
		{"--image-pull-policy", []string{"--image-pull-policy=Sometimes"}, map[string]string{"STRIMZI_IMAGE_PULL_POLICY": "Never"}, []string{"--image-pull-policy", `"Sometimes"`}},
		{"STRIMZI_IMAGE_PULL_SECRETS", nil, map[string]string{"STRIMZI_IMAGE_PULL_SECRETS": "Bad_Name"}, []string{"STRIMZI_IMAGE_PULL_SECRETS", `"Bad_Name"`}},
		{"STRIMZI_LABELS_EXCLUSION_PATTERN", nil, map[string]string{"STRIMZI_LABELS_EXCLUSION_PATTERN": "(unclosed"}, []string{"STRIMZI_LABELS_EXCLUSION_PATTERN", `"(unclosed"`}},
		{"STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS", nil, map[string]string{"STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS": "novalue"}, []string{"STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS", `"novalue"`}},
		{"STRIMZI_POD_SECURITY_PROVIDER_CLASS", nil, map[string]string{"STRIMZI_POD_SECURITY_PROVIDER_CLASS": "strict"}, []string{"STRIMZI_POD_SECURITY_PROVIDER_CLASS", `"strict"`}},
		{"STRIMZI_LEADER_ELECTION_ENABLED", nil, map[string]string{"STRIMZI_LEADER_ELECTION_ENABLED": "yes please"}, []string{"STRIMZI_LEADER_ELECTION_ENABLED", `"yes please"`}},
		{"STRIMZI_LEADER_ELECTION_LEASE_NAME", nil, map[string]string{"STRIMZI_LEADER_ELECTION_LEASE_NAME": "Bad Name"}, []string{"STRIMZI_LEADER_ELECTION_LEASE_NAME", `"Bad Name"`}},
		{"STRIMZI_LEADER_ELECTION_LEASE_NAMESPACE", nil, map[string]string{"STRIMZI_LEADER_ELECTION_LEASE_NAMESPACE": "a.b"}, []string{"STRIMZI_LEADER_ELECTION_LEASE_NAMESPACE", `"a.b"`}},
		{"--leader-election-identity empty", []string{"--leader-election-identity= "}, nil, []string{"--leader-election-identity"}},
		{"STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS", nil, map[string]string{"STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS": "15s!"}, []string{"STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS", `"15s!"`}},
		{"STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS", nil, map[string]string{"STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS": "x"}, []string{"STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS", `"x"`}},
		{"STRIMZI_LEADER_ELECTION_RETRY_PERIOD_MS", nil, map[string]string{"STRIMZI_LEADER_ELECTION_RETRY_PERIOD_MS": "0"}, []string{"STRIMZI_LEADER_ELECTION_RETRY_PERIOD_MS", `"0"`}},
		{"lease duration not above renew deadline", nil, map[string]string{"STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS": "10000"},
			[]string{"STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS", "STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS", "greater than the renew deadline"}},
		{"renew deadline not above 1.2 x retry", []string{"--leader-election-retry-period=9s"}, nil,
			[]string{"--leader-election-retry-period", "STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS", "1.2 times"}},
		{"lease duration below a second", []string{"--leader-election-lease-duration=900ms", "--leader-election-renew-deadline=500ms", "--leader-election-retry-period=100ms"}, nil,
			[]string{"--leader-election-lease-duration", "at least 1s"}},
		{"KMM_KUBE_API_QPS zero", nil, map[string]string{"KMM_KUBE_API_QPS": "0"}, []string{"KMM_KUBE_API_QPS", `"0"`}},
		{"--kube-api-burst", []string{"--kube-api-burst=many"}, nil, []string{"--kube-api-burst", `"many"`}},
		{"KMM_WORKERS", nil, map[string]string{"KMM_WORKERS": "0"}, []string{"KMM_WORKERS", `"0"`}},
		{"KMM_HTTP_ADDRESS", nil, map[string]string{"KMM_HTTP_ADDRESS": "8080"}, []string{"KMM_HTTP_ADDRESS", `"8080"`}},
		{"--http-address bad port", []string{"--http-address=:http"}, nil, []string{"--http-address", `":http"`}},
		{"KMM_LOG_FORMAT", nil, map[string]string{"KMM_LOG_FORMAT": "xml"}, []string{"KMM_LOG_FORMAT", `"xml"`}},
		{"-v", []string{"-v=loud"}, nil, []string{"--v", `"loud"`}},
		{"KMM_ENABLE_PPROF", nil, map[string]string{"KMM_ENABLE_PPROF": "on"}, []string{"KMM_ENABLE_PPROF", `"on"`}},
		{"KMM_OPENSHIFT", nil, map[string]string{"KMM_OPENSHIFT": "maybe"}, []string{"KMM_OPENSHIFT", `"maybe"`}},
		{"unknown flag", []string{"--no-such-flag"}, nil, []string{"no-such-flag"}},
		{"positional argument", []string{"extra"}, nil, []string{`"extra"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(tc.args, envMap(tc.env))
			require.Error(t, err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}

			// The process exits with 2 and prints the same message.
			code, _, stderr := runMain(t, tc.args, tc.env)
			require.Equal(t, ExitInvalidArgs, code)
			require.Contains(t, stderr.String(), err.Error())
		})
	}
}

func TestHelp(t *testing.T) {
	_, err := ParseConfig([]string{"--help"}, envMap(nil))
	require.ErrorIs(t, err, flag.ErrHelp)
	code, stdout, stderr := runMain(t, []string{"-h"}, nil)
	require.Equal(t, ExitOK, code)
	// Every option is documented with its variable.
	for _, o := range options() {
		require.Regexp(t, `\n  --`+o.flag+`( value|\[=bool\])   `, stdout.String())
		require.Contains(t, stdout.String(), "(env "+o.env+")")
	}
	for _, v := range []string{"STRIMZI_NAMESPACE", "STRIMZI_FULL_RECONCILIATION_INTERVAL_MS", "STRIMZI_OPERATION_TIMEOUT_MS",
		"STRIMZI_CUSTOM_RESOURCE_SELECTOR", "STRIMZI_KAFKA_MIRROR_MAKER_IMAGES", "STRIMZI_IMAGE_PULL_POLICY", "STRIMZI_IMAGE_PULL_SECRETS",
		"STRIMZI_LABELS_EXCLUSION_PATTERN", "STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS", "STRIMZI_POD_SECURITY_PROVIDER_CLASS",
		"STRIMZI_LEADER_ELECTION_ENABLED", "STRIMZI_LEADER_ELECTION_LEASE_NAME", "STRIMZI_LEADER_ELECTION_LEASE_NAMESPACE",
		"STRIMZI_LEADER_ELECTION_IDENTITY", "STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS", "STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS",
		"STRIMZI_LEADER_ELECTION_RETRY_PERIOD_MS"} {
		require.Contains(t, stdout.String(), "(env "+v+")")
	}
	require.Empty(t, stderr.String())
}

func TestKubeconfigErrors(t *testing.T) {
	code, _, stderr := runMain(t, []string{"--kubeconfig=/does/not/exist"}, nil)
	require.Equal(t, ExitInvalidArgs, code)
	require.Contains(t, stderr.String(), `invalid value "/does/not/exist" for --kubeconfig`)

	code, _, stderr = runMain(t, nil, map[string]string{"KUBECONFIG": "/nope1:/nope2"})
	require.Equal(t, ExitInvalidArgs, code)
	require.Contains(t, stderr.String(), `invalid value "/nope1:/nope2" for KUBECONFIG`)
}

func TestCompleteLeaderElection(t *testing.T) {
	cfg := defaultConfig()
	cfg.LeaderElection.Enabled = true
	require.ErrorContains(t, completeLeaderElection(&cfg, ""), "STRIMZI_LEADER_ELECTION_LEASE_NAMESPACE")
	require.NoError(t, completeLeaderElection(&cfg, "ops"))
	require.Equal(t, "ops", cfg.LeaderElection.LeaseNamespace)
	require.NotEmpty(t, cfg.LeaderElection.Identity)
	other := defaultConfig()
	other.LeaderElection.Enabled = true
	require.NoError(t, completeLeaderElection(&other, "ops"))
	require.NotEqual(t, cfg.LeaderElection.Identity, other.LeaderElection.Identity, "two processes on one host need distinct identities")
	require.True(t, strings.Contains(other.LeaderElection.Identity, "_"))
}

// TestDocsListEveryOption keeps docs/running.md's configuration tables complete.
func TestDocsListEveryOption(t *testing.T) {
	b, err := os.ReadFile("../../docs/running.md")
	require.NoError(t, err)
	doc := string(b)
	for _, o := range options() {
		flagName := "`--" + o.flag + "`"
		if o.flag == "v" {
			flagName = "`-v`"
		}
		require.Contains(t, doc, "| "+flagName+" | `"+o.env+"` |", "docs/running.md lacks a table row for --%s / %s", o.flag, o.env)
	}
}
