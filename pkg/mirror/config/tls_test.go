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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string
}

var serial int64 = 1

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial++
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &testCA{cert: cert, key: key, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// issue signs a leaf certificate for pub and returns its PEM.
func (ca *testCA) issue(t *testing.T, cn string, pub any, usage x509.ExtKeyUsage, dns []string, ips []net.IP) string {
	t.Helper()
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// keyPEM encodes key in the given format: "pkcs8", "pkcs1" (RSA) or "ec" (SEC 1).
func keyPEM(t *testing.T, key any, format string) string {
	t.Helper()
	var block *pem.Block
	switch format {
	case "pkcs8":
		der, err := x509.MarshalPKCS8PrivateKey(key)
		require.NoError(t, err)
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	case "pkcs1":
		block = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key.(*rsa.PrivateKey))}
	case "ec":
		der, err := x509.MarshalECPrivateKey(key.(*ecdsa.PrivateKey))
		require.NoError(t, err)
		block = &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	}
	return string(pem.EncodeToMemory(block))
}

// tlsCluster starts a one-broker kfake cluster serving TLS with a certificate for dns/ips issued
// by ca, requiring client certificates issued by clientCA.
func tlsCluster(t *testing.T, ca, clientCA *testCA, dns []string, ips []net.IP, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	certPEM := ca.issue(t, "broker", &key.PublicKey, x509.ExtKeyUsageServerAuth, dns, ips)
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM(t, key, "pkcs8")))
	require.NoError(t, err)
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(clientCA.cert)
	srv := &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: clientCAs, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.TLS(srv)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// ping builds a client from opts and pings its cluster.
func ping(t *testing.T, opts []kgo.Opt, timeout time.Duration) error {
	t.Helper()
	cl, err := kgo.NewClient(append(opts, kgo.RetryTimeout(timeout))...)
	require.NoError(t, err)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return cl.Ping(ctx)
}

// writeClientCert writes a client certificate and key issued by ca below <side>-certs/user.
func writeClientCert(t *testing.T, e *testEnv, side string, ca *testCA, format string) {
	t.Helper()
	var key, pub any
	if format == "pkcs1" {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		key, pub = k, &k.PublicKey
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		key, pub = k, &k.PublicKey
	}
	e.file(side+"-certs/user/user.crt", ca.issue(t, "user", pub, x509.ExtKeyUsageClientAuth, nil, nil))
	e.file(side+"-certs/user/user.key", keyPEM(t, key, format))
}

var localhost = []net.IP{net.ParseIP("127.0.0.1")}

func TestTLSClientAuthAgainstKfake(t *testing.T) {
	ca, clientCA, other := newCA(t, "cluster-ca"), newCA(t, "clients-ca"), newCA(t, "other-ca")
	cluster := tlsCluster(t, ca, clientCA, nil, localhost)
	addr := cluster.ListenAddrs()[0]

	for _, format := range []string{"pkcs8", "pkcs1", "ec"} {
		t.Run(format, func(t *testing.T) {
			e := newEnv(t).set(
				"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER", addr,
				"KAFKA_MIRRORMAKER_TLS_CONSUMER", "true",
				"KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER", "cluster-ca/*.crt;extra/bundle.pem",
				"KAFKA_MIRRORMAKER_TLS_AUTH_CERT_CONSUMER", "user/user.crt",
				"KAFKA_MIRRORMAKER_TLS_AUTH_KEY_CONSUMER", "user/user.key",
				"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER", addr,
				"KAFKA_MIRRORMAKER_TLS_PRODUCER", "true",
				"KAFKA_MIRRORMAKER_TRUSTED_CERTS_PRODUCER", "cluster-ca/ca.crt",
			)
			// The CA is only in a multi-certificate bundle; a dot-file must not be picked up by "*".
			e.file("consumer-certs/cluster-ca/ca.crt", other.pem)
			e.file("consumer-certs/cluster-ca/.hidden.crt", "garbage")
			e.file("consumer-certs/extra/bundle.pem", other.pem+ca.pem)
			e.file("producer-certs/cluster-ca/ca.crt", ca.pem)
			writeClientCert(t, e, "consumer", clientCA, format)
			c := e.mustLoad()
			assert.Contains(t, c.ConsumerSummary, "security.protocol=SSL")
			assert.Contains(t, c.ConsumerSummary, "ssl.truststore.certificates="+e.home+"/consumer-certs/cluster-ca/ca.crt,"+e.home+"/consumer-certs/extra/bundle.pem")
			require.NoError(t, ping(t, c.ConsumerOpts(0), 10*time.Second))
			// The producer side has no client certificate: the broker refuses it.
			assert.Error(t, ping(t, c.ProducerOpts(), 2*time.Second))
		})
	}
}

