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

package controller

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	kubefake "k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2/ktesting"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	kmmfake "github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned/fake"
	"github.com/kmm-operator/kmm-operator/pkg/metrics"
)

// TestRun runs the controller for real on fake clientsets: it syncs its informers, reconciles
// the resources it finds (only those matching the selector, only in the watched namespace) and
// stops when the context ends.
func TestRun(t *testing.T) {
	_, ctx := ktesting.NewTestContext(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	other := newKMM("other")
	other.Namespace = "elsewhere"
	unselected := newKMM("unselected")
	unselected.Labels = nil
	kube := kubefake.NewClientset()
	kmmc := kmmfake.NewSimpleClientset(newKMM("foo"), other, unselected)
	md := metadatafake.NewSimpleMetadataClient(metadatafake.NewTestScheme())
	cfg := DefaultConfig()
	cfg.Namespaces = []string{testNamespace}
	cfg.Selector = labels.SelectorFromSet(labels.Set{"my-user-label": "cromulent"})
	c, err := New(cfg, kube, kmmc, md, record.NewFakeRecorder(100), metrics.New())
	require.NoError(t, err)
	assert.False(t, c.HasSynced())

	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	require.Eventually(t, c.HasSynced, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		k, err := kmmc.KafkaV1beta2().KafkaMirrorMakers(testNamespace).Get(ctx, "foo", metav1.GetOptions{})
		return err == nil && k.Status != nil && len(k.Status.Conditions) > 0
	}, 10*time.Second, 10*time.Millisecond)
	_, err = kube.AppsV1().Deployments(testNamespace).Get(ctx, "foo-mirror-maker", metav1.GetOptions{})
	require.NoError(t, err)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	for _, name := range []string{"unselected"} {
		k, err := kmmc.KafkaV1beta2().KafkaMirrorMakers(testNamespace).Get(context.Background(), name, metav1.GetOptions{})
		require.NoError(t, err)
		assert.Nil(t, k.Status, "not selected")
	}
	k, err := kmmc.KafkaV1beta2().KafkaMirrorMakers("elsewhere").Get(context.Background(), "other", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Nil(t, k.Status, "not watched")
}

// TestWarmUpReconcilesNothing: a warmed-up controller (a standby) has synced caches and a queue
// holding its resources, and has made no write; Run then reconciles them without starting the
// informers again.
func TestWarmUpReconcilesNothing(t *testing.T) {
	_, ctx := ktesting.NewTestContext(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	kube := kubefake.NewClientset()
	kmmc := kmmfake.NewSimpleClientset(newKMM("foo"))
	cfg := DefaultConfig()
	cfg.Namespaces = []string{testNamespace}
	c, err := New(cfg, kube, kmmc, metadatafake.NewSimpleMetadataClient(metadatafake.NewTestScheme()), record.NewFakeRecorder(100), metrics.New())
	require.NoError(t, err)

	require.NoError(t, c.WarmUp(ctx))
	assert.True(t, c.HasSynced())
	require.Eventually(t, func() bool { return c.queue.Len() == 1 }, 10*time.Second, 10*time.Millisecond, "the resource waits in the queue")
	require.NoError(t, c.WarmUp(ctx), "a second call only waits for the caches")
	for _, a := range append(kube.Actions(), kmmc.Actions()...) {
		assert.Contains(t, []string{"list", "watch"}, a.GetVerb(), "a standby only lists and watches: %v", a)
	}

	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	require.Eventually(t, func() bool {
		k, err := kmmc.KafkaV1beta2().KafkaMirrorMakers(testNamespace).Get(ctx, "foo", metav1.GetOptions{})
		return err == nil && k.Status != nil && len(k.Status.Conditions) > 0
	}, 10*time.Second, 10*time.Millisecond)
	watches := 0
	for _, a := range kmmc.Actions() {
		if a.GetVerb() == "watch" {
			watches++
		}
	}
	assert.Equal(t, 1, watches, "Run reuses the warmed-up informers")
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
}

// TestRunEndsBeforeWarmUpContext: a warm standby's informers live as long as the process; when
// the term of its leadership ends first (a lost Lease), Run returns at once, leaving them running.
func TestRunEndsBeforeWarmUpContext(t *testing.T) {
	_, ctx := ktesting.NewTestContext(t)
	processCtx, stopProcess := context.WithCancel(ctx)
	defer stopProcess()
	kmmc := kmmfake.NewSimpleClientset(newKMM("foo"))
	cfg := DefaultConfig()
	cfg.Namespaces = []string{testNamespace}
	c, err := New(cfg, kubefake.NewClientset(), kmmc, metadatafake.NewSimpleMetadataClient(metadatafake.NewTestScheme()), record.NewFakeRecorder(100), metrics.New())
	require.NoError(t, err)
	require.NoError(t, c.WarmUp(processCtx))

	termCtx, endTerm := context.WithCancel(processCtx)
	done := make(chan error, 1)
	go func() { done <- c.Run(termCtx) }()
	require.Eventually(t, func() bool {
		k, err := kmmc.KafkaV1beta2().KafkaMirrorMakers(testNamespace).Get(ctx, "foo", metav1.GetOptions{})
		return err == nil && k.Status != nil
	}, 10*time.Second, 10*time.Millisecond)
	endTerm()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return when its term ended: it waits for informers that live on")
	}
	assert.True(t, c.HasSynced(), "the informers still run")
}

// TestRunWithoutSync: Run returns an error when its context ends before the caches sync.
func TestRunWithoutSync(t *testing.T) {
	_, ctx := ktesting.NewTestContext(t)
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	c, err := New(DefaultConfig(), kubefake.NewClientset(), kmmfake.NewSimpleClientset(&v1beta2.KafkaMirrorMaker{}),
		metadatafake.NewSimpleMetadataClient(metadatafake.NewTestScheme()), record.NewFakeRecorder(10), nil)
	require.NoError(t, err)
	require.Error(t, c.Run(ctx))
}

// TestConfigDefaults: zero values take the defaults where they have one.
func TestConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	assert.Equal(t, DefaultWorkers, c.Workers)
	assert.Equal(t, DefaultOperationTimeout, c.OperationTimeout)
	assert.Equal(t, DefaultFieldManager, c.FieldManager)
	assert.Equal(t, time.Duration(0), c.FullReconciliationInterval, "0 disables the periodic pass")
	assert.True(t, c.Selector.Empty())
	assert.Equal(t, []string{""}, Config{Namespaces: []string{"a", "*"}}.watchedNamespaces())
	assert.Equal(t, []string{"a", "b"}, Config{Namespaces: []string{"a", "b", "a"}}.watchedNamespaces())
	d := DefaultConfig()
	assert.Equal(t, 120*time.Second, d.FullReconciliationInterval)
	assert.True(t, d.DeprecationWarning)
}
