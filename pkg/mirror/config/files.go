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
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// defaultKafkaHome is the image's KAFKA_HOME and working directory; the operator mounts every
// Secret and the ConfigMap below it (strimzi-kafkamirrormaker.md §3.6, §6).
const defaultKafkaHome = "/opt/kafka"

// matchEntries expands the ';'-separated entries of a trusted-certificates variable the way
// tls_utils.sh does (mirrormaker1-dataplane.md §8, strimzi-kafkamirrormaker.md §6.2): every entry
// is a path or a glob below dir, and every match that is a regular file (after following symlinks,
// as Secret volumes use them) counts. Like bash, a wildcard does not match a leading dot, so the
// "..data" links of a Secret volume are never picked up by "*".
func matchEntries(dir, entries string) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	for _, entry := range strings.Split(entries, ";") {
		if entry == "" {
			continue
		}
		pattern := filepath.Join(dir, entry)
		matches, err := filepath.Glob(pattern)
		if err != nil {
			return nil, fmt.Errorf("entry %q is not a valid pattern: %w", entry, err)
		}
		for _, m := range matches {
			if seen[m] || hiddenByWildcard(pattern, m) {
				continue
			}
			if st, err := os.Stat(m); err != nil || !st.Mode().IsRegular() {
				continue
			}
			seen[m] = true
			files = append(files, m)
		}
	}
	return files, nil
}

// hiddenByWildcard reports whether match has a dot-file component where pattern has a component
// that does not itself start with a dot (bash globbing never lets a wildcard match a leading dot).
func hiddenByWildcard(pattern, match string) bool {
	pp := strings.Split(filepath.ToSlash(pattern), "/")
	mp := strings.Split(filepath.ToSlash(match), "/")
	if len(pp) != len(mp) {
		return false
	}
	for i := range pp {
		if strings.HasPrefix(mp[i], ".") && !strings.HasPrefix(pp[i], ".") {
			return true
		}
	}
	return false
}

// readCertificates returns every certificate in file: PEM "CERTIFICATE" blocks (possibly several)
// or, failing any PEM block, DER, which keytool -import accepts too.
func readCertificates(file string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	rest := data
	sawPEM := false
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		sawPEM = true
		if block.Type != "CERTIFICATE" && block.Type != "TRUSTED CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("invalid certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if !sawPEM {
		der, err := x509.ParseCertificates(data)
		if err == nil && len(der) > 0 {
			return der, nil
		}
	}
	if len(certs) == 0 {
		return nil, errors.New("contains no PEM certificate")
	}
	return certs, nil
}

// certPool builds the pool of every certificate in the files that entries (a ';'-separated
// trusted-certificates list) matches below dir. It fails, naming variable, when nothing matches:
// Java would point at a truststore that was never created and fail to start (§8).
func certPool(variable, dir, entries string) (*x509.CertPool, []string, error) {
	files, err := matchEntries(dir, entries)
	if err != nil {
		return nil, nil, &Error{Name: variable, Value: entries, Reason: "cannot be expanded", Err: err}
	}
	if len(files) == 0 {
		return nil, nil, valueError(variable, entries, "matches no file below %s", dir)
	}
	pool := x509.NewCertPool()
	for _, f := range files {
		certs, err := readCertificates(f)
		if err != nil {
			return nil, nil, &Error{Name: variable, Value: entries, Reason: "file " + f + " is not usable", Err: err}
		}
		for _, c := range certs {
			pool.AddCert(c)
		}
	}
	return pool, files, nil
}

// readPassword reads a mounted password file like the generator's $(cat file): the content with
// every trailing newline removed (mirrormaker1-dataplane.md §8, §10 item 4).
func readPassword(variable, dir, entry string) (string, string, error) {
	path := filepath.Join(dir, entry)
	data, err := os.ReadFile(path)
	if err != nil {
		return "", path, &Error{Name: variable, Value: entry, Reason: "password file " + path + " cannot be read", Err: errors.Unwrap(err)}
	}
	return strings.TrimRight(string(data), "\n"), path, nil
}
