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

package incluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestNamespacedInstall: `make deploy DEPLOY_VARIANT=namespaced` (artifacts/install/namespaced)
// runs on the real node with Roles in the watched namespace "kafka" only: it reconciles a
// KafkaMirrorMaker there to Ready and leaves one in another namespace alone.
func TestNamespacedInstall(t *testing.T) {
	deploy(t, "namespaced")
	pods := operatorPods(t, 2)
	for _, p := range pods {
		assert.Equal(t, realNode, p.Spec.NodeName, "pod %s", p.Name)
	}
	assert.Contains(t, []string{pods[0].Name, pods[1].Name}, leaseHolder(t))

	assert.ElementsMatch(t, []string{
		"RoleBinding kafka/kmm-operator -> Role/kmm-operator",
		"RoleBinding kmm-operator/kmm-operator-leader-election -> Role/kmm-operator-leader-election",
	}, bindingsOf(t, "kmm-operator", operatorNamespace), "only the namespaced install's bindings")
	var wantRole rbacv1.Role
	readManifest(t, "artifacts/install/namespaced/020-Role-kmm-operator.yaml", &wantRole)
	role, err := kube.RbacV1().Roles("kafka").Get(bg, "kmm-operator", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, wantRole.Rules, role.Rules)
	assert.False(t, allowed(t, operatorSA, nil, "default", "list", "", "secrets", ""), "no Secrets outside the watched namespace")
	assert.False(t, allowed(t, operatorSA, nil, "", "list", "apps", "deployments", ""), "no cluster-wide Deployments")

	// One in "kafka" (created by hack/deploy.sh), one elsewhere.
	watched := createMinimalKMM(t, "kafka", "namespaced-"+version[:7])
	t.Cleanup(func() {
		_ = kmmClient.KafkaV1beta2().KafkaMirrorMakers("kafka").Delete(bg, watched.Name, metav1.DeleteOptions{})
	})
	other := newNamespace(t, "")
	ignored := createMinimalKMM(t, other, "ignored")
	_, took := waitKMMReady(t, "kafka", watched.Name)
	t.Logf("KafkaMirrorMaker kafka/%s Ready %s after creation", watched.Name, took.Round(time.Millisecond))

	k, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(other).Get(bg, ignored.Name, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Nil(t, k.Status, "a KafkaMirrorMaker outside the watched namespace gets no status")
	_, err = kube.AppsV1().Deployments(other).Get(bg, ignored.Name+"-mirror-maker", metav1.GetOptions{})
	assert.Error(t, err, "and no Deployment")
	logs, err := kubectl(t, "-n", operatorNamespace, "logs", "--prefix", "-l", "app.kubernetes.io/name=kmm-operator")
	require.NoError(t, err, logs)
	assert.NotRegexp(t, `(?i)forbidden|(^|[^\d.])403([^\d.]|$)`, logs, "no request of the operator was refused")
}
