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
	"crypto/tls"
	"crypto/x509"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
)

// side is the consumer (source cluster) or the producer (target cluster).
type side struct {
	name   string // "consumer" or "producer": directory prefix and property-name prefix
	suffix string // "CONSUMER" or "PRODUCER": variable suffix
}

var (
	consumerSide = side{name: "consumer", suffix: "CONSUMER"}
	producerSide = side{name: "producer", suffix: "PRODUCER"}
)

// v names the side's variable KAFKA_MIRRORMAKER_<name>_<S>.
func (s side) v(name string) string { return "KAFKA_MIRRORMAKER_" + name + "_" + s.suffix }

// connection is how one side reaches its cluster.
type connection struct {
	opts    []kgo.Opt
	summary []string // bootstrap.servers, security.protocol, TLS and SASL lines
}

// connect builds seed brokers, TLS and SASL of one side with the semantics of the config
// generators (strimzi-kafkamirrormaker.md §6.3, mirrormaker1-dataplane.md §8): security.protocol is
// PLAINTEXT, SSL when KAFKA_MIRRORMAKER_TLS_<S> is exactly "true", SASL_PLAINTEXT or SASL_SSL with
// a SASL mechanism. Certificates and keys only matter with TLS, as the generator only writes the
// truststore and keystore properties then.
func (l *loader) connect(s side, p *props) (*connection, error) {
	c := &connection{}
	bootVar := s.v("BOOTSTRAP_SERVERS")
	seeds, err := parseBootstrap(bootVar, l.get(bootVar))
	if err != nil {
		return nil, err
	}
	c.opts = append(c.opts, kgo.SeedBrokers(seeds...))
	c.summary = append(c.summary, "bootstrap.servers="+strings.Join(seeds, ","))

	tlsVar := s.v("TLS")
	tlsValue := l.get(tlsVar)
	tlsOn := tlsValue == "true"
	if tlsValue != "" && tlsValue != "true" && tlsValue != "false" {
		l.n.warn(tlsVar, "%q is not \"true\": TLS stays off, as in the Java image", tlsValue)
	}
	settings, err := parseTLSSettings(p)
	if err != nil {
		return nil, err
	}
	trustVar, certVar, keyVar := s.v("TRUSTED_CERTS"), s.v("TLS_AUTH_CERT"), s.v("TLS_AUTH_KEY")
	certsDir := filepath.Join(l.base, s.name+"-certs")
	protocol := "PLAINTEXT"
	if tlsOn {
		protocol = "SSL"
		tc, lines, err := l.clientTLS(settings, certsDir, trustVar, certVar, keyVar)
		if err != nil {
			return nil, err
		}
		c.opts = append(c.opts, kgo.DialTLSConfig(tc))
		c.summary = append(c.summary, lines...)
	} else {
		for _, v := range []string{trustVar, certVar, keyVar} {
			if l.get(v) != "" {
				l.n.info(v, "ignored: %s is not \"true\"", tlsVar)
			}
		}
		for _, key := range []string{"ssl.endpoint.identification.algorithm", "ssl.enabled.protocols", "ssl.protocol", "ssl.cipher.suites"} {
			if p.has(key) {
				l.n.info(p.name(key), "ignored: %s is not \"true\"", tlsVar)
			}
		}
	}
	sr, err := l.buildSASL(s)
	if err != nil {
		return nil, err
	}
	if sr != nil {
		protocol = "SASL_" + protocol
		c.opts = append(c.opts, kgo.SASL(sr.mechanism))
	}
	c.summary = append(c.summary, "security.protocol="+protocol)
	if sr != nil {
		c.summary = append(c.summary, sr.summary...)
	}
	return c, nil
}

// clientTLS loads trusted certificates and the client certificate of one side.
func (l *loader) clientTLS(settings tlsSettings, dir, trustVar, certVar, keyVar string) (*tls.Config, []string, error) {
	var lines []string
	var roots *x509.CertPool // nil: the system roots, as Java's default truststore
	if entries := l.get(trustVar); entries != "" {
		pool, files, err := certPool(trustVar, dir, entries)
		if err != nil {
			return nil, nil, err
		}
		roots = pool
		lines = append(lines, "ssl.truststore.certificates="+joinComma(files))
	} else {
		lines = append(lines, "ssl.truststore.certificates=<system roots>")
	}
	certEntry, keyEntry := l.get(certVar), l.get(keyVar)
	var clientCert *tls.Certificate
	switch {
	case certEntry != "" && keyEntry != "":
		cert, err := loadClientCert(certVar, keyVar, dir, certEntry, keyEntry)
		if err != nil {
			return nil, nil, err
		}
		clientCert = cert
		lines = append(lines, "ssl.keystore.certificate="+filepath.Join(dir, certEntry), "ssl.keystore.key="+filepath.Join(dir, keyEntry))
	case certEntry != "":
		return nil, nil, valueError(certVar, certEntry, "is set but %s is not: TLS client authentication needs both", keyVar)
	case keyEntry != "":
		return nil, nil, valueError(keyVar, keyEntry, "is set but %s is not: TLS client authentication needs both", certVar)
	}
	return buildTLSConfig(settings, roots, clientCert), lines, nil
}

// parseBootstrap splits bootstrap.servers like Kafka's ClientUtils.parseAndValidateAddresses:
// comma-separated, trimmed, empty entries skipped, every entry host:port.
func parseBootstrap(variable, value string) ([]string, error) {
	if strings.TrimSpace(value) == "" {
		return nil, errorf(variable, "must be set (bootstrap.servers)")
	}
	var seeds []string
	for _, item := range splitList(value) {
		host, port, err := net.SplitHostPort(item)
		if err != nil || host == "" {
			return nil, valueError(variable, value, "has an invalid address %q (expected host:port)", item)
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return nil, valueError(variable, value, "has an invalid port in %q", item)
		}
		seeds = append(seeds, item)
	}
	if len(seeds) == 0 {
		return nil, valueError(variable, value, "names no broker")
	}
	return seeds, nil
}

func joinComma(items []string) string { return strings.Join(items, ",") }
