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
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// step is one named stage of the pipeline.
type step struct {
	name string
	run  func(ctx context.Context, st *reconcileState) error
}

// Step names, in pipeline order (Strimzi's createOrUpdate chain).
const (
	stepServiceAccount      = "serviceAccount"
	stepScaleDown           = "scaleDown"
	stepConfigMap           = "metricsAndLoggingConfigMap"
	stepPodDisruptionBudget = "podDisruptionBudget"
	stepAuthTLSHash         = "authTLSHash"
	stepDeployment          = "deployment"
	stepScaleUp             = "scaleUp"
	stepWaitForObserved     = "waitForObserved"
	stepReadiness           = "readiness"
)

func (c *Controller) steps() []step {
	return []step{
		{stepServiceAccount, c.serviceAccount},
		{stepScaleDown, c.scaleDown},
		{stepConfigMap, c.metricsAndLoggingConfigMap},
		{stepPodDisruptionBudget, c.podDisruptionBudget},
		{stepAuthTLSHash, c.authTLSHash},
		{stepDeployment, c.deployment},
		{stepScaleUp, c.scaleUp},
		{stepWaitForObserved, c.waitForObserved},
		{stepReadiness, c.readiness},
	}
}

// runSteps runs the steps in order; the first failing (or waiting) step ends the pass.
func (c *Controller) runSteps(ctx context.Context, st *reconcileState) error {
	for _, s := range c.steps() {
		st.skipped = false
		start := time.Now()
		err := s.run(ctx, st)
		took := time.Since(start)
		result := resultOK
		var we *waitingError
		switch {
		case errors.As(err, &we):
			result = resultWaiting
		case err != nil:
			result = resultError
		case st.skipped:
			result = resultSkipped
		}
		c.metrics.ObserveStep(s.name, result, took)
		st.ran = append(st.ran, stepRun{s.name, result})
		st.logger.V(4).Info("Step finished", "step", s.name, "result", result, "duration", took)
		if err != nil {
			if result == resultError {
				st.logger.V(2).Info("Step failed", "step", s.name, "err", err)
			}
			return err
		}
	}
	return nil
}

// event records an event on the resource.
func (c *Controller) event(st *reconcileState, eventType, reason, format string, args ...any) {
	c.recorder.Eventf(st.kmm, eventType, reason, format, args...)
}

// childEvent records the update of an existing child as an Event. Creating the children of a new
// resource records none: those are expected, the resource's status tells the outcome, and at a
// thousand resources four Events each would be most of the operator's writes. Creation is logged.
func (c *Controller) childEvent(st *reconcileState, kind, name string, created bool) {
	if created {
		st.logger.V(2).Info("Created child", "kind", kind, "name", name)
		return
	}
	c.event(st, corev1.EventTypeNormal, "Updated", "Updated %s %s", kind, name)
}

// reconcileChild is steps 1, 3 and 4: make one child match desired.
func (c *Controller) reconcileChild(ctx context.Context, st *reconcileState, k childKind, desired runtime.Object) error {
	m, err := meta.Accessor(desired)
	if err != nil {
		return err
	}
	live, err := c.liveChild(ctx, st, k, m.GetName())
	if err != nil {
		return err
	}
	_, wrote, err := c.ensure(ctx, st, k, desired, live)
	if err != nil {
		return err
	}
	if wrote {
		c.childEvent(st, k.kind, m.GetName(), live == nil)
	} else {
		st.skipped = true
	}
	return nil
}

// serviceAccount is step 1: the ServiceAccount the Pods run as. Tokens and image pull secrets
// added by others are not ours and stay.
func (c *Controller) serviceAccount(ctx context.Context, st *reconcileState) error {
	desired, err := st.model.ServiceAccount()
	if err != nil {
		return err
	}
	return c.reconcileChild(ctx, st, serviceAccountKind, desired)
}

// loadDeployment reads the live Deployment once per pass.
func (c *Controller) loadDeployment(ctx context.Context, st *reconcileState) error {
	if st.deploymentLoaded {
		return nil
	}
	obj, err := c.liveChild(ctx, st, deploymentKind, st.model.ComponentName())
	if err != nil {
		return err
	}
	st.deploymentLoaded = true
	if obj != nil {
		st.deployment = obj.(*appsv1.Deployment)
	}
	return nil
}

