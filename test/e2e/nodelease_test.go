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
	"context"
	"fmt"
	"os"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// The node heartbeat guard.
//
// kube-controller-manager's node-lifecycle controller considers a node healthy while its Lease in
// kube-node-lease is renewed (or, without a Lease, while its status heartbeat is recent: 50 s
// grace). kwok's node-heartbeat-with-lease stage refreshes the status only every 10 minutes and
// relies on a node Lease, which kwok maintains only when it runs with
// --node-lease-duration-seconds. Without that Lease the node turns Unknown about every 55 s for a
// few seconds; node-lifecycle then marks every Pod on it NotReady, and kwok never makes a Running
// Pod Ready again, so Deployments lose their available replicas in the middle of a test.
//
// Until the cluster has a renewed node Lease of its own, the suite renews one: it creates
// kube-node-lease/<node> if it is missing and renews it while it is the guard's (annotated) or
// stale. A Lease renewed by kwok is never touched.
const (
	nodeLeaseNamespace = "kube-node-lease"
	nodeLeaseDuration  = 40 // seconds
	nodeLeaseGuardKey  = "kmm-e2e/node-lease-guard"
	nodeLeaseRenew     = 5 * time.Second
)

// startNodeLeaseGuard renews the kwok node's Lease until ctx ends. It returns after the first
// attempt, so that the node is healthy before the tests start.
func startNodeLeaseGuard(ctx context.Context) {
	lastErr := ""
	renew := func() {
		err := renewNodeLease(ctx)
		if err != nil && ctx.Err() == nil && err.Error() != lastErr {
			fmt.Fprintf(os.Stderr, "e2e: node lease guard: %v\n", err)
		}
		lastErr = ""
		if err != nil {
			lastErr = err.Error()
		}
	}
	renew()
	go func() {
		t := time.NewTicker(nodeLeaseRenew)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				renew()
			}
		}
	}()
}

func renewNodeLease(ctx context.Context) error {
	leases := kube.CoordinationV1().Leases(nodeLeaseNamespace)
	now := metav1.NewMicroTime(time.Now())
	l, err := leases.Get(ctx, kwokNode, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		node, err := kube.CoreV1().Nodes().Get(ctx, kwokNode, metav1.GetOptions{})
		if err != nil {
			return err
		}
		_, err = leases.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{
				Name: kwokNode, Namespace: nodeLeaseNamespace,
				Annotations:     map[string]string{nodeLeaseGuardKey: "renewed by the e2e suite until kwok maintains the node Lease (--node-lease-duration-seconds)"},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}},
			},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To(kwokNode), LeaseDurationSeconds: ptr.To[int32](nodeLeaseDuration), RenewTime: &now},
		}, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	}
	if err != nil {
		return err
	}
	_, ours := l.Annotations[nodeLeaseGuardKey]
	stale := l.Spec.RenewTime == nil || time.Since(l.Spec.RenewTime.Time) > nodeLeaseDuration*time.Second/2
	if !ours && !stale {
		return nil // renewed by someone else (kwok)
	}
	if ours && !stale && time.Since(l.Spec.RenewTime.Time) < nodeLeaseRenew/2 {
		return nil // another suite process renewed it a moment ago
	}
	l.Spec.RenewTime = &now
	_, err = leases.Update(ctx, l, metav1.UpdateOptions{})
	if apierrors.IsConflict(err) {
		return nil
	}
	return err
}

// stopNodeLeaseGuard deletes the guard's Lease, leaving the cluster as it was.
func stopNodeLeaseGuard() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := kube.CoordinationV1().Leases(nodeLeaseNamespace).Get(ctx, kwokNode, metav1.GetOptions{})
	if err != nil {
		return
	}
	if _, ours := l.Annotations[nodeLeaseGuardKey]; ours {
		_ = kube.CoordinationV1().Leases(nodeLeaseNamespace).Delete(ctx, kwokNode, metav1.DeleteOptions{
			Preconditions: &metav1.Preconditions{ResourceVersion: &l.ResourceVersion},
		})
	}
}
