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
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

const distinctiveSecret = "Zq9-very-distinctive-secret-value-7Xw"

// leakKMM references Secrets through every mechanism: trust, TLS client certificates, passwords,
// OAuth tokens, secrets, assertions and OAuth trust.
func leakKMM() *v1beta2.KafkaMirrorMaker {
	kmm := baseKMM()
	kmm.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{
		certSource("ca", "ca.crt"), {SecretName: "ca", Pattern: ptr.To("*.pem")},
	}}
	kmm.Spec.Consumer.Authentication = tlsAuth("user")
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{}
	kmm.Spec.Producer.Authentication = oauth(func(a *v1beta2.KafkaClientAuthentication) {
		passwordGrantOAuth(a)
		a.AccessToken = genericSecret("token", "access")
		a.RefreshToken = genericSecret("token", "refresh")
		a.ClientAssertion = genericSecret("token", "assertion")
		a.TLSTrustedCertificates = []v1beta2.CertSecretSource{certSource("sso-ca", "ca.crt")}
	})
	return kmm
}

func leakSecrets(value string) fakeSecrets {
	all := map[string]string{
		"ca.crt": value, "x.pem": value, "user.crt": value, "user.key": value, "password": value,
		"access": value, "refresh": value, "assertion": value, "my-secret-key": value, "user1.password": value,
	}
	out := fakeSecrets{}
	for _, name := range []string{"ca", "user", "token", "sso-ca", "my-secret-secret", "my-password-secret"} {
		out[name] = newSecret(name, all)
	}
	return out
}

func assertNoSecret(t *testing.T, text string) {
	t.Helper()
	for _, form := range []string{distinctiveSecret, base64.StdEncoding.EncodeToString([]byte(distinctiveSecret)), "very-distinctive"} {
		assert.NotContains(t, text, form)
	}
}

func TestSecretValuesNeverRendered(t *testing.T) {
	r, err := Render(leakKMM(), DefaultSettings(), leakSecrets(distinctiveSecret), nil)
	require.NoError(t, err)
	for _, obj := range []any{r.ServiceAccount, r.ConfigMap, r.PodDisruptionBudget, r.Deployment, r.Model.Warnings(), r.Model.ReferencedSecrets()} {
		b, err := json.Marshal(obj)
		require.NoError(t, err)
		assertNoSecret(t, string(b))
	}
	assertNoSecret(t, fmt.Sprintf("%+v", *r.Model))
	assert.NotEqual(t, "0", r.AuthHash)

	// Changing a Secret value changes the hash, and only the hash.
	r2, err := Render(leakKMM(), DefaultSettings(), leakSecrets(distinctiveSecret+"2"), nil)
	require.NoError(t, err)
	assert.NotEqual(t, r.AuthHash, r2.AuthHash)
	assert.Equal(t, r.Deployment.Spec.Template.Spec.Containers, r2.Deployment.Spec.Template.Spec.Containers)
}

func TestSecretValuesNeverInErrors(t *testing.T) {
	secrets := leakSecrets(distinctiveSecret)
	var errs []error
	for _, name := range []string{"ca", "user", "token", "sso-ca"} {
		broken := leakSecrets(distinctiveSecret)
		broken[name] = newSecret(name, map[string]string{"unrelated": distinctiveSecret})
		_, err := Render(leakKMM(), DefaultSettings(), broken, nil)
		require.Error(t, err, name)
		errs = append(errs, err)
		delete(broken, name)
		_, err = Render(leakKMM(), DefaultSettings(), broken, nil)
		require.Error(t, err, name)
		errs = append(errs, err)
	}
	kmm := leakKMM()
	kmm.Spec.Consumer.TLS.TrustedCertificates[1].Pattern = ptr.To("[" + distinctiveSecret[:3])
	_, err := Render(kmm, DefaultSettings(), secrets, nil)
	require.Error(t, err)
	errs = append(errs, err)
	for _, err := range errs {
		assertNoSecret(t, err.Error())
		assert.False(t, strings.Contains(err.Error(), "\x00"))
	}
}
