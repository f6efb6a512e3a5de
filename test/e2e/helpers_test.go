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

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

const kwokNode = "kwok-node-0"

var bg = context.Background()

func randSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// begin prepares a test: on failure, it prints the tail of the control plane's logs at the end.
func begin(t *testing.T) {
	t.Helper()
	start := time.Now()
	t.Cleanup(func() {
		if t.Failed() {
			var b strings.Builder
			printComponentLogs(&b, 25)
			t.Logf("control plane logs (.local/logs):\n%s", b.String())
		}
		t.Logf("%s took %s", t.Name(), time.Since(start).Round(time.Millisecond))
	})
}

// newNamespace creates a namespace for the test and deletes it at the end.
func newNamespace(t *testing.T, tag string) string {
	t.Helper()
	base := strings.Trim(nonName.ReplaceAllString(strings.ToLower(strings.TrimPrefix(t.Name(), "Test")), "-"), "-")
	if len(base) > 30 {
		base = base[:30]
	}
	name := "e2e-" + base
	if tag != "" {
		name += "-" + tag
	}
	name += "-" + randSuffix()
	_, err := kube.CoreV1().Namespaces().Create(bg, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: name, Labels: map[string]string{"kmm-e2e": "true"},
	}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		if os.Getenv(envKeepNamespaces) != "" {
			return
		}
		_ = kube.CoreV1().Namespaces().Delete(bg, name, metav1.DeleteOptions{})
	})
	return name
}

// eventually polls cond every 50 ms until it is true, for at most timeout, and returns how long
// it took. cond returns a description of what it saw: the sequence of different descriptions is
// reported on a timeout, and logged when the wait took longer than slowWait.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	last := ""
	var seen []string
	err := wait.PollUntilContextTimeout(bg, 50*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		ok, state := cond()
		if state != last || len(seen) == 0 {
			if len(seen) == maxStates {
				seen = append(seen, "...")
			} else if len(seen) < maxStates {
				seen = append(seen, fmt.Sprintf("+%s %s", time.Since(start).Round(time.Millisecond), state))
			}
		}
		last = state
		return ok, nil
	})
	took := time.Since(start)
	if err != nil {
		t.Fatalf("timed out after %s waiting for %s; last seen: %s\nseen:\n  %s", timeout, what, last, strings.Join(seen, "\n  "))
	}
	if took > slowWait {
		t.Logf("slow: waiting for %s took %s; seen:\n  %s", what, took.Round(time.Millisecond), strings.Join(seen, "\n  "))
	}
	return took
}

const (
	maxStates = 30
	slowWait  = 15 * time.Second
)

// kubectl runs bin/kubectl with the admin kubeconfig.
func kubectl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(kubectlPath, append([]string{"--kubeconfig", adminKubeconfig}, args...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// ---- KafkaMirrorMakers -------------------------------------------------------------------

// exampleFile returns the content of artifacts/examples/<name>.
func exampleFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "artifacts/examples", name))
	require.NoError(t, err)
	return b
}

// minimalMirrorMaker is artifacts/examples/kafka-mirror-maker.yaml with another name.
func minimalMirrorMaker(t *testing.T, ns, name string) *v1beta2.KafkaMirrorMaker {
	t.Helper()
	k := &v1beta2.KafkaMirrorMaker{}
	require.NoError(t, yaml.Unmarshal(exampleFile(t, "kafka-mirror-maker.yaml"), k))
	k.Namespace = ns
	if name != "" {
		k.Name = name
	}
	return k
}

// mirrorMakerFromYAML decodes a KafkaMirrorMaker written in YAML, in namespace ns.
func mirrorMakerFromYAML(t *testing.T, ns, text string) *v1beta2.KafkaMirrorMaker {
	t.Helper()
	k := &v1beta2.KafkaMirrorMaker{}
	require.NoError(t, yaml.UnmarshalStrict([]byte(text), k))
	k.Namespace = ns
	return k
}

