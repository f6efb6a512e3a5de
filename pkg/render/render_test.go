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

package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const examplesDir = "../../artifacts/examples"

// noEnv is an environment with no operator settings: the defaults apply.
func noEnv(string) (string, bool) { return "", false }

func run(t *testing.T, stdin string, env func(string) (string, bool), args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(args, strings.NewReader(stdin), &out, &errOut, env)
	return code, out.String(), errOut.String()
}

// TestGoldenExamples renders every example and compares with testdata/golden/<example>.
// Regenerate with: go test ./pkg/render -run TestGoldenExamples -update
func TestGoldenExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", noEnv, "-f", f)
			require.Equal(t, ExitOK, code, "stderr: %s", stderr)
			assert.Empty(t, stderr)
			golden := filepath.Join("testdata", "golden", name)
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(stdout), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden file; run with -update")
			assert.Equal(t, string(want), stdout)
		})
	}
}

// TestOutputShape checks the List: apiVersion/kind, four items per KafkaMirrorMaker in
// ServiceAccount, ConfigMap, PodDisruptionBudget, Deployment order, in input order, with the
// default namespace and an owner reference carrying the input's uid.
func TestOutputShape(t *testing.T) {
	in := readExample(t, "kafka-mirror-maker.yaml") + "\n---\n" +
		strings.Replace(strings.Replace(readExample(t, "kafka-mirror-maker.yaml"),
			"name: my-mirror-maker", "name: second\n  namespace: team-a\n  uid: 6f1c2c52-0d5e-4c1e-9d55-2f8c0a0b7e11", 1),
			"# A minimal", "# Second", 1)
	code, stdout, stderr := run(t, in, noEnv, "-f", "-", "-o", "json")
	require.Equal(t, ExitOK, code, stderr)
	var list struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Items      []struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name            string `json:"name"`
				Namespace       string `json:"namespace"`
				OwnerReferences []struct {
					Kind string `json:"kind"`
					Name string `json:"name"`
					UID  string `json:"uid"`
				} `json:"ownerReferences"`
			} `json:"metadata"`
			Status any `json:"status"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &list))
	assert.Equal(t, "v1", list.APIVersion)
	assert.Equal(t, "List", list.Kind)
	require.Len(t, list.Items, 8)
	kinds := []string{"ServiceAccount", "ConfigMap", "PodDisruptionBudget", "Deployment"}
	for i, item := range list.Items {
		assert.Equal(t, kinds[i%4], item.Kind, "item %d", i)
		assert.Nil(t, item.Status, "item %d has a status", i)
		require.Len(t, item.Metadata.OwnerReferences, 1)
		if i < 4 {
			assert.Equal(t, "default", item.Metadata.Namespace)
			assert.Equal(t, "my-mirror-maker", item.Metadata.OwnerReferences[0].Name)
			assert.Equal(t, "", item.Metadata.OwnerReferences[0].UID)
		} else {
			assert.Equal(t, "team-a", item.Metadata.Namespace)
			assert.Equal(t, "second", item.Metadata.OwnerReferences[0].Name)
			assert.Equal(t, "6f1c2c52-0d5e-4c1e-9d55-2f8c0a0b7e11", item.Metadata.OwnerReferences[0].UID)
		}
	}
	assert.Equal(t, "my-mirror-maker-mirror-maker-config", list.Items[1].Metadata.Name)
	assert.Equal(t, "second-mirror-maker", list.Items[7].Metadata.Name)
}

func readExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(examplesDir, name))
	require.NoError(t, err)
	return string(b)
}

const secretValue = "s3cr3t-Value-That-Must-Not-Leak"

const tlsScramInput = `
apiVersion: v1
kind: Secret
metadata: {name: target-user}
stringData: {password: ` + secretValue + `}
---
apiVersion: v1
kind: Secret
metadata: {name: source-ca}
data: {ca.crt: ` + "czNjcjN0LVZhbHVlLVRoYXQtTXVzdC1Ob3QtTGVhaw==" + `}
---
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: mm}
spec:
  replicas: 1
  include: ".*"
  consumer:
    bootstrapServers: a:9093
    groupId: g
    tls: {trustedCertificates: [{secretName: source-ca, certificate: ca.crt}]}
  producer:
    bootstrapServers: b:9092
    authentication:
      type: scram-sha-512
      username: u
      passwordSecret: {secretName: target-user, password: password}
