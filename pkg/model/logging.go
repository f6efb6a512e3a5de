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
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

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

func yamlToCompactJSON(text string) (string, error) {
	if !yamlHasContent(text) {
		return "", fmt.Errorf("no content")
	}
	j, err := yaml.YAMLToJSON([]byte(text))
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	var b strings.Builder
	writeJacksonJSON(&b, v)
	return b.String(), nil
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
