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
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// Condition statuses, reasons and messages written by the controller.
const (
	statusTrue  = "True"
	statusFalse = "False"

	// reasonProgressing is the reason of {type: Ready, status: "False"} while the pass waits for
	// the Deployment.
	reasonProgressing = "Progressing"
	reasonTimeout     = "TimeoutException"
	// reasonConflict is the NotReady reason when a child's name is taken by a foreign object.
	reasonConflict = "ResourceConflict"
	// reasonClient is the NotReady reason of API failures, Strimzi's exception class for them.
	reasonClient = "KubernetesClientException"

	// DeprecationReason is the reason of the Warning condition about MirrorMaker 1.
	DeprecationReason = "MirrorMaker1Deprecation"
	// DeprecationMessage is its message: MirrorMaker 1 is gone from Apache Kafka 4.0 and from
	// Strimzi 0.46, and needs Kafka 3.x images.
	DeprecationMessage = "MirrorMaker 1 was removed in Apache Kafka 4.0 and is no longer supported by Strimzi; this operator runs it with Kafka 3.x images. Plan a migration to MirrorMaker 2."
)

// failureCondition returns the reason and message of the NotReady condition for a failed pass.
func failureCondition(err error) (reason, message string) {
	var me *model.Error
	var te *timeoutError
	var ce *conflictError
	switch {
	case errors.As(err, &me):
		return me.Reason, me.Message
	case errors.As(err, &te):
		return reasonTimeout, te.message
	case errors.As(err, &ce):
		return reasonConflict, ce.Error()
	default:
		return reasonClient, err.Error()
	}
}

func condition(typ, status, reason, message string) v1beta2.Condition {
	c := v1beta2.Condition{Type: ptr.To(typ), Status: ptr.To(status)}
	if reason != "" {
		c.Reason = ptr.To(reason)
	}
	if message != "" {
		c.Message = ptr.To(message)
	}
	return c
}

func warningConditions(ws []model.Warning) []v1beta2.Condition {
	out := make([]v1beta2.Condition, 0, len(ws))
	for _, w := range ws {
		out = append(out, condition(v1beta2.ConditionWarning, statusTrue, w.Reason, w.Message))
	}
	return out
}

// passStatus is the status after the steps ran (spec §2 step 11): Ready, Ready=False while
// waiting, or NotReady with the failure; then the deprecation warning and the validation
// warnings; observedGeneration, replicas and labelSelector.
func (c *Controller) passStatus(st *reconcileState, perr error) *v1beta2.KafkaMirrorMakerStatus {
	var main v1beta2.Condition
	var we *waitingError
	switch {
	case perr == nil:
		main = condition(v1beta2.ConditionReady, statusTrue, "", "")
	case errors.As(perr, &we):
		main = condition(v1beta2.ConditionReady, statusFalse, reasonProgressing, we.message)
	default:
		reason, message := failureCondition(perr)
		main = condition(v1beta2.ConditionNotReady, statusTrue, reason, message)
	}
	conds := []v1beta2.Condition{main}
	if c.cfg.DeprecationWarning {
		conds = append(conds, condition(v1beta2.ConditionWarning, statusTrue, DeprecationReason, DeprecationMessage))
	}
	conds = append(conds, warningConditions(st.model.Warnings())...)
	return &v1beta2.KafkaMirrorMakerStatus{
		Conditions:         conds,
		ObservedGeneration: ptr.To(st.kmm.Generation),
		Replicas:           ptr.To(st.model.Replicas()),
		LabelSelector:      ptr.To(st.model.LabelSelector()),
	}
}

// invalidStatus is the status after a step-0 failure: NotReady and the validation warnings, no
// replicas, no labelSelector, no deprecation warning, as in Strimzi.
func (c *Controller) invalidStatus(kmm *v1beta2.KafkaMirrorMaker, reason, message string) *v1beta2.KafkaMirrorMakerStatus {
	conds := []v1beta2.Condition{condition(v1beta2.ConditionNotReady, statusTrue, reason, message)}
	conds = append(conds, warningConditions(model.ValidationWarnings(kmm))...)
	return &v1beta2.KafkaMirrorMakerStatus{
		Conditions:         conds,
		ObservedGeneration: ptr.To(kmm.Generation),
	}
}

