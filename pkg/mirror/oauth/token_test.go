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
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// testJWT builds an unsigned JWS with the given exp and iat (0 leaves a claim out).
func testJWT(t *testing.T, exp, iat int64) string {
	t.Helper()
	claims := map[string]int64{}
	if exp != 0 {
		claims["exp"] = exp
	}
	if iat != 0 {
		claims["iat"] = iat
	}
	var parts []string
	for k, v := range claims {
		parts = append(parts, fmt.Sprintf("%q:%d", k, v))
	}
	return b64(`{"alg":"none"}`) + "." + b64("{"+strings.Join(parts, ",")+"}") + ".sig"
}

// recorded is one request the fake token endpoint received.
type recorded struct {
	method, contentType, accept, authorization, body string
	hasAccept                                        bool
}

// tokenServer is a fake token endpoint answering with the responses in order (the last repeats).
type tokenServer struct {
	*httptest.Server
	mu        sync.Mutex
	requests  []recorded
	responses []response
}

type response struct {
	status int
	body   string
}

func (s *tokenServer) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	_, hasAccept := r.Header["Accept"]
	s.requests = append(s.requests, recorded{method: r.Method, contentType: r.Header.Get("Content-Type"), accept: r.Header.Get("Accept"),
		authorization: r.Header.Get("Authorization"), body: string(body), hasAccept: hasAccept})
	resp := s.responses[min(len(s.requests)-1, len(s.responses)-1)]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.status)
	_, _ = io.WriteString(w, resp.body)
}

func (s *tokenServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *tokenServer) last() recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[len(s.requests)-1]
}

func newTokenServer(t *testing.T, tlsOn bool, responses ...response) *tokenServer {
	t.Helper()
	s := &tokenServer{responses: responses}
	if tlsOn {
		s.Server = httptest.NewTLSServer(http.HandlerFunc(s.handle))
	} else {
		s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	}
	t.Cleanup(s.Close)
	return s
}

func ok(token string, expiresIn int) response {
	return response{200, fmt.Sprintf(`{"access_token":%q,"expires_in":%d,"token_type":"Bearer"}`, token, expiresIn)}
}

func opts(kv ...string) []Option {
	var out []Option
	for i := 0; i < len(kv); i += 2 {
		out = append(out, Option{kv[i], kv[i+1]})
	}
	return out
}

// clock is a settable fake clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func basicURL(id, secret string) string {
	return "Basic " + base64.URLEncoding.EncodeToString([]byte(id+":"+secret))
}

