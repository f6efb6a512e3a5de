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
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// The chart's monitoring objects (monitoring.enabled) are those of `kubectl kustomize
// artifacts/monitoring`, from the chart's copy of that directory (files/monitoring, refreshed by
// hack/sync-chart-monitoring.sh). These tests compare them object by object; what the values may
// change, and nothing else, is edited into the kustomize objects first:
//
//   - Helm's four labels (withoutHelmLabels, as for every templated object);
//   - monitoring.additionalLabels: labels of the PodMonitors and the PrometheusRule;
//   - monitoring.podMonitor.interval: the interval of every podMetricsEndpoint (empty: none);
//   - monitoring.dashboards.namespace and .labels: the ConfigMaps' namespace and labels besides
//     the chart's;
//   - the release namespace: every object's namespace and the operator PodMonitor's
//     namespaceSelector;
//   - watchNamespaces: the mirrors' PodMonitor's namespaceSelector (the watched namespaces);
//   - the release name (fullname): the names;
//   - nameOverride: the app.kubernetes.io/name label, the operator PodMonitor's selector and a
//     relabeling that keeps the job kmm-operator the alerts and dashboards select.

// The objects of `kubectl kustomize artifacts/monitoring`, which are the chart's for a release
// named kmm-operator in the namespace kmm-operator.
const (
	operatorPodMonitorKey = "monitoring.coreos.com/v1/PodMonitor/" + namespace + "/kmm-operator"
	mirrorsPodMonitorKey  = "monitoring.coreos.com/v1/PodMonitor/" + namespace + "/kafka-mirror-maker"
	prometheusRuleKey     = "monitoring.coreos.com/v1/PrometheusRule/" + namespace + "/kmm-operator"
	operatorDashboardKey  = "v1/ConfigMap/" + namespace + "/kmm-operator-dashboard"
	mirrorDashboardKey    = "v1/ConfigMap/" + namespace + "/kmm-mirror-dashboard"
)

var (
	podMonitorKeys     = []string{operatorPodMonitorKey, mirrorsPodMonitorKey}
	dashboardKeys      = []string{operatorDashboardKey, mirrorDashboardKey}
	allMonitoringKeys  = []string{operatorPodMonitorKey, mirrorsPodMonitorKey, prometheusRuleKey, operatorDashboardKey, mirrorDashboardKey}
	monitoringRendered objects // kustomize artifacts/monitoring, once
)

// monitoringObjects returns (a copy of) the objects of `bin/kubectl kustomize artifacts/monitoring`.
func monitoringObjects(t *testing.T) objects {
	t.Helper()
	if monitoringRendered == nil {
		objs := kustomize(t, "artifacts/monitoring")
		want := append([]string(nil), allMonitoringKeys...)
		sort.Strings(want)
		require.Equal(t, want, objs.keys(), "the objects of artifacts/monitoring changed: update templates/monitoring.yaml and test/helm")
		monitoringRendered = objs
	}
	return monitoringRendered.deepCopy()
}

// addMonitoring adds the objects of artifacts/monitoring with these keys to objs.
func addMonitoring(t *testing.T, objs objects, keys ...string) {
	t.Helper()
	mon := monitoringObjects(t)
	for _, k := range keys {
		objs[k] = mon.get(t, k)
	}
}

// monitoringOnly returns the monitoring objects of a rendering (the chart renders no other
// ConfigMap).
func monitoringOnly(objs objects) objects {
	out := objects{}
	for k, o := range objs {
		switch o.GetKind() {
		case "PodMonitor", "PrometheusRule", "ConfigMap":
			out[k] = o
		}
	}
	return out
}

// endpoints returns the podMetricsEndpoints of a PodMonitor, editable in place.
func endpoints(t *testing.T, pm *unstructured.Unstructured) []map[string]any {
	t.Helper()
	list, ok := pm.Object["spec"].(map[string]any)["podMetricsEndpoints"].([]any)
	require.True(t, ok, "%s has no podMetricsEndpoints", objectKey(pm))
	require.NotEmpty(t, list)
	var out []map[string]any
	for _, e := range list {
		out = append(out, e.(map[string]any))
	}
	return out
}

