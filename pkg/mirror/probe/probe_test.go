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
package probe

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLiveness(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	assert.Equal(t, 1, Liveness(dir, &stderr), "no file: not alive")
	assert.Contains(t, stderr.String(), "mirror-maker-alive does not exist")

	alive := filepath.Join(dir, "mirror-maker-alive")
	require.NoError(t, os.WriteFile(alive, nil, 0o644))
	assert.Equal(t, 0, Liveness(dir, &stderr))
	assert.NoFileExists(t, alive, "the check consumes the file, so the mirror must re-create it before the next probe")
	assert.Equal(t, 1, Liveness(dir, &stderr))
}

func TestTest(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ready")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(file, link))
	missing := filepath.Join(dir, "missing")

	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"-f", file}, 0},
		{[]string{"-f", missing}, 1},
		{[]string{"-f", dir}, 1},
		{[]string{"-d", dir}, 0},
		{[]string{"-e", missing}, 1},
		{[]string{"-e", link}, 0},
		{[]string{"-h", link}, 0},
		{[]string{"-h", file}, 1},
		{[]string{"-s", file}, 0},
		{[]string{"-s", empty}, 1},
		{[]string{"-r", file}, 0},
		{[]string{"-x", file}, 1},
		{[]string{"!", "-f", file}, 1},
		{[]string{"!", "-f", missing}, 0},
		{[]string{"-f"}, 0}, // one argument: a non-empty string
		{[]string{""}, 1},
		{[]string{}, 1},
		{[]string{"-n", "a"}, 0},
		{[]string{"-z", "a"}, 1},
		{[]string{"a", "=", "a"}, 0},
		{[]string{"a", "!=", "a"}, 1},
		{[]string{"3", "-gt", "2"}, 0},
		{[]string{"3", "-le", "2"}, 1},
		{[]string{"(", "-f", file, ")"}, 0},
		{[]string{"x", "-gt", "2"}, 2},
		{[]string{"-q", file}, 2},
		{[]string{"a", "b", "c", "d", "e"}, 2},
	} {
		var stderr bytes.Buffer
		assert.Equal(t, tc.want, Test(tc.args, false, &stderr), "test %q: %s", tc.args, stderr.String())
	}

	var stderr bytes.Buffer
	assert.Equal(t, 0, Test([]string{"-f", file, "]"}, true, &stderr))
	assert.Equal(t, 2, Test([]string{"-f", file}, true, &stderr))
	assert.Contains(t, stderr.String(), "missing ]")
}
