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
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// objects are parsed manifests by key: apiVersion/kind/namespace/name.
type objects map[string]*unstructured.Unstructured

func objectKey(o *unstructured.Unstructured) string {
	return o.GetAPIVersion() + "/" + o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
}

// parseObjects parses a multi-document YAML stream; empty documents are skipped, a duplicate
// object fails the test.
func parseObjects(t *testing.T, manifests string) objects {
	t.Helper()
	objs := objects{}
	r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(manifests)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		j, err := yaml.YAMLToJSON(doc)
		require.NoError(t, err, "%s", doc)
		if s := strings.TrimSpace(string(j)); s == "null" || s == "{}" {
			continue
		}
		o := &unstructured.Unstructured{}
		require.NoError(t, o.UnmarshalJSON(j), "%s", doc)
		k := objectKey(o)
		require.NotContains(t, objs, k, "the object %s is rendered twice", k)
		objs[k] = o
	}
	return objs
}

func (objs objects) keys() []string {
	keys := make([]string, 0, len(objs))
	for k := range objs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (objs objects) deepCopy() objects {
	c := objects{}
	for k, o := range objs {
		c[k] = o.DeepCopy()
	}
	return c
}

// get returns the object of the key, failing the test when there is none.
func (objs objects) get(t *testing.T, key string) *unstructured.Unstructured {
	t.Helper()
	o, ok := objs[key]
	require.True(t, ok, "no object %s among %v", key, objs.keys())
	return o
}

// kustomize renders a kustomization with bin/kubectl kustomize.
func kustomize(t *testing.T, dir string) objects {
	t.Helper()
	out, err := runIn(root, kubectl, "kustomize", dir)
	require.NoError(t, err, "bin/kubectl kustomize %s:\n%s", dir, out)
	return parseObjects(t, out)
}

// The kustomize install's Namespace, which the chart does not render: a chart installs into the
// release namespace (helm install -n kmm-operator --create-namespace).
const kustomizeNamespaceKey = "v1/Namespace//" + namespace

// withoutNamespace returns the kustomize install's objects without its Namespace, checking that
// it has exactly that one.
func withoutNamespace(t *testing.T, objs objects) objects {
	t.Helper()
	out := objs.deepCopy()
	require.Contains(t, out, kustomizeNamespaceKey, "the kustomize install no longer creates the namespace; update the comparison")
	delete(out, kustomizeNamespaceKey)
	for k, o := range out {
		require.NotEqual(t, "Namespace", o.GetKind(), "unexpected Namespace %s in the kustomize install", k)
	}
	return out
}

// helmLabels are the labels the chart adds to every object it templates (not the CRD of
// crds/, nor the Pod template); the comparison with the kustomize install ignores exactly these
// label keys of metadata.labels, and nothing else.
var helmLabels = []string{"helm.sh/chart", "app.kubernetes.io/instance", "app.kubernetes.io/version", "app.kubernetes.io/managed-by"}

type chartMeta struct {
	Version    string `json:"version"`
	AppVersion string `json:"appVersion"`
}

func readChartMeta(t *testing.T) chartMeta {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chart, "Chart.yaml"))
	require.NoError(t, err)
	var m chartMeta
	require.NoError(t, yaml.Unmarshal(b, &m))
	require.NotEmpty(t, m.Version)
	require.NotEmpty(t, m.AppVersion)
	return m
}

// withoutHelmLabels checks that every templated object carries Helm's labels with the release's
// values, and returns the objects without them.
func withoutHelmLabels(t *testing.T, objs objects, releaseName string) objects {
	t.Helper()
	meta := readChartMeta(t)
	want := map[string]string{
		"helm.sh/chart":                "kmm-operator-" + meta.Version,
		"app.kubernetes.io/instance":   releaseName,
		"app.kubernetes.io/version":    meta.AppVersion,
		"app.kubernetes.io/managed-by": "Helm",
	}
	out := objs.deepCopy()
	for k, o := range out {
		labels := o.GetLabels()
		if o.GetKind() == "CustomResourceDefinition" {
			for _, l := range helmLabels {
				assert.NotContains(t, labels, l, "%s comes from crds/ and is not templated", k)
			}
			continue
		}
		for _, l := range helmLabels {
			if assert.Contains(t, labels, l, "%s lacks the label %s", k, l) {
				assert.Equal(t, want[l], labels[l], "%s: label %s", k, l)
			}
			delete(labels, l)
		}
		o.SetLabels(labels)
	}
	return out
}

// assertSameObjects compares two sets of objects key by key and field by field; a difference is
// shown as a diff of the two objects' YAML.
func assertSameObjects(t *testing.T, want, got objects, wantName, gotName string) {
	t.Helper()
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		w, inWant := want[k]
		g, inGot := got[k]
		switch {
		case !inGot:
			t.Errorf("%s: in %s, missing from %s", k, wantName, gotName)
		case !inWant:
			t.Errorf("%s: in %s, not in %s", k, gotName, wantName)
		default:
			wy, err := yaml.Marshal(w.Object)
			require.NoError(t, err)
			gy, err := yaml.Marshal(g.Object)
			require.NoError(t, err)
			if d := lineDiff(string(wy), string(gy)); d != "" {
				t.Errorf("%s differs (- %s, + %s):\n%s", k, wantName, gotName, d)
			}
		}
	}
}

