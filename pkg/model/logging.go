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
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	yamlv3 "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// Data keys of the metrics-and-logging ConfigMap.
const (
	Log4jPropertiesKey = "log4j.properties"
	MetricsConfigKey   = "metrics-config.json"
)

const (
	loggingHeader   = "Do not change this generated file. Logging can be configured in the corresponding Kubernetes resource."
	rootLoggerKey   = "log4j.rootLogger"
	defaultAppender = "CONSOLE"
)

// defaultLogging is Strimzi's default-logging/KafkaMirrorMakerCluster.properties, in file order.
var defaultLogging = [][2]string{
	{"log4j.appender.CONSOLE", "org.apache.log4j.ConsoleAppender"},
	{"log4j.appender.CONSOLE.layout", "org.apache.log4j.PatternLayout"},
	{"log4j.appender.CONSOLE.layout.ConversionPattern", "%d{ISO8601} %p %m (%c) [%t]%n"},
	{"mirrormaker.root.logger", "INFO"},
	{rootLoggerKey, "${mirrormaker.root.logger}, " + defaultAppender},
}

// ConfigMap renders the metrics-and-logging ConfigMap "<name>-mirror-maker-config": the
// log4j.properties the container logs with and, when metrics are enabled, metrics-config.json for
// the Prometheus JMX exporter. External logging and metrics configuration are read through cms.
func (m *MirrorMaker) ConfigMap(cms ConfigMapGetter) (*corev1.ConfigMap, error) {
	log4j, err := m.Log4jProperties(cms)
	if err != nil {
		return nil, err
	}
	data := map[string]string{Log4jPropertiesKey: log4j}
	if m.metricsEnabled {
		metrics, err := m.metricsJSON(cms)
		if err != nil {
			return nil, err
		}
		data[MetricsConfigKey] = metrics
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: m.objectMeta(m.ConfigMapName(), copyMap(m.labels), nil),
		Data:       data,
	}, nil
}

// Log4jProperties returns the log4j.properties text: the default configuration, the default with
// the inline loggers applied, or the external ConfigMap's text verbatim.
func (m *MirrorMaker) Log4jProperties(cms ConfigMapGetter) (string, error) {
	l := m.spec.Logging
	if l != nil && l.Type == v1beta2.LoggingTypeExternal {
		ref := l.ValueFrom.ConfigMapKeyRef
		cm, err := getConfigMap(cms, m.Namespace(), ref.Name)
		if err != nil {
			return "", err
		}
		if cm != nil {
			if v, ok := cm.Data[ref.Key]; ok {
				return v, nil
			}
		}
		return "", invalidResource("ConfigMap %s with external logging configuration does not exist or doesn't contain the configuration under the %s key.", ref.Name, ref.Key)
	}
	props := newOrderedProperties(len(defaultLogging) + 4)
	for _, kv := range defaultLogging {
		props.put(kv[0], kv[1])
	}
	if l != nil && l.Loggers != nil {
		for _, k := range sortedKeys(l.Loggers) {
			props.put(k, l.Loggers[k])
		}
		// A root logger set without an appender keeps logging to the default console appender.
		if root, ok := l.Loggers[rootLoggerKey]; ok && !strings.Contains(root, ",") {
			level, _ := props.get(rootLoggerKey)
			props.put(rootLoggerKey, level+", "+defaultAppender)
		}
	}
	return props.render(loggingHeader), nil
}

func getConfigMap(cms ConfigMapGetter, namespace, name string) (*corev1.ConfigMap, error) {
	if cms == nil {
		return nil, nil
	}
	cm, err := cms.Get(name)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading ConfigMap %s/%s: %w", namespace, name, err)
	}
	return cm, nil
}

// metricsJSON reads the JMX exporter configuration (YAML) and renders it as compact JSON, with
// the string escaping and number format of Jackson.
func (m *MirrorMaker) metricsJSON(cms ConfigMapGetter) (string, error) {
	cm, err := getConfigMap(cms, m.Namespace(), m.metricsConfigMap)
	if err != nil {
		return "", err
	}
	if cm == nil {
		return "", invalidConfiguration("ConfigMap %s does not exist", m.metricsConfigMap)
	}
	data, ok := cm.Data[m.metricsKey]
	if !ok {
		return "", invalidConfiguration("ConfigMap %s does not contain specified key %s", m.metricsConfigMap, m.metricsKey)
	}
	if data == "" {
		return "{}", nil
	}
	out, err := yamlToCompactJSON(data)
	if err != nil {
		return "", invalidConfiguration("Failed to parse metrics configuration")
	}
	return out, nil
}

