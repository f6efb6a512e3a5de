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

package oauth

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Option keys of strimzi-kafka-oauth's ClientConfig that the token source honours.
const (
	KeyTokenEndpointURI         = "oauth.token.endpoint.uri"
	KeyClientID                 = "oauth.client.id"
	KeyClientSecret             = "oauth.client.secret"
	KeyAccessToken              = "oauth.access.token"
	KeyAccessTokenLocation      = "oauth.access.token.location"
	KeyRefreshToken             = "oauth.refresh.token"
	KeyRefreshTokenLocation     = "oauth.refresh.token.location"
	KeyUsername                 = "oauth.password.grant.username"
	KeyPassword                 = "oauth.password.grant.password"
	KeyClientAssertion          = "oauth.client.assertion"
	KeyClientAssertionLocation  = "oauth.client.assertion.location"
	KeyClientAssertionType      = "oauth.client.assertion.type"
	KeyScope                    = "oauth.scope"
	KeyAudience                 = "oauth.audience"
	KeyEndpointIdentification   = "oauth.ssl.endpoint.identification.algorithm"
	KeyAccessTokenIsJWT         = "oauth.access.token.is.jwt"
	KeyTokensNotJWT             = "oauth.tokens.not.jwt"
	KeyMaxTokenExpirySeconds    = "oauth.max.token.expiry.seconds"
	KeyConnectTimeoutSeconds    = "oauth.connect.timeout.seconds"
	KeyReadTimeoutSeconds       = "oauth.read.timeout.seconds"
	KeyHTTPRetries              = "oauth.http.retries"
	KeyHTTPRetryPauseMillis     = "oauth.http.retry.pause.millis"
	KeyIncludeAcceptHeader      = "oauth.include.accept.header"
	KeySASLExtensionPrefix      = "oauth.sasl.extension."
	defaultClientAssertionType  = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	defaultTimeout              = 60 * time.Second
	staticTokenLifetime         = 365 * 24 * time.Hour
	refreshFactor               = 0.8
	maxResponseBytes            = 1 << 20
	minimumMaxTokenExpirySecond = 60
)

// secretKeys are the options whose values are never shown.
var secretKeys = map[string]bool{
	KeyClientSecret: true, KeyAccessToken: true, KeyRefreshToken: true, KeyPassword: true, KeyClientAssertion: true,
}

// IsSecret reports whether the value of option key is a secret.
func IsSecret(key string) bool { return secretKeys[key] }

// ignoredKeys are ClientConfig options that change nothing about the token kmm-mirror sends.
var ignoredKeys = map[string]string{
	"oauth.enable.metrics":                   "OAuth metrics are not implemented",
	"oauth.config.id":                        "only names OAuth metrics",
	"oauth.username.claim":                   "only names the principal in Java logs",
	"oauth.username.prefix":                  "only names the principal in Java logs",
	"oauth.fallback.username.claim":          "only names the principal in Java logs",
	"oauth.fallback.username.prefix":         "only names the principal in Java logs",
	"oauth.ssl.truststore.location":          "the truststore is KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS",
	"oauth.ssl.truststore.password":          "the truststore is KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS",
	"oauth.ssl.truststore.type":              "the truststore is KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS",
	"oauth.ssl.truststore.certificates":      "the truststore is KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS",
	"oauth.ssl.secure.random.implementation": "Java-only",
}

// Grant names the way a token is obtained, in strimzi-kafka-oauth's order of precedence.
type Grant string

// The grants, highest precedence first (handleCallback, §8.1).
const (
	GrantAccessToken     Grant = "access token"
	GrantRefreshToken    Grant = "refresh token"
	GrantPassword        Grant = "password"
	GrantClientSecret    Grant = "client credentials"
	GrantClientAssertion Grant = "client assertion"
)

// ConfigError is an invalid OAuth configuration, as strimzi-kafka-oauth's ConfigException. It
// names the option and never contains a secret value.
type ConfigError struct {
	Option string // the option key, may be empty when several are involved
	Reason string
}

func (e *ConfigError) Error() string {
	if e.Option == "" {
		return e.Reason
	}
	return e.Option + ": " + e.Reason
}

