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
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// tokenRequest is one POST to the token endpoint.
type tokenRequest struct {
	authorization string // "" for none
	body          string
}

// grantRequest builds the request of a grant exactly as OAuthAuthenticator.loginWith* does
// (mirrormaker1-dataplane.md §8.1 table): the Basic credentials are base64url-encoded (Java's
// Base64.getUrlEncoder, with padding) and the form values are encoded with java.net.URLEncoder,
// in Strimzi's parameter order.
func (s *settings) grantRequest(secret string) tokenRequest {
	var b strings.Builder
	var auth string
	switch s.grant {
	case GrantRefreshToken:
		if s.hasClientSecret {
			auth = basic(s.clientID, s.clientSecret)
		}
		b.WriteString("grant_type=refresh_token&refresh_token=" + urlencode(secret) + "&client_id=" + urlencode(s.clientID))
	case GrantPassword:
		auth = basic(s.clientID, s.clientSecret) // clientSecret is "" when unset
		b.WriteString("grant_type=password&username=" + urlencode(s.username) + "&password=" + urlencode(s.password))
	case GrantClientSecret:
		auth = basic(s.clientID, s.clientSecret)
		b.WriteString("grant_type=client_credentials")
	case GrantClientAssertion:
		b.WriteString("grant_type=client_credentials&client_id=" + urlencode(s.clientID) +
			"&client_assertion=" + urlencode(secret) + "&client_assertion_type=" + urlencode(s.clientAssertionType))
	}
	if s.hasScope {
		b.WriteString("&scope=" + urlencode(s.scope))
	}
	if s.hasAudience {
		b.WriteString("&audience=" + urlencode(s.audience))
	}
	return tokenRequest{authorization: auth, body: b.String()}
}

func basic(id, secret string) string {
	return "Basic " + base64.URLEncoding.EncodeToString([]byte(id+":"+secret))
}

// urlencode is java.net.URLEncoder.encode(s, UTF-8): letters, digits and ".-*_" stay, a space
// becomes '+', every other byte is %XX with upper-case hex.
func urlencode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// newHTTPClient builds the token endpoint client: connect timeout on dial and TLS handshake, read
// timeout until the response headers and for the whole exchange after connecting; RootCAs from
// KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS (system roots when nil); an empty
// oauth.ssl.endpoint.identification.algorithm verifies the chain but not the host name. Proxy
// variables are not used: Java's HttpURLConnection ignores HTTP(S)_PROXY, so the token requests
// of the Java image went direct (the operator copies its own proxy variables into the pod).
func newHTTPClient(s *settings, roots *x509.CertPool) *http.Client {
	tlsCfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if !s.verifyHostname {
		tlsCfg.InsecureSkipVerify = true
		tlsCfg.VerifyConnection = func(cs tls.ConnectionState) error { return verifyChain(cs, roots) }
	}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: s.connectTimeout}).DialContext,
			TLSClientConfig:       tlsCfg,
			TLSHandshakeTimeout:   s.connectTimeout,
			ResponseHeaderTimeout: s.readTimeout,
			ForceAttemptHTTP2:     false,
			MaxIdleConns:          2,
			IdleConnTimeout:       90 * time.Second,
		},
		Timeout: s.connectTimeout + s.readTimeout,
	}
}

// verifyChain verifies the server certificate chain for server authentication without a host
// name, which is what Java does with an empty endpoint identification algorithm.
func verifyChain(cs tls.ConnectionState, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("tls: server presented no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	return err
}

// tokenResponse is what the token endpoint answered.
type tokenResponse struct {
	accessToken string
	expiresIn   time.Duration
}

// post sends req with strimzi-kafka-oauth's HttpUtil.doWithRetries semantics: 1 + retries
// attempts, any failure is retried after the pause. redact scrubs secrets from server text.
func (ts *TokenSource) post(ctx context.Context, req tokenRequest, redact func(string) string) (tokenResponse, error) {
	var lastErr error
	attempts := ts.s.retries + 1
	for i := 1; i <= attempts; i++ {
		if i > 1 && ts.s.retryPause > 0 {
			t := time.NewTimer(ts.s.retryPause)
			select {
			case <-ctx.Done():
				t.Stop()
				return tokenResponse{}, fmt.Errorf("oauth: token request to %s canceled after %d of %d attempts: %w", ts.s.endpoint.Redacted(), i-1, attempts, ctx.Err())
			case <-t.C:
			}
		}
		resp, err := ts.postOnce(ctx, req, redact)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return tokenResponse{}, fmt.Errorf("oauth: token request to %s failed after %d attempts: %w", ts.s.endpoint.Redacted(), attempts, lastErr)
}

// postOnce is one HttpUtil.post: form body, Authorization when the grant has one, Accept:
// application/json unless oauth.include.accept.header is false; 200, 201 and 204 are success.
func (ts *TokenSource) postOnce(ctx context.Context, req tokenRequest, redact func(string) string) (tokenResponse, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.s.endpoint.String(), strings.NewReader(req.body))
	if err != nil {
		return tokenResponse{}, err
	}
	if req.authorization != "" {
		hreq.Header.Set("Authorization", req.authorization)
	}
	if ts.s.acceptHeader {
		hreq.Header.Set("Accept", "application/json")
	}
	hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := ts.client.Do(hreq)
	if err != nil {
		// *url.Error names method and URL only; the body and headers are never part of it.
		return tokenResponse{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return tokenResponse{}, fmt.Errorf("reading the response: %w", err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusNoContent {
		return tokenResponse{}, fmt.Errorf("unexpected status %s%s", resp.Status, errorDetail(body, redact))
	}
	var parsed map[string]json.RawMessage
	if err := json.Unmarshal(body, &parsed); err != nil {
		return tokenResponse{}, errors.New("invalid response from authorization server: not a JSON object")
	}
	token, ok := jsonText(parsed["access_token"])
	if !ok {
		return tokenResponse{}, errors.New("invalid response from authorization server: no access_token")
	}
	expText, ok := jsonText(parsed["expires_in"])
	if !ok {
		return tokenResponse{}, errors.New("invalid response from authorization server: no expires_in")
	}
	secs, err := strconv.ParseFloat(expText, 64)
	if err != nil {
		return tokenResponse{}, fmt.Errorf("invalid response from authorization server: expires_in %q is not a number", redact(expText))
	}
	return tokenResponse{accessToken: token, expiresIn: time.Duration(int64(secs)) * time.Second}, nil
}

// jsonText is Jackson's JsonNode.asText for a present, non-null value.
func jsonText(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	return string(raw), true
}

// errorDetail extracts the OAuth error and error_description of a failed response (RFC 6749
// §5.2), or a short prefix of a non-JSON body, with secrets scrubbed.
func errorDetail(body []byte, redact func(string) string) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		d := ": " + e.Error
		if e.Description != "" {
			d += " (" + e.Description + ")"
		}
		return redact(d)
	}
	text := strings.TrimSpace(string(body))
	if text == "" {
		return ""
	}
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	return redact(": " + text)
}
