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
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

const oauthCombinationsMessage = "OAUTH authentication selected, but some options are missing. You have to specify one of the following combinations: [accessToken], [accessTokenLocation], [tokenEndpointUri, clientId, refreshToken], [tokenEndpointUri, clientId, clientSecret], [tokenEndpointUri, clientId, clientAssertion], [tokenEndpointUri, clientId, clientAssertionLocation], [tokenEndpointUri, username, password, clientId]."

// validateAuthentication checks that the options the authentication type needs are present, as
// Strimzi's AuthenticationUtils.validateClientAuthentication does. TLS client authentication on a
// side without tls only earns a log warning in Strimzi, so it is accepted here.
func validateAuthentication(a *v1beta2.KafkaClientAuthentication) error {
	if a == nil {
		return nil
	}
	switch a.Type {
	case v1beta2.AuthenticationTypeTLS:
		if a.CertificateAndKey == nil {
			return invalidResource("TLS Client authentication selected, but no certificate and key configured.")
		}
	case v1beta2.AuthenticationTypeScramSha256, v1beta2.AuthenticationTypeScramSha512, v1beta2.AuthenticationTypePlain:
		if a.Username == nil || a.PasswordSecret == nil {
			return invalidResource("%s authentication selected, but username or password configuration is missing.", strings.ToUpper(a.Type))
		}
	case v1beta2.AuthenticationTypeOAuth:
		return validateOAuth(a)
	default:
		return invalidResource("Authentication type %q is not supported. Supported types are: tls, scram-sha-256, scram-sha-512, plain, oauth.", a.Type)
	}
	return nil
}

func validateOAuth(a *v1beta2.KafkaClientAuthentication) error {
	endpointAndClient := a.TokenEndpointURI != nil && a.ClientID != nil
	valid := a.AccessToken != nil ||
		a.AccessTokenLocation != nil ||
		(endpointAndClient && a.RefreshToken != nil) ||
		(endpointAndClient && a.ClientSecret != nil) ||
		(endpointAndClient && a.Username != nil && a.PasswordSecret != nil) ||
		(endpointAndClient && (a.ClientAssertion != nil || a.ClientAssertionLocation != nil))
	if !valid {
		return invalidResource(oauthCombinationsMessage)
	}
	var errs []string
	if a.ConnectTimeoutSeconds != nil && *a.ConnectTimeoutSeconds <= 0 {
		errs = append(errs, "If specified, 'connectTimeoutSeconds' has to be greater than 0")
	}
	if a.ReadTimeoutSeconds != nil && *a.ReadTimeoutSeconds <= 0 {
		errs = append(errs, "If specified, 'readTimeoutSeconds' has to be greater than 0")
	}
	if a.HTTPRetries != nil && *a.HTTPRetries < 0 {
		errs = append(errs, "If specified, 'httpRetries' has to be greater or equal 0")
	}
	if a.HTTPRetryPauseMs != nil && *a.HTTPRetryPauseMs < 0 {
		errs = append(errs, "If specified, 'httpRetryPauseMs' has to be greater or equal 0")
	}
	if len(errs) > 0 {
		return invalidResource("OAUTH authentication selected, but some options are invalid. %s", javaList(errs))
	}
	return nil
}

// trustedCertsValue renders trusted certificates as the image expects them:
// "<secret>/<certificate or pattern>" entries joined by ";".
func trustedCertsValue(certs []v1beta2.CertSecretSource) (string, error) {
	parts := make([]string, 0, len(certs))
	for _, c := range certs {
		switch {
		case c.Certificate != nil:
			parts = append(parts, c.SecretName+"/"+*c.Certificate)
		case c.Pattern != nil:
			parts = append(parts, c.SecretName+"/"+*c.Pattern)
		default:
			return "", errNoCertificateOrPattern()
		}
	}
	return strings.Join(parts, ";"), nil
}

func errNoCertificateOrPattern() *Error {
	return invalidResource("Certificate source does not contain the certificate or the pattern.")
}

