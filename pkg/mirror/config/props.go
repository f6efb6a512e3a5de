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

package config

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// props is the parsed KAFKA_MIRRORMAKER_CONFIGURATION_<S> of one side. Mapping code takes the keys
// it understands; whatever is left becomes a notice (mirrormaker1-dataplane.md §9.2).
type props struct {
	side string // "consumer" or "producer"
	list []property
	vals map[string]string
	used map[string]bool
	// effective are the values the client runs with, user-given or MirrorMaker 1's default, for
	// the summary.
	effective map[string]string
}

func newProps(side string, list []property) *props {
	p := &props{side: side, list: list, vals: map[string]string{}, used: map[string]bool{}, effective: map[string]string{}}
	for _, kv := range list {
		p.vals[kv.Key] = kv.Value
	}
	return p
}

// name is how errors and notices call a property: "consumer property max.poll.records".
func (p *props) name(key string) string { return p.side + " property " + key }

// invalid is a configuration error about a property value.
func (p *props) invalid(key, value, format string, args ...any) *Error {
	return valueError(p.name(key), value, format, args...)
}

// str returns the raw value of key and marks it as handled.
func (p *props) str(key string) (string, bool) {
	v, ok := p.vals[key]
	if ok {
		p.used[key] = true
	}
	return v, ok
}

// has reports whether the user set key, without taking it.
func (p *props) has(key string) bool {
	_, ok := p.vals[key]
	return ok
}

// use marks key as handled without reading it.
func (p *props) use(key string) { p.used[key] = true }

// setEffective records the value the client runs with.
func (p *props) setEffective(key, value string) { p.effective[key] = value }

// integer reads a Java INT (or LONG when bits is 64) property like ConfigDef: trimmed decimal,
// at least lo; def when unset. The effective value is recorded.
func (p *props) integer(key string, def, lo int64, bits int) (int64, bool, error) {
	v, ok := p.str(key)
	if !ok {
		p.setEffective(key, strconv.FormatInt(def, 10))
		return def, false, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, bits)
	if err != nil {
		kind := "an integer"
		if bits == 64 {
			kind = "a long integer"
		}
		return 0, true, p.invalid(key, v, "is not %s", kind)
	}
	if n < lo {
		return 0, true, p.invalid(key, v, "must be at least %d", lo)
	}
	p.setEffective(key, strconv.FormatInt(n, 10))
	return n, true, nil
}

// int32Prop is a Java INT property.
func (p *props) int32Prop(key string, def, lo int64) (int64, bool, error) {
	return p.integer(key, def, lo, 32)
}

// millis is a Java INT or LONG millisecond property as a duration.
func (p *props) millis(key string, def, lo int64, bits int) (time.Duration, bool, error) {
	n, set, err := p.integer(key, def, lo, bits)
	if n > math.MaxInt64/int64(time.Millisecond) {
		n = math.MaxInt64 / int64(time.Millisecond)
	}
	return time.Duration(n) * time.Millisecond, set, err
}

// boolean reads a Java BOOLEAN property: "true" or "false", any case, trimmed.
func (p *props) boolean(key string, def bool) (bool, bool, error) {
	v, ok := p.str(key)
	if !ok {
		p.setEffective(key, strconv.FormatBool(def))
		return def, false, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		p.setEffective(key, "true")
		return true, true, nil
	case "false":
		p.setEffective(key, "false")
		return false, true, nil
	}
	return false, true, p.invalid(key, v, "is not a boolean (true or false)")
}

// choice reads a Java STRING property restricted to values; the result is one of values.
func (p *props) choice(key, def string, fold bool, values ...string) (string, error) {
	v, ok := p.str(key)
	if !ok {
		p.setEffective(key, def)
		return def, nil
	}
	t := strings.TrimSpace(v)
	for _, allowed := range values {
		if t == allowed || (fold && strings.EqualFold(t, allowed)) {
			p.setEffective(key, allowed)
			return allowed, nil
		}
	}
	return "", p.invalid(key, v, "is not one of %s", strings.Join(values, ", "))
}

// splitList splits a Java LIST value: comma-separated, blanks around items trimmed, empty items
// dropped.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// isSecretKey reports whether a property holds a secret that summaries and notices must hide.
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, s := range []string{"password", "secret", "jaas", "token", "credential"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// leftovers turns every property no mapping took into a notice: a known Java-only key says why it
// is ignored, anything else is "unknown to kmm-mirror". Their raw values join the summary.
func (p *props) leftovers(n *notices, javaOnly map[string]string) {
	for _, kv := range p.list {
		if p.used[kv.Key] {
			continue
		}
		if isSecretKey(kv.Key) {
			p.setEffective(kv.Key, Hidden)
		} else {
			p.setEffective(kv.Key, kv.Value)
		}
		if why, ok := javaOnly[kv.Key]; ok {
			n.info(p.name(kv.Key), "ignored: %s", why)
			continue
		}
		n.info(p.name(kv.Key), "ignored: unknown to kmm-mirror")
	}
}

// summary renders the effective properties as sorted "key=value" lines.
func (p *props) summary() []string {
	keys := make([]string, 0, len(p.effective))
	for k := range p.effective {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s=%s", k, p.effective[k]))
	}
	return out
}

// commonJavaOnly are keys of both Java clients that have no meaning for kgo.
var commonJavaOnly = map[string]string{
	"interceptor.classes":                    "Java interceptors cannot run in kmm-mirror (the operator sets it for OpenTelemetry tracing)",
	"metric.reporters":                       "Java metrics reporters cannot run in kmm-mirror",
	"metrics.num.samples":                    "Java client metrics setting",
	"metrics.sample.window.ms":               "Java client metrics setting",
	"metrics.recording.level":                "Java client metrics setting",
	"auto.include.jmx.reporter":              "Java client metrics setting",
	"enable.metrics.push":                    "Java client metrics setting",
	"client.dns.lookup":                      "Java networking setting without a kgo equivalent",
	"reconnect.backoff.ms":                   "Java networking setting without a kgo equivalent",
	"reconnect.backoff.max.ms":               "Java networking setting without a kgo equivalent",
	"retry.backoff.ms":                       "Java networking setting without a kgo equivalent",
	"retry.backoff.max.ms":                   "Java networking setting without a kgo equivalent",
	"send.buffer.bytes":                      "Java networking setting without a kgo equivalent",
	"receive.buffer.bytes":                   "Java networking setting without a kgo equivalent",
	"socket.connection.setup.timeout.ms":     "Java networking setting without a kgo equivalent",
	"socket.connection.setup.timeout.max.ms": "Java networking setting without a kgo equivalent",
	"metadata.recovery.strategy":             "Java networking setting without a kgo equivalent",
	"security.providers":                     "Java security providers cannot be loaded by kmm-mirror",
}

// withCommon merges side-specific Java-only keys with commonJavaOnly.
func withCommon(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+len(commonJavaOnly))
	for k, v := range commonJavaOnly {
		out[k] = v
	}
	for k, v := range m {
		out[k] = v
	}
	return out
}
