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

package clustertest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var update = flag.Bool("update", false, "regenerate artifacts/install/generated/*.yaml from the kustomizations")

// The single-file installs, generated from the kustomizations.
var generated = []struct{ kustomization, file string }{
	{"artifacts/install", "artifacts/install/generated/kmm-operator.yaml"},
	{"artifacts/install/namespaced", "artifacts/install/generated/kmm-operator-namespaced.yaml"},
}

const generatedHeader = "# Generated from %s by `go test ./pkg/operator/clustertest -run TestGeneratedInstallFiles -update`\n" +
	"# (bin/kubectl kustomize %s). Do not edit; edit the kustomization instead.\n"

// TestGeneratedInstallFiles checks that the single-file installs are what the kustomizations
// produce.
func TestGeneratedInstallFiles(t *testing.T) {
	for _, g := range generated {
		out, err := runKubectl(t, "kustomize", g.kustomization)
		require.NoError(t, err, out)
		want := fmt.Sprintf(generatedHeader, g.kustomization, g.kustomization) + out
		path := filepath.Join(root, g.file)
		if *update {
			require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, want, string(got), "%s is stale: go test ./pkg/operator/clustertest -run TestGeneratedInstallFiles -update", g.file)
	}
}

// TestInstallManifestsDryRun applies both install variants, as kustomizations and as single
// files, with --dry-run=server: the API server validates every object (CRD, RBAC, the
// Deployment against the restricted Pod Security Standard of the operator namespace).
func TestInstallManifestsDryRun(t *testing.T) {
	// A dry run does not create the namespaces, so the objects in them need real ones. The
	// operator namespace gets the Pod Security labels of the manifest, so that admission warns
	// about a Deployment that would violate them.
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kmm-operator", Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted",
	}}}
	if _, err := admin.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err == nil {
		t.Cleanup(func() { _ = admin.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{}) })
	} else if !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
	ensureNamespace(t, "kafka")

	common := []string{
		"namespace/kmm-operator", "customresourcedefinition.apiextensions.k8s.io/kafkamirrormakers.kafka.strimzi.io",
		"serviceaccount/kmm-operator", "role.rbac.authorization.k8s.io/kmm-operator-leader-election",
		"rolebinding.rbac.authorization.k8s.io/kmm-operator-leader-election", "deployment.apps/kmm-operator",
		"poddisruptionbudget.policy/kmm-operator",
	}
	clusterWide := append([]string{"clusterrole.rbac.authorization.k8s.io/kmm-operator", "clusterrolebinding.rbac.authorization.k8s.io/kmm-operator"}, common...)
	namespaced := append([]string{"role.rbac.authorization.k8s.io/kmm-operator", "rolebinding.rbac.authorization.k8s.io/kmm-operator"}, common...)
	for _, tc := range []struct {
		name   string
		args   []string
		want   []string
		absent []string
	}{
		{"cluster-wide kustomization", []string{"-k", "artifacts/install"}, clusterWide, nil},
		{"namespaced kustomization", []string{"-k", "artifacts/install/namespaced"}, namespaced, []string{"clusterrole"}},
		{"cluster-wide single file", []string{"-f", generated[0].file}, clusterWide, nil},
		{"namespaced single file", []string{"-f", generated[1].file}, namespaced, []string{"clusterrole"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runKubectl(t, append([]string{"apply", "--dry-run=server"}, tc.args...)...)
			require.NoError(t, err, out)
			t.Logf("kubectl apply --dry-run=server %v:\n%s", tc.args, out)
			for _, w := range tc.want {
				require.Contains(t, out, w)
			}
			for _, a := range tc.absent {
				require.NotContains(t, out, a)
			}
			require.NotContains(t, out, "PodSecurity", "the Deployment must satisfy the restricted Pod Security Standard")
			for _, line := range strings.Split(out, "\n") {
				// kubectl's note on objects created by server-side apply (cluster.sh, this test) is expected.
				if strings.HasPrefix(line, "Warning:") && !strings.Contains(line, "last-applied-configuration") {
					t.Errorf("unexpected warning: %s", line)
				}
			}
		})
	}
}
