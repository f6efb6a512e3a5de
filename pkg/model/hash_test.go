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
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/utils/ptr"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

const defaultLog4j = "# Do not change this generated file. Logging can be configured in the corresponding Kubernetes resource.\n" +
	"log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\n" +
	"log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout\n" +
	"log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %p %m (%c) [%t]%n\n" +
	"mirrormaker.root.logger=INFO\n" +
	"log4j.rootLogger=${mirrormaker.root.logger}, CONSOLE\n"

func scram(secret string) *v1beta2.KafkaClientAuthentication {
	return &v1beta2.KafkaClientAuthentication{
		Type:           v1beta2.AuthenticationTypeScramSha512,
		Username:       ptr.To("user"),
		PasswordSecret: &v1beta2.PasswordSecretSource{SecretName: secret, Password: "password"},
	}
}

func authHash(t *testing.T, kmm *v1beta2.KafkaMirrorMaker, secrets fakeSecrets) (string, error) {
	t.Helper()
	return AuthHash(mustModel(t, kmm, DefaultSettings()), secrets)
}

func TestAuthHashNoTLSNoAuthIsZero(t *testing.T) {
	h, err := authHash(t, baseKMM(), nil)
	require.NoError(t, err)
	assert.Equal(t, "0", h)
}

func TestAuthHashPasswordVector(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = scram("pw")
	h, err := authHash(t, kmm, fakeSecrets{"pw": newSecret("pw", map[string]string{"password": "password"})})
	require.NoError(t, err)
	assert.Equal(t, "555129840", h)
}

func TestAuthHashTrustedCertificateVector(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("ca", "ca.crt")}}
	h, err := authHash(t, kmm, fakeSecrets{"ca": newSecret("ca", map[string]string{"ca.crt": "CERT"})})
	require.NoError(t, err)
	assert.Equal(t, "1625605767", h)
}

func TestAuthHashScramPlusTrustedCertificateWraps(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = scram("pw")
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{certSource("ca", "ca.crt")}}
	h, err := authHash(t, kmm, fakeSecrets{
		"pw": newSecret("pw", map[string]string{"password": "password"}),
		"ca": newSecret("ca", map[string]string{"ca.crt": "CERT"}),
	})
	require.NoError(t, err)
	assert.Equal(t, "-2114231689", h)
}

func TestAuthHashTLSClientAuthVector(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = &v1beta2.KafkaClientAuthentication{
		Type:              v1beta2.AuthenticationTypeTLS,
		CertificateAndKey: &v1beta2.CertAndKeySecretSource{SecretName: "user", Certificate: "user.crt", Key: "user.key"},
	}
	h, err := authHash(t, kmm, fakeSecrets{"user": newSecret("user", map[string]string{"user.crt": "CERT", "user.key": "KEY"})})
	require.NoError(t, err)
	assert.Equal(t, "729257555", h)
}

func TestAuthHashPatternSortsAndConcatenatesMatches(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{{SecretName: "ca", Pattern: ptr.To("*.crt")}}}
	secrets := fakeSecrets{"ca": newSecret("ca", map[string]string{"b.crt": "B", "a.crt": "A", "c.key": "C"})}
	h, err := authHash(t, kmm, secrets)
	require.NoError(t, err)
	// base64("A") = "QQ==", base64("B") = "Qg==", sorted and concatenated.
	assert.Equal(t, itoa32(javaHashCode("QQ==Qg==")), h)
}

func TestAuthHashOAuth(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Producer.Authentication = &v1beta2.KafkaClientAuthentication{
		Type:                   v1beta2.AuthenticationTypeOAuth,
		ClientID:               ptr.To("client"),
		TokenEndpointURI:       ptr.To("https://sso"),
		ClientSecret:           genericSecret("oauth", "secret"),
		PasswordSecret:         &v1beta2.PasswordSecretSource{SecretName: "not-hashed", Password: "pw"},
		TLSTrustedCertificates: []v1beta2.CertSecretSource{certSource("sso-ca", "ca.crt")},
	}
	h, err := authHash(t, kmm, fakeSecrets{
		"oauth":  newSecret("oauth", map[string]string{"secret": "S"}),
		"sso-ca": newSecret("sso-ca", map[string]string{"ca.crt": "CERT"}),
	})
	require.NoError(t, err)
	assert.Equal(t, itoa32(javaHashCode("Uw==")+1625605767), h)
}

func itoa32(v int32) string {
	return strconv.Itoa(int(v))
}