// Config is the input of New.
type Config struct {
	// Options are the JAAS options (KAFKA_MIRRORMAKER_OAUTH_CONFIG_<S>) followed by the secrets the
	// image appends (oauth.client.secret, oauth.refresh.token, oauth.access.token,
	// oauth.password.grant.password, oauth.client.assertion); a later duplicate wins.
	Options []Option
	// Lookup is the process environment. As strimzi-kafka-oauth's Config.getValue, a variable
	// named like the key in upper case with '.' and '-' as '_' (OAUTH_CLIENT_ID), or exactly like
	// the key, overrides the option. Nil means no environment.
	Lookup func(string) (string, bool)
	// RootCAs verify the token endpoint; nil means the system roots.
	RootCAs *x509.CertPool
	// Now is the clock, time.Now when nil (tests set it).
	Now func() time.Time
}

// settings are the resolved options.
type settings struct {
	grant                   Grant
	endpoint                *url.URL
	clientID, clientSecret  string
	accessToken             string
	accessTokenLocation     string
	refreshToken            string
	refreshTokenLocation    string
	username, password      string
	clientAssertion         string
	clientAssertionLocation string
	clientAssertionType     string
	scope, audience         string
	hasScope, hasAudience   bool
	hasClientSecret         bool
	verifyHostname          bool
	isJWT                   bool
	maxTokenExpiry          time.Duration
	connectTimeout          time.Duration
	readTimeout             time.Duration
	retries                 int
	retryPause              time.Duration
	acceptHeader            bool
	extensions              map[string]string
	ignored                 []string
	warnings                []string
}

var (
	extensionKeyPattern   = regexp.MustCompile(`^[A-Za-z]+$`)
	extensionValuePattern = regexp.MustCompile("^[\x21-\x7E \t\r\n]+$")
)