func createKMM(t *testing.T, k *v1beta2.KafkaMirrorMaker) *v1beta2.KafkaMirrorMaker {
	t.Helper()
	out, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(k.Namespace).Create(bg, k, metav1.CreateOptions{})
	require.NoError(t, err)
	return out
}

func getKMM(t *testing.T, ns, name string) *v1beta2.KafkaMirrorMaker {
	t.Helper()
	k, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Get(bg, name, metav1.GetOptions{})
	require.NoError(t, err)
	return k
}

// updateKMM re-reads the resource, applies change and updates it, retrying on conflicts (the
// operator writes the status concurrently).
func updateKMM(t *testing.T, ns, name string, change func(k *v1beta2.KafkaMirrorMaker)) *v1beta2.KafkaMirrorMaker {
	t.Helper()
	var out *v1beta2.KafkaMirrorMaker
	for i := 0; ; i++ {
		k := getKMM(t, ns, name)
		change(k)
		var err error
		out, err = kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Update(bg, k, metav1.UpdateOptions{})
		if err == nil {
			return out
		}
		if !apierrors.IsConflict(err) || i == 10 {
			require.NoError(t, err)
		}
	}
}

func findCondition(k *v1beta2.KafkaMirrorMaker, typ string) *v1beta2.Condition {
	if k == nil || k.Status == nil {
		return nil
	}
	for i := range k.Status.Conditions {
		if ptr.Deref(k.Status.Conditions[i].Type, "") == typ {
			return &k.Status.Conditions[i]
		}
	}
	return nil
}

// describeStatus summarises the status for failure messages.
func describeStatus(k *v1beta2.KafkaMirrorMaker) string {
	if k == nil {
		return "<no resource>"
	}
	if k.Status == nil {
		return fmt.Sprintf("generation %d, no status", k.Generation)
	}
	var conds []string
	for _, c := range k.Status.Conditions {
		conds = append(conds, fmt.Sprintf("%s=%s/%s/%q", ptr.Deref(c.Type, ""), ptr.Deref(c.Status, ""), ptr.Deref(c.Reason, ""), ptr.Deref(c.Message, "")))
	}
	return fmt.Sprintf("generation %d, observedGeneration %d, replicas %d, conditions %v", k.Generation,
		ptr.Deref(k.Status.ObservedGeneration, -1), ptr.Deref(k.Status.Replicas, -1), conds)
}

// isReady: Ready=True for the current generation.
func isReady(k *v1beta2.KafkaMirrorMaker) bool {
	c := findCondition(k, v1beta2.ConditionReady)
	return c != nil && ptr.Deref(c.Status, "") == "True" && k.Status.ObservedGeneration != nil && *k.Status.ObservedGeneration == k.Generation
}