`

// TestSecretValuesNeverReachOutput renders a resource whose Secrets hold a distinctive value
// and requires that neither the value nor its base64 form appears in any output; the Secret
// content only reaches the auth-hash annotation.
func TestSecretValuesNeverReachOutput(t *testing.T) {
	for _, format := range []string{"yaml", "json"} {
		code, stdout, stderr := run(t, tlsScramInput, noEnv, "-f", "-", "-o", format)
		require.Equal(t, ExitOK, code, stderr)
		for _, leak := range []string{secretValue, "czNjcjN0LVZhbHVlLVRoYXQtTXVzdC1Ob3QtTGVhaw=="} {
			assert.NotContains(t, stdout, leak)
			assert.NotContains(t, stderr, leak)
		}
		assert.Contains(t, stdout, "strimzi.io/auth-hash")
		assert.NotContains(t, stdout, `strimzi.io/auth-hash: "0"`, "the hash must cover the Secrets")
	}

	// A rotated password changes the hash, and only the hash.
	_, before, _ := run(t, tlsScramInput, noEnv, "-f", "-")
	_, after, _ := run(t, strings.Replace(tlsScramInput, secretValue, "another-value", 1), noEnv, "-f", "-")
	require.NotEqual(t, before, after)
	diff := 0
	bl, al := strings.Split(before, "\n"), strings.Split(after, "\n")
	require.Equal(t, len(bl), len(al))
	for i := range bl {
		if bl[i] != al[i] {
			diff++
			assert.Contains(t, bl[i], "strimzi.io/auth-hash")
		}
	}
	assert.Equal(t, 1, diff)

	// A key missing from a Secret is a validation error that names the key, not the values.
	bad := strings.Replace(tlsScramInput, "password: password}", "password: missing-key}", 1)
	code, stdout, stderr := run(t, bad, noEnv, "-f", "-")
	assert.Equal(t, ExitValidationError, code)
	assert.NotContains(t, stdout+stderr, secretValue)
	assert.Contains(t, stderr, "default/mm: InvalidConfigurationException: ")
	assert.Contains(t, stderr, "missing-key")
}

func TestExitCodes(t *testing.T) {
	minimal := readExample(t, "kafka-mirror-maker.yaml")
	cases := []struct {
		name       string
		stdin      string
		env        map[string]string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{name: "valid", stdin: minimal, args: []string{"-f", "-"}, wantCode: ExitOK},
		{name: "help", args: []string{"-h"}, wantCode: ExitOK, wantStderr: "Usage: kmm-operator render"},
		{name: "no input", args: nil, wantCode: ExitBadInput, wantStderr: "no input"},
		{name: "positional argument", args: []string{"file.yaml"}, wantCode: ExitBadInput, wantStderr: `unexpected argument "file.yaml"`},
		{name: "unknown flag", args: []string{"--nope"}, wantCode: ExitBadInput, wantStderr: "flag provided but not defined"},
		{name: "bad output format", stdin: minimal, args: []string{"-f", "-", "-o", "toml"}, wantCode: ExitBadInput, wantStderr: `-o "toml" is not supported`},
		{name: "missing file", args: []string{"-f", "/nonexistent/kmm.yaml"}, wantCode: ExitBadInput, wantStderr: "/nonexistent/kmm.yaml"},
		{name: "invalid YAML", stdin: minimal + "\n---\nfoo: [unclosed\n", args: []string{"-f", "-"}, wantCode: ExitBadInput, wantStderr: "<stdin>: document 2:"},
		{name: "no kind", stdin: "foo: bar\n", args: []string{"-f", "-"}, wantCode: ExitBadInput, wantStderr: "<stdin>: document 1: no kind"},
		// The API server's strict decoding error (kubectl apply's fieldValidation=Strict).
		{name: "unknown field", stdin: strings.Replace(minimal, "replicas: 1", "replicas: 1\n  replica: 2", 1), args: []string{"-f", "-"}, wantCode: ExitValidationError,
			wantStderr: "default/my-mirror-maker: spec.replica: unknown field \"spec.replica\"\n"},
		{name: "old API version", stdin: strings.Replace(minimal, "v1beta2", "v1beta1", 1), args: []string{"-f", "-"}, wantCode: ExitBadInput, wantStderr: "kafka.strimzi.io/v1beta1 is not supported"},
		{name: "bad operator setting", stdin: minimal, env: map[string]string{"STRIMZI_IMAGE_PULL_POLICY": "Sometimes"}, args: []string{"-f", "-"}, wantCode: ExitBadInput, wantStderr: "STRIMZI_IMAGE_PULL_POLICY"},
		// The CRD schema's verdict comes first, with the API server's field paths and messages.
		{name: "validation error", stdin: strings.Replace(minimal, `include: ".*"`, "", 1), args: []string{"-f", "-"}, wantCode: ExitValidationError,
			wantStderr: "default/my-mirror-maker: <nil>: Invalid value: \"\": \"spec\" must validate one and only one schema (oneOf). Found none valid\n" +
				"default/my-mirror-maker: spec.include: Required value\n"},
		{name: "unknown version", stdin: strings.Replace(minimal, "version: 3.9.2", "version: 2.8.0", 1), args: []string{"-f", "-"}, wantCode: ExitValidationError,
			wantStderr: "default/my-mirror-maker: InvalidResourceException: Kafka version 2.8.0 is not supported. Supported versions are: 3.8.0, 3.8.1, 3.9.0, 3.9.1, 3.9.2.\n"},
		{name: "missing Secret", stdin: strings.Replace(tlsScramInput, "name: target-user}", "name: other}", 1), args: []string{"-f", "-"}, wantCode: ExitValidationError,
			wantStderr: "default/mm: InvalidConfigurationException: Secret target-user not found in namespace default\n"},
		{name: "custom image map", stdin: minimal, env: map[string]string{"STRIMZI_KAFKA_MIRROR_MAKER_IMAGES": "3.9.2=registry.example/kafka:mm1"}, args: []string{"-f", "-"}, wantCode: ExitOK},
		{name: "image map flag", stdin: minimal, env: map[string]string{"STRIMZI_KAFKA_MIRROR_MAKER_IMAGES": "3.9.2=registry.example/kafka:env"},
			args: []string{"-f", "-", "--kafka-mirror-maker-images", "3.9.2=registry.example/kafka:mm1", "--image-pull-policy=Never"}, wantCode: ExitOK},
		// (include next to whitelist, which the model would also warn about, fails the CRD's oneOf.)
		{name: "ignored parts are warned about", stdin: strings.Replace(minimal, "groupId: cluster-a-group-id", "groupId: cluster-a-group-id\n    config: {group.id: other}", 1), args: []string{"-f", "-"}, wantCode: ExitOK,
			wantStderr: "default/my-mirror-maker: warning: Configuration option \"group.id\" is forbidden and will be ignored\n"},
		{name: "bad setting flag", stdin: minimal, env: map[string]string{"STRIMZI_IMAGE_PULL_POLICY": "Always"}, args: []string{"-f", "-", "--image-pull-policy", "Sometimes"},
			wantCode: ExitBadInput, wantStderr: `render: invalid value "Sometimes" for --image-pull-policy: not a valid value; use one of Always, IfNotPresent, Never`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			code, stdout, stderr := run(t, tc.stdin, env, tc.args...)
			assert.Equal(t, tc.wantCode, code, "stderr: %s", stderr)
			if tc.wantStderr != "" {
				assert.Contains(t, stderr, tc.wantStderr)
			} else {
				assert.Empty(t, stderr)
			}
			if tc.wantCode == ExitOK && len(tc.args) > 0 && tc.args[0] == "-f" {
				var list map[string]any
				require.NoError(t, yaml.Unmarshal([]byte(stdout), &list))
				assert.Len(t, list["items"], 4)
			}
			switch tc.name {
			case "custom image map":
				assert.Contains(t, stdout, "image: registry.example/kafka:mm1")
			case "image map flag":
				// The flags win over the variables, as in `kmm-operator run`.
				assert.Contains(t, stdout, "image: registry.example/kafka:mm1")
				assert.NotContains(t, stdout, "kafka:env")
				assert.Contains(t, stdout, "imagePullPolicy: Never")
			}
		})
	}
}

// A validation failure of one resource does not hide the others: they are still printed.
func TestPartialFailureStillRendersTheOthers(t *testing.T) {
	minimal := readExample(t, "kafka-mirror-maker.yaml")
	broken := strings.Replace(strings.Replace(minimal, `include: ".*"`, "", 1), "name: my-mirror-maker", "name: broken", 1)
	code, stdout, stderr := run(t, broken+"\n---\n"+minimal, noEnv, "-f", "-")
	assert.Equal(t, ExitValidationError, code)
	assert.Contains(t, stderr, "default/broken: spec.include: Required value")
	var list map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(stdout), &list))
	assert.Len(t, list["items"], 4)
	assert.NotContains(t, stdout, "broken")
}
