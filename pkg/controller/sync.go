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
	"errors"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/metrics"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// AnnotationPause pauses the reconciliation of a resource when set to "true" (any case).
const AnnotationPause = "strimzi.io/pause-reconciliation"

func isPaused(kmm *v1beta2.KafkaMirrorMaker) bool {
	return strings.EqualFold(kmm.Annotations[AnnotationPause], "true")
}

// reconcileState is what the steps of one pass share.
type reconcileState struct {
	key    cache.ObjectName
	set    *informerSet
	logger klog.Logger
	// kmm is a private deep copy of the resource.
	kmm   *v1beta2.KafkaMirrorMaker
	model *model.MirrorMaker

	// deployment is the live Deployment (nil if absent) once loaded, then the result of the
	// pass's own writes.
	deployment       *appsv1.Deployment
	deploymentLoaded bool

	loggingHash, authHash string
	// refs are the resourceVersions of the Secrets and ConfigMaps read in this pass, keyed
	// "Secret/<name>" or "ConfigMap/<name>" ("" when missing).
	refs map[string]string

	// requeueAfter is set when the pass ends waiting: the time left before the timeout.
	requeueAfter time.Duration
	// skipped is set by a step that had nothing to do.
	skipped bool
	// ran lists the steps run, with their result, in order.
	ran []stepRun
	// outcome summarises the pass for logs and tests.
	outcome string
}

type stepRun struct{ name, result string }

// Step results, as in the step metric.
const (
	resultOK      = "ok"
	resultWaiting = "waiting"
	resultError   = "error"
	resultSkipped = "skipped"
)

// Outcomes of a pass.
const (
	outcomeReady    = "Ready"
	outcomeWaiting  = "Waiting"
	outcomeFailed   = "Failed"
	outcomeInvalid  = "Invalid"
	outcomePaused   = "Paused"
	outcomeTimedOut = "TimedOut"
)

// waitingError ends a pass that has to wait for the Deployment; it is not a failure.
type waitingError struct{ message string }

func (e *waitingError) Error() string { return e.message }

// timeoutError is a wait that lasted longer than the operation timeout.
type timeoutError struct{ message string }

func (e *timeoutError) Error() string { return e.message }

// sync reconciles the resource key. A returned error requeues it with backoff.
func (c *Controller) sync(ctx context.Context, key cache.ObjectName) error {
	_, err := c.reconcileKey(ctx, key)
	return err
}

