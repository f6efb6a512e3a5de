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

package helm

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kmm-operator/kmm-operator/pkg/operator"
)

// render runs helm template for the release kmm-operator in the namespace kmm-operator, CRDs
// included.
func render(args ...string) (string, error) {
	return runHelm(append([]string{"template", release, chart, "--namespace", namespace, "--include-crds"}, args...)...)
}

func mustRender(t *testing.T, args ...string) objects {
	t.Helper()
	out, err := render(args...)
	require.NoError(t, err)
	return parseObjects(t, out)
}

// valuesFile writes values to a file for -f.
func valuesFile(t *testing.T, values string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "values.yaml")
	require.NoError(t, os.WriteFile(p, []byte(values), 0o644))
	return p
}

// TestCRDIsACopy: the chart's CRD is byte for byte the generated one.
func TestCRDIsACopy(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(root, "artifacts", "crds", "kafkamirrormakers.kafka.strimzi.io.yaml"))
	require.NoError(t, err)
	entries, err := os.ReadDir(filepath.Join(chart, "crds"))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Equal(t, []string{"kafkamirrormakers.kafka.strimzi.io.yaml"}, names, "the chart's crds/ holds the one CRD")
	got, err := os.ReadFile(filepath.Join(chart, "crds", "kafkamirrormakers.kafka.strimzi.io.yaml"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "artifacts/helm/kmm-operator/crds/kafkamirrormakers.kafka.strimzi.io.yaml is stale: "+
		"cp artifacts/crds/kafkamirrormakers.kafka.strimzi.io.yaml artifacts/helm/kmm-operator/crds/")
}

// TestDefaultsEqualKustomize: with the default values, the chart renders the objects of
// `kubectl kustomize artifacts/install` but its Namespace, with Helm's four labels added.
func TestDefaultsEqualKustomize(t *testing.T) {
	want := withoutNamespace(t, kustomize(t, "artifacts/install"))
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"defaults", nil},
		{"watchNamespaces *", []string{"--set", "watchNamespaces={*}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := withoutHelmLabels(t, mustRender(t, tc.args...), release)
			assertSameObjects(t, want, got, "kubectl kustomize artifacts/install (without the Namespace)", "the chart")
		})
	}
}

// TestNamespacedEqualsKustomize: with the namespaced install's namespace list, the chart renders
// the objects of `kubectl kustomize artifacts/install/namespaced` but its Namespace; with a longer
// list, a Role and RoleBinding in each namespace.
func TestNamespacedEqualsKustomize(t *testing.T) {
	namespaced := withoutNamespace(t, kustomize(t, "artifacts/install/namespaced"))
	v, ok := envValue(t, namespaced.get(t, deploymentKey), "STRIMZI_NAMESPACE")
	require.True(t, ok)
	require.Equal(t, "kafka", v, "the namespaced kustomization's STRIMZI_NAMESPACE; update this test")

	t.Run("kafka", func(t *testing.T) {
		got := withoutHelmLabels(t, mustRender(t, "--set", "watchNamespaces={kafka}"), release)
		assertSameObjects(t, namespaced, got, "kubectl kustomize artifacts/install/namespaced (without the Namespace)", "the chart")
	})
	t.Run("kafka and team-b", func(t *testing.T) {
		want := namespaced.deepCopy()
		for _, k := range []string{roleKey("kafka"), roleBindingKey("kafka")} {
			o := want.get(t, k).DeepCopy()
			o.SetNamespace("team-b")
			want[objectKey(o)] = o
		}
		setEnv(t, want.get(t, deploymentKey), "STRIMZI_NAMESPACE", "kafka,team-b", "")
		got := withoutHelmLabels(t, mustRender(t, "--set", "watchNamespaces={kafka,team-b}"), release)
		assertSameObjects(t, want, got, "the namespaced kustomization with team-b added", "the chart")
	})
}

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// valueSet is a set of values and what it changes in the objects of the default values.
type valueSet struct {
	name string
	args []string
	// values, if set, is written to a file for -f.
	values string
	// edit turns the objects of the default values (without Helm's labels) into the expected ones.
	edit func(t *testing.T, objs objects)
	// check, if set, looks at the configuration the operator parses from the rendered Deployment.
	check func(t *testing.T, cfg operator.Config)
}

