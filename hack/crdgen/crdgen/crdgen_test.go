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

package crdgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := RepoRoot(".")
	require.NoError(t, err)
	return root
}

// TestCommittedCRDIsUpToDate fails when the committed CRD is not the generator's output for the
// current Go types.
func TestCommittedCRDIsUpToDate(t *testing.T) {
	root := repoRoot(t)
	want, err := Generate(filepath.Join(root, DefaultTypesDir))
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(root, DefaultOutput))
	require.NoError(t, err)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; regenerate it with hack/update-codegen.sh or\n\tgo run ./hack/crdgen --output %s\nfirst difference at line %d",
			DefaultOutput, DefaultOutput, firstDifferentLine(got, want))
	}
}

func firstDifferentLine(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

func TestGenerateIsDeterministic(t *testing.T) {
	dir := filepath.Join(repoRoot(t), DefaultTypesDir)
	first, err := Generate(dir)
	require.NoError(t, err)
	for range 3 {
		again, err := Generate(dir)
		require.NoError(t, err)
		require.Equal(t, string(first), string(again))
	}
	assert.True(t, bytes.HasPrefix(first, []byte(Header)))
}

// copyTypes copies the API source into a temporary directory, replacing old by new in it.
func copyTypes(t *testing.T, old, new string) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), DefaultTypesDir)
	dst := t.TempDir()
	files, err := filepath.Glob(filepath.Join(src, "*.go"))
	require.NoError(t, err)
	replaced := false
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		if strings.Contains(string(data), old) {
			data = []byte(strings.Replace(string(data), old, new, 1))
			replaced = true
		}
		require.NoError(t, os.WriteFile(filepath.Join(dst, filepath.Base(f)), data, 0o644))
	}
	require.True(t, replaced, "%q not found in the API source", old)
	return dst
}

func TestGenerateRejectsBadMarkers(t *testing.T) {
	cases := []struct {
		name, old, new, wantErr string
	}{
		{"unknown marker", "// +kmm:minimum=1\n\tNumStreams", "// +kmm:minimun=1\n\tNumStreams", "unknown marker"},
		{"minimum on a string", "// +kmm:required\n\tGroupID", "// +kmm:minimum=1\n\tGroupID", "is not an integer"},
		{"enum on an integer", "// +kmm:minimum=1\n\tNumStreams", "// +kmm:enum=a;b\n\tNumStreams", "is not a string"},
		{"bad pattern", "// +kmm:pattern=^[0-9]+[mMgG]?$\n\tXmx", "// +kmm:pattern=^[0-9+$\n\tXmx", "invalid pattern"},
		{"oneOf with an unknown field", "+kmm:oneOfRequired=include;whitelist", "+kmm:oneOfRequired=include;blacklist", `no field "blacklist"`},
		{"oneOf on a field", "// +kmm:required\n\tGroupID", "// +kmm:oneOfRequired=a;b\n\tGroupID", "only allowed on a type"},
		{"required with a value", "// +kmm:required\n\tGroupID", "// +kmm:required=true\n\tGroupID", "takes no value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(copyTypes(t, tc.old, tc.new))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestGenerateNeedsTheTypesSource(t *testing.T) {
	_, err := Generate(t.TempDir())
	require.Error(t, err)
}

func TestSplitComment(t *testing.T) {
	// Descriptions drop marker lines and other +tags and are joined into one line.
	dir := copyTypes(t, "// The Kafka MirrorMaker version.", "// +optional\n\t// The Kafka MirrorMaker version.\n\t//\n\t// Second paragraph.")
	crd, err := Build(dir)
	require.NoError(t, err)
	spec := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
	desc := spec.Properties["version"].Description
	assert.True(t, strings.HasPrefix(desc, "The Kafka MirrorMaker version. Second paragraph. Defaults to the latest version."), desc)
	assert.NotContains(t, desc, "+optional")
	assert.NotContains(t, desc, "\n")
	assert.Equal(t, []string{"replicas", "consumer", "producer"}, spec.Required)
	assert.Equal(t, "The number of pods in the `Deployment`.", spec.Properties["replicas"].Description)
}