// waitKMM waits until cond holds for the resource and returns it and how long that took.
func waitKMM(t *testing.T, ns, name string, timeout time.Duration, what string, cond func(k *v1beta2.KafkaMirrorMaker) bool) (*v1beta2.KafkaMirrorMaker, time.Duration) {
	t.Helper()
	var k *v1beta2.KafkaMirrorMaker
	took := eventually(t, timeout, fmt.Sprintf("KafkaMirrorMaker %s/%s %s", ns, name, what), func() (bool, string) {
		var err error
		k, err = kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Get(bg, name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return cond(k), describeStatus(k)
	})
	return k, took
}

func waitKMMReady(t *testing.T, ns, name string) (*v1beta2.KafkaMirrorMaker, time.Duration) {
	t.Helper()
	return waitKMM(t, ns, name, 3*time.Minute, "Ready", isReady)
}

// notReadyWith: a NotReady condition with exactly this reason and message.
func notReadyWith(reason, message string) func(k *v1beta2.KafkaMirrorMaker) bool {
	return func(k *v1beta2.KafkaMirrorMaker) bool {
		c := findCondition(k, v1beta2.ConditionNotReady)
		return c != nil && ptr.Deref(c.Status, "") == "True" && ptr.Deref(c.Reason, "") == reason && ptr.Deref(c.Message, "") == message &&
			k.Status.ObservedGeneration != nil && *k.Status.ObservedGeneration == k.Generation
	}
}

// ---- children ----------------------------------------------------------------------------

func deploymentName(kmm string) string { return kmm + "-mirror-maker" }
func configMapName(kmm string) string  { return kmm + "-mirror-maker-config" }

func getDeployment(t *testing.T, ns, name string) *appsv1.Deployment {
	t.Helper()
	d, err := kube.AppsV1().Deployments(ns).Get(bg, name, metav1.GetOptions{})
	require.NoError(t, err)
	return d
}

// selectorOf is the label selector of the children of KafkaMirrorMaker name.
func selectorOf(name string) string {
	return labels.SelectorFromSet(map[string]string{
		model.LabelCluster: name, model.LabelName: deploymentName(name), model.LabelKind: model.Kind,
	}).String()
}

func listPods(t *testing.T, ns, kmm string) []corev1.Pod {
	t.Helper()
	l, err := kube.CoreV1().Pods(ns).List(bg, metav1.ListOptions{LabelSelector: selectorOf(kmm)})
	require.NoError(t, err)
	return l.Items
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// replicaSets returns the ReplicaSets of the mirror's Deployment by name, with their UIDs.
func replicaSets(t *testing.T, ns, kmm string) map[string]string {
	t.Helper()
	l, err := kube.AppsV1().ReplicaSets(ns).List(bg, metav1.ListOptions{LabelSelector: selectorOf(kmm)})
	require.NoError(t, err)
	out := map[string]string{}
	for _, rs := range l.Items {
		out[rs.Name] = string(rs.UID)
	}
	return out
}

// podUIDs returns the mirror's Pods by name, with their UIDs.
func podUIDs(t *testing.T, ns, kmm string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range listPods(t, ns, kmm) {
		out[p.Name] = string(p.UID)
	}
	return out
}

// waitPodsReady waits until the mirror has exactly n Pods, all on the kwok node and Ready.
func waitPodsReady(t *testing.T, ns, kmm string, n int) time.Duration {
	t.Helper()
	return eventually(t, 2*time.Minute, fmt.Sprintf("%d Ready Pods of %s/%s on %s", n, ns, kmm, kwokNode), func() (bool, string) {
		pods := listPods(t, ns, kmm)
		ready := 0
		var seen []string
		for i := range pods {
			p := &pods[i]
			seen = append(seen, fmt.Sprintf("%s node=%q phase=%s ready=%v deleting=%v", p.Name, p.Spec.NodeName, p.Status.Phase, podReady(p), p.DeletionTimestamp != nil))
			if p.Spec.NodeName == kwokNode && podReady(p) && p.DeletionTimestamp == nil {
				ready++
			}
		}
		return len(pods) == n && ready == n, strings.Join(seen, "; ")
	})
}

// rolloutComplete: the Deployment controller has observed the current generation and every
// replica runs the current template and is available.
func rolloutComplete(d *appsv1.Deployment) bool {
	want := ptr.Deref(d.Spec.Replicas, 1)
	return d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas == want &&
		d.Status.Replicas == want && d.Status.AvailableReplicas == want
}

// ---- events ------------------------------------------------------------------------------

// waitEvent waits for an Event on the KafkaMirrorMaker with this type and reason whose message
// satisfies match, and returns it.
func waitEvent(t *testing.T, ns, kmm, typ, reason string, match func(msg string) bool) *corev1.Event {
	t.Helper()
	var found *corev1.Event
	eventually(t, 30*time.Second, fmt.Sprintf("%s Event %s on KafkaMirrorMaker %s/%s", typ, reason, ns, kmm), func() (bool, string) {
		l, err := kube.CoreV1().Events(ns).List(bg, metav1.ListOptions{FieldSelector: fields.Set{
			"involvedObject.kind": model.Kind, "involvedObject.name": kmm,
		}.String()})
		if err != nil {
			return false, err.Error()
		}
		var seen []string
		for i := range l.Items {
			e := &l.Items[i]
			seen = append(seen, fmt.Sprintf("%s %s %q", e.Type, e.Reason, e.Message))
			if e.Type == typ && e.Reason == reason && match(e.Message) {
				found = e
				return true, ""
			}
		}
		return false, strings.Join(seen, "; ")
	})
	return found
}

// ---- watches -----------------------------------------------------------------------------

// watchUntil watches with w (started at resourceVersion rv) until cond holds for an event's
// object, and returns that object and how long after start the event arrived. The watch is
// re-opened if the server closes it. It does not touch t, so it may run in another goroutine.
func watchUntil(start time.Time, timeout time.Duration, what string, rv string,
	w func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error),
	cond func(ev watch.EventType, obj runtime.Object) bool) (runtime.Object, time.Duration, error) {
	ctx, cancel := context.WithDeadline(bg, start.Add(timeout))
	defer cancel()
	for {
		wi, err := w(ctx, metav1.ListOptions{ResourceVersion: rv, AllowWatchBookmarks: true})
		if err != nil {
			if ctx.Err() != nil {
				return nil, 0, fmt.Errorf("timed out after %s waiting for %s", timeout, what)
			}
			return nil, 0, fmt.Errorf("watching for %s: %w", what, err)
		}
		for ev := range wi.ResultChan() {
			if ev.Type == watch.Error {
				wi.Stop()
				return nil, 0, fmt.Errorf("watch error while waiting for %s: %v", what, apierrors.FromObject(ev.Object))
			}
			if m, err := metaAccessor(ev.Object); err == nil {
				rv = m.GetResourceVersion()
			}
			if ev.Type == watch.Bookmark {
				continue
			}
			if cond(ev.Type, ev.Object) {
				wi.Stop()
				return ev.Object, time.Since(start), nil
			}
		}
		wi.Stop()
		if ctx.Err() != nil {
			return nil, 0, fmt.Errorf("timed out after %s waiting for %s", timeout, what)
		}
	}
}

func metaAccessor(obj runtime.Object) (metav1.Object, error) {
	m, ok := obj.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("%T has no metadata", obj)
	}
	return m, nil
}