// resolve applies strimzi-kafka-oauth's JaasClientOauthLoginCallbackHandler.configure and
// checkConfiguration to the options (§8.1).
func resolve(cfg Config) (*settings, error) {
	opts := map[string]string{}
	var order []string
	for _, o := range cfg.Options {
		if _, ok := opts[o.Key]; !ok {
			order = append(order, o.Key)
		}
		opts[o.Key] = o.Value
	}
	get := func(key string) (string, bool) {
		if cfg.Lookup != nil {
			if v, ok := cfg.Lookup(toEnvName(key)); ok {
				return v, true
			}
			if v, ok := cfg.Lookup(key); ok {
				return v, true
			}
		}
		v, ok := opts[key]
		return v, ok
	}
	s := &settings{extensions: map[string]string{}}
	var err error

	accessToken, hasAccessToken := get(KeyAccessToken)
	s.accessTokenLocation, _ = get(KeyAccessTokenLocation)
	if s.accessTokenLocation != "" {
		if hasAccessToken {
			s.warnings = append(s.warnings, fmt.Sprintf("access token location is configured (%s), access token will be ignored (%s)", KeyAccessTokenLocation, KeyAccessToken))
		}
		if err := checkLocation(KeyAccessTokenLocation, s.accessTokenLocation); err != nil {
			return nil, err
		}
	} else if hasAccessToken {
		s.accessToken = accessToken
	}
	staticToken := s.accessTokenLocation != "" || hasAccessToken

	if !staticToken {
		endpoint, ok := get(KeyTokenEndpointURI)
		if !ok || endpoint == "" {
			return nil, &ConfigError{Option: KeyTokenEndpointURI, Reason: fmt.Sprintf("access token not specified (%s or %s); the OAuth token endpoint should then be set", KeyAccessToken, KeyAccessTokenLocation)}
		}
		u, perr := url.Parse(endpoint)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &ConfigError{Option: KeyTokenEndpointURI, Reason: fmt.Sprintf("%q is not a valid http or https URI", endpoint)}
		}
		s.endpoint = u
	}

	refreshToken, hasRefreshToken := get(KeyRefreshToken)
	s.refreshTokenLocation, _ = get(KeyRefreshTokenLocation)
	if s.refreshTokenLocation != "" {
		if hasRefreshToken {
			s.warnings = append(s.warnings, fmt.Sprintf("refresh token location is configured (%s), refresh token will be ignored (%s)", KeyRefreshTokenLocation, KeyRefreshToken))
		}
		if err := checkLocation(KeyRefreshTokenLocation, s.refreshTokenLocation); err != nil {
			return nil, err
		}
	} else if hasRefreshToken {
		s.refreshToken = refreshToken
	}
	hasRefresh := s.refreshTokenLocation != "" || hasRefreshToken

	clientID, hasClientID := get(KeyClientID)
	s.clientID = clientID
	s.clientSecret, s.hasClientSecret = get(KeyClientSecret)

	assertion, hasAssertion := get(KeyClientAssertion)
	s.clientAssertionLocation, _ = get(KeyClientAssertionLocation)
	if s.clientAssertionLocation != "" {
		if hasAssertion {
			s.warnings = append(s.warnings, fmt.Sprintf("client assertion location is configured (%s), client assertion will be ignored (%s)", KeyClientAssertionLocation, KeyClientAssertion))
		}
		if err := checkLocation(KeyClientAssertionLocation, s.clientAssertionLocation); err != nil {
			return nil, err
		}
	} else if hasAssertion {
		s.clientAssertion = assertion
	}
	hasClientAssertion := s.clientAssertionLocation != "" || hasAssertion
	if s.clientAssertionType, _ = get(KeyClientAssertionType); s.clientAssertionType == "" {
		s.clientAssertionType = defaultClientAssertionType
	}

	username, hasUsername := get(KeyUsername)
	s.username = username
	password, hasPassword := get(KeyPassword)
	s.password = password
	s.scope, s.hasScope = get(KeyScope)
	s.audience, s.hasAudience = get(KeyAudience)

	hostCheck, ok := get(KeyEndpointIdentification)
	s.verifyHostname = !ok || hostCheck != ""

	if s.connectTimeout, err = timeoutOption(get, KeyConnectTimeoutSeconds, &s.warnings); err != nil {
		return nil, err
	}
	if s.readTimeout, err = timeoutOption(get, KeyReadTimeoutSeconds, &s.warnings); err != nil {
		return nil, err
	}
	if s.retries, err = intOption(get, KeyHTTPRetries, 0); err != nil {
		return nil, err
	}
	if s.retries < 0 {
		return nil, &ConfigError{Option: KeyHTTPRetries, Reason: "has to be greater or equal to zero"}
	}
	pause, err := intOption(get, KeyHTTPRetryPauseMillis, 0)
	if err != nil {
		return nil, err
	}
	if s.retries > 0 && pause < 0 {
		s.warnings = append(s.warnings, fmt.Sprintf("%s is less than zero and will be ignored", KeyHTTPRetryPauseMillis))
		pause = 0
	}
	if pause > 0 {
		s.retryPause = time.Duration(pause) * time.Millisecond
	}
	if s.acceptHeader, err = boolOption(get, KeyIncludeAcceptHeader, true); err != nil {
		return nil, err
	}

	// checkConfiguration: precedence and required values.
	switch {
	case staticToken:
		s.grant = GrantAccessToken
		if hasRefresh {
			s.warnings = append(s.warnings, fmt.Sprintf("access token is configured (%s), refresh token will be ignored", KeyAccessToken))
		}
		if hasUsername {
			s.warnings = append(s.warnings, fmt.Sprintf("access token is configured (%s), username will be ignored (%s)", KeyAccessToken, KeyUsername))
		}
		if hasClientID {
			s.warnings = append(s.warnings, fmt.Sprintf("access token is configured (%s), client id will be ignored (%s)", KeyAccessToken, KeyClientID))
		}
		if hasClientAssertion {
			s.warnings = append(s.warnings, fmt.Sprintf("access token is configured (%s), client assertion (location) will be ignored", KeyAccessToken))
		}
	default:
		if !hasClientID {
			return nil, &ConfigError{Option: KeyClientID, Reason: "no client id specified"}
		}
		if hasUsername && !hasPassword {
			return nil, &ConfigError{Option: KeyPassword, Reason: fmt.Sprintf("username configured (%s) but no password specified", KeyUsername)}
		}
		switch {
		case hasRefresh:
			s.grant = GrantRefreshToken
			if hasUsername {
				s.warnings = append(s.warnings, fmt.Sprintf("refresh token is configured (%s), username will be ignored (%s)", KeyRefreshToken, KeyUsername))
			}
		case hasUsername:
			s.grant = GrantPassword
		case s.hasClientSecret:
			s.grant = GrantClientSecret
		case hasClientAssertion:
			s.grant = GrantClientAssertion
		default:
			return nil, &ConfigError{Reason: fmt.Sprintf("no access token or location (%s, %s), refresh token or location (%s, %s), client credentials (%s), user credentials (%s) or client assertion or location (%s, %s) specified",
				KeyAccessToken, KeyAccessTokenLocation, KeyRefreshToken, KeyRefreshTokenLocation, KeyClientSecret, KeyUsername, KeyClientAssertion, KeyClientAssertionLocation)}
		}
	}

	s.isJWT = true
	if _, ok := get(KeyAccessTokenIsJWT); ok {
		if s.isJWT, err = boolOption(get, KeyAccessTokenIsJWT, true); err != nil {
			return nil, err
		}
	} else if _, ok := get(KeyTokensNotJWT); ok {
		notJWT, err := boolOption(get, KeyTokensNotJWT, false)
		if err != nil {
			return nil, err
		}
		s.isJWT = !notJWT
	}

	maxExpiry, err := intOption(get, KeyMaxTokenExpirySeconds, -1)
	if err != nil {
		return nil, err
	}
	if maxExpiry > 0 && maxExpiry < minimumMaxTokenExpirySecond {
		return nil, &ConfigError{Option: KeyMaxTokenExpirySeconds, Reason: fmt.Sprintf("invalid value %d (should be at least 60)", maxExpiry)}
	}
	if maxExpiry > 0 {
		s.maxTokenExpiry = time.Duration(maxExpiry) * time.Second
	}

	for _, key := range order {
		switch {
		case strings.HasPrefix(key, KeySASLExtensionPrefix):
			name := strings.TrimPrefix(key, KeySASLExtensionPrefix)
			value, _ := get(key)
			if !extensionKeyPattern.MatchString(name) || name == "auth" {
				return nil, &ConfigError{Option: key, Reason: fmt.Sprintf("invalid sasl extension key %q", name)}
			}
			if !extensionValuePattern.MatchString(value) {
				return nil, &ConfigError{Option: key, Reason: fmt.Sprintf("invalid sasl extension value for key %q", name)}
			}
			s.extensions[name] = value
		case knownKey(key):
		default:
			s.ignored = append(s.ignored, key)
		}
	}
	sort.Strings(s.ignored)
	return s, nil
}