// yamlToCompactJSON parses YAML and writes it as compact JSON, keeping the key order of the
// document as Jackson does, so the rendered metrics-config.json is byte for byte Strimzi's.
func yamlToCompactJSON(text string) (string, error) {
	if !yamlHasContent(text) {
		return "", fmt.Errorf("no content")
	}
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal([]byte(text), &doc); err != nil {
		return "", err
	}
	v, err := fromYAMLNode(&doc, 0)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writeJacksonJSON(&b, v)
	return b.String(), nil
}

// orderedObject is a JSON object that remembers the order its keys were written in.
type orderedObject struct {
	keys   []string
	values map[string]any
}

// maxYAMLDepth bounds nesting (and alias chains) so hostile input cannot exhaust the stack.
const maxYAMLDepth = 1000

// fromYAMLNode converts a YAML node into nil, bool, string, json.Number, []any or
// *orderedObject.
func fromYAMLNode(n *yamlv3.Node, depth int) (any, error) {
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("YAML nested too deeply")
	}
	switch n.Kind {
	case yamlv3.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromYAMLNode(n.Content[0], depth+1)
	case yamlv3.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("unresolved YAML alias")
		}
		return fromYAMLNode(n.Alias, depth+1)
	case yamlv3.MappingNode:
		obj := &orderedObject{values: make(map[string]any, len(n.Content)/2)}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yamlv3.ScalarNode {
				return nil, fmt.Errorf("line %d: a mapping key must be a scalar", k.Line)
			}
			v, err := fromYAMLNode(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			if _, dup := obj.values[k.Value]; !dup {
				obj.keys = append(obj.keys, k.Value)
			}
			obj.values[k.Value] = v
		}
		return obj, nil
	case yamlv3.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromYAMLNode(c, depth+1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yamlv3.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		switch t := v.(type) {
		case nil, bool, string:
			return t, nil
		case int:
			return json.Number(strconv.Itoa(t)), nil
		case int64:
			return json.Number(strconv.FormatInt(t, 10)), nil
		case uint64:
			return json.Number(strconv.FormatUint(t, 10)), nil
		case float64:
			if math.IsInf(t, 0) || math.IsNaN(t) {
				return n.Value, nil
			}
			// Exponent form marks it as a double, which writeJacksonJSON prints the Java way (1.0).
			return json.Number(strconv.FormatFloat(t, 'e', -1, 64)), nil
		default:
			// Timestamps and other tagged scalars stay as written.
			return n.Value, nil
		}
	}
	return nil, fmt.Errorf("unsupported YAML node")
}

// yamlHasContent reports whether a YAML text holds more than comments, blank lines and document
// markers; Jackson refuses such a text as having no content.
func yamlHasContent(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") && t != "---" && t != "..." {
			return true
		}
	}
	return false
}

// writeJacksonJSON writes v compactly as Jackson's ObjectMapper does: no HTML escaping, control
// characters escaped, doubles in Java notation.
func writeJacksonJSON(b *strings.Builder, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case json.Number:
		s := string(t)
		if strings.ContainsAny(s, ".eE") {
			if f, err := t.Float64(); err == nil {
				s = javaDouble(f)
			}
		}
		b.WriteString(s)
	case string:
		writeJacksonString(b, t)
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJacksonJSON(b, e)
		}
		b.WriteByte(']')
	case *orderedObject:
		b.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJacksonString(b, k)
			b.WriteByte(':')
			writeJacksonJSON(b, t.values[k])
		}
		b.WriteByte('}')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(t) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJacksonString(b, k)
			b.WriteByte(':')
			writeJacksonJSON(b, t[k])
		}
		b.WriteByte('}')
	}
}

func writeJacksonString(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[r>>4])
			b.WriteByte(hexDigits[r&0xF])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
