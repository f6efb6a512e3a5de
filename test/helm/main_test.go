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

// Package helm checks the Helm chart artifacts/helm/kmm-operator without a cluster: helm lint,
// helm template with several value sets, the rendered objects against the kustomize install
// (bin/kubectl kustomize), the schema's failures, and the rendered operator environment against
// the operator's own configuration parser.
//
//	go test -mod=vendor ./test/helm
//
// Helm is bin/helm, built from hack/tools/helm by hack/helm.sh when it is missing or stale (the
// first build takes a few minutes and needs the Go module cache or proxy once); kubectl is
// bin/kubectl, built by hack/tools/build.sh when it is missing. If either cannot be had, the
// package fails: nothing here is skipped.
package helm

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const (
	release   = "kmm-operator"
	namespace = "kmm-operator"
)

var (
	root    string // the repository root
	chart   string // artifacts/helm/kmm-operator
	helmBin string
	kubectl string
	// helmEnv is the environment of every helm command: Helm's own directories in a temporary
	// directory (no user repositories or plugins) and a kubeconfig that does not exist, so
	// nothing can reach a cluster.
	helmEnv []string
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	var err error
	if root, err = filepath.Abs("../.."); err != nil {
		return fail("%v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fail("the repository root %s has no go.mod: run the tests from test/helm", root)
	}
	chart = filepath.Join(root, "artifacts", "helm", "kmm-operator")
	helmBin = filepath.Join(root, "bin", "helm")
	kubectl = filepath.Join(root, "bin", "kubectl")

	// bin/helm: hack/helm.sh builds it when it is missing or older than its module's go.mod/go.sum.
	if out, err := runIn(root, filepath.Join(root, "hack", "helm.sh"), "--build-only"); err != nil {
		return fail("could not build bin/helm with hack/helm.sh --build-only (%v); the first build needs the Go "+
			"module proxy or a filled module cache:\n%s", err, out)
	}
	if _, err := os.Stat(helmBin); err != nil {
		return fail("hack/helm.sh --build-only succeeded, but %v", err)
	}
	if _, err := os.Stat(kubectl); err != nil {
		if out, err := runIn(root, filepath.Join(root, "hack", "tools", "build.sh"), "kubectl"); err != nil {
			return fail("bin/kubectl is missing and hack/tools/build.sh kubectl failed (%v):\n%s", err, out)
		}
	}

	tmp, err := os.MkdirTemp("", "kmm-helm-test-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(tmp)
	helmEnv = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(tmp, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(tmp, "config"),
		"HELM_DATA_HOME="+filepath.Join(tmp, "data"),
		"KUBECONFIG="+filepath.Join(tmp, "no-such-kubeconfig"),
	)
	return m.Run()
}

func fail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "test/helm: "+format+"\n", args...)
	return 1
}

// runIn runs a command in dir and returns its combined output. BIN_DIR is the repository's bin/
// for the scripts that build tools.
func runIn(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BIN_DIR="+filepath.Join(root, "bin"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// runHelm runs bin/helm in the repository root; it returns stdout, and stderr in the error.
func runHelm(args ...string) (string, error) {
	cmd := exec.Command(helmBin, args...)
	cmd.Dir = root
	cmd.Env = helmEnv
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("helm %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String(), nil
}
