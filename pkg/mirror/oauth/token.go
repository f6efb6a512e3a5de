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
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
)

// TokenSource hands out OAUTHBEARER tokens to franz-go, which asks for one on every new connection
// and every re-authentication (F pkg/sasl/oauth). Tokens are cached and renewed once 80 % of their
// lifetime has passed, the point at which Kafka's login refresher renews them (K SaslConfigs
// sasl.login.refresh.window.factor, §8.1). If a renewal fails while the cached token is still
// valid, the cached token is used and the renewal is retried on the next call.
type TokenSource struct {
	s      *settings
	client *http.Client
	now    func() time.Time

	mu        sync.Mutex
	token     string
	refreshAt time.Time
	expiresAt time.Time
}

// New validates cfg like strimzi-kafka-oauth's JaasClientOauthLoginCallbackHandler.configure and
// returns a token source; a *ConfigError means the configuration is invalid. It does not contact
// the token endpoint.
func New(cfg Config) (*TokenSource, error) {
	s, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	ts := &TokenSource{s: s, now: cfg.Now}
	if ts.now == nil {
		ts.now = time.Now
	}
	if s.endpoint != nil {
		ts.client = newHTTPClient(s, cfg.RootCAs)
	}
	return ts, nil
}

// Grant is how tokens are obtained.
func (ts *TokenSource) Grant() Grant { return ts.s.grant }

// Ignored lists the options that have no effect, sorted; IgnoredReason says why for known ones.
func (ts *TokenSource) Ignored() []string { return append([]string(nil), ts.s.ignored...) }

// Warnings are the messages strimzi-kafka-oauth logs at WARN for this configuration.
func (ts *TokenSource) Warnings() []string { return append([]string(nil), ts.s.warnings...) }

// Extensions are the SASL extensions (oauth.sasl.extension.<k>) sent with every token.
func (ts *TokenSource) Extensions() map[string]string {
	out := make(map[string]string, len(ts.s.extensions))
	for k, v := range ts.s.extensions {
		out[k] = v
	}
	return out
}

// Summary describes the effective configuration as sorted "key=value" lines, secrets hidden.
func (ts *TokenSource) Summary() []string {
	s := ts.s
	lines := []string{"oauth.grant=" + string(s.grant)}
	add := func(k, v string) { lines = append(lines, k+"="+v) }
	if s.endpoint != nil {
		add(KeyTokenEndpointURI, s.endpoint.Redacted())
		add(KeyClientID, s.clientID)
	}
	if s.hasScope {
		add(KeyScope, s.scope)
	}
	if s.hasAudience {
		add(KeyAudience, s.audience)
	}
	if s.accessTokenLocation != "" {
		add(KeyAccessTokenLocation, s.accessTokenLocation)
	}
	if s.refreshTokenLocation != "" {
		add(KeyRefreshTokenLocation, s.refreshTokenLocation)
	}
	if s.clientAssertionLocation != "" {
		add(KeyClientAssertionLocation, s.clientAssertionLocation)
	}
	if s.grant == GrantPassword {
		add(KeyUsername, s.username)
	}
	add("oauth.secrets", "[hidden]")
	add(KeyAccessTokenIsJWT, fmt.Sprint(s.isJWT))
	for k, v := range s.extensions {
		add(KeySASLExtensionPrefix+k, v)
	}
	sort.Strings(lines)
	return lines
}

// Mechanism is the OAUTHBEARER SASL mechanism for kgo.SASL.
func (ts *TokenSource) Mechanism() sasl.Mechanism { return oauth.Oauth(ts.Token) }

// Token returns a valid token, fetching or re-reading one when none is cached or 80 % of the cached
// one's lifetime has passed.
func (ts *TokenSource) Token(ctx context.Context) (oauth.Auth, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := ts.now()
	if ts.token != "" && now.Before(ts.refreshAt) {
		return ts.auth(ts.token), nil
	}
	token, expires, issued, err := ts.obtain(ctx, now)
	if err != nil {
		if ts.token != "" && now.Before(ts.expiresAt) {
			return ts.auth(ts.token), nil
		}
		return oauth.Auth{}, err
	}
	if ts.s.maxTokenExpiry > 0 && expires.After(issued.Add(ts.s.maxTokenExpiry)) {
		expires = issued.Add(ts.s.maxTokenExpiry)
	}
	ts.token, ts.expiresAt = token, expires
	ts.refreshAt = now.Add(time.Duration(float64(expires.Sub(now)) * refreshFactor))
	return ts.auth(token), nil
}

func (ts *TokenSource) auth(token string) oauth.Auth {
	return oauth.Auth{Token: token, Extensions: ts.Extensions()}
}

// obtain gets a fresh token by the configured grant and returns it with its expiry and issue time.
func (ts *TokenSource) obtain(ctx context.Context, now time.Time) (token string, expires, issued time.Time, err error) {
	s := ts.s
	if s.grant == GrantAccessToken {
		token = s.accessToken
		if s.accessTokenLocation != "" {
			if token, err = readTokenFile(KeyAccessTokenLocation, s.accessTokenLocation); err != nil {
				return "", expires, issued, err
			}
		}
		return token, ts.lifetime(token, now, staticTokenLifetime), ts.issued(token, now), nil
	}
	secret := ""
	switch s.grant {
	case GrantRefreshToken:
		secret = s.refreshToken
		if s.refreshTokenLocation != "" {
			if secret, err = readTokenFile(KeyRefreshTokenLocation, s.refreshTokenLocation); err != nil {
				return "", expires, issued, err
			}
		}
	case GrantClientAssertion:
		secret = s.clientAssertion
		if s.clientAssertionLocation != "" {
			if secret, err = readTokenFile(KeyClientAssertionLocation, s.clientAssertionLocation); err != nil {
				return "", expires, issued, err
			}
		}
	}
	redact := redactor(secret, s.clientSecret, s.password, s.refreshToken, s.clientAssertion, s.accessToken)
	resp, err := ts.post(ctx, s.grantRequest(secret), redact)
	if err != nil {
		return "", expires, issued, err
	}
	return resp.accessToken, ts.lifetime(resp.accessToken, now, resp.expiresIn), ts.issued(resp.accessToken, now), nil
}

// lifetime is the expiry of token: its JWT exp claim when tokens are JWTs and it parses as one
// (TokenIntrospection), now+fallback otherwise.
func (ts *TokenSource) lifetime(token string, now time.Time, fallback time.Duration) time.Time {
	if ts.s.isJWT {
		if exp, _, ok := jwtTimes(token); ok {
			return exp
		}
	}
	return now.Add(fallback)
}

// issued is the JWT iat claim when available, else now; oauth.max.token.expiry.seconds counts
// from it.
func (ts *TokenSource) issued(token string, now time.Time) time.Time {
	if ts.s.isJWT {
		if _, iat, ok := jwtTimes(token); ok && !iat.IsZero() {
			return iat
		}
	}
	return now
}

// readTokenFile reads a token file (FileBasedTokenProvider re-reads it for every login, so
// rotated files such as projected service account tokens are picked up).
func readTokenFile(key, path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("oauth: %s: cannot read %s: %w", key, path, unwrapPath(err))
	}
	return strings.TrimSpace(string(data)), nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// redactor replaces every secret (of 3 characters or more) in server-provided text by [hidden].
func redactor(secrets ...string) func(string) string {
	var pairs []string
	for _, s := range secrets {
		if len(s) >= 3 {
			pairs = append(pairs, s, "[hidden]")
		}
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}
