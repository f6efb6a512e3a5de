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

// Package smoke checks the local control plane (hack/cluster) and the CRD against a real API
// server: the examples are accepted, invalid resources are rejected by the schema with the API
// server's message, the printer columns and the scale subresource work, and a Deployment
// scheduled onto the kwok node becomes Ready.
//
// TestMain brings the cluster up with hack/cluster/cluster.sh (building it on first use) and
// tears it down at the end only if it was not already running.
package smoke

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned"
)

var (
	root       string
	kubeconfig string
	kube       kubernetes.Interface
	kmmClient  versioned.Interface
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	root, err = filepath.Abs("../..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cluster := filepath.Join(root, "hack", "cluster", "cluster.sh")
	wasUp := exec.Command(cluster, "status").Run() == nil
	up := exec.Command(cluster, "up")
	up.Stdout, up.Stderr = os.Stderr, os.Stderr
	if err := up.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "smoke: %s up failed: %v\n", cluster, err)
		return 1
	}
	if !wasUp {
		defer func() {
			down := exec.Command(cluster, "down")
			down.Stdout, down.Stderr = os.Stderr, os.Stderr
			if err := down.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "smoke: %s down failed: %v\n", cluster, err)
			}
		}()
	}
	kubeconfig = filepath.Join(root, ".local", "kubeconfig")
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	kube = kubernetes.NewForConfigOrDie(cfg)
	kmmClient = versioned.NewForConfigOrDie(cfg)
	return m.Run()
}

// kubectl runs bin/kubectl with the admin kubeconfig.
func kubectl(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "bin", "kubectl"), append([]string{"--kubeconfig", kubeconfig}, args...)...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func namespace(t *testing.T) string {
	t.Helper()
	name := "smoke-" + rand.String(6)
	_, err := kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = kube.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	return name
}

func TestExamplesAreAccepted(t *testing.T) {
	ns := namespace(t)
	files, err := filepath.Glob(filepath.Join(root, "artifacts", "examples", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		out, err := kubectl(t, "", "apply", "-n", ns, "-f", f)
		require.NoError(t, err, "%s rejected: %s", filepath.Base(f), out)
	}
	list, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, list.Items, len(files), "one KafkaMirrorMaker per example")
	// Values of a free-form config keep their type through the API server.
	tls, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Get(context.Background(), "my-mirror-maker-tls", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "5", string(tls.Spec.Producer.Config["linger.ms"]))
	assert.Equal(t, "false", string(tls.Spec.Producer.Config["enable.idempotence"]))
}

const minimal = `apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata:
  name: %s
spec:
  replicas: %s
  consumer:
    bootstrapServers: a:9092
    groupId: g
%s  producer:
    bootstrapServers: b:9092
%s`

// TestSchemaRejectsInvalidResources creates resources the CRD schema must reject and checks the
// API server's message names the offending field.
func TestSchemaRejectsInvalidResources(t *testing.T) {
	ns := namespace(t)
	cases := []struct {
		name, replicas, consumerExtra, tail string
		want                                []string
	}{
		{name: "negative-replicas", replicas: "-1", tail: "  include: \".*\"\n",
			want: []string{"spec.replicas", "should be greater than or equal to 0"}},
		{name: "neither-include-nor-whitelist", replicas: "1",
			want: []string{"spec", "must validate one and only one schema (oneOf)"}},
		{name: "both-include-and-whitelist", replicas: "1", tail: "  include: \".*\"\n  whitelist: \".*\"\n",
			want: []string{"spec", "must validate one and only one schema (oneOf)"}},
		{name: "trusted-cert-without-certificate-or-pattern", replicas: "1",
			consumerExtra: "    tls:\n      trustedCertificates:\n      - secretName: ca\n", tail: "  include: \".*\"\n",
			want: []string{"spec.consumer.tls.trustedCertificates[0]", "must validate one and only one schema (oneOf)"}},
		{name: "unknown-authentication-type", replicas: "1",
			consumerExtra: "    authentication:\n      type: kerberos\n", tail: "  include: \".*\"\n",
			want: []string{"spec.consumer.authentication.type", `Unsupported value: "kerberos"`}},
		{name: "missing-producer-bootstrap", replicas: "1", tail: "  include: \".*\"\n",
			want: []string{"spec.producer.bootstrapServers", "Required value"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := fmt.Sprintf(minimal, tc.name, tc.replicas, tc.consumerExtra, tc.tail)
			if tc.name == "missing-producer-bootstrap" {
				doc = strings.Replace(doc, "    bootstrapServers: b:9092\n", "    abortOnSendFailure: true\n", 1)
			}
			out, err := kubectl(t, doc, "create", "-n", ns, "-f", "-")
			require.Error(t, err, "the API server accepted an invalid resource:\n%s", doc)
			for _, w := range tc.want {
				assert.Contains(t, out, w)
			}
		})
	}
	// The valid variant of the same document is accepted, so the rejections above are about the
	// field under test.
	out, err := kubectl(t, fmt.Sprintf(minimal, "valid", "1", "", "  include: \".*\"\n"), "create", "-n", ns, "-f", "-")
	require.NoError(t, err, out)
}

