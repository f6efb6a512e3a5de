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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseProperties(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []property
	}{
		{"empty", "", nil},
		{"equals", "a=b\n", []property{{"a", "b"}}},
		{"colon", "a:b", []property{{"a", "b"}}},
		{"whitespace separator", "a b", []property{{"a", "b"}}},
		{"blanks around separator", "  a  =  b  ", []property{{"a", "b  "}}},
		{"whitespace then equals", "a = = b", []property{{"a", "= b"}}},
		{"key only", "a", []property{{"a", ""}}},
		{"key with separator only", "a=", []property{{"a", ""}}},
		{"hash comment", "# a=b\nc=d", []property{{"c", "d"}}},
		{"bang comment", "  ! a=b\nc=d", []property{{"c", "d"}}},
		{"hash inside value", "a=b#c", []property{{"a", "b#c"}}},
		{"comment does not continue", "# x \\\na=b", []property{{"a", "b"}}},
		{"continuation", "a=b\\\n   c", []property{{"a", "bc"}}},
		{"continuation crlf", "a=b\\\r\n  c\r\nd=e", []property{{"a", "bc"}, {"d", "e"}}},
		{"continued line starting with hash is data", "a=b\\\n#c", []property{{"a", "b#c"}}},
		{"even backslashes do not continue", "a=b\\\\\nc=d", []property{{"a", `b\`}, {"c", "d"}}},
		{"backslash at end of input dropped", "a=b\\", []property{{"a", "b"}}},
		{"cr line ends", "a=b\rc=d", []property{{"a", "b"}, {"c", "d"}}},
		{"escaped separator in key", `a\=b=c`, []property{{"a=b", "c"}}},
		{"escaped space in key", `a\ b c`, []property{{"a b", "c"}}},
		{"escaped colon in key", `a\:b:c`, []property{{"a:b", "c"}}},
		{"escapes", `a=\t\n\r\f\x\\`, []property{{"a", "\t\n\r\fx\\"}}},
		{"unicode escape", `a=\u0041\u00e9`, []property{{"a", "Aé"}}},
		{"surrogate pair", `a=\uD83D\uDE00`, []property{{"a", "😀"}}},
		{"last duplicate wins", "a=1\nb=2\na=3", []property{{"a", "3"}, {"b", "2"}}},
		{"blank lines", "\n\n  \na=b\n\n", []property{{"a", "b"}}},
		{"form feed blank", "\fa=b", []property{{"a", "b"}}},
		{"utf8 value", "a=ünïcode", []property{{"a", "ünïcode"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProperties(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParsePropertiesMalformedUnicode(t *testing.T) {
	for _, in := range []string{`a=\u00`, `a=\uZZZZ`, `\u12=b`} {
		_, err := parseProperties(in)
		assert.ErrorIs(t, err, errMalformedUnicode, in)
	}
}
