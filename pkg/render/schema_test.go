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
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/kmm-operator/kmm-operator/artifacts/crds"
	"github.com/kmm-operator/kmm-operator/pkg/crdschema"
)

// caseName is the metadata.name of a schema case's document ("" when it has none).
func caseName(t *testing.T, doc string) string {
	t.Helper()
	var m struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(doc), &m))
	return m.Metadata.Name
}

// TestSchemaValidation renders each schema case: an invalid resource gets one line per error,
// "<namespace>/<name>: <field>: <message>", exit code 1, and nothing rendered; a valid one
// renders.
func TestSchemaValidation(t *testing.T) {
	for _, tc := range schemaCases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.doc, noEnv, "-f", "-")
			var list struct {
				Items []any `json:"items"`
			}
			require.NoError(t, yaml.Unmarshal([]byte(stdout), &list), stdout)
			if tc.want == nil {
				assert.Equal(t, ExitOK, code, stderr)
				assert.Empty(t, stderr)
				assert.Len(t, list.Items, 4)
				return
			}
			assert.Equal(t, ExitValidationError, code)
			prefix := "default/" + caseName(t, tc.doc) + ": "
			assert.Equal(t, prefix+strings.Join(tc.want, "\n"+prefix)+"\n", stderr)
			assert.Empty(t, list.Items)
		})
	}
}

// The API server lists the schema validator's errors in random order; render sorts them.
func TestSchemaErrorsAreInAStableOrder(t *testing.T) {
	doc := schemaCases[0].doc
	_, _, first := run(t, doc, noEnv, "-f", "-")
	for range 20 {
		_, _, again := run(t, doc, noEnv, "-f", "-")
		require.Equal(t, first, again)
	}
}

// Every resource is validated: the errors of several resources are all reported, in input
// order, and the valid ones are rendered.
func TestSchemaValidationOfSeveralResources(t *testing.T) {
	minimal := readExample(t, "kafka-mirror-maker.yaml")
	in := schemaCases[3].doc + "---\n" + minimal + "\n---\n" + schemaCases[4].doc
	code, stdout, stderr := run(t, in, noEnv, "-f", "-")
	assert.Equal(t, ExitValidationError, code)
	assert.Equal(t, "default/negative-replicas: "+schemaCases[3].want[0]+"\n"+
		"default/negative-replicas: "+schemaCases[3].want[1]+"\n"+
		"default/include-and-whitelist: "+schemaCases[4].want[0]+"\n", stderr)
	var list struct {
		Items []any `json:"items"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(stdout), &list))
	assert.Len(t, list.Items, 4)
}

// --validate-only prints no objects: the exit code and the messages on stderr are those of a
// render.
func TestValidateOnly(t *testing.T) {
	minimal := readExample(t, "kafka-mirror-maker.yaml")
	code, stdout, stderr := run(t, minimal, noEnv, "-f", "-", "--validate-only")
	assert.Equal(t, ExitOK, code, stderr)
	assert.Empty(t, stdout)
	assert.Empty(t, stderr)

	// The model's notices are still printed.
	withNotice := strings.Replace(minimal, "groupId: cluster-a-group-id", "groupId: cluster-a-group-id\n    config: {group.id: other}", 1)
	code, stdout, stderr = run(t, withNotice, noEnv, "-f", "-", "--validate-only")
	assert.Equal(t, ExitOK, code, stderr)
	assert.Empty(t, stdout)
	assert.Equal(t, "default/my-mirror-maker: warning: Configuration option \"group.id\" is forbidden and will be ignored\n", stderr)

	// Schema errors, and the model's errors for what passes the schema.
	unknownVersion := strings.Replace(minimal, "version: 3.9.2", "version: 2.8.0", 1)
	code, stdout, stderr = run(t, schemaCases[3].doc+"---\n"+unknownVersion, noEnv, "-o", "json", "-f", "-", "--validate-only")
	assert.Equal(t, ExitValidationError, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "default/negative-replicas: "+schemaCases[3].want[0]+"\n"+
		"default/negative-replicas: "+schemaCases[3].want[1]+"\n"+
		"default/my-mirror-maker: InvalidResourceException: Kafka version 2.8.0 is not supported. Supported versions are: 3.8.0, 3.8.1, 3.9.0, 3.9.1, 3.9.2.\n", stderr)

	// Bad usage and unreadable input are still exit code 2.
	code, _, _ = run(t, "", noEnv, "--validate-only")
	assert.Equal(t, ExitBadInput, code)
}

// Nothing is defaulted: the shipped CRD declares no defaults, and a CRD that declares one is
// refused rather than validated without them. So a missing spec.replicas stays missing, which the
// shipped CRD does not allow.
func TestNoDefaults(t *testing.T) {
	var crd apiextensionsv1.CustomResourceDefinition
	require.NoError(t, yaml.UnmarshalStrict([]byte(crds.KafkaMirrorMakersYAML), &crd))
	spec := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
	replicas := spec.Properties["replicas"]
	replicas.Default = &apiextensionsv1.JSON{Raw: []byte("3")}
	spec.Properties["replicas"] = replicas
	crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"] = spec
	_, err := crdschema.New(&crd, "v1beta2")
	assert.ErrorContains(t, err, "openAPIV3Schema.properties.spec.properties.replicas: default is not supported")

	code, _, stderr := run(t, strings.Replace(readExample(t, "kafka-mirror-maker.yaml"), "replicas: 1", "", 1), noEnv, "-f", "-")
	assert.Equal(t, ExitValidationError, code)
	assert.Equal(t, "default/my-mirror-maker: spec.replicas: Required value\n", stderr)
}

// A resource as `kubectl get -o yaml` exports it (resourceVersion, uid, managedFields, status)
// renders like the resource it came from: the check is a create's, but what only a create must
// not carry is not held against it, and status is not the create's.
func TestExportedResourceRenders(t *testing.T) {
	minimal := readExample(t, "kafka-mirror-maker.yaml")
	exported := strings.Replace(minimal, "  name: my-mirror-maker\n", `  name: my-mirror-maker
  namespace: default
  uid: 6f1c2c52-0d5e-4c1e-9d55-2f8c0a0b7e11
  resourceVersion: "4711"
  generation: 3
  creationTimestamp: "2026-01-02T03:04:05Z"
  managedFields:
  - {apiVersion: kafka.strimzi.io/v1beta2, fieldsType: FieldsV1, fieldsV1: {"f:spec": {"f:replicas": {}}}, manager: kubectl, operation: Update, time: "2026-01-02T03:04:05Z"}
`, 1) + `status:
  conditions:
  - {type: Ready, status: "True", lastTransitionTime: "2026-01-02T03:04:05Z"}
  observedGeneration: 3
  replicas: 1
  labelSelector: strimzi.io/cluster=my-mirror-maker
`
	code, stdout, stderr := run(t, exported, noEnv, "-f", "-")
	require.Equal(t, ExitOK, code, stderr)
	assert.Empty(t, stderr)
	_, want, _ := run(t, strings.Replace(minimal, "  name: my-mirror-maker\n", "  name: my-mirror-maker\n  uid: 6f1c2c52-0d5e-4c1e-9d55-2f8c0a0b7e11\n", 1), noEnv, "-f", "-")
	assert.Equal(t, want, stdout)
}
