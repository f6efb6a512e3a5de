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
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// FuzzRender decodes a KafkaMirrorMaker from the fuzz input, serves every Secret key and ConfigMap
// it references (some of them missing, as flags says) and checks that Render never panics, returns
// either objects or an error, is deterministic, and never copies a Secret value into the
// Deployment, ServiceAccount, PodDisruptionBudget or an error message.
func FuzzRender(f *testing.F) {
	f.Add([]byte(`{"metadata":{"name":"m","namespace":"n"},"spec":{"replicas":1,"consumer":{"bootstrapServers":"a:9092","groupId":"g"},"producer":{"bootstrapServers":"b:9092"},"include":".*"}}`),
		"c2VjcmV0VmFsdWU", "animal: wombat", uint8(0))
	f.Fuzz(func(t *testing.T, resource []byte, secretValue, cmText string, flags uint8) {
		var kmm v1beta2.KafkaMirrorMaker
		if err := json.Unmarshal(resource, &kmm); err != nil {
			return
		}
		secrets, cms := fuzzReferences(&kmm, secretValue, cmText, flags)
		r, err := Render(&kmm, DefaultSettings(), secrets, cms)
		leakCheck := len(secretValue) >= 8 && isAlnum(secretValue) && !strings.Contains(string(resource), secretValue) && !strings.Contains(cmText, secretValue)
		if err != nil {
			if r != nil {
				t.Fatalf("Render returned both objects and error %v", err)
			}
			var e *Error
			if errors.As(err, &e) && e.Reason == "" {
				t.Fatalf("error without reason: %v", err)
			}
			if leakCheck && strings.Contains(err.Error(), secretValue) {
				t.Fatalf("error message contains the Secret value: %v", err)
			}
			return
		}
		if r.ServiceAccount == nil || r.ConfigMap == nil || r.PodDisruptionBudget == nil || r.Deployment == nil || r.Model == nil {
			t.Fatalf("Render returned incomplete objects: %+v", r)
		}
		if leakCheck {
			for _, n := range r.Model.Notices() {
				if strings.Contains(n, secretValue) {
					t.Fatalf("notice contains the Secret value: %s", n)
				}
			}
		}
		first := marshalRendered(t, r)
		r2, err := Render(&kmm, DefaultSettings(), secrets, cms)
		if err != nil {
			t.Fatalf("second Render failed: %v", err)
		}
		if second := marshalRendered(t, r2); second != first || r2.AuthHash != r.AuthHash {
			t.Fatalf("Render is not deterministic")
		}
		if leakCheck {
			for _, obj := range []any{r.Deployment, r.ServiceAccount, r.PodDisruptionBudget} {
				b, _ := json.Marshal(obj)
				if strings.Contains(string(b), secretValue) {
					t.Fatalf("rendered object contains the Secret value")
				}
			}
		}
	})
}

func marshalRendered(t *testing.T, r *Rendered) string {
	t.Helper()
	var b strings.Builder
	for _, obj := range []any{r.ServiceAccount, r.ConfigMap, r.PodDisruptionBudget, r.Deployment} {
		j, err := json.Marshal(obj)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		b.Write(j)
	}
	return b.String() + r.LoggingHash + r.AuthHash
}

func isAlnum(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// fuzzReferences builds Secrets and ConfigMaps holding every key the resource references. Bit 0
// of flags drops every third Secret, bit 1 drops the ConfigMaps, bit 2 leaves the Secrets empty.
func fuzzReferences(kmm *v1beta2.KafkaMirrorMaker, secretValue, cmText string, flags uint8) (fakeSecrets, fakeConfigMaps) {
	secrets := fakeSecrets{}
	cms := fakeConfigMaps{}
	if kmm.Spec == nil {
		return secrets, cms
	}
	add := func(name string, keys ...string) {
		s, ok := secrets[name]
		if !ok {
			s = newSecret(name, nil)
			secrets[name] = s
		}
		if flags&4 != 0 {
			return
		}
		for _, k := range keys {
			s.Data[k] = []byte(secretValue)
		}
	}
	addCerts := func(certs []v1beta2.CertSecretSource) {
		for _, c := range certs {
			add(c.SecretName, "ca.crt", "tls.crt", "a.pem")
			if c.Certificate != nil {
				add(c.SecretName, *c.Certificate)
			}
		}
	}
	addAuth := func(a *v1beta2.KafkaClientAuthentication) {
		if a == nil {
			return
		}
		if ck := a.CertificateAndKey; ck != nil {
			add(ck.SecretName, ck.Certificate, ck.Key)
		}
		if ps := a.PasswordSecret; ps != nil {
			add(ps.SecretName, ps.Password)
		}
		for _, g := range []*v1beta2.GenericSecretSource{a.AccessToken, a.ClientSecret, a.RefreshToken, a.ClientAssertion} {
			if g != nil {
				add(g.SecretName, g.Key)
			}
		}
		addCerts(a.TLSTrustedCertificates)
	}
	if c := kmm.Spec.Consumer; c != nil {
		if c.TLS != nil {
			addCerts(c.TLS.TrustedCertificates)
		}
		addAuth(c.Authentication)
	}
	if p := kmm.Spec.Producer; p != nil {
		if p.TLS != nil {
			addCerts(p.TLS.TrustedCertificates)
		}
		addAuth(p.Authentication)
	}
	if flags&1 != 0 {
		i := 0
		for _, name := range sortedKeys(secrets) {
			if i%3 == 0 {
				delete(secrets, name)
			}
			i++
		}
	}
	if flags&2 == 0 {
		for _, ref := range []*v1beta2.ExternalConfigurationReference{metricsRef(kmm.Spec), loggingRef(kmm.Spec)} {
			if ref != nil && ref.ConfigMapKeyRef != nil {
				cm, ok := cms[ref.ConfigMapKeyRef.Name]
				if !ok {
					cm = newConfigMap(ref.ConfigMapKeyRef.Name, map[string]string{})
					cms[ref.ConfigMapKeyRef.Name] = cm
				}
				cm.Data[ref.ConfigMapKeyRef.Key] = cmText
			}
		}
	}
	return secrets, cms
}

func metricsRef(spec *v1beta2.KafkaMirrorMakerSpec) *v1beta2.ExternalConfigurationReference {
	if spec.MetricsConfig == nil {
		return nil
	}
	return spec.MetricsConfig.ValueFrom
}

func loggingRef(spec *v1beta2.KafkaMirrorMakerSpec) *v1beta2.ExternalConfigurationReference {
	if spec.Logging == nil {
		return nil
	}
	return spec.Logging.ValueFrom
}
