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
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseInclude(t *testing.T) {
	tests := []struct {
		include string
		regex   string
		match   []string
		noMatch []string
		dropped []string
	}{
		{include: ".*", regex: ".*", match: []string{"a", "__strimzi_canary", ""}},
		{include: "a,b", regex: "a|b", match: []string{"a", "b"}, noMatch: []string{"ab", "c"}},
		{include: "a, b", regex: "a|", match: []string{"a", ""}, noMatch: []string{"b"}, dropped: []string{`b"`}},
		{include: `"a|b"`, regex: "a|b", match: []string{"a", "b"}},
		{include: `'a|b'`, regex: "a|b", match: []string{"a", "b"}},
		{include: `"'a'"`, regex: "a", match: []string{"a"}},
		{include: "topic-[0-9]+", regex: "topic-[0-9]+", match: []string{"topic-1", "topic-42"}, noMatch: []string{"topic-", "xtopic-1", "topic-1x"}},
		{include: "a\tb", regex: "a", match: []string{"a"}, noMatch: []string{"b"}, dropped: []string{`b"`}},
		{include: "a\nb c", regex: "a", dropped: []string{"b", `c"`}},
		{include: "foo.*,bar", regex: "foo.*|bar", match: []string{"foo", "foo1", "bar"}, noMatch: []string{"bar1"}},
		{include: "(?i)abc", regex: "(?i)abc", match: []string{"ABC"}},
		{include: "[^_].*", regex: "[^_].*", match: []string{"a"}, noMatch: []string{"__consumer_offsets"}},
		{include: `a\Q.*\E`, regex: `a\Q.*\E`, match: []string{"a.*"}, noMatch: []string{"ab"}},
		{include: "x{2}", regex: "x{2}", match: []string{"xx"}, noMatch: []string{"x"}},
		{include: "(?<name>a)b", regex: "(?<name>a)b", match: []string{"ab"}},
	}
	for _, tt := range tests {
		t.Run(tt.include, func(t *testing.T) {
			res, err := parseInclude(tt.include)
			require.NoError(t, err)
			assert.Equal(t, tt.regex, res.regex)
			assert.Equal(t, tt.dropped, res.dropped)
			for _, m := range tt.match {
				assert.True(t, res.topics.MatchString(m), "should match %q", m)
			}
			for _, m := range tt.noMatch {
				assert.False(t, res.topics.MatchString(m), "should not match %q", m)
			}
		})
	}
}

func TestParseIncludeErrors(t *testing.T) {
	tests := []struct {
		include string
		want    string
	}{
		{"", "KAFKA_MIRRORMAKER_INCLUDE: include list must be specified"},
		{"   ", `leaves an empty topic pattern`},
		{" a", `leaves an empty topic pattern`},
		{`""`, `leaves an empty topic pattern`},
		{"*", `KAFKA_MIRRORMAKER_INCLUDE: pattern "*" is not a valid regular expression: error parsing regexp: missing argument to repetition operator`},
		{"(", `pattern "(" is not a valid regular expression`},
		{"(?=a)b", `KAFKA_MIRRORMAKER_INCLUDE: pattern "(?=a)b" uses Java-only regular expression syntax Go's regexp cannot compile: error parsing regexp`},
		{"(?!a)b", `uses Java-only regular expression syntax`},
		{"(?<=a)b", `uses Java-only regular expression syntax`},
		{"(?>a)b", `uses Java-only regular expression syntax`},
		{"a*+", `uses Java-only regular expression syntax`},
		{"a++b", `uses Java-only regular expression syntax`},
		{`(a)\1`, `uses Java-only regular expression syntax`},
		{`(?<n>a)\k<n>`, `uses Java-only regular expression syntax`},
		{`\p{Alpha}+`, `uses Java-only regular expression syntax`},
		{`a\Z`, `uses Java-only regular expression syntax`},
		{`\h`, `uses Java-only regular expression syntax`},
		{`(?x)a b`, `uses Java-only regular expression syntax`},
		{"a{2000}", `uses Java-only regular expression syntax`},
		{"[a-z&&[^b]]", `would read differently: character class intersection "&&"`},
		{"[[:alpha:]]+", `would read differently: nested character class or POSIX bracket`},
		{`\v`, `would read differently: Java escape "\v"`},
		{"(?U)a*", `would read differently: flag (?U)`},
		{`(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)\12`, `would read differently: back-reference`},
		{`\0101`, `would read differently: octal escape`},
		{`\0`, `is not a valid regular expression (Java rejects it too): \0 must be followed by an octal digit`},
		{"topic{abc}", `(Java rejects it too): "{" does not start a repetition`},
		{"a{,3}", `(Java rejects it too)`},
		// TopicFilter turns the comma of a repetition into "|", which Java rejects.
		{"x{2,3}", `pattern "x{2|3}" is not a valid regular expression (Java rejects it too)`},
	}
	for _, tt := range tests {
		t.Run(tt.include, func(t *testing.T) {
			_, err := parseInclude(tt.include)
			require.Error(t, err)
			var cfgErr *Error
			require.True(t, errors.As(err, &cfgErr))
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), envInclude+": "), err.Error())
		})
	}
}

func TestTopicFilter(t *testing.T) {
	tests := map[string]string{
		`"a, b"`:     "a|b",
		` a `:        "a",
		`"'"a"'"`:    "a",
		`a"b`:        `a"b`,
		"\"a\t\"":    "a\t",
		`,`:          "|",
		`"`:          "",
		`'x,y , z'`:  "x|y|z",
		`"a" , "b"`:  `a"|"b`,
		"\x01a\x02":  "a",
		`  "a|b"  `:  "a|b",
		`"topic-.*"`: "topic-.*",
	}
	for in, want := range tests {
		assert.Equal(t, want, topicFilter(in), "topicFilter(%q)", in)
	}
}