// Keys of the objects of a release named kmm-operator in the namespace kmm-operator.
const (
	deploymentKey = "apps/v1/Deployment/" + namespace + "/kmm-operator"
	saKey         = "v1/ServiceAccount/" + namespace + "/kmm-operator"
	pdbKey        = "policy/v1/PodDisruptionBudget/" + namespace + "/kmm-operator"
	crKey         = "rbac.authorization.k8s.io/v1/ClusterRole//kmm-operator"
	crbKey        = "rbac.authorization.k8s.io/v1/ClusterRoleBinding//kmm-operator"
	leRoleKey     = "rbac.authorization.k8s.io/v1/Role/" + namespace + "/kmm-operator-leader-election"
	leBindingKey  = "rbac.authorization.k8s.io/v1/RoleBinding/" + namespace + "/kmm-operator-leader-election"
	crdKey        = "apiextensions.k8s.io/v1/CustomResourceDefinition//kafkamirrormakers.kafka.strimzi.io"
)

func roleKey(ns string) string { return "rbac.authorization.k8s.io/v1/Role/" + ns + "/kmm-operator" }
func roleBindingKey(ns string) string {
	return "rbac.authorization.k8s.io/v1/RoleBinding/" + ns + "/kmm-operator"
}

// The operator container of a Deployment, as a map that edits the object in place.
func container(t *testing.T, d *unstructured.Unstructured) map[string]any {
	t.Helper()
	cs, ok := d.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)
	require.True(t, ok, "no containers in %s", objectKey(d))
	require.Len(t, cs, 1)
	return cs[0].(map[string]any)
}

// podSpec is the Pod template's spec of a Deployment, editable in place.
func podSpec(d *unstructured.Unstructured) map[string]any {
	return d.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
}

// envValue returns the value of the variable name of the operator container and whether it is set.
func envValue(t *testing.T, d *unstructured.Unstructured, name string) (string, bool) {
	t.Helper()
	for _, e := range envList(t, d) {
		m := e.(map[string]any)
		if m["name"] == name {
			v, _ := m["value"].(string)
			return v, true
		}
	}
	return "", false
}

func envList(t *testing.T, d *unstructured.Unstructured) []any {
	t.Helper()
	env, _ := container(t, d)["env"].([]any)
	return env
}

// setEnv sets the variable name of the operator container to value: in place when it is there,
// else after the variable after ("" = at the end).
func setEnv(t *testing.T, d *unstructured.Unstructured, name, value, after string) {
	t.Helper()
	env := envList(t, d)
	for _, e := range env {
		if m := e.(map[string]any); m["name"] == name {
			m["value"] = value
			delete(m, "valueFrom")
			return
		}
	}
	v := map[string]any{"name": name, "value": value}
	at := len(env)
	if after != "" {
		at = -1
		for i, e := range env {
			if e.(map[string]any)["name"] == after {
				at = i + 1
			}
		}
		require.GreaterOrEqual(t, at, 0, "no variable %s to insert %s after", after, name)
	}
	env = append(env[:at], append([]any{v}, env[at:]...)...)
	container(t, d)["env"] = env
}

// removeEnv removes the variable name of the operator container.
func removeEnv(t *testing.T, d *unstructured.Unstructured, name string) {
	t.Helper()
	var out []any
	for _, e := range envList(t, d) {
		if e.(map[string]any)["name"] != name {
			out = append(out, e)
		}
	}
	container(t, d)["env"] = out
}

// lineDiff returns a unified-style diff of two texts (a longest common subsequence of lines,
// with 3 lines of context), or "" when they are equal.
func lineDiff(a, b string) string {
	if a == b {
		return ""
	}
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j] is the length of the longest common subsequence of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var lines []line
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			lines = append(lines, line{' ', x[i]})
			i++
			j++
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			lines = append(lines, line{'-', x[i]})
			i++
		default:
			lines = append(lines, line{'+', y[j]})
			j++
		}
	}
	const context = 3
	var out strings.Builder
	last := -1 // the last line written
	for n, l := range lines {
		if l.op == ' ' {
			continue
		}
		from := max(n-context, last+1)
		if last >= 0 && from > last+1 {
			out.WriteString("  ...\n")
		}
		for k := from; k <= n; k++ {
			out.WriteString(string(lines[k].op) + " " + lines[k].text + "\n")
		}
		last = n
		for k := n + 1; k < len(lines) && k <= n+context && lines[k].op == ' '; k++ {
			out.WriteString("  " + lines[k].text + "\n")
			last = k
		}
	}
	return out.String()
}