// ---- comparing rendered and live objects -------------------------------------------------

// toMap converts an object to its generic JSON form without nulls.
func toMap(t *testing.T, obj any) map[string]any {
	t.Helper()
	b, err := json.Marshal(obj)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	pruneNulls(m)
	return m
}

func pruneNulls(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			pruneNulls(e)
		}
	case []any:
		for _, e := range x {
			pruneNulls(e)
		}
	}
}

// requireContains fails unless every field of want has its value in live (maps: the keys of
// want; lists: the same length with each item contained; scalars: equal), which is what "the
// live object is the rendered one" means when the API server adds defaults and metadata.
func requireContains(t *testing.T, live, want any, what string) {
	t.Helper()
	l, w := toMap(t, live), toMap(t, want)
	delete(w, "status")
	delete(w, "apiVersion")
	delete(w, "kind")
	if md, ok := w["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	if path, ok := contains(l, w, ""); !ok {
		lj, _ := json.MarshalIndent(l, "", "  ")
		wj, _ := json.MarshalIndent(w, "", "  ")
		t.Fatalf("%s differs from the rendered object at %s\nrendered: %s\nlive: %s", what, path, wj, lj)
	}
}

func contains(have, want any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return path, len(w) == 0 && have == nil
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			hv, ok := h[k]
			if !ok {
				if isEmpty(w[k]) {
					continue
				}
				return path + "." + k + " (missing)", false
			}
			if p, ok := contains(hv, w[k], path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		h, ok := have.([]any)
		if !ok {
			return path, len(w) == 0 && have == nil
		}
		if len(h) != len(w) {
			return fmt.Sprintf("%s (%d items, want %d)", path, len(h), len(w)), false
		}
		for i := range w {
			if p, ok := contains(h[i], w[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	default:
		if !reflect.DeepEqual(have, want) {
			return fmt.Sprintf("%s (%v, want %v)", path, have, want), false
		}
		return "", true
	}
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// liveSecrets and liveConfigMaps read the model's referenced objects from the API server.
type liveSecrets struct{ ns string }

func (l liveSecrets) Get(name string) (*corev1.Secret, error) {
	return kube.CoreV1().Secrets(l.ns).Get(bg, name, metav1.GetOptions{})
}

type liveConfigMaps struct{ ns string }

func (l liveConfigMaps) Get(name string) (*corev1.ConfigMap, error) {
	return kube.CoreV1().ConfigMaps(l.ns).Get(bg, name, metav1.GetOptions{})
}

// render renders the live resource with the operator's default settings and the live Secrets
// and ConfigMaps: what the operator must have produced.
func render(t *testing.T, k *v1beta2.KafkaMirrorMaker) *model.Rendered {
	t.Helper()
	r, err := model.Render(k, model.DefaultSettings(), liveSecrets{k.Namespace}, liveConfigMaps{k.Namespace})
	require.NoError(t, err)
	return r
}

// templateWithout returns the Deployment's Pod template as JSON without the given annotations.
func templateWithout(t *testing.T, d *appsv1.Deployment, annotations ...string) string {
	t.Helper()
	tpl := d.Spec.Template.DeepCopy()
	for _, a := range annotations {
		delete(tpl.Annotations, a)
	}
	b, err := json.Marshal(tpl)
	require.NoError(t, err)
	return string(b)
}

// ---- RBAC --------------------------------------------------------------------------------

// readInstall decodes a manifest of artifacts/install.
func readInstall(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "artifacts/install", path))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, into))
}