// pausedStatus is the status of a paused resource, as Strimzi wrote it (spec §1.4, §5.4): a
// fresh status with the validation warnings then ReconciliationPaused, the previous
// observedGeneration, replicas 0 and no labelSelector (so an autoscaler targeting the scale
// subresource stops acting while the resource is paused).
func (c *Controller) pausedStatus(kmm *v1beta2.KafkaMirrorMaker) *v1beta2.KafkaMirrorMakerStatus {
	conds := warningConditions(model.ValidationWarnings(kmm))
	conds = append(conds, condition(v1beta2.ConditionReconciliationPaused, statusTrue, "", ""))
	s := &v1beta2.KafkaMirrorMakerStatus{Conditions: conds, ObservedGeneration: ptr.To[int64](0), Replicas: ptr.To[int32](0)}
	if prev := kmm.Status; prev != nil && prev.ObservedGeneration != nil {
		s.ObservedGeneration = ptr.To(*prev.ObservedGeneration)
	}
	return s
}

func (c *Controller) now() string {
	return c.clock.Now().UTC().Format(time.RFC3339)
}

// sameCondition reports whether two conditions are the same condition: the same type, and for
// Warnings the same reason.
func sameCondition(a, b v1beta2.Condition) bool {
	if ptr.Deref(a.Type, "") != ptr.Deref(b.Type, "") {
		return false
	}
	return ptr.Deref(a.Type, "") != v1beta2.ConditionWarning || ptr.Deref(a.Reason, "") == ptr.Deref(b.Reason, "")
}

// setTransitionTimes keeps the lastTransitionTime of each condition whose type (and reason, for
// Warnings) and status are unchanged, and stamps the others with now.
func setTransitionTimes(live, desired *v1beta2.KafkaMirrorMakerStatus, now string) {
	for i := range desired.Conditions {
		d := &desired.Conditions[i]
		d.LastTransitionTime = ptr.To(now)
		if live == nil {
			continue
		}
		for _, l := range live.Conditions {
			if sameCondition(l, *d) && ptr.Deref(l.Status, "") == ptr.Deref(d.Status, "") && l.LastTransitionTime != nil {
				d.LastTransitionTime = ptr.To(*l.LastTransitionTime)
				break
			}
		}
	}
}

// statusEqual compares two statuses ignoring lastTransitionTime.
func statusEqual(a, b *v1beta2.KafkaMirrorMakerStatus) bool {
	strip := func(s *v1beta2.KafkaMirrorMakerStatus) *v1beta2.KafkaMirrorMakerStatus {
		if s == nil {
			return &v1beta2.KafkaMirrorMakerStatus{}
		}
		s = s.DeepCopy()
		for i := range s.Conditions {
			s.Conditions[i].LastTransitionTime = nil
		}
		return s
	}
	return equality.Semantic.DeepEqual(strip(a), strip(b))
}

func hadCondition(s *v1beta2.KafkaMirrorMakerStatus, typ string) bool {
	if s == nil {
		return false
	}
	for _, c := range s.Conditions {
		if ptr.Deref(c.Type, "") == typ {
			return true
		}
	}
	return false
}

func findCondition(s *v1beta2.KafkaMirrorMakerStatus, typ string) *v1beta2.Condition {
	if s == nil {
		return nil
	}
	for i := range s.Conditions {
		if ptr.Deref(s.Conditions[i].Type, "") == typ {
			return &s.Conditions[i]
		}
	}
	return nil
}

// writeStatus writes desired through the status subresource unless it equals the live status
// (ignoring lastTransitionTime). A conflict is returned, which requeues the resource. When a
// NotReady condition appears or changes its message, a Warning event tells the same.
func (c *Controller) writeStatus(ctx context.Context, st *reconcileState, desired *v1beta2.KafkaMirrorMakerStatus) (bool, error) {
	live := st.kmm.Status
	setTransitionTimes(live, desired, c.now())
	if statusEqual(live, desired) {
		return false, nil
	}
	obj := st.kmm.DeepCopy()
	obj.Status = desired
	out, err := c.kmm.KafkaV1beta2().KafkaMirrorMakers(obj.Namespace).UpdateStatus(ctx, obj, metav1.UpdateOptions{FieldManager: c.cfg.FieldManager})
	if err != nil {
		return false, err
	}
	c.remember(model.Kind, obj.Namespace, obj.Name, st.kmm.ResourceVersion, out)

	if nr := findCondition(desired, v1beta2.ConditionNotReady); nr != nil {
		old := findCondition(live, v1beta2.ConditionNotReady)
		if old == nil || ptr.Deref(old.Message, "") != ptr.Deref(nr.Message, "") || ptr.Deref(old.Reason, "") != ptr.Deref(nr.Reason, "") {
			c.recorder.Event(st.kmm, corev1.EventTypeWarning, ptr.Deref(nr.Reason, "NotReady"), ptr.Deref(nr.Message, ""))
		}
	}
	st.kmm = out
	return true, nil
}
