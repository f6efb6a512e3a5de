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
	"log/slog"
	"regexp"
	"strings"
)

const envInclude = "KAFKA_MIRRORMAKER_INCLUDE"

// includeResult is what MirrorMaker 1 makes of KAFKA_MIRRORMAKER_INCLUDE.
type includeResult struct {
	regex   string         // the Java regex after the run script and TopicFilter
	topics  *regexp.Regexp // regex anchored to match whole topic names
	dropped []string       // words the run script's word splitting cut off
}

// parseInclude reproduces what happens to KAFKA_MIRRORMAKER_INCLUDE on its way into MirrorMaker 1
// (mirrormaker1-dataplane.md §5, §10 item 1):
//
//  1. the run script builds include="--whitelist \"<value>\"" and expands $include unquoted, so
//     bash splits `"<value>"` (with the literal quote characters) at spaces, tabs and newlines and
//     jopt-simple takes only the first word as the option value (bash's pathname expansion of that
//     word is not reproduced: it only matters if /opt/kafka holds a file named like the word);
//  2. Kafka's TopicFilter trims it, turns every ',' into '|', removes every space, strips a leading
//     and a trailing run of '"' and '\” and compiles the rest as a Java regular expression;
//  3. the consumer matches whole topic names (Matcher.matches), so the Go pattern is anchored.
//
// An empty value is MirrorMaker 1's "include list must be specified" (exit 1). A value that leaves
// an empty pattern (only blanks, or blanks before the first word) is rejected too: MirrorMaker 1
// would run and mirror nothing.
func parseInclude(value string) (includeResult, error) {
	if value == "" {
		return includeResult{}, errorf(envInclude, "include list must be specified (MirrorMaker 1 exits with this error when the include is empty)")
	}
	words := strings.FieldsFunc(`"`+value+`"`, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' })
	res := includeResult{}
	if len(words) > 1 {
		res.dropped = words[1:]
	}
	res.regex = topicFilter(words[0])
	if res.regex == "" {
		return res, valueError(envInclude, value, "leaves an empty topic pattern after MirrorMaker 1's word splitting and quote stripping (only the first word %q is used), which matches no topic", words[0])
	}
	if err := checkJavaRegex(res.regex); err != nil {
		return res, err
	}
	res.topics = regexp.MustCompile(anchored(res.regex))
	return res, nil
}

// anchored makes a pattern match whole topic names only, as Java's Matcher.matches does; kgo's
// ConsumeRegex matches unanchored (mirrormaker1-dataplane.md §9.1).
func anchored(re string) string { return "^(?:" + re + ")$" }

// topicFilter is org.apache.kafka.server.util.TopicFilter's constructor (§5): trim, ',' → '|',
// remove spaces, strip the leading and the trailing run of quote characters.
func topicFilter(raw string) string {
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' }) // Java String.trim
	s = strings.ReplaceAll(s, ",", "|")
	s = strings.ReplaceAll(s, " ", "")
	s = strings.TrimLeft(s, `"'`)
	s = strings.TrimRight(s, `"'`)
	return s
}

// includeNotices reports the words the run script cut off.
func (r includeResult) notices(n *notices) {
	if len(r.dropped) > 0 {
		n.add(slog.LevelWarn, envInclude, "ignored: %q after the first word: MirrorMaker 1's run script passes the include unquoted, so bash splits it and only the first word is used (topic pattern %q)", strings.Join(r.dropped, " "), r.regex)
	}
}