func TestGrantRequests(t *testing.T) {
	dir := t.TempDir()
	assertionFile := filepath.Join(dir, "assertion")
	require.NoError(t, os.WriteFile(assertionFile, []byte("file.assert.ion\n"), 0o600))
	refreshFile := filepath.Join(dir, "refresh")
	require.NoError(t, os.WriteFile(refreshFile, []byte("rt-from-file"), 0o600))
	tests := []struct {
		name  string
		opts  []Option
		grant Grant
		auth  string
		body  string
	}{
		{"client secret", opts(KeyClientID, "cid", KeyClientSecret, "s3 cr+t/?", KeyScope, "a b", KeyAudience, "aud"), GrantClientSecret,
			basicURL("cid", "s3 cr+t/?"), "grant_type=client_credentials&scope=a+b&audience=aud"},
		{"password without client secret", opts(KeyClientID, "cid", KeyUsername, "alice", KeyPassword, "p&w=1"), GrantPassword,
			basicURL("cid", ""), "grant_type=password&username=alice&password=p%26w%3D1"},
		{"password with client secret", opts(KeyClientID, "cid", KeyClientSecret, "cs", KeyUsername, "alice", KeyPassword, "pw", KeyScope, "s"), GrantPassword,
			basicURL("cid", "cs"), "grant_type=password&username=alice&password=pw&scope=s"},
		{"refresh token without secret", opts(KeyClientID, "cid", KeyRefreshToken, "rt~1", KeyUsername, "ignored", KeyPassword, "x"), GrantRefreshToken,
			"", "grant_type=refresh_token&refresh_token=rt%7E1&client_id=cid"},
		{"refresh token with secret", opts(KeyClientID, "cid", KeyClientSecret, "cs", KeyRefreshToken, "rt", KeyAudience, "kafka"), GrantRefreshToken,
			basicURL("cid", "cs"), "grant_type=refresh_token&refresh_token=rt&client_id=cid&audience=kafka"},
		{"refresh token location", opts(KeyClientID, "cid", KeyRefreshToken, "ignored", KeyRefreshTokenLocation, refreshFile), GrantRefreshToken,
			"", "grant_type=refresh_token&refresh_token=rt-from-file&client_id=cid"},
		{"client assertion", opts(KeyClientID, "cid", KeyClientAssertion, "a.b.c", KeyScope, "x"), GrantClientAssertion,
			"", "grant_type=client_credentials&client_id=cid&client_assertion=a.b.c&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&scope=x"},
		{"client assertion location and type", opts(KeyClientID, "cid", KeyClientAssertionLocation, assertionFile, KeyClientAssertionType, "custom"), GrantClientAssertion,
			"", "grant_type=client_credentials&client_id=cid&client_assertion=file.assert.ion&client_assertion_type=custom"},
		{"client secret beats assertion", opts(KeyClientID, "cid", KeyClientSecret, "cs", KeyClientAssertion, "a"), GrantClientSecret,
			basicURL("cid", "cs"), "grant_type=client_credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTokenServer(t, false, ok("tok-"+tt.name, 300))
			ts, err := New(Config{Options: append(opts(KeyTokenEndpointURI, srv.URL+"/token"), tt.opts...)})
			require.NoError(t, err)
			assert.Equal(t, tt.grant, ts.Grant())
			auth, err := ts.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "tok-"+tt.name, auth.Token)
			r := srv.last()
			assert.Equal(t, http.MethodPost, r.method)
			assert.Equal(t, "application/x-www-form-urlencoded", r.contentType)
			assert.Equal(t, "application/json", r.accept)
			assert.Equal(t, tt.auth, r.authorization)
			assert.Equal(t, tt.body, r.body)
		})
	}
}

func TestAcceptHeaderOff(t *testing.T) {
	srv := newTokenServer(t, false, ok("t", 300))
	ts, err := New(Config{Options: opts(KeyTokenEndpointURI, srv.URL, KeyClientID, "c", KeyClientSecret, "s", KeyIncludeAcceptHeader, "false")})
	require.NoError(t, err)
	_, err = ts.Token(context.Background())
	require.NoError(t, err)
	assert.False(t, srv.last().hasAccept)
}

func TestCachingAndRefresh(t *testing.T) {
	srv := newTokenServer(t, false, ok("first", 100), ok("second", 100), response{500, `{"error":"server_error"}`})
	clk := &clock{now: time.Unix(1_000_000, 0)}
	ts, err := New(Config{Options: opts(KeyTokenEndpointURI, srv.URL, KeyClientID, "c", KeyClientSecret, "s", KeyAccessTokenIsJWT, "false"), Now: clk.Now})
	require.NoError(t, err)
	ctx := context.Background()
	get := func() string {
		a, err := ts.Token(ctx)
		require.NoError(t, err)
		return a.Token
	}
	assert.Equal(t, "first", get())
	clk.add(79 * time.Second)
	assert.Equal(t, "first", get())
	assert.Equal(t, 1, srv.count(), "cached until 80 % of the lifetime")
	clk.add(2 * time.Second)
	assert.Equal(t, "second", get())
	assert.Equal(t, 2, srv.count())
	// Renewal fails while the token is still valid: the cached token is used.
	clk.add(85 * time.Second)
	assert.Equal(t, "second", get())
	assert.Equal(t, 3, srv.count())
	// Expired and renewal fails: error.
	clk.add(20 * time.Second)
	_, err = ts.Token(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "500")
}

