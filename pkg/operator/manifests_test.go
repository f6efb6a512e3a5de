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
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// The install manifests, checked without a cluster (pkg/operator/clustertest applies them).
const installDir = "../../artifacts/install"

func readManifest(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(installDir, path))
	require.NoError(t, err)
	require.NoError(t, yaml.UnmarshalStrict(b, into), path)
}

// allows reports whether rules grant verb on group/resource (resourceName "" = any name).
func allows(rules []rbacv1.PolicyRule, verb, group, resource, resourceName string) bool {
	for _, r := range rules {
		if (slices.Contains(r.Verbs, verb) || slices.Contains(r.Verbs, "*")) &&
			slices.Contains(r.APIGroups, group) && slices.Contains(r.Resources, resource) &&
			(len(r.ResourceNames) == 0 || slices.Contains(r.ResourceNames, resourceName)) {
			return true
		}
	}
	return false
}

func TestInstallRBAC(t *testing.T) {
	var clusterRole rbacv1.ClusterRole
	readManifest(t, "020-ClusterRole-kmm-operator.yaml", &clusterRole)
	require.Equal(t, "kmm-operator", clusterRole.Name, "hack/cluster/cluster.sh binds ClusterRole kmm-operator")

	// Everything the start-up check asks for is granted.
	for _, p := range requiredPermissions {
		res := p.resource
		if p.subresource != "" {
			res += "/" + p.subresource
		}
		require.True(t, allows(clusterRole.Rules, p.verb, p.group, res, ""), "ClusterRole lacks %s %s.%s", p.verb, res, p.group)
	}
	// Nothing cluster-wide beyond the operator's job: no leases, no deletes, no wildcards, no
	// writes to Secrets.
	for _, r := range clusterRole.Rules {
		require.NotContains(t, r.Resources, "leases")
		require.NotContains(t, r.Verbs, "delete")
		require.NotContains(t, r.Verbs, "*")
		require.NotContains(t, r.Resources, "*")
		if slices.Contains(r.Resources, "secrets") {
			require.ElementsMatch(t, []string{"get", "list", "watch"}, r.Verbs)
		}
	}

	// The namespaced variant grants exactly the same rules with a Role.
	var role rbacv1.Role
	readManifest(t, "namespaced/020-Role-kmm-operator.yaml", &role)
	require.Equal(t, clusterRole.Rules, role.Rules, "namespaced/020-Role-kmm-operator.yaml must match the ClusterRole")
	var rb rbacv1.RoleBinding
	readManifest(t, "namespaced/021-RoleBinding-kmm-operator.yaml", &rb)
	require.Equal(t, role.Namespace, rb.Namespace)
	require.Equal(t, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name}, rb.RoleRef)
	require.Equal(t, []rbacv1.Subject{{Kind: "ServiceAccount", Name: "kmm-operator", Namespace: "kmm-operator"}}, rb.Subjects)

	var crb rbacv1.ClusterRoleBinding
	readManifest(t, "cluster-wide/021-ClusterRoleBinding-kmm-operator.yaml", &crb)
	require.Equal(t, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "kmm-operator"}, crb.RoleRef)
	require.Equal(t, []rbacv1.Subject{{Kind: "ServiceAccount", Name: "kmm-operator", Namespace: "kmm-operator"}}, crb.Subjects)

	// Leader election: the Lease the Deployment uses, in the operator's namespace.
	var leRole rbacv1.Role
	readManifest(t, "base/030-Role-kmm-operator-leader-election.yaml", &leRole)
	require.Equal(t, "kmm-operator", leRole.Namespace)
	for _, p := range leasePermissions {
		require.True(t, allows(leRole.Rules, p.verb, p.group, p.resource, DefaultLeaseName), "lease Role lacks %s %s", p.verb, p.resource)
	}
	require.False(t, allows(leRole.Rules, "update", "coordination.k8s.io", "leases", "kube-controller-manager"), "only the operator's own Lease")
	require.True(t, allows(leRole.Rules, "create", "", "events", ""), "leader election records Events on the Lease")
}

func TestInstallDeployment(t *testing.T) {
	var d appsv1.Deployment
	readManifest(t, "base/060-Deployment-kmm-operator.yaml", &d)
	require.Equal(t, int32(2), *d.Spec.Replicas)
	pod := d.Spec.Template.Spec
	require.Equal(t, "kmm-operator", pod.ServiceAccountName)
	require.True(t, *pod.SecurityContext.RunAsNonRoot)
	require.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, pod.SecurityContext.SeccompProfile.Type)
	require.Len(t, pod.Containers, 1)
	c := pod.Containers[0]
	sc := c.SecurityContext
	require.False(t, *sc.AllowPrivilegeEscalation)
	require.True(t, *sc.ReadOnlyRootFilesystem)
	require.True(t, *sc.RunAsNonRoot)
	require.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
	require.Empty(t, sc.Capabilities.Add)
	require.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path)
	require.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path)
	require.Equal(t, int32(8080), c.Ports[0].ContainerPort)
	require.False(t, c.Resources.Requests.Memory().IsZero())
	require.False(t, c.Resources.Requests.Cpu().IsZero())
	require.False(t, c.Resources.Limits.Memory().IsZero())

	// Every variable is one the operator reads, with a valid value.
	known := map[string]bool{"GOMEMLIMIT": true}
	for _, o := range options() {
		known[o.env] = true
	}
	env := map[string]string{}
	for _, e := range c.Env {
		require.True(t, known[e.Name], "unknown variable %s", e.Name)
		if e.ValueFrom != nil {
			env[e.Name] = "from-field" // the downward API: namespace, Pod name
		} else {
			env[e.Name] = e.Value
		}
	}
	require.Equal(t, "true", env["STRIMZI_LEADER_ELECTION_ENABLED"])
	require.Equal(t, DefaultLeaseName, env["STRIMZI_LEADER_ELECTION_LEASE_NAME"])
	require.Contains(t, env, "STRIMZI_KAFKA_MIRROR_MAKER_IMAGES")
	env["STRIMZI_LEADER_ELECTION_LEASE_NAMESPACE"] = "kmm-operator"
	env["STRIMZI_LEADER_ELECTION_IDENTITY"] = "kmm-operator-abc"
	cfg, err := ParseConfig(c.Args[1:], envMap(env))
	require.NoError(t, err)
	require.True(t, cfg.WatchesAllNamespaces())
	require.Len(t, cfg.Settings.Images, 5)
}

// TestInstallCRDCopy: kustomize cannot load files outside a kustomization's directory, so
// base/ carries a copy of the CRD; it must be the generated one.
func TestInstallCRDCopy(t *testing.T) {
	want, err := os.ReadFile("../../artifacts/crds/kafkamirrormakers.kafka.strimzi.io.yaml")
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(installDir, "base/040-Crd-kafkamirrormakers.yaml"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "artifacts/install/base/040-Crd-kafkamirrormakers.yaml is stale: "+
		"cp artifacts/crds/kafkamirrormakers.kafka.strimzi.io.yaml artifacts/install/base/040-Crd-kafkamirrormakers.yaml "+
		"(and regenerate artifacts/install/generated: go test ./pkg/operator/clustertest -run TestGeneratedInstallFiles -update)")
}
