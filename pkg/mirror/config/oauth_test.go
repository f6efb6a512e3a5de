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

package config

import (
	"context"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
)

// oauthInitial runs the OAUTHBEARER mechanism of opts and returns its first client message.
func oauthInitial(t *testing.T, opts []kgo.Opt) (string, error) {
	t.Helper()
	mechs := newClient(t, opts).OptValue(kgo.SASL).([]sasl.Mechanism)
	require.Len(t, mechs, 1)
	require.Equal(t, "OAUTHBEARER", mechs[0].Name())
	_, msg, err := mechs[0].Authenticate(context.Background(), "broker:9092")
	return string(msg), err
}

func TestOAuthWiring(t *testing.T) {
	var gotBody string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		_, _ = io.WriteString(w, `{"access_token":"the-token","expires_in":300}`)
	}))
	t.Cleanup(srv.Close)
	serverPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))

	e := newEnv(t).set(
		"KAFKA_MIRRORMAKER_SASL_MECHANISM_PRODUCER", "oauth",
		"KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER", `oauth.client.id="cid" oauth.token.endpoint.uri="`+srv.URL+`" oauth.scope="s" oauth.sasl.extension.cluster="c1" oauth.enable.metrics="true"`,
		"KAFKA_MIRRORMAKER_OAUTH_CLIENT_SECRET_PRODUCER", "cl1ent-s3cret",
		"KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS_PRODUCER", "oauth-ca/*.crt",
		"KAFKA_MIRRORMAKER_TLS_PRODUCER", "true",
	)
	e.file("producer-oauth-certs/oauth-ca/server.crt", serverPEM)
	c := e.mustLoad()
	assert.Contains(t, c.ProducerSummary, "security.protocol=SASL_SSL")
	assert.Contains(t, c.ProducerSummary, "sasl.mechanism=OAUTHBEARER")
	assert.Contains(t, c.ProducerSummary, "oauth.ssl.truststore.certificates="+e.home+"/producer-oauth-certs/oauth-ca/server.crt")
	assert.Contains(t, notice(t, c, "KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER option oauth.enable.metrics").Message, "ignored")
	assertNoSecret(t, c, nil, "cl1ent-s3cret")

	msg, err := oauthInitial(t, c.ProducerOpts())
	require.NoError(t, err)
	assert.Contains(t, msg, "auth=Bearer the-token")
	assert.Contains(t, msg, "cluster=c1")
	assert.Equal(t, "grant_type=client_credentials&scope=s", gotBody)

	// Without the OAuth trusted certificates the system roots do not trust the test server; a
	// list matching nothing falls back to them with a warning, as the Java image does.
	e.set("KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS_PRODUCER", "missing/*.crt")
	c = e.mustLoad()
	assert.Equal(t, slog.LevelWarn, notice(t, c, "KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS_PRODUCER").Level)
	_, err = oauthInitial(t, c.ProducerOpts())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "cl1ent-s3cret")

	// Hostname verification off: a "localhost" URL works with the certificate for 127.0.0.1.
	e.set("KAFKA_MIRRORMAKER_OAUTH_TRUSTED_CERTS_PRODUCER", "oauth-ca/server.crt",
		"KAFKA_MIRRORMAKER_OAUTH_CONFIG_PRODUCER", `oauth.client.id="cid" oauth.token.endpoint.uri="`+strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)+`" oauth.ssl.endpoint.identification.algorithm=""`)
	_, err = oauthInitial(t, e.mustLoad().ProducerOpts())
	require.NoError(t, err)
}

func TestOAuthStaticTokenFromSecretVariable(t *testing.T) {
	c := newEnv(t).set(
		"KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER", "oauth",
		"KAFKA_MIRRORMAKER_OAUTH_CONFIG_CONSUMER", `oauth.access.token.is.jwt="false"`,
		"KAFKA_MIRRORMAKER_OAUTH_ACCESS_TOKEN_CONSUMER", "st4tic-token",
	).mustLoad()
	msg, err := oauthInitial(t, c.ConsumerOpts(0))
	require.NoError(t, err)
	assert.Contains(t, msg, "auth=Bearer st4tic-token")
	assertNoSecret(t, c, nil, "st4tic-token")
	assert.Contains(t, c.ConsumerSummary, "security.protocol=SASL_PLAINTEXT")
}