// moveObject gives the object of key another namespace and name, under its new key.
func moveObject(t *testing.T, objs objects, key, ns, name string) {
	t.Helper()
	o := objs.get(t, key)
	delete(objs, key)
	o.SetNamespace(ns)
	o.SetName(name)
	objs[objectKey(o)] = o
}

// editLabels changes the labels of the objects of keys.
func editLabels(t *testing.T, objs objects, keys []string, edit func(labels map[string]string)) {
	t.Helper()
	for _, k := range keys {
		o := objs.get(t, k)
		l := o.GetLabels()
		edit(l)
		o.SetLabels(l)
	}
}

// monitoringValueSets are TestValueSets' (and TestLint's) monitoring cases: each starts from the
// default values' objects and adds those of artifacts/monitoring it renders, changed as said.
func monitoringValueSets() []valueSet {
	on := func(args ...string) []string { return append([]string{"--set", "monitoring.enabled=true"}, args...) }
	return []valueSet{
		{
			// Exactly the objects of `kubectl kustomize artifacts/monitoring` (and Helm's labels).
			name: "monitoring",
			args: on(),
			edit: func(t *testing.T, objs objects) { addMonitoring(t, objs, allMonitoringKeys...) },
		},
		{
			name: "monitoring off with its parts set",
			values: `
monitoring:
  enabled: false
  additionalLabels: {release: prometheus}
  podMonitor: {enabled: true, interval: 10s}
  prometheusRule: {enabled: true}
  dashboards: {enabled: true, namespace: grafana, labels: {grafana_dashboard: "yes"}}
`,
			edit: func(*testing.T, objects) {},
		},
		{
			name: "monitoring without PodMonitors",
			args: on("--set", "monitoring.podMonitor.enabled=false"),
			edit: func(t *testing.T, objs objects) {
				addMonitoring(t, objs, append([]string{prometheusRuleKey}, dashboardKeys...)...)
			},
		},
		{
			name: "monitoring without PrometheusRule",
			args: on("--set", "monitoring.prometheusRule.enabled=false"),
			edit: func(t *testing.T, objs objects) { addMonitoring(t, objs, append(podMonitorKeys, dashboardKeys...)...) },
		},
		{
			name: "monitoring without dashboards",
			args: on("--set", "monitoring.dashboards.enabled=false"),
			edit: func(t *testing.T, objs objects) {
				addMonitoring(t, objs, append([]string{prometheusRuleKey}, podMonitorKeys...)...)
			},
		},
		{
			name: "monitoring with every part off",
			args: on("--set", "monitoring.podMonitor.enabled=false,monitoring.prometheusRule.enabled=false,monitoring.dashboards.enabled=false"),
			edit: func(*testing.T, objects) {},
		},
		{
			name: "monitoring interval",
			args: on("--set", "monitoring.podMonitor.interval=1m15s"),
			edit: func(t *testing.T, objs objects) {
				addMonitoring(t, objs, allMonitoringKeys...)
				for _, k := range podMonitorKeys {
					for _, e := range endpoints(t, objs.get(t, k)) {
						e["interval"] = "1m15s"
					}
				}
			},
		},
		{
			name: "monitoring with Prometheus' default interval",
			args: on("--set", "monitoring.podMonitor.interval="),
			edit: func(t *testing.T, objs objects) {
				addMonitoring(t, objs, allMonitoringKeys...)
				for _, k := range podMonitorKeys {
					for _, e := range endpoints(t, objs.get(t, k)) {
						require.Contains(t, e, "interval", "artifacts/monitoring sets no interval: drop this case")
						delete(e, "interval")
					}
				}
			},
		},
		{
			name: "monitoring additionalLabels",
			values: `
monitoring:
  enabled: true
  additionalLabels:
    release: kube-prometheus-stack
    example.com/team: a
`,
			edit: func(t *testing.T, objs objects) {
				addMonitoring(t, objs, allMonitoringKeys...)
				// The PodMonitors and the PrometheusRule, not the dashboards.
				editLabels(t, objs, append([]string{prometheusRuleKey}, podMonitorKeys...), func(l map[string]string) {
					l["release"] = "kube-prometheus-stack"
					l["example.com/team"] = "a"
				})
			},
		},
		{
			name: "monitoring dashboards namespace",
			args: on("--set", "monitoring.dashboards.namespace=grafana"),
			edit: func(t *testing.T, objs objects) {
				addMonitoring(t, objs, allMonitoringKeys...)
				moveObject(t, objs, operatorDashboardKey, "grafana", "kmm-operator-dashboard")
				moveObject(t, objs, mirrorDashboardKey, "grafana", "kmm-mirror-dashboard")
			},
		},
		{
			name: "monitoring dashboards labels",
			values: `
monitoring:
  enabled: true
  dashboards:
    labels:
      grafana_dashboard: null
      grafana.example.com/dashboard: kmm
`,
			edit: func(t *testing.T, objs objects) {
				addMonitoring(t, objs, allMonitoringKeys...)
				editLabels(t, objs, dashboardKeys, func(l map[string]string) {
					require.Contains(t, l, "grafana_dashboard")
					delete(l, "grafana_dashboard")
					l["grafana.example.com/dashboard"] = "kmm"
				})
			},
		},
		{
			name: "monitoring namespaced",
			args: on("--set", "watchNamespaces={kafka,team-b}"),
			edit: func(t *testing.T, objs objects) {
				namespacedEdit(t, objs)
				addMonitoring(t, objs, allMonitoringKeys...)
				spec := objs.get(t, mirrorsPodMonitorKey).Object["spec"].(map[string]any)
				require.Equal(t, map[string]any{"any": true}, spec["namespaceSelector"])
				spec["namespaceSelector"] = map[string]any{"matchNames": []any{"kafka", "team-b"}}
			},
		},
	}
}