// knownKey reports whether the token source uses key.
func knownKey(key string) bool {
	switch key {
	case KeyTokenEndpointURI, KeyClientID, KeyClientSecret, KeyAccessToken, KeyAccessTokenLocation,
		KeyRefreshToken, KeyRefreshTokenLocation, KeyUsername, KeyPassword, KeyClientAssertion,
		KeyClientAssertionLocation, KeyClientAssertionType, KeyScope, KeyAudience, KeyEndpointIdentification,
		KeyAccessTokenIsJWT, KeyTokensNotJWT, KeyMaxTokenExpirySeconds, KeyConnectTimeoutSeconds,
		KeyReadTimeoutSeconds, KeyHTTPRetries, KeyHTTPRetryPauseMillis, KeyIncludeAcceptHeader:
		return true
	}
	return false
}

// IgnoredReason says why a known option has no effect, or "" for an option unknown to
// strimzi-kafka-oauth's client.
func IgnoredReason(key string) string { return ignoredKeys[key] }

// toEnvName is strimzi-kafka-oauth's Config.toEnvName.
func toEnvName(key string) string {
	return strings.NewReplacer(".", "_", "-", "_").Replace(strings.ToUpper(key))
}

// checkLocation fails like FileBasedTokenProvider when a token file does not exist.
func checkLocation(key, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return &ConfigError{Option: key, Reason: fmt.Sprintf("specified location is invalid: file %s does not exist", path)}
	}
	if st.IsDir() {
		return &ConfigError{Option: key, Reason: fmt.Sprintf("specified location is invalid: %s is a directory", path)}
	}
	return nil
}

// intOption is Config.getValueAsInt.
func intOption(get func(string) (string, bool), key string, def int) (int, error) {
	v, ok := get(key)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, &ConfigError{Option: key, Reason: fmt.Sprintf("%q is not an integer", v)}
	}
	return int(n), nil
}

// boolOption is Config.getValueAsBoolean: true/yes/y/1 or false/no/n/0, any case.
func boolOption(get func(string) (string, bool), key string, def bool) (bool, error) {
	v, ok := get(key)
	if !ok {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "true", "yes", "y", "1":
		return true, nil
	case "false", "no", "n", "0":
		return false, nil
	}
	return false, &ConfigError{Option: key, Reason: fmt.Sprintf("bad boolean value %q", v)}
}

// timeoutOption is ConfigUtil.getTimeoutAppendingWarnings: seconds, default 60, values <= 0 are
// replaced by the default with a warning.
func timeoutOption(get func(string) (string, bool), key string, warnings *[]string) (time.Duration, error) {
	n, err := intOption(get, key, int(defaultTimeout/time.Second))
	if err != nil {
		return 0, err
	}
	if n <= 0 {
		*warnings = append(*warnings, fmt.Sprintf("%s (%d) is <= 0 and will be ignored; default used: 60 seconds", key, n))
		return defaultTimeout, nil
	}
	return time.Duration(n) * time.Second, nil
}