func TestPrinterColumnsAndScale(t *testing.T) {
	ns := namespace(t)
	out, err := kubectl(t, fmt.Sprintf(minimal, "scaled", "1", "", "  include: \".*\"\n"), "create", "-n", ns, "-f", "-")
	require.NoError(t, err, out)

	out, err = kubectl(t, "", "get", "kmm", "-n", ns)
	require.NoError(t, err, out)
	header := strings.Fields(strings.SplitN(out, "\n", 2)[0])
	assert.Equal(t, []string{"NAME", "DESIRED", "REPLICAS", "READY"}, header, out)

	out, err = kubectl(t, "", "get", "kafkamirrormakers", "-n", ns, "-o", "wide")
	require.NoError(t, err, out)
	assert.Contains(t, out, "CONSUMER BOOTSTRAP SERVERS")
	assert.Contains(t, out, "PRODUCER BOOTSTRAP SERVERS")
	assert.Contains(t, out, "a:9092")
	assert.Contains(t, out, "b:9092")

	out, err = kubectl(t, "", "get", "strimzi", "-n", ns)
	require.NoError(t, err, "category strimzi: %s", out)
	assert.Contains(t, out, "scaled")

	out, err = kubectl(t, "", "scale", "kmm/scaled", "-n", ns, "--replicas=3")
	require.NoError(t, err, out)
	kmm, err := kmmClient.KafkaV1beta2().KafkaMirrorMakers(ns).Get(context.Background(), "scaled", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(3), kmm.Spec.Replicas)
	scale, err := kmmClient.KafkaV1beta2().RESTClient().Get().Namespace(ns).Resource("kafkamirrormakers").Name("scaled").SubResource("scale").DoRaw(context.Background())
	require.NoError(t, err)
	assert.Contains(t, string(scale), `"replicas":3`)
}

// TestDeploymentBecomesReadyOnKwokNode proves the scheduler, the deployment controller and kwok
// work together: pods of a plain Deployment are scheduled to the fake node and become Ready.
func TestDeploymentBecomesReadyOnKwokNode(t *testing.T) {
	ns := namespace(t)
	labels := map[string]string{"app": "smoke"}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "example.invalid/never-pulled:1"}}},
			},
		},
	}
	start := time.Now()
	_, err := kube.AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{})
	require.NoError(t, err)
	err = wait.PollUntilContextTimeout(context.Background(), 250*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		live, err := kube.AppsV1().Deployments(ns).Get(ctx, "smoke", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return live.Status.ReadyReplicas == 2, nil
	})
	require.NoError(t, err, "the Deployment did not reach 2 ready replicas")
	t.Logf("2/2 pods Ready after %s", time.Since(start).Round(time.Millisecond))
	pods, err := kube.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app=smoke"})
	require.NoError(t, err)
	for _, p := range pods.Items {
		assert.Equal(t, "kwok-node-0", p.Spec.NodeName)
	}
}