// TestMonitoringFilesAreCopies: files/monitoring of the chart is an exact copy of the files of
// artifacts/monitoring it needs: its object files (*.yaml but kustomization.yaml) and dashboards
// (dashboards/*.json), which are all the kustomization uses.
func TestMonitoringFilesAreCopies(t *testing.T) {
	const fix = "run hack/sync-chart-monitoring.sh"
	src := filepath.Join(root, "artifacts", "monitoring")
	dst := filepath.Join(chart, "files", "monitoring")

	var want []string
	for _, pattern := range []string{"*.yaml", "dashboards/*.json"} {
		matches, err := filepath.Glob(filepath.Join(src, pattern))
		require.NoError(t, err)
		for _, m := range matches {
			rel, err := filepath.Rel(src, m)
			require.NoError(t, err)
			if rel != "kustomization.yaml" {
				want = append(want, filepath.ToSlash(rel))
			}
		}
	}
	sort.Strings(want)
	require.NotEmpty(t, want)

	// The kustomization uses no other file (so the copy holds everything it renders).
	var k struct {
		Resources          []string `json:"resources"`
		ConfigMapGenerator []struct {
			Files []string `json:"files"`
		} `json:"configMapGenerator"`
	}
	b, err := os.ReadFile(filepath.Join(src, "kustomization.yaml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &k))
	used := append([]string(nil), k.Resources...)
	for _, g := range k.ConfigMapGenerator {
		used = append(used, g.Files...)
	}
	require.NotEmpty(t, used)
	for _, f := range used {
		assert.Contains(t, want, f, "artifacts/monitoring/kustomization.yaml uses %s, which hack/sync-chart-monitoring.sh does not copy", f)
	}

	var got []string
	require.NoError(t, filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dst, p)
		got = append(got, filepath.ToSlash(rel))
		return err
	}), fix)
	sort.Strings(got)
	require.Equal(t, want, got, "the files of artifacts/helm/kmm-operator/files/monitoring: "+fix)

	for _, f := range want {
		a, err := os.ReadFile(filepath.Join(src, f))
		require.NoError(t, err)
		c, err := os.ReadFile(filepath.Join(dst, f))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, c), "artifacts/helm/kmm-operator/files/monitoring/%s differs from artifacts/monitoring/%s: %s", f, f, fix)
	}
}

