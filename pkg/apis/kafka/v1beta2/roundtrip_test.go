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

package v1beta2_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	kafkav1beta2 "github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/generated/clientset/versioned/scheme"
)

const examplesDir = "../../../../artifacts/examples"

// exampleDocuments returns every KafkaMirrorMaker document of the examples, as JSON, keyed by
// "<file>#<index>".
func exampleDocuments(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no examples found in %s", examplesDir)
	docs := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for i := 0; ; i++ {
			doc, err := reader.Read()
			if err != nil {
				break
			}
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			j, err := yaml.YAMLToJSON(doc)
			require.NoError(t, err, "%s document %d", f, i)
			var meta struct{ Kind string }
			require.NoError(t, json.Unmarshal(j, &meta))
			if meta.Kind == "KafkaMirrorMaker" {
				docs[filepath.Base(f)+"#"+strconv.Itoa(i)] = j
			}
		}
	}
	return docs
}

// generic decodes JSON keeping numbers as their literal text, so 5, 5.0 and "5" all differ.
func generic(t *testing.T, j []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	var v any
	require.NoError(t, d.Decode(&v))
	return v
}

// TestExamplesRoundTrip decodes every example KafkaMirrorMaker with the clientset's codec (the
// path objects take from the API server) and with a strict decoder, encodes it back, and
// requires the result to equal the input: no field lost, none added, config values keep their
// JSON types.
func TestExamplesRoundTrip(t *testing.T) {
	docs := exampleDocuments(t)
	require.Len(t, docs, 3, "one KafkaMirrorMaker per example file")
	for name, j := range docs {
		t.Run(name, func(t *testing.T) {
			obj, gvk, err := scheme.Codecs.UniversalDeserializer().Decode(j, nil, nil)
			require.NoError(t, err)
			assert.Equal(t, "KafkaMirrorMaker", gvk.Kind)
			kmm, ok := obj.(*kafkav1beta2.KafkaMirrorMaker)
			require.True(t, ok, "decoded into %T", obj)

			out, err := json.Marshal(kmm)
			require.NoError(t, err)
			assert.Equal(t, generic(t, j), generic(t, out))

			var strict kafkav1beta2.KafkaMirrorMaker
			require.NoError(t, yaml.UnmarshalStrict(j, &strict), "a field of the example is unknown to the Go types")
			assert.Equal(t, kmm, &strict)

			// DeepCopy must produce an equal, independent object.
			cp := kmm.DeepCopy()
			assert.Equal(t, kmm, cp)
		})
	}
}

func TestConfigValuesKeepTheirTypes(t *testing.T) {
	docs := exampleDocuments(t)
	j := docs["kafka-mirror-maker-tls-scram.yaml#4"]
	require.NotNil(t, j, "the TLS/SCRAM example's KafkaMirrorMaker is its fifth document")
	var kmm kafkav1beta2.KafkaMirrorMaker
	require.NoError(t, json.Unmarshal(j, &kmm))

	producer := kmm.Spec.Producer.Config
	assert.Equal(t, kafkav1beta2.ConfigValueString, producer["compression.type"].Kind())
	assert.Equal(t, kafkav1beta2.ConfigValueNumber, producer["linger.ms"].Kind())
	assert.Equal(t, "5", string(producer["linger.ms"]))
	assert.Equal(t, kafkav1beta2.ConfigValueBoolean, producer["enable.idempotence"].Kind())
	assert.Equal(t, "false", string(producer["enable.idempotence"]))
	assert.Equal(t, kafkav1beta2.ConfigValueNumber, producer["buffer.memory"].Kind())
	consumer := kmm.Spec.Consumer.Config
	assert.Equal(t, "500", string(consumer["max.poll.records"]))
	assert.Equal(t, "true", string(consumer["enable.auto.commit"]))
}

func TestConfigValueKinds(t *testing.T) {
	in := `{"s":"x","n":-1.5e3,"i":42,"t":true,"f":false,"z":null,"o":{"a":1},"a":[1,"b"]}`
	var cfg kafkav1beta2.KafkaConfig
	require.NoError(t, json.Unmarshal([]byte(in), &cfg))
	want := map[string]kafkav1beta2.ConfigValueKind{
		"s": kafkav1beta2.ConfigValueString, "n": kafkav1beta2.ConfigValueNumber,
		"i": kafkav1beta2.ConfigValueNumber, "t": kafkav1beta2.ConfigValueBoolean,
		"f": kafkav1beta2.ConfigValueBoolean, "z": kafkav1beta2.ConfigValueNull,
		"o": kafkav1beta2.ConfigValueObject, "a": kafkav1beta2.ConfigValueArray,
	}
	require.Len(t, cfg, len(want), "a null value must keep its key")
	for k, kind := range want {
		assert.Equal(t, kind, cfg[k].Kind(), "key %s", k)
	}
	out, err := json.Marshal(cfg)
	require.NoError(t, err)
	assert.JSONEq(t, in, string(out))

	assert.Equal(t, kafkav1beta2.ConfigValueNull, kafkav1beta2.ConfigValue(nil).Kind())
	b, err := json.Marshal(kafkav1beta2.ConfigValue(nil))
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
	assert.Equal(t, `"a\"b"`, string(kafkav1beta2.StringConfigValue(`a"b`)))
}

func TestConfigDeepCopyIsIndependent(t *testing.T) {
	orig := &kafkav1beta2.KafkaMirrorMaker{Spec: &kafkav1beta2.KafkaMirrorMakerSpec{
		Consumer: &kafkav1beta2.KafkaMirrorMakerConsumerSpec{Config: kafkav1beta2.KafkaConfig{"a": kafkav1beta2.RawConfigValue("1")}},
	}}
	cp := orig.DeepCopy()
	cp.Spec.Consumer.Config["a"][0] = '2'
	cp.Spec.Consumer.Config["b"] = kafkav1beta2.RawConfigValue("true")
	assert.Equal(t, "1", string(orig.Spec.Consumer.Config["a"]))
	assert.NotContains(t, orig.Spec.Consumer.Config, "b")
}