func TestJWTExpiryAndMaxExpiry(t *testing.T) {
	clk := &clock{now: time.Unix(1_000_000, 0)}
	jwt := testJWT(t, 1_000_000+1000, 1_000_000)
	srv := newTokenServer(t, false, ok(jwt, 10))
	ts, err := New(Config{Options: opts(KeyTokenEndpointURI, srv.URL, KeyClientID, "c", KeyClientSecret, "s"), Now: clk.Now})
	require.NoError(t, err)
	_, err = ts.Token(context.Background())
	require.NoError(t, err)
	clk.add(700 * time.Second) // expires_in says 10 s, the JWT says 1000 s
	_, err = ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, srv.count())
	clk.add(101 * time.Second)
	_, err = ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, srv.count())

	// oauth.max.token.expiry.seconds caps the lifetime from iat.
	clk2 := &clock{now: time.Unix(1_000_000, 0)}
	srv2 := newTokenServer(t, false, ok(jwt, 10))
	ts2, err := New(Config{Options: opts(KeyTokenEndpointURI, srv2.URL, KeyClientID, "c", KeyClientSecret, "s", KeyMaxTokenExpirySeconds, "100"), Now: clk2.Now})
	require.NoError(t, err)
	_, err = ts2.Token(context.Background())
	require.NoError(t, err)
	clk2.add(81 * time.Second)
	_, err = ts2.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, srv2.count())
}

func TestStaticAccessToken(t *testing.T) {
	clk := &clock{now: time.Unix(1_000_000, 0)}
	ts, err := New(Config{Options: opts(KeyAccessToken, "opaque-token", KeyAccessTokenIsJWT, "false", KeyClientID, "ignored"), Now: clk.Now})
	require.NoError(t, err)
	assert.Equal(t, GrantAccessToken, ts.Grant())
	assert.NotEmpty(t, ts.Warnings())
	a, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "opaque-token", a.Token)

	// A JWT access token location is re-read once 80 % of its lifetime has passed.
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(file, []byte(testJWT(t, 1_000_000+100, 0)+"\n"), 0o600))
	ts, err = New(Config{Options: opts(KeyAccessTokenLocation, file), Now: clk.Now})
	require.NoError(t, err)
	a, err = ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testJWT(t, 1_000_000+100, 0), a.Token)
	second := testJWT(t, 1_000_000+1000, 0)
	require.NoError(t, os.WriteFile(file, []byte(second), 0o600))
	clk.add(50 * time.Second)
	a, _ = ts.Token(context.Background())
	assert.NotEqual(t, second, a.Token)
	clk.add(31 * time.Second)
	a, _ = ts.Token(context.Background())
	assert.Equal(t, second, a.Token)
}

func TestRetries(t *testing.T) {
	srv := newTokenServer(t, false, response{503, "busy"}, response{500, ""}, ok("t", 60))
	ts, err := New(Config{Options: opts(KeyTokenEndpointURI, srv.URL, KeyClientID, "c", KeyClientSecret, "s", KeyHTTPRetries, "2", KeyHTTPRetryPauseMillis, "10")})
	require.NoError(t, err)
	start := time.Now()
	a, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "t", a.Token)
	assert.Equal(t, 3, srv.count())
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)

	srv2 := newTokenServer(t, false, response{503, "busy"}, response{401, `{"error":"invalid_client","error_description":"bad secret s3cr3tValue"}`}, ok("t", 60))
	ts2, err := New(Config{Options: opts(KeyTokenEndpointURI, srv2.URL, KeyClientID, "c", KeyClientSecret, "s3cr3tValue", KeyHTTPRetries, "1")})
	require.NoError(t, err)
	_, err = ts2.Token(context.Background())
	require.Error(t, err)
	assert.Equal(t, 2, srv2.count())
	assert.Contains(t, err.Error(), "failed after 2 attempts")
	assert.Contains(t, err.Error(), "401")
	assert.Contains(t, err.Error(), "invalid_client")
	assert.NotContains(t, err.Error(), "s3cr3tValue")
	assert.Contains(t, err.Error(), "[hidden]")
}