// authenticationEnv appends the KAFKA_MIRRORMAKER_<X>_<SIDE> variables of one side's
// authentication, in Strimzi's order.
func authenticationEnv(env []corev1.EnvVar, a *v1beta2.KafkaClientAuthentication, side string) ([]corev1.EnvVar, error) {
	if a == nil {
		return env, nil
	}
	name := func(x string) string { return "KAFKA_MIRRORMAKER_" + x + "_" + side }
	switch a.Type {
	case v1beta2.AuthenticationTypeTLS:
		if ck := a.CertificateAndKey; ck != nil {
			env = append(env,
				envVar(name("TLS_AUTH_CERT"), ck.SecretName+"/"+ck.Certificate),
				envVar(name("TLS_AUTH_KEY"), ck.SecretName+"/"+ck.Key))
		}
	case v1beta2.AuthenticationTypePlain, v1beta2.AuthenticationTypeScramSha256, v1beta2.AuthenticationTypeScramSha512:
		env = append(env,
			envVar(name("SASL_USERNAME"), deref(a.Username)),
			envVar(name("SASL_PASSWORD_FILE"), a.PasswordSecret.SecretName+"/"+a.PasswordSecret.Password),
			envVar(name("SASL_MECHANISM"), a.Type))
	case v1beta2.AuthenticationTypeOAuth:
		env = append(env,
			envVar(name("SASL_MECHANISM"), "oauth"),
			envVar(name("OAUTH_CONFIG"), oauthConfig(a)))
		for _, ref := range []struct {
			suffix string
			src    *v1beta2.GenericSecretSource
		}{
			{"OAUTH_CLIENT_SECRET", a.ClientSecret},
			{"OAUTH_CLIENT_ASSERTION", a.ClientAssertion},
			{"OAUTH_ACCESS_TOKEN", a.AccessToken},
			{"OAUTH_REFRESH_TOKEN", a.RefreshToken},
		} {
			if ref.src != nil {
				env = append(env, envVarFromSecret(name(ref.suffix), ref.src.SecretName, ref.src.Key))
			}
		}
		if a.PasswordSecret != nil {
			env = append(env, envVarFromSecret(name("OAUTH_PASSWORD_GRANT_PASSWORD"), a.PasswordSecret.SecretName, a.PasswordSecret.Password))
		}
		if len(a.TLSTrustedCertificates) > 0 {
			v, err := trustedCertsValue(a.TLSTrustedCertificates)
			if err != nil {
				return nil, err
			}
			env = append(env, envVar(name("OAUTH_TRUSTED_CERTS"), v))
		}
	}
	return env, nil
}

// oauthConfig renders the OAuth options the image puts into the JAAS configuration, each as
// key="value", joined by spaces. SASL extensions come in key order.
func oauthConfig(a *v1beta2.KafkaClientAuthentication) string {
	var opts []string
	add := func(key, value string) { opts = append(opts, key+`="`+value+`"`) }
	addString := func(key string, value *string) {
		if value != nil {
			add(key, *value)
		}
	}
	addPositive := func(key string, value *int32) {
		if value != nil && *value > 0 {
			add(key, strconv.Itoa(int(*value)))
		}
	}
	addString("oauth.client.id", a.ClientID)
	addString("oauth.password.grant.username", a.Username)
	addString("oauth.token.endpoint.uri", a.TokenEndpointURI)
	addString("oauth.scope", a.Scope)
	addString("oauth.audience", a.Audience)
	if a.DisableTLSHostnameVerification != nil && *a.DisableTLSHostnameVerification {
		add("oauth.ssl.endpoint.identification.algorithm", "")
	}
	if a.AccessTokenIsJwt != nil && !*a.AccessTokenIsJwt {
		add("oauth.access.token.is.jwt", "false")
	}
	addPositive("oauth.max.token.expiry.seconds", a.MaxTokenExpirySeconds)
	addPositive("oauth.connect.timeout.seconds", a.ConnectTimeoutSeconds)
	addPositive("oauth.read.timeout.seconds", a.ReadTimeoutSeconds)
	addPositive("oauth.http.retries", a.HTTPRetries)
	addPositive("oauth.http.retry.pause.millis", a.HTTPRetryPauseMs)
	if a.EnableMetrics != nil && *a.EnableMetrics {
		add("oauth.enable.metrics", "true")
	}
	if a.IncludeAcceptHeader != nil && !*a.IncludeAcceptHeader {
		add("oauth.include.accept.header", "false")
	}
	addString("oauth.access.token.location", a.AccessTokenLocation)
	addString("oauth.client.assertion.location", a.ClientAssertionLocation)
	addString("oauth.client.assertion.type", a.ClientAssertionType)
	for _, k := range sortedKeys(a.SaslExtensions) {
		add("oauth.sasl.extension."+k, a.SaslExtensions[k])
	}
	return strings.Join(opts, " ")
}

func envVar(name, value string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, Value: value}
}

func envVarFromSecret(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret},
		Key:                  key,
	}}}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