func replicasOf(d *appsv1.Deployment) int32 {
	return ptr.Deref(d.Spec.Replicas, 1)
}

// scaleDeployment changes only spec.replicas: it re-applies what this manager owns on the live
// Deployment with the new count, so the Pod template is untouched.
func (c *Controller) scaleDeployment(ctx context.Context, st *reconcileState, replicas int32) error {
	d := st.deployment
	if len(d.ManagedFields) == 0 {
		// The cached copy keeps none of the fields to re-apply (cached.go): an apply of the
		// replicas alone would give up the rest. Scaling reads the Deployment live.
		live, err := c.kube.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		d = live
	}
	owned, err := ownedFields(d, c.cfg.FieldManager)
	if err != nil {
		return fmt.Errorf("extracting the fields %s owns on Deployment %s: %w", c.cfg.FieldManager, d.Name, err)
	}
	ac := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": d.Name, "namespace": d.Namespace},
	}
	if owned != nil {
		if err := json.Unmarshal(owned, &ac); err != nil {
			return err
		}
	}
	spec, _ := ac["spec"].(map[string]any)
	if spec == nil {
		spec = map[string]any{}
		ac["spec"] = spec
	}
	spec["replicas"] = replicas
	body, err := json.Marshal(ac)
	if err != nil {
		return err
	}
	out, _, err := c.apply(ctx, st, deploymentKind, d.Name, body, d)
	if err != nil {
		return err
	}
	st.deployment = out.(*appsv1.Deployment)
	return nil
}

// scaleDown is step 2: lower the replicas before the template changes, so Pods about to be
// removed are not rolled first.
func (c *Controller) scaleDown(ctx context.Context, st *reconcileState) error {
	if err := c.loadDeployment(ctx, st); err != nil {
		return err
	}
	d := st.deployment
	if d == nil {
		st.skipped = true
		return nil
	}
	if err := checkOwned(deploymentKind.kind, d, st.kmm); err != nil {
		return err
	}
	current, desired := replicasOf(d), st.model.Replicas()
	if current <= desired {
		st.skipped = true
		return nil
	}
	if err := c.scaleDeployment(ctx, st, desired); err != nil {
		return err
	}
	c.event(st, corev1.EventTypeNormal, "ScaledDown", "Scaled Deployment %s down from %d to %d replicas", d.Name, current, desired)
	return nil
}

// metricsAndLoggingConfigMap is step 3: the ConfigMap with log4j.properties and the metrics
// configuration, and the logging hash that rolls the Pods when logging changes.
func (c *Controller) metricsAndLoggingConfigMap(ctx context.Context, st *reconcileState) error {
	desired, err := st.model.ConfigMap(configMapReader{ctx: ctx, c: c, st: st})
	if err != nil {
		return err
	}
	st.loggingHash = model.LoggingHash(desired.Data[model.Log4jPropertiesKey])
	return c.reconcileChild(ctx, st, configMapKind, desired)
}

// podDisruptionBudget is step 4.
func (c *Controller) podDisruptionBudget(ctx context.Context, st *reconcileState) error {
	desired, err := st.model.PodDisruptionBudget()
	if err != nil {
		return err
	}
	return c.reconcileChild(ctx, st, podDisruptionBudgetKind, desired)
}

// authTLSHash is step 5: the hash of the referenced certificates and credentials, which rolls the
// Pods when one of them changes.
func (c *Controller) authTLSHash(ctx context.Context, st *reconcileState) error {
	h, err := model.AuthHash(st.model, secretReader{ctx: ctx, c: c, st: st})
	if err != nil {
		return err
	}
	st.authHash = h
	return nil
}