// TestMonitoringReleaseName: another release name and namespace prefix the names and move every
// object (the operator PodMonitor selects the release namespace).
func TestMonitoringReleaseName(t *testing.T) {
	out, err := runHelm("template", "mirrors", chart, "--namespace", "ops", "--set", "monitoring.enabled=true")
	require.NoError(t, err)
	got := monitoringOnly(withoutHelmLabels(t, parseObjects(t, out), "mirrors"))

	want := monitoringObjects(t)
	moveObject(t, want, operatorPodMonitorKey, "ops", "mirrors-kmm-operator")
	moveObject(t, want, mirrorsPodMonitorKey, "ops", "mirrors-kafka-mirror-maker")
	moveObject(t, want, prometheusRuleKey, "ops", "mirrors-kmm-operator")
	moveObject(t, want, operatorDashboardKey, "ops", "mirrors-kmm-operator-dashboard")
	moveObject(t, want, mirrorDashboardKey, "ops", "mirrors-kmm-mirror-dashboard")
	spec := want.get(t, "monitoring.coreos.com/v1/PodMonitor/ops/mirrors-kmm-operator").Object["spec"].(map[string]any)
	require.Equal(t, map[string]any{"matchNames": []any{namespace}}, spec["namespaceSelector"])
	spec["namespaceSelector"] = map[string]any{"matchNames": []any{"ops"}}
	assertSameObjects(t, want, got, "kubectl kustomize artifacts/monitoring, edited by the test", "the chart for release mirrors in ops")
}

// TestMonitoringNameOverride: with a nameOverride the operator PodMonitor selects the Pods by
// their label, which is also the objects' app.kubernetes.io/name, and the metrics keep the job
// kmm-operator of the alerts and dashboards.
func TestMonitoringNameOverride(t *testing.T) {
	all := withoutHelmLabels(t, mustRender(t, "--set", "monitoring.enabled=true,nameOverride=kmm-b"), release)
	got := monitoringOnly(all)

	want := monitoringObjects(t)
	editLabels(t, want, allMonitoringKeys, func(l map[string]string) {
		require.Equal(t, "kmm-operator", l["app.kubernetes.io/name"])
		l["app.kubernetes.io/name"] = "kmm-b"
	})
	pm := want.get(t, operatorPodMonitorKey)
	spec := pm.Object["spec"].(map[string]any)
	require.Equal(t, "app.kubernetes.io/name", spec["jobLabel"], "the job is no longer the Pods' name label: update the chart and this test")
	spec["selector"] = map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": "kmm-b"}}
	for _, e := range endpoints(t, pm) {
		rl, _ := e["relabelings"].([]any)
		e["relabelings"] = append(rl, map[string]any{"targetLabel": "job", "replacement": "kmm-operator"})
	}
	// A second release in the same namespace: names that do not collide with the first's.
	moveObject(t, want, operatorPodMonitorKey, namespace, "kmm-operator-kmm-b")
	moveObject(t, want, mirrorsPodMonitorKey, namespace, "kmm-operator-kafka-mirror-maker")
	moveObject(t, want, prometheusRuleKey, namespace, "kmm-operator-kmm-b")
	moveObject(t, want, operatorDashboardKey, namespace, "kmm-operator-kmm-operator-dashboard")
	moveObject(t, want, mirrorDashboardKey, namespace, "kmm-operator-kmm-mirror-dashboard")
	assertSameObjects(t, want, got, "kubectl kustomize artifacts/monitoring, edited by the test", "the chart with nameOverride kmm-b")

	// The PodMonitor selects the Deployment's Pods.
	d := all.get(t, "apps/v1/Deployment/"+namespace+"/kmm-operator-kmm-b")
	podLabels, _, _ := unstructured.NestedStringMap(d.Object, "spec", "template", "metadata", "labels")
	sel, _, _ := unstructured.NestedStringMap(got.get(t, "monitoring.coreos.com/v1/PodMonitor/"+namespace+"/kmm-operator-kmm-b").Object, "spec", "selector", "matchLabels")
	require.NotEmpty(t, sel)
	for k, v := range sel {
		assert.Equal(t, v, podLabels[k], "the PodMonitor selects %s=%s; the Pods have %v", k, v, podLabels)
	}
}

