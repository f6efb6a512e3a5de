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
package mirrorpod

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kmm-operator/kmm-operator/test/mirrortest"
)

var (
	mirrorBinary   string
	operatorBinary string
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(podInitEnv); spec != "" {
		err := podInit(spec)
		fmt.Fprintf(os.Stderr, "pod init: %v\n", err)
		os.Exit(127)
	}
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "kmm-mirrorpod-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The pod's user (1001) must be able to read the binary; MkdirTemp makes the dir 0700.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin, err := mirrortest.BuildMirror(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	mirrorBinary = bin.Path
	root, err := mirrortest.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	operatorBinary = filepath.Join(dir, "kmm-operator")
	build := exec.CommandContext(ctx, "go", "build", "-o", operatorBinary, "./cmd/kmm-operator")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build kmm-operator: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}
