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

package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// Forbidden configuration prefixes and their exceptions (KafkaMirrorMakerConsumerConfiguration and
// KafkaMirrorMakerProducerConfiguration): options for which the operator or the image sets the
// value.
var (
	consumerForbiddenPrefixes = []string{"ssl.", "bootstrap.servers", "group.id", "sasl.", "security.", "interceptor.classes"}
	producerForbiddenPrefixes = []string{"ssl.", "bootstrap.servers", "sasl.", "security.", "interceptor.classes"}
	forbiddenPrefixExceptions = []string{"ssl.endpoint.identification.algorithm", "ssl.cipher.suites", "ssl.protocol", "ssl.enabled.protocols"}
)

// Tracing interceptors added to the client configuration for OpenTelemetry tracing.
const (
	otelConsumerInterceptor = "io.opentelemetry.instrumentation.kafkaclients.v2_6.TracingConsumerInterceptor"
	otelProducerInterceptor = "io.opentelemetry.instrumentation.kafkaclients.v2_6.TracingProducerInterceptor"
)

// orderedProperties is an insertion-ordered set of Java properties (Strimzi's OrderedProperties).
type orderedProperties struct {
	keys   []string
	values map[string]string
}

func newOrderedProperties(capacity int) *orderedProperties {
	return &orderedProperties{keys: make([]string, 0, capacity), values: make(map[string]string, capacity)}
}

// put sets key, keeping the position of an existing key and appending a new one.
func (p *orderedProperties) put(key, value string) {
	if _, ok := p.values[key]; !ok {
		p.keys = append(p.keys, key)
	}
	p.values[key] = value
}

func (p *orderedProperties) get(key string) (string, bool) {
	v, ok := p.values[key]
	return v, ok
}

// filter removes the keys for which drop returns true.
func (p *orderedProperties) filter(drop func(string) bool) {
	kept := p.keys[:0]
	for _, k := range p.keys {
		if drop(k) {
			delete(p.values, k)
			continue
		}
		kept = append(kept, k)
	}
	p.keys = kept
}

// render writes "key=value" lines, each ending in "\n", preceded by "# <comment>" lines when comment
// is not empty, with the escaping of Strimzi's PropertiesWriter.
func (p *orderedProperties) render(comment string) string {
	var b strings.Builder
	if comment != "" {
		for _, line := range strings.FieldsFunc(comment, func(r rune) bool { return r == '\r' || r == '\n' }) {
			b.WriteString("# ")
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	for _, k := range p.keys {
		writePropertyKey(&b, k)
		b.WriteByte('=')
		writePropertyValue(&b, p.values[k])
		b.WriteByte('\n')
	}
	return b.String()
}

func writePropertyKey(b *strings.Builder, k string) {
	for i := 0; i < len(k); i++ {
		switch c := k[i]; c {
		case '\n':
			b.WriteString(`\n`)
		case '=', ':', ' ', '\t', '\f', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
}

func writePropertyValue(b *strings.Builder, v string) {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		case '\\':
			b.WriteString(`\\`)
		case ' ', '\t', '\f':
			if i == 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
}

// clientConfiguration renders consumer.config or producer.config as Strimzi did: every value is
// converted first (failing on null and on types Kafka cannot take), then forbidden options are
// dropped, then the tracing interceptor is appended. Keys come in sorted order, the order in which
// the API server serialises the object.
func clientConfiguration(config v1beta2.KafkaConfig, forbidden []string, interceptor string) (string, error) {
	props := newOrderedProperties(len(config) + 1)
	for _, key := range sortedKeys(config) {
		value, err := configValueString(key, config[key])
		if err != nil {
			return "", err
		}
		props.put(key, value)
	}
	props.filter(func(key string) bool { return isForbidden(key, forbidden) })
	if interceptor != "" {
		props.put("interceptor.classes", interceptor)
	}
	return props.render(""), nil
}

// isForbidden reports whether the configuration option key is one the operator sets itself (or
// must not be set), and is therefore dropped from the user's configuration.
func isForbidden(key string, forbidden []string) bool {
	lower := strings.ToLower(key)
	for _, prefix := range forbidden {
		if strings.HasPrefix(lower, prefix) {
			for _, exception := range forbiddenPrefixExceptions {
				if key == exception {
					return false
				}
			}
			return true
		}
	}
	return false
}

// configValueString converts one configuration value to its text, as Strimzi does with the value
// Jackson produced for it: String as is, Integer, Long, Double and Boolean through String.valueOf,
// anything else is an error.
func configValueString(key string, v v1beta2.ConfigValue) (string, error) {
	switch v.Kind() {
	case v1beta2.ConfigValueString:
		if t := bytes.TrimSpace(v); len(t) >= 2 && t[len(t)-1] == '"' && bytes.IndexByte(t[1:len(t)-1], '\\') < 0 && bytes.IndexByte(t[1:len(t)-1], '"') < 0 {
			return string(t[1 : len(t)-1]), nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", invalidConfigParameter(key, "Unsupported type class java.lang.Object in configuration for this key")
		}
		return s, nil
	case v1beta2.ConfigValueBoolean:
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			return "", invalidConfigParameter(key, "Unsupported type class java.lang.Object in configuration for this key")
		}
		return strconv.FormatBool(b), nil
	case v1beta2.ConfigValueNull:
		return "", invalidConfigParameter(key, "A null value is not allowed for this key")
	case v1beta2.ConfigValueObject:
		return "", invalidConfigParameter(key, "Unsupported type class java.util.LinkedHashMap in configuration for this key")
	case v1beta2.ConfigValueArray:
		return "", invalidConfigParameter(key, "Unsupported type class java.util.ArrayList in configuration for this key")
	default:
		s, err := javaNumber(strings.TrimSpace(string(v)))
		if err != nil {
			return "", invalidConfigParameter(key, "Unsupported type "+err.Error()+" in configuration for this key")
		}
		return s, nil
	}
}

// errBigInteger is the Java class Jackson uses for integers beyond 64 bits.
var errBigInteger = errors.New("class java.math.BigInteger")

// javaNumber renders a JSON number the way Strimzi ends up rendering it. The API server stores a
// number as int64 when the text is an integer that fits, else as float64, which it writes back
// without a fraction when integral (5.0 becomes 5). Jackson then reads integer text as Integer,
// Long or BigInteger (unsupported) and any other text as Double, printed by Double.toString.
func javaNumber(text string) (string, error) {
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return strconv.FormatInt(i, 10), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		var numErr *strconv.NumError
		if !errors.As(err, &numErr) || numErr.Err != strconv.ErrRange || !math.IsInf(f, 0) {
			return "", errors.New("class java.lang.Object")
		}
		if f > 0 {
			return "Infinity", nil
		}
		return "-Infinity", nil
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		if f >= math.MinInt64 && f < math.MaxInt64 {
			return strconv.FormatInt(int64(f), 10), nil
		}
		return "", errBigInteger
	}
	return javaDouble(f), nil
}

// javaDouble formats f like Java's Double.toString: plain notation with at least one fraction
// digit for magnitudes in [1e-3, 1e7), computerized scientific notation ("1.0E21") otherwise.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mantissa, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mantissa, ".") {
		mantissa += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mantissa + "E" + strconv.Itoa(e)
}
