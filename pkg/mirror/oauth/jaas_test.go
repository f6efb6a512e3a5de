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

package oauth

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseJAASOptions(t *testing.T) {
	tests := []struct {
		in   string
		want []Option
	}{
		{"", nil},
		{"   ", nil},
		{`oauth.client.id="my-client-id" oauth.token.endpoint.uri="http://my-oauth-server"`,
			[]Option{{"oauth.client.id", "my-client-id"}, {"oauth.token.endpoint.uri", "http://my-oauth-server"}}},
		{`oauth.ssl.endpoint.identification.algorithm=""`, []Option{{"oauth.ssl.endpoint.identification.algorithm", ""}}},
		{`a = "x y"  b="z"`, []Option{{"a", "x y"}, {"b", "z"}}},
		{`a=bare b="q"`, []Option{{"a", "bare"}, {"b", "q"}}},
		{`a="q\"uote\\back\nnl\101"`, []Option{{"a", "q\"uote\\back\nnlA"}}},
		{"a=\"1\"\tb=\"2\"\n", []Option{{"a", "1"}, {"b", "2"}}},
	}
	for _, tt := range tests {
		got, err := ParseJAASOptions(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestParseJAASOptionsErrors(t *testing.T) {
	for in, want := range map[string]string{
		`a="secret`:   `option "a": unterminated quoted value`,
		`a b="c"`:     `option "a" has no value`,
		`="c"`:        `empty key`,
		`a="1" b`:     `option "b" has no value`,
		`k="v" x="s3`: `option "x": unterminated quoted value`,
	} {
		_, err := ParseJAASOptions(in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
		assert.NotContains(t, err.Error(), "s3", in)
		assert.NotContains(t, err.Error(), "secret", in)
	}
}

func TestURLEncodeLikeJava(t *testing.T) {
	assert.Equal(t, "a-z_A.Z*0+9%7E%21%40%23%24%25%5E%26%28%29%3D%2B%2F%3A%C3%A9", urlencode("a-z_A.Z*0 9~!@#$%^&()=+/:é"))
}

func TestJWTTimes(t *testing.T) {
	exp, iat, ok := jwtTimes(testJWT(t, 2000, 1000))
	require.True(t, ok)
	assert.Equal(t, int64(2000), exp.Unix())
	assert.Equal(t, int64(1000), iat.Unix())
	for _, bad := range []string{"opaque", "a.b", "a.!!.c", testJWT(t, 0, 10), "x." + b64(`{"exp":"soon"}`) + ".y"} {
		_, _, ok := jwtTimes(bad)
		assert.False(t, ok, bad)
	}
}
