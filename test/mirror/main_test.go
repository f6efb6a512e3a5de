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

// Package mirror holds the integration tests of kmm-mirror, the Go replacement for MirrorMaker 1
// in Strimzi's image: the binary is built once in TestMain and run as a separate process against
// fake Kafka clusters (kfake), configured only through the environment and files the operator
// renders, and judged by what arrives on the target, the group's committed offsets, its exit
// codes and its health files. The harness lives in test/mirrortest.
package mirror

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

// bin is the kmm-mirror built for this run; buildErr is why it could not be built. A build
// failure does not stop TestMain, so the harness's own tests still run and every test that
// needs the binary fails with the compiler's message.
var (
	bin      *mirrortest.Binary
	buildErr error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kmm-mirror-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin, buildErr = mirrortest.BuildMirror(context.Background(), dir)
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// mirrorBinary returns the built binary or fails the test with the build error.
func mirrorBinary(t testing.TB) *mirrortest.Binary {
	t.Helper()
	if buildErr != nil {
		t.Fatalf("kmm-mirror could not be built: %v", buildErr)
	}
	return bin
}
