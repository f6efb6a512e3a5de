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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tlsSettings are the user properties Strimzi lets through to the TLS layer
// (strimzi-kafkamirrormaker.md §3.7 exceptions; mirrormaker1-dataplane.md §8 "TLS details").
type tlsSettings struct {
	verifyHostname bool     // ssl.endpoint.identification.algorithm, default https
	minVersion     uint16   // ssl.enabled.protocols, default TLSv1.2,TLSv1.3
	maxVersion     uint16   // ssl.protocol caps ssl.enabled.protocols, default TLSv1.3
	cipherSuites   []uint16 // ssl.cipher.suites, default Go's
}

var tlsVersions = map[string]uint16{
	"TLSv1":   tls.VersionTLS10,
	"TLSv1.1": tls.VersionTLS11,
	"TLSv1.2": tls.VersionTLS12,
	"TLSv1.3": tls.VersionTLS13,
}

// sslProtocolMax is the highest version an SSLContext of protocol ssl.protocol enables.
var sslProtocolMax = map[string]uint16{
	"TLS":     tls.VersionTLS13,
	"SSL":     tls.VersionTLS13,
	"TLSv1":   tls.VersionTLS10,
	"TLSv1.1": tls.VersionTLS11,
	"TLSv1.2": tls.VersionTLS12,
	"TLSv1.3": tls.VersionTLS13,
}

// parseTLSSettings maps the four ssl.* properties Strimzi allows.
func parseTLSSettings(p *props) (tlsSettings, error) {
	s := tlsSettings{verifyHostname: true, minVersion: tls.VersionTLS12, maxVersion: tls.VersionTLS13}
	if v, ok := p.str("ssl.endpoint.identification.algorithm"); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "":
			s.verifyHostname = false
		case "https":
		default:
			return s, p.invalid("ssl.endpoint.identification.algorithm", v, "is not supported (only \"https\" or empty)")
		}
	}
	if v, ok := p.str("ssl.enabled.protocols"); ok {
		lo, hi := uint16(0), uint16(0)
		for _, name := range splitList(v) {
			ver, ok := tlsVersions[name]
			if !ok {
				return s, p.invalid("ssl.enabled.protocols", v, "names unsupported protocol %q", name)
			}
			if lo == 0 || ver < lo {
				lo = ver
			}
			if ver > hi {
				hi = ver
			}
		}
		if lo == 0 {
			return s, p.invalid("ssl.enabled.protocols", v, "enables no protocol")
		}
		s.minVersion, s.maxVersion = lo, hi
	}
	if v, ok := p.str("ssl.protocol"); ok {
		ceiling, ok := sslProtocolMax[strings.TrimSpace(v)]
		if !ok {
			return s, p.invalid("ssl.protocol", v, "is not a supported protocol")
		}
		if ceiling < s.maxVersion {
			s.maxVersion = ceiling
		}
	}
	if s.maxVersion < s.minVersion {
		return s, p.invalid("ssl.protocol", p.vals["ssl.protocol"], "leaves no protocol of ssl.enabled.protocols enabled")
	}
	if v, ok := p.str("ssl.cipher.suites"); ok && strings.TrimSpace(v) != "" {
		byName := map[string]uint16{}
		for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
			byName[cs.Name] = cs.ID
		}
		tls13 := map[string]bool{"TLS_AES_128_GCM_SHA256": true, "TLS_AES_256_GCM_SHA384": true, "TLS_CHACHA20_POLY1305_SHA256": true}
		for _, name := range splitList(v) {
			if tls13[name] {
				continue // Go always enables every TLS 1.3 suite
			}
			id, ok := byName[name]
			if !ok {
				return s, p.invalid("ssl.cipher.suites", v, "names cipher suite %q unknown to Go", name)
			}
			s.cipherSuites = append(s.cipherSuites, id)
		}
		if len(s.cipherSuites) == 0 {
			// Only TLS 1.3 suites listed: Java could negotiate nothing older.
			s.minVersion = tls.VersionTLS13
			if s.maxVersion < tls.VersionTLS13 {
				return s, p.invalid("ssl.cipher.suites", v, "lists only TLS 1.3 suites but TLS 1.3 is not enabled")
			}
		}
	}
	return s, nil
}

// buildTLSConfig makes the client TLS configuration of one side (§8): RootCAs are exactly the
// trusted certificates when configured (Java's truststore then holds nothing else), the system pool
// otherwise; the client certificate is the TLS_AUTH_CERT/KEY pair.
func buildTLSConfig(s tlsSettings, roots *x509.CertPool, clientCert *tls.Certificate) *tls.Config {
	cfg := &tls.Config{
		RootCAs:      roots,
		MinVersion:   s.minVersion,
		MaxVersion:   s.maxVersion,
		CipherSuites: s.cipherSuites,
	}
	if clientCert != nil {
		cfg.Certificates = []tls.Certificate{*clientCert}
	}
	if !s.verifyHostname {
		skipHostnameVerification(cfg)
	}
	return cfg
}

// skipHostnameVerification makes cfg verify the server's chain against cfg.RootCAs (nil: system
// roots) but not its name, which is what Java does with an empty
// ssl.endpoint.identification.algorithm. Go has no such switch: InsecureSkipVerify turns off all
// verification, and VerifyConnection puts the chain check back.
func skipHostnameVerification(cfg *tls.Config) {
	roots := cfg.RootCAs
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		return verifyChain(cs, roots)
	}
}

// verifyChain verifies the peer's certificate chain for server authentication, without a name.
func verifyChain(cs tls.ConnectionState, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("tls: server presented no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

// loadClientCert loads TLS_AUTH_CERT/TLS_AUTH_KEY (paths below the side's certs directory). The key
// may be PKCS#8, PKCS#1 or SEC 1 (EC); tls.X509KeyPair reads all three.
func loadClientCert(certVar, keyVar, dir, certEntry, keyEntry string) (*tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, certEntry), filepath.Join(dir, keyEntry)
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, &Error{Name: certVar, Value: certEntry, Reason: "certificate file " + certPath + " cannot be read", Err: errors.Unwrap(err)}
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, &Error{Name: keyVar, Value: keyEntry, Reason: "key file " + keyPath + " cannot be read", Err: errors.Unwrap(err)}
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// The tls package's messages describe the PEM structure, never the key material.
		return nil, &Error{Name: certVar + "/" + keyVar, Reason: fmt.Sprintf("certificate %s and key %s are not a usable pair", certPath, keyPath), Err: err}
	}
	return &pair, nil
}