// TestMonitoringLabelsCannotChangeTheChartsLabels: the extra labels may not override the chart's.
func TestMonitoringLabelsCannotChangeTheChartsLabels(t *testing.T) {
	for value, args := range map[string][]string{
		"monitoring.additionalLabels":  {"--set", "monitoring.enabled=true,monitoring.additionalLabels.app\\.kubernetes\\.io/name=other"},
		"monitoring.dashboards.labels": {"--set", "monitoring.enabled=true,monitoring.dashboards.labels.app\\.kubernetes\\.io/instance=other"},
	} {
		t.Run(value, func(t *testing.T) {
			out, err := render(args...)
			require.Error(t, err, "%s", out)
			assert.Contains(t, err.Error(), value+": app.kubernetes.io/")
			assert.Contains(t, err.Error(), "one of the chart's own labels")
		})
	}
}

// ruleSpec is what the comparison of a PrometheusRule looks at.
type ruleSpec struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Alert       string            `json:"alert"`
			Record      string            `json:"record"`
			Expr        string            `json:"expr"`
			For         string            `json:"for"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}

// TestPrometheusRuleIsVerbatim: Helm does not evaluate the alerts' own templates ({{ $labels.x }},
// {{ $value }}, {{ with ... | query }}): the rendered spec is the source's text byte for byte, and
// every annotation, expression and label equals the source's.
func TestPrometheusRuleIsVerbatim(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(root, "artifacts", "monitoring", "prometheusrule.yaml"))
	require.NoError(t, err)
	out, err := render("--set", "monitoring.enabled=true")
	require.NoError(t, err)

	// The text from the spec: line on.
	i := bytes.Index(src, []byte("\nspec:\n"))
	require.GreaterOrEqual(t, i, 0, "artifacts/monitoring/prometheusrule.yaml has no top-level spec:")
	specText := string(src[i+1:])
	assert.Contains(t, out, "\n"+specText, "the rendered PrometheusRule's spec is not the source's text")
	assert.NotContains(t, out, "<no value>")

	var srcObj struct {
		Spec ruleSpec `json:"spec"`
	}
	require.NoError(t, yaml.Unmarshal(src, &srcObj))
	rendered := parseObjects(t, out).get(t, prometheusRuleKey)
	j, err := json.Marshal(rendered.Object["spec"])
	require.NoError(t, err)
	var got ruleSpec
	require.NoError(t, json.Unmarshal(j, &got))

	want := srcObj.Spec
	require.Len(t, got.Groups, len(want.Groups))
	templated := 0
	for gi, wg := range want.Groups {
		gg := got.Groups[gi]
		require.Equal(t, wg.Name, gg.Name)
		require.Len(t, gg.Rules, len(wg.Rules), "group %s", wg.Name)
		for ri, wr := range wg.Rules {
			gr := gg.Rules[ri]
			name := wg.Name + "/" + wr.Alert + wr.Record
			assert.Equal(t, wr.Alert, gr.Alert, name)
			assert.Equal(t, wr.Record, gr.Record, name)
			assert.Equal(t, wr.Expr, gr.Expr, "%s: expr", name)
			assert.Equal(t, wr.For, gr.For, "%s: for", name)
			assert.Equal(t, wr.Labels, gr.Labels, "%s: labels", name)
			require.Equal(t, len(wr.Annotations), len(gr.Annotations), "%s: annotations", name)
			for k, v := range wr.Annotations {
				assert.True(t, v == gr.Annotations[k], "%s: annotation %s is %q, the source's is %q", name, k, gr.Annotations[k], v)
				if strings.Contains(v, "{{") {
					templated++
				}
			}
		}
	}
	// The check means something: the source's annotations are templates.
	assert.Greater(t, templated, 10, "annotations with {{ ... }}")
	assert.Contains(t, out, `{{ $labels.namespace }}`)
	assert.Contains(t, out, `{{ $value | humanizePercentage }}`)
	assert.Contains(t, out, `{{ with printf "strimzi_resource_state{`)
}

// TestDashboardsAreVerbatim: each dashboard ConfigMap holds its file byte for byte, under its
// file name.
func TestDashboardsAreVerbatim(t *testing.T) {
	objs := mustRender(t, "--set", "monitoring.enabled=true")
	for file, key := range map[string]string{"kmm-operator.json": operatorDashboardKey, "kmm-mirror.json": mirrorDashboardKey} {
		want, err := os.ReadFile(filepath.Join(root, "artifacts", "monitoring", "dashboards", file))
		require.NoError(t, err)
		data, _, _ := unstructured.NestedStringMap(objs.get(t, key).Object, "data")
		assert.Equal(t, []string{file}, sortedKeys(data), key)
		assert.True(t, data[file] == string(want), "%s: data[%s] is not artifacts/monitoring/dashboards/%s", key, file, file)
	}
}

// TestDashboardsOfAnyShape: the dashboards are found by name (files/monitoring/dashboards/*.json),
// and a file a YAML literal block cannot hold exactly (carriage returns, no final newline or
// several, leading spaces) is still carried byte for byte. On a copy of the chart.
func TestDashboardsOfAnyShape(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kmm-operator")
	copyDir(t, chart, dir)
	files := map[string]string{
		"kmm-operator.json": "{\r\n  \"title\": \"crlf\"\r\n}\r\n",
		"kmm-mirror.json":   "  {\"title\": \"leading spaces, no final newline\"}",
		"extra.json":        "{\n  \"title\": \"two final newlines\",\n\n  \"tab\": \"\t\"  \n}\n\n",
		"plain.json":        "{\n  \"title\": \"{{ not a Helm template }}\"\n}\n",
	}
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "files", "monitoring", "dashboards", name), []byte(content), 0o644))
	}
	out, err := runHelm("template", release, dir, "--namespace", namespace, "--set", "monitoring.enabled=true")
	require.NoError(t, err)
	objs := parseObjects(t, out)
	for name, content := range files {
		key := "v1/ConfigMap/" + namespace + "/" + strings.TrimSuffix(name, ".json") + "-dashboard"
		data, _, _ := unstructured.NestedStringMap(objs.get(t, key).Object, "data")
		assert.Equal(t, content, data[name], key)
	}
}

