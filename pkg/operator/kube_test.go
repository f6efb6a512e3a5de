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
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	fakediscovery "k8s.io/client-go/discovery/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/ktesting"
)

// lockedBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runMain runs Main and restores klog's global logger afterwards (Main replaces it).
func runMain(t *testing.T, args []string, env map[string]string) (int, *lockedBuffer, *lockedBuffer) {
	t.Helper()
	var stdout, stderr lockedBuffer
	t.Cleanup(klog.ClearLogger)
	code := Main(args, &stdout, &stderr, envMap(env))
	return code, &stdout, &stderr
}

func TestCheckAPIWithDiscovery(t *testing.T) {
	_, ctx := ktesting.NewTestContext(t)
	d := &fakediscovery.FakeDiscovery{Fake: &clienttesting.Fake{}}

	// CRD missing: fails at once, naming the CRD.
	start := time.Now()
	err := checkAPI(ctx, d, "https://api", 10*time.Second)
	require.ErrorContains(t, err, "the KafkaMirrorMaker CRD is not installed")
	require.Less(t, time.Since(start), 2*time.Second, "a missing CRD must not be retried until the timeout")

	// The group version without the resource.
	d.Resources = []*metav1.APIResourceList{{GroupVersion: "kafka.strimzi.io/v1beta2", APIResources: []metav1.APIResource{{Name: "kafkamirrormaker2s"}}}}
	require.ErrorContains(t, checkAPI(ctx, d, "https://api", 10*time.Second), "not its kafkamirrormakers resource")

	d.Resources[0].APIResources = append(d.Resources[0].APIResources, metav1.APIResource{Name: "kafkamirrormakers"})
	require.NoError(t, checkAPI(ctx, d, "https://api", 10*time.Second))
}

func TestCheckAPIUnreachable(t *testing.T) {
	_, ctx := ktesting.NewTestContext(t)
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	d, err := discovery.NewDiscoveryClientForConfig(&rest.Config{Host: "http://" + addr})
	require.NoError(t, err)
	start := time.Now()
	err = checkAPI(ctx, d, "http://"+addr, 2*time.Second)
	require.ErrorContains(t, err, "is not reachable (gave up after 2s")
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestCheckAPIRetriesUntilUp(t *testing.T) {
	_, ctx := ktesting.NewTestContext(t)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"kafka.strimzi.io/v1beta2","resources":[{"name":"kafkamirrormakers","namespaced":true,"kind":"KafkaMirrorMaker","verbs":["get"]}]}`)
	}))
	defer srv.Close()
	d, err := discovery.NewDiscoveryClientForConfig(&rest.Config{Host: srv.URL})
	require.NoError(t, err)
	require.NoError(t, checkAPI(ctx, d, srv.URL, 20*time.Second))
	require.GreaterOrEqual(t, calls.Load(), int32(3))
}

// TestMainUnreachable runs the whole command against an API server that is not there: it must
// exit 1 within the check timeout with a clear message, not hang.
func TestMainUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://%s"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, addr)), 0o600))
	start := time.Now()
	code, _, stderr := runMain(t, []string{"--kubeconfig", kubeconfig, "--http-address=127.0.0.1:0"},
		map[string]string{"KMM_API_CHECK_TIMEOUT": "2s", "KMM_LOG_FORMAT": "json"})
	require.Equal(t, ExitFailure, code)
	require.Less(t, time.Since(start), 6*time.Second)
	require.Contains(t, stderr.String(), "is not reachable")
	require.Contains(t, stderr.String(), addr)
	// JSON logging: every line is an object.
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		require.True(t, strings.HasPrefix(line, "{") && strings.HasSuffix(line, "}"), "not JSON: %s", line)
	}
}

func TestCheckPermissions(t *testing.T) {
	_, ctx := ktesting.NewTestContext(t)
	// allow decides each access review.
	client := func(allow func(a *authorizationv1.ResourceAttributes) bool) *kubefake.Clientset {
		c := kubefake.NewClientset()
		c.PrependReactor("create", "selfsubjectaccessreviews", func(action clienttesting.Action) (bool, runtime.Object, error) {
			r := action.(clienttesting.CreateAction).GetObject().(*authorizationv1.SelfSubjectAccessReview)
			r.Status.Allowed = allow(r.Spec.ResourceAttributes)
			return true, r, nil
		})
		return c
	}
	cfg := defaultConfig()
	require.NoError(t, checkPermissions(ctx, client(func(*authorizationv1.ResourceAttributes) bool { return true }), &cfg))

	// No access to the resource: fatal, and every missing permission is named.
	err := checkPermissions(ctx, client(func(a *authorizationv1.ResourceAttributes) bool {
		return a.Resource != "kafkamirrormakers" && a.Resource != "secrets"
	}), &cfg)
	require.ErrorContains(t, err, "list kafkamirrormakers.kafka.strimzi.io in all namespaces")
	require.ErrorContains(t, err, "get secrets in all namespaces")

	// Only Secrets missing: a warning, not fatal.
	require.NoError(t, checkPermissions(ctx, client(func(a *authorizationv1.ResourceAttributes) bool { return a.Resource != "secrets" }), &cfg))

	// Namespaced: checked per namespace; leases in the Lease namespace.
	cfg.Namespaces = []string{"a", "b"}
	cfg.LeaderElection.Enabled = true
	cfg.LeaderElection.LeaseNamespace = "ops"
	var seen []string
	err = checkPermissions(ctx, client(func(a *authorizationv1.ResourceAttributes) bool {
		seen = append(seen, a.Namespace+"/"+a.Resource)
		return !(a.Resource == "leases" && a.Verb == "update")
	}), &cfg)
	require.ErrorContains(t, err, "update leases.coordination.k8s.io kmm-operator in namespace ops")
	require.Contains(t, seen, "a/kafkamirrormakers")
	require.Contains(t, seen, "b/deployments")
	require.NotContains(t, seen, "/kafkamirrormakers")
}

// TestNewClientsRequests: every client of the operator identifies itself and asks for no gzip
// (see NewClients). The server speaks TLS, as API servers do: client-go applies the setting to
// the transports it builds for TLS.
func TestNewClientsRequests(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%s accept-encoding=%q", r.UserAgent(), r.Header.Get("Accept-Encoding")))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`)
	}))
	defer srv.Close()
	cfg := testConfig()
	c, err := NewClients(&rest.Config{Host: srv.URL, TLSClientConfig: rest.TLSClientConfig{Insecure: true}}, &cfg, nil)
	require.NoError(t, err)
	ctx := t.Context()
	_, err = c.KMM.KafkaV1beta2().KafkaMirrorMakers("ns").Get(ctx, "x", metav1.GetOptions{})
	require.Error(t, err)
	_, err = c.Kube.CoreV1().Secrets("ns").Get(ctx, "x", metav1.GetOptions{})
	require.Error(t, err)
	_, err = c.Election.CoordinationV1().Leases("ns").Get(ctx, "x", metav1.GetOptions{})
	require.Error(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 3)
	for _, s := range seen {
		require.True(t, strings.HasPrefix(s, "kmm-operator/"), s)
		require.True(t, strings.HasSuffix(s, `accept-encoding=""`), s)
	}
}