// deployment is step 6. It never raises the replicas together with a template change: a higher
// count is left to scaleUp, after the template.
func (c *Controller) deployment(ctx context.Context, st *reconcileState) error {
	desired, err := st.model.Deployment(map[string]string{
		model.AnnotationLogging:  st.loggingHash,
		model.AnnotationAuthHash: st.authHash,
	})
	if err != nil {
		return err
	}
	if err := c.loadDeployment(ctx, st); err != nil {
		return err
	}
	live := st.deployment
	var liveObj runtime.Object
	if live != nil {
		if current := replicasOf(live); current < ptr.Deref(desired.Spec.Replicas, 1) {
			desired.Spec.Replicas = ptr.To(current)
		}
		liveObj = live
	}
	out, wrote, err := c.ensure(ctx, st, deploymentKind, desired, liveObj)
	if err != nil {
		return err
	}
	st.deployment = out.(*appsv1.Deployment)
	if wrote {
		c.deploymentEvent(st, live)
	} else {
		st.skipped = true
	}
	c.setUsedRefs(st.kmm.UID, st.refs)
	return nil
}

// deploymentEvent tells what the Deployment write does, naming the Secret or ConfigMap whose
// change rolls the Pods (never its content).
func (c *Controller) deploymentEvent(st *reconcileState, live *appsv1.Deployment) {
	name := st.model.ComponentName()
	if live == nil {
		c.childEvent(st, deploymentKind.kind, name, true)
		return
	}
	prev, known := c.lastUsedRefs(st.kmm.UID)
	ann := live.Spec.Template.Annotations
	var causes []string
	if old, ok := ann[model.AnnotationAuthHash]; ok && old != st.authHash {
		if changed := changedRefs(prev, known, st.refs, "Secret/"); len(changed) > 0 {
			causes = append(causes, "Secret "+strings.Join(changed, ", ")+" changed")
		} else {
			causes = append(causes, "a referenced Secret changed")
		}
	}
	if old, ok := ann[model.AnnotationLogging]; ok && old != st.loggingHash {
		if cm, _, ok := st.model.ExternalLoggingConfigMap(); ok {
			causes = append(causes, "logging configuration in ConfigMap "+cm+" changed")
		} else {
			causes = append(causes, "logging configuration changed")
		}
	}
	if len(causes) == 0 {
		c.childEvent(st, deploymentKind.kind, name, false)
		return
	}
	c.event(st, corev1.EventTypeNormal, "RollingUpdate", "Rolling Deployment %s: %s", name, strings.Join(causes, "; "))
}

// changedRefs returns the names (with prefix "Secret/" or "ConfigMap/" removed) whose
// resourceVersion differs between prev and cur.
func changedRefs(prev map[string]string, known bool, cur map[string]string, prefix string) []string {
	if !known {
		return nil
	}
	var out []string
	for k, rv := range cur {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if old, ok := prev[k]; ok && old != rv {
			out = append(out, strings.TrimPrefix(k, prefix))
		}
	}
	sort.Strings(out)
	return out
}

// scaleUp is step 7: raise the replicas once the template is in place.
func (c *Controller) scaleUp(ctx context.Context, st *reconcileState) error {
	d := st.deployment
	current, desired := replicasOf(d), st.model.Replicas()
	if current >= desired {
		st.skipped = true
		return nil
	}
	if err := c.scaleDeployment(ctx, st, desired); err != nil {
		return err
	}
	c.event(st, corev1.EventTypeNormal, "ScaledUp", "Scaled Deployment %s up from %d to %d replicas", d.Name, current, desired)
	return nil
}

// waitForObserved is step 8: the Deployment controller must have seen the last change.
func (c *Controller) waitForObserved(_ context.Context, st *reconcileState) error {
	d := st.deployment
	if d.Status.ObservedGeneration >= d.Generation {
		return nil
	}
	return c.wait(st, "observed", fmt.Sprintf("Waiting for Deployment %s/%s to observe generation %d (observed: %d)",
		d.Namespace, d.Name, d.Generation, d.Status.ObservedGeneration))
}

// readiness is step 9 (skipped with zero replicas): every replica of the current template must
// be available.
func (c *Controller) readiness(_ context.Context, st *reconcileState) error {
	if st.model.Replicas() == 0 {
		st.skipped = true
		return nil
	}
	d := st.deployment
	want := replicasOf(d)
	if want == d.Status.Replicas && want <= d.Status.AvailableReplicas {
		return nil
	}
	return c.wait(st, "ready", fmt.Sprintf("Waiting for Deployment %s/%s to be ready: %d of %d replicas available, %d updated",
		d.Namespace, d.Name, d.Status.AvailableReplicas, want, d.Status.UpdatedReplicas))
}