func TestTLSWrongCAFails(t *testing.T) {
	ca, clientCA, other := newCA(t, "cluster-ca"), newCA(t, "clients-ca"), newCA(t, "other-ca")
	cluster := tlsCluster(t, ca, clientCA, nil, localhost)
	e := newEnv(t).set(
		"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_PRODUCER", cluster.ListenAddrs()[0],
		"KAFKA_MIRRORMAKER_TLS_PRODUCER", "true",
		"KAFKA_MIRRORMAKER_TRUSTED_CERTS_PRODUCER", "ca/ca.crt",
		"KAFKA_MIRRORMAKER_TLS_AUTH_CERT_PRODUCER", "user/user.crt",
		"KAFKA_MIRRORMAKER_TLS_AUTH_KEY_PRODUCER", "user/user.key",
	)
	e.file("producer-certs/ca/ca.crt", other.pem)
	writeClientCert(t, e, "producer", clientCA, "ec")
	err := ping(t, e.mustLoad().ProducerOpts(), 2*time.Second)
	require.Error(t, err)

	// Hostname verification off still verifies the chain.
	e.set("KAFKA_MIRRORMAKER_CONFIGURATION_PRODUCER", "ssl.endpoint.identification.algorithm=")
	require.Error(t, ping(t, e.mustLoad().ProducerOpts(), 2*time.Second))

	// With the right CA it works.
	e.file("producer-certs/ca/ca.crt", ca.pem)
	require.NoError(t, ping(t, e.mustLoad().ProducerOpts(), 10*time.Second))
}

func TestTLSHostnameVerification(t *testing.T) {
	ca, clientCA := newCA(t, "cluster-ca"), newCA(t, "clients-ca")
	// The broker's certificate names another host than the 127.0.0.1 we dial.
	cluster := tlsCluster(t, ca, clientCA, []string{"kafka.example"}, nil)
	e := newEnv(t).set(
		"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER", cluster.ListenAddrs()[0],
		"KAFKA_MIRRORMAKER_TLS_CONSUMER", "true",
		"KAFKA_MIRRORMAKER_TRUSTED_CERTS_CONSUMER", "ca/ca.crt",
		"KAFKA_MIRRORMAKER_TLS_AUTH_CERT_CONSUMER", "user/user.crt",
		"KAFKA_MIRRORMAKER_TLS_AUTH_KEY_CONSUMER", "user/user.key",
	)
	e.file("consumer-certs/ca/ca.crt", ca.pem)
	writeClientCert(t, e, "consumer", clientCA, "pkcs8")

	err := ping(t, e.mustLoad().ConsumerOpts(0), 2*time.Second)
	require.Error(t, err, "default https identification rejects the name mismatch")

	e.set("KAFKA_MIRRORMAKER_CONFIGURATION_CONSUMER", "ssl.endpoint.identification.algorithm=")
	require.NoError(t, ping(t, e.mustLoad().ConsumerOpts(0), 10*time.Second))
}

func TestSASLAgainstKfake(t *testing.T) {
	tests := []struct {
		mechanism, kfakeMethod string
	}{
		{"scram-sha-512", "SCRAM-SHA-512"},
		{"scram-sha-256", "SCRAM-SHA-256"},
		{"plain", "PLAIN"},
	}
	for _, tt := range tests {
		t.Run(tt.mechanism, func(t *testing.T) {
			cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.EnableSASL(), kfake.Superuser(tt.kfakeMethod, "mirror", "p@ss word"))
			require.NoError(t, err)
			t.Cleanup(cluster.Close)
			e := newEnv(t).set(
				"KAFKA_MIRRORMAKER_BOOTSTRAP_SERVERS_CONSUMER", cluster.ListenAddrs()[0],
				"KAFKA_MIRRORMAKER_SASL_MECHANISM_CONSUMER", tt.mechanism,
				"KAFKA_MIRRORMAKER_SASL_USERNAME_CONSUMER", "mirror",
				"KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_CONSUMER", "mirror/password",
			)
			// $(cat) drops every trailing newline.
			e.file("consumer-password/mirror/password", "p@ss word\n\n")
			c := e.mustLoad()
			assert.Contains(t, c.ConsumerSummary, "security.protocol=SASL_PLAINTEXT")
			require.NoError(t, ping(t, c.ConsumerOpts(0), 10*time.Second))

			e.file("consumer-password/mirror/password", "wrong\n")
			require.Error(t, ping(t, e.mustLoad().ConsumerOpts(0), 2*time.Second))
		})
	}
}
