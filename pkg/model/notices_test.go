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

package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

func TestNotices(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(k *v1beta2.KafkaMirrorMaker)
		want   []string
	}{
		{"none", func(*v1beta2.KafkaMirrorMaker) {}, nil},
		{"include and whitelist", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Whitelist = ptr.To("old.*") },
			[]string{"Both include and whitelist fields are present. Whitelist is deprecated and will be ignored."}},
		{"TLS authentication without TLS", func(k *v1beta2.KafkaMirrorMaker) {
			k.Spec.Producer.TLS = nil
			k.Spec.Producer.Authentication = tlsAuth("user")
		}, []string{"TLS configuration missing: related TLS client authentication will not work properly"}},
		{"TLS authentication with TLS", func(k *v1beta2.KafkaMirrorMaker) {
			k.Spec.Producer.TLS = &v1beta2.ClientTLS{}
			k.Spec.Producer.Authentication = tlsAuth("user")
		}, nil},
		{"jaeger", func(k *v1beta2.KafkaMirrorMaker) { k.Spec.Tracing = &v1beta2.Tracing{Type: v1beta2.TracingTypeJaeger} },
			[]string{`Tracing type "jaeger" is not supported anymore and will be ignored`}},
		{"forbidden options", func(k *v1beta2.KafkaMirrorMaker) {
			k.Spec.Consumer.Config = config("group.id", "x", "ssl.protocol", "TLSv1.3", "fetch.min.bytes", "1")
			k.Spec.Producer.Config = config("sasl.mechanism", "PLAIN", "group.id", "allowed-for-producers")
		}, []string{
			`Configuration option "group.id" is forbidden and will be ignored`,
			`Configuration option "sasl.mechanism" is forbidden and will be ignored`,
		}},
		{"template variables", func(k *v1beta2.KafkaMirrorMaker) {
			k.Spec.Template = templateEnv("KAFKA_MIRRORMAKER_INCLUDE", "mine", "OK", "1")
			k.Spec.Template.MirrorMakerContainer.Env = append(k.Spec.Template.MirrorMakerContainer.Env, v1beta2.ContainerEnvVar{Name: ptr.To("EMPTY")})
		}, []string{
			"User defined container template environment variable KAFKA_MIRRORMAKER_INCLUDE is already in use and will be ignored",
			"User defined container template environment variable EMPTY doesn't have any value defined and will be ignored",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := baseKMM()
			tc.mutate(k)
			assert.Equal(t, tc.want, mustModel(t, k, DefaultSettings()).Notices())
		})
	}
}