func TestBadResponses(t *testing.T) {
	for body, want := range map[string]string{
		`{"expires_in":60}`:                      "no access_token",
		`{"access_token":"t"}`:                   "no expires_in",
		`{"access_token":"t","expires_in":"x1"}`: "expires_in",
		`[]`:                                     "not a JSON object",
	} {
		srv := newTokenServer(t, false, response{200, body})
		ts, err := New(Config{Options: opts(KeyTokenEndpointURI, srv.URL, KeyClientID, "c", KeyPassword, "pw1234", KeyUsername, "u")})
		require.NoError(t, err)
		_, err = ts.Token(context.Background())
		require.Error(t, err, body)
		assert.Contains(t, err.Error(), want, body)
		assert.NotContains(t, err.Error(), "pw1234")
	}
	// expires_in as a string is accepted, as Jackson's asLong does.
	srv := newTokenServer(t, false, response{201, `{"access_token":"t","expires_in":"60"}`})
	ts, err := New(Config{Options: opts(KeyTokenEndpointURI, srv.URL, KeyClientID, "c", KeyClientSecret, "s")})
	require.NoError(t, err)
	_, err = ts.Token(context.Background())
	require.NoError(t, err)
}

func TestTLSEndpoint(t *testing.T) {
	srv := newTokenServer(t, true, ok("tls-token", 60))
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	base := opts(KeyTokenEndpointURI, srv.URL, KeyClientID, "c", KeyClientSecret, "s")

	ts, err := New(Config{Options: base, RootCAs: pool})
	require.NoError(t, err)
	a, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tls-token", a.Token)

	ts, err = New(Config{Options: base})
	require.NoError(t, err)
	_, err = ts.Token(context.Background())
	require.Error(t, err, "system roots do not trust the test server")

	// httptest's certificate names 127.0.0.1 and example.com, not localhost.
	local := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	ts, err = New(Config{Options: opts(KeyTokenEndpointURI, local, KeyClientID, "c", KeyClientSecret, "s"), RootCAs: pool})
	require.NoError(t, err)
	_, err = ts.Token(context.Background())
	require.Error(t, err, "host name is verified by default")

	ts, err = New(Config{Options: opts(KeyTokenEndpointURI, local, KeyClientID, "c", KeyClientSecret, "s", KeyEndpointIdentification, ""), RootCAs: pool})
	require.NoError(t, err)
	_, err = ts.Token(context.Background())
	require.NoError(t, err)

	ts, err = New(Config{Options: opts(KeyTokenEndpointURI, local, KeyClientID, "c", KeyClientSecret, "s", KeyEndpointIdentification, "")})
	require.NoError(t, err)
	_, err = ts.Token(context.Background())
	require.Error(t, err, "the chain is still verified")
}