// grantRole creates, in ns, the Role and RoleBinding of the install manifests (paths under
// artifacts/install) bound to subject.
func grantRole(t *testing.T, ns, rolePath, bindingPath string, subject rbacv1.Subject) {
	t.Helper()
	role := &rbacv1.Role{}
	readInstall(t, rolePath, role)
	role.Namespace = ns
	_, err := kube.RbacV1().Roles(ns).Create(bg, role, metav1.CreateOptions{})
	require.NoError(t, err)
	rb := &rbacv1.RoleBinding{}
	readInstall(t, bindingPath, rb)
	rb.Namespace = ns
	rb.Subjects = []rbacv1.Subject{subject}
	_, err = kube.RbacV1().RoleBindings(ns).Create(bg, rb, metav1.CreateOptions{})
	require.NoError(t, err)
}

// waitAllowed waits until user may do verb on the resource (the authorizer has seen the bindings).
func waitAllowed(t *testing.T, user, ns, verb, group, resource, name string) {
	t.Helper()
	eventually(t, 20*time.Second, fmt.Sprintf("%s may %s %s in %s", user, verb, resource, ns), func() (bool, string) {
		r, err := kube.AuthorizationV1().SubjectAccessReviews().Create(bg, &authorizationv1.SubjectAccessReview{
			Spec: authorizationv1.SubjectAccessReviewSpec{User: user, ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: ns, Verb: verb, Group: group, Resource: resource, Name: name,
			}},
		}, metav1.CreateOptions{})
		if err != nil {
			return false, err.Error()
		}
		return r.Status.Allowed, r.Status.Reason
	})
}

// serviceAccountKubeconfig writes a kubeconfig with a token of ServiceAccount ns/name.
func serviceAccountKubeconfig(t *testing.T, ns, name string) string {
	t.Helper()
	tr, err := kube.CoreV1().ServiceAccounts(ns).CreateToken(bg, name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	var b bytes.Buffer
	fmt.Fprintf(&b, `apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: %q, certificate-authority: %q}}]
users: [{name: %s, user: {token: %q}}]
contexts: [{name: local, context: {cluster: local, user: %s, namespace: %s}}]
current-context: local
`, adminConfig.Host, adminConfig.TLSClientConfig.CAFile, name, tr.Status.Token, name, ns)
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
	return path
}
