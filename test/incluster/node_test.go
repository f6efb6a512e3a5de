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
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
)

// TestNodeNeverPulls: an image that was not loaded into the real node fails to pull at once, at
// containerd's proxy on a closed loopback port; the node makes no connection off this host.
func TestNodeNeverPulls(t *testing.T) {
	ns := newNamespace(t, "")
	tolerations, affinity := tolerateRealNode()
	_, err := kube.CoreV1().Pods(ns).Create(bg, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "not-loaded"},
		Spec: corev1.PodSpec{
			Tolerations: tolerations, Affinity: affinity,
			Containers: []corev1.Container{{Name: "c", Image: "quay.io/strimzi/kafka:0.45.2-kafka-3.9.0"}},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	var msg string
	eventually(t, time.Minute, "a failed pull of the image that was not loaded", func() (bool, string) {
		evs, err := kube.CoreV1().Events(ns).List(bg, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("involvedObject.name", "not-loaded").String()})
		if err != nil {
			return false, err.Error()
		}
		for _, e := range evs.Items {
			if e.Reason == "Failed" && strings.Contains(e.Message, "Failed to pull image") {
				msg = e.Message
				return true, msg
			}
		}
		return false, "no Failed event yet"
	})
	require.Contains(t, msg, "proxyconnect tcp: dial tcp 127.0.0.1:9: connect: connection refused")
}
