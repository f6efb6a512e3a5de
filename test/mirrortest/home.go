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

package mirrortest

import (
	"os"
	"path/filepath"
	"testing"
)

// Side is one of the two clients of the mirror; the Strimzi variables and mount points are named
// after it (KAFKA_MIRRORMAKER_*_CONSUMER, /opt/kafka/consumer-certs, ...).
type Side string

// The two sides: the consumer reads the source cluster, the producer writes the target cluster.
const (
	Consumer Side = "consumer"
	Producer Side = "producer"
)

// Suffix is the side as it ends the Strimzi variable names.
func (s Side) Suffix() string {
	if s == Consumer {
		return "CONSUMER"
	}
	return "PRODUCER"
}

// Home is a directory laid out like /opt/kafka in the pod the operator renders: secrets with
// certificates under <side>-certs/<secret>/, secrets with passwords under
// <side>-password/<secret>/. The mirror finds it through KAFKA_HOME.
type Home struct {
	Dir string
}

// NewHome creates an empty home in a directory removed after the test.
func NewHome(t testing.TB) *Home {
	t.Helper()
	return &Home{Dir: t.TempDir()}
}

// WriteCert stores a file of a certificate secret and returns the value the operator puts into
// the environment for it (<secret>/<file>, relative to <side>-certs).
func (h *Home) WriteCert(t testing.TB, side Side, secret, file string, data []byte) string {
	t.Helper()
	h.write(t, filepath.Join(string(side)+"-certs", secret, file), data)
	return secret + "/" + file
}

// WritePassword stores a key of a password secret and returns the value of
// KAFKA_MIRRORMAKER_SASL_PASSWORD_FILE_<S> (<secret>/<key>, relative to <side>-password).
func (h *Home) WritePassword(t testing.TB, side Side, secret, key string, data []byte) string {
	t.Helper()
	h.write(t, filepath.Join(string(side)+"-password", secret, key), data)
	return secret + "/" + key
}

func (h *Home) write(t testing.TB, rel string, data []byte) {
	t.Helper()
	path := filepath.Join(h.Dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