// wait ends the pass as waiting, or as timed out once the wait for what at the Deployment's
// current generation has lasted OperationTimeout. It never blocks: the Deployment's status
// changes enqueue the resource, and a delayed requeue fires at the timeout.
func (c *Controller) wait(st *reconcileState, what, message string) error {
	d := st.deployment
	timeout := c.cfg.OperationTimeout
	elapsed := c.clock.Since(c.waitStart(st.kmm.UID, what, d.Generation))
	if elapsed >= timeout {
		return &timeoutError{message: fmt.Sprintf("Exceeded timeout of %dms while waiting for Deployment resource %s in namespace %s to be %s",
			timeout.Milliseconds(), d.Name, d.Namespace, what)}
	}
	st.requeueAfter = timeout - elapsed
	return &waitingError{message: message}
}

// secretReader is the model's SecretGetter for one pass (see readSecret).
type secretReader struct {
	ctx context.Context
	c   *Controller
	st  *reconcileState
}

func (r secretReader) Get(name string) (*corev1.Secret, error) {
	return r.c.readSecret(r.ctx, r.st, name)
}

// configMapReader is the model's ConfigMapGetter for one pass (see readConfigMap).
type configMapReader struct {
	ctx context.Context
	c   *Controller
	st  *reconcileState
}

func (r configMapReader) Get(name string) (*corev1.ConfigMap, error) {
	return r.c.readConfigMap(r.ctx, r.st, name)
}

func metaRV(obj runtime.Object) string {
	if m, err := meta.Accessor(obj); err == nil {
		return m.GetResourceVersion()
	}
	return ""
}

// readSecret returns a referenced Secret. The metadata informer says whether it exists and at
// which resourceVersion; the content comes from the content cache when it was read at that
// version, else from a live GET (the only API read of a pass where a Secret changed).
func (c *Controller) readSecret(ctx context.Context, st *reconcileState, name string) (*corev1.Secret, error) {
	ns := st.kmm.Namespace
	key := cache.ObjectName{Namespace: ns, Name: name}
	ref := "Secret/" + name
	m, err := st.set.secretMeta.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.secretContent.evict(key)
		st.refs[ref] = ""
		return nil, apierrors.NewNotFound(corev1.Resource("secrets"), name)
	}
	if err != nil {
		return nil, err
	}
	mrv := metaRV(m)
	if s, rv, ok := c.secretContent.get(key, mrv); ok {
		st.refs[ref] = rv
		return s, nil
	}
	live, err := c.kube.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			c.secretContent.evict(key)
			st.refs[ref] = ""
		}
		return nil, err
	}
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: live.Name, Namespace: live.Namespace, UID: live.UID, ResourceVersion: live.ResourceVersion},
		Type:       live.Type,
		Data:       live.Data,
	}
	c.secretContent.put(key, live.ResourceVersion, mrv, s)
	st.refs[ref] = live.ResourceVersion
	return s, nil
}

// readConfigMap is readSecret for the external logging and metrics ConfigMaps.
func (c *Controller) readConfigMap(ctx context.Context, st *reconcileState, name string) (*corev1.ConfigMap, error) {
	ns := st.kmm.Namespace
	key := cache.ObjectName{Namespace: ns, Name: name}
	ref := "ConfigMap/" + name
	m, err := st.set.configMapMeta.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.configMapContent.evict(key)
		st.refs[ref] = ""
		return nil, apierrors.NewNotFound(corev1.Resource("configmaps"), name)
	}
	if err != nil {
		return nil, err
	}
	mrv := metaRV(m)
	if cm, rv, ok := c.configMapContent.get(key, mrv); ok {
		st.refs[ref] = rv
		return cm, nil
	}
	live, err := c.kube.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			c.configMapContent.evict(key)
			st.refs[ref] = ""
		}
		return nil, err
	}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: live.Name, Namespace: live.Namespace, UID: live.UID, ResourceVersion: live.ResourceVersion},
		Data:       live.Data,
	}
	c.configMapContent.put(key, live.ResourceVersion, mrv, cm)
	st.refs[ref] = live.ResourceVersion
	return cm, nil
}