func TestTimeouts(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	t.Cleanup(func() { close(block); srv.Close() })
	ts, err := New(Config{Options: opts(KeyTokenEndpointURI, srv.URL, KeyClientID, "c", KeyClientSecret, "s", KeyReadTimeoutSeconds, "1", KeyConnectTimeoutSeconds, "0")})
	require.NoError(t, err)
	assert.Equal(t, defaultTimeout, ts.s.connectTimeout)
	assert.Equal(t, time.Second, ts.s.readTimeout)
	assert.NotEmpty(t, ts.Warnings())
	start := time.Now()
	_, err = ts.Token(context.Background())
	require.Error(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestExtensionsAndEnvironment(t *testing.T) {
	srv := newTokenServer(t, false, ok("t", 60))
	env := map[string]string{"OAUTH_CLIENT_ID": "from-env", "oauth.scope": "env-scope"}
	ts, err := New(Config{
		Options: opts(KeyTokenEndpointURI, srv.URL, KeyClientID, "from-jaas", KeyClientSecret, "s", KeySASLExtensionPrefix+"logicalCluster", "lkc-1", "oauth.enable.metrics", "true", "oauth.whatever", "x"),
		Lookup:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	require.NoError(t, err)
	a, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"logicalCluster": "lkc-1"}, a.Extensions)
	assert.Equal(t, basicURL("from-env", "s"), srv.last().authorization)
	assert.Equal(t, "grant_type=client_credentials&scope=env-scope", srv.last().body)
	assert.Equal(t, []string{"oauth.enable.metrics", "oauth.whatever"}, ts.Ignored())
	assert.NotEmpty(t, IgnoredReason("oauth.enable.metrics"))
	assert.Equal(t, "OAUTHBEARER", ts.Mechanism().Name())
	assert.Contains(t, ts.Summary(), "oauth.secrets=[hidden]")
	assert.NotContains(t, strings.Join(ts.Summary(), "\n"), "=s\n")
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"no token no endpoint", opts(KeyClientID, "c", KeyClientSecret, "sec"), "oauth.token.endpoint.uri: access token not specified"},
		{"bad endpoint", opts(KeyTokenEndpointURI, "ftp://x", KeyClientID, "c", KeyClientSecret, "sec"), `oauth.token.endpoint.uri: "ftp://x" is not a valid http or https URI`},
		{"no client id", opts(KeyTokenEndpointURI, "http://x", KeyClientSecret, "sec"), "oauth.client.id: no client id specified"},
		{"username without password", opts(KeyTokenEndpointURI, "http://x", KeyClientID, "c", KeyUsername, "u"), "oauth.password.grant.password: username configured"},
		{"no credentials", opts(KeyTokenEndpointURI, "http://x", KeyClientID, "c"), "no access token or location"},
		{"max expiry too small", opts(KeyTokenEndpointURI, "http://x", KeyClientID, "c", KeyClientSecret, "sec", KeyMaxTokenExpirySeconds, "30"), "oauth.max.token.expiry.seconds: invalid value 30 (should be at least 60)"},
		{"bad boolean", opts(KeyAccessToken, "sec", KeyAccessTokenIsJWT, "maybe"), `oauth.access.token.is.jwt: bad boolean value "maybe"`},
		{"bad integer", opts(KeyAccessToken, "sec", KeyHTTPRetries, "x"), `oauth.http.retries: "x" is not an integer`},
		{"negative retries", opts(KeyAccessToken, "sec", KeyHTTPRetries, "-1"), "oauth.http.retries: has to be greater or equal to zero"},
		{"extension key", opts(KeyAccessToken, "sec", KeySASLExtensionPrefix+"auth", "v"), `oauth.sasl.extension.auth: invalid sasl extension key "auth"`},
		{"extension key chars", opts(KeyAccessToken, "sec", KeySASLExtensionPrefix+"a1", "v"), `invalid sasl extension key "a1"`},
		{"extension value", opts(KeyAccessToken, "sec", KeySASLExtensionPrefix+"k", "\x01"), `invalid sasl extension value for key "k"`},
		{"missing token file", opts(KeyAccessTokenLocation, filepath.Join(dir, "nope")), "oauth.access.token.location: specified location is invalid"},
		{"token location is dir", opts(KeyAccessTokenLocation, dir), "is a directory"},
		{"missing assertion file", opts(KeyTokenEndpointURI, "http://x", KeyClientID, "c", KeyClientAssertionLocation, filepath.Join(dir, "nope")), "oauth.client.assertion.location: specified location is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{Options: tt.opts})
			require.Error(t, err)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "sec\"")
			assert.NotContains(t, err.Error(), ": sec")
		})
	}
}

func TestContextCancelDuringRetryPause(t *testing.T) {
	srv := newTokenServer(t, false, response{500, ""})
	ts, err := New(Config{Options: opts(KeyTokenEndpointURI, srv.URL, KeyClientID, "c", KeyClientSecret, "s", KeyHTTPRetries, "5", KeyHTTPRetryPauseMillis, "10000")})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = ts.Token(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "canceled")
	assert.Equal(t, 1, srv.count())
}