// TestMonitoringNotes: NOTES.txt names the monitoring objects.
func TestMonitoringNotes(t *testing.T) {
	notes := func(args ...string) string {
		t.Helper()
		out, err := runHelm(append([]string{"install", release, chart, "--namespace", namespace, "--dry-run=client"}, args...)...)
		require.NoError(t, err)
		i := strings.Index(out, "NOTES:")
		require.GreaterOrEqual(t, i, 0, "no NOTES in:\n%s", out)
		return out[i:]
	}
	n := notes("--set", "monitoring.enabled=true,monitoring.dashboards.namespace=grafana")
	for _, w := range []string{
		"PodMonitor kmm-operator (the operator Pods",
		"kafka-mirror-maker (the mirror Pods of all namespaces",
		"PrometheusRule kmm-operator",
		"ConfigMaps kmm-mirror-dashboard, kmm-operator-dashboard in the namespace grafana",
		"kubectl -n kmm-operator get podmonitors,prometheusrules",
	} {
		assert.Contains(t, n, w)
	}
	n = notes("--set", "monitoring.enabled=true,monitoring.podMonitor.enabled=false,monitoring.dashboards.enabled=false,watchNamespaces={kafka}")
	assert.NotContains(t, n, "PodMonitor kmm-operator")
	assert.NotContains(t, n, "ConfigMaps")
	assert.Contains(t, n, "PrometheusRule kmm-operator")
	n = notes("--set", "monitoring.enabled=true,watchNamespaces={kafka}")
	assert.Contains(t, n, "the mirror Pods of the watched namespaces")
	n = notes()
	for _, w := range []string{"PodMonitor", "PrometheusRule", "dashboard"} {
		assert.NotContains(t, n, w)
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// copyDir copies the directory tree src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	}))
}