func valueSets() []valueSet {
	deployment := func(t *testing.T, objs objects) *unstructured.Unstructured { return objs.get(t, deploymentKey) }
	sets := []valueSet{
		{name: "defaults", edit: func(*testing.T, objects) {}, check: func(t *testing.T, cfg operator.Config) {
			assert.True(t, cfg.WatchesAllNamespaces())
			assert.Equal(t, 2*time.Minute, cfg.FullReconciliationInterval)
			assert.Equal(t, 5*time.Minute, cfg.OperationTimeout)
			assert.True(t, cfg.LeaderElection.Enabled)
			assert.Equal(t, "kmm-operator", cfg.LeaderElection.LeaseName)
			assert.Equal(t, namespace, cfg.LeaderElection.LeaseNamespace)
			assert.Len(t, cfg.Settings.Images, 5)
			assert.Equal(t, "text", cfg.LogFormat)
			assert.Equal(t, 0, cfg.Verbosity)
		}},
		{
			name: "namespaced",
			args: []string{"--set", "watchNamespaces={kafka,team-b}"},
			edit: namespacedEdit,
			check: func(t *testing.T, cfg operator.Config) {
				assert.Equal(t, []string{"kafka", "team-b"}, cfg.Namespaces)
			},
		},
		{
			name: "custom image with digest",
			args: []string{"--set", "image.repository=team/kmm-operator,image.tag=1.2.3,image.digest=" + digest + ",image.pullPolicy=Always"},
			edit: func(t *testing.T, objs objects) {
				c := container(t, deployment(t, objs))
				c["image"] = "team/kmm-operator@" + digest
				c["imagePullPolicy"] = "Always"
			},
		},
		{
			name: "custom image tag",
			args: []string{"--set", "image.repository=team/kmm-operator,image.tag=1.2.3"},
			edit: func(t *testing.T, objs objects) {
				container(t, deployment(t, objs))["image"] = "team/kmm-operator:1.2.3"
			},
		},
		{
			name: "image tag from appVersion",
			args: []string{"--set", "image.tag="},
			edit: func(t *testing.T, objs objects) {
				container(t, deployment(t, objs))["image"] = "kmm-operator:" + readChartMeta(t).AppVersion
			},
		},
		{
			name: "pull secrets and policy",
			args: []string{"--set", "image.pullSecrets={regcred,other}",
				"--set", "mirrorMaker.imagePullSecrets={mm-a,mm-b},mirrorMaker.imagePullPolicy=Always"},
			edit: func(t *testing.T, objs objects) {
				d := deployment(t, objs)
				podSpec(d)["imagePullSecrets"] = []any{map[string]any{"name": "regcred"}, map[string]any{"name": "other"}}
				setEnv(t, d, "STRIMZI_IMAGE_PULL_POLICY", "Always", "STRIMZI_KAFKA_MIRROR_MAKER_IMAGES")
				setEnv(t, d, "STRIMZI_IMAGE_PULL_SECRETS", "mm-a,mm-b", "STRIMZI_IMAGE_PULL_POLICY")
			},
			check: func(t *testing.T, cfg operator.Config) {
				assert.Equal(t, "Always", string(cfg.Settings.ImagePullPolicy))
				require.Len(t, cfg.Settings.ImagePullSecrets, 2)
				assert.Equal(t, "mm-b", cfg.Settings.ImagePullSecrets[1].Name)
			},
		},
		{
			name: "resources and GOMEMLIMIT",
			args: []string{"--set", "resources.limits.memory=512Mi,resources.requests.memory=200Mi,resources.requests.cpu=100m,goMemLimit=400MiB"},
			edit: func(t *testing.T, objs objects) {
				d := deployment(t, objs)
				container(t, d)["resources"] = map[string]any{
					"requests": map[string]any{"cpu": "100m", "memory": "200Mi"},
					"limits":   map[string]any{"memory": "512Mi"},
				}
				setEnv(t, d, "GOMEMLIMIT", "400MiB", "")
			},
		},
		{
			name: "no GOMEMLIMIT, no resources",
			args: []string{"--set", "goMemLimit=", "--set", "resources=null"},
			edit: func(t *testing.T, objs objects) {
				d := deployment(t, objs)
				removeEnv(t, d, "GOMEMLIMIT")
				delete(container(t, d), "resources")
			},
		},
		{
			name: "scheduling",
			values: `
nodeSelector:
  node.kmm-operator.dev/real: "true"
tolerations:
- key: node.kmm-operator.dev/real
  operator: Exists
  effect: NoSchedule
priorityClassName: system-cluster-critical
affinity:
  podAntiAffinity: null
podLabels:
  team: a
podAnnotations:
  example.com/note: hello
terminationGracePeriodSeconds: 60
`,
			edit: func(t *testing.T, objs objects) {
				d := deployment(t, objs)
				spec := podSpec(d)
				spec["nodeSelector"] = map[string]any{"node.kmm-operator.dev/real": "true"}
				spec["tolerations"] = []any{map[string]any{"key": "node.kmm-operator.dev/real", "operator": "Exists", "effect": "NoSchedule"}}
				spec["priorityClassName"] = "system-cluster-critical"
				spec["terminationGracePeriodSeconds"] = int64(60)
				delete(spec, "affinity")
				meta := d.Object["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)
				meta["labels"].(map[string]any)["team"] = "a"
				meta["annotations"] = map[string]any{"example.com/note": "hello"}
			},
		},
		{
			name: "logging",
			args: []string{"--set", "logFormat=json,logLevel=4"},
			edit: func(t *testing.T, objs objects) {
				d := deployment(t, objs)
				setEnv(t, d, "KMM_LOG_FORMAT", "json", "")
				setEnv(t, d, "KMM_LOG_VERBOSITY", "4", "")
			},
			check: func(t *testing.T, cfg operator.Config) {
				assert.Equal(t, "json", cfg.LogFormat)
				assert.Equal(t, 4, cfg.Verbosity)
			},
		},
		{
			name: "extraEnv",
			values: `
extraEnv:
- name: KMM_WORKERS
  value: "8"
- name: HTTPS_PROXY
  value: http://proxy.invalid:3128
- name: KMM_EXTRA_SECRET
  valueFrom:
    secretKeyRef:
      name: some-secret
      key: value
`,
			edit: func(t *testing.T, objs objects) {
				d := deployment(t, objs)
				setEnv(t, d, "KMM_WORKERS", "8", "")
				setEnv(t, d, "HTTPS_PROXY", "http://proxy.invalid:3128", "")
				container(t, d)["env"] = append(envList(t, d), map[string]any{"name": "KMM_EXTRA_SECRET",
					"valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "some-secret", "key": "value"}}})
			},
			check: func(t *testing.T, cfg operator.Config) {
				assert.Equal(t, 8, cfg.Workers)
				require.Len(t, cfg.Settings.ProxyEnv, 1)
				assert.Equal(t, "HTTPS_PROXY", cfg.Settings.ProxyEnv[0].Name)
			},
		},
		{
			// From a values file, numbers are float64 to Helm: 3600000 must not become 3.6e+06.
			name: "durations and leader election",
			values: `
fullReconciliationInterval: 2m
operationTimeout: 3600000
leaderElection:
  leaseName: kmm-lease
  leaseDuration: 30s
  renewDeadline: 20000
  retryPeriod: 5s
  warmStandby: false
`,
			edit: func(t *testing.T, objs objects) {
				d := deployment(t, objs)
				setEnv(t, d, "STRIMZI_FULL_RECONCILIATION_INTERVAL_MS", "2m", "")
				setEnv(t, d, "STRIMZI_OPERATION_TIMEOUT_MS", "3600000", "")
				setEnv(t, d, "STRIMZI_LEADER_ELECTION_LEASE_NAME", "kmm-lease", "")
				setEnv(t, d, "STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS", "30s", "STRIMZI_LEADER_ELECTION_IDENTITY")
				setEnv(t, d, "STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS", "20000", "STRIMZI_LEADER_ELECTION_LEASE_DURATION_MS")
				setEnv(t, d, "STRIMZI_LEADER_ELECTION_RETRY_PERIOD_MS", "5s", "STRIMZI_LEADER_ELECTION_RENEW_DEADLINE_MS")
				setEnv(t, d, "KMM_LEADER_ELECTION_WARM_STANDBY", "false", "STRIMZI_LEADER_ELECTION_RETRY_PERIOD_MS")
				rules := objs.get(t, leRoleKey).Object["rules"].([]any)
				rules[1].(map[string]any)["resourceNames"] = []any{"kmm-lease"}
			},
			check: func(t *testing.T, cfg operator.Config) {
				assert.Equal(t, 2*time.Minute, cfg.FullReconciliationInterval)
				assert.Equal(t, time.Hour, cfg.OperationTimeout)
				le := cfg.LeaderElection
				assert.Equal(t, "kmm-lease", le.LeaseName)
				assert.Equal(t, 30*time.Second, le.LeaseDuration)
				assert.Equal(t, 20*time.Second, le.RenewDeadline)
				assert.Equal(t, 5*time.Second, le.RetryPeriod)
				assert.False(t, le.WarmStandby)
			},
		},
		{
			name: "rendering settings",
			values: `
customResourceSelector: env=prod
mirrorMaker:
  images:
    3.8.0: null
    3.8.1: null
    3.9.0: null
    3.9.1: null
    3.9.2: mirrors/kafka:3.9.2
  customLabels:
    team: a
    env: prod
  labelsExclusionPattern: ^internal/.*
  podSecurityProviderClass: restricted
  openshift: true
`,
			edit: func(t *testing.T, objs objects) {
				d := deployment(t, objs)
				setEnv(t, d, "STRIMZI_CUSTOM_RESOURCE_SELECTOR", "env=prod", "STRIMZI_NAMESPACE")
				setEnv(t, d, "STRIMZI_KAFKA_MIRROR_MAKER_IMAGES", "3.9.2=mirrors/kafka:3.9.2\n", "")
				setEnv(t, d, "STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS", "env=prod,team=a", "STRIMZI_KAFKA_MIRROR_MAKER_IMAGES")
				setEnv(t, d, "STRIMZI_LABELS_EXCLUSION_PATTERN", "^internal/.*", "STRIMZI_CUSTOM_KAFKA_MIRROR_MAKER_LABELS")
				setEnv(t, d, "STRIMZI_POD_SECURITY_PROVIDER_CLASS", "restricted", "STRIMZI_LABELS_EXCLUSION_PATTERN")
				setEnv(t, d, "KMM_OPENSHIFT", "true", "STRIMZI_POD_SECURITY_PROVIDER_CLASS")
			},
			check: func(t *testing.T, cfg operator.Config) {
				assert.Equal(t, "env=prod", cfg.Selector.String())
				assert.Equal(t, map[string]string{"3.9.2": "mirrors/kafka:3.9.2"}, cfg.Settings.Images)
				assert.Equal(t, map[string]string{"env": "prod", "team": "a"}, cfg.Settings.CustomPodLabels)
				assert.Equal(t, "restricted", string(cfg.Settings.SecurityProfile))
				assert.True(t, cfg.Settings.OpenShift)
			},
		},
		{
			name: "one more mirror image",
			args: []string{"--set", "mirrorMaker.images.3\\.9\\.3=mirrors/kafka:3.9.3"},
			edit: func(t *testing.T, objs objects) {
				d := deployment(t, objs)
				v, _ := envValue(t, d, "STRIMZI_KAFKA_MIRROR_MAKER_IMAGES")
				setEnv(t, d, "STRIMZI_KAFKA_MIRROR_MAKER_IMAGES", v+"3.9.3=mirrors/kafka:3.9.3\n", "")
			},
			check: func(t *testing.T, cfg operator.Config) {
				assert.Len(t, cfg.Settings.Images, 6)
				assert.Equal(t, "mirrors/kafka:3.9.3", cfg.Settings.Images["3.9.3"])
			},
		},
		{
			name: "no mirror image map: the operator's built-in one",
			args: []string{"--set", "mirrorMaker.images=null"},
			edit: func(t *testing.T, objs objects) {
				removeEnv(t, deployment(t, objs), "STRIMZI_KAFKA_MIRROR_MAKER_IMAGES")
			},
			check: func(t *testing.T, cfg operator.Config) {
				assert.Len(t, cfg.Settings.Images, 5)
			},
		},
		{
			name: "one replica without leader election",
			args: []string{"--set", "replicas=1,leaderElection.enabled=false"},
			edit: func(t *testing.T, objs objects) {
				d := deployment(t, objs)
				d.Object["spec"].(map[string]any)["replicas"] = int64(1)
				setEnv(t, d, "STRIMZI_LEADER_ELECTION_ENABLED", "false", "")
				for _, n := range []string{"STRIMZI_LEADER_ELECTION_LEASE_NAME", "STRIMZI_LEADER_ELECTION_LEASE_NAMESPACE", "STRIMZI_LEADER_ELECTION_IDENTITY"} {
					removeEnv(t, d, n)
				}
				delete(objs, leRoleKey)
				delete(objs, leBindingKey)
			},
			check: func(t *testing.T, cfg operator.Config) {
				assert.False(t, cfg.LeaderElection.Enabled)
			},
		},
		{
			name: "existing ServiceAccount",
			args: []string{"--set", "serviceAccount.create=false,serviceAccount.name=existing"},
			edit: func(t *testing.T, objs objects) {
				delete(objs, saKey)
				podSpec(objs.get(t, deploymentKey))["serviceAccountName"] = "existing"
				for _, k := range []string{crbKey, leBindingKey} {
					objs.get(t, k).Object["subjects"].([]any)[0].(map[string]any)["name"] = "existing"
				}
			},
		},
		{
			name: "ServiceAccount annotations",
			args: []string{"--set", "serviceAccount.annotations.example\\.com/role=operator"},
			edit: func(t *testing.T, objs objects) {
				objs.get(t, saKey).SetAnnotations(map[string]string{"example.com/role": "operator"})
			},
		},
		{
			name: "no RBAC, no PodDisruptionBudget",
			args: []string{"--set", "rbac.create=false,podDisruptionBudget.enabled=false"},
			edit: func(t *testing.T, objs objects) {
				for _, k := range []string{crKey, crbKey, leRoleKey, leBindingKey, pdbKey} {
					delete(objs, k)
				}
			},
		},
		{
			name: "PodDisruptionBudget percentage",
			args: []string{"--set", "podDisruptionBudget.maxUnavailable=50%"},
			edit: func(t *testing.T, objs objects) {
				objs.get(t, pdbKey).Object["spec"].(map[string]any)["maxUnavailable"] = "50%"
			},
		},
	}
	// The monitoring value sets (monitoring_test.go) add the objects of artifacts/monitoring.
	return append(sets, monitoringValueSets()...)
}

// namespacedEdit is what watchNamespaces={kafka,team-b} changes in the default values' objects.
func namespacedEdit(t *testing.T, objs objects) {
	delete(objs, crKey)
	delete(objs, crbKey)
	setEnv(t, objs.get(t, deploymentKey), "STRIMZI_NAMESPACE", "kafka,team-b", "")
	// The Roles and RoleBindings are compared with the kustomization in TestNamespacedEqualsKustomize.
	for _, k := range []string{roleKey("kafka"), roleBindingKey("kafka"), roleKey("team-b"), roleBindingKey("team-b")} {
		objs[k] = nil
	}
}

func (vs valueSet) helmArgs(t *testing.T) []string {
	args := append([]string(nil), vs.args...)
	if vs.values != "" {
		args = append([]string{"-f", valuesFile(t, vs.values)}, args...)
	}
	return args
}

// TestValueSets renders each value set and compares every object with the default values' ones,
// changed as the value set says: a value changes what it should and nothing else.
func TestValueSets(t *testing.T) {
	defaults := withoutHelmLabels(t, mustRender(t), release)
	for _, vs := range valueSets() {
		t.Run(vs.name, func(t *testing.T) {
			got := withoutHelmLabels(t, mustRender(t, vs.helmArgs(t)...), release)
			want := defaults.deepCopy()
			vs.edit(t, want)
			// Objects the value set set to nil are checked elsewhere: only their presence counts here.
			for k, o := range want {
				if o == nil {
					assert.Contains(t, got, k)
					delete(want, k)
					delete(got, k)
				}
			}
			assertSameObjects(t, want, got, "the default values' objects, edited by the test", "the chart with "+vs.name)
		})
	}
}

// TestLint runs helm lint --strict with each value set.
func TestLint(t *testing.T) {
	for _, vs := range valueSets() {
		t.Run(vs.name, func(t *testing.T) {
			out, err := runHelm(append([]string{"lint", "--strict", chart, "--namespace", namespace}, vs.helmArgs(t)...)...)
			require.NoError(t, err, out)
			require.Contains(t, out, "1 chart(s) linted, 0 chart(s) failed", out)
			require.NotContains(t, out, "[WARNING]", out)
			require.NotContains(t, out, "[ERROR]", out)
		})
	}
}

// operatorEnvNames are the variables the operator reads (from its usage text), besides Go's.
func operatorEnvNames(t *testing.T) map[string]bool {
	var usage bytes.Buffer
	operator.PrintUsage(&usage)
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`\(env ([A-Z0-9_]+)\)`).FindAllStringSubmatch(usage.String(), -1) {
		names[m[1]] = true
	}
	require.Contains(t, names, "STRIMZI_NAMESPACE", "the operator's usage text changed; update this test")
	return names
}

// TestOperatorAcceptsRenderedEnv parses the environment of each value set's Deployment with the
// operator's own parser (what `kmm-operator run` does at start): every variable the chart sets
// is one the operator reads, and every value is valid.
func TestOperatorAcceptsRenderedEnv(t *testing.T) {
	known := operatorEnvNames(t)
	for _, vs := range valueSets() {
		t.Run(vs.name, func(t *testing.T) {
			d := mustRender(t, vs.helmArgs(t)...).get(t, deploymentKey)
			c := container(t, d)
			require.Equal(t, []any{"run"}, c["args"])
			env := map[string]string{}
			for _, e := range envList(t, d) {
				m := e.(map[string]any)
				name := m["name"].(string)
				if strings.HasPrefix(name, "KMM_EXTRA_") {
					continue // extraEnv's own variables
				}
				require.True(t, known[name] || name == "GOMEMLIMIT" || name == "HTTPS_PROXY", "the chart sets %s, which the operator does not read", name)
				require.NotContains(t, env, name, "%s is set twice", name)
				if v, ok := m["value"].(string); ok {
					env[name] = v
					continue
				}
				// The downward API: what the kubelet would put there.
				path, _, _ := unstructured.NestedString(m, "valueFrom", "fieldRef", "fieldPath")
				switch path {
				case "metadata.namespace":
					env[name] = namespace
				case "metadata.name":
					env[name] = "kmm-operator-5d9c7b6f4-abcde"
				default:
					t.Fatalf("%s: unexpected variable source %v", name, m)
				}
			}
			cfg, err := operator.ParseConfig(nil, func(name string) (string, bool) { v, ok := env[name]; return v, ok })
			require.NoError(t, err, "the operator rejects the environment the chart renders: %v", env)
			if vs.check != nil {
				vs.check(t, cfg)
			}
		})
	}
}

// TestSchemaRejects: wrong values fail helm template (and so helm install) with a message that
// names the value.
func TestSchemaRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string // all in the error
	}{
		{"replicas 0", []string{"--set", "replicas=0"}, []string{"/replicas", "minimum"}},
		{"replicas not a number", []string{"--set-string", "replicas=two"}, []string{"/replicas", "want integer"}},
		{"pull policy", []string{"--set", "image.pullPolicy=Sometimes"}, []string{"/image/pullPolicy", "Always", "IfNotPresent", "Never"}},
		{"watchNamespaces not a list", []string{"--set", "watchNamespaces=kafka"}, []string{"/watchNamespaces", "want array"}},
		{"watchNamespaces bad name", []string{"--set", "watchNamespaces={Kafka_NS}"}, []string{"/watchNamespaces/0"}},
		{"watchNamespaces twice", []string{"--set", "watchNamespaces={kafka,kafka}"}, []string{"/watchNamespaces", "are equal"}},
		{"unknown top-level key", []string{"--set", "replica=3"}, []string{"additional properties 'replica' not allowed"}},
		{"unknown nested key", []string{"--set", "image.name=x"}, []string{"/image", "additional properties 'name' not allowed"}},
		{"log format", []string{"--set", "logFormat=xml"}, []string{"/logFormat", "text", "json"}},
		{"log level", []string{"--set", "logLevel=11"}, []string{"/logLevel", "maximum"}},
		{"GOMEMLIMIT", []string{"--set", "goMemLimit=200MB"}, []string{"/goMemLimit"}},
		{"digest", []string{"--set", "image.digest=sha256:abc"}, []string{"/image/digest"}},
		{"full reconciliation interval 0", []string{"--set", "fullReconciliationInterval=0"}, []string{"/fullReconciliationInterval"}},
		{"operation timeout not a duration", []string{"--set", "operationTimeout=soon"}, []string{"/operationTimeout"}},
		{"lease duration not a duration", []string{"--set", "leaderElection.leaseDuration=long"}, []string{"/leaderElection/leaseDuration"}},
		{"mirror pull policy", []string{"--set", "mirrorMaker.imagePullPolicy=Sometimes"}, []string{"/mirrorMaker/imagePullPolicy"}},
		{"mirror image map key", []string{"--set", "mirrorMaker.images.latest=x"}, []string{"/mirrorMaker/images", "'latest' not allowed"}},
		{"mirror label key", []string{"--set", "mirrorMaker.customLabels.a/b/c=x"}, []string{"/mirrorMaker/customLabels", "'a/b/c' not allowed"}},
		{"security provider", []string{"--set", "mirrorMaker.podSecurityProviderClass=strict"}, []string{"/mirrorMaker/podSecurityProviderClass"}},
		{"resources not a map", []string{"--set", "resources=big"}, []string{"/resources", "want object"}},
		{"extraEnv entry without name", []string{"--set", "extraEnv[0].value=x"}, []string{"/extraEnv/0", "name"}},
		{"monitoring.enabled not a boolean", []string{"--set-string", "monitoring.enabled=yes"}, []string{"/monitoring/enabled", "want boolean"}},
		{"monitoring not a map", []string{"--set", "monitoring=true"}, []string{"/monitoring", "want object"}},
		{"monitoring unknown key", []string{"--set", "monitoring.serviceMonitor.enabled=true"}, []string{"/monitoring", "additional properties 'serviceMonitor' not allowed"}},
		{"podMonitor.enabled not a boolean", []string{"--set-string", "monitoring.podMonitor.enabled=yes"}, []string{"/monitoring/podMonitor/enabled", "want boolean"}},
		{"podMonitor unknown key", []string{"--set", "monitoring.podMonitor.port=http"}, []string{"/monitoring/podMonitor", "additional properties 'port' not allowed"}},
		{"podMonitor interval not a duration", []string{"--set", "monitoring.podMonitor.interval=30 seconds"}, []string{"/monitoring/podMonitor/interval"}},
		{"podMonitor interval a number", []string{"--set", "monitoring.podMonitor.interval=30"}, []string{"/monitoring/podMonitor/interval", "want string"}},
		{"prometheusRule.enabled not a boolean", []string{"--set-string", "monitoring.prometheusRule.enabled=no"}, []string{"/monitoring/prometheusRule/enabled", "want boolean"}},
		{"dashboards.enabled not a boolean", []string{"--set-string", "monitoring.dashboards.enabled=on"}, []string{"/monitoring/dashboards/enabled", "want boolean"}},
		{"dashboards namespace", []string{"--set", "monitoring.dashboards.namespace=Grafana_NS"}, []string{"/monitoring/dashboards/namespace"}},
		{"dashboards labels not a map", []string{"--set", "monitoring.dashboards.labels=grafana_dashboard"}, []string{"/monitoring/dashboards/labels", "want object"}},
		{"dashboards label value", []string{"--set", "monitoring.dashboards.labels.grafana_dashboard=a b"}, []string{"/monitoring/dashboards/labels/grafana_dashboard"}},
		{"additionalLabels key", []string{"--set", "monitoring.additionalLabels.a/b/c=x"}, []string{"/monitoring/additionalLabels", "'a/b/c' not allowed"}},
		{"additionalLabels value not a string", []string{"--set", "monitoring.additionalLabels.release=1"}, []string{"/monitoring/additionalLabels/release", "want string"}},
		// Rules across values, checked by the templates.
		{"replicas without leader election", []string{"--set", "leaderElection.enabled=false"}, []string{"replicas", "leaderElection.enabled"}},
		{"* and names", []string{"--set", "watchNamespaces={*,kafka}"}, []string{"watchNamespaces", "cannot be combined"}},
		{"existing ServiceAccount without a name", []string{"--set", "serviceAccount.create=false"}, []string{"serviceAccount.name is required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := render(tc.args...)
			require.Error(t, err, "helm template %v succeeded:\n%s", tc.args, out)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestReleaseName: another release name prefixes every name, and the references follow.
func TestReleaseName(t *testing.T) {
	out, err := runHelm("template", "mirrors", chart, "--namespace", "ops")
	require.NoError(t, err)
	objs := parseObjects(t, out)
	const name = "mirrors-kmm-operator"
	for _, k := range objs.keys() {
		o := objs[k]
		assert.True(t, strings.HasPrefix(o.GetName(), name), "%s is not named after the release", k)
		assert.Equal(t, "kmm-operator", o.GetLabels()["app.kubernetes.io/name"], k)
		assert.Equal(t, "mirrors", o.GetLabels()["app.kubernetes.io/instance"], k)
		if o.GetKind() != "ClusterRole" && o.GetKind() != "ClusterRoleBinding" {
			assert.Equal(t, "ops", o.GetNamespace(), k)
		}
	}
	d := objs.get(t, "apps/v1/Deployment/ops/"+name)
	assert.Equal(t, name, podSpec(d)["serviceAccountName"])
	v, _ := envValue(t, d, "STRIMZI_LEADER_ELECTION_LEASE_NAME")
	assert.Equal(t, name, v)
	role := objs.get(t, "rbac.authorization.k8s.io/v1/Role/ops/"+name+"-leader-election")
	assert.Equal(t, []any{name}, role.Object["rules"].([]any)[1].(map[string]any)["resourceNames"])
	for _, k := range []string{"rbac.authorization.k8s.io/v1/ClusterRoleBinding//" + name, "rbac.authorization.k8s.io/v1/RoleBinding/ops/" + name + "-leader-election"} {
		b := objs.get(t, k)
		assert.Equal(t, []any{map[string]any{"kind": "ServiceAccount", "name": name, "namespace": "ops"}}, b.Object["subjects"], k)
	}
	assert.Equal(t, name, objs.get(t, "rbac.authorization.k8s.io/v1/ClusterRoleBinding//"+name).Object["roleRef"].(map[string]any)["name"])
	// The selector stays the kustomize install's.
	sel, _, _ := unstructured.NestedStringMap(d.Object, "spec", "selector", "matchLabels")
	assert.Equal(t, map[string]string{"app.kubernetes.io/name": "kmm-operator"}, sel)
}

// TestNotes renders NOTES.txt (helm install --dry-run=client: no cluster).
func TestNotes(t *testing.T) {
	install := func(args ...string) string {
		t.Helper()
		out, err := runHelm(append([]string{"install", release, chart, "--namespace", namespace, "--dry-run=client"}, args...)...)
		require.NoError(t, err)
		i := strings.Index(out, "NOTES:")
		require.GreaterOrEqual(t, i, 0, "no NOTES in:\n%s", out)
		return out[i:]
	}
	notes := install()
	for _, w := range []string{
		"CustomResourceDefinition kafkamirrormakers.kafka.strimzi.io",
		"ClusterRole and ClusterRoleBinding kmm-operator (all namespaces)",
		"Role and RoleBinding kmm-operator-leader-election",
		"Deployment kmm-operator: 2 replica(s), image kmm-operator:dev",
		"PodDisruptionBudget kmm-operator",
		"all namespaces",
		"kubectl -n kmm-operator rollout status deployment/kmm-operator",
		"kubectl -n kmm-operator get lease kmm-operator",
		"kubectl get kafkamirrormakers --all-namespaces",
	} {
		assert.Contains(t, notes, w)
	}
	notes = install("--set", "watchNamespaces={kafka,team-b}")
	assert.Contains(t, notes, "Role and RoleBinding kmm-operator in each watched namespace: kafka, team-b")
	assert.NotContains(t, notes, "ClusterRole")
	assert.Contains(t, notes, "the namespaces kafka, team-b")
}

// TestChartDocIsCurrent: the chart's README lists every value (hack/chartdoc -check).
func TestChartDocIsCurrent(t *testing.T) {
	out, err := runIn(root, "go", "run", "-mod=vendor", "./hack/chartdoc", "-check")
	require.NoError(t, err, "%s", out)
}
