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

// Package oauth obtains OAUTHBEARER tokens for kmm-mirror the way Strimzi's OAuth client
// (strimzi-kafka-oauth 0.15.0, JaasClientOauthLoginCallbackHandler) does inside the Java
// MirrorMaker 1 image: franz-go only frames the SASL exchange, so the token acquisition (static
// token, refresh token, password, client credentials and client assertion grants), its caching and
// its refresh are re-implemented here (mirrormaker1-dataplane.md §8.1).
package oauth

import (
	"fmt"
	"strings"
)

// Option is one JAAS login-module option, e.g. oauth.client.id="my-client".
type Option struct {
	Key, Value string
}

// ParseJAASOptions parses KAFKA_MIRRORMAKER_OAUTH_CONFIG_<S>: the operator joins the options as
// key="value" with single spaces (strimzi-kafkamirrormaker.md §3.6) and the image pastes them into
// sasl.jaas.config, which Kafka reads with java.io.StreamTokenizer. So: blanks separate options, a
// key runs to '=', a value is either a double-quoted string (in which \" \\ \n \t \r \b \f and
// octal escapes are decoded, as StreamTokenizer does) or a bare word. Errors never echo values:
// they may be secrets.
func ParseJAASOptions(s string) ([]Option, error) {
	var out []Option
	r := []rune(s)
	i := 0
	skipBlank := func() {
		for i < len(r) && (r[i] == ' ' || r[i] == '\t' || r[i] == '\n' || r[i] == '\r') {
			i++
		}
	}
	for {
		skipBlank()
		if i >= len(r) {
			return out, nil
		}
		start := i
		for i < len(r) && r[i] != '=' && r[i] != ' ' && r[i] != '\t' && r[i] != '\n' && r[i] != '\r' {
			i++
		}
		key := string(r[start:i])
		skipBlank()
		if i >= len(r) || r[i] != '=' {
			return nil, fmt.Errorf("option %q has no value (expected key=\"value\")", key)
		}
		if key == "" {
			return nil, fmt.Errorf("option at offset %d has an empty key", start)
		}
		i++ // '='
		skipBlank()
		if i < len(r) && r[i] == '"' {
			v, next, err := quoted(r, i+1)
			if err != nil {
				return nil, fmt.Errorf("option %q: %w", key, err)
			}
			out = append(out, Option{Key: key, Value: v})
			i = next
			continue
		}
		start = i
		for i < len(r) && r[i] != ' ' && r[i] != '\t' && r[i] != '\n' && r[i] != '\r' {
			i++
		}
		out = append(out, Option{Key: key, Value: string(r[start:i])})
	}
}

// quoted reads a StreamTokenizer quoted string starting after the opening quote; it returns the
// value and the index after the closing quote.
func quoted(r []rune, i int) (string, int, error) {
	var b strings.Builder
	for i < len(r) {
		c := r[i]
		switch {
		case c == '"':
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(r):
			i++
			switch e := r[i]; e {
			case 'n':
				b.WriteRune('\n')
			case 't':
				b.WriteRune('\t')
			case 'r':
				b.WriteRune('\r')
			case 'b':
				b.WriteRune('\b')
			case 'f':
				b.WriteRune('\f')
			case 'a':
				b.WriteRune('\a')
			case 'v':
				b.WriteRune('\v')
			default:
				if e >= '0' && e <= '7' {
					n := int(e - '0')
					for k := 0; k < 2 && i+1 < len(r) && r[i+1] >= '0' && r[i+1] <= '7' && n*8+int(r[i+1]-'0') <= 0377; k++ {
						i++
						n = n*8 + int(r[i]-'0')
					}
					b.WriteRune(rune(n))
				} else {
					b.WriteRune(e)
				}
			}
		default:
			b.WriteRune(c)
		}
		i++
	}
	return "", 0, fmt.Errorf("unterminated quoted value")
}
