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
	"fmt"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// Notices are the parts of the resource the model ignores, in the words of Strimzi's WARN log
// lines: the deprecated whitelist next to include, TLS client authentication without TLS,
// jaeger tracing, forbidden configuration options, and container template variables that are
// already set or have no value. Unlike Warnings they do not go into the status; the operator
// logs them and `render` prints them.
func (m *MirrorMaker) Notices() []string {
	var out []string
	notice := func(s string) { out = append(out, s) }
	spec := m.spec
	if spec.Include != nil && spec.Whitelist != nil {
		notice("Both include and whitelist fields are present. Whitelist is deprecated and will be ignored.")
	}
	for _, side := range []clientSide{m.consumerSide(), m.producerSide()} {
		if a := side.auth; a != nil && a.Type == v1beta2.AuthenticationTypeTLS && a.CertificateAndKey != nil && side.tls == nil {
			notice("TLS configuration missing: related TLS client authentication will not work properly")
		}
	}
	if spec.Tracing != nil && spec.Tracing.Type == v1beta2.TracingTypeJaeger {
		notice(fmt.Sprintf("Tracing type %q is not supported anymore and will be ignored", spec.Tracing.Type))
	}
	for _, c := range []struct {
		config    v1beta2.KafkaConfig
		forbidden []string
	}{{spec.Consumer.Config, consumerForbiddenPrefixes}, {spec.Producer.Config, producerForbiddenPrefixes}} {
		for _, key := range sortedKeys(c.config) {
			if isForbidden(key, c.forbidden) {
				notice(fmt.Sprintf("Configuration option %q is forbidden and will be ignored", key))
			}
		}
	}
	if env, err := m.operatorEnv(); err == nil {
		m.templateEnv(env, notice)
	}
	return out
}