// reconcileKey runs one pass for key and returns its state (nil when there was nothing to do).
func (c *Controller) reconcileKey(ctx context.Context, key cache.ObjectName) (*reconcileState, error) {
	s := c.setFor(key.Namespace)
	if s == nil {
		return nil, nil
	}
	logger := klog.FromContext(ctx).WithValues("kafkamirrormaker", klog.KRef(key.Namespace, key.Name))
	ctx = klog.NewContext(ctx, logger)

	cached, err := s.kmms.KafkaMirrorMakers(key.Namespace).Get(key.Name)
	if apierrors.IsNotFound(err) {
		// Nothing to delete: every child has an owner reference, garbage collection removes it.
		logger.V(2).Info("KafkaMirrorMaker deleted; its children are left to garbage collection")
		c.forgetResource(key)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if cached.DeletionTimestamp != nil {
		logger.V(2).Info("KafkaMirrorMaker is being deleted; not reconciling")
		return nil, nil
	}
	kmm, ok := c.freshen(model.Kind, key.Namespace, key.Name, cached).(*v1beta2.KafkaMirrorMaker)
	if !ok {
		kmm = cached
	}
	st := &reconcileState{key: key, set: s, logger: logger, kmm: kmm.DeepCopy(), refs: map[string]string{}}

	labels := []string{metrics.Kind, s.namespace, c.selectorLabel}
	start := time.Now()
	c.metrics.Reconciliations.WithLabelValues(labels...).Inc()
	failed, err := c.reconcile(ctx, st)
	took := time.Since(start)
	c.metrics.ReconciliationDuration.WithLabelValues(labels...).Observe(took.Seconds())
	if failed || err != nil {
		c.metrics.ReconciliationsFailed.WithLabelValues(labels...).Inc()
	} else {
		c.metrics.ReconciliationsSuccessful.WithLabelValues(labels...).Inc()
	}
	logger.V(2).Info("Reconciliation finished", "outcome", st.outcome, "duration", took)
	return st, err
}

// reconcile runs pause handling, step 0 and the steps, then writes the status. failed reports a
// failed reconciliation (for the metrics); the error, when set, asks for a retry with backoff.
func (c *Controller) reconcile(ctx context.Context, st *reconcileState) (failed bool, err error) {
	kmm := st.kmm
	if isPaused(kmm) {
		st.outcome = outcomePaused
		st.logger.V(2).Info("Reconciliation is paused")
		changed, err := c.writeStatus(ctx, st, c.pausedStatus(kmm))
		if err == nil && changed && !hadCondition(kmm.Status, v1beta2.ConditionReconciliationPaused) {
			c.recorder.Event(kmm, corev1.EventTypeNormal, "ReconciliationPaused", "Reconciliation is paused by the "+AnnotationPause+" annotation; the operator changes nothing until it is removed")
		}
		return false, err
	}

	start := time.Now()
	m, merr := model.FromCRD(kmm, c.cfg.Settings)
	result := resultOK
	if merr != nil {
		result = resultError
	}
	c.metrics.ObserveStep("model", result, time.Since(start))
	st.ran = append(st.ran, stepRun{"model", result})
	if merr != nil {
		// Step 0: the resource itself is invalid. Retrying cannot help; a change of the
		// resource enqueues it again.
		st.outcome = outcomeInvalid
		reason, message := failureCondition(merr)
		st.logger.Info("Invalid KafkaMirrorMaker", "reason", reason, "message", message)
		c.setResourceState(st.key, false, reason)
		_, err := c.writeStatus(ctx, st, c.invalidStatus(kmm, reason, message))
		return true, err
	}
	st.model = m
	c.logNotices(st)

	perr := c.runSteps(ctx, st)
	_, werr := c.writeStatus(ctx, st, c.passStatus(st, perr))

	var we *waitingError
	var te *timeoutError
	var me *model.Error
	switch {
	case perr == nil:
		st.outcome = outcomeReady
		c.waitDone(kmm.UID)
		c.setResourceState(st.key, true, "none")
		return false, werr
	case errors.As(perr, &we):
		st.outcome = outcomeWaiting
		c.queue.AddAfter(st.key, st.requeueAfter)
		c.setResourceState(st.key, false, reasonProgressing)
		return false, werr
	case errors.As(perr, &te):
		// Not retried with backoff: the Deployment's next status change wakes the resource.
		st.outcome = outcomeTimedOut
		c.setResourceState(st.key, false, reasonTimeout)
		return true, werr
	case errors.As(perr, &me):
		// Invalid configuration found by a step (a missing Secret key, a bad config value):
		// fixed by a change of the resource or of the referenced object, both of which
		// enqueue it.
		st.outcome = outcomeInvalid
		c.setResourceState(st.key, false, me.Reason)
		return true, werr
	default:
		st.outcome = outcomeFailed
		reason, _ := failureCondition(perr)
		c.setResourceState(st.key, false, reason)
		return true, perr
	}
}

// logNotices logs what the model ignores in the resource (Strimzi's WARN lines: a forbidden
// configuration option, a template variable the operator already sets, ...), once per generation
// of the resource rather than on every pass.
func (c *Controller) logNotices(st *reconcileState) {
	if !c.firstPassOfGeneration(st.kmm.UID, st.kmm.Generation) {
		return
	}
	for _, n := range st.model.Notices() {
		st.logger.Info("Ignoring part of the resource", "warning", n)
	}
}