func TestAuthHashMissingSecretAndKeys(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = &v1beta2.KafkaClientAuthentication{
		Type:              v1beta2.AuthenticationTypeTLS,
		CertificateAndKey: &v1beta2.CertAndKeySecretSource{SecretName: "user", Certificate: "user.crt", Key: "user.key"},
	}
	_, err := authHash(t, kmm, fakeSecrets{})
	requireReason(t, err, ReasonInvalidConfiguration, "Secret user not found in namespace test")

	_, err = authHash(t, kmm, fakeSecrets{"user": newSecret("user", map[string]string{"other": "x"})})
	requireReason(t, err, ReasonInvalidConfiguration, "Items with key(s) [user.crt, user.key] are missing in Secret user")

	kmm = baseKMM()
	kmm.Spec.Producer.TLS = &v1beta2.ClientTLS{TrustedCertificates: []v1beta2.CertSecretSource{{SecretName: "ca"}}}
	_, err = AuthHash(&MirrorMaker{cr: kmm, spec: kmm.Spec}, fakeSecrets{"ca": newSecret("ca", nil)})
	requireReason(t, err, ReasonInvalidResource, "Certificate source does not contain the certificate or the pattern.")
}

func TestAuthHashOAuthMissingSecret(t *testing.T) {
	kmm := baseKMM()
	kmm.Spec.Consumer.Authentication = &v1beta2.KafkaClientAuthentication{
		Type:        v1beta2.AuthenticationTypeOAuth,
		AccessToken: genericSecret("token", "access"),
	}
	_, err := authHash(t, kmm, fakeSecrets{})
	requireReason(t, err, ReasonNoStackTraceThrowable, "Secret token not found")
	_, err = authHash(t, kmm, fakeSecrets{"token": newSecret("token", nil)})
	requireReason(t, err, ReasonNullPointer, `Cannot invoke "String.hashCode()" because the return value of "java.util.Map.get(Object)" is null`)
}

func TestLoggingHashVectors(t *testing.T) {
	m := mustModel(t, baseKMM(), DefaultSettings())
	log4j, err := m.Log4jProperties(nil)
	require.NoError(t, err)
	assert.Equal(t, defaultLog4j, log4j)
	assert.Equal(t, "e697cf66", LoggingHash(log4j))

	kmm := baseKMM()
	kmm.Spec.Logging = &v1beta2.Logging{Type: v1beta2.LoggingTypeInline, Loggers: map[string]string{"mirrormaker.root.logger": "DEBUG"}}
	log4j, err = mustModel(t, kmm, DefaultSettings()).Log4jProperties(nil)
	require.NoError(t, err)
	assert.Contains(t, log4j, "\nmirrormaker.root.logger=DEBUG\n")
	assert.Equal(t, "24003f9f", LoggingHash(log4j))
}

func TestGlob(t *testing.T) {
	cases := []struct {
		glob  string
		match []string
		miss  []string
	}{
		{"*.crt", []string{"ca.crt", ".crt"}, []string{"ca.key", "a/b.crt"}},
		{"**.crt", []string{"a/b.crt"}, []string{"a.key"}},
		{"ca?.crt", []string{"ca1.crt"}, []string{"ca.crt", "ca12.crt"}},
		{"[ab].crt", []string{"a.crt", "b.crt"}, []string{"c.crt"}},
		{"[!ab].crt", []string{"c.crt"}, []string{"a.crt"}},
		{"[a-c]*", []string{"b.crt"}, []string{"d.crt"}},
		{"{ca,tls}.crt", []string{"ca.crt", "tls.crt"}, []string{"user.crt"}},
		{`\*.crt`, []string{"*.crt"}, []string{"a.crt"}},
		{"ca.crt", []string{"ca.crt"}, []string{"caXcrt"}},
	}
	for _, c := range cases {
		re, err := compileGlob(c.glob)
		require.NoError(t, err, c.glob)
		for _, s := range c.match {
			assert.True(t, re.MatchString(s), "%s should match %s", c.glob, s)
		}
		for _, s := range c.miss {
			assert.False(t, re.MatchString(s), "%s should not match %s", c.glob, s)
		}
	}
	_, err := compileGlob("[ab")
	requireReason(t, err, ReasonPatternSyntax, "Missing '] near index 2\n[ab\n  ^")
	_, err = compileGlob("{a,{b}}")
	requireReason(t, err, ReasonPatternSyntax, "Cannot nest groups near index 3\n{a,{b}}\n   ^")
	_, err = compileGlob(`a\`)
	requireReason(t, err, ReasonPatternSyntax, "No character to escape near index 1\na\\\n ^")
}
