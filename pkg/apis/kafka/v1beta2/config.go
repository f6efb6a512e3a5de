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

package v1beta2

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// KafkaConfig is a free-form Kafka client configuration (`consumer.config`, `producer.config`).
// Values keep the JSON type they were written with, so that `linger.ms: 5`, `linger.ms: "5"` and
// `enable.idempotence: true` survive a round trip unchanged; the model decides how each renders.
type KafkaConfig map[string]ConfigValue

// ConfigValue is one value of a KafkaConfig, held as its raw JSON text: a string, a number, a
// boolean, null, or (invalid for Kafka, but accepted by the schema) an object or an array.
type ConfigValue []byte

// ConfigValueKind names the JSON type of a ConfigValue.
type ConfigValueKind string

// The kinds a ConfigValue can hold.
const (
	ConfigValueString  ConfigValueKind = "string"
	ConfigValueNumber  ConfigValueKind = "number"
	ConfigValueBoolean ConfigValueKind = "boolean"
	ConfigValueNull    ConfigValueKind = "null"
	ConfigValueObject  ConfigValueKind = "object"
	ConfigValueArray   ConfigValueKind = "array"
)

// StringConfigValue returns a ConfigValue holding the JSON string s.
func StringConfigValue(s string) ConfigValue {
	b, _ := json.Marshal(s)
	return ConfigValue(b)
}

// RawConfigValue returns a ConfigValue holding the given JSON text, which must be valid JSON.
func RawConfigValue(text string) ConfigValue {
	return ConfigValue(text)
}

// Kind reports the JSON type of the value. An empty value is null.
func (v ConfigValue) Kind() ConfigValueKind {
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return ConfigValueNull
	}
	switch t[0] {
	case '"':
		return ConfigValueString
	case 't', 'f':
		return ConfigValueBoolean
	case 'n':
		return ConfigValueNull
	case '{':
		return ConfigValueObject
	case '[':
		return ConfigValueArray
	default:
		return ConfigValueNumber
	}
}

// MarshalJSON writes the raw JSON text; an empty value is null.
func (v ConfigValue) MarshalJSON() ([]byte, error) {
	if len(v) == 0 {
		return []byte("null"), nil
	}
	return []byte(v), nil
}

// UnmarshalJSON keeps the raw JSON text of the value, null included, so that validation can
// report a null value instead of silently dropping the key.
func (v *ConfigValue) UnmarshalJSON(data []byte) error {
	if v == nil {
		return fmt.Errorf("v1beta2.ConfigValue: UnmarshalJSON on nil pointer")
	}
	if !json.Valid(data) {
		return fmt.Errorf("v1beta2.ConfigValue: invalid JSON %q", data)
	}
	*v = append((*v)[:0], bytes.TrimSpace(data)...)
	return nil
}
